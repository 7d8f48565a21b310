/* notify_journal: the outbox's file format — one record a line, appended as
 * things happen, replayed at start (a torn last line or a damaged one is
 * skipped and counted; nothing after it is lost). Pure: lines in, records
 * out; fuzzed (fuzz_notify_journal).
 *
 *   A <channel>[,<channel>...] <message JSON>   an alert queued for channels
 *   D <id> <channel>                            delivered (or dropped) there
 *   I <JSON {"key","opened","severity","title"}> an incident opened
 *   X <JSON {"key"}>                            it closed
 */
#ifndef AUTONOMY_NOTIFY_NOTIFY_JOURNAL_H
#define AUTONOMY_NOTIFY_NOTIFY_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "notify/notify_chan.h"
#include "notify/notify_msg.h"

#define NJ_LINE_MAX (64 * 1024)

enum nj_kind { NJ_ADD, NJ_DONE, NJ_OPEN, NJ_CLOSE };

struct nj_rec {
	enum nj_kind kind;
	unsigned channels;              /* ADD: bit per enum notify_ch */
	struct notify_msg *msg;         /* ADD: the caller's after a parse */
	uint64_t id;                    /* DONE */
	int channel;                    /* DONE */
	char key[NOTIFY_KEY_MAX];       /* OPEN, CLOSE */
	int64_t opened_ms;              /* OPEN */
	enum ev_severity sev;           /* OPEN */
	char title[NOTIFY_TITLE_MAX];   /* OPEN */
};

/* One line without its '\n'. 0, or -1 (the line is not a record). */
int nj_parse(const char *line, size_t len, struct nj_rec *out);
/* The record as one line with its '\n' (malloc), or NULL. */
char *nj_format(const struct nj_rec *r, size_t *len);

#endif
