/* Unit tests for the dish poll schedule (sl_sched): which call is due when,
 * cadence from the call's start, one call per kind in flight, fast mode,
 * PermissionDenied once per episode, the Unimplemented pause, reconnects. */
#include "starlink/sl_sched.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

static struct sl_sched s;

/* runs every due kind at `now` and finishes it at now + took with outcome */
static void run_all(uint64_t now, uint64_t took, enum sl_outcome out)
{
	enum sl_poll k, started[SL_POLL_N];
	int n = 0;
	while ((k = sl_sched_due(&s, now)) != SL_POLL_N) {
		sl_sched_started(&s, k, now);
		started[n++] = k;
	}
	for (int i = 0; i < n; i++)
		sl_sched_done(&s, started[i], now + took, out);
}

static void test_defaults_all_due_at_start(void **st)
{
	sl_sched_init(&s, NULL, 1000);
	assert_int_equal(s.s[SL_POLL_STATUS].interval_ms, 30000);
	assert_int_equal(s.s[SL_POLL_HISTORY].interval_ms, 60000);
	assert_int_equal(s.s[SL_POLL_DEVICE_INFO].interval_ms, 3600000);
	assert_int_equal(s.s[SL_POLL_DIAG].interval_ms, 600000);
	assert_int_equal(s.s[SL_POLL_LOCATION].interval_ms, 300000);
	assert_int_equal(s.fast_ms, 2000);
	/* priority order: status first, then history, device info, diag, location */
	for (int k = 0; k < SL_POLL_N; k++) {
		assert_int_equal(sl_sched_due(&s, 1000), k);
		sl_sched_started(&s, (enum sl_poll)k, 1000);
	}
	assert_int_equal(sl_sched_due(&s, 1000), SL_POLL_N);
	assert_int_equal(sl_sched_next(&s), UINT64_MAX);    /* all in flight */
	assert_int_equal(sl_poll_call(SL_POLL_STATUS), SL_CALL_STATUS);
	assert_int_equal(sl_poll_of_call(SL_CALL_DIAGNOSTICS), SL_POLL_DIAG);
	assert_int_equal(sl_poll_of_call(SL_CALL_REBOOT), SL_POLL_N);
}

static void test_cadence_from_start(void **st)
{
	sl_sched_init(&s, NULL, 0);
	run_all(0, 400, SL_OUT_OK);
	/* due one interval after the call started, not after it finished */
	assert_int_equal(s.s[SL_POLL_STATUS].due_ms, 30000);
	assert_int_equal(s.s[SL_POLL_HISTORY].due_ms, 60000);
	assert_int_equal(sl_sched_next(&s), 30000);
	assert_int_equal(sl_sched_due(&s, 29999), SL_POLL_N);
	assert_int_equal(sl_sched_due(&s, 30000), SL_POLL_STATUS);
	/* a call slower than its interval is followed at once */
	sl_sched_started(&s, SL_POLL_STATUS, 30000);
	sl_sched_done(&s, SL_POLL_STATUS, 65000, SL_OUT_ERROR);
	assert_int_equal(s.s[SL_POLL_STATUS].due_ms, 65000);
}

static void test_never_two_in_flight(void **st)
{
	const struct sl_sched_intervals iv = { .status_ms = 100, .history_ms = SL_SCHED_OFF,
		.device_info_ms = SL_SCHED_OFF, .diag_ms = SL_SCHED_OFF,
		.location_ms = SL_SCHED_OFF };
	sl_sched_init(&s, &iv, 0);
	assert_int_equal(sl_sched_due(&s, 0), SL_POLL_STATUS);
	sl_sched_started(&s, SL_POLL_STATUS, 0);
	/* a dish that takes 5 s: status is not asked again meanwhile */
	for (uint64_t t = 0; t < 5000; t += 50)
		assert_int_equal(sl_sched_due(&s, t), SL_POLL_N);
	assert_int_equal(sl_sched_done(&s, SL_POLL_STATUS, 5000, SL_OUT_ERROR), SL_REPORT_ERROR);
	assert_int_equal(sl_sched_due(&s, 5000), SL_POLL_STATUS);
}

