/* failover --test: switch traffic to a member, check that the default route
 * through it really carries traffic (probes that follow the routing table,
 * bound to nothing), switch back, and report. The reply is deferred until
 * the test ends; the loop never waits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "core/clock.h"
#include "core/jsonutil.h"
#include "core/log.h"
#include "ctl/ctl_server.h"
#include "daemon/daemon.h"
#include "daemon/decisions.h"
#include "daemon/failtest.h"
#include "daemon/members.h"
#include "events/ev_emit.h"
#include "engine/decide.h"
#include "probe/probe.h"

#define TEST_PROBES 5
#define TEST_SPACING_MS 200
#define TEST_TIMEOUT_MS 1000

struct failtest {
	struct daemon *d;
	struct ctl_conn *conn;          /* NULL once the client left */
	char member[64], prev[64];
	bool prev_pinned;
	struct prober *pr;
	struct event *timer;
	unsigned sent, done, replies, n_targets;
	double rtt_sum_ms;
	uint64_t started_us;
	json_object *switch_to, *switch_back;
};

static void finish(struct failtest *t);

static void on_outcome(void *arg, const struct probe_result *r)
{
	struct failtest *t = arg;
	if (r->outcome == PROBE_LATE)
		return;
	t->done++;
	if (r->outcome == PROBE_REPLY) {
		t->replies++;
		t->rtt_sum_ms += r->rtt_us / 1e3;
	}
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	struct failtest *t = arg;
	if (t->sent < TEST_PROBES) {
		prober_send(t->pr, t->sent % t->n_targets);
		t->sent++;
	}
	uint64_t limit = (TEST_PROBES * TEST_SPACING_MS + TEST_TIMEOUT_MS) * 1000ull;
	if (t->done >= TEST_PROBES || clock_mono_us() - t->started_us > limit + 500000) {
		finish(t);
		return;
	}
	struct timeval tv = { 0, TEST_SPACING_MS * 1000 };
	evtimer_add(t->timer, &tv);
}

static void client_gone(void *arg)
{
	((struct failtest *)arg)->conn = NULL;
}

static json_object *result_json(struct failtest *t)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "interface", json_object_new_string(t->member));
	json_object_object_add(o, "ok", json_object_new_boolean(t->replies > 0));
	json_object_object_add(o, "probes", json_object_new_int((int)t->sent));
	json_object_object_add(o, "replies", json_object_new_int((int)t->replies));
	json_object_object_add(o, "rtt_ms", t->replies ? json_num(t->rtt_sum_ms / t->replies, 2) : NULL);
	json_object_object_add(o, "switched_to", t->switch_to);
	json_object_object_add(o, "switched_back", t->switch_back);
	json_object_object_add(o, "back_to", t->prev[0] ? json_object_new_string(t->prev) : NULL);
	t->switch_to = t->switch_back = NULL;
	return o;
}

static void free_test(struct failtest *t)
{
	prober_free(t->pr);
	if (t->timer)
		event_free(t->timer);
	json_object_put(t->switch_to);
	json_object_put(t->switch_back);
	t->d->failtest = NULL;
	free(t);
}

/* Back to where traffic was: pin the previous member (replacing the test's
 * pin, so no rule can pick another one in between), then, unless it was
 * pinned before the test, hand control back to the automatic rules. */
static void finish(struct failtest *t)
{
	struct ctl_error err = { .details = NULL };
	struct daemon *d = t->d;
	if (t->prev[0])
		t->switch_back = decisions_failover(d, t->prev, true, &err);
	if (!t->prev_pinned)
		json_object_put(decisions_auto(d, &err));
	json_object_put(err.details);
	ev_emit_test(d->bus, t->member, t->replies, t->sent);
	if (t->conn) {
		json_object *r = result_json(t), *reply;
		if (t->replies) {
			reply = ctl_reply_ok(r);
		} else {
			struct ctl_error e = { .details = json_object_new_array() };
			json_object_array_add(e.details, r);
			ctl_error_set(&e, CTL_E_FAILED, "no reply through %s in %u probes",
				      t->member, t->sent);
			reply = ctl_reply_err(&e);
		}
		ctl_conn_reply(t->conn, reply);
	}
	free_test(t);
}

static int start_probing(struct failtest *t, const struct member_rt *m)
{
	struct prober_config pc = {
		.follow_routes = true, .timeout_ms = TEST_TIMEOUT_MS,
		.targets = m->targets, .n_targets = m->n_targets,
	};
	t->n_targets = m->n_targets ? (unsigned)m->n_targets : 1;
	t->pr = prober_new(t->d->base, &pc, on_outcome, t);
	t->timer = evtimer_new(t->d->base, on_tick, t);
	if (!t->pr || !t->timer)
		return -1;
	t->started_us = clock_mono_us();
	struct timeval tv = { 0, 100 * 1000 };  /* let the route change settle */
	return evtimer_add(t->timer, &tv);
}

json_object *failtest_start(struct daemon *d, struct ctl_conn *c, const char *member,
			    struct ctl_error *err)
{
	const struct member_rt *m = NULL;
	for (size_t i = 0; i < d->n_members; i++)
		if (strcmp(d->members[i]->name, member) == 0)
			m = d->members[i];
	if (!m) {
		ctl_error_set(err, CTL_E_BAD_ARGS, "no member '%s'", member);
		return NULL;
	}
	if (d->failtest) {
		ctl_error_set(err, CTL_E_BUSY, "a failover test is already running");
		return NULL;
	}
	struct failtest *t = calloc(1, sizeof(*t));
	if (!t) {
		ctl_error_set(err, CTL_E_INTERNAL, "out of memory");
		return NULL;
	}
	t->d = d;
	t->conn = c;
	snprintf(t->member, sizeof(t->member), "%s", member);
	snprintf(t->prev, sizeof(t->prev), "%s", d->active);
	t->prev_pinned = d->dec->pinned >= 0;
	d->failtest = t;
	t->switch_to = decisions_failover(d, member, true, err);
	if (!t->switch_to) {
		free_test(t);
		return NULL;
	}
	if (start_probing(t, m) < 0) {
		ctl_error_set(err, CTL_E_INTERNAL, "cannot start the test probes");
		t->conn = NULL;
		finish(t);
		return NULL;
	}
	ctl_conn_on_close(c, client_gone, t);
	return CTL_REPLY_DEFERRED;
}
