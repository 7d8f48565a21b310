/* tel_member and the kind registry, whatever kinds are built: the registry
 * matches the build, a member's parts follow its class, verdicts merge, the
 * penalty cap. The kinds' own rules through tel_member are in
 * test_<kind>_kind.c. */
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

static void test_registry_matches_build(void **st)
{
	static const struct { const char *name; int built; const char *cls; } want[] = {
		{ "starlink", AUTONOMY_WITH_STARLINK, "starlink" },
		{ "cellular", AUTONOMY_WITH_CELLULAR, "cellular" },
		{ "wifi", AUTONOMY_WITH_WIFI, "wifi" },
		{ "gps", AUTONOMY_WITH_GPS, NULL },
		{ "usage", AUTONOMY_WITH_USAGE, NULL },
	};
	unsigned n = 0;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct tel_kind *k = tel_kind_find(want[i].name);
		assert_int_equal(k != NULL, want[i].built);
		if (!k)
			continue;
		assert_ptr_equal(tel_kind_at(tel_kind_index(k)), k);
		if (want[i].cls)
			assert_ptr_equal(tel_kind_for_class(want[i].cls), k);
		n++;
	}
	assert_int_equal(tel_kind_count(), n);
	assert_null(tel_kind_at(n));
	assert_null(tel_kind_for_class("lan"));
	assert_null(tel_kind_find("smoke-signals"));
	assert_true(tel_kind_word_in("starlink cellular", "cellular"));
	assert_false(tel_kind_word_in("starlink cellular", "cell"));
	assert_false(tel_kind_word_in(NULL, "wifi"));
}

/* A wired member has no class kind; every_member kinds still assess it. */
static void test_parts_follow_class(void **st)
{
	struct tel_env e;
	struct tel_member t;
	unsigned every = 0;

	assert_int_equal(tel_env_init(&e, NULL), 0);
	for (unsigned i = 0; i < tel_kind_count(); i++)
		every += tel_kind_at(i)->every_member && tel_kind_at(i)->size;
	assert_int_equal(tel_member_init(&t, "lan", &e), 0);
	assert_null(t.kind);
	assert_int_equal(t.n_part, every);
	tel_member_eval(&t, T0, 0);
	assert_false(t.v.predicted || t.v.exclude || t.v.link_down);
	assert_int_equal(t.v.n_pen, 0);
	assert_int_equal(tel_member_next_us(&t, T0, 0), UINT64_MAX);
	tel_member_free(&t);
	for (unsigned i = 0; i < tel_kind_count(); i++) {
		const struct tel_kind *k = tel_kind_at(i);
		if (!k->cls)
			continue;
		assert_int_equal(tel_member_init(&t, k->cls, &e), 0);
		assert_ptr_equal(t.kind, k);
		assert_non_null(tel_member_part(&t, k));
		tel_member_free(&t);
	}
	tel_env_free(&e);
}

/* Telemetry alone costs at most TEL_PENALTY_CAP points, so good probes
 * keep a member usable; the penalties shown add up to what was taken. */
static void test_penalty_cap(void **st)
{
	struct tel_member t;
	struct mstate ms;
	uint64_t now = T0;

	memset(&t, 0, sizeof(t));
	good_probes(&ms, &now);
	assert_int_equal(ms.res.score, 100);
	tel_add_penalty(&t.v, "cellular", 25, "weak signal");
	tel_add_penalty(&t.v, "cellular", 20, "signal fading");
	tel_add_penalty(&t.v, "usage", 10, "something else");
	tel_member_apply(&t, &ms, now);
	assert_int_equal(ms.res.score, 100 - TEL_PENALTY_CAP);
	assert_int_equal(mstate_state(&ms), HEALTH_DEGRADED);
	int sum = 0;
	for (unsigned i = 0; i < t.n_pen; i++)
		sum += t.pen[i].points;
	assert_int_equal(sum, TEL_PENALTY_CAP);
}

/* Flags into the decision input; a telemetry link-down reason replaces the
 * detector's only when the link itself is up. */
