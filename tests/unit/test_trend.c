/* trend: the slope, its standard error and significance on data with
 * answers worked out by hand, and the test's error rates on synthetic AR(1)
 * wander (a fixed pseudo-random sequence, so the counts are exact). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>

#include "engine/trend.h"

#define S 1000000ULL
#define NOW (100000 * S)

/* Points one per `step_s`, the last one at NOW, oldest first. */
static void fill(struct trend *t, const double *v, unsigned n, double step_s)
{
	trend_init(t, NOW);
	for (unsigned i = 0; i < n; i++)
		trend_add(t, NOW - (uint64_t)((n - 1 - i) * step_s * 1e6), v[i]);
}

static void test_exact_line(void **state)
{
	(void)state;
	double v[8];
	struct trend t;
	struct trend_fit f;
	for (unsigned i = 0; i < 8; i++)
		v[i] = -80 - 5.0 * i * 15 / 60;         /* -5 dB/min, every 15 s */
	fill(&t, v, 8, 15);
	assert_true(trend_fit(&t, 0, 60, &f));
	assert_true(fabs(f.slope + 5) < 1e-9);
	assert_true(fabs(f.level - v[7]) < 1e-9);
	assert_true(isinf(f.t) && f.t < 0);
	assert_true(trend_falling(&f, 1));
	assert_false(trend_falling(&f, 6));     /* significant but slower than asked */
	assert_true(fabs(trend_slope_per_min(&t, 0) + 5) < 1e-9);
}

/* t = -4..0 min, v = 0 -1 -1 -3 -4: by hand, slope -1, level -3.8, SSE 0.8;
 * without correlation se = sqrt(0.8 / 3 / 10) = 0.1633, t = -6.124, df 3;
 * with rho 0.5 (exact AR(1) factors, worked in Python from the formulas of
 * trend.h): se 0.24689, t -4.0505, noise s.d. 0.71270. */
static void test_known_answers(void **state)
{
	(void)state;
	const double v[5] = { 0, -1, -1, -3, -4 };
	struct trend t;
	struct trend_fit f;

	fill(&t, v, 5, 60);
	assert_true(trend_fit(&t, 0, 0, &f));
	assert_int_equal(f.n, 5);
	assert_true(fabs(f.slope + 1) < 1e-12);
	assert_true(fabs(f.level + 3.8) < 1e-12);
	assert_true(fabs(f.span_min - 4) < 1e-12);
	assert_true(fabs(f.rho) < 1e-12);       /* residual correlation is negative: 0 */
	assert_true(fabs(f.se - 0.163299) < 1e-6);
	assert_true(fabs(f.t + 6.123724) < 1e-6);
	assert_true(fabs(f.df - 3) < 1e-9);
	assert_true(trend_falling(&f, 0.5));    /* t_crit(3) = 4.541 */
	/* A wander time constant of 60 s / ln 2 makes neighbours 0.5 alike. */
	assert_true(trend_fit(&t, 0, 60 / log(2), &f));
	assert_true(fabs(f.rho - 0.5) < 1e-12);
	assert_true(fabs(f.se - 0.246885) < 1e-6);
	assert_true(fabs(f.t + 4.050463) < 1e-6);
	assert_true(fabs(f.sd - 0.712697) < 1e-6);
	assert_true(f.t > -trend_t_crit(f.df));  /* no longer significant */
	assert_false(trend_falling(&f, 0.5));
}

static void test_not_enough(void **state)
{
	(void)state;
	const double v[4] = { -90, -91, -92, -93 };
	struct trend t;
	struct trend_fit f = { .n = 99 };

	fill(&t, v, 3, 15);
	assert_false(trend_fit(&t, 0, 60, &f));
	assert_int_equal(f.n, 99);
	assert_true(isfinite(trend_slope_per_min(&t, 0)));
	fill(&t, v, 4, 15);                     /* 45 s of span */
	assert_false(trend_fit(&t, 60 * S, 60, &f));
	assert_true(isnan(trend_slope_per_min(&t, 60 * S)));
	assert_true(trend_fit(&t, 45 * S, 60, &f));
	trend_init(&t, NOW);                    /* all at one time */
	for (unsigned i = 0; i < 5; i++)
		trend_add(&t, NOW, -90 - i);
	assert_false(trend_fit(&t, 0, 0, &f));
	trend_add(&t, NOW, NAN);                /* ignored */
	assert_int_equal(t.n, 5);
}

