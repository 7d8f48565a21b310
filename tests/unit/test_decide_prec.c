/* decide_prec: predictions as claims the engine checks (decide.h
 * "Precursors"): hits and misses counted per member and kind with figures
 * worked out by hand, the bar they set, fail-back held while a prediction
 * is open, the flap guard, and quality moves that need the probes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "decide_world.h"
#include "engine/decide_prec_json.h"

static void predict(struct decide_input *x, const char *kind, double strength, uint32_t horizon)
{
	x->predicted_outage = true;
	x->predict_reason = "test";
	x->predict_kind = kind;
	x->predict_strength = strength;
	x->predict_horizon_s = horizon;
}

static void clear(struct decide_input *x)
{
	x->predicted_outage = false;
	x->predict_kind = NULL;
}

static struct decide_prec_view view(const struct world *w, const char *member, const char *kind)
{
	struct decide_prec_view v[DECIDE_KINDS];
	unsigned n = decide_precursors(&w->d, member, v, DECIDE_KINDS);
	for (unsigned i = 0; i < n; i++)
		if (strcmp(v[i].kind, kind) == 0)
			return v[i];
	fail_msg("no %s record on %s", kind, member);
	return v[0];
}

/* The last decision of a type (fails the test when there is none). */
static const struct decision *last_of(const struct world *w, enum decide_type t)
{
	static const struct decision none;
	for (unsigned i = 0; i < decide_history_count(&w->d); i++)
		if (decide_history(&w->d, i)->type == t)
			return decide_history(&w->d, i);
	fail_msg("no %s decision", decide_type_name(t));
	return &none;
}

/* One false alarm on starlink: it moves traffic, no outage follows, and
 * traffic comes back once the prediction's time has run out. */
static void false_alarm(struct world *w, const char *kind, double strength)
{
	predict(&w->in[0], kind, strength, 60);
	run(w, 10);
	clear(&w->in[0]);
	run(w, 1000);
	assert_string_equal(active(w), "starlink");
}

static void test_hits_misses_and_bar(void **state)
{
	struct world *w = world_new();
	eval(w);
	run(w, 100);

	/* A hit: traffic leaves, the outage comes 20 s later. */
	predict(&w->in[0], "obstruction", 1, 60);
	assert_int_equal(run(w, 1), 1);
	assert_string_equal(active(w), "lte");
	assert_string_equal(w->last[0].precursor, "obstruction");
	run(w, 19);
	down(&w->in[0], "11 probes lost");
	run(w, 1);
	struct decide_prec_view v = view(w, "starlink", "obstruction");
	assert_int_equal(v.alarms, 1);
	assert_int_equal(v.hits, 1);
	assert_int_equal(v.moves, 1);
	assert_int_equal(v.move_hits, 1);
	assert_true(fabs(v.precision - 1) < 1e-12);
	assert_true(fabs(v.bar - 1) < 1e-12);
	clear(&w->in[0]);
	set(&w->in[0], HEALTH_UP, 100, "ok");
	run(w, 1000);
	assert_string_equal(active(w), "starlink");

	/* Three misses. Decayed counts (0.85 a step), p = (hits' + 1) /
	 * (alarms' + 2), bar = max(1, 0.5 / p):
	 *   2: alarms' 1.85   hits' 0.85   p 0.4805  bar 1.0405
	 *   3: alarms' 2.5725 hits' 0.7225 p 0.3767  bar 1.3273
	 *   4: alarms' 3.1866 hits' 0.6141 p 0.3112  bar 1.6066 */
	false_alarm(w, "obstruction", 2.5);
	v = view(w, "starlink", "obstruction");
	assert_int_equal(v.alarms, 2);
	assert_int_equal(v.hits, 1);
	assert_true(fabs(v.bar - 1.0405) < 1e-4);
	false_alarm(w, "obstruction", 2.5);
	v = view(w, "starlink", "obstruction");
	assert_true(fabs(v.w_alarms - 2.5725) < 1e-9 && fabs(v.w_hits - 0.7225) < 1e-9);
	assert_true(fabs(v.bar - 1.3273) < 1e-4);
	false_alarm(w, "obstruction", 2.5);
	v = view(w, "starlink", "obstruction");
	assert_int_equal(v.alarms, 4);
	assert_int_equal(v.hits, 1);
	assert_int_equal(v.moves, 4);
	assert_int_equal(v.move_hits, 1);
	assert_true(fabs(v.precision - 0.25) < 1e-12);
	assert_true(fabs(v.bar - 1.6066) < 1e-4);

	/* Now strength 1.5 is not enough: no move, one hold that says why,
	 * and the alarm still counts (a miss: no outage). */
	predict(&w->in[0], "obstruction", 1.5, 60);
	assert_int_equal(run(w, 30), 0);
	assert_string_equal(active(w), "starlink");
	const struct decision *h = last_of(w, DECIDE_HOLD);
	assert_non_null(strstr(h->reason, "obstruction predicted an outage, not acted on: right 1 "
				  "of 4 times here, so it needs strength 1.6 (has 1.5)"));
	assert_false(h->flap_prevented);
	run(w, 60);
	clear(&w->in[0]);
	run(w, 1);
	assert_int_equal(view(w, "starlink", "obstruction").alarms, 5);
	assert_int_equal(view(w, "starlink", "obstruction").moves, 4);
	/* Another kind on the same member keeps its own record. */
	predict(&w->in[0], "planned", 4, 300);
	assert_int_equal(run(w, 1), 1);
	assert_int_equal(view(w, "starlink", "planned").moves, 1);
	assert_true(fabs(view(w, "starlink", "planned").bar - 1) < 1e-12);
}

