/* Unit tests for notify_policy: real bus records (events/ev_emit.h on a bus
 * with a fake clock) through the policy, on a fake clock too. What is
 * checked is what an operator gets: how many messages, their actions,
 * titles and severities, for the sequences the lab produces (a blackhole
 * and its recovery, every member down, a flapping member, quiet hours, a
 * restart with an incident open). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engine/decide.h"
#include "events/ev.h"
#include "events/ev_emit.h"
#include "notify/notify_policy.h"

#define MAX_MSGS 64

struct fx {
	struct ev_bus *bus;
	struct notify_policy *p;
	struct np_clock now;
	struct notify_msg *msgs[MAX_MSGS];
	unsigned n_msgs;
	unsigned opened, closed;
	char last_open[NOTIFY_KEY_MAX];
};



static int64_t wall(void *arg) { return ((struct fx *)arg)->now.wall_ms; }
static uint64_t mono(void *arg) { return ((struct fx *)arg)->now.mono_ms * 1000; }

static void on_msg(void *arg, struct notify_msg *m)
{
	struct fx *f = arg;
	assert_true(f->n_msgs < MAX_MSGS);
	f->msgs[f->n_msgs++] = m;
}

static void on_inc(void *arg, const char *key, int64_t opened, enum ev_severity sev,
		   const char *title)
{
	struct fx *f = arg;
	(void)opened; (void)sev;
	if (title) {
		f->opened++;
		snprintf(f->last_open, sizeof(f->last_open), "%s", key);
	} else {
		f->closed++;
	}
}

static void on_record(void *arg, const struct ev_record *e)
{
	struct fx *f = arg;
	json_object *o = ev_record_json(e);
	np_event(f->p, o, &f->now);
	json_object_put(o);
}

static struct np_cfg cfg_default(void)
{
	return (struct np_cfg){
		.levels = (1u << EV_WARNING) | (1u << EV_CRITICAL) | (1u << EV_EMERGENCY),
		.group_ms = 500, .dedup_ms = 600000, .flap_threshold = 4,
		.flap_window_ms = 600000, .quiet_start = -1, .quiet_end = -1,
		.restore_grace_ms = 300000,
	};
}

static int setup(void **state)
{
	static struct fx f;
	memset(&f, 0, sizeof(f));
	f.now = (struct np_clock){ .wall_ms = 1800000000000LL, .mono_ms = 1000000, .local_min = 600 };
	struct ev_clock clk = { .wall_ms = wall, .mono_us = mono, .arg = &f };
	struct np_cfg c = cfg_default();
	f.bus = ev_bus_new(&clk);
	f.p = np_new(&c, on_msg, on_inc, &f);
	assert_non_null(f.bus);
	assert_non_null(f.p);
	ev_subscribe(f.bus, EV_INFO, 0, on_record, &f);

	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	for (unsigned i = 0; i < f->n_msgs; i++)
		notify_msg_unref(f->msgs[i]);
	np_free(f->p);
	ev_bus_free(f->bus);
	return 0;
}

static void advance(struct fx *f, uint64_t ms)
{
	f->now.mono_ms += ms;
	f->now.wall_ms += (int64_t)ms;
	np_tick(f->p, &f->now);
}

static void st_ev(struct fx *f, const char *m, const char *st, int score)
{
	ev_emit_state(f->bus, m, st, score, "test", false, 70, 50);
}

static void decision(struct fx *f, enum decide_type t, enum decide_cause c, const char *from,
		     const char *to)
{
	struct decision d = { .type = t, .cause = c, .n_scores = 2 };
	snprintf(d.from, sizeof(d.from), "%s", from);
	snprintf(d.to, sizeof(d.to), "%s", to);
	snprintf(d.reason, sizeof(d.reason), "%s down", from);
	snprintf(d.scores[0].name, sizeof(d.scores[0].name), "%s", from);
	d.scores[0].score = 0;
	snprintf(d.scores[1].name, sizeof(d.scores[1].name), "%s", to);
	d.scores[1].score = 92;
	ev_emit_decision(f->bus, &d);
}

static struct notify_msg *msg(struct fx *f, unsigned i)
{
	assert_true(i < f->n_msgs);
	return f->msgs[i];
}

/* The lab's blackhole: degraded, down, the failover; then the recovery. One
 * message opens the incident with all three, one resolves it. */
