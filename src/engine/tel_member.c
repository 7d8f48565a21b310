#include "engine/tel_member.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tel_env_init(struct tel_env *e, const struct config *cfg)
{
	memset(e, 0, sizeof(*e));
	e->cfg = cfg;
	for (unsigned i = 0; i < tel_kind_count(); i++) {
		const struct tel_kind *k = tel_kind_at(i);
		if (k->shared_new && !(e->shared[i] = k->shared_new()))
			return -1;
	}
	return 0;
}

void tel_env_free(struct tel_env *e)
{
	for (unsigned i = 0; i < tel_kind_count(); i++) {
		const struct tel_kind *k = tel_kind_at(i);
		if (k->shared_free && e->shared[i])
			k->shared_free(e->shared[i]);
		e->shared[i] = NULL;
	}
}

static struct tel_ctx ctx_of(const struct tel_env *e, const struct tel_kind *k)
{
	return (struct tel_ctx){ .cfg = e->cfg, .shared = e->shared[tel_kind_index(k)] };
}

static int add_part(struct tel_member *t, const struct tel_kind *k, const struct tel_env *e)
{
	struct tel_ctx c = ctx_of(e, k);
	void *a = calloc(1, k->size);
	if (!a)
		return -1;
	if (k->init)
		k->init(a, &c);
	t->part[t->n_part++] = (struct tel_part){ .k = k, .a = a };
	return 0;
}

int tel_member_init(struct tel_member *t, const char *cls, const struct tel_env *e)
{
	memset(t, 0, sizeof(*t));
	t->kind = tel_kind_for_class(cls);
	/* The class's kind first: its verdict's reasons are kept when a later
	 * kind raises the same flag (tel_merge keeps the first). */
	if (t->kind && t->kind->size && add_part(t, t->kind, e) < 0)
		return -1;
	for (unsigned i = 0; i < tel_kind_count(); i++) {
		const struct tel_kind *k = tel_kind_at(i);
		if (k->every_member && k->size && add_part(t, k, e) < 0)
			return -1;
	}
	return 0;
}

void tel_member_configure(struct tel_member *t, const struct tel_env *e)
{
	for (unsigned i = 0; i < t->n_part; i++) {
		struct tel_ctx c = ctx_of(e, t->part[i].k);
		if (t->part[i].k->configure)
			t->part[i].k->configure(t->part[i].a, &c);
	}
}

void tel_member_free(struct tel_member *t)
{
	for (unsigned i = 0; i < t->n_part; i++) {
		if (t->part[i].k->fini)
			t->part[i].k->fini(t->part[i].a);
		free(t->part[i].a);
	}
	t->n_part = 0;
}

void *tel_member_part(const struct tel_member *t, const struct tel_kind *k)
{
	for (unsigned i = 0; k && i < t->n_part; i++)
		if (t->part[i].k == k)
			return t->part[i].a;
	return NULL;
}

void tel_member_place(struct tel_member *t, const char *key)
{
	for (unsigned i = 0; i < t->n_part; i++)
		if (t->part[i].k->place)
			t->part[i].k->place(t->part[i].a, key);
}

const struct tel_verdict *tel_member_eval(struct tel_member *t, uint64_t now_us, int64_t wall_s)
{
	struct tel_verdict one;
	tel_verdict_clear(&t->v);
	for (unsigned i = 0; i < t->n_part; i++) {
		if (!t->part[i].k->eval)
			continue;
		tel_verdict_clear(&one);
		t->part[i].k->eval(t->part[i].a, now_us, wall_s, &one);
		tel_merge(&t->v, &one);
	}
	snprintf(t->predict_text, sizeof(t->predict_text), "%s", t->v.predict_reason);
	return &t->v;
}

uint64_t tel_member_next_us(const struct tel_member *t, uint64_t now_us, int64_t wall_s)
{
	uint64_t at = UINT64_MAX;
	for (unsigned i = 0; i < t->n_part; i++) {
		if (!t->part[i].k->next_us)
			continue;
		uint64_t x = t->part[i].k->next_us(t->part[i].a, now_us, wall_s);
		if (x < at)
			at = x;
	}
	return at;
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
	/* The decision leaves a member whose link is gone at once: its
	 * state says so first (never `up` after traffic left it as dead). */
	mstate_set_link_hint(ms, t->v.link_down ? t->v.link_reason : NULL);
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