static void test_t_table(void **state)
{
	(void)state;
	assert_true(fabs(trend_t_crit(1) - 31.821) < 1e-9);
	assert_true(fabs(trend_t_crit(0.2) - 31.821) < 1e-9);
	assert_true(fabs(trend_t_crit(3) - 4.541) < 1e-9);
	assert_true(fabs(trend_t_crit(3.9) - 4.541) < 1e-9);    /* rounds down: safe side */
	assert_true(fabs(trend_t_crit(10) - 2.764) < 1e-9);
	assert_true(fabs(trend_t_crit(45) - 2.423) < 1e-9);
	assert_true(fabs(trend_t_crit(1e9) - 2.326) < 1e-9);
	for (double df = 1; df < 200; df += 0.5)          /* never rises with df */
		assert_true(trend_t_crit(df + 0.5) <= trend_t_crit(df));
}

/* xorshift64 and Box-Muller: a fixed sequence. */
static uint64_t rng = 88172645463325252ULL;
static double uni(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 9007199254740992.0;
}
static double gauss(void)
{
	double u = uni(), w = uni();
	return sqrt(-2 * log(u > 1e-300 ? u : 1e-300)) * cos(2 * M_PI * w);
}

/* Plain OLS t-test at 1 % as the old rule would have done it. */
static bool naive_falling(const double *v, unsigned n, double step_s)
{
	double tm = 0, vm = 0, sxx = 0, sxy = 0, sse = 0;
	for (unsigned i = 0; i < n; i++) {
		tm += i * step_s / 60 / n;
		vm += v[i] / n;
	}
	for (unsigned i = 0; i < n; i++) {
		sxx += (i * step_s / 60 - tm) * (i * step_s / 60 - tm);
		sxy += (i * step_s / 60 - tm) * (v[i] - vm);
	}
	double b = sxy / sxx, a = vm - b * tm;
	for (unsigned i = 0; i < n; i++)
		sse += (v[i] - a - b * i * step_s / 60) * (v[i] - a - b * i * step_s / 60);
	return b <= -1 && b / sqrt(sse / (n - 2) / sxx) <= -trend_t_crit(n - 2);
}

/* Windows of 13 samples 15 s apart of AR(1) wander (sigma 2 dB, tau 60 s)
 * plus 1 dB of measurement noise, with a fade of `slope` dB/min on top:
 * how many of `runs` windows does each test call falling? */
static void rates(double slope, unsigned runs, unsigned *ours, unsigned *naive)
{
	const unsigned n = 13;
	const double step = 15, a = exp(-step / 60);
	double x = 0, v[13];
	struct trend t;
	struct trend_fit f;

	rng = 88172645463325252ULL;
	*ours = *naive = 0;
	for (unsigned k = 0; k < runs; k++) {
		for (unsigned i = 0; i < n; i++) {
			x = a * x + 2 * sqrt(1 - a * a) * gauss();
			v[i] = -93 + x + gauss() + slope * i * step / 60;
		}
		fill(&t, v, n, step);
		assert_true(trend_fit(&t, 0, 60, &f));
		*ours += trend_falling(&f, 1);
		*naive += naive_falling(v, n, step);
	}
}

static void test_wander_is_not_a_fade(void **state)
{
	(void)state;
	unsigned ours, naive;
	rates(0, 5000, &ours, &naive);
	/* 1 % nominal: the plain test finds "fades" in about one window in
	 * ten; this one in well under one in a hundred. */
	assert_true(naive > 5000 / 20);
	assert_true(ours < 5000 / 100);
}

static void test_real_fades_are_seen(void **state)
{
	(void)state;
	unsigned ours, naive;
	rates(-7.5, 2000, &ours, &naive);       /* cellular_fade's rate */
	assert_true(ours > 2000 * 95 / 100);
	rates(-5, 2000, &ours, &naive);
	assert_true(ours > 2000 * 70 / 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_line),
		cmocka_unit_test(test_known_answers),
		cmocka_unit_test(test_not_enough),
		cmocka_unit_test(test_t_table),
		cmocka_unit_test(test_wander_is_not_a_fade),
		cmocka_unit_test(test_real_fades_are_seen),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