static void test_failover_is_one_incident(void **state)
{
	struct fx *f = *state;
	st_ev(f, "wan", "degraded", 66);
	advance(f, 200);
	assert_int_equal(f->n_msgs, 0);                 /* the group is still open */
	st_ev(f, "wan", "down", 0);
	advance(f, 100);
	assert_int_equal(f->n_msgs, 0);
	/* down, and the traffic moved away: nothing left to wait for */
	decision(f, DECIDE_SWITCH, DECIDE_CAUSE_DOWN, "wan", "sat");
	ev_emit_route_change(f->bus, "sat", 2, 0.1, false, NULL, 0);
	advance(f, 0);
	assert_int_equal(f->n_msgs, 1);
	struct notify_msg *m = msg(f, 0);
	assert_int_equal(m->action, NA_OPEN);
	assert_int_equal(m->sev, EV_CRITICAL);
	assert_string_equal(m->key, "wan:health");
	assert_string_equal(m->title, "wan down, traffic moved to sat");
	assert_non_null(strstr(m->text, "scores: wan 0, sat 92"));
	assert_non_null(strstr(m->text, "switch: wan -> sat"));
	assert_int_equal(json_object_array_length(m->events), 3);
	assert_int_equal(f->opened, 1);
	advance(f, 180000);
	st_ev(f, "wan", "up", 100);
	advance(f, 499);
	assert_int_equal(f->n_msgs, 1);                 /* a recovery waits for its group */
	advance(f, 1);
	assert_int_equal(f->n_msgs, 2);
	m = msg(f, 1);
	assert_int_equal(m->action, NA_RESOLVE);
	assert_false(m->opened_now);
	assert_int_equal(m->sev, EV_INFO);
	assert_int_equal(m->inc_sev, EV_CRITICAL);       /* reaches where the opening went */
	assert_int_equal(m->update, 1);
	assert_string_equal(m->title, "wan recovered after 3 min 1 s");
	assert_int_equal(f->closed, 1);
	/* Traffic returns later: info, not a message at these levels. */
	decision(f, DECIDE_RESTORE, DECIDE_CAUSE_FAILBACK, "sat", "wan");
	advance(f, 1000);
	assert_int_equal(f->n_msgs, 2);
}

static void test_levels(void **state)
{
	struct fx *f = *state;
	struct np_cfg c = cfg_default();
	c.levels = (1u << EV_CRITICAL) | (1u << EV_EMERGENCY);     /* warning_enabled 0 */
	np_set_cfg(f->p, &c);
	st_ev(f, "lte", "degraded", 60);
	ev_emit_reload_failed(f->bus, "bad option");
	advance(f, 600);
	assert_int_equal(f->n_msgs, 0);
	/* Once the incident is open (critical), its warning updates come along. */
	st_ev(f, "lte", "down", 0);
	advance(f, 600);
	st_ev(f, "lte", "degraded", 40);
	advance(f, 600);
	assert_int_equal(f->n_msgs, 2);
	assert_int_equal(msg(f, 1)->action, NA_UPDATE);
	assert_string_equal(msg(f, 1)->title, "lte degraded");
	/* Info one-offs only when info is enabled. */
	ev_emit_daemon(f->bus, "started", "x");
	advance(f, 600);
	assert_int_equal(f->n_msgs, 2);
	c.levels |= 1u << EV_INFO;
	np_set_cfg(f->p, &c);
	ev_emit_daemon(f->bus, "started", "x");
	advance(f, 600);
	assert_int_equal(f->n_msgs, 3);
	assert_int_equal(msg(f, 2)->action, NA_ALERT);
}

static void test_dedup(void **state)
{
	struct fx *f = *state;
	for (int i = 0; i < 3; i++) {
		ev_emit_route_failed(f->bus, "sat", "EPERM");
		advance(f, 1000);
	}
	assert_int_equal(f->n_msgs, 1);
	advance(f, 600000);
	ev_emit_route_failed(f->bus, "sat", "EPERM");
	advance(f, 1000);
	assert_int_equal(f->n_msgs, 2);
	struct np_stats st;
	np_stats(f->p, &st);
	assert_int_equal(st.dedup, 2);
}

