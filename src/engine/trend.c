#include "engine/trend.h"

#include <math.h>
#include <string.h>

void trend_init(struct trend *t, uint64_t now_us)
{
	memset(t, 0, sizeof(*t));
	t->now_us = t->oldest_us = now_us;
}

void trend_add(struct trend *t, uint64_t at_us, double v)
{
	double m = -(double)(t->now_us - at_us) / 60e6;   /* minutes, <= 0 */
	t->n++;
	t->st += m;
	t->sv += v;
	t->stt += m * m;
	t->stv += m * v;
	if (at_us < t->oldest_us)
		t->oldest_us = at_us;
}

double trend_slope_per_min(const struct trend *t, uint64_t min_span_us)
{
	double den = t->n * t->stt - t->st * t->st;
	if (t->n < 3 || t->now_us - t->oldest_us < min_span_us || den <= 0)
		return NAN;
	return (t->n * t->stv - t->st * t->sv) / den;
}
