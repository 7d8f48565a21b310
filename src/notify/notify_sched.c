/* notify_sched: when and how each channel's next alert goes (notify_core.h).
 *
 * One attempt at a time per channel, oldest first. An attempt needs a token
 * (the channel's bucket), the channel's backoff or the endpoint's
 * Retry-After to have passed, and a usable uplink (else the channel is held
 * until a member's state changes). A failure of the path — no name, no
 * connection, a TLS failure, a timeout — tries the next uplink at once; a
 * round that found none, or an endpoint that answered "later", backs off
 * (retry_min doubling up to retry_max, each wait drawn from its upper half
 * so that routers do not retry in step). */
#include "notify/notify_core.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "config/cfg_alerts.h"
#include "core/clock.h"
#include "core/proc.h"
#include "core/resolve.h"
#include "notify/notify_rate.h"
#include "notify/np_int.h"

#define HOOK_OUTPUT_MAX 4096

size_t notify_uplinks(struct notify *n, struct notify_uplink *out)
{
	struct notify_uplink all[NOTIFY_UPLINKS];
	size_t k = n->h.uplinks ? n->h.uplinks(n->h.arg, all, NOTIFY_UPLINKS) : 0, m = 0;
	for (size_t i = 0; i < k && i < NOTIFY_UPLINKS; i++)
		if (all[i].usable)
			out[m++] = all[i];
	return m;
}

void notify_bind_of(const struct notify_uplink *u, struct nt_bind *b)
{
	memset(b, 0, sizeof(*b));
	snprintf(b->dev, sizeof(b->dev), "%s", u->dev);
	if (u->src4[0]) {
		snprintf(b->src, sizeof(b->src), "%s", u->src4);
		b->family = AF_INET;
	} else if (u->src6[0]) {
		snprintf(b->src, sizeof(b->src), "%s", u->src6);
		b->family = AF_INET6;
	}
}

int notify_bind_name(struct notify *n, const struct notify_req *rq, struct nt_bind *b,
		     char *err, size_t err_size)
{
	char host[256];
	unsigned port;
	const struct ndns_entry *e;
	if (ndns_url_host(rq->url, host, sizeof(host), &port) < 0 || resolve_is_numeric(host))
		return 1;
	int rc = ndns_get(&n->dns, host, clock_mono_ms(), &e);
	if (rc < 0)
		snprintf(err, err_size, "%s", e && e->error[0] ? e->error : "name lookup failed");
	if (rc <= 0)
		return rc;
	if (ndns_resolve_line(e, host, port, b->family, b->resolve, sizeof(b->resolve)) < 0) {
		snprintf(err, err_size, "%s has no IPv%c address", host, b->family == AF_INET6 ?
			 '6' : '4');
		return -1;
	}
	return 1;
}

static uint32_t next_rand(struct notify *n)
{
	uint32_t x = n->rng ? n->rng : 0x9e3779b9u;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return n->rng = x;
}

static uint64_t backoff(struct notify *n, unsigned fails)
{
	return nr_backoff_ms(n->retry_min, n->retry_max, fails, next_rand(n));
}

void notify_finish(struct notify *n, struct ob_entry *e, enum nrs st, const char *error)
{
	struct nchan *c = &n->ch[e->ch];
	struct nrecent *r = notify_recent(n, e->msg->id);
	if (r) {
		r->st[e->ch] = (uint8_t)st;
		snprintf(r->via[e->ch], sizeof(r->via[e->ch]), "%s", e->via);
		r->took_ms[e->ch] = st == NRS_SENT ? (uint32_t)c->last_took_ms : 0;
	}
	switch (st) {
	case NRS_SENT:
		n->delivered++;
		notify_outcome(n, e, true, "delivered", NULL);
		break;
	case NRS_REFUSED:
		notify_outcome(n, e, false, "refused", error);
		break;
	case NRS_EXPIRED:
		c->expired++;
		notify_outcome(n, e, false, "expired", error);
		break;
	case NRS_DROPPED:
		c->dropped++;
		notify_outcome(n, e, false, "dropped", error);
		break;
	default:
		break;
	}
	ob_done(&n->ob, e);
	notify_report_flash(n);
}

