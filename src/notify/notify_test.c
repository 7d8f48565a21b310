/* notify_test: `notifications test [--channel X]` — one test message
 * through each enabled channel (or the one named), now, past the outbox,
 * the rate limits, min_level and the quiet hours, through the first uplink
 * that works, and one answer with every channel's result within
 * TEST_DEADLINE_MS (the control client waits 10 s). */
#include "notify/notify_core.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/proc.h"

#define TEST_DEADLINE_MS 8500
#define TEST_CONNECT_MS 4000
#define TEST_SEND_MS 8000

struct ntest;

struct ntest_ch {
	struct ntest *t;
	int ch;
	bool active, done, resolving;
	struct notify_req req;
	struct nt_xfer *xfer;
	struct proc *proc;
	unsigned uplink_i, tries;
	char via[64];
	uint64_t t0;
	json_object *res;
};

struct ntest {
	struct notify *n;
	notify_test_cb cb;
	void *arg;
	struct notify_msg *msg;
	struct event *deadline, *finish_ev;
	struct ntest_ch c[NCH_N];
	unsigned pending;
};

static void result(struct ntest_ch *tc, bool ok, long status, const char *error)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "channel", json_object_new_string(notify_chan_name(tc->ch)));
	json_object_object_add(o, "ok", json_object_new_boolean(ok));
	json_object_object_add(o, "status", status ? json_object_new_int64(status) : NULL);
	json_object_object_add(o, "via", tc->via[0] ? json_object_new_string(tc->via) : NULL);
	json_object_object_add(o, "ms", json_object_new_int64((int64_t)(clock_mono_ms() - tc->t0)));
	json_object_object_add(o, "attempts", json_object_new_int64(tc->tries));
	json_object_object_add(o, "error", error && error[0] ? json_object_new_string(error) : NULL);
	tc->res = o;
	tc->done = true;
	log_notice("alert test: %s %s%s%s", notify_chan_name(tc->ch), ok ? "delivered" : "failed",
		   ok ? (tc->via[0] ? " via " : "") : ": ", ok ? tc->via : error ? error : "");
	notify_req_free(&tc->req);
	if (--tc->t->pending == 0)
		event_active(tc->t->finish_ev, EV_TIMEOUT, 0);
}

static void attempt(struct ntest_ch *tc);

static void judged(struct ntest_ch *tc, const struct notify_reply *r)
{
	struct notify_verdict v;
	struct notify_uplink up[NOTIFY_UPLINKS];
	notify_chans[tc->ch]->judge(r, &v);
	notify_scrub(&tc->req, v.why);
	if (v.what == NV_RETRY && v.path && tc->ch != NCH_HOOK &&
	    tc->uplink_i + 1 < notify_uplinks(tc->t->n, up)) {
		tc->uplink_i++;
		attempt(tc);
		return;
	}
	result(tc, v.what == NV_OK, r->status, v.why);
}

static void on_http(void *arg, const struct notify_reply *r, uint64_t took_ms)
{
	(void)took_ms;
	struct ntest_ch *tc = arg;
	tc->xfer = NULL;
	judged(tc, r);
}

static void on_proc(void *arg, const struct proc_result *pr)
{
	struct ntest_ch *tc = arg;
	struct notify_reply r = { .err = pr->end == PROC_EXITED ? NRE_OK : NRE_PROGRAM,
				  .status = pr->status };
	tc->proc = NULL;
	if (pr->end != PROC_EXITED || pr->status)
		snprintf(r.error, sizeof(r.error), pr->end == PROC_EXITED ? "exit %d" :
			 pr->end == PROC_TIMEOUT ? "timed out" : "could not run (%d)", pr->status);
	judged(tc, &r);
}

static void attempt(struct ntest_ch *tc)
{
	struct notify *n = tc->t->n;
	struct notify_uplink up[NOTIFY_UPLINKS];
	size_t n_up = notify_uplinks(n, up);
	tc->tries++;
	if (tc->req.kind == NRQ_PROC) {
		char *argv[] = { tc->req.program, NULL };
		struct proc_opts o = { .timeout_ms = tc->req.timeout_ms };
		snprintf(tc->via, sizeof(tc->via), "local");
		if (!(tc->proc = proc_spawn_input(n->h.base, argv, &o, tc->req.body,
						  tc->req.body_len, on_proc, tc)))
			result(tc, false, 0, strerror(errno));
		return;
	}
	if (!n_up) {
		result(tc, false, 0, "no uplink is usable");
		return;
	}
	struct nt_bind b;
	char err[200] = "";
	notify_bind_of(&up[tc->uplink_i % n_up], &b);
	snprintf(tc->via, sizeof(tc->via), "%s", up[tc->uplink_i % n_up].name);
	int named = notify_bind_name(n, &tc->req, &b, err, sizeof(err));
	if (named == 0) {               /* notify_test_dns_ready goes on */
		tc->resolving = true;
		tc->tries--;
		return;
	}
	if (named < 0) {
		result(tc, false, 0, err);
		return;
	}
	unsigned cm = n->connect_ms < TEST_CONNECT_MS ? n->connect_ms : TEST_CONNECT_MS;
	unsigned sm = n->send_ms < TEST_SEND_MS ? n->send_ms : TEST_SEND_MS;
	if (!(tc->xfer = nt_http_send(n->http, &tc->req, &b, cm, sm, on_http, tc)))
		result(tc, false, 0, "could not start a transfer");
}

