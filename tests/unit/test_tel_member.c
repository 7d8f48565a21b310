/* tel_member: telemetry verdicts into the engine — the penalty cap, the
 * decision inputs, the data-cap exclusion. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "engine/tel_member.h"

#define S 1000000ULL
#define T0 (1000 * S)

static void good_probes(struct mstate *ms, uint64_t *now)
{
	struct mstate_params mp;
	mstate_params_default(&mp);
	mstate_init(ms, &mp, 1, SCHED_ACTIVE, 1, *now);
	for (int i = 0; i < 40; i++) {
		*now += 500000;
		mstate_outcome(ms, MSTATE_REPLY, *now - 30000, 30000, *now);
	}
}

/* A very weak, fading, unstable, roaming-with-penalty modem: telemetry alone
 * costs at most TEL_PENALTY_CAP points, so good probes keep it usable. */
static void test_penalty_cap(void **st)
{
	struct tel_params tp;
	struct tel_member t;
	struct mstate ms;
	uint64_t now = T0;
	struct cell_sample s;

	tel_params_default(&tp);
	tp.cell.prefer_roaming = true;
	tel_member_init(&t, TEL_CELLULAR, &tp);
	good_probes(&ms, &now);
	assert_int_equal(ms.res.score, 100);
	cell_sample_init(&s);
	s.tech = CELL_TECH_LTE;
	s.reg = CELL_REG_ROAMING;
	s.roaming = 1;
	s.rsrp_dbm = -128;
	s.sinr_db = -8;
	cell_assess_sample(&t.cell, &s, now);
	tel_member_eval(&t, now, 0);
	assert_true(t.v.n_pen >= 3);
	tel_member_apply(&t, &ms, now);
	assert_int_equal(ms.res.score, 100 - TEL_PENALTY_CAP);
	assert_int_equal(mstate_state(&ms), HEALTH_DEGRADED);
	/* the penalties explain the score */
	int sum = 0;
	for (unsigned i = 0; i < t.n_pen; i++)
		sum += t.pen[i].points;
	assert_int_equal(sum, TEL_PENALTY_CAP);
}

static void test_inputs(void **st)
{
	struct tel_params tp;
	struct tel_member t;
	struct decide_input in;
	struct wifi_sample w;

	tel_params_default(&tp);
	tel_member_init(&t, TEL_WIFI, &tp);
	wifi_sample_init(&w);
	w.associated = 0;
	wifi_assess_sample(&t.wifi, &w, T0);
	tel_member_eval(&t, T0, 0);
	memset(&in, 0, sizeof(in));
	in.reason = "ok";
	tel_member_input(&t, &in);
	assert_true(in.link_down);
	assert_string_equal(in.reason, "Wi-Fi not associated");
	assert_false(in.predicted_outage);
	assert_false(in.exclude);
}

static void test_usage_cap(void **st)
{
	struct tel_params tp;
	struct tel_member t;
	struct decide_input in;

	tel_params_default(&tp);
	tel_member_init(&t, TEL_OTHER, &tp);
	tel_member_usage(&t, 94.9, "18980 of 20000 MB");
	tel_member_eval(&t, T0, 0);
	assert_false(t.v.exclude);
	tel_member_usage(&t, 95.0, "19000 of 20000 MB");
	tel_member_eval(&t, T0, 0);
	assert_true(t.v.exclude);
	memset(&in, 0, sizeof(in));
	tel_member_input(&t, &in);
	assert_true(in.exclude);
	assert_string_equal(in.exclude_reason, "data cap: 95 % used (19000 of 20000 MB)");
	tp.data_limit = false;
	tel_member_configure(&t, &tp);
	tel_member_eval(&t, T0, 0);
	assert_false(t.v.exclude);
	tel_member_usage(&t, NAN, "");
	tp.data_limit = true;
	tel_member_configure(&t, &tp);
	tel_member_eval(&t, T0, 0);
	assert_false(t.v.exclude);
}

/* A starlink member's scheduled reboot is a predicted outage for the engine. */
static void test_starlink_predicted(void **st)
{
	struct tel_params tp;
	struct tel_member t;
	struct decide_input in;
	struct sl_status s;

	tel_params_default(&tp);
	tel_member_init(&t, TEL_STARLINK, &tp);
	memset(&s, 0, sizeof(s));
	s.stow_requested = true;
	sl_predict_status(&t.sl, &s, T0, 1764300000);
	tel_member_eval(&t, T0, 1764300000);
	memset(&in, 0, sizeof(in));
	tel_member_input(&t, &in);
	assert_true(in.predicted_outage);
	assert_string_equal(in.predict_reason, "dish stow requested");
	assert_int_equal(tel_class_of("starlink"), TEL_STARLINK);
	assert_int_equal(tel_class_of("lan"), TEL_OTHER);
}

/* A Wi-Fi fade into the decision input: its kind, strength and horizon;
 * the strength doubles when the probes agree (30 s of 20 % loss after a
 * clean start), and the reason says so. The telemetry's share of the score
 * goes along for the quality rule. */
static void test_prediction_and_probes(void **st)
{
	struct tel_params tp;
	struct tel_member t;
	struct mstate ms;
	struct decide_input in;
	struct wifi_sample w;
	uint64_t now = T0;

	tel_params_default(&tp);
	tel_member_init(&t, TEL_WIFI, &tp);
	good_probes(&ms, &now);
	for (int i = 0; i < 240; i++) {         /* two minutes of clean probes */
		now += 500000;
		mstate_outcome(&ms, MSTATE_REPLY, now - 30000, 30000, now);
	}
	wifi_sample_init(&w);
	w.associated = 1;
	for (int k = 0; k <= 8; k++) {          /* -60 falling 12 dB/min, one report per 10 s */
		uint64_t at = now - (uint64_t)(8 - k) * 10 * S;
		w.signal_dbm = -60 - 2.0 * k;
		wifi_assess_sample(&t.wifi, &w, at);
		tel_member_eval(&t, at, 0);
	}
	tel_member_apply(&t, &ms, now);
	memset(&in, 0, sizeof(in));
	tel_member_input(&t, &in);
	assert_true(in.predicted_outage);
	assert_string_equal(in.predict_kind, TEL_KIND_WIFI_FADE);
	assert_int_equal(in.predict_horizon_s, 180);
	double alone = in.predict_strength;
	assert_true(alone >= 1);
	assert_null(strstr(in.predict_reason, "probes agree"));
	assert_int_equal(in.tel_points, (int)(t.pen[0].points + (t.n_pen > 1 ? t.pen[1].points : 0)));
	for (int i = 0; i < 60; i++) {          /* 30 s with every fifth probe lost */
		now += 500000;
		mstate_outcome(&ms, i % 5 ? MSTATE_REPLY : MSTATE_LOST, now - 30000,
			       i % 5 ? 30000 : 0, now);
	}
	tel_member_apply(&t, &ms, now);         /* the same verdict, the probes now agree */
	tel_member_input(&t, &in);
	assert_true(fabs(in.predict_strength - 2 * alone) < 1e-9);
	assert_non_null(strstr(in.predict_reason, "; the probes agree: loss 20 % in 30 s"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_penalty_cap),
		cmocka_unit_test(test_inputs),
		cmocka_unit_test(test_usage_cap),
		cmocka_unit_test(test_starlink_predicted),
		cmocka_unit_test(test_prediction_and_probes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
