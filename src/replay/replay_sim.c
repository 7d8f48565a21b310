/* replay_sim: the discrete-event core of the replay — virtual clock, event
 * queue (a binary heap ordered by time, then trace changes first, then
 * insertion order, so a run is fully deterministic), the simulated network
 * and the trace's ground truth (path, carrier, telemetry, wall clock). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "config/config.h"
#include "core/clock.h"
#include "replay/replay_hist.h"
#include "replay/replay_internal.h"

#define MS 1000ULL

/* ---- event queue ------------------------------------------------------------ */

static bool ev_before(const struct replay_ev *a, const struct replay_ev *b)
{
	if (a->t != b->t)
		return a->t < b->t;
	bool at = a->kind == REPLAY_EV_TRACE, bt = b->kind == REPLAY_EV_TRACE;
	if (at != bt)
		return at;
	return a->seq < b->seq;
}

void replay_push(struct replay_sim *s, struct replay_ev e)
{
	struct replay_heap *h = &s->q;

	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 256;
		struct replay_ev *v = realloc(h->v, cap * sizeof(*v));
		if (!v) {
			s->oom = true;
			return;
		}
		h->v = v;
		h->cap = cap;
	}
	e.seq = h->seq++;
	size_t i = h->n++;
	while (i > 0 && ev_before(&e, &h->v[(i - 1) / 2])) {
		h->v[i] = h->v[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->v[i] = e;
}

static bool pop(struct replay_heap *h, struct replay_ev *out)
{
	if (h->n == 0)
		return false;
	*out = h->v[0];
	struct replay_ev last = h->v[--h->n];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && ev_before(&h->v[c + 1], &h->v[c]))
			c++;
		if (!ev_before(&h->v[c], &last))
			break;
		h->v[i] = h->v[c];
		i = c;
	}
	if (h->n)
		h->v[i] = last;
	return true;
}

void replay_arm(struct replay_sim *s, unsigned i, uint64_t due_us)
{
	struct replay_member *m = &s->m[i];

	if (due_us == UINT64_MAX)
		return;                 /* waiting for a result, nothing to fire */
	if (due_us < s->now)
		due_us = s->now;
	if (m->armed_us == due_us)
		return;
	m->gen++;
	m->armed_us = due_us;
	replay_push(s, (struct replay_ev){ .t = due_us, .kind = REPLAY_EV_PROBE,
					   .member = (uint8_t)i, .gen = m->gen });
}

/* ---- randomness and the network --------------------------------------------- */

