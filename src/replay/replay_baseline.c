/* replay_baseline: the baseline policies of baseline.h in the replay, on
 * the same simulated network as autonomy: mwan3 (mwan3track per member,
 * traffic on the online member of the lowest metric) and pfSense (dpinger
 * per member, a gateway group on the lowest tier without an alarm). When
 * every member is down both keep the last one (the main table's default
 * route), so neither is ever charged for having no route at all. */
#include <stdio.h>

#include "replay/replay_internal.h"

#define MS 1000ULL

static bool is_mwan3(const struct replay_sim *s)
{
	return s->o.policy == REPLAY_MWAN3 || s->o.policy == REPLAY_MWAN3_10S;
}

static bool member_up(const struct replay_sim *s, unsigned i)
{
	return is_mwan3(s) ? s->m[i].mw.online : !s->m[i].dp.alarm;
}

static void arm(struct replay_sim *s, unsigned i)
{
	const struct replay_member *m = &s->m[i];

	replay_arm(s, i, is_mwan3(s) ? m->mw.due_us : baseline_dpinger_due_us(&m->dp));
}

/* Why a member is down / up, in the policy's own terms. */
static void state_text(const struct replay_sim *s, unsigned i, char *buf, size_t sz)
{
	const struct replay_member *m = &s->m[i];
	const char *n = m->def->name;

	if (is_mwan3(s) && !m->carrier)
		snprintf(buf, sz, "%s ifdown (no carrier)", n);
	else if (is_mwan3(s) && !m->mw.online)
		snprintf(buf, sz, "%s offline (%u checks failed)", n, m->mw.p.down);
	else if (is_mwan3(s))
		snprintf(buf, sz, "%s online (%s)", n, m->carrier && m->mw.checks ?
			 "checks ok" : "ifup");
	else
		snprintf(buf, sz, "%s %s (loss %.0f%%, latency %.0f ms over %u s)", n,
			 m->dp.alarm ? "alarm" : "alarm clear", m->dp.loss_pct, m->dp.latency_ms,
			 m->dp.p.time_period_ms / 1000);
}

/* The lowest-priority member that is up; all down keeps the current one. */
static void select_member(struct replay_sim *s)
{
	int best = -1;
	char why[160], reason[200];

	for (unsigned i = 0; i < s->n; i++)
		if (member_up(s, i) && (best < 0 || s->m[i].def->priority < s->m[best].def->priority))
			best = (int)i;
	if (best < 0)
		best = s->active >= 0 ? s->active : 0;
	if (best == s->active)
		return;
	const char *pol = replay_policy_name(s->o.policy);
	if (s->active < 0) {
		snprintf(reason, sizeof(reason), "initial: %s (%s: lowest metric online)",
			 s->m[best].def->name, pol);
	} else {
		/* Leaving a member that went down, or returning to a preferred one. */
		unsigned why_i = member_up(s, (unsigned)s->active) ? (unsigned)best :
				 (unsigned)s->active;
		state_text(s, why_i, why, sizeof(why));
		snprintf(reason, sizeof(reason), "%s: %s", pol, why);
	}
	replay_out_switch(s, s->active, best, reason);
	s->active = best;
}

static void b_init(struct replay_sim *s)
{
	struct baseline_mwan3_params mp;
	struct baseline_dpinger_params dp;

	if (s->o.policy == REPLAY_MWAN3_10S)
		baseline_mwan3_params_builtin(&mp);
	else
		baseline_mwan3_params_shipped(&mp);
	baseline_dpinger_params_default(&dp);
	for (unsigned i = 0; i < s->n; i++) {
		struct replay_member *m = &s->m[i];
		baseline_mwan3_init(&m->mw, &mp, s->now);
		baseline_dpinger_init(&m->dp, &dp, s->now);
		if (!m->carrier)
			baseline_mwan3_link(&m->mw, false, s->now);
	}
	select_member(s);
	for (unsigned i = 0; i < s->n; i++)
		arm(s, i);
}

/* mwan3track's ping: ok after the RTT, failed at the timeout (at once
 * without carrier: the kernel refuses the send). */
static void mwan3_ping(struct replay_sim *s, unsigned i)
{
	struct replay_member *m = &s->m[i];
	uint64_t t = s->now;
	uint32_t rtt = 0;
	bool ok = false;

	baseline_mwan3_fire(&m->mw, s->now);
	m->probes++;
	if (m->carrier) {
		ok = !replay_net(s, i, &rtt) && rtt < m->mw.p.timeout_ms * MS;
		t += ok ? rtt : m->mw.p.timeout_ms * MS;
	}
	replay_push(s, (struct replay_ev){ .t = t, .kind = REPLAY_EV_OUTCOME, .member = (uint8_t)i,
					   .what = ok, .gen = m->mw.gen, .sent_us = s->now });
}

static void b_probe(struct replay_sim *s, unsigned i, const struct replay_ev *e)
{
	struct replay_member *m = &s->m[i];

	if (is_mwan3(s)) {
		if (s->now >= m->mw.due_us)
			mwan3_ping(s, i);
	} else {
		if (s->now >= m->dp.send_us) {
			uint32_t rtt = 0;
			bool lost = !m->carrier || replay_net(s, i, &rtt);
			baseline_dpinger_send(&m->dp, lost, rtt, s->now);
			m->probes++;
		}
		if (s->now >= m->dp.check_us && baseline_dpinger_check(&m->dp, s->now)) {
			m->downs += m->dp.alarm;
			select_member(s);
		}
	}
	arm(s, i);
}

static void b_outcome(struct replay_sim *s, unsigned i, const struct replay_ev *e)
{
	struct replay_member *m = &s->m[i];

	if (baseline_mwan3_result(&m->mw, e->gen, e->what, s->now)) {
		m->downs += !m->mw.online;
		select_member(s);
	}
	arm(s, i);
}

static void b_link(struct replay_sim *s, unsigned i, bool up)
{
	struct replay_member *m = &s->m[i];

	/* dpinger has no link events: its sends just fail. */
	if (is_mwan3(s) && baseline_mwan3_link(&m->mw, up, s->now)) {
		m->downs += !up;
		select_member(s);
	}
	arm(s, i);
}

static void b_timer(struct replay_sim *s)
{
}

const struct replay_policy_ops replay_baseline_ops = {
	.init = b_init, .probe = b_probe, .outcome = b_outcome, .link = b_link, .timer = b_timer,
};
