/* trend: is a signal figure really falling? A least-squares line through
 * the recent samples of a modem's RSRP or a radio's signal, with the
 * slope's significance, so that a precursor is judged on evidence and not
 * on the raw slope of a few noisy points.
 *
 * Radio figures wander: consecutive samples polled seconds apart are
 * correlated (the wander has a time constant of tens of seconds), so n
 * samples carry less evidence than n independent ones and an ordinary
 * least-squares t-test would see "fades" in plain wander. The fit assumes
 * AR(1) noise with lag-1 correlation rho: estimated from the residuals
 * (bias-corrected), but at least exp(-spacing / tau) for the caller's
 * wander time constant tau, because a handful of residuals cannot measure
 * it. The slope's variance and the noise level are then computed exactly
 * for that correlation (the OLS slope's variance under correlated noise,
 * the residual variance over tr(M R)), and the degrees of freedom of the
 * noise estimate follow Satterthwaite (tr(M R)^2 / tr((M R)^2)). The
 * one-sided test is at 1 % (trend_t_crit). On AR(1) wander sampled every
 * 15 s with a 60 s time constant, the plain OLS t-test at 1 % sees a fade
 * in 5-11 % of windows; this one in 0.1 % (tests/unit/test_trend.c).
 * docs/decision-engine.md "Precursors".
 *
 * Feed points in time order (newest first or oldest first); at most
 * TREND_MAX are kept. Pure. */
#ifndef AUTONOMY_ENGINE_TREND_H
#define AUTONOMY_ENGINE_TREND_H

#include <stdbool.h>
#include <stdint.h>

#define TREND_MAX 64
#define TREND_RHO_MAX 0.9

struct trend {
	uint64_t now_us, oldest_us, newest_us;
	unsigned n;
	double t[TREND_MAX];            /* minutes before now (<= 0) */
	double v[TREND_MAX];
};

struct trend_fit {
	unsigned n;
	double span_min;                /* oldest to newest point */
	double slope;                   /* units per minute */
	double level;                   /* the line's value now */
	double sd;                      /* noise level (AR(1) marginal s.d.) */
	double rho;                     /* lag-1 correlation assumed */
	double se;                      /* standard error of the slope */
	double df;                      /* degrees of freedom of the test */
	double t;                       /* slope / se (+-INFINITY for an exact line) */
};

void trend_init(struct trend *t, uint64_t now_us);
void trend_add(struct trend *t, uint64_t at_us, double v);
/* The plain least-squares slope per minute; NAN with fewer than 3 points
 * or a span shorter than min_span_us. */
double trend_slope_per_min(const struct trend *t, uint64_t min_span_us);
/* The fit with its significance; false (out untouched) with fewer than 4
 * points, a span shorter than min_span_us or all points at one time.
 * wander_tau_s: the figure's wander time constant (s), which sets the least
 * correlation assumed between neighbours; 0 for none. */
bool trend_fit(const struct trend *t, uint64_t min_span_us, double wander_tau_s,
	       struct trend_fit *out);
/* One-sided 99 % quantile of Student's t with df degrees of freedom
 * (df < 1 counts as 1; a table, conservative between its rows). */
double trend_t_crit(double df);
/* Significantly falling at 1 %, and by at least min_rate per minute. */
bool trend_falling(const struct trend_fit *f, double min_rate);

#endif