/* A kind that is right again earns its bar back. */
static void test_bar_comes_back(void **state)
{
	struct world *w = world_new();
	eval(w);
	run(w, 100);
	for (int i = 0; i < 4; i++)
		false_alarm(w, "cellular_fade", 8);
	double high = view(w, "starlink", "cellular_fade").bar;
	assert_true(high > 1.5);
	for (int i = 0; i < 4; i++) {
		predict(&w->in[0], "cellular_fade", 8, 60);
		run(w, 5);
		down(&w->in[0], "no carrier");
		run(w, 5);
		clear(&w->in[0]);
		set(&w->in[0], HEALTH_UP, 100, "ok");
		run(w, 1000);
	}
	/* 4 misses then 4 hits: bar 2.5933, then 1.4272, 1.0794, 1, 1. */
	struct decide_prec_view v = view(w, "starlink", "cellular_fade");
	assert_int_equal(v.hits, 4);
	assert_true(fabs(high - 2.5933) < 1e-4);
	assert_true(fabs(v.bar - 1) < 1e-12);
}

/* The hardware saying it is out settles the other open predictions. */
static void test_outage_kind_confirms(void **state)
{
	struct world *w = world_new();
	eval(w);
	run(w, 100);
	predict(&w->in[0], "obstruction", 2, 120);
	run(w, 5);
	predict(&w->in[0], DECIDE_KIND_OUTAGE, 8, 30);
	run(w, 1);
	struct decide_prec_view v = view(w, "starlink", "obstruction");
	assert_int_equal(v.alarms, 1);
	assert_int_equal(v.hits, 1);
	assert_false(v.open);
	assert_true(view(w, "starlink", DECIDE_KIND_OUTAGE).open);
}

/* Fail-back waits for an open prediction: the member left pre-emptively is
 * healthy again after 10 s, but the outage was announced for the next 5
 * minutes. */
static void test_failback_waits_for_open_prediction(void **state)
{
	struct world *w = world_new();
	eval(w);
	run(w, 100);
	predict(&w->in[0], "obstruction", 2, 300);
	assert_int_equal(run(w, 10), 1);
	clear(&w->in[0]);
	/* The normal hold (60 s after a 10-s spell) would return at ~70 s. */
	assert_int_equal(run(w, 285), 0);
	assert_string_equal(active(w), "lte");
	const struct decision *h = last_of(w, DECIDE_HOLD);
	assert_true(h->flap_prevented);
	assert_non_null(strstr(h->reason, "starlink is up again, but the outage obstruction "
				  "predicted"));
	assert_non_null(strstr(h->reason, "lte keeps traffic (flap prevented)"));
	assert_true(decide_next_us(&w->d, w->now) <= w->now + 10 * S);
	assert_int_equal(run(w, 10), 1);
	assert_string_equal(active(w), "starlink");
	assert_int_equal(view(w, "starlink", "obstruction").hits, 0);
}

