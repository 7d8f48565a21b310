/* window: rolling measurement statistics of one member (see window.h).
 * Everything is computed on demand from the ring, so the ring is the only
 * state that matters and a summary can never drift from the samples. */
#include <math.h>
#include <string.h>

#include "engine/window.h"

void window_init(struct window *w)
{
	memset(w, 0, sizeof(*w));
	w->ewma_ms = -1.0;
	w->ewma_alpha = 0.125;
}

void window_add(struct window *w, uint64_t sent_us, bool lost, uint32_t rtt_us)
{
	struct win_entry *e = &w->ring[w->head];

	e->t_us = sent_us;
	e->lost = lost;
	e->rtt_us = lost ? 0 : rtt_us;
	w->head = (w->head + 1) % WINDOW_CAP;
	if (w->count < WINDOW_CAP)
		w->count++;
	w->total_sent++;
	if (lost) {
		w->total_lost++;
		w->consec_lost++;
		return;
	}
	w->consec_lost = 0;
	if (sent_us + rtt_us > w->last_reply_us)
		w->last_reply_us = sent_us + rtt_us;
	double ms = rtt_us / 1000.0;
	if (w->ewma_ms < 0)
		w->ewma_ms = ms;
	else
		w->ewma_ms += w->ewma_alpha * (ms - w->ewma_ms);
}

void window_add_late(struct window *w)
{
	w->total_late++;
}

void window_add_late_rtt(struct window *w, uint64_t sent_us, uint32_t rtt_us)
{
	window_add_late(w);
	w->last_late_rtt_us = rtt_us;
	w->last_late_us = sent_us + rtt_us;
}

/* Send time t within (now - span, now]; span 0 takes everything. */
static bool in_span(uint64_t t, uint64_t now, uint64_t span)
{
	if (span == 0)
		return true;
	return t <= now && now - t < span;
}

/* Shell sort (Ciura's gaps): at most WINDOW_CAP values, no callback, no
 * allocation; a few thousand comparisons for a full ring. */
static void sort_u32(uint32_t *v, unsigned n)
{
	static const unsigned gaps[] = { 132, 57, 23, 10, 4, 1 };

	for (unsigned g = 0; g < sizeof(gaps) / sizeof(gaps[0]); g++) {
		unsigned gap = gaps[g];
		for (unsigned i = gap; i < n; i++) {
			uint32_t x = v[i];
			unsigned j = i;
			for (; j >= gap && v[j - gap] > x; j -= gap)
				v[j] = v[j - gap];
			v[j] = x;
		}
	}
}

/* Linear interpolation between the order statistics around q*(n-1). */
static double percentile_ms(const uint32_t *sorted, unsigned n, double q)
{
	double r = q * (n - 1);
	unsigned lo = (unsigned)r;
	double frac = r - lo;

	if (lo + 1 >= n)
		return sorted[n - 1] / 1000.0;
	return (sorted[lo] + frac * ((double)sorted[lo + 1] - sorted[lo])) / 1000.0;
}

void window_stats(const struct window *w, uint64_t now_us, uint64_t span_us,
		  struct window_stats *out)
{
	uint32_t rtt[WINDOW_CAP];
	unsigned nr = 0, start = (w->head + WINDOW_CAP - w->count) % WINDOW_CAP;
	double sum = 0, jsum = 0;

	memset(out, 0, sizeof(*out));
	for (unsigned i = 0; i < w->count; i++) {
		const struct win_entry *e = &w->ring[(start + i) % WINDOW_CAP];
		if (!in_span(e->t_us, now_us, span_us))
			continue;
		out->n++;
		if (e->lost) {
			out->lost++;
			continue;
		}
		if (nr > 0)
			jsum += fabs((double)e->rtt_us - rtt[nr - 1]);
		rtt[nr++] = e->rtt_us;
		sum += e->rtt_us;
	}
	out->loss_pct = out->n ? 100.0 * out->lost / out->n : NAN;
	out->ewma_ms = w->ewma_ms < 0 ? NAN : w->ewma_ms;
	out->consec_lost = w->consec_lost;
	out->last_reply_us = w->last_reply_us;
	if (nr == 0) {
		out->mean_ms = out->p50_ms = out->p95_ms = out->jitter_ms = NAN;
		return;
	}
	/* Jitter is taken in arrival order, before sorting. */
	out->jitter_ms = nr > 1 ? jsum / (nr - 1) / 1000.0 : 0.0;
	out->mean_ms = sum / nr / 1000.0;
	sort_u32(rtt, nr);
	out->p50_ms = percentile_ms(rtt, nr, 0.50);
	out->p95_ms = percentile_ms(rtt, nr, 0.95);
}

unsigned window_recent_losses(const struct window *w, unsigned k, unsigned *seen)
{
	unsigned n = k < w->count ? k : w->count, lost = 0;

	for (unsigned i = 0; i < n; i++) {
		unsigned idx = (w->head + WINDOW_CAP - 1 - i) % WINDOW_CAP;
		if (w->ring[idx].lost)
			lost++;
	}
	if (seen)
		*seen = n;
	return lost;
}
