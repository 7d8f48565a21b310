/* window: rolling statistics of one member on a fake monotonic clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <cmocka.h>

#include "engine/window.h"

#define MS 1000ULL
#define S  1000000ULL

static void assert_near(double got, double want, double eps)
{
	if (fabs(got - want) > eps)
		fail_msg("got %.6f, want %.6f (+-%g)", got, want, eps);
}

static void test_empty(void **state)
{
	struct window w;
	struct window_stats st;

	window_init(&w);
	window_stats(&w, 10 * S, 0, &st);
	assert_int_equal(st.n, 0);
	assert_true(isnan(st.loss_pct));
	assert_true(isnan(st.mean_ms));
	assert_true(isnan(st.p50_ms));
	assert_true(isnan(st.jitter_ms));
	assert_true(isnan(st.ewma_ms));
	assert_int_equal(st.last_reply_us, 0);
}

static void test_loss_mean_percentiles(void **state)
{
	struct window w;
	struct window_stats st;
	/* 10 replies of 10..100 ms, then 2 losses: 12 outcomes. */
	window_init(&w);
	for (unsigned i = 0; i < 10; i++)
		window_add(&w, (1 + i) * S, false, (uint32_t)((10 + 10 * i) * MS));
	window_add(&w, 11 * S, true, 0);
	window_add(&w, 12 * S, true, 0);
	window_stats(&w, 12 * S, 0, &st);
	assert_int_equal(st.n, 12);
	assert_int_equal(st.lost, 2);
	assert_near(st.loss_pct, 100.0 * 2 / 12, 1e-9);
	assert_near(st.mean_ms, 55, 1e-9);
	/* Linear interpolation: rank 0.5*9 = 4.5 -> 55; 0.95*9 = 8.55 -> 95.5. */
	assert_near(st.p50_ms, 55, 1e-9);
	assert_near(st.p95_ms, 95.5, 1e-9);
	assert_int_equal(st.consec_lost, 2);
	assert_int_equal(st.last_reply_us, 10 * S + 100 * MS);
}

static void test_percentiles_unsorted_input(void **state)
{
	static const uint32_t ms[] = { 70, 20, 90, 10, 50, 30, 80, 40, 60, 100, 25 };
	struct window w;
	struct window_stats st;

	window_init(&w);
	for (unsigned i = 0; i < sizeof(ms) / sizeof(ms[0]); i++)
		window_add(&w, i * S, false, ms[i] * (uint32_t)MS);
	window_stats(&w, 20 * S, 0, &st);
	/* Sorted: 10 20 25 30 40 50 60 70 80 90 100: median 50, p95 rank 9.5. */
	assert_near(st.p50_ms, 50, 1e-9);
	assert_near(st.p95_ms, 95, 1e-9);
	/* Single reply: every percentile is that reply. */
	window_init(&w);
	window_add(&w, 0, false, 42 * MS);
	window_stats(&w, 1 * S, 0, &st);
	assert_near(st.p50_ms, 42, 1e-9);
	assert_near(st.p95_ms, 42, 1e-9);
	assert_near(st.jitter_ms, 0, 1e-9);
}

static void test_jitter(void **state)
{
	struct window w;
	struct window_stats st;
	/* 30, 40, lost, 35, 55: consecutive replies differ by 10, 5, 20. */
	window_init(&w);
	window_add(&w, 1 * S, false, 30 * MS);
	window_add(&w, 2 * S, false, 40 * MS);
	window_add(&w, 3 * S, true, 0);
	window_add(&w, 4 * S, false, 35 * MS);
	window_add(&w, 5 * S, false, 55 * MS);
	window_stats(&w, 5 * S, 0, &st);
	assert_near(st.jitter_ms, (10 + 5 + 20) / 3.0, 1e-9);
	/* A constant RTT has no jitter. */
	window_init(&w);
	for (unsigned i = 0; i < 20; i++)
		window_add(&w, i * S, false, 30 * MS);
	window_stats(&w, 20 * S, 0, &st);
	assert_near(st.jitter_ms, 0, 1e-9);
}

static void test_ewma(void **state)
{
	struct window w;
	struct window_stats st;

	window_init(&w);
	window_add(&w, 0, true, 0);
	window_stats(&w, 1 * S, 0, &st);
	assert_true(isnan(st.ewma_ms));         /* no reply yet */
	window_add(&w, 1 * S, false, 100 * MS); /* first reply sets it */
	window_stats(&w, 2 * S, 0, &st);
	assert_near(st.ewma_ms, 100, 1e-9);
	window_add(&w, 2 * S, false, 20 * MS);  /* 100 + 0.125 * (20 - 100) */
	window_stats(&w, 3 * S, 0, &st);
	assert_near(st.ewma_ms, 90, 1e-9);
	window_add(&w, 3 * S, true, 0);         /* a loss leaves it */
	window_stats(&w, 4 * S, 0, &st);
	assert_near(st.ewma_ms, 90, 1e-9);
	/* Converges to a steady RTT. */
	for (unsigned i = 0; i < 200; i++)
		window_add(&w, (4 + i) * S, false, 40 * MS);
	window_stats(&w, 300 * S, 0, &st);
	assert_near(st.ewma_ms, 40, 1e-6);
}

