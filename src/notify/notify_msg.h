/* notify_msg: one alert as the policy composes it and the outbox keeps it —
 * what happened (its events), to which incident it belongs, how it reads
 * (title and plain-text lines). Channels render it at send time; the outbox
 * persists it as JSON (notify_msg_json / notify_msg_parse, strict: it is
 * read back from a file at start). */
#ifndef AUTONOMY_NOTIFY_NOTIFY_MSG_H
#define AUTONOMY_NOTIFY_NOTIFY_MSG_H

#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>

#include "events/ev.h"

#define NOTIFY_KEY_MAX 96
#define NOTIFY_TITLE_MAX 200
#define NOTIFY_TEXT_MAX 4096
#define NOTIFY_MSG_EVENTS 8     /* events kept in one message; the rest counted */

enum notify_action {
	NA_OPEN,        /* an incident begins (PagerDuty: trigger) */
	NA_UPDATE,      /* more about an open incident (trigger again: same dedup_key) */
	NA_RESOLVE,     /* it is over (resolve) */
	NA_ALERT,       /* a one-off: no incident to resolve */
	NA_DIGEST,      /* a summary: a flapping member's window, the quiet hours */
	NA_TEST,        /* `notifications test` */
	NA_N
};

struct notify_msg {
	uint64_t id;                    /* the outbox's, 0 until queued */
	int64_t wall_ms;                /* composed */
	enum ev_severity sev;           /* its events' highest */
	enum ev_severity inc_sev;       /* the incident's highest so far: channels' min_level */
	enum notify_action action;
	bool opened_now;                /* a RESOLVE whose incident opened in this message */
	bool quiet;                     /* composed in the quiet hours: waits for the digest */
	char key[NOTIFY_KEY_MAX];       /* incident ("wan:health") or one-off key */
	int64_t opened_ms;              /* wall ms the incident opened: its thread */
	unsigned update;                /* 0: the incident's first message */
	char member[64];
	char title[NOTIFY_TITLE_MAX];
	char *text;                     /* body lines, '\n'-separated (malloc) */
	json_object *events;            /* array of event records (ev_record_json) */
	unsigned more;                  /* events left out of `events` */
	unsigned refs;                  /* channels holding it (outbox) */
};

struct notify_msg *notify_msg_new(void);
struct notify_msg *notify_msg_ref(struct notify_msg *m);
void notify_msg_unref(struct notify_msg *m);

const char *notify_action_name(enum notify_action a);
int notify_action_parse(const char *s);

/* The message as JSON (a new object). */
json_object *notify_msg_json(const struct notify_msg *m);
/* Back from JSON: every field checked (types, ranges, lengths); NULL when
 * anything is off. */
struct notify_msg *notify_msg_parse(json_object *o);

/* "wan:health" → a stable id for a thread / dedup key: the key's
 * characters outside [A-Za-z0-9._-] become '-'. */
void notify_key_slug(const char *key, char *out, size_t size);

#endif