void notify_test_dns_ready(struct notify *n)
{
	for (int ch = 0; n->test && ch < NCH_N; ch++) {
		struct ntest_ch *tc = &n->test->c[ch];
		if (tc->active && !tc->done && tc->resolving) {
			tc->resolving = false;
			attempt(tc);
		}
	}
}

static void stop_channel(struct ntest_ch *tc)
{
	nt_xfer_cancel(tc->xfer);
	tc->xfer = NULL;
	if (tc->proc)
		proc_cancel(tc->proc);
	tc->proc = NULL;
	notify_req_free(&tc->req);
}

static void on_finish(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	struct ntest *t = arg;
	struct notify *n = t->n;
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	for (int ch = 0; ch < NCH_N; ch++) {
		struct ntest_ch *tc = &t->c[ch];
		if (!tc->active)
			continue;
		if (!tc->done) {        /* the deadline */
			stop_channel(tc);
			t->pending++;   /* result() counts it down again */
			result(tc, false, 0, "no answer in time");
		}
		json_object_array_add(a, tc->res);
		tc->res = NULL;
	}
	json_object_object_add(o, "results", a);
	notify_test_cb cb = t->cb;
	void *cb_arg = t->arg;
	notify_test_free(n);
	if (cb)
		cb(cb_arg, o);
	else
		json_object_put(o);
}

void notify_test_free(struct notify *n)
{
	struct ntest *t = n->test;
	if (!t)
		return;
	for (int ch = 0; ch < NCH_N; ch++) {
		stop_channel(&t->c[ch]);
		json_object_put(t->c[ch].res);
	}
	if (t->deadline)
		event_free(t->deadline);
	if (t->finish_ev)
		event_free(t->finish_ev);
	notify_msg_unref(t->msg);
	free(t);
	n->test = NULL;
}

static struct notify_msg *test_msg(struct notify *n)
{
	struct notify_msg *m = notify_msg_new();
	char when[32];
	if (!m)
		return NULL;
	m->action = NA_TEST;
	m->sev = m->inc_sev = EV_INFO;
	m->wall_ms = m->opened_ms = clock_wall_ms();
	m->id = m->wall_ms > 0 ? (uint64_t)m->wall_ms : 1;
	snprintf(m->key, sizeof(m->key), "test");
	snprintf(m->title, sizeof(m->title), "test alert from %s", n->h.hostname);
	clock_iso8601(m->wall_ms / 1000, when, sizeof(when));
	if (asprintf(&m->text, "Sent by `autonomyctl notifications test` at %s, through the first "
		     "uplink that works.\n", when) < 0)
		m->text = NULL;
	m->events = json_object_new_array();
	return m;
}

static int pick(struct notify *n, const char *channel, unsigned *mask, char *err, size_t size)
{
	*mask = 0;
	if (channel) {
		int ch = notify_chan_find(channel);
		if (ch < 0) {
			snprintf(err, size, "unknown channel '%s' (email, slack, pagerduty, webhook, "
				 "ntfy, pushover, hook)", channel);
			return -1;
		}
		if (!n->ch[ch].enabled) {
			snprintf(err, size, "channel '%s' is not enabled (or not complete) in the "
				 "config", channel);
			return -1;
		}
		*mask = 1u << ch;
		return 0;
	}
	for (int ch = 0; ch < NCH_N; ch++)
		if (n->ch[ch].enabled)
			*mask |= 1u << ch;
	if (!*mask)
		snprintf(err, size, "no alert channel is enabled");
	return *mask ? 0 : -1;
}

int notify_test(struct notify *n, const char *channel, notify_test_cb cb, void *arg,
		char *err, size_t err_size)
{
	unsigned mask;
	if (n->test) {
		snprintf(err, err_size, "a test is running already");
		return -1;
	}
	if (pick(n, channel, &mask, err, err_size) < 0)
		return -1;
	struct ntest *t = calloc(1, sizeof(*t));
	if (!t || !(t->msg = test_msg(n))) {
		free(t);
		snprintf(err, err_size, "out of memory");
		return -1;
	}
	n->test = t;
	t->n = n;
	t->cb = cb;
	t->arg = arg;
	t->deadline = evtimer_new(n->h.base, on_finish, t);
	t->finish_ev = evtimer_new(n->h.base, on_finish, t);
	struct timeval tv = { TEST_DEADLINE_MS / 1000, (TEST_DEADLINE_MS % 1000) * 1000 };
	if (!t->deadline || !t->finish_ev || evtimer_add(t->deadline, &tv) < 0) {
		notify_test_free(n);
		snprintf(err, err_size, "out of memory");
		return -1;
	}
	for (int ch = 0; ch < NCH_N; ch++)
		if (mask & (1u << ch))
			t->c[ch] = (struct ntest_ch){ .t = t, .ch = ch, .active = true,
						      .t0 = clock_mono_ms() }, t->pending++;
	for (int ch = 0; ch < NCH_N; ch++) {
		struct ntest_ch *tc = &t->c[ch];
		char why[200] = "";
		if (!tc->active)
			continue;
		if (notify_chans[ch]->build(&n->ch[ch].ctx, t->msg, &tc->req, why, sizeof(why)) < 0)
			result(tc, false, 0, why);
		else
			attempt(tc);
	}
	return 0;
}

void notify_test_abandon(struct notify *n)
{
	if (n && n->test)
		n->test->cb = NULL;
}
