/* decide: one test per rule of the decision engine (decide.h), on a fake
 * monotonic clock with hand-made member health. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "decide_world.h"

/* ---- start and priority -------------------------------------------------- */

static void test_initial_by_priority_when_unmeasured(void **state)
{
	struct world *w = world_new();

	for (int i = 0; i < 3; i++)
		set(&w->in[i], HEALTH_UNKNOWN, -1, "no data yet");
	assert_null(active(w));
	assert_int_equal(eval(w), 1);
	assert_string_equal(active(w), "starlink");
	assert_int_equal(w->last[0].type, DECIDE_SWITCH);
	assert_string_equal(w->last[0].from, "");
	assert_non_null(strstr(w->last[0].reason, "initial"));
	assert_int_equal(w->last[0].n_scores, 3);
	assert_int_equal(w->last[0].scores[0].score, -1);
}

static void test_priority_when_comparable(void **state)
{
	struct world *w = world_new();

	/* 90 vs 100 is comparable (within the 20-point margin): priority wins. */
	set(&w->in[0], HEALTH_UP, 90, "latency p50 200 ms -10");
	eval(w);
	assert_string_equal(active(w), "starlink");
	/* ... but not 60 vs 100. */
	w = world_new();
	set(&w->in[0], HEALTH_DEGRADED, 60, "loss 20% -40");
	eval(w);
	assert_string_equal(active(w), "lte");
}

/* ---- down: immediate ------------------------------------------------------- */

static void test_down_switches_at_once(void **state)
{
	struct world *w = world_new();

	eval(w);
	run(w, 30);
	set(&w->in[1], HEALTH_UP, 91, "ok");
	down(&w->in[0], "11 probes lost in 0.45 s");
	w->now += 1;
	assert_int_equal(eval(w), 1);
	assert_int_equal(w->last[0].type, DECIDE_SWITCH);
	assert_string_equal(w->last[0].from, "starlink");
	assert_string_equal(w->last[0].to, "lte");
	assert_string_equal(w->last[0].reason, "starlink: 11 probes lost in 0.45 s; lte score 91");
	assert_string_equal(active(w), "lte");
}

static void test_link_down_and_disabled_and_gone(void **state)
{
	struct world *w = world_new();

	eval(w);
	w->in[0].link_down = true;
	w->in[0].state = HEALTH_DOWN;
	w->in[0].reason = "no carrier";
	w->now += S;
	eval(w);
	assert_string_equal(active(w), "lte");
	assert_string_equal(w->last[0].reason, "starlink: no carrier; lte score 100");
	w->in[1].enabled = false;
	w->now += S;
	eval(w);
	assert_string_equal(active(w), "wifi");
	assert_non_null(strstr(w->last[0].reason, "lte: disabled"));
	/* wifi removed from the config: it is gone, traffic leaves it. */
	w->in[1].enabled = true;
	w->now += S;
	w->n_last = decide_eval(&w->d, w->in, 2, w->now, w->last, 8);
	assert_string_equal(active(w), "lte");
	assert_non_null(strstr(w->last[0].reason, "wifi: gone"));
}

/* ---- quality: margin and sustain ---------------------------------------- */

static void test_quality_needs_margin_and_sustain(void **state)
{
	struct world *w = world_new();

	eval(w);
	run(w, 10);
	/* 18 points worse: inside the deadband, never a switch. */
	set(&w->in[0], HEALTH_UP, 82, "jitter 46 ms -18");
	assert_int_equal(run(w, 600), 0);
	assert_string_equal(active(w), "starlink");
	/* 36 points worse: a hold at once, the switch only after 60 s. */
	set(&w->in[0], HEALTH_DEGRADED, 64, "loss 12% -36");
	w->now += S;
	assert_int_equal(eval(w), 1);
	assert_int_equal(w->last[0].type, DECIDE_HOLD);
	assert_non_null(strstr(w->last[0].reason, "must stay 20 points better for 60 s"));
	assert_int_equal(run(w, 58), 0);
	assert_string_equal(active(w), "starlink");
	assert_int_equal(run(w, 2), 1);
	assert_string_equal(active(w), "lte");
	assert_int_equal(w->last[0].type, DECIDE_SWITCH);
	assert_non_null(strstr(w->last[0].reason, "starlink: score 64 (loss 12% -36) for 60 s"));
}