/* A blip shorter than the group window: one message, nothing to resolve. */
static void test_blip(void **state)
{
	struct fx *f = *state;
	st_ev(f, "wan", "down", 0);
	advance(f, 300);
	st_ev(f, "wan", "up", 100);
	advance(f, 300);
	assert_int_equal(f->n_msgs, 1);
	assert_int_equal(msg(f, 0)->action, NA_RESOLVE);
	assert_true(msg(f, 0)->opened_now);
	assert_string_equal(msg(f, 0)->title, "wan was down for 0.3 s and is up again");
	assert_int_equal(f->opened + f->closed, 0);
}

/* wan flaps 9 times in 10 minutes: 3 outages as usual (6 messages), the
 * 4th says it flaps, the rest fold into one digest; a quiet window ends it. */
static void test_flapping_digest(void **state)
{
	struct fx *f = *state;
	unsigned events = 0;
	for (int i = 0; i < 9; i++) {
		st_ev(f, "wan", "down", 0);
		advance(f, 500);
		advance(f, 29500);
		st_ev(f, "wan", "up", 100);
		advance(f, 500);
		advance(f, 29500);
		events += 2;
	}
	assert_int_equal(f->n_msgs, 7);
	struct notify_msg *m = msg(f, 6);
	assert_int_equal(m->action, NA_OPEN);
	assert_string_equal(m->title, "wan is flapping: 4 outages in 10 min 0 s");
	advance(f, 600000 - 6 * 60000 + 500);          /* the window ends */
	assert_int_equal(f->n_msgs, 8);
	m = msg(f, 7);
	assert_int_equal(m->action, NA_DIGEST);
	assert_string_equal(m->title, "wan flapped 5 times in 10 min 0 s (now up)");
	advance(f, 600000);                             /* a window without outages */
	assert_int_equal(f->n_msgs, 9);
	m = msg(f, 8);
	assert_int_equal(m->action, NA_RESOLVE);
	assert_non_null(strstr(m->title, "wan is stable again, up since "));
	assert_int_equal(f->opened, 4);
	assert_int_equal(f->closed, 4);
	struct np_stats st;
	np_stats(f->p, &st);
	assert_int_equal(st.events, events);
	assert_int_equal(st.messages, 9);
	assert_int_equal(st.flap, 11);  /* the 4th's recovery, then 5 outages: down and up */
}

static void test_quiet_hours(void **state)
{
	struct fx *f = *state;
	struct np_cfg c = cfg_default();
	c.quiet_start = 22 * 60;
	c.quiet_end = 7 * 60;
	np_set_cfg(f->p, &c);
	f->now.local_min = 23 * 60 + 30;
	st_ev(f, "lte", "degraded", 60);
	advance(f, 600);
	st_ev(f, "lte", "up", 100);
	advance(f, 600);
	st_ev(f, "sat", "down", 0);
	advance(f, 600);
	assert_int_equal(f->n_msgs, 3);
	assert_true(msg(f, 0)->quiet);          /* warning */
	assert_true(msg(f, 1)->quiet);          /* its resolution follows it */
	assert_false(msg(f, 2)->quiet);         /* critical goes out */
	ev_emit_reload_failed(f->bus, "bad");   /* a blip of a warning: quiet as a whole */
	ev_emit_reload(f->bus, 3, 0, NULL);
	advance(f, 600);
	assert_int_equal(f->n_msgs, 4);
	assert_true(msg(f, 3)->opened_now);
	assert_true(msg(f, 3)->quiet);
	assert_string_equal(msg(f, 3)->title, "reload rejected: bad (resolved within 0.0 s)");
	f->n_msgs--;
	notify_msg_unref(f->msgs[3]);
	f->now.local_min = 7 * 60;              /* over */
	st_ev(f, "lte", "degraded", 60);
	advance(f, 600);
	assert_false(msg(f, 3)->quiet);
	f->now.local_min = 6 * 60 + 59;         /* a resolution of what went out, in the quiet */
	st_ev(f, "sat", "up", 100);
	advance(f, 600);
	assert_int_equal(msg(f, 4)->action, NA_RESOLVE);
	assert_false(msg(f, 4)->quiet);
}

