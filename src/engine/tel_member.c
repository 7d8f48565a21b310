#include "engine/tel_member.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "config/config.h"

void tel_params_default(struct tel_params *p)
{
	memset(p, 0, sizeof(*p));
	sl_predict_params_default(&p->sl);
	cell_assess_params_default(&p->cell);
	p->wifi.interference = true;
	p->data_limit = true;
	p->data_last_resort_pct = 95;
}

void tel_params_from_config(const struct config *cfg, struct tel_params *p)
{
	tel_params_default(p);
	if (!cfg)
		return;
	const struct cfg_section *sl = config_section(cfg, "starlink");
	const struct cfg_section *ce = config_section(cfg, "cellular");
	const struct cfg_section *wi = config_section(cfg, "wifi");
	const struct cfg_section *bw = config_section(cfg, "bandwidth");
	p->sl.predictive = cfg_bool(sl, "predictive_enabled");
	p->sl.reboot_lead_s = (uint32_t)(cfg_duration_ms(sl, "reboot_lead") / 1000);
	p->cell.roaming_detection = cfg_bool(ce, "roaming_detection");
	p->cell.prefer_roaming = cfg_bool(ce, "prefer_roaming");
	p->cell.roaming_penalty = (int)cfg_int(ce, "roaming_penalty");
	p->cell.stability = cfg_bool(ce, "stability_analysis");
	p->wifi.interference = cfg_bool(wi, "interference_detection");
	p->data_limit = cfg_bool(bw, "data_limit_enabled");
	p->data_last_resort_pct = (int)cfg_int(bw, "data_last_resort_pct");
}

enum tel_class tel_class_of(const char *cls)
{
	if (!cls)
		return TEL_OTHER;
	if (strcmp(cls, "starlink") == 0)
		return TEL_STARLINK;
	if (strcmp(cls, "cellular") == 0)
		return TEL_CELLULAR;
	if (strcmp(cls, "wifi") == 0)
		return TEL_WIFI;
	return TEL_OTHER;
}

void tel_member_init(struct tel_member *t, enum tel_class cls, const struct tel_params *p)
{
	memset(t, 0, sizeof(*t));
	t->cls = cls;
	t->p = *p;
	sl_predict_init(&t->sl, &p->sl);
	cell_assess_init(&t->cell, &p->cell);
	wifi_assess_init(&t->wifi, &p->wifi);
	t->usage_pct = NAN;
}

void tel_member_configure(struct tel_member *t, const struct tel_params *p)
{
	t->p = *p;
	sl_predict_configure(&t->sl, &p->sl);
	cell_assess_configure(&t->cell, &p->cell);
	wifi_assess_configure(&t->wifi, &p->wifi);
}

void tel_member_usage(struct tel_member *t, double pct, const char *text)
{
	t->usage_pct = pct;
	snprintf(t->usage_text, sizeof(t->usage_text), "%s", text ? text : "");
}

const struct tel_verdict *tel_member_eval(struct tel_member *t, uint64_t now_us, int64_t wall_s)
{
	switch (t->cls) {
	case TEL_STARLINK: sl_predict_eval(&t->sl, now_us, wall_s, &t->v); break;
	case TEL_CELLULAR: cell_assess_eval(&t->cell, now_us, &t->v); break;
	case TEL_WIFI: wifi_assess_eval(&t->wifi, now_us, &t->v); break;
	default: tel_verdict_clear(&t->v); break;
	}
	if (t->p.data_limit && isfinite(t->usage_pct) && t->usage_pct >= t->p.data_last_resort_pct)
		tel_exclude(&t->v, "data cap: %.0f %% used (%s)", t->usage_pct, t->usage_text);
	snprintf(t->predict_text, sizeof(t->predict_text), "%s", t->v.predict_reason);
	return &t->v;
}

uint64_t tel_member_next_us(const struct tel_member *t, uint64_t now_us, int64_t wall_s)
{
	return t->cls == TEL_STARLINK ? sl_predict_next_us(&t->sl, now_us, wall_s) : UINT64_MAX;
}

/* Is the path itself getting worse now (tel_member.h)? Loss over the short
 * window well above the long window's (a healthy link with 1-2 % of random
 * loss shows 5 % in 30 s one time in twenty; 10 % and 5 points over the
 * long run about one in ten thousand), or the RTT risen by the health
 * score's own latency-rise threshold. */
static bool path_trouble(const struct health_result *r, char *why, size_t size)
{
	double lo = isfinite(r->loss_pct) ? r->loss_pct : 0;
	if (isfinite(r->loss_short_pct) && r->loss_short_pct >= 10 && r->loss_short_pct >= lo + 5) {
		snprintf(why, size, "loss %.0f %% in 30 s", r->loss_short_pct);
		return true;
	}
	if (isfinite(r->latency_ms) && isfinite(r->baseline_ms) && r->baseline_ms > 0 &&
	    r->latency_ms - r->baseline_ms >= fmax(20, r->baseline_ms / 2)) {
		snprintf(why, size, "RTT %.0f ms, usually %.0f", r->latency_ms, r->baseline_ms);
		return true;
	}
	return false;
}

bool tel_member_apply(struct tel_member *t, struct mstate *ms, uint64_t now_us)
{
	int left = TEL_PENALTY_CAP;
	unsigned n = tel_penalties(&t->v, t->pen, TEL_PEN_MAX), k = 0;
	for (unsigned i = 0; i < n && left > 0; i++) {
		t->pen[k] = t->pen[i];
		if (t->pen[k].points > left)
			t->pen[k].points = left;
		left -= t->pen[k].points;
		k++;
	}
	t->n_pen = k;
	mstate_set_telemetry(ms, t->pen, k);
	bool changed = mstate_rescore(ms, now_us);
	char why[48];
	t->path_agrees = t->v.predicted && path_trouble(&ms->res, why, sizeof(why));
	snprintf(t->predict_text, sizeof(t->predict_text), "%s%s%s", t->v.predict_reason,
		 t->path_agrees ? "; the probes agree: " : "", t->path_agrees ? why : "");
	return changed;
}

void tel_member_input(const struct tel_member *t, struct decide_input *in)
{
	const struct tel_verdict *v = &t->v;
	in->tel_points = 0;
	for (unsigned i = 0; i < t->n_pen; i++)
		in->tel_points += t->pen[i].points;
	if (v->predicted) {
		in->predicted_outage = true;
		in->predict_reason = t->predict_text;
		in->predict_kind = v->predict_kind;
		in->predict_strength = (v->predict_strength > 0 ? v->predict_strength : 1) *
				       (t->path_agrees ? 2 : 1);
		in->predict_horizon_s = v->predict_horizon_s;
	}
	if (v->exclude) {
		in->exclude = true;
		in->exclude_reason = v->exclude_reason;
	}
	if (v->link_down && !in->link_down) {
		in->link_down = true;
		in->reason = v->link_reason;
	}
}