/* After a false alarm, a new prediction within flap_guard of the return
 * needs twice the bar (1.5 after one miss); a strong one, or one after the
 * guard, moves. */
static void test_flap_guard(void **state)
{
	struct world *w = world_new();
	eval(w);
	run(w, 100);
	predict(&w->in[0], "wifi_fade", 1.5, 60);
	run(w, 10);
	clear(&w->in[0]);
	unsigned t = 0;
	while (strcmp(active(w), "starlink") != 0 && t++ < 1000)
		run(w, 1);
	assert_string_equal(active(w), "starlink");
	run(w, 120);
	predict(&w->in[0], "wifi_fade", 2.5, 60);
	assert_int_equal(run(w, 20), 0);
	const struct decision *h = last_of(w, DECIDE_HOLD);
	assert_true(h->flap_prevented);
	assert_non_null(strstr(h->reason, "starlink: wifi_fade predicted an outage again"));
	assert_non_null(strstr(h->reason, "staying (flap prevented)"));
	predict(&w->in[0], "wifi_fade", 4, 60);         /* twice the bar: moves */
	assert_int_equal(run(w, 1), 1);
	assert_string_equal(active(w), "lte");
}

static void test_flap_guard_expires(void **state)
{
	struct world *w = world_new();
	eval(w);
	run(w, 100);
	false_alarm(w, "wifi_fade", 2);
	run(w, 600);                                    /* 10 min after the return */
	predict(&w->in[0], "wifi_fade", 1.5, 60);       /* bar 1.5 after one miss */
	assert_int_equal(run(w, 1), 1);
	assert_string_equal(active(w), "lte");
}

/* A score deficit of link telemetry alone (the probes are fine) does not
 * carry a quality switch; one the probes share does. */
static void test_quality_needs_the_probes(void **state)
{
	struct world *w = world_new();
	eval(w);
	run(w, 100);
	set(&w->in[0], HEALTH_DEGRADED, 65, "weak signal -84 dBm -35");
	w->in[0].tel_points = 35;
	assert_int_equal(run(w, 300), 0);
	assert_string_equal(active(w), "starlink");
	const struct decision *h = last_of(w, DECIDE_HOLD);
	assert_non_null(strstr(h->reason, "better on link telemetry alone, the probes on starlink "
				  "are fine"));
	/* 25 of the 35 points from the probes: 100 beats 65 + 10 by 25 >= 10. */
	w->in[0].tel_points = 10;
	set(&w->in[0], HEALTH_DEGRADED, 65, "loss 8% -25, weak signal -10");
	assert_int_equal(run(w, 59), 0);
	assert_int_equal(run(w, 2), 1);
	assert_string_equal(active(w), "lte");
}

/* A prediction below the assessor's own bar (an obstruction seen only as a
 * filling sky map): not acted on unless the probes agree. */
static void test_weak_alone(void **state)
{
	struct world *w = world_new();
	eval(w);
	run(w, 100);
	predict(&w->in[0], "obstruction", 0.5, 120);
	assert_int_equal(run(w, 10), 0);
	assert_non_null(strstr(last_of(w, DECIDE_HOLD)->reason, "starlink: obstruction predicted an "
			       "outage, not acted on: too weak alone (strength 0.5 of 1.0; the "
			       "probes agreeing would double it)"));
	predict(&w->in[0], "obstruction", 1.0, 120);    /* what tel_member makes of it */
	assert_int_equal(run(w, 1), 1);
	assert_string_equal(active(w), "lte");
}

static void test_restore_and_view(void **state)
{
	struct world *w = world_new();
	struct decide_prec_view v = { .kind = "cellular_fade", .alarms = 10, .hits = 2, .moves = 7,
				      .move_hits = 9, .w_alarms = 5.5, .w_hits = 1.1 };
	assert_int_equal(decide_prec_restore(&w->d, "lte", &v), 0);
	eval(w);
	struct decide_prec_view r = view(w, "lte", "cellular_fade");
	assert_int_equal(r.alarms, 10);
	assert_int_equal(r.hits, 2);
	assert_int_equal(r.moves, 7);
	assert_int_equal(r.move_hits, 7);             /* never more than the moves */
	assert_true(fabs(r.precision - 0.2) < 1e-12);
	assert_true(fabs(r.bar - 0.5 / (2.1 / 7.5)) < 1e-9);
	v.w_alarms = NAN;                               /* nonsense is not believed */
	v.w_hits = -3;
	assert_int_equal(decide_prec_restore(&w->d, "wifi", &v), 0);
	r = view(w, "wifi", "cellular_fade");
	assert_true(r.w_alarms == 0 && r.w_hits == 0 && fabs(r.bar - 1) < 1e-12);
	struct decide_prec_view none = { .kind = "" };
	assert_int_equal(decide_prec_restore(&w->d, "wifi", &none), -1);
	assert_int_equal(decide_precursors(&w->d, "nobody", &r, 1), 0);
}

