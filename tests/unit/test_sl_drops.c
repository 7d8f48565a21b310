/* sl_drops: the dish's newest 15 s of drops against its own history, on
 * hand-made rings whose counts are worked out by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>

#include "starlink/sl_drops.h"

static struct sl_history h;

static void ring(unsigned n)
{
	memset(&h, 0, sizeof(h));
	h.current = 5000;
	h.ring_len = 900;
	h.n = n;
	for (unsigned i = 0; i < n; i++)
		h.latency_ms[i] = 30;
}

/* The captured dish's normal: 2 s of 1/15 drops at the start of every
 * other 15-s slot (second 1 and 2 of it). */
static void blips(unsigned from, unsigned to)
{
	for (unsigned i = from; i < to; i++)
		if ((i / 15) % 2 == 0 && (i % 15 == 1 || i % 15 == 2))
			h.drop[i] = 1.0f / 15;
}

static void test_clean_dish(void **st)
{
	struct sl_drops d;
	ring(900);
	h.drop[897] = h.drop[898] = h.drop[899] = 0.1f;
	sl_drops_analyse(&h, &d);
	assert_int_equal(d.recent, 3);
	/* 885 baseline seconds, all clean: 871 windows, none with 3 drops. */
	assert_int_equal(d.windows, 871);
	assert_int_equal(d.as_many, 0);
	assert_true(d.p99 == 0);
	assert_true(sl_drops_ramp(&d));
	assert_true(sl_drops_status_ramp(&d, true, 0.02f));
	assert_false(sl_drops_status_ramp(&d, true, 0.01f));    /* 1 % is nothing */
	assert_true(fabs(d.mean60 - 0.3 / 60) < 1e-6);
}

static void test_noisy_dish(void **st)
{
	struct sl_drops d;
	ring(900);
	blips(0, 900);
	sl_drops_analyse(&h, &d);
	/* Seconds 885..899 are slot 59 (odd: no blip): 0 drops. The baseline
	 * windows of 15 s hold 0 or 2 drop seconds (0 or 2/15 of drop). */
	assert_int_equal(d.recent, 0);
	assert_false(sl_drops_ramp(&d));
	/* 3 drop seconds (3/15) where this dish never had more than 2 (2/15)
	 * in 15 s: they stand out. */
	ring(900);
	blips(0, 885);
	h.drop[886] = h.drop[887] = h.drop[899] = 1.0f / 15;
	sl_drops_analyse(&h, &d);
	assert_int_equal(d.recent, 3);
	assert_int_equal(d.as_many, 0);
	assert_true(sl_drops_ramp(&d));
	/* Three in a row within every 15 s: an ordinary minute now, and as
	 * much drop as every baseline window. */
	ring(900);
	for (unsigned i = 0; i < 900; i++)
		h.drop[i] = i % 15 < 3 ? 1.0f / 15 : 0;
	sl_drops_analyse(&h, &d);
	assert_int_equal(d.recent, 3);
	assert_int_equal(d.as_many, d.windows);
	assert_false(sl_drops_ramp(&d));
	/* 8 of the newest 15 at 20 % stand out against that. */
	for (unsigned i = 885; i < 900; i += 2)
		h.drop[i] = 0.2f;
	sl_drops_analyse(&h, &d);
	assert_true(d.recent >= 8);
	assert_int_equal(d.as_many, 0);
	assert_true(sl_drops_ramp(&d));
	/* The 1-s drop rates of that baseline: 1/15 in 3 of 15 s. */
	assert_true(fabs(d.p99 - 1.0f / 15) < 1e-6);
	assert_false(sl_drops_status_ramp(&d, true, 0.05f));
	assert_true(sl_drops_status_ramp(&d, true, 0.1f));
	assert_true(sl_drops_status_ramp(&d, false, 0.05f));    /* no history: 1 % */
}

/* Outages (drop rate 1) and 3 s either side are not baseline. */
/* Both have to stand out: more seconds with drops than usual (3 seconds of
 * 1/15 on a dish whose quarter-minutes carried 0.4 in one second have more
 * seconds but less drop: nothing), and more drop than usual (a heavy blip
 * of 3 seconds on a dish with long light runs: nothing). */
static void test_count_and_mass(void **st)
{
	struct sl_drops d;
	ring(900);
	for (unsigned i = 0; i < 885; i++)
		h.drop[i] = i % 15 == 0 ? 0.4f : 0;
	h.drop[897] = h.drop[898] = h.drop[899] = 1.0f / 15;
	sl_drops_analyse(&h, &d);
	assert_int_equal(d.recent, 3);
	assert_int_equal(d.as_many, 0);
	assert_int_equal(d.as_heavy, d.windows);
	assert_false(sl_drops_ramp(&d));
	h.drop[897] = h.drop[898] = h.drop[899] = 0.5f;
	sl_drops_analyse(&h, &d);
	assert_int_equal(d.as_heavy, 0);
	assert_true(sl_drops_ramp(&d));
	ring(900);
	for (unsigned i = 0; i < 885; i++)
		h.drop[i] = i % 30 < 20 ? 1.0f / 15 : 0;        /* 20-s light runs */
	h.drop[897] = h.drop[898] = h.drop[899] = 0.5f;      /* 1.5 of drop: heavier */
	sl_drops_analyse(&h, &d);
	assert_int_equal(d.as_heavy, 0);
	assert_true(d.as_many * 100 >= d.windows);
	assert_false(sl_drops_ramp(&d));
}

static void test_outages_left_out(void **st)
{
	struct sl_drops d;
	ring(900);
	for (unsigned i = 400; i < 420; i++)
		h.drop[i] = 1;
	h.drop[397] = h.drop[398] = h.drop[421] = h.drop[422] = 0.5f;    /* edges */
	h.drop[899] = h.drop[898] = h.drop[897] = 0.1f;
	sl_drops_analyse(&h, &d);
	/* Out: 397..422, with their heavy edges. Clean runs: 0..396 (397 s: 383
	 * windows of 15 s), 423..884 (462 s: 448). */
	assert_int_equal(d.windows, 383 + 448);
	assert_int_equal(d.as_many, 0);
	assert_true(d.p99 == 0);
	assert_true(sl_drops_ramp(&d));
}

/* A short history has no baseline: 3 drop seconds are enough. */
static void test_short_history(void **st)
{
	struct sl_drops d;
	ring(60);
	h.drop[57] = h.drop[58] = h.drop[59] = 0.1f;
	sl_drops_analyse(&h, &d);
	assert_true(d.windows < 60);
	assert_true(sl_drops_ramp(&d));
	ring(0);
	sl_drops_analyse(&h, &d);
	assert_int_equal(d.recent, 0);
	assert_false(sl_drops_ramp(&d));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_dish),
		cmocka_unit_test(test_noisy_dish),
		cmocka_unit_test(test_count_and_mass),
		cmocka_unit_test(test_outages_left_out),
		cmocka_unit_test(test_short_history),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