static void test_inputs(void **st)
{
	struct tel_member t;
	struct decide_input in;

	memset(&t, 0, sizeof(t));
	tel_link_down(&t.v, "Wi-Fi not associated");
	tel_exclude(&t.v, "roaming");
	memset(&in, 0, sizeof(in));
	in.reason = "ok";
	tel_member_input(&t, &in);
	assert_true(in.link_down);
	assert_string_equal(in.reason, "Wi-Fi not associated");
	assert_true(in.exclude);
	assert_string_equal(in.exclude_reason, "roaming");
	assert_false(in.predicted_outage);
	memset(&in, 0, sizeof(in));
	in.link_down = true;
	in.reason = "no carrier";
	tel_member_input(&t, &in);
	assert_string_equal(in.reason, "no carrier");
}

/* A link verdict makes the member's own state down, with the verdict's
 * reason, before any decision reads it; when it clears the probes judge. */
static void test_link_down_is_state(void **st)
{
	struct tel_member t;
	struct mstate ms;
	uint64_t now = T0;

	memset(&t, 0, sizeof(t));
	good_probes(&ms, &now);
	assert_int_equal(mstate_state(&ms), HEALTH_UP);
	tel_link_down(&t.v, "Wi-Fi not associated");
	assert_true(tel_member_apply(&t, &ms, now));
	assert_int_equal(mstate_state(&ms), HEALTH_DOWN);
	assert_int_equal(ms.res.score, 0);
	assert_string_equal(ms.res.reason, "Wi-Fi not associated");
	assert_string_equal(ms.res.items[0].label, "link");
	/* Probes still answering do not bring it back while the radio says so. */
	now += 500000;
	mstate_outcome(&ms, MSTATE_REPLY, now - 30000, 30000, now);
	assert_int_equal(mstate_state(&ms), HEALTH_DOWN);
	/* Associated again: the probes (all answered) judge at once. */
	memset(&t.v, 0, sizeof(t.v));
	now += 1000000;
	assert_true(tel_member_apply(&t, &ms, now));
	assert_int_equal(mstate_state(&ms), HEALTH_UP);
}

/* A prediction into the decision input: its kind, strength and horizon;
 * the strength doubles when the probes agree (30 s with every fifth probe
 * lost after a clean start), and the reason says so. The telemetry's share
 * of the score goes along for the quality rule. */
static void test_prediction_and_probes(void **st)
{
	struct tel_member t;
	struct mstate ms;
	struct decide_input in;
	uint64_t now = T0;

	memset(&t, 0, sizeof(t));
	good_probes(&ms, &now);
	for (int i = 0; i < 240; i++) {         /* two minutes of clean probes */
		now += 500000;
		mstate_outcome(&ms, MSTATE_REPLY, now - 30000, 30000, now);
	}
	tel_add_penalty(&t.v, "wifi", 12, "signal falling 12 dB/min (-76 dBm)");
	tel_predict(&t.v, "Wi-Fi signal falling 12 dB/min: -76 dBm, -82 in 30 s");
	tel_predict_as(&t.v, TEL_PRECURSOR_WIFI_FADE, 1.5, 180);
	tel_predict_as(&t.v, TEL_PRECURSOR_OUTAGE, 8, 30);   /* the first one is kept */
	tel_member_apply(&t, &ms, now);
	memset(&in, 0, sizeof(in));
	tel_member_input(&t, &in);
	assert_true(in.predicted_outage);
	assert_string_equal(in.predict_kind, TEL_PRECURSOR_WIFI_FADE);
	assert_int_equal(in.predict_horizon_s, 180);
	assert_true(fabs(in.predict_strength - 1.5) < 1e-9);
	assert_string_equal(in.predict_reason, "Wi-Fi signal falling 12 dB/min: -76 dBm, -82 in 30 s");
	assert_int_equal(in.tel_points, 12);
	for (int i = 0; i < 60; i++) {          /* 30 s with every fifth probe lost */
		now += 500000;
		mstate_outcome(&ms, i % 5 ? MSTATE_REPLY : MSTATE_LOST, now - 30000,
			       i % 5 ? 30000 : 0, now);
	}
	tel_member_apply(&t, &ms, now);         /* the same verdict, the probes now agree */
	tel_member_input(&t, &in);
	assert_true(fabs(in.predict_strength - 3) < 1e-9);
	assert_non_null(strstr(in.predict_reason, "; the probes agree: loss 20 % in 30 s"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prediction_and_probes),
		cmocka_unit_test(test_registry_matches_build),
		cmocka_unit_test(test_parts_follow_class),
		cmocka_unit_test(test_penalty_cap),
		cmocka_unit_test(test_inputs),
		cmocka_unit_test(test_link_down_is_state),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
