/* decide: the decision engine's rules (design in decide.h and
 * docs/decision-engine.md). Members are tracked by name in fixed slots;
 * everything time-based is derived from the evaluation times, so the caller
 * must evaluate on every change of a member's state or score (the replay and
 * the daemon do it after every probe outcome) and at decide_next_us(). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "engine/decide.h"

#define MS 1000ULL

void decide_params_default(struct decide_params *p)
{
	p->switch_margin = 20;
	p->sustain_ms = 60000;
	p->failback_margin = 5;
	p->failback_hold_ms = 60000;
	p->failback_hold_max_ms = 600000;
	p->outage_hold_pct = 150;
	p->flap_window_ms = 1800000;
	p->holddown_max_ms = 3600000;
	p->flap_guard_ms = 600000;
}

void decide_init(struct decide *d, const struct decide_params *p)
{
	memset(d, 0, sizeof(*d));
	if (p)
		d->p = *p;
	else
		decide_params_default(&d->p);
	d->active = -1;
	d->pinned = -1;
}

/* ---- member tracking ---------------------------------------------------- */

int decide_find(const struct decide *d, const char *name)
{
	for (unsigned i = 0; i < d->n; i++)
		if (strncmp(d->m[i].name, name, DECIDE_NAME_MAX - 1) == 0)
			return (int)i;
	return -1;
}

/* A new name takes a free slot, or the slot of a member that was gone at the
 * last evaluation (never the active or pinned one). */
int decide_find_or_add(struct decide *d, const char *name)
{
	int i = decide_find(d, name);

	if (i >= 0)
		return i;
	if (d->n < DECIDE_MAX_MEMBERS) {
		i = (int)d->n++;
	} else {
		for (unsigned k = 0; k < d->n && i < 0; k++)
			if (!d->m[k].present && (int)k != d->active && (int)k != d->pinned)
				i = (int)k;
		if (i < 0)
			return -1;
	}
	memset(&d->m[i], 0, sizeof(d->m[i]));
	snprintf(d->m[i].name, sizeof(d->m[i].name), "%s", name);
	return i;
}

bool decide_usable(const struct decide_member *m)
{
	return m->present && m->in.enabled && !m->in.link_down && m->in.state != HEALTH_DOWN;
}

/* An outage spell starts: a down member, a predicted outage, or a quality
 * departure. It ends when the member is good again; its length sets the
 * next fail-back hold. */
void decide_spell_begin(struct decide_member *m, uint64_t now_us)
{
	m->spells[m->spell_head] = now_us;
	m->spell_head = (m->spell_head + 1) % DECIDE_SPELLS;
	if (m->n_spells < DECIDE_SPELLS)
		m->n_spells++;
	m->spell_open = true;
	m->spell_start_us = now_us;
	m->good = false;
}

static void track(struct decide_member *m, const struct decide_input *x, uint64_t now_us)
{
	m->in = *x;
	m->present = true;
	bool out = x->link_down || x->state == HEALTH_DOWN || x->predicted_outage;
	if (out && !m->out)
		decide_spell_begin(m, now_us);
	m->out = out;
	bool good = decide_usable(m) && !x->predicted_outage && x->state == HEALTH_UP;
	if (good && !m->good) {
		m->good_since_us = now_us;
		if (m->spell_open) {
			m->last_spell_us = now_us - m->spell_start_us;
			m->spell_open = false;
		}
	}
	m->good = good;
}

static void update_members(struct decide *d, const struct decide_input *in, unsigned n,
			   uint64_t now_us)
{
	for (unsigned i = 0; i < d->n; i++)
		d->m[i].present = false;
	for (unsigned i = 0; i < n; i++) {
		if (!in[i].name || !in[i].name[0])
			continue;
		int k = decide_find_or_add(d, in[i].name);
		if (k < 0 || d->m[k].present)
			continue;
		struct decide_input eff;
		decide_prec_observe(d, k, &in[i], &eff, now_us);
		track(&d->m[k], &eff, now_us);
	}
}

/* The caller's strings live only during the call. */
static void forget_strings(struct decide *d)
{
	for (unsigned i = 0; i < d->n; i++) {
		d->m[i].in.name = d->m[i].name;
		d->m[i].in.reason = NULL;
		d->m[i].in.predict_reason = NULL;
		d->m[i].in.exclude_reason = NULL;
		d->m[i].in.predict_kind = NULL;
	}
}

/* ---- hold time ------------------------------------------------------------ */

