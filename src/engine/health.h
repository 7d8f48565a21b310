/* health: how is a member, as a score 0..100 with the reasons, and a state.
 * Pure: inputs are the member's window, its down detector, link-telemetry
 * penalties and the time; the only memory is a slow latency baseline and
 * the previous state (for hysteresis). docs/health-score.md is the
 * reference for the formula; keep the two in step.
 *
 *   score = clamp(100 - sum of penalties, 0, 100), each penalty rounded to
 *   whole points first, so the explanation adds up:
 *   down / link   100                          detector down or no carrier
 *   loss          f(L), L = max(L_long, L_short) in %:
 *                   3.2 L                      L <= 10
 *                   32 + 0.25 (L - 10)         10 < L <= 42  (the plateau)
 *                   40 + 3 (L - 42)            L > 42
 *                 L_long = lost / max(n, 20) over the whole ring,
 *                 L_short = over the last 30 s when it holds >= 40 outcomes
 *   lost in a row min(10, 2 (c - 2)) for c >= 3 consecutive losses
 *   latency       min(60, 0.1 (p50 - 100 ms))
 *   latency rise  min(20, 0.25 (p50 - baseline - max(20 ms, baseline / 2)))
 *   jitter        min(20, 0.5 (jitter - 10 ms))
 *   telemetry     each {source, points, reason} as given (clamped 0..100)
 * Only outcomes sent since the detector's last recovery count, so a link
 * that came back is judged on how it is now, not on its outage.
 *
 * state: detector down (or link down) -> DOWN; no outcome yet -> UNKNOWN
 * with score -1; else score >= warning (70) -> UP, >= critical (50) ->
 * DEGRADED, else DOWN. Going to a better state needs the threshold plus
 * hysteresis (3 points), going worse is immediate.
 *
 * Properties (tested): 20 % independent random loss with normal latency is
 * DEGRADED and never DOWN (the plateau keeps f <= 40 even where a 30 s
 * sample reads 42 %, leaving room for the run penalty); 10 % loss is
 * DEGRADED (32 points); 50 % loss is DOWN. */
#ifndef AUTONOMY_ENGINE_HEALTH_H
#define AUTONOMY_ENGINE_HEALTH_H

#include <stdint.h>

#include "engine/detect.h"
#include "engine/window.h"

enum health_state { HEALTH_UNKNOWN, HEALTH_UP, HEALTH_DEGRADED, HEALTH_DOWN };

/* A penalty from link telemetry (Starlink obstruction, modem signal, ...).
 * Strings belong to the caller and need only live during the call. */
struct health_penalty {
	const char *source;     /* "starlink", "cellular", ... (label) */
	int points;             /* 0..100 */
	const char *reason;     /* "obstructed 4 %" */
};

/* One line of the explanation: "loss 12% -30". */
struct health_item {
	char label[16];         /* "loss", "latency", "starlink", ... */
	int points;
	char text[80];
};

#define HEALTH_EXPLAIN_MAX 4

struct health_params {
	int warning;            /* alerts.health_warning (70) */
	int critical;           /* alerts.health_critical (50) */
	int hysteresis;         /* points above a threshold to improve (3) */
	uint64_t short_span_us; /* 30 s */
	unsigned short_min_n;   /* outcomes the short span needs to count (40) */
	unsigned loss_min_n;    /* denominator floor of the long loss (20) */
	double latency_good_ms; /* p50 above this costs points (100) */
	double jitter_good_ms;  /* jitter above this costs points (10) */
	double baseline_up_tau_s;   /* baseline follows a rise slowly (600) */
	double baseline_down_tau_s; /* and a fall quickly (60) */
};

struct health {
	struct health_params p;
	enum health_state state;
	int score;
	double baseline_ms;     /* slow EWMA of p50; < 0 until known */
	uint64_t baseline_us;   /* last baseline update */
};

struct health_result {
	int score;              /* 0..100, -1 = unknown */
	enum health_state state;
	unsigned n_items;       /* largest penalties first */
	struct health_item items[HEALTH_EXPLAIN_MAX];
	char reason[200];       /* items joined: "loss 12% -30, jitter 34 ms -12" or "ok" */
	/* What was measured (NAN when unknown), for reporting. */
	double loss_pct;        /* long span */
	double loss_short_pct;  /* short span (NAN when too few outcomes) */
	double latency_ms;      /* p50 */
	double p95_ms, jitter_ms, baseline_ms;
};

void health_params_default(struct health_params *p);
/* params NULL = defaults. */
void health_init(struct health *h, const struct health_params *p);
/* Scores the member now and updates the baseline and state. tel may be NULL
 * when n_tel is 0. */
void health_update(struct health *h, const struct window *w, const struct detect *d,
		   const struct health_penalty *tel, unsigned n_tel, uint64_t now_us,
		   struct health_result *out);
/* The loss penalty f(L) alone (documented above), L in percent. */
double health_loss_points(double loss_pct);
const char *health_state_name(enum health_state st);

#endif