/* state_dir/precursors.json: what is written reads back the same; other
 * documents and unsound entries are refused or skipped. */
static void test_store_round_trip(void **state)
{
	struct world *w = world_new();
	static struct decide back;
	eval(w);
	run(w, 100);
	false_alarm(w, "obstruction", 2);
	predict(&w->in[0], "planned", 4, 30);
	run(w, 5);
	down(&w->in[0], "rebooting");
	run(w, 5);
	assert_true(w->d.prec_dirty);
	json_object *o = decide_prec_to_json(&w->d);
	const char *txt = json_object_to_json_string(o);
	decide_init(&back, NULL);
	assert_int_equal(decide_prec_load(&back, txt, strlen(txt)), 2);
	json_object_put(o);
	struct decide_prec_view a[DECIDE_KINDS], b[DECIDE_KINDS];
	unsigned na = decide_precursors(&w->d, "starlink", a, DECIDE_KINDS);
	assert_int_equal(decide_precursors(&back, "starlink", b, DECIDE_KINDS), na);
	for (unsigned i = 0; i < na; i++) {
		assert_string_equal(a[i].kind, b[i].kind);
		assert_int_equal(a[i].alarms, b[i].alarms);
		assert_int_equal(a[i].hits, b[i].hits);
		assert_true(fabs(a[i].bar - b[i].bar) < 1e-9);
	}
	json_object *v = decide_prec_member_json(&w->d, "starlink", true);
	assert_int_equal(json_object_array_length(v), 2);
	assert_non_null(strstr(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN),
			       "\"checking\":false"));
	json_object_put(v);
	static const char *const bad[] = {
		"", "[]", "{\"format\":\"autonomy-locations/1\",\"places\":[]}",
		"{\"format\":\"autonomy-precursors/1\",\"members\":[]}",
		"{\"format\":\"autonomy-precursors/1\",\"members\":{}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		decide_init(&back, NULL);
		assert_int_equal(decide_prec_load(&back, bad[i], strlen(bad[i])), -1);
		assert_int_equal(back.n, 0);
	}
	static const char skip[] = "{\"format\":\"autonomy-precursors/1\",\"members\":{"
		"\"lte\":[{\"kind\":\"cellular_fade\",\"alarms\":1,\"hits\":2,\"moves\":0,"
		"\"move_hits\":0,\"w_alarms\":1,\"w_hits\":1},"
		"{\"kind\":\"wifi_fade\",\"alarms\":-1,\"hits\":0,\"moves\":0,\"move_hits\":0,"
		"\"w_alarms\":1,\"w_hits\":1},"
		"{\"kind\":\"planned\",\"alarms\":3,\"hits\":2,\"moves\":2,\"move_hits\":1,"
		"\"w_alarms\":2.5,\"w_hits\":1.5}],\"\":[]}}";
	decide_init(&back, NULL);
	assert_int_equal(decide_prec_load(&back, skip, strlen(skip)), 1);  /* hits > alarms, -1 */
	assert_int_equal(decide_precursors(&back, "lte", a, DECIDE_KINDS), 1);
	assert_string_equal(a[0].kind, "planned");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hits_misses_and_bar),
		cmocka_unit_test(test_bar_comes_back),
		cmocka_unit_test(test_outage_kind_confirms),
		cmocka_unit_test(test_failback_waits_for_open_prediction),
		cmocka_unit_test(test_flap_guard),
		cmocka_unit_test(test_flap_guard_expires),
		cmocka_unit_test(test_quality_needs_the_probes),
		cmocka_unit_test(test_weak_alone),
		cmocka_unit_test(test_restore_and_view),
		cmocka_unit_test(test_store_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
