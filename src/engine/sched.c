/* sched: the adaptive probe scheduler of one member (design in sched.h). */
#include <string.h>

#include "engine/sched.h"

void sched_params_default(struct sched_params *p)
{
	p->base_interval_ms = 1500;
	p->min_interval_ms = 500;
	p->max_interval_ms = 5000;
	p->adaptive = true;
	p->load_threshold = 80;
	p->metered_factor = 4;
	p->burst_probes = 10;
	p->burst_spacing_ms = 20;
	p->jitter_pct = 10;
}

/* xorshift64*: tiny, good enough to spread probe phases, reproducible. */
static uint64_t sched_rand(struct sched *s)
{
	uint64_t x = s->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	s->rng = x;
	return x * 0x2545F4914F6CDD1DULL;
}

/* splitmix64 of the seed, so that seeds 1, 2, 3 give unrelated streams. */
static uint64_t seed_mix(uint64_t seed)
{
	uint64_t z = seed + 0x9E3779B97F4A7C15ULL;

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	z ^= z >> 31;
	return z ? z : 0x9E3779B97F4A7C15ULL;
}

void sched_init(struct sched *s, const struct sched_params *p, uint64_t seed,
		uint64_t now_us)
{
	memset(s, 0, sizeof(*s));
	if (p)
		s->p = *p;
	else
		sched_params_default(&s->p);
	if (s->p.min_interval_ms == 0)
		s->p.min_interval_ms = 1;
	s->rng = seed_mix(seed);
	s->role = SCHED_STANDBY;
	s->due_us = now_us + sched_rand(s) % ((uint64_t)s->p.min_interval_ms * 1000);
}

uint64_t sched_due_us(const struct sched *s)
{
	return s->due_us;
}

bool sched_in_burst(const struct sched *s)
{
	return s->burst_left > 0;
}

/* x1 at or below the threshold, rising linearly to x2 at 100 % load;
 * returned in per mille to stay in integers. */
static uint64_t load_factor_pm(const struct sched_params *p, unsigned load_pct)
{
	if (load_pct <= p->load_threshold || p->load_threshold >= 100)
		return 1000;
	if (load_pct > 100)
		load_pct = 100;
	return 1000 + 1000ULL * (load_pct - p->load_threshold) / (100 - p->load_threshold);
}

uint32_t sched_interval_ms(const struct sched_params *p, enum sched_role role,
			   unsigned load_pct)
{
	uint64_t ms, f = load_factor_pm(p, load_pct);

	if (!p->adaptive)
		return p->base_interval_ms;
	switch (role) {
	case SCHED_ACTIVE:
		return p->min_interval_ms;      /* never backed off */
	case SCHED_METERED_STANDBY:
		ms = (uint64_t)p->metered_factor * p->max_interval_ms * f / 1000;
		break;
	case SCHED_STANDBY:
	default:
		ms = (uint64_t)p->base_interval_ms * f / 1000;
		/* Back off up to max_interval, but a base above it stays. */
		if (f > 1000 && ms > p->max_interval_ms)
			ms = p->max_interval_ms > p->base_interval_ms ?
			     p->max_interval_ms : p->base_interval_ms;
		break;
	}
	return ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
}

double sched_probes_per_day(const struct sched_params *p, enum sched_role role,
			    unsigned load_pct)
{
	double mean_ms = sched_interval_ms(p, role, load_pct) * (1.0 - p->jitter_pct / 200.0);

	return mean_ms > 0 ? 86400e3 / mean_ms : 0;
}

const char *sched_role_name(enum sched_role role)
{
	switch (role) {
	case SCHED_ACTIVE: return "active";
	case SCHED_STANDBY: return "standby";
	case SCHED_METERED_STANDBY: return "metered_standby";
	}
	return "?";
}

/* The interval shortened by a random 0..jitter_pct %: spreads members apart
 * while keeping the configured interval an upper bound. */
static uint64_t jittered_us(struct sched *s)
{
	uint64_t us = (uint64_t)sched_interval_ms(&s->p, s->role, s->load_pct) * 1000;
	uint64_t span = us * s->p.jitter_pct / 100;

	return span ? us - sched_rand(s) % (span + 1) : us;
}

void sched_set_role(struct sched *s, enum sched_role role, uint64_t now_us)
{
	if (role == s->role)
		return;
	s->role = role;
	if (s->burst_left)
		return;                 /* the burst keeps its own pace */
	uint64_t due = now_us + jittered_us(s);
	if (due < s->due_us)
		s->due_us = due;
}

unsigned sched_fire(struct sched *s, enum sched_role role, unsigned load_pct,
		    unsigned n_targets, uint64_t now_us)
{
	unsigned t;

	sched_set_role(s, role, now_us);
	s->load_pct = load_pct;
	if (n_targets == 0)
		n_targets = 1;
	t = s->next_target % n_targets;
	s->next_target = (t + 1) % n_targets;
	s->fired++;
	if (s->burst_left) {
		s->burst_left--;
		s->burst_fired++;
		if (s->burst_left) {
			s->due_us = now_us + (uint64_t)s->p.burst_spacing_ms * 1000;
			return t;
		}
	}
	s->due_us = now_us + jittered_us(s);
	return t;
}

void sched_outcome(struct sched *s, bool lost, uint64_t sent_us, uint64_t now_us)
{
	if (!lost) {
		if (sent_us > s->last_reply_sent_us)
			s->last_reply_sent_us = sent_us;
		s->consec_lost = 0;
		if (s->burst_left) {
			/* The path answers: nothing left to confirm. */
			s->burst_left = 0;
			s->due_us = now_us + jittered_us(s);
		}
		return;
	}
	if (sent_us < s->last_reply_sent_us)
		return;                 /* older than a probe that was answered */
	if (++s->consec_lost == 1 && s->burst_left == 0 && s->p.burst_probes > 0) {
		s->burst_left = s->p.burst_probes;
		s->due_us = now_us;
		s->bursts++;
	}
}

void sched_probe_now(struct sched *s, uint64_t now_us)
{
	if (s->due_us > now_us)
		s->due_us = now_us;
}