static void test_span_filtering(void **state)
{
	struct window w;
	struct window_stats st;
	/* 0..9 s: replies of 100 ms; 10..19 s: losses; then replies of 20 ms. */
	window_init(&w);
	for (unsigned i = 0; i < 10; i++)
		window_add(&w, i * S, false, 100 * MS);
	for (unsigned i = 10; i < 20; i++)
		window_add(&w, i * S, true, 0);
	for (unsigned i = 20; i < 25; i++)
		window_add(&w, i * S, false, 20 * MS);
	/* (now - span, now] = (14, 24]: 5 losses (15..19) and 5 replies. */
	window_stats(&w, 24 * S, 10 * S, &st);
	assert_int_equal(st.n, 10);
	assert_int_equal(st.lost, 5);
	assert_near(st.p50_ms, 20, 1e-9);
	/* The span's lower edge is open: a sample exactly span ago is out. */
	window_stats(&w, 24 * S, 5 * S, &st);
	assert_int_equal(st.n, 5);
	assert_int_equal(st.lost, 0);
	/* Future samples (sent after now) are not in a span. */
	window_stats(&w, 9 * S, 10 * S, &st);
	assert_int_equal(st.n, 10);
	assert_int_equal(st.lost, 0);
	assert_near(st.mean_ms, 100, 1e-9);
	/* span 0 = everything. */
	window_stats(&w, 24 * S, 0, &st);
	assert_int_equal(st.n, 25);
	/* No reply in the span: latency is unknown, loss is 100 %. */
	window_stats(&w, 19 * S, 5 * S, &st);
	assert_int_equal(st.n, 5);
	assert_near(st.loss_pct, 100, 1e-9);
	assert_true(isnan(st.p50_ms));
	assert_true(isnan(st.jitter_ms));
}

static void test_ring_wraps(void **state)
{
	struct window w;
	struct window_stats st;
	unsigned total = WINDOW_CAP * 3 + 17;

	/* Old samples: losses; the last WINDOW_CAP: replies of 1..CAP ms. */
	window_init(&w);
	for (unsigned i = 0; i < total; i++) {
		bool old = i < total - WINDOW_CAP;
		unsigned k = i - (total - WINDOW_CAP) + 1;
		window_add(&w, (uint64_t)i * S, old, old ? 0 : k * (uint32_t)MS);
	}
	assert_int_equal(w.count, WINDOW_CAP);
	assert_int_equal(w.total_sent, total);
	assert_int_equal(w.total_lost, total - WINDOW_CAP);
	window_stats(&w, (uint64_t)total * S, 0, &st);
	assert_int_equal(st.n, WINDOW_CAP);
	assert_int_equal(st.lost, 0);
	assert_near(st.mean_ms, (WINDOW_CAP + 1) / 2.0, 1e-9);
	assert_near(st.p50_ms, (WINDOW_CAP + 1) / 2.0, 1e-9);
	assert_near(st.jitter_ms, 1, 1e-9);     /* 1 ms steps, in ring order */
	/* A span inside the ring after the wrap: the last 10 samples. */
	window_stats(&w, (uint64_t)(total - 1) * S, 10 * S, &st);
	assert_int_equal(st.n, 10);
	assert_near(st.p50_ms, WINDOW_CAP - 4.5, 1e-9);
}

static void test_late_does_not_change_loss(void **state)
{
	struct window w;
	struct window_stats before, after;

	window_init(&w);
	window_add(&w, 1 * S, false, 30 * MS);
	window_add(&w, 2 * S, true, 0);
	window_add(&w, 3 * S, false, 30 * MS);
	window_stats(&w, 3 * S, 0, &before);
	window_add_late(&w);
	window_add_late_rtt(&w, 2 * S, 400 * MS);
	window_stats(&w, 3 * S, 0, &after);
	assert_int_equal(after.n, before.n);
	assert_int_equal(after.lost, 1);
	assert_near(after.loss_pct, before.loss_pct, 1e-12);
	assert_near(after.p95_ms, before.p95_ms, 1e-12);
	assert_int_equal(w.total_late, 2);
	assert_int_equal(w.total_lost, 1);
	assert_int_equal(w.last_late_rtt_us, 400 * MS);
	assert_int_equal(w.last_late_us, 2 * S + 400 * MS);
	assert_int_equal(after.last_reply_us, 3 * S + 30 * MS);
}

static void test_recent_losses(void **state)
{
	struct window w;
	unsigned seen;

	window_init(&w);
	assert_int_equal(window_recent_losses(&w, 5, &seen), 0);
	assert_int_equal(seen, 0);
	window_add(&w, 1 * S, true, 0);
	window_add(&w, 2 * S, false, 10 * MS);
	window_add(&w, 3 * S, true, 0);
	window_add(&w, 4 * S, true, 0);
	assert_int_equal(window_recent_losses(&w, 2, &seen), 2);
	assert_int_equal(seen, 2);
	assert_int_equal(window_recent_losses(&w, 3, &seen), 2);
	assert_int_equal(window_recent_losses(&w, 10, &seen), 3);
	assert_int_equal(seen, 4);
	assert_int_equal(window_recent_losses(&w, 1, NULL), 1);
	/* After a wrap the newest are still found. */
	for (unsigned i = 0; i < WINDOW_CAP; i++)
		window_add(&w, (10 + i) * S, false, 10 * MS);
	window_add(&w, 999 * S, true, 0);
	assert_int_equal(window_recent_losses(&w, 2, &seen), 1);
	assert_int_equal(window_recent_losses(&w, 1000, &seen), 1);
	assert_int_equal(seen, WINDOW_CAP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_loss_mean_percentiles),
		cmocka_unit_test(test_percentiles_unsorted_input),
		cmocka_unit_test(test_jitter),
		cmocka_unit_test(test_ewma),
		cmocka_unit_test(test_span_filtering),
		cmocka_unit_test(test_ring_wraps),
		cmocka_unit_test(test_late_does_not_change_loss),
		cmocka_unit_test(test_recent_losses),
	};
	return cmocka_run_group_tests_name("window", tests, NULL, NULL);
}
