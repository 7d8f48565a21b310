/* store_writer: rows waiting in RAM for the next write to a store, and the
 * bus subscriber that turns events into rows.
 *
 * Every event becomes an `events` row; decisions (switch, restore, hold,
 * manual, test) also a `decisions` row; a member's down spell (state down
 * until it is up or degraded again) an `outages` row when it ends. Samples,
 * the daemon's own figures and data usage are queued by the caller.
 * store_writer_flush() writes everything queued in one transaction; when
 * the store is busy (another process is writing) or failing, the rows stay
 * queued for the next flush, up to STORE_WRITER_MAX (the oldest are dropped
 * beyond that, and counted). */
#ifndef AUTONOMY_STORE_STORE_WRITER_H
#define AUTONOMY_STORE_STORE_WRITER_H

#include <stdbool.h>
#include <stdint.h>

#include "events/ev.h"
#include "store/store.h"

#define STORE_WRITER_MAX 4096
#define STORE_WRITER_MEMBERS 64

struct store_writer;

struct store_writer_stats {
	uint64_t queued, written, dropped, flushes, busy, errors;
	unsigned pending;
	int last_rc;            /* SQLite result of the last failed flush */
	char last_error[160];
};

struct store_writer *store_writer_new(void);
void store_writer_free(struct store_writer *w);

/* Subscribes to every event of the bus. */
int store_writer_attach(struct store_writer *w, struct ev_bus *b);
void store_writer_detach(struct store_writer *w);

/* One event (also what store_writer_attach's subscriber calls). */
void store_writer_event(struct store_writer *w, const struct ev_record *e);
void store_writer_sample(struct store_writer *w, const struct store_sample *x);
void store_writer_sys(struct store_writer *w, const struct store_sys *x);
void store_writer_usage(struct store_writer *w, const struct store_usage *u);
/* The configured members (written to the members table at the next flush). */
void store_writer_members(struct store_writer *w, const struct store_member *m, unsigned n);
/* Where the router is (location learning's place key), for outages. */
void store_writer_place(struct store_writer *w, const char *place);
/* Members still down: their spells are queued as outages cut at now_ms
 * (the daemon is stopping). */
void store_writer_cut_outages(struct store_writer *w, int64_t now_ms);

/* 0 everything written, 1 busy (kept for later), -1 failed (kept; see
 * stats.last_rc / last_error). */
int store_writer_flush(struct store_writer *w, struct store *s);
unsigned store_writer_pending(const struct store_writer *w);
void store_writer_stats(const struct store_writer *w, struct store_writer_stats *out);

#endif