void notify_chan_stop(struct notify *n, struct nchan *c)
{
	(void)n;
	nt_xfer_cancel(c->xfer);
	c->xfer = NULL;
	if (c->proc)
		proc_cancel(c->proc);
	c->proc = NULL;
	c->cur = NULL;
	notify_req_free(&c->req);
}

/* ---- the answer ---- */

static void verdict(struct notify *n, struct nchan *c, struct ob_entry *e,
		    const struct notify_verdict *v)
{
	uint64_t now = clock_mono_ms();
	struct notify_uplink up[NOTIFY_UPLINKS];
	switch (v->what) {
	case NV_OK:
		c->fails = c->uplink_i = 0;
		c->path_failed = c->paused = false;
		c->sent++;
		c->last_ok_ms = clock_wall_ms();
		snprintf(c->last_via, sizeof(c->last_via), "%s", e->via);
		notify_finish(n, e, NRS_SENT, NULL);
		return;
	case NV_FAIL:
		c->fails = c->uplink_i = 0;
		c->refused++;
		c->last_fail_ms = clock_wall_ms();
		snprintf(c->last_error, sizeof(c->last_error), "%s", v->why);
		notify_finish(n, e, NRS_REFUSED, v->why);
		return;
	case NV_RETRY:
		break;
	}
	c->last_fail_ms = clock_wall_ms();
	snprintf(c->last_error, sizeof(c->last_error), "%s", v->why);
	snprintf(e->error, sizeof(e->error), "%s", v->why);
	c->path_failed = v->path;
	c->paused = false;
	if (v->path && e->ch != NCH_HOOK && c->uplink_i + 1 < notify_uplinks(n, up)) {
		c->uplink_i++;          /* the next way out, now */
		c->next_mono = 0;
		return;
	}
	c->fails++;
	c->uplink_i = 0;
	if (v->retry_after_ms >= 0) {
		c->paused = true;
		c->next_mono = now + (uint64_t)(v->retry_after_ms > 100 ? v->retry_after_ms : 100);
	} else {
		c->next_mono = now + backoff(n, c->fails);
	}
}

static void done(struct nchan *c, const struct notify_reply *r, uint64_t took_ms)
{
	struct notify *n = c->n;
	struct ob_entry *e = c->cur;
	struct notify_verdict v;
	c->cur = NULL;
	c->last_took_ms = took_ms;
	c->ops->judge(r, &v);
	notify_scrub(&c->req, v.why);
	notify_req_free(&c->req);
	if (e)
		verdict(n, c, e, &v);
	notify_kick(n);
}

static void on_http(void *arg, const struct notify_reply *r, uint64_t took_ms)
{
	struct nchan *c = arg;
	c->xfer = NULL;
	done(c, r, took_ms);
}

static void on_proc(void *arg, const struct proc_result *pr)
{
	struct nchan *c = arg;
	struct notify_reply r = { .err = NRE_OK, .status = pr->status,
				  .now_wall_ms = clock_wall_ms() };
	char first[160];
	snprintf(first, sizeof(first), "%.*s", (int)strcspn(pr->errout ? pr->errout : "", "\n"),
		 pr->errout ? pr->errout : "");
	c->proc = NULL;
	if (pr->end == PROC_EXITED && pr->status != 0)
		snprintf(r.error, sizeof(r.error), "exit %d%s%s", pr->status, first[0] ? ": " : "",
			 first);
	else if (pr->end == PROC_SIGNALED)
		r.err = NRE_PROGRAM, snprintf(r.error, sizeof(r.error), "killed by signal %d",
					      pr->status);
	else if (pr->end == PROC_TIMEOUT)
		r.err = NRE_PROGRAM, snprintf(r.error, sizeof(r.error), "timed out "
					      "(alerts.hook_timeout)");
	else if (pr->end == PROC_SPAWN_FAILED)
		r.err = NRE_PROGRAM, snprintf(r.error, sizeof(r.error), "could not run: %s",
					      strerror(pr->err));
	done(c, &r, pr->took_us / 1000);
}

