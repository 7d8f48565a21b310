/* detect_sim: Monte-Carlo, in virtual time, of the probe scheduler, the down
 * detector and the health score (src/engine/{sched,detect,health,window}.c)
 * against a simulated path (as tests/replay's network: each probe lost with
 * probability `loss`, else answered after max(0, normal(rtt, jitter))).
 * Prints one JSON document:
 *  (a) blackhole -> `down` delay on the active member: median / p95 / max;
 *  (b) false `down` per hour at 10 % and 20 % random loss (detector and
 *      health state), with the lowest score seen, and a model check of the
 *      p^K math at a short burst where false downs are frequent;
 *  (c) probes/day and bytes/day per role, formula and simulated.
 * Usage: detect_sim [--trials N] [--hours H] [--seed S] [--burst K] */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/detect.h"
#include "engine/health.h"
#include "engine/sched.h"
#include "engine/window.h"

#define US 1000000ULL
#define NEVER UINT64_MAX
#define QMAX 128

/* --burst K: burst length K and fall K + 1 everywhere (default 10 / 11). */
static unsigned g_burst = 10;

enum ev { EV_REPLY, EV_LOST, EV_LATE };

struct pending {
	uint64_t at_us, sent_us;
	uint32_t rtt_us;
	enum ev kind;
};

struct sim {
	struct window w;
	struct sched s;
	struct detect d;
	struct health h;
	enum sched_role role;
	unsigned n_targets;
	double rtt_ms, jitter_ms, loss;
	uint64_t blackhole_us;          /* path dead from here on */
	uint64_t rng;
	struct pending q[QMAX];
	unsigned nq;
	bool eval_health;
	uint64_t now, sent, hdowns, late;
	uint64_t detect_down_us, health_down_us;
	int min_score;
	enum health_state hstate;
	uint64_t timeout_sum_ms, timeouts;
};

static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static double unif(uint64_t *s)
{
	return (rnd(s) >> 11) * (1.0 / 9007199254740992.0);
}

static double gauss(uint64_t *s)
{
	double u1 = unif(s), u2 = unif(s);

	return sqrt(-2 * log(u1 > 0 ? u1 : 1e-300)) * cos(2 * M_PI * u2);
}

static void sim_init(struct sim *m, enum sched_role role, double loss, uint64_t seed,
		     const struct sched_params *sp, const struct detect_params *dp)
{
	struct sched_params dsp;
	struct detect_params ddp;

	if (!sp) {
		sched_params_default(&dsp);
		dsp.burst_probes = g_burst;
		sp = &dsp;
	}
	if (!dp) {
		detect_params_default(&ddp);
		ddp.fall = g_burst + 1;
		dp = &ddp;
	}
	memset(m, 0, sizeof(*m));
	window_init(&m->w);
	sched_init(&m->s, sp, seed, 0);
	detect_init(&m->d, dp, 0);
	health_init(&m->h, NULL);
	m->role = role;
	m->n_targets = 3;
	m->rtt_ms = 30;
	m->jitter_ms = 2;
	m->loss = loss;
	m->blackhole_us = NEVER;
	m->rng = seed * 7919 + 17;
	m->detect_down_us = m->health_down_us = NEVER;
	m->min_score = 101;
}

static void push(struct sim *m, uint64_t at, uint64_t sent, uint32_t rtt, enum ev kind)
{
	if (m->nq < QMAX)
		m->q[m->nq++] = (struct pending){ at, sent, rtt, kind };
}

/* As mstate_fire and mstate_loss_timeout_ms: the suspicion delay is set
 * before the fire, the timeout depends on whether the probe is a burst's. */
