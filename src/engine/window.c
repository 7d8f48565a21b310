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

static bool sorted_less(uint32_t r1, uint64_t t1, uint32_t r2, uint64_t t2)
{
	return r1 < r2 || (r1 == r2 && t1 < t2);
}

/* First index whose (rtt, t) is not less than the key. */
static unsigned sorted_find(const struct window *w, uint32_t rtt, uint64_t t)
{
	unsigned lo = 0, hi = w->n_sorted;
	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		if (sorted_less(w->sorted[mid].rtt_us, w->sorted[mid].t_us, rtt, t))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void sorted_del(struct window *w, uint32_t rtt, uint64_t t)
{
	unsigned i = sorted_find(w, rtt, t);
	if (i < w->n_sorted && w->sorted[i].rtt_us == rtt && w->sorted[i].t_us == t) {
		memmove(&w->sorted[i], &w->sorted[i + 1], (w->n_sorted - i - 1) * sizeof(w->sorted[0]));
		w->n_sorted--;
	}
}

static void sorted_ins(struct window *w, uint32_t rtt, uint64_t t)
{
	unsigned i = sorted_find(w, rtt, t);
	memmove(&w->sorted[i + 1], &w->sorted[i], (w->n_sorted - i) * sizeof(w->sorted[0]));
	w->sorted[i].rtt_us = rtt;
	w->sorted[i].t_us = t;
	w->n_sorted++;
}

void window_add(struct window *w, uint64_t sent_us, bool lost, uint32_t rtt_us)
{
	struct win_entry *e = &w->ring[w->head];

	if (w->count == WINDOW_CAP && !e->lost)
		sorted_del(w, e->rtt_us, e->t_us);
	if (!lost)
		sorted_ins(w, rtt_us, sent_us);

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

/* The order statistics that p50 and p95 interpolate between, in one pass
 * over the RTT-ordered replies, counting only those in the span. */
static void percentiles(const struct window *w, uint64_t now_us, uint64_t span_us, unsigned nr,
			struct window_stats *out)
{
	static const double q[2] = { 0.50, 0.95 };
	unsigned want[4];
	uint32_t got[4] = { 0 };
	double frac[2];
	for (unsigned k = 0; k < 2; k++) {
		double r = q[k] * (nr - 1);
		want[2 * k] = (unsigned)r;
		frac[k] = r - want[2 * k];
		want[2 * k + 1] = want[2 * k] + 1 < nr ? want[2 * k] + 1 : want[2 * k];
	}
	unsigned rank = 0, need = want[3];
	for (unsigned i = 0; i < w->n_sorted && rank <= need; i++) {
		if (!in_span(w->sorted[i].t_us, now_us, span_us))
			continue;
		for (unsigned k = 0; k < 4; k++)
			if (want[k] == rank)
				got[k] = w->sorted[i].rtt_us;
		rank++;
	}
	out->p50_ms = (got[0] + frac[0] * ((double)got[1] - got[0])) / 1000.0;
	out->p95_ms = (got[2] + frac[1] * ((double)got[3] - got[2])) / 1000.0;
}

void window_stats(const struct window *w, uint64_t now_us, uint64_t span_us,
		  struct window_stats *out)
{
	uint32_t prev = 0;
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
			jsum += fabs((double)e->rtt_us - prev);
		prev = e->rtt_us;
		nr++;
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
	percentiles(w, now_us, span_us, nr, out);
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
