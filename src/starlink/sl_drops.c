/* sl_drops: see sl_drops.h. */
#include "starlink/sl_drops.h"

#include <stdlib.h>
#include <string.h>

#define EDGE_S 3                /* seconds either side of an outage left out */
#define MIN_WINDOWS 60          /* fewer clean windows: no baseline */

static int cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;
	return (x > y) - (x < y);
}

/* Marks the baseline seconds that are usable: not in or next to an outage
 * (a drop rate of 1). Returns the baseline length. */
static unsigned clean_mask(const struct sl_history *h, bool *ok)
{
	unsigned base = h->n > SL_DROPS_RECENT ? h->n - SL_DROPS_RECENT : 0;
	for (unsigned i = 0; i < base; i++)
		ok[i] = true;
	for (unsigned i = 0; i < h->n; i++) {
		if (h->drop[i] < 1)
			continue;
		unsigned lo = i > EDGE_S ? i - EDGE_S : 0;
		for (unsigned k = lo; k <= i + EDGE_S && k < base; k++)
			ok[k] = false;
	}
	return base;
}

void sl_drops_analyse(const struct sl_history *h, struct sl_drops *out)
{
	static bool ok[SL_HIST_MAX];
	static float v[SL_HIST_MAX];
	unsigned n = h->n < SL_HIST_MAX ? h->n : SL_HIST_MAX, k60 = n < 60 ? n : 60, nv = 0;
	double sum = 0;

	memset(out, 0, sizeof(*out));
	for (unsigned i = n > SL_DROPS_RECENT ? n - SL_DROPS_RECENT : 0; i < n; i++) {
		out->recent += h->drop[i] > 0;
		out->recent_mass += h->drop[i];
	}
	for (unsigned i = n - k60; i < n; i++) {
		sum += h->drop[i];
		out->zero_latency60 += h->latency_ms[i] == 0 && h->drop[i] < 1;
	}
	out->mean60 = k60 ? sum / k60 : 0;
	unsigned base = clean_mask(h, ok);
	for (unsigned i = 0; i < base; i++)
		if (ok[i])
			v[nv++] = h->drop[i];
	if (nv) {
		qsort(v, nv, sizeof(v[0]), cmp_float);
		out->p99 = v[(nv - 1) * 99 / 100];
	}
	/* Sliding 15-s windows over the clean baseline: how many had as many
	 * seconds with drops, and how many carried as much drop (the sum of
	 * the 1-s drop rates), as the newest 15 s. */
	unsigned run = 0, drops = 0;
	double mass = 0;
	for (unsigned i = 0; i < base; i++) {
		if (!ok[i]) {
			run = drops = 0;
			mass = 0;
			continue;
		}
		run++;
		drops += h->drop[i] > 0;
		mass += h->drop[i];
		if (run > SL_DROPS_RECENT) {
			drops -= h->drop[i - SL_DROPS_RECENT] > 0;
			mass -= h->drop[i - SL_DROPS_RECENT];
		}
		if (run >= SL_DROPS_RECENT) {
			out->windows++;
			out->as_many += drops >= out->recent;
			out->as_heavy += mass >= out->recent_mass - 1e-6;
		}
	}
}

bool sl_drops_ramp(const struct sl_drops *d)
{
	if (d->recent < 3)
		return false;
	return d->windows < MIN_WINDOWS ||
	       (d->as_many * 100 < d->windows && d->as_heavy * 100 < d->windows);
}

bool sl_drops_status_ramp(const struct sl_drops *d, bool have_baseline, float drop_rate)
{
	if (!(drop_rate > 0.01f))
		return false;
	return !have_baseline || d->windows < MIN_WINDOWS || drop_rate > d->p99;
}
