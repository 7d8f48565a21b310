/* decide_prec: predictions as claims the engine checks (decide.h
 * "Precursors"). Per member and precursor kind: alarms opened when the
 * flag rises, settled as right when the member has an outage within the
 * horizon and as wrong when the horizon passes without one; the precision
 * sets the strength a prediction of that kind needs (its bar). And the flap
 * guard: a member whose last pre-emptive departure was wrong is not left
 * again for a prediction within flap_guard of traffic returning to it. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "engine/decide.h"

#define S 1000000ULL
#define DEFAULT_HORIZON_S 120
#define DECAY 0.85              /* weight of the past at each settled alarm */
#define TARGET 0.5              /* a kind right this often needs strength 1 */
#define BAR_MAX 8.0

/* Laplace's rule of succession: before any alarm is settled the precision
 * is taken as 1/2 (strength 1 needed); wrong once, 1/3 (1.5); right once,
 * 2/3 (1). */
static double bar_of(const struct decide_prec *p)
{
	double precision = (p->w_hits + 1) / (p->w_alarms + 2);
	return fmin(BAR_MAX, fmax(1, TARGET / precision));
}

static struct decide_prec *slot(struct decide_member *m, const char *kind, bool add)
{
	struct decide_prec *free_slot = NULL;
	for (unsigned i = 0; i < DECIDE_KINDS; i++) {
		if (strcmp(m->prec[i].kind, kind) == 0 && m->prec[i].kind[0])
			return &m->prec[i];
		if (!m->prec[i].kind[0] && !free_slot)
			free_slot = &m->prec[i];
	}
	if (!add || !free_slot)
		return NULL;
	memset(free_slot, 0, sizeof(*free_slot));
	snprintf(free_slot->kind, sizeof(free_slot->kind), "%s", kind);
	return free_slot;
}

static void settle(struct decide *d, struct decide_member *m, struct decide_prec *p, bool hit)
{
	d->prec_dirty = true;
	p->open = false;
	p->alarms++;
	p->hits += hit;
	p->w_alarms = p->w_alarms * DECAY + 1;
	p->w_hits = p->w_hits * DECAY + hit;
	if (p->moved) {
		p->move_hits += hit;
		m->last_move_missed = !hit;
	}
}

/* An outage of the member (as the probes, the link or its own hardware
 * see it) settles its open alarms as right; time settles them as wrong. */
static void settle_all(struct decide *d, struct decide_member *m, const struct decide_input *x,
		       uint64_t now)
{
	bool out = x->link_down || x->state == HEALTH_DOWN;
	bool hw_out = x->predicted_outage && x->predict_kind &&
		      strcmp(x->predict_kind, DECIDE_KIND_OUTAGE) == 0;
	for (unsigned i = 0; i < DECIDE_KINDS; i++) {
		struct decide_prec *p = &m->prec[i];
		if (!p->open)
			continue;
		if (out || (hw_out && strcmp(p->kind, DECIDE_KIND_OUTAGE) != 0))
			settle(d, m, p, true);
		else if (now >= p->until_us)
			settle(d, m, p, false);
	}
}

static void open_alarm(struct decide_prec *p, const struct decide_input *x, uint64_t now)
{
	uint32_t h = x->predict_horizon_s ? x->predict_horizon_s : DEFAULT_HORIZON_S;
	p->open = true;
	p->moved = p->noted = false;
	p->open_us = now;
	p->until_us = now + (uint64_t)h * S;
}

void decide_prec_observe(struct decide *d, int i, const struct decide_input *x,
			 struct decide_input *eff, uint64_t now_us)
{
	struct decide_member *m = &d->m[i];
	const char *kind = x->predict_kind && x->predict_kind[0] ? x->predict_kind : "other";
	bool was = m->raw_predicted, changed = strcmp(kind, m->raw_kind) != 0;

