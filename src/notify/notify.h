/* notify: alerts that arrive (DESIGN.md "Alerts", docs/alerts.md).
 *
 *   bus records ─► policy (notify_policy: incidents, grouping, dedup,
 *                  flapping, quiet hours) ─► messages ─► outbox (journal in
 *                  state_dir, one FIFO per channel) ─► scheduler (rate
 *                  limits, backoff with jitter, Retry-After, expiry, the
 *                  uplink to use) ─► channel ops (ch_*.c: the request) ─►
 *                  libcurl multi on the loop (notify_http) or the hook
 *                  (core/proc)
 *
 * The daemon gives a host: its loop, the members to send through (the
 * active first), a way to publish our own delivery events, and a counter of
 * flash writes. Nothing here blocks the loop. */
#ifndef AUTONOMY_NOTIFY_NOTIFY_H
#define AUTONOMY_NOTIFY_NOTIFY_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>

#include "events/ev.h"

struct event_base;
struct config;
struct notify;

/* A member as a way out. */
struct notify_uplink {
	char name[64];
	char dev[IF_NAMESIZE];
	char src4[48], src6[48];        /* numeric source addresses ("" = none) */
	bool usable;                    /* its link is up and it is not down */
};

struct notify_host {
	struct event_base *base;
	void *arg;
	const char *hostname;
	/* The members in the order alerts should try them: the active first,
	 * then the others by preference. Returns how many (<= max). */
	size_t (*uplinks)(void *arg, struct notify_uplink *out, size_t max);
	/* Publishes a delivery outcome (fields: taken). */
	void (*delivery)(void *arg, bool ok, json_object *fields);
	/* bytes appended to state_dir (flash wear). */
	void (*flash)(void *arg, size_t bytes);
};

/* journal: the outbox's file (in state_dir). Never NULL unless out of
 * memory; a journal that cannot be written is reported in the view and
 * alerts go on in memory. */
struct notify *notify_start(const struct notify_host *h, const struct config *cfg,
			    const char *journal);
/* cfg must stay valid until the next reload or notify_stop. */
void notify_reload(struct notify *n, const struct config *cfg);
/* One bus record (ev_record_json; borrowed). */
void notify_event(struct notify *n, json_object *rec);
/* {"channels":[...], "incidents":[...], "recent":[...], "policy":{...},
 *  "outbox":{...}, "pending":[...] (with pending)} */
json_object *notify_view(struct notify *n, bool pending);
/* Sends a test through every enabled channel (or the one named) and calls
 * cb once with {"results":[{channel, ok, status, via, ms, error}]}, from the
 * loop, within about 8 s. -1 with err when there is nothing to test. */
typedef void (*notify_test_cb)(void *arg, json_object *result);
int notify_test(struct notify *n, const char *channel, notify_test_cb cb, void *arg,
		char *err, size_t err_size);
/* The caller of a running test went away: no callback. */
void notify_test_abandon(struct notify *n);
void notify_stop(struct notify *n);

#endif
