#include "usage/usage_assess.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "config/config.h"

void usage_assess_configure(struct usage_assess *a, const struct config *cfg)
{
	const struct cfg_section *bw = cfg ? config_section(cfg, "bandwidth") : NULL;
	a->data_limit = bw ? cfg_bool(bw, "data_limit_enabled") : true;
	a->last_resort_pct = bw ? (int)cfg_int(bw, "data_last_resort_pct") : 95;
}

void usage_assess_init(struct usage_assess *a, const struct config *cfg)
{
	memset(a, 0, sizeof(*a));
	a->pct = NAN;
	usage_assess_configure(a, cfg);
}

void usage_assess_set(struct usage_assess *a, double pct, const char *text)
{
	a->pct = pct;
	snprintf(a->text, sizeof(a->text), "%s", text ? text : "");
}

void usage_assess_eval(const struct usage_assess *a, struct tel_verdict *v)
{
	if (a->data_limit && isfinite(a->pct) && a->pct >= a->last_resort_pct)
		tel_exclude(v, "data cap: %.0f %% used (%s)", a->pct, a->text);
}
