/* trend: see trend.h. */
#include "engine/trend.h"

#include <math.h>
#include <string.h>

void trend_init(struct trend *t, uint64_t now_us)
{
	memset(t, 0, sizeof(*t));
	t->now_us = t->oldest_us = t->newest_us = now_us;
}

void trend_add(struct trend *t, uint64_t at_us, double v)
{
	if (t->n >= TREND_MAX || !isfinite(v))
		return;
	t->t[t->n] = -((double)t->now_us - (double)at_us) / 60e6;
	t->v[t->n] = v;
	if (t->n == 0 || at_us < t->oldest_us)
		t->oldest_us = at_us;
	if (t->n == 0 || at_us > t->newest_us)
		t->newest_us = at_us;
	t->n++;
}

struct moments {
	double tm, vm, sxx, sxy;
};

static void moments(const struct trend *t, struct moments *m)
{
	double n = t->n;
	memset(m, 0, sizeof(*m));
	for (unsigned i = 0; i < t->n; i++) {
		m->tm += t->t[i] / n;
		m->vm += t->v[i] / n;
	}
	for (unsigned i = 0; i < t->n; i++) {
		m->sxx += (t->t[i] - m->tm) * (t->t[i] - m->tm);
		m->sxy += (t->t[i] - m->tm) * (t->v[i] - m->vm);
	}
}

static uint64_t span_us(const struct trend *t)
{
	return t->n ? t->newest_us - t->oldest_us : 0;
}

double trend_slope_per_min(const struct trend *t, uint64_t min_span_us)
{
	struct moments m;
	if (t->n < 3 || span_us(t) < min_span_us)
		return NAN;
	moments(t, &m);
	return m.sxx > 0 ? m.sxy / m.sxx : NAN;
}

/* Lag-1 correlation of the residuals (in the order fed, which is time
 * order), with Marriott and Pope's small-sample bias -(1 + 3 rho) / n put
 * back: a handful of residuals underestimates it badly. */
static double resid_rho(const double *r, unsigned n)
{
	double num = 0, den = 0;
	for (unsigned i = 0; i < n; i++) {
		den += r[i] * r[i];
		if (i)
			num += r[i] * r[i - 1];
	}
	if (den <= 0)
		return 0;
	double rho = num / den;
	return rho + (1 + 3 * rho) / n;
}

/* Given AR(1) correlation rho between points one mean spacing apart: the
 * slope's variance factor V (Var b = sigma^2 V), tr(M R) (E[SSE] = sigma^2
 * tr(M R), M the residual maker of the line fit) and the degrees of freedom
 * of the noise estimate SSE / tr(M R) by Satterthwaite's rule,
 * tr(M R)^2 / tr((M R)^2). */
static void ar1_factors(const struct trend *t, const struct moments *m, double rho,
			double *v, double *trmr, double *df)
{
	unsigned n = t->n;
	double step = fabs(t->t[0] - t->t[n - 1]) / (n - 1);
	static double R[TREND_MAX][TREND_MAX], MR[TREND_MAX][TREND_MAX];

	*v = 0;
	for (unsigned i = 0; i < n; i++)
		for (unsigned j = 0; j < n; j++) {
			double lag = step > 0 ? fabs(t->t[i] - t->t[j]) / step : 0;
			R[i][j] = rho > 0 ? pow(rho, lag) : i == j;
			*v += (t->t[i] - m->tm) * (t->t[j] - m->tm) / (m->sxx * m->sxx) * R[i][j];
		}
	/* MR = R - H R, H_ik = 1/n + d_i d_k / Sxx. */
	double tr = 0, tr2 = 0;
	for (unsigned i = 0; i < n; i++)
		for (unsigned j = 0; j < n; j++) {
			double hr = 0;
			for (unsigned k = 0; k < n; k++)
				hr += (1.0 / n + (t->t[i] - m->tm) * (t->t[k] - m->tm) / m->sxx) * R[k][j];
			MR[i][j] = R[i][j] - hr;
		}
	for (unsigned i = 0; i < n; i++) {
		tr += MR[i][i];
		for (unsigned j = 0; j < n; j++)
			tr2 += MR[i][j] * MR[j][i];
	}
	*trmr = fmax(1e-9, tr);
	*df = tr2 > 0 ? tr * tr / tr2 : n - 2;
}

bool trend_fit(const struct trend *t, uint64_t min_span_us, double wander_tau_s,
	       struct trend_fit *out)
{
	struct moments m;
	double r[TREND_MAX], sse = 0;

	if (t->n < 4 || span_us(t) < min_span_us)
		return false;
	moments(t, &m);
	if (m.sxx <= 0)
		return false;
	double b = m.sxy / m.sxx, a = m.vm - b * m.tm;
	for (unsigned i = 0; i < t->n; i++) {
		r[i] = t->v[i] - (a + b * t->t[i]);
		sse += r[i] * r[i];
	}
	double step_s = (double)span_us(t) / 1e6 / (t->n - 1);
	double floor = wander_tau_s > 0 && step_s > 0 ? exp(-step_s / wander_tau_s) : 0;
	double rho = fmin(TREND_RHO_MAX, fmax(floor, resid_rho(r, t->n)));
	double v, trmr, df;
	ar1_factors(t, &m, rho, &v, &trmr, &df);
	double var = sse / trmr;
	memset(out, 0, sizeof(*out));
	out->n = t->n;
	out->span_min = (double)span_us(t) / 60e6;
	out->slope = b;
	out->level = a;
	out->sd = sqrt(var);
	out->rho = rho;
	out->se = sqrt(var * v);
	out->df = fmax(1, df);
	out->t = out->se > 0 ? b / out->se : b < 0 ? -INFINITY : b > 0 ? INFINITY : 0;
	return true;
}

double trend_t_crit(double df)
{
	/* Student's t, one-sided 99 %, df 1..30, then 40, 60, 120, infinity. */
	static const double q[] = { 31.821, 6.965, 4.541, 3.747, 3.365, 3.143, 2.998, 2.896,
				    2.821, 2.764, 2.718, 2.681, 2.650, 2.624, 2.602, 2.583,
				    2.567, 2.552, 2.539, 2.528, 2.518, 2.508, 2.500, 2.492,
				    2.485, 2.479, 2.473, 2.467, 2.462, 2.457 };
	if (!(df >= 1))
		return q[0];
	if (df < 31) {
		int k = (int)(df + 1e-9);       /* rounding down is the safe side */
		return q[(k > 30 ? 30 : k) - 1];
	}
	if (df < 40)
		return 2.457;
	if (df < 60)
		return 2.423;
	if (df < 120)
		return 2.390;
	return df < 1e6 ? 2.358 : 2.326;
}

bool trend_falling(const struct trend_fit *f, double min_rate)
{
	return isfinite(f->slope) && f->slope <= -min_rate && f->t <= -trend_t_crit(f->df);
}