static void test_off(void **st)
{
	const struct sl_sched_intervals iv = { .location_ms = SL_SCHED_OFF, .diag_ms = SL_SCHED_OFF };
	sl_sched_init(&s, &iv, 0);
	run_all(0, 10, SL_OUT_OK);
	assert_false(s.s[SL_POLL_LOCATION].in_flight);
	assert_int_equal(s.s[SL_POLL_LOCATION].due_ms, UINT64_MAX);
	for (uint64_t t = 0; t < 48ull * 3600 * 1000; t += 3600 * 1000) {
		enum sl_poll k = sl_sched_due(&s, t);
		assert_true(k != SL_POLL_LOCATION && k != SL_POLL_DIAG);
	}
	sl_sched_connected(&s, 5);      /* a reconnect does not turn diag on */
	assert_int_equal(s.s[SL_POLL_DIAG].due_ms, UINT64_MAX);
}

static void test_fast_mode(void **st)
{
	sl_sched_init(&s, NULL, 0);
	run_all(0, 100, SL_OUT_OK);
	assert_int_equal(sl_sched_status_interval(&s), 30000);
	/* suspect at t=5 s: the last status started 5 s ago, so one is due now */
	sl_sched_set_fast(&s, true, 5000);
	assert_int_equal(s.s[SL_POLL_STATUS].due_ms, 5000);
	assert_int_equal(sl_sched_status_interval(&s), 2000);
	sl_sched_started(&s, SL_POLL_STATUS, 5000);
	sl_sched_done(&s, SL_POLL_STATUS, 5100, SL_OUT_OK);
	assert_int_equal(s.s[SL_POLL_STATUS].due_ms, 7000);
	/* suspect again while already fast: nothing changes */
	sl_sched_set_fast(&s, true, 6000);
	assert_int_equal(s.s[SL_POLL_STATUS].due_ms, 7000);
	/* no longer suspect: back to 30 s after the last start */
	sl_sched_set_fast(&s, false, 6000);
	assert_int_equal(s.s[SL_POLL_STATUS].due_ms, 35000);
	/* fast mode while a status call runs: its successor follows the new interval */
	sl_sched_started(&s, SL_POLL_STATUS, 35000);
	sl_sched_set_fast(&s, true, 35500);
	sl_sched_done(&s, SL_POLL_STATUS, 35600, SL_OUT_OK);
	assert_int_equal(s.s[SL_POLL_STATUS].due_ms, 37000);
	/* an interval shorter than the fast one stays */
	const struct sl_sched_intervals iv = { .status_ms = 1000, .fast_ms = 2000 };
	sl_sched_init(&s, &iv, 0);
	sl_sched_set_fast(&s, true, 0);
	assert_int_equal(sl_sched_status_interval(&s), 1000);
}

static void test_location_denied_once(void **st)
{
	const struct sl_sched_intervals iv = { .location_ms = 60000 };
	sl_sched_init(&s, &iv, 0);
	sl_sched_started(&s, SL_POLL_LOCATION, 0);
	assert_int_equal(sl_sched_done(&s, SL_POLL_LOCATION, 10, SL_OUT_DENIED), SL_REPORT_DENIED);
	assert_true(s.s[SL_POLL_LOCATION].denied);
	/* asked again only hourly, and silently */
	assert_int_equal(s.s[SL_POLL_LOCATION].due_ms, 10 + SL_SCHED_DENIED_RETRY_MS);
	for (int i = 1; i <= 3; i++) {
		uint64_t t = (uint64_t)i * SL_SCHED_DENIED_RETRY_MS + 10;
		assert_int_equal(sl_sched_due(&s, t - 1) == SL_POLL_LOCATION, false);
		sl_sched_started(&s, SL_POLL_LOCATION, t);
		assert_int_equal(sl_sched_done(&s, SL_POLL_LOCATION, t, SL_OUT_DENIED), SL_REPORT_NONE);
	}
	/* the owner enables it: back to the normal interval; a later denial is a
	 * new episode, reported again */
	uint64_t t = 5 * (uint64_t)SL_SCHED_DENIED_RETRY_MS;
	sl_sched_started(&s, SL_POLL_LOCATION, t);
	assert_int_equal(sl_sched_done(&s, SL_POLL_LOCATION, t + 5, SL_OUT_OK), SL_REPORT_NONE);
	assert_false(s.s[SL_POLL_LOCATION].denied);
	assert_int_equal(s.s[SL_POLL_LOCATION].due_ms, t + 60000);
	sl_sched_started(&s, SL_POLL_LOCATION, t + 60000);
	assert_int_equal(sl_sched_done(&s, SL_POLL_LOCATION, t + 60001, SL_OUT_DENIED),
			 SL_REPORT_DENIED);
	/* PermissionDenied on another call is an ordinary error */
	sl_sched_started(&s, SL_POLL_STATUS, 0);
	assert_int_equal(sl_sched_done(&s, SL_POLL_STATUS, 1, SL_OUT_DENIED), SL_REPORT_ERROR);
}

