#include "engine/mstate.h"

#include <stdio.h>
#include <string.h>

void mstate_params_default(struct mstate_params *p)
{
	sched_params_default(&p->sched);
	detect_params_default(&p->detect);
	health_params_default(&p->health);
}

/* Telemetry says the link is gone: down, score 0, with its reason. The
 * health's own state is left alone, so the probes judge the path again
 * as soon as the verdict clears. */
static void apply_link_hint(struct mstate *m)
{
	struct health_result *r = &m->res;
	if (!m->link_hint[0])
		return;
	r->state = HEALTH_DOWN;
	r->score = 0;
	memmove(&r->items[1], &r->items[0], sizeof(r->items[0]) * (HEALTH_EXPLAIN_MAX - 1));
	snprintf(r->items[0].label, sizeof(r->items[0].label), "link");
	r->items[0].points = 100;
	/* (a reason longer than the item's text is cut: `reason` has it whole) */
	snprintf(r->items[0].text, sizeof(r->items[0].text), "%.*s -100",
		 (int)sizeof(r->items[0].text) - 6, m->link_hint);
	if (r->n_items < HEALTH_EXPLAIN_MAX)
		r->n_items++;
	snprintf(r->reason, sizeof(r->reason), "%s", m->link_hint);
}

static bool evaluate(struct mstate *m, uint64_t now_us)
{
	enum health_state before = m->res.state;
	health_update(&m->health, &m->win, &m->det, m->tel, m->n_tel, now_us, &m->res);
	apply_link_hint(m);
	m->evaluated_us = now_us;
	if (m->res.state == before)
		return false;
	m->state_changed_us = now_us;
	return true;
}

void mstate_init(struct mstate *m, const struct mstate_params *p, unsigned n_targets,
		 enum sched_role role, uint64_t seed, uint64_t now_us)
{
	memset(m, 0, sizeof(*m));
	m->n_targets = n_targets ? n_targets : 1;
	m->role = role;
	sched_init(&m->sched, &p->sched, seed, now_us);
	window_init(&m->win);
	detect_init(&m->det, &p->detect, now_us);
	health_init(&m->health, &p->health);
	m->res.score = -1;
	m->res.state = HEALTH_UNKNOWN;
	m->state_changed_us = now_us;
	evaluate(m, now_us);
}

uint64_t mstate_due_us(const struct mstate *m)
{
	return sched_due_us(&m->sched);
}

unsigned mstate_fire(struct mstate *m, uint64_t now_us)
{
	m->probes++;
	m->sched.suspect_ms = detect_suspect_ms(&m->win, now_us);
	m->sched.loss_ms = detect_loss_timeout_ms(&m->win, now_us);
	return sched_fire(&m->sched, m->role, m->load_pct, m->n_targets, now_us);
}

uint32_t mstate_loss_timeout_ms(const struct mstate *m, uint64_t now_us)
{
	if (m->sched.fired_burst)
		return detect_confirm_timeout_ms(&m->win, now_us);
	return detect_loss_timeout_ms(&m->win, now_us);
}

static const enum detect_outcome to_detect[] = {
	[MSTATE_REPLY] = DETECT_REPLY, [MSTATE_LOST] = DETECT_LOST,
	[MSTATE_LATE] = DETECT_LATE, [MSTATE_SEND_ERR] = DETECT_SEND_ERR,
};

bool mstate_outcome(struct mstate *m, enum mstate_outcome o, uint64_t sent_us,
		    uint32_t rtt_us, uint64_t now_us)
{
	switch (o) {
	case MSTATE_REPLY:
		m->replies++;
		window_add(&m->win, sent_us, false, rtt_us);
		break;
	case MSTATE_LATE:
		m->late++;
		window_add_late_rtt(&m->win, sent_us, rtt_us);
		break;
	case MSTATE_LOST:
	case MSTATE_SEND_ERR:
		if (o == MSTATE_LOST)
			m->losses++;
		else
			m->send_errors++;
		window_add(&m->win, sent_us, true, 0);
		break;
	}
	sched_outcome(&m->sched, o == MSTATE_LOST || o == MSTATE_SEND_ERR, sent_us, now_us);
	detect_outcome(&m->det, to_detect[o], sent_us, now_us);
	return evaluate(m, now_us);
}

bool mstate_link(struct mstate *m, enum detect_link link, uint64_t now_us)
{
	detect_link_event(&m->det, link, now_us);
	return evaluate(m, now_us);
}

bool mstate_tick(struct mstate *m, uint64_t now_us)
{
	detect_tick(&m->det, sched_interval_ms(&m->sched.p, m->role, m->load_pct), now_us);
	return evaluate(m, now_us);
}

void mstate_set_role(struct mstate *m, enum sched_role role, uint64_t now_us)
{
	/* The hard timeout scales with the probe interval: a sparse (metered)
	 * member promoted to active must not be declared dead for the silence
	 * of its old, longer interval. Its clock restarts; the next probe goes
	 * out at once and a real outage is confirmed by the burst. */
	if (role != m->role && m->det.last_alive_us < now_us)
		m->det.last_alive_us = now_us;
	m->role = role;
	sched_set_role(&m->sched, role, now_us);
}

void mstate_set_telemetry(struct mstate *m, const struct health_penalty *tel, unsigned n)
{
	if (n > MSTATE_TEL_MAX)
		n = MSTATE_TEL_MAX;
	memcpy(m->tel, tel, n * sizeof(*tel));
	m->n_tel = n;
}

void mstate_set_link_hint(struct mstate *m, const char *reason)
{
	snprintf(m->link_hint, sizeof(m->link_hint), "%s", reason ? reason : "");
}

bool mstate_rescore(struct mstate *m, uint64_t now_us)
{
	return evaluate(m, now_us);
}

enum health_state mstate_state(const struct mstate *m)
{
	return m->res.state;
}

const char *mstate_state_name(const struct mstate *m)
{
	return health_state_name(m->res.state);
}