static void test_all_down(void **state)
{
	struct fx *f = *state;
	st_ev(f, "wan", "down", 0);
	st_ev(f, "sat", "down", 0);
	decision(f, DECIDE_HOLD, DECIDE_CAUSE_ALL_DOWN, "sat", "sat");
	advance(f, 600);
	assert_int_equal(f->n_msgs, 3);
	bool seen = false;
	for (unsigned i = 0; i < 3; i++)
		if (strcmp(msg(f, i)->key, "all:down") == 0) {
			seen = true;
			assert_string_equal(msg(f, i)->title, "every uplink is down");
			assert_int_equal(msg(f, i)->sev, EV_EMERGENCY);
		}
	assert_true(seen);
	advance(f, 120000);
	st_ev(f, "sat", "up", 100);
	advance(f, 600);
	assert_int_equal(f->n_msgs, 5);
	bool back = false;
	for (unsigned i = 3; i < 5; i++)
		if (strcmp(msg(f, i)->key, "all:down") == 0) {
			back = true;
			assert_int_equal(msg(f, i)->action, NA_RESOLVE);
			assert_string_equal(msg(f, i)->title, "back online via sat after 2 min 1 s offline");
		}
	assert_true(back);
}

/* An incident open before a restart: resolved after the grace unless it
 * shows up again. */
static void test_restored(void **state)
{
	struct fx *f = *state;
	np_restore(f->p, "wan:health", f->now.wall_ms - 60000, EV_CRITICAL, "wan down", &f->now);
	np_restore(f->p, "sat:health", f->now.wall_ms - 60000, EV_CRITICAL, "sat down", &f->now);
	st_ev(f, "sat", "down", 0);             /* still down: an update, kept open */
	advance(f, 600);
	assert_int_equal(f->n_msgs, 1);
	assert_int_equal(msg(f, 0)->action, NA_UPDATE);
	advance(f, 300000);
	assert_int_equal(f->n_msgs, 2);
	assert_int_equal(msg(f, 1)->action, NA_RESOLVE);
	assert_string_equal(msg(f, 1)->key, "wan:health");
	assert_string_equal(msg(f, 1)->title, "resolved: wan down");
	json_object *v = np_view(f->p);
	assert_int_equal(json_object_array_length(v), 1);
	json_object_put(v);
}

/* The shaper failing is an incident, its next state resolves it; a state
 * change with nothing open sends nothing. */
static void test_shaper_incident(void **state)
{
	struct fx *f = *state;
	ev_emit_qos(f->bus, "wan", "shaping", "cake 20 Mbit/s");
	advance(f, 600);
	assert_int_equal(f->n_msgs, 0);
	ev_emit_qos(f->bus, "wan", "error", "RTNETLINK: Operation not permitted");
	advance(f, 600);
	assert_int_equal(f->n_msgs, 1);
	assert_int_equal(msg(f, 0)->action, NA_OPEN);
	assert_int_equal(msg(f, 0)->sev, EV_WARNING);
	assert_non_null(strstr(msg(f, 0)->title, "Operation not permitted"));
	advance(f, 60000);
	ev_emit_qos(f->bus, "sat", "shaping", "htb 10 Mbit/s");   /* followed the switch */
	advance(f, 600);
	assert_int_equal(f->n_msgs, 2);
	assert_int_equal(msg(f, 1)->action, NA_RESOLVE);
	assert_string_equal(msg(f, 1)->key, msg(f, 0)->key);
}

/* Our own delivery events never become alerts. */
static void test_delivery_events_ignored(void **state)
{
	struct fx *f = *state;
	json_object *fl = json_object_new_object();
	json_object_object_add(fl, "channel", json_object_new_string("slack"));
	json_object_object_add(fl, "outcome", json_object_new_string("expired"));
	json_object_object_add(fl, "title", json_object_new_string("x"));
	ev_emit_delivery(f->bus, false, fl);
	advance(f, 1000);
	assert_int_equal(f->n_msgs, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_failover_is_one_incident, setup, teardown),
		cmocka_unit_test_setup_teardown(test_levels, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dedup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flapping_digest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quiet_hours, setup, teardown),
		cmocka_unit_test_setup_teardown(test_all_down, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shaper_incident, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delivery_events_ignored, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