	*eff = *x;
	settle_all(d, m, x, now_us);
	m->raw_predicted = x->predicted_outage;
	m->below_bar = m->guarded = false;
	if (!x->predicted_outage)
		return;
	snprintf(m->raw_kind, sizeof(m->raw_kind), "%s", kind);
	struct decide_prec *p = slot(m, kind, true);
	m->raw_strength = x->predict_strength > 0 ? x->predict_strength : 1;
	m->raw_bar = p ? bar_of(p) : 1;
	if (p && !p->open && (!was || changed))
		open_alarm(p, x, now_us);
	if (m->raw_strength < m->raw_bar) {
		m->below_bar = true;
		eff->predicted_outage = false;
		return;
	}
	/* The flap guard: traffic came back after this member's last
	 * pre-emptive departure proved wrong; leaving again this soon needs
	 * twice the evidence. */
	uint64_t guard = (uint64_t)d->p.flap_guard_ms * 1000;
	if (i == d->active && m->last_move_missed && m->returned_us &&
	    now_us - m->returned_us < guard && m->raw_strength < 2 * m->raw_bar) {
		m->guarded = true;
		eff->predicted_outage = false;
	}
}

void decide_prec_moved(struct decide_member *m)
{
	struct decide_prec *p = slot(m, m->raw_kind, false);
	if (p && p->open && !p->moved) {
		p->moved = true;
		p->moves++;
	}
}

bool decide_prec_pending(const struct decide_member *m, uint64_t *until_us)
{
	bool any = false;
	for (unsigned i = 0; i < DECIDE_KINDS; i++) {
		const struct decide_prec *p = &m->prec[i];
		if (p->open && p->moved && (!any || p->until_us > *until_us)) {
			*until_us = p->until_us;
			any = true;
		}
	}
	return any;
}

uint64_t decide_prec_next_us(const struct decide *d, uint64_t now_us)
{
	uint64_t t = UINT64_MAX;
	for (unsigned i = 0; i < d->n; i++)
		for (unsigned k = 0; k < DECIDE_KINDS; k++) {
			const struct decide_prec *p = &d->m[i].prec[k];
			if (p->open && p->until_us > now_us && p->until_us < t)
				t = p->until_us;
		}
	return t;
}

unsigned decide_precursors(const struct decide *d, const char *name,
			   struct decide_prec_view *out, unsigned max)
{
	int i = name ? decide_find(d, name) : -1;
	unsigned n = 0;
	if (i < 0)
		return 0;
	for (unsigned k = 0; k < DECIDE_KINDS && n < max; k++) {
		const struct decide_prec *p = &d->m[i].prec[k];
		if (!p->kind[0])
			continue;
		struct decide_prec_view *v = &out[n++];
		memset(v, 0, sizeof(*v));
		snprintf(v->kind, sizeof(v->kind), "%s", p->kind);
		v->alarms = p->alarms;
		v->hits = p->hits;
		v->moves = p->moves;
		v->move_hits = p->move_hits;
		v->w_alarms = p->w_alarms;
		v->w_hits = p->w_hits;
		v->precision = p->alarms ? (double)p->hits / p->alarms : NAN;
		v->bar = bar_of(p);
		v->open = p->open;
	}
	return n;
}

int decide_prec_restore(struct decide *d, const char *name, const struct decide_prec_view *v)
{
	int i = name && v->kind[0] ? decide_find_or_add(d, name) : -1;
	struct decide_prec *p = i < 0 ? NULL : slot(&d->m[i], v->kind, true);
	if (!p)
		return -1;
	p->alarms = v->alarms;
	p->hits = v->hits < v->alarms ? v->hits : v->alarms;
	p->moves = v->moves < v->alarms ? v->moves : v->alarms;
	p->move_hits = v->move_hits < p->moves ? v->move_hits : p->moves;
	p->w_alarms = isfinite(v->w_alarms) && v->w_alarms >= 0 ? fmin(v->w_alarms, 1e6) : 0;
	p->w_hits = isfinite(v->w_hits) && v->w_hits >= 0 ? fmin(v->w_hits, p->w_alarms) : 0;
	return 0;
}