/* ---- starting one ---- */

static void start(struct notify *n, struct nchan *c, struct ob_entry *e,
		  const struct notify_uplink *up, size_t n_up)
{
	char why[200] = "";
	notify_req_free(&c->req);
	if (c->ops->build(&c->ctx, e->msg, &c->req, why, sizeof(why)) < 0) {
		notify_req_free(&c->req);
		notify_finish(n, e, NRS_REFUSED, why);
		notify_kick(n);
		return;
	}
	if (c->req.skip) {
		notify_req_free(&c->req);
		notify_finish(n, e, NRS_SENT, NULL);
		notify_kick(n);
		return;
	}
	if (c->req.kind != NRQ_PROC) {
		struct nt_bind probe;
		char ignored[8];
		notify_bind_of(&up[c->uplink_i % n_up], &probe);
		if (notify_bind_name(n, &c->req, &probe, ignored, sizeof(ignored)) == 0) {
			c->resolving = true;    /* the name first; the lookup's end resumes */
			notify_req_free(&c->req);
			return;
		}
	}
	nr_bucket_spend(&c->bucket);
	c->attempts++;
	e->attempts++;
	if (!e->first_try_ms)
		e->first_try_ms = clock_wall_ms();
	c->cur = e;
	c->held = false;
	if (c->req.kind == NRQ_PROC) {
		char *argv[] = { c->req.program, NULL };
		struct proc_opts o = { .timeout_ms = c->req.timeout_ms, .max_output = HOOK_OUTPUT_MAX };
		snprintf(e->via, sizeof(e->via), "local");
		c->proc = proc_spawn_input(n->h.base, argv, &o, c->req.body, c->req.body_len,
					   on_proc, c);
		if (!c->proc) {
			struct proc_result pr = { .end = PROC_SPAWN_FAILED, .err = errno };
			on_proc(c, &pr);
		}
		return;
	}
	struct nt_bind b;
	struct notify_reply r = { .err = NRE_OTHER, .now_wall_ms = clock_wall_ms() };
	const struct notify_uplink *u = &up[c->uplink_i % n_up];
	notify_bind_of(u, &b);
	snprintf(e->via, sizeof(e->via), "%s", u->name);
	int named = notify_bind_name(n, &c->req, &b, r.error, sizeof(r.error));
	if (named < 0) {
		r.err = NRE_RESOLVE;
		done(c, &r, 0);
		return;
	}
	if (named == 0 || !(c->xfer = nt_http_send(n->http, &c->req, &b, n->connect_ms,
						  n->send_ms, on_http, c))) {
		snprintf(r.error, sizeof(r.error), "could not start a transfer");
		done(c, &r, 0);
	}
}

/* ---- quiet hours and age ---- */

static bool quiet_now(const struct notify *n)
{
	struct np_clock now = notify_now(n);
	return n->quiet_start >= 0 && cfg_quiet_contains(n->quiet_start, n->quiet_end, now.local_min);
}

/* The quiet hours are over: a channel that merges gets one digest of what
 * waited, the others get the messages themselves, in order. */
