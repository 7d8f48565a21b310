/* sl_client: the dish poller (see sl_client.h). One timer, armed for the
 * schedule's next due time; each due kind becomes one sl_grpc call; its
 * result is decoded, judged and handed to the daemon. */
#include "starlink/sl_client.h"

#include "core/clock.h"
#include "starlink/sl_frame.h"
#include "starlink/sl_pb.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

/* A call in flight: which kind, for whom. Slots live in the client, so an
 * sl_grpc callback's arg stays valid for the client's life; sl_grpc_free
 * drops pending callbacks, so none arrives after the client is gone. */
struct slot {
	struct sl_client *c;
	enum sl_call call;
};

struct sl_client {
	struct event_base *base;
	struct sl_grpc *g;
	struct sl_client_cbs cbs;
	unsigned timeout_ms;
	struct sl_sched sched;
	struct event *timer;
	struct slot slot[SL_CALL_UNSTOW + 1];
	struct sl_reply *reply;         /* ~8 KB: decoded into, handed to on_reply */
	uint64_t next_id;
	uint64_t seen_connects;
	sl_action_cb action_cb;
	void *action_arg;
	bool action_busy;
	bool reachable;
	int in_cb;                      /* depth of daemon callbacks running */
	bool free_pending;
	struct sl_call_stats st[SL_CALL_UNSTOW + 1];
};

static void arm(struct sl_client *c);

static uint64_t now_ms(void)
{
	return clock_mono_ms();
}

/* ---- results ------------------------------------------------------------------ */

static void note(struct sl_client *c, enum sl_call call, const struct sl_grpc_result *r,
		 int status, const char *msg)
{
	struct sl_call_stats *s = &c->st[call];
	s->count++;
	s->last_latency_us = r->took_us;
	s->last_bytes_out = r->bytes_out;
	s->last_bytes_in = r->bytes_in;
	s->bytes_out += r->bytes_out;
	s->bytes_in += r->bytes_in;
	if (status == 0) {
		s->ok++;
		s->last_ok_us = clock_mono_us();
	} else {
		s->errors++;
		snprintf(s->last_error, sizeof(s->last_error), "%s: %.140s",
			 sl_grpc_code_name(status), msg);
	}
	c->reachable = status >= 0 || r->status >= 0;
}

/* Decodes a successful call's message; returns the effective status (the
 * Response's own status may carry an error too) and sets *msg. */
static int decode(struct sl_client *c, enum sl_call call, const struct sl_grpc_result *r,
		  const char **msg, char *err, size_t errsz)
{
	*msg = r->message;
	if (r->status != 0)
		return r->status;
	if (sl_pb_decode(r->msg, r->len, c->reply, err, errsz) < 0) {
		*msg = err;
		return SL_GRPC_E_PROTOCOL;
	}
	if (c->reply->status_code != 0) {
		*msg = c->reply->status_message;
		return c->reply->status_code;
	}
	if (c->reply->call != call && !(call == SL_CALL_UNSTOW && c->reply->call == SL_CALL_STOW)) {
		snprintf(err, errsz, "answer is %s, asked for %s", sl_call_name(c->reply->call),
			 sl_call_name(call));
		*msg = err;
		return SL_GRPC_E_PROTOCOL;
	}
	return 0;
}

static enum sl_outcome outcome_of(int status)
{
	if (status == 0)
		return SL_OUT_OK;
	if (status == 12)       /* UNIMPLEMENTED */
		return SL_OUT_UNIMPLEMENTED;
	if (status == 7)        /* PERMISSION_DENIED */
		return SL_OUT_DENIED;
	return SL_OUT_ERROR;
}

/* Runs a daemon callback; false when the daemon freed us inside it. */
static bool after_cb(struct sl_client *c)
{
	if (--c->in_cb == 0 && c->free_pending) {
		free(c->reply);
		free(c);
		return false;
	}
	return true;
}

static void on_poll_result(void *arg, const struct sl_grpc_result *r)
{
	struct slot *sl = arg;
	struct sl_client *c = sl->c;
	enum sl_poll k = sl_poll_of_call(sl->call);
	char err[160];
	const char *msg;
	struct sl_grpc_stats gs;

	int status = decode(c, sl->call, r, &msg, err, sizeof(err));
	note(c, sl->call, r, status, msg);
	enum sl_report rep = sl_sched_done(&c->sched, k, now_ms(), outcome_of(status));
	sl_grpc_stats(c->g, &gs);
	if (gs.connects != c->seen_connects) {
		/* a reconnect (the first connection is covered by everything being
		 * due at start): the dish may have rebooted into new firmware */
		if (c->seen_connects)
			sl_sched_connected(&c->sched, now_ms());
		c->seen_connects = gs.connects;
	}
	c->in_cb++;
	if (status == 0 && c->cbs.on_reply)
		c->cbs.on_reply(c->cbs.arg, c->reply);
	else if (rep == SL_REPORT_DENIED && c->cbs.on_location_denied)
		c->cbs.on_location_denied(c->cbs.arg);
	else if (rep == SL_REPORT_ERROR && c->cbs.on_error)
		c->cbs.on_error(c->cbs.arg, sl->call, status, msg);
	if (after_cb(c) && !c->free_pending)
		arm(c);
}

