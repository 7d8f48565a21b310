/* starwatch's judgement on a fake clock: hang detection, restarts with
 * back-off, the restart window, hold-down, the escalation ladder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "starwatch/sw_watch.h"

#define S 1000ull

static struct sw_watch_params params(void)
{
	struct sw_watch_params p = {
		.check_ms = 10 * S, .hang_ms = 30 * S, .window_ms = 1800 * S, .max_restarts = 5,
		.ladder = { SW_STEP_RESTART_DAEMON }, .n_ladder = 1,
	};
	return p;
}

static struct sw_obs answer(uint64_t counter)
{
	return (struct sw_obs){ .kind = SW_OBS_ANSWER, .has_counter = true, .counter = counter,
				.pid = 100 };
}

static struct sw_obs kind(enum sw_obs_kind k)
{
	return (struct sw_obs){ .kind = k };
}

/* Feeds obs every check_interval from t until a verdict other than NONE or
 * until `until`; returns it and leaves *t at its time. */
static struct sw_verdict run_until(struct sw_watch *w, uint64_t *t, uint64_t until,
				   struct sw_obs o)
{
	struct sw_verdict v = { .kind = SW_V_NONE };
	for (; *t <= until; *t += w->p.check_ms) {
		v = sw_watch_observe(w, &o, *t);
		if (v.kind != SW_V_NONE)
			return v;
	}
	return v;
}

static void test_progress_keeps_ok(void **state)
{
	struct sw_watch w;
	struct sw_watch_params p = params();
	sw_watch_init(&w, &p, 0);
	for (uint64_t t = 0, c = 1; t < 600 * S; t += 10 * S, c += 10) {
		struct sw_obs o = answer(c);
		assert_int_equal(sw_watch_observe(&w, &o, t).kind, SW_V_NONE);
		assert_int_equal(w.state, SW_D_OK);
	}
	assert_int_equal(w.restarts_total, 0);
}

/* A SIGSTOPped daemon: silence from t=100 s. Declared hung at the first
 * check at or after last progress + hang_timeout, and to be killed. */
static void test_silence_is_hang_after_timeout(void **state)
{
	struct sw_watch w;
	struct sw_watch_params p = params();
	sw_watch_init(&w, &p, 0);
	uint64_t t = 0;
	for (uint64_t c = 1; t <= 100 * S; t += 10 * S, c++) {
		struct sw_obs o = answer(c);
		sw_watch_observe(&w, &o, t);
	}
	uint64_t last_ok = t - 10 * S;
	struct sw_verdict v = run_until(&w, &t, 1000 * S, kind(SW_OBS_SILENT));
	assert_int_equal(v.kind, SW_V_RECOVER);
	assert_true(v.hung);
	assert_int_equal(v.step, SW_STEP_RESTART_DAEMON);
	assert_int_equal(v.delay_ms, 0);
	assert_int_equal(t, last_ok + 30 * S);
	assert_non_null(strstr(v.reason, "did not answer for 30 s"));
	assert_int_equal(w.state, SW_D_RECOVERING);
	/* While recovering, checks are ignored. */
	struct sw_obs o = kind(SW_OBS_SILENT);
	assert_int_equal(sw_watch_observe(&w, &o, t + S).kind, SW_V_NONE);
}

/* Answers whose counter never moves: the loop answers but is stuck in the
 * part that matters. Same verdict, with its own reason. */
static void test_stalled_counter_is_hang(void **state)
{
	struct sw_watch w;
	struct sw_watch_params p = params();
	sw_watch_init(&w, &p, 0);
	uint64_t t = 0;
	struct sw_verdict v = run_until(&w, &t, 1000 * S, answer(7));
	assert_int_equal(v.kind, SW_V_RECOVER);
	assert_true(v.hung);
	assert_int_equal(t, 30 * S);
	assert_non_null(strstr(v.reason, "no progress"));
}

/* A new pid with the same counter (restarted by someone else) is progress;
 * so is a "busy" answer without a counter. */