static void send_probe(struct sim *m)
{
	double rtt = m->rtt_ms + m->jitter_ms * gauss(&m->rng);
	uint64_t rtt_us = rtt > 0 ? (uint64_t)(rtt * 1000) : 0;
	bool lost = unif(&m->rng) < m->loss;

	m->s.suspect_ms = detect_suspect_ms(&m->w, m->now);
	m->s.loss_ms = detect_loss_timeout_ms(&m->w, m->now);
	sched_fire(&m->s, m->role, 0, m->n_targets, m->now);
	uint32_t T = m->s.fired_burst ? detect_confirm_timeout_ms(&m->w, m->now) :
		     detect_loss_timeout_ms(&m->w, m->now);
	m->sent++;
	m->timeout_sum_ms += T;
	m->timeouts++;
	/* A blackhole drops the request or the reply: lost if the reply would
	 * arrive after it started. */
	if (m->now + rtt_us >= m->blackhole_us)
		lost = true;
	if (lost) {
		push(m, m->now + T * 1000ULL, m->now, 0, EV_LOST);
	} else if (rtt_us >= T * 1000ULL) {
		push(m, m->now + T * 1000ULL, m->now, 0, EV_LOST);
		push(m, m->now + rtt_us, m->now, (uint32_t)rtt_us, EV_LATE);
	} else {
		push(m, m->now + rtt_us, m->now, (uint32_t)rtt_us, EV_REPLY);
	}
}

static void note_health(struct sim *m)
{
	struct health_result r;

	health_update(&m->h, &m->w, &m->d, NULL, 0, m->now, &r);
	if (r.score >= 0 && r.score < m->min_score)
		m->min_score = r.score;
	if (r.state == HEALTH_DOWN && m->hstate != HEALTH_DOWN) {
		m->hdowns++;
		if (m->health_down_us == NEVER)
			m->health_down_us = m->now;
	}
	m->hstate = r.state;
}

static void deliver(struct sim *m, const struct pending *p)
{
	bool changed = false;

	switch (p->kind) {
	case EV_REPLY:
		window_add(&m->w, p->sent_us, false, p->rtt_us);
		changed = detect_outcome(&m->d, DETECT_REPLY, p->sent_us, m->now);
		sched_outcome(&m->s, false, p->sent_us, m->now);
		break;
	case EV_LOST:
		window_add(&m->w, p->sent_us, true, 0);
		changed = detect_outcome(&m->d, DETECT_LOST, p->sent_us, m->now);
		sched_outcome(&m->s, true, p->sent_us, m->now);
		break;
	case EV_LATE:
		m->late++;
		window_add_late_rtt(&m->w, p->sent_us, p->rtt_us);
		changed = detect_outcome(&m->d, DETECT_LATE, p->sent_us, m->now);
		sched_outcome(&m->s, false, p->sent_us, m->now);
		break;
	}
	if (changed && m->d.state == DETECT_DOWN && m->detect_down_us == NEVER)
		m->detect_down_us = m->now;
	if (m->eval_health)
		note_health(m);
}