static void test_quality_sustain_restarts_when_interrupted(void **state)
{
	struct world *w = world_new();

	eval(w);
	for (int round = 0; round < 10; round++) {
		set(&w->in[0], HEALTH_DEGRADED, 60, "loss bursts");
		assert_int_equal(run(w, 50), 0);
		set(&w->in[0], HEALTH_UP, 95, "ok");     /* one good reading resets it */
		assert_int_equal(run(w, 1), 0);
	}
	assert_string_equal(active(w), "starlink");
}

/* ---- hold recorded ------------------------------------------------------------ */

static void test_hold_recorded_once_when_no_better_member(void **state)
{
	struct world *w = world_new();

	eval(w);
	set(&w->in[1], HEALTH_DEGRADED, 55, "loss 18% -45");
	set(&w->in[2], HEALTH_DOWN, 0, "no carrier");
	set(&w->in[0], HEALTH_DEGRADED, 62, "loss 12% -34, jitter 30 ms -4");
	w->now += S;
	assert_int_equal(eval(w), 1);
	const struct decision *h = &w->last[0];
	assert_int_equal(h->type, DECIDE_HOLD);
	assert_string_equal(h->from, "starlink");
	assert_string_equal(h->to, "starlink");
	assert_string_equal(h->reason, "starlink degraded: score 62 (loss 12% -34, jitter 30 ms -4); "
			    "no member better by 20 points (lte score 55)");
	assert_int_equal(h->n_scores, 3);
	assert_int_equal(h->scores[1].score, 55);
	/* Recorded once per episode, not at every evaluation. */
	assert_int_equal(run(w, 100), 0);
	assert_int_equal(decide_history_count(&w->d), 2);
	/* Recovering ends the episode; degrading again records again. */
	set(&w->in[0], HEALTH_UP, 97, "ok");
	run(w, 1);
	set(&w->in[0], HEALTH_DEGRADED, 60, "loss 13% -40");
	run(w, 1);
	assert_int_equal(decide_history_count(&w->d), 3);
	assert_int_equal(decide_history(&w->d, 0)->type, DECIDE_HOLD);
}

/* ---- fail-back hold --------------------------------------------------------------- */

static void test_failback_after_hold(void **state)
{
	struct world *w = world_new();

	eval(w);
	run(w, 100);
	down(&w->in[0], "11 probes lost in 0.40 s");
	run(w, 20);                                     /* a 20 s outage */
	assert_string_equal(active(w), "lte");
	set(&w->in[0], HEALTH_UP, 100, "ok");
	/* Hold: max(60 s, 1.5 x 20 s) = 60 s of good health. */
	assert_int_equal(decide_hold_us(&w->d, "starlink", w->now), 60 * S);
	assert_int_equal(run(w, 59), 0);
	assert_string_equal(active(w), "lte");
	assert_int_equal(run(w, 2), 1);
	assert_string_equal(active(w), "starlink");
	assert_int_equal(w->last[0].type, DECIDE_RESTORE);
	assert_non_null(strstr(w->last[0].reason, "starlink healthy for 60 s"));
}

static void test_failback_hold_follows_outage_length(void **state)
{
	struct world *w = world_new();

	eval(w);
	down(&w->in[0], "no carrier");
	run(w, 300);                                    /* 5 min out */
	set(&w->in[0], HEALTH_UP, 100, "ok");
	run(w, 1);
	assert_int_equal(decide_hold_us(&w->d, "starlink", w->now), 450 * S);
	assert_int_equal(run(w, 448), 0);
	assert_int_equal(run(w, 2), 1);
	assert_string_equal(active(w), "starlink");
}

/* The most preferred member is due soon: wait for it (one switch, not two). */
static void test_failback_waits_for_preferred_due_soon(void **state)
{
	struct world *w = world_new();

	eval(w);
	down(&w->in[0], "no carrier");
	down(&w->in[1], "no carrier");
	run(w, 20);
	assert_string_equal(active(w), "wifi");
	set(&w->in[1], HEALTH_UP, 100, "ok");
	run(w, 10);                                     /* lte back 10 s earlier */
	set(&w->in[0], HEALTH_UP, 100, "ok");
	/* lte has served its 60 s at 50 s from now; starlink is due 10 s later. */
	assert_int_equal(run(w, 59), 0);
	assert_int_equal(run(w, 2), 1);
	assert_string_equal(active(w), "starlink");
	assert_null(strstr(w->last[0].reason, "still serving"));
}

/* The most preferred member serves a long hold: a settled member in between
 * takes traffic from the least preferred one meanwhile. */