static void test_new_pid_and_busy_are_progress(void **state)
{
	struct sw_watch w;
	struct sw_watch_params p = params();
	sw_watch_init(&w, &p, 0);
	struct sw_obs a = answer(5);
	sw_watch_observe(&w, &a, 0);
	a.pid = 200;
	sw_watch_observe(&w, &a, 25 * S);
	assert_int_equal(w.last_progress_ms, 25 * S);
	struct sw_obs busy = { .kind = SW_OBS_ANSWER };
	sw_watch_observe(&w, &busy, 50 * S);
	assert_int_equal(w.last_progress_ms, 50 * S);
	assert_int_equal(w.state, SW_D_OK);
}

static void test_dead_restarts_at_once_not_hung(void **state)
{
	struct sw_watch w;
	struct sw_watch_params p = params();
	sw_watch_init(&w, &p, 0);
	struct sw_obs o = answer(1);
	sw_watch_observe(&w, &o, 0);
	o = kind(SW_OBS_DEAD);
	struct sw_verdict v = sw_watch_observe(&w, &o, 10 * S);
	assert_int_equal(v.kind, SW_V_RECOVER);
	assert_false(v.hung);
	assert_int_equal(v.delay_ms, 0);
	assert_non_null(strstr(v.reason, "died"));
}

/* A clean stop (no pid file) is left alone; a daemon someone starts again
 * gets its grace from then on. */
static void test_clean_stop_left_alone(void **state)
{
	struct sw_watch w;
	struct sw_watch_params p = params();
	sw_watch_init(&w, &p, 0);
	uint64_t t = 0;
	struct sw_verdict v = run_until(&w, &t, 3600 * S, kind(SW_OBS_STOPPED));
	assert_int_equal(v.kind, SW_V_NONE);
	assert_int_equal(w.state, SW_D_STOPPED);
	struct sw_obs o = kind(SW_OBS_SILENT);      /* starting: pid file, no socket yet */
	assert_int_equal(sw_watch_observe(&w, &o, t).kind, SW_V_NONE);
	assert_int_equal(w.last_progress_ms, t);
	assert_int_equal(sw_watch_observe(&w, &o, t + 29 * S).kind, SW_V_NONE);
	assert_int_equal(sw_watch_observe(&w, &o, t + 30 * S).kind, SW_V_RECOVER);
}

/* After a restart: the new daemon has hang_timeout to show progress; a
 * start that never produced a daemon (no pid file) is a failure then. */
static void test_start_grace_then_failure(void **state)
{
	struct sw_watch w;
	struct sw_watch_params p = params();
	sw_watch_init(&w, &p, 0);
	struct sw_obs o = kind(SW_OBS_DEAD);
	assert_int_equal(sw_watch_observe(&w, &o, 0).kind, SW_V_RECOVER);
	sw_watch_recovered(&w, 1 * S);
	assert_int_equal(w.state, SW_D_STARTING);
	o = kind(SW_OBS_STOPPED);
	assert_int_equal(sw_watch_observe(&w, &o, 11 * S).kind, SW_V_NONE);
	assert_int_equal(w.state, SW_D_STARTING);
	struct sw_verdict v = sw_watch_observe(&w, &o, 31 * S);
	assert_int_equal(v.kind, SW_V_RECOVER);
	assert_false(v.hung);
	assert_non_null(strstr(v.reason, "did not start"));
	assert_int_equal(v.delay_ms, 10 * S);       /* second restart: back-off */
}

static void test_backoff_doubles_and_caps(void **state)
{
	struct sw_watch_params p = params();
	assert_int_equal(sw_watch_backoff(&p, 0), 0);
	assert_int_equal(sw_watch_backoff(&p, 1), 10 * S);
	assert_int_equal(sw_watch_backoff(&p, 2), 20 * S);
	assert_int_equal(sw_watch_backoff(&p, 3), 40 * S);
	assert_int_equal(sw_watch_backoff(&p, 6), 300 * S);
	assert_int_equal(sw_watch_backoff(&p, 99), SW_BACKOFF_CAP_MS);
	p.check_ms = 1 * S;
	assert_int_equal(sw_watch_backoff(&p, 4), 8 * S);
}

