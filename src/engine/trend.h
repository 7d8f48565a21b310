/* trend: least-squares slope of a signal figure over time, in units per
 * minute — the "fading" of a modem's RSRP or a radio's signal. Feed points
 * newest to oldest (any order works); the slope is NAN with fewer than 3
 * points or a span shorter than the minimum. Pure. */
#ifndef AUTONOMY_ENGINE_TREND_H
#define AUTONOMY_ENGINE_TREND_H

#include <stdint.h>

struct trend {
	uint64_t now_us, oldest_us;
	double n, st, sv, stt, stv;     /* sums over (t in minutes before now, v) */
};

void trend_init(struct trend *t, uint64_t now_us);
void trend_add(struct trend *t, uint64_t at_us, double v);
double trend_slope_per_min(const struct trend *t, uint64_t min_span_us);

#endif