static void test_failback_through_settled_member_when_preferred_is_far(void **state)
{
	struct world *w = world_new();

	eval(w);
	down(&w->in[0], "no carrier");
	run(w, 280);
	down(&w->in[1], "no carrier");
	run(w, 20);                                     /* starlink 5 min, lte 20 s */
	assert_string_equal(active(w), "wifi");
	set(&w->in[0], HEALTH_UP, 100, "ok");
	set(&w->in[1], HEALTH_UP, 100, "ok");
	assert_int_equal(run(w, 59), 0);
	assert_int_equal(run(w, 2), 1);
	assert_string_equal(active(w), "lte");
	assert_int_equal(w->last[0].type, DECIDE_RESTORE);
	assert_non_null(strstr(w->last[0].reason, "lte healthy for 60 s"));
	assert_non_null(strstr(w->last[0].reason, "starlink still serving its hold (390 s left)"));
	/* ... and starlink after its 450 s. */
	assert_int_equal(run(w, 388), 0);
	assert_int_equal(run(w, 2), 1);
	assert_string_equal(active(w), "starlink");
}

static void test_failback_needs_comparable_score(void **state)
{
	struct world *w = world_new();

	eval(w);
	down(&w->in[0], "no carrier");
	run(w, 10);
	/* Up, but 8 points below lte: no return however long it lasts. */
	set(&w->in[0], HEALTH_UP, 92, "latency p50 180 ms -8");
	assert_int_equal(run(w, 3600), 0);
	assert_string_equal(active(w), "lte");
	/* Within 5 points: returns. */
	set(&w->in[0], HEALTH_UP, 96, "jitter 18 ms -4");
	assert_int_equal(run(w, 1), 1);
	assert_string_equal(active(w), "starlink");
}

static void test_next_us_reports_timers(void **state)
{
	struct world *w = world_new();

	eval(w);
	assert_int_equal(decide_next_us(&w->d, w->now), UINT64_MAX);
	set(&w->in[0], HEALTH_DEGRADED, 60, "loss");
	w->now += S;
	eval(w);
	assert_int_equal(decide_next_us(&w->d, w->now), w->now + 60 * S);
}

/* ---- flapping: escalating hold-down ------------------------------------------------- */

static void test_flapping_two_minutes_holddown(void **state)
{
	struct world *w = world_new();
	uint64_t sw[64];
	unsigned n = 0;

	eval(w);
	run(w, 60);
	/* 2 min down / 2 min up for 2 hours, then stable for 2 hours. */
	for (unsigned s = 0; s < 4 * 3600; s++) {
		bool flapping = s < 2 * 3600;
		if (flapping && (s / 120) % 2 == 0)
			down(&w->in[0], "no carrier");
		else
			set(&w->in[0], HEALTH_UP, 100, "ok");
		w->now += S;
		eval(w);
		for (unsigned k = 0; k < w->n_last; k++)
			if (w->last[k].type != DECIDE_HOLD && n < 64)
				sw[n++] = w->now;
	}
	/* No more than one switch in any 10 minutes ... */
	for (unsigned i = 1; i < n; i++)
		assert_true(sw[i] - sw[i - 1] >= 600 * S);
	/* ... in fact one switch away while it flapped, and one back after. */
	assert_int_equal(n, 2);
	assert_true(sw[1] > T0 + 2 * 3600 * S);
	assert_string_equal(active(w), "starlink");
}

static void test_holddown_escalates_and_decays(void **state)
{
	struct world *w = world_new();

	eval(w);
	for (int i = 0; i < 4; i++) {
		down(&w->in[0], "no carrier");
		run(w, 10);
		set(&w->in[0], HEALTH_UP, 100, "ok");
		run(w, 50);
	}
	/* 4 outages of 10 s within the flap window: 60 s x 2^3. */
	assert_int_equal(decide_hold_us(&w->d, "starlink", w->now), 480 * S);
	/* Once they are older than the flap window (30 min) it is back to 60 s. */
	run(w, 1800);
	assert_int_equal(decide_hold_us(&w->d, "starlink", w->now), 60 * S);
	assert_string_equal(active(w), "starlink");
}

/* ---- last resort ---------------------------------------------------------------------- */