/* Dies right after every restart: max_restarts restarts with growing
 * back-off, then held down with one emergency; then nothing more. */
static void test_hold_down_after_max_restarts(void **state)
{
	struct sw_watch w;
	struct sw_watch_params p = params();
	sw_watch_init(&w, &p, 0);
	uint64_t t = 0, want_delay[] = { 0, 10 * S, 20 * S, 40 * S, 80 * S };
	struct sw_obs dead = kind(SW_OBS_DEAD);
	for (int i = 0; i < 5; i++) {
		struct sw_verdict v = sw_watch_observe(&w, &dead, t);
		assert_int_equal(v.kind, SW_V_RECOVER);
		assert_int_equal(v.delay_ms, want_delay[i]);
		t += v.delay_ms;
		sw_watch_recovered(&w, t);
		t += 10 * S;
	}
	struct sw_verdict v = sw_watch_observe(&w, &dead, t);
	assert_int_equal(v.kind, SW_V_EMERGENCY);
	assert_non_null(strstr(v.reason, "held down after 5 restart(s)"));
	assert_int_equal(w.state, SW_D_HELD_DOWN);
	assert_int_equal(w.restarts_total, 5);
	for (int i = 0; i < 20; i++) {
		t += 10 * S;
		assert_int_equal(sw_watch_observe(&w, &dead, t).kind, SW_V_NONE);
	}
	/* Someone brings it back: watching resumes, the ladder starts over, the
	 * restarts of the window still count. */
	struct sw_obs o = answer(1);
	assert_int_equal(sw_watch_observe(&w, &o, t).kind, SW_V_NONE);
	assert_int_equal(w.state, SW_D_OK);
	assert_int_equal(w.step_idx, 0);
}

/* The window slides: restarts older than restart_window no longer count. */
static void test_window_slides(void **state)
{
	struct sw_watch w;
	struct sw_watch_params p = params();
	p.max_restarts = 2;
	p.window_ms = 100 * S;
	sw_watch_init(&w, &p, 0);
	struct sw_obs dead = kind(SW_OBS_DEAD), ok;
	uint64_t t = 0;
	for (int i = 0; i < 2; i++, t += 30 * S) {
		assert_int_equal(sw_watch_observe(&w, &dead, t).kind, SW_V_RECOVER);
		sw_watch_recovered(&w, t);
		ok = answer((uint64_t)i + 1);
		sw_watch_observe(&w, &ok, t + 10 * S);
	}
	assert_int_equal(sw_watch_restarts_in_window(&w, t), 2);
	assert_int_equal(sw_watch_restarts_in_window(&w, 100 * S), 1);
	assert_int_equal(sw_watch_restarts_in_window(&w, 130 * S), 0);
	assert_int_equal(sw_watch_observe(&w, &dead, 100 * S).kind, SW_V_RECOVER);
}

/* restart_daemon, restart_interface, reboot: each only after the previous
 * is used up; reboot only when allowed; then held down. */
static void test_ladder(void **state)
{
	struct sw_watch w;
	struct sw_watch_params p = params();
	p.max_restarts = 1;
	p.ladder[1] = SW_STEP_RESTART_INTERFACE;
	p.ladder[2] = SW_STEP_REBOOT;
	p.n_ladder = 3;
	p.reboot_allowed = true;
	sw_watch_init(&w, &p, 0);
	struct sw_obs dead = kind(SW_OBS_DEAD);
	enum sw_step want[] = { SW_STEP_RESTART_DAEMON, SW_STEP_RESTART_INTERFACE, SW_STEP_REBOOT };
	uint64_t t = 0;
	for (int i = 0; i < 3; i++, t += 20 * S) {
		struct sw_verdict v = sw_watch_observe(&w, &dead, t);
		assert_int_equal(v.kind, SW_V_RECOVER);
		assert_int_equal(v.step, want[i]);
		sw_watch_recovered(&w, t);
	}
	assert_int_equal(sw_watch_observe(&w, &dead, t).kind, SW_V_EMERGENCY);
}

