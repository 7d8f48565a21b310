/* loclearn: places, outages, the recurrence judgement, bounds, persistence. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "starlink/loclearn.h"

#define W0 1764300000LL

static void test_recurring(void **st)
{
	static struct loclearn l;
	struct loclearn_verdict v;
	loclearn_init(&l);
	loclearn_observe(&l, "a", W0, W0 + 600);
	assert_true(loclearn_outage(&l, "a", W0 + 100));
	assert_true(loclearn_outage(&l, "a", W0 + 300));
	assert_false(loclearn_outage(&l, "a", W0 + 300));    /* repeated by history */
	assert_false(loclearn_outage(&l, "a", W0 + 200));    /* older than the newest */
	loclearn_judge(&l, "a", W0 + 600, &v);
	assert_int_equal(v.recent, 2);
	assert_false(v.recurring);
	assert_true(loclearn_outage(&l, "a", W0 + 500));
	loclearn_judge(&l, "a", W0 + 600, &v);
	assert_true(v.recurring);                   /* 3 in 10 min: 18/h */
	/* two hours later they have aged out */
	loclearn_observe(&l, "a", W0 + 600, W0 + 600 + 7200);
	loclearn_judge(&l, "a", W0 + 600 + 7200, &v);
	assert_int_equal(v.recent, 0);
	assert_false(v.recurring);
	const struct loclearn_cell *c = loclearn_find(&l, "a");
	assert_int_equal(c->outages, 3);
}

/* A few outages over many hours are not a pattern. */
static void test_sparse_is_not_recurring(void **st)
{
	static struct loclearn l;
	struct loclearn_verdict v;
	loclearn_init(&l);
	for (int h = 0; h < 50; h++)
		loclearn_observe(&l, "a", W0 + h * 720, W0 + (h + 1) * 720);
	loclearn_outage(&l, "a", W0 + 100);
	loclearn_outage(&l, "a", W0 + 18000);
	loclearn_outage(&l, "a", W0 + 35000);
	loclearn_judge(&l, "a", W0 + 36000, &v);
	assert_int_equal(v.recent, 1);
	assert_false(v.recurring);
	/* two within the window are still not a pattern (three are needed) */
	loclearn_outage(&l, "a", W0 + 35500);
	loclearn_judge(&l, "a", W0 + 36000, &v);
	assert_int_equal(v.recent, 2);
	assert_false(v.recurring);
}

/* Gaps (daemon down) are not time spent there. */
static void test_gaps_not_counted(void **st)
{
	static struct loclearn l;
	loclearn_init(&l);
	loclearn_observe(&l, "a", W0, W0 + 30);
	loclearn_observe(&l, "a", W0 + 30, W0 + 30 + 86400);
	assert_int_equal(loclearn_find(&l, "a")->observed_s, 30);
}

static void test_bounded(void **st)
{
	static struct loclearn l;
	char key[16];
	loclearn_init(&l);
	for (int i = 0; i < LOCLEARN_CELLS + 10; i++) {
		snprintf(key, sizeof(key), "p%d", i);
		loclearn_observe(&l, key, W0 + i * 10, W0 + i * 10 + 5);
	}
	assert_int_equal(l.n, LOCLEARN_CELLS);
	assert_null(loclearn_find(&l, "p0"));                 /* least recent forgotten */
	assert_non_null(loclearn_find(&l, "p73"));
	for (int i = 0; i < 3 * LOCLEARN_OUTAGES; i++)
		loclearn_outage(&l, "p73", W0 + 1000 + i);
	const struct loclearn_cell *c = loclearn_find(&l, "p73");
	assert_int_equal(c->n_times, LOCLEARN_OUTAGES);
	assert_int_equal(c->outages, 3 * LOCLEARN_OUTAGES);
}

static void test_json_round_trip(void **st)
{
	static struct loclearn l, m;
	struct loclearn_verdict a, b;
	loclearn_init(&l);
	loclearn_observe(&l, "u4pruy", W0, W0 + 900);
	for (int i = 0; i < 5; i++)
		loclearn_outage(&l, "u4pruy", W0 + 100 * i + 50);
	json_object *o = loclearn_to_json(&l);
	const char *txt = json_object_to_json_string(o);
	json_object *back = json_tokener_parse(txt);
	assert_int_equal(loclearn_from_json(&m, back), 0);
	loclearn_judge(&l, "u4pruy", W0 + 900, &a);
	loclearn_judge(&m, "u4pruy", W0 + 900, &b);
	assert_int_equal(a.recent, b.recent);
	assert_int_equal(a.recurring, b.recurring);
	assert_int_equal(m.last_outage_s, l.last_outage_s);
	json_object_put(o);
	json_object_put(back);
}

static void test_json_garbage(void **st)
{
	static struct loclearn l;
	const char *bad[] = {
		"[]", "{}", "{\"format\":\"other\"}",
		"{\"format\":\"autonomy-locations/1\",\"places\":{}}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_object *o = json_tokener_parse(bad[i]);
		assert_int_equal(loclearn_from_json(&l, o), -1);
		assert_int_equal(l.n, 0);
		json_object_put(o);
	}
	/* bad entries are skipped, good ones kept */
	json_object *o = json_tokener_parse(
		"{\"format\":\"autonomy-locations/1\",\"places\":[{\"key\":7},"
		"{\"key\":\"x\",\"first_ts\":1,\"last_ts\":2,\"observed_s\":-5,\"outages\":0},"
		"{\"key\":\"ok\",\"first_ts\":1,\"last_ts\":2,\"observed_s\":5,\"outages\":1,"
		"\"recent_ts\":[1,\"x\",3]}]}");
	assert_int_equal(loclearn_from_json(&l, o), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.c[0].n_times, 2);
	json_object_put(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recurring),
		cmocka_unit_test(test_sparse_is_not_recurring),
		cmocka_unit_test(test_gaps_not_counted),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_json_garbage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
