/* replay_autonomy: autonomy's own policy in the replay — per member the
 * daemon's mstate (scheduler, window, detector, health) fed with simulated
 * probe outcomes, exactly as src/daemon/members.c feeds it real ones, and
 * the decision engine over all members; the members' inputs and roles come
 * from the daemon's policy (engine/policy.c). A daemon's recording is played
 * back instead (a_recorded). */
#include <string.h>

#include <stdio.h>

#include "config/config.h"
#include "engine/mstate_config.h"
#include "engine/policy.h"
#include "replay/replay_internal.h"

#define MS 1000ULL
/* The daemon re-scores a member at every outcome and ticks it (mstate_tick:
 * hard timeout, samples ageing out) at every probe. In the simulation every
 * probe has an outcome within its loss timeout, so the hard timeout cannot
 * fire and the outcome's re-scoring already covers the ageing; the replay
 * ticks only a member not scored for this long, which saves a fifth of the
 * run time and changes no decision. */
#define TICK_US (10000 * MS)
/* The replay does not tick a member between a role change and its next
 * outcome (new_role). It guarded against detect_tick declaring a promoted
 * metered standby down for the silence of its old, 20 s role; mstate_set_role
 * now restarts that clock, so the guard is likely redundant; removing it
 * is left to a change that re-measures the trace library's figures. */

static bool active_down(const struct replay_sim *s)
{
	return s->active >= 0 && mstate_state(&s->m[s->active].ms) == HEALTH_DOWN;
}

static void policy_of(const struct replay_member *m, struct policy_member *out)
{
	*out = (struct policy_member){
		.name = m->def->name, .priority = m->def->priority, .enabled = m->def->enabled,
		.metered = policy_metered(m->def->metered, m->def->data_limit_mb),
		.ms = &m->ms, .tm = &m->tm,
	};
}

/* The daemon's policy (engine/policy.c), with the trace's members. */
static enum sched_role role_of(const struct replay_sim *s, unsigned i)
{
	struct policy_member pm;
	policy_of(&s->m[i], &pm);
	return policy_role(&s->pp, &pm, (int)i == s->active, active_down(s));
}

static void arm(struct replay_sim *s, unsigned i)
{
	replay_arm(s, i, mstate_due_us(&s->m[i].ms));
}

static void apply_roles(struct replay_sim *s)
{
	for (unsigned i = 0; i < s->n; i++) {
		struct mstate *ms = &s->m[i].ms;
		if (ms->role != role_of(s, i)) {
			mstate_set_role(ms, role_of(s, i), s->now);
			s->m[i].new_role = true;
			if (!s->playback)       /* a recording has the probes */
				arm(s, i);
		}
	}
}

static void input_of(const struct replay_member *m, struct decide_input *x)
{
	struct policy_member pm;
	policy_of(m, &pm);
	policy_input(&pm, x);
}

static int index_of(const struct replay_sim *s, const char *name)
{
	for (unsigned i = 0; name && i < s->n; i++)
		if (strcmp(s->m[i].def->name, name) == 0)
			return (int)i;
	return -1;
}

/* Runs the decision engine on every member's current health. */
static void evaluate(struct replay_sim *s)
{
	struct decide_input in[REPLAY_MAX_MEMBERS];
	struct decision out[4];

	for (unsigned i = 0; i < s->n; i++)
		input_of(&s->m[i], &in[i]);
	unsigned n = decide_eval(&s->dec, in, s->n, s->now, out, 4);
	for (unsigned k = 0; k < n && k < 4; k++)
		replay_out_decision(s, &out[k]);
	s->active = index_of(s, decide_active(&s->dec));
	apply_roles(s);
	uint64_t t = decide_next_us(&s->dec, s->now);
	int64_t wall = replay_wall_s(s);
	for (unsigned i = 0; i < s->n; i++) {
		uint64_t tt = tel_member_next_us(&s->m[i].tm, s->now, wall);
		if (tt < t)
			t = tt;
	}
	if (t != UINT64_MAX && t > s->now && (s->decide_at == 0 || t < s->decide_at)) {
		s->decide_at = t;
		replay_push(s, (struct replay_ev){ .t = t, .kind = REPLAY_EV_DECIDE });
	}
}

static void note_state(struct replay_member *m, bool changed)
{
	if (changed && mstate_state(&m->ms) == HEALTH_DOWN)
		m->downs++;
}

