/* telemetry: what a link-telemetry assessor (Starlink, cellular, Wi-Fi) tells
 * the engine about a member, beyond the probes: health penalties, a
 * predicted outage (leave pre-emptively), an exclusion (use only as a last
 * resort: roaming, data cap, account disabled) and a link-down verdict
 * (Wi-Fi disassociated, modem unregistered). Each carries its reason for
 * `members` and `decisions`. Pure values: the assessors are pure functions
 * of samples and time, in the daemon and in the replay alike. */
#ifndef AUTONOMY_ENGINE_TELEMETRY_H
#define AUTONOMY_ENGINE_TELEMETRY_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/health.h"

#define TEL_PEN_MAX 4
#define TEL_REASON_MAX 96
#define TEL_PRECURSOR_MAX 24

/* Precursor kinds (tel_predict_as): the decision engine keeps the precision
 * of each kind per member (decide.h "Precursors"). TEL_PRECURSOR_OUTAGE is the
 * link's own hardware saying it is out now; it also confirms the other
 * kinds' predictions. */
#define TEL_PRECURSOR_CELL_FADE "cellular_fade"
#define TEL_PRECURSOR_WIFI_FADE "wifi_fade"
#define TEL_PRECURSOR_OBSTRUCTION "obstruction"
#define TEL_PRECURSOR_PLANNED "planned"
#define TEL_PRECURSOR_OUTAGE "outage"

struct tel_verdict {
	unsigned n_pen;
	struct {
		char source[16];        /* "starlink", "cellular", "wifi", "usage" */
		int points;             /* 1..100 */
		char reason[TEL_REASON_MAX];
	} pen[TEL_PEN_MAX];
	bool predicted;                 /* an outage is coming: leave now */
	char predict_reason[TEL_REASON_MAX];
	/* What kind of precursor (TEL_KIND_*, "" = unnamed), how far past the
	 * assessor's own bar the evidence is (>= 1; the engine may demand more
	 * of a kind that has cried wolf), and within how long the outage is
	 * expected: the claim the engine checks. Of the first prediction made. */
	char predict_kind[TEL_PRECURSOR_MAX];
	double predict_strength;
	uint32_t predict_horizon_s;
	bool exclude;                   /* last resort only */
	char exclude_reason[TEL_REASON_MAX];
	bool link_down;                 /* the radio says the link is gone */
	char link_reason[TEL_REASON_MAX];
};

void tel_verdict_clear(struct tel_verdict *v);
/* Adds a penalty (ignored when points <= 0 or the verdict is full: the
 * largest are kept). */
void tel_add_penalty(struct tel_verdict *v, const char *source, int points,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void tel_predict(struct tel_verdict *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Names the prediction just made (or the first one, if several). */
void tel_predict_as(struct tel_verdict *v, const char *kind, double strength,
		    uint32_t horizon_s);
void tel_exclude(struct tel_verdict *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void tel_link_down(struct tel_verdict *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Merges b into a (penalties appended, flags or'ed, first reason kept). */
void tel_merge(struct tel_verdict *a, const struct tel_verdict *b);
/* The penalties as health_penalty rows (pointing into v) for mstate. */
unsigned tel_penalties(const struct tel_verdict *v, struct health_penalty *out, unsigned max);

#endif
