/* usage_assess: the data-cap rule — a member that has used
 * bandwidth.data_last_resort_pct of its data_limit_mb is a last resort (an
 * exclusion in its telemetry verdict). Pure; the usage kind's assessor on
 * every member (usage_kind.c). */
#ifndef AUTONOMY_USAGE_USAGE_ASSESS_H
#define AUTONOMY_USAGE_USAGE_ASSESS_H

#include <stdbool.h>

#include "engine/telemetry.h"

struct config;

struct usage_assess {
	bool data_limit;                /* bandwidth.data_limit_enabled */
	int last_resort_pct;            /* bandwidth.data_last_resort_pct */
	double pct;                     /* of the cap used; NAN: no cap or not known */
	char text[64];                  /* "19.1 of 20 GB" */
};

/* Defaults (the rule on, 95 %), then the config's (cfg NULL = defaults). */
void usage_assess_init(struct usage_assess *a, const struct config *cfg);
void usage_assess_configure(struct usage_assess *a, const struct config *cfg);
/* The share of the cap used (NAN: none) and how to say it. */
void usage_assess_set(struct usage_assess *a, double pct, const char *text);
void usage_assess_eval(const struct usage_assess *a, struct tel_verdict *v);

#endif