/* Telemetry in the trace that no kind built into this program reads is
 * said once, not silently dropped. */
static void not_built(const struct replay_sim *s)
{
	unsigned given = 0, read = 0;
	bool usage = false, usage_read = false;
	for (size_t c = 0; c < s->tr->n_changes; c++) {
		given |= s->tr->changes[c].tel_given;
		usage = usage || (s->tr->changes[c].has & REPLAY_HAS_USAGE);
	}
	for (unsigned k = 0; k < s->n_slots; k++)
		if (s->slots[k].tel >= 0)
			read |= 1u << s->slots[k].tel;
	for (unsigned i = 0; i < tel_kind_count(); i++)
		usage_read = usage_read || tel_kind_at(i)->trace_usage;
	for (unsigned k = 0; k < REPLAY_TEL_N; k++)
		if ((given & ~read) & (1u << k))
			fprintf(stderr, "autonomyd: replay: the trace's %s telemetry is ignored: "
				"%s is not built into this autonomyd\n",
				replay_tel_name((enum replay_tel)k), replay_tel_name((enum replay_tel)k));
	if (usage && !usage_read)
		fprintf(stderr, "autonomyd: replay: the trace's usage_mb is ignored: usage is "
			"not built into this autonomyd\n");
}

static void a_init(struct replay_sim *s)
{
	struct mstate_params mp;
	struct decide_params dp;

	mstate_params_from_config(s->o.cfg, &mp);
	decide_params_from_config(s->o.cfg, &dp);
	policy_params_from_config(s->o.cfg, &s->pp);
	if (tel_env_init(&s->tel_env, s->o.cfg) < 0)
		s->oom = true;
	not_built(s);
	decide_init(&s->dec, &dp);
	for (unsigned i = 0; i < s->n; i++) {
		struct replay_member *m = &s->m[i];
		mstate_init(&m->ms, &mp, m->def->targets ? m->def->targets : 3, role_of(s, i),
			    replay_seed_mix(s->o.seed, 0x5C4Dull + i), s->now);
		if (tel_member_init(&m->tm, m->def->cls, &s->tel_env) < 0)
			s->oom = true;
		/* A recording says the link state the daemon started with. */
		if (m->def->link >= 0)
			note_state(m, mstate_link(&m->ms, (enum detect_link)m->def->link, s->now));
		else if (!m->carrier)
			note_state(m, mstate_link(&m->ms, DETECT_LINK_NO_CARRIER, s->now));
	}
	evaluate(s);
	for (unsigned i = 0; i < s->n && !s->playback; i++)
		arm(s, i);
}

static void push_outcome(struct replay_sim *s, unsigned i, uint64_t at, enum mstate_outcome o,
			 uint32_t rtt_us, uint32_t timeout_ms)
{
	replay_push(s, (struct replay_ev){ .t = at, .kind = REPLAY_EV_OUTCOME, .member = (uint8_t)i,
					   .what = (uint8_t)o, .sent_us = s->now, .rtt_us = rtt_us,
					   .timeout_ms = timeout_ms, .gen = s->m[i].epoch });
}

/* The prober: one probe now, its outcome(s) later — LOST at the loss
 * timeout then LATE when a slow reply arrives; SEND_ERR at once without
 * carrier (prober_send reports it synchronously too). */
static void a_probe(struct replay_sim *s, unsigned i, const struct replay_ev *e)
{
	struct replay_member *m = &s->m[i];
	uint64_t now = s->now;

	if (now < mstate_due_us(&m->ms)) {
		arm(s, i);
		return;
	}
	mstate_fire(&m->ms, now);
	uint32_t T = mstate_loss_timeout_ms(&m->ms, now), rtt;
	m->probes++;
	if (!m->carrier) {
		m->new_role = false;
		note_state(m, mstate_outcome(&m->ms, MSTATE_SEND_ERR, now, 0, now));
	} else if (replay_net(s, i, &rtt)) {
		push_outcome(s, i, now + T * MS, MSTATE_LOST, 0, T);
	} else if (rtt < T * MS) {
		push_outcome(s, i, now + rtt, MSTATE_REPLY, rtt, T);
	} else {
		push_outcome(s, i, now + T * MS, MSTATE_LOST, 0, T);
		push_outcome(s, i, now + rtt, MSTATE_LATE, rtt, T);
	}
	if (now - m->ms.evaluated_us >= TICK_US && !m->new_role)
		note_state(m, mstate_tick(&m->ms, now));
	evaluate(s);
	arm(s, i);
}

