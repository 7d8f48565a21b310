/* store_roll: one member's minute, rolled up into a store_sample. Pure: the
 * daemon and the replay call it with their own clocks, so a replayed month
 * gives the rows the daemon would have written.
 *
 * Per minute:
 *   - probes (sent, lost, latency p50/p95, jitter) from the member's
 *     measurement window over the last 60 s (the window keeps the last 256
 *     outcomes: two minutes at the active rate);
 *   - seconds up / degraded / down / active and the time-weighted mean and
 *     the minimum of the health score, integrated between observations: the
 *     caller observes at every state or active change and at least every
 *     STORE_ROLL_OBSERVE_S;
 *   - the link telemetry as of the minute's end, when its sample is fresh
 *     (dish ping drop rate and fraction obstructed, modem RSRP/SINR, Wi-Fi
 *     signal);
 *   - bytes, from the caller's counters. */
#ifndef AUTONOMY_STORE_STORE_ROLL_H
#define AUTONOMY_STORE_STORE_ROLL_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

struct window;
struct tel_member;

#define STORE_ROLL_OBSERVE_S 10
#define STORE_TEL_FRESH_S 120           /* telemetry older than this is not rolled up */

struct store_roll {
	bool started;
	uint64_t last_us;       /* the last observation */
	int state;              /* enum health_state as last observed */
	int score;              /* -1 unknown */
	bool active;
	double state_s[4];      /* this minute, by enum health_state */
	double active_s;
	double score_ws, score_w;       /* score x seconds, seconds with a score */
	int score_min;
};

void store_roll_init(struct store_roll *r);
/* The member's state, score and role as of now (integrates since the last
 * observation with the previous values). */
void store_roll_observe(struct store_roll *r, uint64_t now_us, int state, int score,
			bool active);
/* Ends the minute at now_us into x (state seconds, scores; x's other
 * fields are left alone) and starts the next one. */
void store_roll_close(struct store_roll *r, uint64_t now_us, struct store_sample *x);

/* The probe figures of the last span_us into x. */
void store_roll_window(const struct window *w, uint64_t now_us, uint64_t span_us,
		       struct store_sample *x);
/* The member's telemetry as of now into x (only figures fresh enough). */
void store_roll_tel(const struct tel_member *t, uint64_t now_us, struct store_sample *x);

#endif