/* One step: the earliest pending outcome, else the scheduler's next probe. */
static void step(struct sim *m)
{
	unsigned best = QMAX;
	uint64_t due = sched_due_us(&m->s);

	for (unsigned i = 0; i < m->nq; i++)
		if (m->q[i].at_us <= due && (best == QMAX || m->q[i].at_us < m->q[best].at_us))
			best = i;
	if (best == QMAX) {
		m->now = due > m->now ? due : m->now;
		send_probe(m);
	} else {
		struct pending p = m->q[best];
		m->q[best] = m->q[--m->nq];
		m->now = p.at_us > m->now ? p.at_us : m->now;
		deliver(m, &p);
	}
	if (detect_tick(&m->d, sched_interval_ms(&m->s.p, m->role, 0), m->now) &&
	    m->detect_down_us == NEVER)
		m->detect_down_us = m->now;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double quant_ms(const uint64_t *v, unsigned n, double q)
{
	unsigned i = (unsigned)ceil(q * n) - 1;

	return v[i < n ? i : n - 1] / 1000.0;
}

/* (a) blackhole at a random instant after 20..30 s of a healthy path. */
static void run_blackhole(const char *key, double rtt_ms, double jitter_ms, unsigned trials,
			  uint64_t seed, bool last)
{
	uint64_t *dd = calloc(trials, sizeof(*dd)), r = seed, tsum = 0, tn = 0;
	unsigned missed = 0;
	double sum = 0;

	for (unsigned i = 0; i < trials; i++) {
		static struct sim m;
		sim_init(&m, SCHED_ACTIVE, 0, seed * 100003 + i, NULL, NULL);
		m.rtt_ms = rtt_ms;
		m.jitter_ms = jitter_ms;
		m.blackhole_us = (uint64_t)((20 + 10 * unif(&r)) * US);
		while (m.now < m.blackhole_us)
			step(&m);
		tsum += detect_loss_timeout_ms(&m.w, m.now);
		tn++;
		while (m.detect_down_us == NEVER && m.now < m.blackhole_us + 10 * US)
			step(&m);
		if (m.detect_down_us == NEVER)
			missed++;
		dd[i] = m.detect_down_us == NEVER ? 10 * US : m.detect_down_us - m.blackhole_us;
		sum += dd[i] / 1000.0;
	}
	qsort(dd, trials, sizeof(*dd), cmp_u64);
	printf("    \"%s\": {\"trials\": %u, \"rtt_ms\": %g, \"jitter_ms\": %g, "
	       "\"loss_timeout_ms\": %.0f, \"median_ms\": %.1f, \"p95_ms\": %.1f, "
	       "\"p99_ms\": %.1f, \"max_ms\": %.1f, \"mean_ms\": %.1f, \"missed\": %u}%s\n",
	       key, trials, rtt_ms, jitter_ms, (double)tsum / tn, quant_ms(dd, trials, 0.5), quant_ms(dd, trials, 0.95),
	       quant_ms(dd, trials, 0.99), dd[trials - 1] / 1000.0, sum / trials, missed,
	       last ? "" : ",");
	free(dd);
}

/* (b) a long run at random loss: every transition to down is false. */
static void run_random_loss(double loss, double rtt_ms, double jitter_ms, double hours,
			    uint64_t seed, bool last)
{
	static struct sim m;
	uint64_t end = (uint64_t)(hours * 3600 * US);

	sim_init(&m, SCHED_ACTIVE, loss, seed, NULL, NULL);
	m.rtt_ms = rtt_ms;
	m.jitter_ms = jitter_ms;
	m.eval_health = true;
	while (m.now < end)
		step(&m);
	printf("    {\"loss\": %.2f, \"rtt_ms\": %g, \"hours\": %.0f, \"probes\": %" PRIu64
	       ", \"bursts_per_hour\": %.1f, \"suspicions_per_hour\": %.1f, "
	       "\"detector_downs\": %u, "
	       "\"detector_false_down_per_hour\": %.3g, \"health_downs\": %" PRIu64
	       ", \"health_false_down_per_hour\": %.3g, \"min_score\": %d, "
	       "\"final_state\": \"%s\", \"predicted_detector_per_hour\": %.3g}%s\n",
	       loss, rtt_ms, hours, m.sent, m.s.bursts / hours, m.s.suspicions / hours, m.d.downs,
	       m.d.downs / hours, m.hdowns,
	       m.hdowns / hours, m.min_score, health_state_name(m.hstate),
	       m.s.bursts / hours * pow(loss, m.s.p.burst_probes), last ? "" : ",");
}

/* The p^K model, checked where it predicts many events: a burst of 3. */
static void run_model_check(double hours, uint64_t seed)
{
	static struct sim m;
	struct sched_params sp;
	struct detect_params dp;

	sched_params_default(&sp);
	detect_params_default(&dp);
	sp.burst_probes = 3;
	dp.fall = 4;
	sim_init(&m, SCHED_ACTIVE, 0.2, seed, &sp, &dp);
	while (m.now < (uint64_t)(hours * 3600 * US))
		step(&m);
	printf("  \"model_check\": {\"loss\": 0.2, \"burst\": 3, \"fall\": 4, \"hours\": %.0f, "
	       "\"bursts_per_hour\": %.1f, \"predicted_downs_per_hour\": %.2f, "
	       "\"measured_downs_per_hour\": %.2f},\n",
	       hours, m.s.bursts / hours, m.s.bursts / hours * pow(0.2, 3), m.d.downs / hours);
}

/* (c) one simulated day per role. */
static void run_traffic(uint64_t seed)
{
	static const enum sched_role roles[] = { SCHED_ACTIVE, SCHED_STANDBY,
						 SCHED_METERED_STANDBY };
	static const double losses[] = { 0, 0.01, 1.0 };

	printf("  \"traffic\": [\n");
	for (unsigned i = 0; i < 3; i++) {
		struct sched_params sp;
		sched_params_default(&sp);
		double f = sched_probes_per_day(&sp, roles[i], 0);
		printf("    {\"role\": \"%s\", \"interval_ms\": %u, \"formula_probes_per_day\": %.0f, "
		       "\"formula_bytes_per_day\": %.0f", sched_role_name(roles[i]),
		       sched_interval_ms(&sp, roles[i], 0), f, f * SCHED_PROBE_BYTES);
		for (unsigned j = 0; j < 3; j++) {
			static struct sim m;
			sim_init(&m, roles[i], losses[j], seed + i * 10 + j, NULL, NULL);
			while (m.now < 86400 * US)
				step(&m);
			printf(", \"sim_loss_%g\": {\"probes_per_day\": %" PRIu64
			       ", \"bytes_per_day\": %" PRIu64 "}", losses[j], m.sent,
			       m.sent * SCHED_PROBE_BYTES);
		}
		printf("}%s\n", i < 2 ? "," : "");
	}
	printf("  ],\n");
}

int main(int argc, char **argv)
{
	unsigned trials = 2000;
	double hours = 100;
	uint64_t seed = 1;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--trials"))
			trials = (unsigned)strtoul(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--hours"))
			hours = strtod(argv[i + 1], NULL);
		else if (!strcmp(argv[i], "--burst"))
			g_burst = (unsigned)strtoul(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--seed"))
			seed = strtoull(argv[i + 1], NULL, 10);
	}
	if (trials == 0 || hours <= 0 || g_burst == 0) {
		fprintf(stderr, "usage: detect_sim [--trials N] [--hours H] [--seed S] [--burst K]\n");
		return 2;
	}
	printf("{\n  \"settings\": {\"min_interval_ms\": 500, \"base_interval_ms\": 1500, "
	       "\"max_interval_ms\": 5000, \"burst\": %u, \"burst_spacing_ms\": 20, "
	       "\"fall\": %u, \"rise\": 3, \"targets\": 3, \"seed\": %" PRIu64 "},\n",
	       g_burst, g_burst + 1, seed);
	printf("  \"blackhole_to_down\": {\n");
	run_blackhole("default_30ms", 30, 2, trials, seed, false);
	/* How the loss timeout (4 x p95) stretches detection on longer paths. */
	run_blackhole("rtt_60ms", 60, 8, trials, seed + 1, false);
	run_blackhole("rtt_120ms", 120, 15, trials, seed + 2, true);
	printf("  },\n");
	run_traffic(seed);
	run_model_check(hours / 10, seed);
	printf("  \"random_loss\": [\n");
	run_random_loss(0.10, 30, 2, hours, seed, false);
	run_random_loss(0.20, 30, 2, hours, seed + 1, false);
	/* Where the confirmation is shorter than the loss timeout. */
	run_random_loss(0.20, 60, 8, hours, seed + 2, true);
	printf("  ]\n}\n");
	return 0;
}