static void a_outcome(struct replay_sim *s, unsigned i, const struct replay_ev *e)
{
	struct replay_member *m = &s->m[i];
	enum mstate_outcome o = (enum mstate_outcome)e->what;

	if (e->gen != m->epoch && (o == MSTATE_REPLY || o == MSTATE_LATE)) {
		/* The carrier went down while the reply was on its way: it never
		 * arrives, so the probe times out (its LOST is already queued for
		 * a late one). */
		if (o == MSTATE_LATE)
			return;
		uint64_t lost_at = e->sent_us + (uint64_t)e->timeout_ms * MS;
		if (lost_at > s->now) {
			struct replay_ev l = *e;
			l.t = lost_at;
			l.what = MSTATE_LOST;
			l.rtt_us = 0;
			replay_push(s, l);
			return;
		}
		o = MSTATE_LOST;
	}
	m->new_role = false;
	note_state(m, mstate_outcome(&m->ms, o, e->sent_us, o == MSTATE_LOST ? 0 : e->rtt_us,
				     s->now));
	evaluate(s);
	arm(s, i);
}

static void a_link(struct replay_sim *s, unsigned i, bool up)
{
	struct replay_member *m = &s->m[i];

	note_state(m, mstate_link(&m->ms, up ? DETECT_LINK_UP : DETECT_LINK_NO_CARRIER, s->now));
	evaluate(s);
	arm(s, i);
}

/* Evaluates member i's telemetry; flags that come or go are written out. */
static void tel_eval(struct replay_sim *s, unsigned i, int64_t wall)
{
	struct replay_member *m = &s->m[i];
	struct tel_verdict was = m->tm.v;
	const struct tel_verdict *v = tel_member_eval(&m->tm, s->now, wall);
	const struct { bool a, b; const char *what, *reason; } f[] = {
		{ was.predicted, v->predicted, "predicted", v->predict_reason },
		{ was.exclude, v->exclude, "excluded", v->exclude_reason },
		{ was.link_down, v->link_down, "link_down", v->link_reason },
	};
	for (size_t k = 0; k < sizeof(f) / sizeof(f[0]); k++)
		if (f[k].a != f[k].b)
			replay_out_telemetry(s, i, f[k].what, f[k].b ? f[k].reason : "cleared");
	note_state(m, tel_member_apply(&m->tm, &m->ms, s->now));
}

/* Telemetry verdicts that change with time alone (a reboot's lead time). */
static void retel(struct replay_sim *s)
{
	int64_t wall = replay_wall_s(s);
	for (unsigned i = 0; i < s->n; i++)
		if (s->m[i].tm.kind && s->m[i].tm.kind->next_us)
			tel_eval(s, i, wall);
}

static void a_timer(struct replay_sim *s)
{
	retel(s);
	evaluate(s);
}

/* What the daemon read (slot k of member i) into the member's assessors,
 * through the kind that reads it. */
static void feed(struct replay_sim *s, unsigned i, unsigned k)
{
	struct replay_member *m = &s->m[i];
	const struct replay_slot *sl = &s->slots[k];
	struct tel_clock c = replay_clock(s);
	sl->k->trace_feed(&m->tm, tel_member_part(&m->tm, sl->k), m->peer[tel_kind_index(sl->k)],
			  sl->poll, sl->tel >= 0 ? m->seen[sl->tel] : NULL, &c);
}

/* The usage_mb extension: what the kernel's counters would say. */
static void usage_of(struct replay_member *m)
{
	if (!m->has_usage)
		return;
	for (unsigned j = 0; j < m->tm.n_part; j++)
		if (m->tm.part[j].k->trace_usage)
			m->tm.part[j].k->trace_usage(m->tm.part[j].a, m->usage_mb,
						     m->def->data_limit_mb);
}

/* Slot k's next poll interval on member i (ms), 0 = the configured one: a
 * client polls faster while its link looks suspect. */
static uint32_t a_poll_ms(struct replay_sim *s, unsigned i, unsigned k)
{
	const struct replay_slot *sl = &s->slots[k];
	if (!sl->k->poll_ms)
		return 0;
	return sl->k->poll_ms(tel_member_part(&s->m[i].tm, sl->k), sl->poll, s->poll_ms[k]);
}