static void on_action_result(void *arg, const struct sl_grpc_result *r)
{
	struct slot *sl = arg;
	struct sl_client *c = sl->c;
	char err[160];
	const char *msg;

	int status = decode(c, sl->call, r, &msg, err, sizeof(err));
	note(c, sl->call, r, status, msg);
	c->action_busy = false;
	c->in_cb++;
	c->action_cb(c->action_arg, status, status == 0 ? "" : msg);
	after_cb(c);
}

/* ---- starting calls ------------------------------------------------------------ */

static int start(struct sl_client *c, enum sl_call call, sl_grpc_cb cb)
{
	uint8_t req[64];
	size_t n = sl_pb_encode_request(call, ++c->next_id, req, sizeof(req));
	if (n == 0) {
		errno = EINVAL;
		return -1;
	}
	c->slot[call].c = c;
	c->slot[call].call = call;
	return sl_grpc_call(c->g, SL_CLIENT_PATH, req, n, c->timeout_ms, cb, &c->slot[call]);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct sl_client *c = arg;
	uint64_t now = now_ms();
	enum sl_poll k;

	while ((k = sl_sched_due(&c->sched, now)) != SL_POLL_N) {
		enum sl_call call = sl_poll_call(k);
		sl_sched_started(&c->sched, k, now);
		if (start(c, call, on_poll_result) < 0) {
			/* not accepted (no memory): count it and try at the next interval */
			struct sl_grpc_result r = { .status = SL_GRPC_E_PROTOCOL };
			snprintf(r.message, sizeof(r.message), "call not started: %s", strerror(errno));
			note(c, call, &r, r.status, r.message);
			sl_sched_done(&c->sched, k, now, SL_OUT_ERROR);
			c->in_cb++;
			if (c->cbs.on_error)
				c->cbs.on_error(c->cbs.arg, call, r.status, r.message);
			if (!after_cb(c) || c->free_pending)
				return;
		}
	}
	arm(c);
}

static void arm(struct sl_client *c)
{
	uint64_t next = sl_sched_next(&c->sched), now = now_ms();
	if (next == UINT64_MAX) {
		evtimer_del(c->timer);
		return;
	}
	uint64_t d = next > now ? next - now : 0;
	struct timeval tv = { (time_t)(d / 1000), (suseconds_t)(d % 1000) * 1000 };
	evtimer_add(c->timer, &tv);
}

/* ---- public API ----------------------------------------------------------------- */

struct sl_client *sl_client_new(struct event_base *base, const struct sl_client_opts *o,
				const struct sl_client_cbs *cbs)
{
	if (!base || !o || !cbs) {
		errno = EINVAL;
		return NULL;
	}
	struct sl_client *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->base = base;
	c->cbs = *cbs;
	c->timeout_ms = o->call_timeout_ms ? o->call_timeout_ms : 2000;
	struct sl_grpc_opts go = {
		.host = o->host ? o->host : "192.168.100.1",
		.port = o->port ? o->port : 9200,
		.ifname = o->ifname,
		.connect_timeout_ms = c->timeout_ms,
		.backoff_min_ms = o->backoff_min_ms,
		.backoff_max_ms = o->backoff_max_ms,
	};
	const struct sl_sched_intervals iv = {
		.status_ms = o->status_interval_ms, .history_ms = o->history_interval_ms,
		.device_info_ms = o->device_info_interval_ms, .diag_ms = o->diag_interval_ms,
		.location_ms = o->location_interval_ms, .fast_ms = o->fast_interval_ms,
	};
	c->g = sl_grpc_new(base, &go);
	c->reply = malloc(sizeof(*c->reply));
	c->timer = evtimer_new(base, on_timer, c);
	if (!c->g || !c->reply || !c->timer) {
		int e = c->g ? ENOMEM : errno;
		sl_client_free(c);
		errno = e;
		return NULL;
	}
	sl_sched_init(&c->sched, &iv, now_ms());
	arm(c);
	return c;
}

void sl_client_free(struct sl_client *c)
{
	if (!c)
		return;
	if (c->timer)
		event_free(c->timer);
	c->timer = NULL;
	sl_grpc_free(c->g);     /* drops every pending callback */
	c->g = NULL;
	if (c->in_cb) {
		c->free_pending = true; /* freed when the running callback returns */
		return;
	}
	free(c->reply);
	free(c);
}

void sl_client_set_fast(struct sl_client *c, bool fast)
{
	sl_sched_set_fast(&c->sched, fast, now_ms());
	arm(c);
}

int sl_client_action(struct sl_client *c, enum sl_call call, sl_action_cb cb, void *arg)
{
	if (!cb || (call != SL_CALL_REBOOT && call != SL_CALL_STOW && call != SL_CALL_UNSTOW)) {
		errno = EINVAL;
		return -1;
	}
	if (c->action_busy) {
		errno = EBUSY;
		return -1;
	}
	if (start(c, call, on_action_result) < 0)
		return -1;
	c->action_busy = true;
	c->action_cb = cb;
	c->action_arg = arg;
	return 0;
}

void sl_client_stats(const struct sl_client *c, struct sl_client_stats *st)
{
	memset(st, 0, sizeof(*st));
	memcpy(st->call, c->st, sizeof(st->call));
	st->reachable = c->reachable;
	st->fast = c->sched.fast;
	st->location_denied = c->sched.s[SL_POLL_LOCATION].denied;
	st->diag_unimplemented = c->sched.s[SL_POLL_DIAG].paused;
	st->status_interval_ms = sl_sched_status_interval(&c->sched);
	sl_grpc_stats(c->g, &st->grpc);
}