static void test_reboot_skipped_when_not_allowed(void **state)
{
	struct sw_watch w;
	struct sw_watch_params p = params();
	p.max_restarts = 1;
	p.ladder[1] = SW_STEP_REBOOT;
	p.n_ladder = 2;
	sw_watch_init(&w, &p, 0);
	struct sw_obs dead = kind(SW_OBS_DEAD);
	assert_int_equal(sw_watch_observe(&w, &dead, 0).kind, SW_V_RECOVER);
	sw_watch_recovered(&w, 0);
	struct sw_verdict v = sw_watch_observe(&w, &dead, 10 * S);
	assert_int_equal(v.kind, SW_V_EMERGENCY);
}

/* A reboot-only ladder: a hang goes straight to the reboot. */
static void test_reboot_only_ladder(void **state)
{
	struct sw_watch w;
	struct sw_watch_params p = params();
	p.ladder[0] = SW_STEP_REBOOT;
	p.n_ladder = 1;
	p.reboot_allowed = true;
	sw_watch_init(&w, &p, 0);
	struct sw_obs dead = kind(SW_OBS_DEAD);
	struct sw_verdict v = sw_watch_observe(&w, &dead, 0);
	assert_int_equal(v.kind, SW_V_RECOVER);
	assert_int_equal(v.step, SW_STEP_REBOOT);
}

/* Healthy for a whole window: the ladder starts over. */
static void test_ladder_resets_after_healthy_window(void **state)
{
	struct sw_watch w;
	struct sw_watch_params p = params();
	p.max_restarts = 1;
	p.window_ms = 100 * S;
	p.ladder[1] = SW_STEP_RESTART_INTERFACE;
	p.n_ladder = 2;
	sw_watch_init(&w, &p, 0);
	struct sw_obs dead = kind(SW_OBS_DEAD);
	sw_watch_observe(&w, &dead, 0);
	sw_watch_recovered(&w, 0);
	assert_int_equal(sw_watch_observe(&w, &dead, 10 * S).step, SW_STEP_RESTART_INTERFACE);
	sw_watch_recovered(&w, 10 * S);
	assert_int_equal(w.step_idx, 1);
	uint64_t t = 20 * S, c = 1;
	for (; t <= 130 * S; t += 10 * S) {
		struct sw_obs o = answer(c++);
		sw_watch_observe(&w, &o, t);
	}
	assert_int_equal(w.step_idx, 0);
	struct sw_verdict v = sw_watch_observe(&w, &dead, t);
	assert_int_equal(v.kind, SW_V_RECOVER);
	assert_int_equal(v.step, SW_STEP_RESTART_DAEMON);
}

static void test_names(void **state)
{
	assert_int_equal(sw_step_parse("restart_interface"), SW_STEP_RESTART_INTERFACE);
	assert_int_equal(sw_step_parse("reboot"), SW_STEP_REBOOT);
	assert_int_equal(sw_step_parse("rebot"), -1);
	assert_int_equal(sw_step_parse(NULL), -1);
	assert_string_equal(sw_step_name(SW_STEP_RESTART_DAEMON), "restart_daemon");
	assert_string_equal(sw_daemon_name(SW_D_HELD_DOWN), "held_down");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_progress_keeps_ok),
		cmocka_unit_test(test_silence_is_hang_after_timeout),
		cmocka_unit_test(test_stalled_counter_is_hang),
		cmocka_unit_test(test_new_pid_and_busy_are_progress),
		cmocka_unit_test(test_dead_restarts_at_once_not_hung),
		cmocka_unit_test(test_clean_stop_left_alone),
		cmocka_unit_test(test_start_grace_then_failure),
		cmocka_unit_test(test_backoff_doubles_and_caps),
		cmocka_unit_test(test_hold_down_after_max_restarts),
		cmocka_unit_test(test_window_slides),
		cmocka_unit_test(test_ladder),
		cmocka_unit_test(test_reboot_skipped_when_not_allowed),
		cmocka_unit_test(test_reboot_only_ladder),
		cmocka_unit_test(test_ladder_resets_after_healthy_window),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