static void a_telemetry(struct replay_sim *s, unsigned i, unsigned k)
{
	struct replay_member *m = &s->m[i];

	feed(s, i, k);
	usage_of(m);
	tel_eval(s, i, replay_wall_s(s));
	/* A client that turns to fast polling asks again sooner. */
	for (unsigned j = 0; j < s->n_slots; j++) {
		uint32_t ms = replay_polls(s, i, j) ? a_poll_ms(s, i, j) : 0;
		if (ms && m->poll_at[j] > s->now + ms * MS)
			replay_repoll(s, i, j, s->now + ms * MS);
	}
	evaluate(s);
}

/* ---- a daemon's recording, played back ------------------------------------------------ */

/* The operator's failover, as decisions_failover / decisions_auto do it. */
static void manual(struct replay_sim *s, int i, enum replay_manual k)
{
	struct decision dc;
	int rc = k == REPLAY_MANUAL_AUTO ? decide_auto(&s->dec, s->now, &dc) :
		 decide_manual(&s->dec, s->m[i].def->name, k == REPLAY_MANUAL_PIN, s->now, &dc);
	if (rc == 0)
		replay_out_decision(s, &dc);
}

/* A sample the daemon's source read, into the member's assessors through
 * the kind that reads it. */
static void recorded_sample(struct replay_sim *s, unsigned i, const struct replay_change *c)
{
	struct replay_member *m = &s->m[i];
	struct tel_clock clk = replay_clock(s);
	for (unsigned k = 0; k < REPLAY_TEL_N; k++) {
		if (!(c->tel_given & (1u << k)))
			continue;
		for (unsigned j = 0; j < tel_kind_count(); j++) {
			const struct tel_kind *kd = tel_kind_at(j);
			if (kd->trace_feed && kd->trace_key &&
			    strcmp(kd->trace_key, replay_tel_name((enum replay_tel)k)) == 0)
				kd->trace_feed(&m->tm, tel_member_part(&m->tm, kd), m->peer[j],
					       TEL_POLL_RECORDED, c->tel[k], &clk);
		}
	}
	if (c->has & REPLAY_HAS_USAGE) {
		m->usage_mb = c->usage_mb;
		m->has_usage = true;
		usage_of(m);
	}
}

/* One line of a recording: the calls the daemon's engine got at that
 * instant, in its order (daemon/members.c, tel.c, decisions.c), and an
 * evaluation after each update, as the daemon makes it. */
static void a_recorded(struct replay_sim *s, int i, const struct replay_change *c)
{
	const struct replay_rec *r = &c->rec;
	if (i < 0) {
		if (r->has & REPLAY_REC_MANUAL)
			manual(s, -1, REPLAY_MANUAL_AUTO);
		evaluate(s);
		return;
	}
	struct replay_member *m = &s->m[i];
	if (r->load >= 0)
		m->ms.load_pct = (unsigned)r->load;
	if (r->has & REPLAY_REC_FIRE) {
		mstate_fire(&m->ms, s->now);
		m->probes++;
	}
	if (r->has & REPLAY_REC_RESULT)
		note_state(m, mstate_outcome(&m->ms, (enum mstate_outcome)r->result,
					     REPLAY_T0_US + r->sent_us,
					     r->result == MSTATE_LOST ? 0 : r->rtt_us, s->now));
	if (r->has & REPLAY_REC_TICK)
		note_state(m, mstate_tick(&m->ms, s->now));
	if (r->has & REPLAY_REC_LINK)
		note_state(m, mstate_link(&m->ms, (enum detect_link)r->link, s->now));
	recorded_sample(s, (unsigned)i, c);
	if (r->has & REPLAY_REC_EVAL)
		tel_eval(s, (unsigned)i, replay_wall_s(s));
	if (r->has & REPLAY_REC_MANUAL)
		manual(s, i, (enum replay_manual)r->manual);
	if (r->has & (REPLAY_REC_RESULT | REPLAY_REC_TICK | REPLAY_REC_LINK | REPLAY_REC_EVAL |
		      REPLAY_REC_MANUAL))
		evaluate(s);
}

const struct replay_policy_ops replay_autonomy_ops = {
	.init = a_init, .probe = a_probe, .outcome = a_outcome, .link = a_link, .timer = a_timer,
	.telemetry = a_telemetry, .poll_ms = a_poll_ms, .recorded = a_recorded,
};