static void test_unimplemented_pause(void **st)
{
	sl_sched_init(&s, NULL, 0);
	sl_sched_started(&s, SL_POLL_DIAG, 0);
	assert_int_equal(sl_sched_done(&s, SL_POLL_DIAG, 3, SL_OUT_UNIMPLEMENTED), SL_REPORT_ERROR);
	assert_true(s.s[SL_POLL_DIAG].paused);
	assert_int_equal(s.s[SL_POLL_DIAG].due_ms, 3 + SL_SCHED_UNIMPL_PAUSE_MS);
	/* a reconnect does not end the pause */
	sl_sched_connected(&s, 1000);
	assert_int_equal(s.s[SL_POLL_DIAG].due_ms, 3 + SL_SCHED_UNIMPL_PAUSE_MS);
	uint64_t t = 3 + SL_SCHED_UNIMPL_PAUSE_MS;
	sl_sched_started(&s, SL_POLL_DIAG, t);
	assert_int_equal(sl_sched_done(&s, SL_POLL_DIAG, t, SL_OUT_UNIMPLEMENTED), SL_REPORT_NONE);
	/* new firmware implements it: normal interval again */
	t += SL_SCHED_UNIMPL_PAUSE_MS;
	sl_sched_started(&s, SL_POLL_DIAG, t);
	assert_int_equal(sl_sched_done(&s, SL_POLL_DIAG, t, SL_OUT_OK), SL_REPORT_NONE);
	assert_false(s.s[SL_POLL_DIAG].paused);
	assert_int_equal(s.s[SL_POLL_DIAG].due_ms, t + 600000);
	/* Unimplemented status is not paused: the dish is broken, say so each time */
	sl_sched_started(&s, SL_POLL_STATUS, t);
	assert_int_equal(sl_sched_done(&s, SL_POLL_STATUS, t, SL_OUT_UNIMPLEMENTED),
			 SL_REPORT_ERROR);
	assert_int_equal(s.s[SL_POLL_STATUS].due_ms, t + 30000);
}

static void test_reconnect_asks_device_info(void **st)
{
	sl_sched_init(&s, NULL, 0);
	run_all(0, 10, SL_OUT_OK);
	assert_int_equal(s.s[SL_POLL_DEVICE_INFO].due_ms, 3600000);
	sl_sched_connected(&s, 90000);
	assert_int_equal(s.s[SL_POLL_DEVICE_INFO].due_ms, 90000);
	assert_int_equal(s.s[SL_POLL_DIAG].due_ms, 90000);
	assert_int_equal(s.s[SL_POLL_STATUS].due_ms, 30000);    /* untouched */
	assert_int_equal(s.s[SL_POLL_LOCATION].due_ms, 300000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_all_due_at_start),
		cmocka_unit_test(test_cadence_from_start),
		cmocka_unit_test(test_never_two_in_flight),
		cmocka_unit_test(test_off),
		cmocka_unit_test(test_fast_mode),
		cmocka_unit_test(test_location_denied_once),
		cmocka_unit_test(test_unimplemented_pause),
		cmocka_unit_test(test_reconnect_asks_device_info),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
