/* notify_outbox: alerts waiting for their channels, kept in a journal in
 * state_dir (notify_journal.h) so that they survive a restart, a crash, a
 * SIGKILL and a reboot: a message is appended before anything is sent and a
 * "done" line follows the endpoint's acknowledgement. Each channel is a
 * FIFO — PagerDuty's resolve never overtakes its trigger. The open
 * incidents are journalled too (the policy restores them).
 *
 * The file is appended to without fsync (alerts are rare; a write() reaches
 * the page cache, which survives the process); it is emptied when nothing
 * is left in it, and rewritten (atomically) at start and when finished
 * records make up more than OB_COMPACT_BYTES and two thirds of it. */
#ifndef AUTONOMY_NOTIFY_NOTIFY_OUTBOX_H
#define AUTONOMY_NOTIFY_NOTIFY_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "notify/notify_chan.h"
#include "notify/notify_journal.h"

#define OB_COMPACT_BYTES (128 * 1024)
#define OB_INCIDENTS 64

struct ob_entry {
	struct ob_entry *next;
	struct notify_msg *msg;         /* shared by its channels (refs) */
	int ch;
	unsigned attempts;
	uint64_t due_mono;              /* not before (backoff); 0 = now */
	uint64_t born_mono;             /* its age counts from here */
	int64_t first_try_ms;           /* wall, 0 = never tried */
	char error[256];                /* the last attempt's, scrubbed */
	char via[64];                   /* the member the last attempt used */
};

struct ob_incident {
	char key[NOTIFY_KEY_MAX];
	int64_t opened_ms;
	enum ev_severity sev;
	char title[NOTIFY_TITLE_MAX];
};

struct notify_outbox {
	char path[4200];
	int fd;
	struct ob_entry *head[NCH_N];
	unsigned count[NCH_N], total;
	uint64_t next_id;
	struct ob_incident inc[OB_INCIDENTS];
	unsigned n_inc;
	size_t file_bytes;              /* the journal's size */
	size_t live_bytes;              /* its size after the last rewrite */
	uint64_t bytes_written;         /* since start (flash wear) */
	unsigned bad_lines;             /* skipped at load */
	char io_error[160];             /* the last write failure ("" = none) */
};

/* Loads path (missing = empty), rewrites it with what is still live.
 * now_wall/now_mono: the clock (an entry written before the wall clock was
 * set counts as new). 0, or -1 with err (the outbox then works in memory). */
int ob_open(struct notify_outbox *o, const char *path, int64_t now_wall, uint64_t now_mono,
	    char *err, size_t err_size);
void ob_close(struct notify_outbox *o);

/* Queues m for the channels in mask (journalled first); gives m its id.
 * Returns 0, or -1 (nothing queued). */
int ob_add(struct notify_outbox *o, struct notify_msg *m, unsigned mask, uint64_t now_mono);
/* e is finished (delivered, refused for good, expired): journalled and freed. */
void ob_done(struct notify_outbox *o, struct ob_entry *e);
/* Incidents: open (title set) or closed. */
void ob_incident(struct notify_outbox *o, const char *key, int64_t opened_ms,
		 enum ev_severity sev, const char *title);

#endif