static void release_quiet(struct notify *n)
{
	for (int ch = 0; ch < NCH_N; ch++) {
		struct ob_entry *held[64];
		unsigned k = 0;
		for (struct ob_entry *e = n->ob.head[ch]; e && k < 64; e = e->next)
			if (e->msg->quiet && e != n->ch[ch].cur)
				held[k++] = e;
		if (k < 2 || !n->ch[ch].ops->merge_digest)
			continue;
		struct notify_msg *d = notify_msg_new();
		char *text = malloc(NOTIFY_TEXT_MAX), when[16], span[32];
		if (!d || !text) {
			notify_msg_unref(d);
			free(text);
			continue;
		}
		size_t len = 0;
		text[0] = '\0';
		d->action = NA_DIGEST;
		d->wall_ms = clock_wall_ms();
		d->opened_ms = d->wall_ms;
		snprintf(d->key, sizeof(d->key), "quiet");
		for (unsigned i = 0; i < k; i++) {
			struct notify_msg *m = held[i]->msg;
			if (m->sev > d->sev)
				d->sev = d->inc_sev = m->sev;
			np_fmt_clock(m->wall_ms, when, sizeof(when));
			len += (size_t)snprintf(text + len, len < NOTIFY_TEXT_MAX ? NOTIFY_TEXT_MAX - len : 0,
						"%s  %-9s  %s\n", when, notify_severity_word(m->sev), m->title);
			if (len >= NOTIFY_TEXT_MAX)
				len = NOTIFY_TEXT_MAX - 1;
		}
		snprintf(span, sizeof(span), "%s", n->quiet_span);
		snprintf(d->title, sizeof(d->title), "%u alerts during the quiet hours (%s)", k, span);
		d->text = text;
		d->events = json_object_new_array();
		if (ob_add(&n->ob, d, 1u << ch, clock_mono_ms()) == 0)
			for (unsigned i = 0; i < k; i++)
				notify_finish(n, held[i], NRS_MERGED, NULL);
		notify_msg_unref(d);
	}
	for (int ch = 0; ch < NCH_N; ch++)
		for (struct ob_entry *e = n->ob.head[ch]; e; e = e->next)
			e->msg->quiet = false;
	notify_report_flash(n);
}

static bool any_quiet(const struct notify *n)
{
	for (int ch = 0; ch < NCH_N; ch++)
		for (struct ob_entry *e = n->ob.head[ch]; e; e = e->next)
			if (e->msg->quiet)
				return true;
	return false;
}

static uint64_t expire(struct notify *n, int ch, uint64_t now)
{
	uint64_t next = UINT64_MAX;
	char why[512], age[32];
	for (struct ob_entry *e = n->ob.head[ch], *nx; e; e = nx) {
		nx = e->next;
		if (e == n->ch[ch].cur)
			continue;
		/* born after `now` (a digest made in this pump): age 0, not a
		 * wrapped-around age that expires it at once */
		uint64_t aged = now > e->born_mono ? now - e->born_mono : 0;
		if (aged < n->max_age) {
			uint64_t left = n->max_age - aged;
			next = left < next ? left : next;
			continue;
		}
		np_fmt_duration(aged, age, sizeof(age));
		snprintf(why, sizeof(why), "not delivered in %s (alerts.outbox_max_age)%s%.180s", age,
			 e->error[0] ? "; last: " : "", e->error);
		notify_finish(n, e, NRS_EXPIRED, why);
	}
	return next;
}

static uint64_t earliest(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

uint64_t notify_pump(struct notify *n)
{
	uint64_t now, next = UINT64_MAX;
	struct notify_uplink up[NOTIFY_UPLINKS];
	size_t n_up = notify_uplinks(n, up);
	if (any_quiet(n)) {
		if (!quiet_now(n))
			release_quiet(n);
		else            /* looked at again on the next minute */
			next = 60000 - (uint64_t)(clock_wall_ms() % 60000);
	}
	now = clock_mono_ms();          /* after the digests release_quiet() made */
	for (int ch = 0; ch < NCH_N; ch++) {
		struct nchan *c = &n->ch[ch];
		next = earliest(next, expire(n, ch, now));
		if (!c->enabled || c->cur || c->resolving)
			continue;
		struct ob_entry *e = n->ob.head[ch];
		while (e && e->msg->quiet)
			e = e->next;
		if (!e)
			continue;
		if (c->next_mono > now) {
			next = earliest(next, c->next_mono - now);
			continue;
		}
		if (ch != NCH_HOOK && n_up == 0) {
			c->held = true;         /* until a member's state changes */
			continue;
		}
		uint64_t wait = nr_bucket_wait(&c->bucket, now);
		if (wait) {
			next = earliest(next, wait);
			continue;
		}
		start(n, c, e, up, n_up);
	}
	return next;
}