static unsigned recent_spells(const struct decide *d, const struct decide_member *m,
			      uint64_t now_us)
{
	uint64_t win = (uint64_t)d->p.flap_window_ms * MS;
	unsigned n = 0;

	for (unsigned i = 0; i < m->n_spells; i++)
		if (m->spells[i] <= now_us && now_us - m->spells[i] < win)
			n++;
	return n;
}

uint64_t decide_member_hold_us(const struct decide *d, const struct decide_member *m,
			       uint64_t now_us)
{
	uint64_t lo = (uint64_t)d->p.failback_hold_ms * MS;
	uint64_t hi = (uint64_t)d->p.failback_hold_max_ms * MS;
	uint64_t cap = (uint64_t)d->p.holddown_max_ms * MS;
	uint64_t h = m->last_spell_us / 100 * d->p.outage_hold_pct;

	if (hi < lo)
		hi = lo;
	h = h < lo ? lo : h > hi ? hi : h;
	if (cap < h)
		cap = h;
	/* Each further outage in the flap window doubles it. */
	for (unsigned n = recent_spells(d, m, now_us); n > 1 && h < cap; n--)
		h *= 2;
	return h < cap ? h : cap;
}

uint64_t decide_hold_us(const struct decide *d, const char *name, uint64_t now_us)
{
	int i = decide_find(d, name);

	return i < 0 ? 0 : decide_member_hold_us(d, &d->m[i], now_us);
}

/* Good for at least its hold, and no prediction that moved traffic away
 * from it still open: may carry traffic again by preference. */
bool decide_settled(const struct decide *d, const struct decide_member *m, uint64_t now_us)
{
	uint64_t until;
	return m->good && now_us - m->good_since_us >= decide_member_hold_us(d, m, now_us) &&
	       !decide_prec_pending(m, &until);
}

int decide_class(const struct decide *d, const struct decide_member *m, uint64_t now_us)
{
	if (!m->present || !m->in.enabled)
		return DECIDE_CL_NONE;
	if (!decide_usable(m))
		return DECIDE_CL_DOWN;
	if (m->in.exclude)
		return DECIDE_CL_EXCLUDED;
	bool recovering = recent_spells(d, m, now_us) > 0 && !decide_settled(d, m, now_us);
	if (m->in.predicted_outage || recovering)
		return DECIDE_CL_RESERVE;
	return DECIDE_CL_HEALTHY;
}

/* ---- evaluation ------------------------------------------------------------- */

unsigned decide_eval(struct decide *d, const struct decide_input *in, unsigned n,
		     uint64_t now_us, struct decision *out, unsigned max)
{
	struct decide_ctx c = { .d = d, .now = now_us, .out = out, .max = out ? max : 0,
				.cand = -1, .tel_only = -1 };

	update_members(d, in, n, now_us);
	if (d->active < 0)
		decide_rule_initial(&c);
	else if (d->pinned >= 0)
		decide_rule_pinned(&c);
	else
		decide_rule_auto(&c);
	forget_strings(d);
	return c.n;
}

const char *decide_active(const struct decide *d)
{
	return d->active < 0 ? NULL : d->m[d->active].name;
}

uint64_t decide_next_us(const struct decide *d, uint64_t now_us)
{
	uint64_t t = UINT64_MAX;

	if (d->active < 0 || d->pinned >= 0)
		return t;
	if (d->better_since_us)
		t = d->better_since_us + (uint64_t)d->p.sustain_ms * MS;
	for (unsigned i = 0; i < d->n; i++) {
		const struct decide_member *m = &d->m[i];
		/* Only a preferred member's hold can end in a move (fail-back). */
		if ((int)i == d->active || !m->good ||
		    m->in.priority >= d->m[d->active].in.priority)
			continue;
		uint64_t at = m->good_since_us + decide_member_hold_us(d, m, now_us);
		if (at > now_us && at < t)
			t = at;
	}
	uint64_t p = decide_prec_next_us(d, now_us);
	return p < t ? p : t;
}

static const char *const cause_names[DECIDE_CAUSE_N] = {
	"initial", "down", "all_down", "predicted", "excluded", "failback", "quality", "manual",
};

const char *decide_cause_name(enum decide_cause c)
{
	return c < DECIDE_CAUSE_N ? cause_names[c] : "?";
}

int decide_cause_parse(const char *s)
{
	for (int i = 0; s && i < DECIDE_CAUSE_N; i++)
		if (strcmp(s, cause_names[i]) == 0)
			return i;
	return -1;
}

const char *decide_type_name(enum decide_type t)
{
	switch (t) {
	case DECIDE_SWITCH: return "switch";
	case DECIDE_HOLD: return "hold";
	case DECIDE_RESTORE: return "restore";
	case DECIDE_MANUAL: return "manual";
	}
	return "?";
}
