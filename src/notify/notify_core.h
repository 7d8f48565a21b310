/* notify_core: the state notify.c (lifecycle, events in, views),
 * notify_sched.c (attempts, retries, uplinks) and notify_test.c share. */
#ifndef AUTONOMY_NOTIFY_NOTIFY_CORE_H
#define AUTONOMY_NOTIFY_NOTIFY_CORE_H

#include <stdbool.h>
#include <stdint.h>

#include "notify/notify.h"
#include "notify/notify_chan.h"
#include "notify/notify_dns.h"
#include "notify/notify_http.h"
#include "notify/notify_outbox.h"
#include "notify/notify_rate.h"
#include "notify/notify_policy.h"

#define NOTIFY_UPLINKS 16
#define NOTIFY_RECENT 50

struct proc;
struct event;

enum nrs {                      /* a message's state at one channel */
	NRS_NONE,               /* not for this channel */
	NRS_QUEUED,
	NRS_QUIET,              /* waiting for the quiet-hours digest */
	NRS_SENT,
	NRS_REFUSED,            /* the endpoint said no for good */
	NRS_EXPIRED,
	NRS_DROPPED,            /* outbox full, channel disabled */
	NRS_MERGED,             /* went out in the quiet-hours digest */
};

struct nchan {
	struct notify *n;
	const struct notify_chan_ops *ops;
	struct notify_chan_ctx ctx;
	bool enabled;
	int min_level;
	struct nr_bucket bucket;        /* rate_limit, burst */
	uint64_t next_mono;             /* no attempt before (backoff, Retry-After) */
	bool paused;                    /* next_mono is the endpoint's Retry-After */
	bool path_failed;               /* the last round failed on the paths */
	unsigned fails;                 /* rounds failed in a row */
	unsigned uplink_i;              /* this round's uplink */
	struct ob_entry *cur;           /* being sent */
	struct nt_xfer *xfer;
	struct proc *proc;
	struct notify_req req;          /* of cur: secrets to scrub */
	bool held;                      /* waiting for an uplink */
	bool resolving;                 /* waiting for its endpoint's name */
	uint64_t sent, refused, expired, dropped, attempts;
	int64_t last_ok_ms, last_fail_ms;
	char last_error[256], last_via[64];
	uint64_t last_took_ms;
};

struct nrecent {
	struct notify_msg *m;
	uint8_t st[NCH_N];
	char via[NCH_N][64];
	uint32_t took_ms[NCH_N];
};

struct ntest;

struct notify {
	struct notify_host h;
	const struct config *cfg;
	struct notify_policy *pol;
	struct notify_outbox ob;
	char ob_error[200];
	struct nt_http *http;
	struct notify_dns dns;
	struct nchan ch[NCH_N];
	struct event *tick;
	struct nrecent recent[NOTIFY_RECENT];
	unsigned recent_head;
	uint64_t flash_reported;
	uint32_t rng;
	/* settings (alerts section) */
	uint64_t retry_min, retry_max, max_age;
	unsigned connect_ms, send_ms, outbox_max;
	int quiet_start, quiet_end;
	char quiet_span[16];            /* the last quiet_hours set: the digest names it */
	struct ntest *test;
	uint64_t created, delivered;    /* messages; deliveries */
};

/* notify.c */
struct np_clock notify_now(const struct notify *n);
void notify_kick(struct notify *n);
struct nrecent *notify_recent(struct notify *n, uint64_t id);
void notify_report_flash(struct notify *n);
/* Publishes a delivery outcome of e at its channel. */
void notify_outcome(struct notify *n, const struct ob_entry *e, bool ok, const char *outcome,
		    const char *error);

/* notify_sched.c: starts what may start; returns ms until the next thing
 * to do (UINT64_MAX: nothing waits on time). */
uint64_t notify_pump(struct notify *n);
/* Ends entry e at its channel (delivered or not) with state st. */
void notify_finish(struct notify *n, struct ob_entry *e, enum nrs st, const char *error);
/* The usable uplinks, the active first. */
size_t notify_uplinks(struct notify *n, struct notify_uplink *out);
/* How to bind a request to u (its first family with an address). */
void notify_bind_of(const struct notify_uplink *u, struct nt_bind *b);
/* The addresses of rq's host for b (b->resolve): 1 ready (or a numeric
 * host), 0 a lookup runs (notify_dns_ready follows), -1 none (err). */
int notify_bind_name(struct notify *n, const struct notify_req *rq, struct nt_bind *b,
		     char *err, size_t err_size);
void notify_chan_stop(struct notify *n, struct nchan *c);

/* notify_test.c */
void notify_test_free(struct notify *n);
/* A name lookup ended: test channels waiting for one go on. */
void notify_test_dns_ready(struct notify *n);

/* A message's public state word. */
const char *notify_nrs_name(enum nrs s);

#endif