uint64_t replay_seed_mix(uint64_t seed, uint64_t salt)
{
	uint64_t z = seed * 0x9E3779B97F4A7C15ULL + salt + 0x632BE59BD9B4E019ULL;

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* splitmix64: one 64-bit state, good statistical quality, trivially seeded. */
static uint64_t next_u64(uint64_t *st)
{
	uint64_t z = (*st += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static double unif(uint64_t *st)
{
	return (double)(next_u64(st) >> 11) * (1.0 / 9007199254740992.0);
}

/* Box-Muller; one normal per call keeps the stream simple to reason about. */
static double gauss(uint64_t *st)
{
	double u1 = unif(st), u2 = unif(st);

	return sqrt(-2.0 * log(u1 > 0 ? u1 : 1e-300)) * cos(2.0 * M_PI * u2);
}

bool replay_net(struct replay_sim *s, unsigned i, uint32_t *rtt_us)
{
	struct replay_member *m = &s->m[i];
	double u = unif(&m->rng);
	double rtt = m->path.rtt_ms + m->path.jitter_ms * gauss(&m->rng);

	if (rtt < 0)
		rtt = 0;
	*rtt_us = rtt * 1e3 < 4e9 ? (uint32_t)(rtt * 1e3) : 4000000000u;
	return u < m->path.loss;
}

/* ---- ground truth from the trace ----------------------------------------------- */

/* The trace object k of member i changed: the kinds' virtual peers that
 * keep its history (the dish) take note. */
static void note_peers(struct replay_sim *s, unsigned i, unsigned k)
{
	struct replay_member *m = &s->m[i];
	struct tel_clock c = replay_clock(s);
	for (unsigned j = 0; j < tel_kind_count(); j++) {
		const struct tel_kind *kd = tel_kind_at(j);
		if (m->peer[j] && kd->peer_note && kd->trace_key &&
		    strcmp(kd->trace_key, replay_tel_name((enum replay_tel)k)) == 0)
			kd->peer_note(m->peer[j], m->tel[k], &c);
	}
}

static void apply_change(struct replay_sim *s, const struct replay_change *c)
{
	if (c->has & REPLAY_HAS_WALL) {
		s->have_wall = true;
		s->wall_at_t0_us = (int64_t)c->wall * 1000000 - (int64_t)c->t_us;
	}
	if (s->playback) {
		if (c->member >= 0 || c->rec.has)
			s->ops->recorded(s, c->member, c);
		return;
	}
	if (c->member < 0)
		return;
	unsigned i = (unsigned)c->member;
	struct replay_member *m = &s->m[i];
	if (c->has & REPLAY_HAS_RTT)
		m->path.rtt_ms = c->path.rtt_ms;
	if (c->has & REPLAY_HAS_JITTER)
		m->path.jitter_ms = c->path.jitter_ms;
	if (c->has & REPLAY_HAS_LOSS)
		m->path.loss = c->path.loss;
	for (unsigned k = 0; k < REPLAY_TEL_N; k++) {
		if (!(c->tel_given & (1u << k)))
			continue;
		replay_tel_apply(&m->tel[k], c->tel[k]);
		m->tel_ver[k]++;
		note_peers(s, i, k);
	}
	if (c->has & REPLAY_HAS_USAGE) {
		m->usage_mb = c->usage_mb;
		m->has_usage = true;
	}
	if ((c->has & REPLAY_HAS_CARRIER) && c->carrier != m->carrier) {
		m->carrier = c->carrier;
		if (!m->carrier)
			m->epoch++;
		if (s->started)         /* else the policy's init reads m->carrier */
			s->ops->link(s, i, m->carrier);
	}
}

static void on_trace(struct replay_sim *s)
{
	const struct replay_trace *tr = s->tr;

	while (s->next_change < tr->n_changes &&
	       REPLAY_T0_US + tr->changes[s->next_change].t_us <= s->now)
		apply_change(s, &tr->changes[s->next_change++]);
	if (s->next_change < tr->n_changes)
		replay_push(s, (struct replay_ev){
			.t = REPLAY_T0_US + tr->changes[s->next_change].t_us,
			.kind = REPLAY_EV_TRACE });
}

/* ---- telemetry polling ------------------------------------------------------------ */

/* Which telemetry the daemon reads from a member: its class's kind, and the
 * router-wide kinds its class reports (the dish's and the modem's GPS). */
bool replay_polls(const struct replay_sim *s, unsigned i, unsigned k)
{
	const struct tel_kind *kd = s->slots[k].k;
	const char *c = s->m[i].def->cls;
	return kd->cls ? strcmp(kd->cls, c) == 0 : tel_kind_word_in(kd->trace_classes, c);
}

void replay_repoll(struct replay_sim *s, unsigned i, unsigned k, uint64_t at)
{
	struct replay_member *m = &s->m[i];

	if (at < s->now)
		at = s->now;
	m->poll_at[k] = at;
	replay_push(s, (struct replay_ev){ .t = at, .kind = REPLAY_EV_POLL, .member = (uint8_t)i,
					   .what = (uint8_t)k, .gen = ++m->poll_gen[k] });
}

static int64_t wall_us(const struct replay_sim *s)
{
	int64_t base = s->have_wall ? s->wall_at_t0_us : REPLAY_DEFAULT_WALL * 1000000;
	return base + (int64_t)(s->now - REPLAY_T0_US);
}

int64_t replay_wall_s(const struct replay_sim *s)
{
	return wall_us(s) / 1000000;
}

struct tel_clock replay_clock(const struct replay_sim *s)
{
	return (struct tel_clock){ .now_us = s->now, .wall_us = wall_us(s), .t0_us = REPLAY_T0_US };
}

/* The daemon's view is a copy taken at the poll, so a change between polls
 * stays unseen until the next one (polling too rarely has its real cost).
 * The policy turns what it sees into penalties and predictions. */
static void on_poll(struct replay_sim *s, unsigned i, unsigned k, uint32_t gen)
{
	struct replay_member *m = &s->m[i];

	if (gen != m->poll_gen[k])
		return;                 /* replaced by a sooner poll */
	m->polls++;
	int t = s->slots[k].tel;
	if (s->slots[k].poll == 0 && t >= 0 && m->seen_ver[t] != m->tel_ver[t]) {
		json_object_put(m->seen[t]);
		m->seen[t] = NULL;
		if (m->tel[t] && json_object_deep_copy(m->tel[t], &m->seen[t], NULL) != 0)
			m->seen[t] = NULL;
		m->seen_ver[t] = m->tel_ver[t];
	}
	if (s->ops->telemetry && s->started)
		s->ops->telemetry(s, i, k);
	uint32_t ms = s->ops->poll_ms ? s->ops->poll_ms(s, i, k) : 0;
	replay_repoll(s, i, k, s->now + (uint64_t)(ms ? ms : s->poll_ms[k]) * MS);
}

static int tel_index(const char *key)
{
	for (unsigned k = 0; key && k < REPLAY_TEL_N; k++)
		if (strcmp(replay_tel_name((enum replay_tel)k), key) == 0)
			return (int)k;
	return -1;
}

/* The poll slots of the kinds built in: every kind's first poll, then every
 * second one (the dish's status before its history, as the client asks),
 * each at the interval of its config option. */
static void poll_slots(struct replay_sim *s)
{
	for (unsigned j = 0; j < TEL_POLLS_MAX; j++)
		for (unsigned i = 0; i < tel_kind_count(); i++) {
			const struct tel_kind *k = tel_kind_at(i);
			if (j >= k->n_polls || !k->trace_feed)
				continue;
			const struct tel_poll *p = &k->polls[j];
			unsigned n = s->n_slots++;
			s->slots[n] = (struct replay_slot){ .k = k, .poll = j,
							    .tel = tel_index(k->trace_key) };
			s->poll_ms[n] = p->default_ms;
			const struct cfg_section *sec = s->o.cfg ? config_section(s->o.cfg, p->section) : NULL;
			if (sec)
				s->poll_ms[n] = (uint32_t)cfg_duration_ms(sec, p->option);
			if (s->poll_ms[n] == 0)
				s->poll_ms[n] = 1000;
		}
}

/* Each member's virtual peers: one per kind with a peer that it polls. */
static void new_peers(struct replay_sim *s, unsigned i)
{
	struct replay_member *m = &s->m[i];
	for (unsigned k = 0; k < s->n_slots; k++) {
		const struct tel_kind *kd = s->slots[k].k;
		unsigned j = tel_kind_index(kd);
		if (kd->peer_new && !m->peer[j] && replay_polls(s, i, k) && !(m->peer[j] = kd->peer_new()))
			s->oom = true;
	}
}

/* ---- the run ------------------------------------------------------------------------- */

void replay_opts_default(struct replay_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->seed = 1;
	o->policy = REPLAY_AUTONOMY;
}

static void sim_init(struct replay_sim *s, const struct replay_trace *tr,
		     const struct replay_opts *o, FILE *out)
{
	s->tr = tr;
	s->o = *o;
	s->out = out;
	s->ops = o->policy == REPLAY_AUTONOMY ? &replay_autonomy_ops : &replay_baseline_ops;
	s->n = tr->n_members;
	s->now = REPLAY_T0_US;
	s->end = REPLAY_T0_US + tr->duration_us;
	s->active = -1;
	/* A daemon's recording is played back by a policy that can (its
	 * probes, link events and samples as they were, no simulation). */
	s->playback = tr->recorded && s->ops->recorded;
	poll_slots(s);
	for (unsigned i = 0; i < s->n; i++) {
		struct replay_member *m = &s->m[i];
		m->def = &tr->members[i];
		m->path = (struct replay_path){ .rtt_ms = 30, .jitter_ms = 2, .loss = 0 };
		m->carrier = true;
		m->rng = replay_seed_mix(o->seed, 0x6E6574ULL + i);
		new_peers(s, i);
		for (unsigned k = 0; k < s->n_slots && !s->playback; k++)
			if (replay_polls(s, i, k))
				replay_repoll(s, i, k, s->now);
	}
}

static void sim_free(struct replay_sim *s)
{
	for (unsigned i = 0; i < s->n; i++) {
		for (unsigned k = 0; k < REPLAY_TEL_N; k++) {
			json_object_put(s->m[i].tel[k]);
			json_object_put(s->m[i].seen[k]);
		}
		for (unsigned j = 0; j < tel_kind_count(); j++)
			if (s->m[i].peer[j])
				tel_kind_at(j)->peer_free(s->m[i].peer[j]);
		tel_member_free(&s->m[i].tm);
	}
	tel_env_free(&s->tel_env);
	free(s->q.v);
	free(s);
}

static void dispatch(struct replay_sim *s, const struct replay_ev *e)
{
	switch (e->kind) {
	case REPLAY_EV_TRACE:
		on_trace(s);
		break;
	case REPLAY_EV_PROBE:
		if (e->gen == s->m[e->member].gen) {
			s->m[e->member].armed_us = 0;
			s->ops->probe(s, e->member, e);
		}
		break;
	case REPLAY_EV_OUTCOME:
		s->ops->outcome(s, e->member, e);
		break;
	case REPLAY_EV_POLL:
		on_poll(s, e->member, e->what, e->gen);
		break;
	case REPLAY_EV_DECIDE:
		if (s->decide_at == e->t)
			s->decide_at = 0;
		s->ops->timer(s);
		break;
	default:
		break;
	}
}

int replay_run(const struct replay_trace *tr, const struct replay_opts *o, FILE *out,
	       struct replay_result *res)
{
	struct replay_sim *s = calloc(1, sizeof(*s));
	uint64_t wall0 = clock_mono_us();
	struct replay_ev e;

	if (!s)
		return -1;
	sim_init(s, tr, o, out);
	/* Changes at t = 0 come before the policy's first look; a recording's
	 * lines are what the daemon's engine was given after its own first
	 * look, so they come after. */
	replay_push(s, (struct replay_ev){ .t = s->end, .kind = REPLAY_EV_END });
	if (!s->playback)
		on_trace(s);
	if (o->store && o->policy == REPLAY_AUTONOMY) {
		char err[600];
		s->hist = replay_hist_open(s, o->store, o->store_durable, err, sizeof(err));
		if (!s->hist) {
			fprintf(stderr, "autonomyd: --store: %s\n", err);
			sim_free(s);
			return -2;
		}
	}
	s->ops->init(s);
	s->started = true;
	if (s->playback)
		on_trace(s);
	while (!s->oom && pop(&s->q, &e) && e.kind != REPLAY_EV_END) {
		if (s->hist)
			replay_hist_before(s->hist, e.t);
		s->now = e.t;
		s->res.events++;
		dispatch(s, &e);
		if (s->hist)
			replay_hist_after(s->hist);
	}
	if (s->hist)
		replay_hist_before(s->hist, s->end);
	s->now = s->end;
	if (s->hist) {
		replay_hist_close(s->hist, &s->res.store);
		s->hist = NULL;
		s->res.has_store = true;
	}
	s->res.virtual_s = tr->duration_s;
	s->res.wall_ms = o->wall_clock ? (double)(clock_mono_us() - wall0) / 1e3 : 0;
	for (unsigned i = 0; i < s->n; i++)
		s->res.probes += s->m[i].probes;
	replay_out_summary(s);
	int rc = s->oom ? -1 : 0;
	if (res)
		*res = s->res;
	sim_free(s);
	return rc;
}

const char *replay_policy_name(enum replay_policy p)
{
	switch (p) {
	case REPLAY_AUTONOMY: return "autonomy";
	case REPLAY_MWAN3: return "mwan3";
	case REPLAY_MWAN3_10S: return "mwan3-10s";
	case REPLAY_PFSENSE: return "pfsense";
	}
	return "?";
}

int replay_policy_parse(const char *str, enum replay_policy *p)
{
	for (int k = REPLAY_AUTONOMY; k <= REPLAY_PFSENSE; k++)
		if (strcmp(str, replay_policy_name((enum replay_policy)k)) == 0) {
			*p = (enum replay_policy)k;
			return 0;
		}
	return -1;
}