static void test_last_resort_keeps_a_route(void **state)
{
	struct world *w = world_new();

	eval(w);
	down(&w->in[0], "11 probes lost in 0.40 s");
	down(&w->in[1], "no carrier");
	w->in[1].link_down = true;
	down(&w->in[2], "no reply for 5.0 s");
	w->now += S;
	assert_int_equal(eval(w), 1);
	assert_int_equal(w->last[0].type, DECIDE_HOLD);
	assert_non_null(strstr(w->last[0].reason, "all members down, keeping it as the least bad"));
	assert_int_equal(run(w, 60), 0);
	assert_string_equal(active(w), "starlink");
	/* The active one loses carrier too: one with carrier is less bad. */
	w->in[0].link_down = true;
	w->in[0].reason = "no carrier";
	assert_int_equal(run(w, 1), 1);
	assert_string_equal(active(w), "wifi");
	assert_non_null(strstr(w->last[0].reason, "least bad (carrier up)"));
	assert_int_equal(run(w, 60), 0);
	/* One comes back: traffic goes to it at once, recovering or not. */
	set(&w->in[1], HEALTH_UP, 100, "ok");
	w->in[1].link_down = false;
	assert_int_equal(run(w, 1), 1);
	assert_string_equal(active(w), "lte");
	assert_non_null(strstr(w->last[0].reason, "(still recovering)"));
}

/* ---- manual --------------------------------------------------------------------------- */

static void test_manual_pin_until_auto(void **state)
{
	struct world *w = world_new();
	struct decision x;

	eval(w);
	run(w, 100);
	assert_int_equal(decide_manual(&w->d, "nope", true, w->now, &x), -1);
	assert_int_equal(decide_auto(&w->d, w->now, &x), -1);
	assert_int_equal(decide_manual(&w->d, "lte", true, w->now, &x), 0);
	assert_int_equal(x.type, DECIDE_MANUAL);
	assert_string_equal(x.to, "lte");
	assert_string_equal(active(w), "lte");
	/* Pinned: a better member, even lte down, move nothing. */
	assert_int_equal(run(w, 600), 0);
	down(&w->in[1], "no carrier");
	w->now += S;
	assert_int_equal(eval(w), 1);
	assert_int_equal(w->last[0].type, DECIDE_HOLD);
	assert_non_null(strstr(w->last[0].reason, "pinned by operator"));
	assert_int_equal(run(w, 60), 0);
	assert_string_equal(active(w), "lte");
	/* Back to automatic: lte is down, so traffic leaves at once. */
	assert_int_equal(decide_auto(&w->d, w->now, &x), 0);
	assert_int_equal(x.type, DECIDE_MANUAL);
	assert_int_equal(run(w, 1), 1);
	assert_string_equal(active(w), "starlink");
}

static void test_manual_one_shot(void **state)
{
	struct world *w = world_new();
	struct decision x;

	eval(w);
	run(w, 100);
	assert_int_equal(decide_manual(&w->d, "wifi", false, w->now, &x), 0);
	assert_non_null(strstr(x.reason, "one-shot"));
	assert_string_equal(active(w), "wifi");
	/* The rules stay in charge, but the member left serves its hold. */
	assert_int_equal(run(w, 59), 0);
	assert_int_equal(run(w, 2), 1);
	assert_string_equal(active(w), "starlink");
	/* And wifi going down after a one-shot is handled as usual. */
	decide_manual(&w->d, "wifi", false, w->now, NULL);
	down(&w->in[2], "no carrier");
	assert_int_equal(run(w, 1), 1);
	assert_string_equal(active(w), "lte");
}

/* ---- exclude and predicted outage -------------------------------------------------- */

static void test_exclude_only_as_last_resort(void **state)
{
	struct world *w = world_new();

	w->in[1].exclude = true;                /* lte roaming */
	eval(w);
	down(&w->in[0], "no carrier");
	assert_int_equal(run(w, 1), 1);
	assert_string_equal(active(w), "wifi"); /* not lte, despite its priority */
	down(&w->in[2], "no carrier");
	assert_int_equal(run(w, 1), 1);
	assert_string_equal(active(w), "lte");  /* the last resort */
	assert_non_null(strstr(w->last[0].reason, "excluded: last resort"));
	/* wifi back (recovering): excluded lte is left at once. */
	set(&w->in[2], HEALTH_UP, 100, "ok");
	assert_int_equal(run(w, 1), 1);
	assert_string_equal(active(w), "wifi");
	assert_non_null(strstr(w->last[0].reason, "lte: excluded unless last resort"));
}

