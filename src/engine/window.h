/* window: rolling measurement statistics of one member, on monotonic time.
 * A fixed ring of the most recent probe outcomes (bounded memory whatever
 * the rate), summarised over a time span on demand: loss, latency mean /
 * p50 / p95, jitter (mean absolute difference of consecutive RTTs, as RFC
 * 3550 does), consecutive losses, last reply; plus an EWMA of the RTT that
 * is updated per reply. Pure code: no clock, no I/O. */
#ifndef AUTONOMY_ENGINE_WINDOW_H
#define AUTONOMY_ENGINE_WINDOW_H

#include <stdbool.h>
#include <stdint.h>

#define WINDOW_CAP 256

struct win_entry {
	uint64_t t_us;          /* when the probe was sent */
	uint32_t rtt_us;        /* 0 when lost */
	bool lost;
};

struct window {
	struct win_entry ring[WINDOW_CAP];
	unsigned head, count;
	uint32_t consec_lost;   /* losses since the last reply */
	uint64_t last_reply_us; /* 0 = never */
	double ewma_ms;         /* < 0 until the first reply */
	double ewma_alpha;      /* default 0.125 (TCP's SRTT gain) */
	uint64_t total_sent, total_lost, total_late;
	/* The most recent late reply: the loss timeout must grow past it, or a
	 * path whose RTT jumped above the timeout would never be seen again. */
	uint32_t last_late_rtt_us;
	uint64_t last_late_us;  /* when it arrived (sent + rtt); 0 = never */
	/* The replies in the ring ordered by RTT (ties by send time), kept on
	 * every add, so that percentiles need one pass and no sort. */
	struct win_sorted { uint32_t rtt_us; uint64_t t_us; } sorted[WINDOW_CAP];
	unsigned n_sorted;
};

struct window_stats {
	unsigned n;             /* outcomes in the span */
	unsigned lost;
	double loss_pct;        /* NAN when n == 0 */
	double mean_ms, p50_ms, p95_ms, jitter_ms;  /* NAN when no reply in the span */
	double ewma_ms;         /* NAN before the first reply */
	uint32_t consec_lost;
	uint64_t last_reply_us;
};

void window_init(struct window *w);
/* One outcome, in send order. A late reply does not change the loss already
 * recorded; it is counted in total_late only. */
void window_add(struct window *w, uint64_t sent_us, bool lost, uint32_t rtt_us);
void window_add_late(struct window *w);
/* The same, keeping the late RTT (for the loss-timeout policy). */
void window_add_late_rtt(struct window *w, uint64_t sent_us, uint32_t rtt_us);
/* Outcomes whose send time is within (now - span, now]. span 0 = everything.
 * Percentiles interpolate linearly between order statistics (p50 of {10, 20}
 * is 15); jitter is over consecutive replies in the span, in ring order. */
void window_stats(const struct window *w, uint64_t now_us, uint64_t span_us,
		  struct window_stats *out);
/* The last k outcomes: how many were lost (for confirmation decisions). */
unsigned window_recent_losses(const struct window *w, unsigned k, unsigned *seen);

#endif
