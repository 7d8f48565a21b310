/* store_roll: per-member minute roll-ups (store_roll.h). */
#include "store/store_roll.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#include "engine/health.h"
#include "engine/tel_member.h"
#include "engine/window.h"

void store_roll_init(struct store_roll *r)
{
	memset(r, 0, sizeof(*r));
	r->score = -1;
	r->score_min = -1;
}

static void integrate(struct store_roll *r, uint64_t now_us)
{
	if (!r->started || now_us <= r->last_us)
		return;
	double dt = (double)(now_us - r->last_us) / 1e6;
	if (r->state >= 0 && r->state < 4)
		r->state_s[r->state] += dt;
	if (r->active)
		r->active_s += dt;
	if (r->score >= 0) {
		r->score_ws += dt * r->score;
		r->score_w += dt;
	}
}

static void note_min(struct store_roll *r)
{
	if (r->score >= 0 && (r->score_min < 0 || r->score < r->score_min))
		r->score_min = r->score;
}

void store_roll_observe(struct store_roll *r, uint64_t now_us, int state, int score,
			bool active)
{
	integrate(r, now_us);
	if (!r->started || now_us > r->last_us)
		r->last_us = now_us;
	r->started = true;
	r->state = state;
	r->score = score;
	r->active = active;
	note_min(r);
}

void store_roll_close(struct store_roll *r, uint64_t now_us, struct store_sample *x)
{
	integrate(r, now_us);
	if (now_us > r->last_us)
		r->last_us = now_us;
	x->up_s = llround(r->state_s[HEALTH_UP]);
	x->degraded_s = llround(r->state_s[HEALTH_DEGRADED]);
	x->down_s = llround(r->state_s[HEALTH_DOWN]);
	x->active_s = llround(r->active_s);
	x->score_avg = r->score_w > 0 ? r->score_ws / r->score_w : NAN;
	x->score_min = r->score_min;
	/* The next minute starts with the state as it is now. */
	memset(r->state_s, 0, sizeof(r->state_s));
	r->active_s = r->score_ws = r->score_w = 0;
	r->score_min = -1;
	note_min(r);
}

void store_roll_window(const struct window *w, uint64_t now_us, uint64_t span_us,
		       struct store_sample *x)
{
	struct window_stats ws;
	window_stats(w, now_us, span_us, &ws);
	x->sent = ws.n;
	x->lost = ws.lost;
	x->p50_ms = ws.p50_ms;
	x->p95_ms = ws.p95_ms;
	x->jitter_ms = ws.jitter_ms;
}

/* The sample's column of a kind's figure. */
static void put_figure(void *arg, const char *name, double v)
{
	struct store_sample *x = arg;
	static const struct { const char *name; size_t off; } cols[] = {
		{ "dish_drop", offsetof(struct store_sample, sl_drop) },
		{ "dish_obstructed", offsetof(struct store_sample, sl_obstructed) },
		{ "cell_rsrp", offsetof(struct store_sample, cell_rsrp) },
		{ "cell_sinr", offsetof(struct store_sample, cell_sinr) },
		{ "wifi_signal", offsetof(struct store_sample, wifi_signal) },
	};
	for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		if (strcmp(cols[i].name, name) == 0) {
			*(double *)((char *)x + cols[i].off) = v;
			return;
		}
}

void store_roll_tel(const struct tel_member *t, uint64_t now_us, struct store_sample *x)
{
	const struct tel_hist_put put = { .num = put_figure, .arg = x };
	for (unsigned i = 0; i < t->n_part; i++)
		if (t->part[i].k->history && t->part[i].a)
			t->part[i].k->history(t->part[i].a, now_us,
					      STORE_TEL_FRESH_S * 1000000ull, &put);
}