static void test_predicted_outage_leave_and_return(void **state)
{
	struct world *w = world_new();

	eval(w);
	run(w, 100);
	w->in[0].predicted_outage = true;
	w->in[0].predict_reason = "reboot scheduled in 45 s";
	w->in[0].predict_strength = 4;             /* the dish says so */
	assert_int_equal(run(w, 1), 1);
	assert_string_equal(active(w), "lte");
	assert_string_equal(w->last[0].reason, "starlink: outage predicted (reboot scheduled in 45 s); "
			    "lte score 100");
	/* Healthy but flagged: no return, however long. */
	assert_int_equal(run(w, 600), 0);
	/* Flag cleared: it must serve its hold (1.5 x 601 s flagged, capped
	 * at 10 min) before traffic returns. */
	w->in[0].predicted_outage = false;
	assert_int_equal(run(w, 599), 0);
	assert_string_equal(active(w), "lte");
	assert_int_equal(run(w, 2), 1);
	assert_string_equal(active(w), "starlink");
}

static void test_predicted_outage_without_healthy_alternative(void **state)
{
	struct world *w = world_new();

	eval(w);
	down(&w->in[1], "no carrier");
	set(&w->in[2], HEALTH_DEGRADED, 55, "loss 20% -45");
	w->in[0].predicted_outage = true;
	w->in[0].predict_reason = "obstruction building";
	w->in[0].predict_strength = 2;
	assert_int_equal(run(w, 30), 0);
	assert_string_equal(active(w), "starlink");
	assert_int_equal(decide_history(&w->d, 0)->type, DECIDE_HOLD);
	assert_non_null(strstr(decide_history(&w->d, 0)->reason, "no healthy member"));
}

/* ---- bookkeeping -------------------------------------------------------------------------- */

static void test_history_ring_is_bounded(void **state)
{
	struct world *w = world_new();
	char buf[16];

	eval(w);
	for (int i = 0; i < 100; i++)
		decide_manual(&w->d, i % 2 ? "lte" : "wifi", false, w->now + (uint64_t)i, NULL);
	assert_int_equal(decide_history_count(&w->d), DECIDE_HISTORY);
	assert_int_equal(decide_history(&w->d, 0)->t_us, w->now + 99);
	assert_null(decide_history(&w->d, DECIDE_HISTORY));
	snprintf(buf, sizeof(buf), "%s", decide_type_name(decide_history(&w->d, 0)->type));
	assert_string_equal(buf, "manual");
	assert_string_equal(decide_type_name(DECIDE_RESTORE), "restore");
}

static void test_many_members_and_names(void **state)
{
	struct decide d;
	struct decide_input in[DECIDE_MAX_MEMBERS + 2];
	char names[DECIDE_MAX_MEMBERS + 2][8];

	decide_init(&d, NULL);
	for (unsigned i = 0; i < DECIDE_MAX_MEMBERS + 2; i++) {
		snprintf(names[i], sizeof(names[i]), "m%u", i);
		member(&in[i], names[i], (int)(DECIDE_MAX_MEMBERS + 2 - i));
	}
	in[0].name = NULL;                      /* ignored, not a crash */
	decide_eval(&d, in, DECIDE_MAX_MEMBERS + 2, T0, NULL, 0);
	assert_non_null(decide_active(&d));
	/* Only the first 16 named members fit; the preferred of those wins. */
	assert_string_equal(decide_active(&d), "m16");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_initial_by_priority_when_unmeasured),
		cmocka_unit_test(test_priority_when_comparable),
		cmocka_unit_test(test_down_switches_at_once),
		cmocka_unit_test(test_link_down_and_disabled_and_gone),
		cmocka_unit_test(test_quality_needs_margin_and_sustain),
		cmocka_unit_test(test_quality_sustain_restarts_when_interrupted),
		cmocka_unit_test(test_hold_recorded_once_when_no_better_member),
		cmocka_unit_test(test_failback_after_hold),
		cmocka_unit_test(test_failback_hold_follows_outage_length),
		cmocka_unit_test(test_failback_waits_for_preferred_due_soon),
		cmocka_unit_test(test_failback_through_settled_member_when_preferred_is_far),
		cmocka_unit_test(test_failback_needs_comparable_score),
		cmocka_unit_test(test_next_us_reports_timers),
		cmocka_unit_test(test_flapping_two_minutes_holddown),
		cmocka_unit_test(test_holddown_escalates_and_decays),
		cmocka_unit_test(test_last_resort_keeps_a_route),
		cmocka_unit_test(test_manual_pin_until_auto),
		cmocka_unit_test(test_manual_one_shot),
		cmocka_unit_test(test_exclude_only_as_last_resort),
		cmocka_unit_test(test_predicted_outage_leave_and_return),
		cmocka_unit_test(test_predicted_outage_without_healthy_alternative),
		cmocka_unit_test(test_history_ring_is_bounded),
		cmocka_unit_test(test_many_members_and_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
