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
	return s->suspect_at_us && s->suspect_at_us < s->due_us ? s->suspect_at_us : s->due_us;
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

static void burst_start(struct sched *s, uint64_t now_us)
{
	s->resume_shift_us = 0;
	s->burst_left = s->p.burst_probes;
	s->due_us = now_us;
	s->burst_start_us = now_us;
	s->bursts++;
}

/* A regular probe of a member that answered its last one: if no reply
 * comes within suspect_ms, the burst starts then (4b in sched.h). */
static void suspect_arm(struct sched *s, uint64_t now_us)
{
	if (s->role != SCHED_ACTIVE || !s->suspect_ms || s->consec_lost || s->suspect_at_us ||
	    !s->p.burst_probes)
		return;
	s->suspect_at_us = now_us + (uint64_t)s->suspect_ms * 1000;
	s->suspect_sent_us = now_us;
	s->suspect_lost_us = now_us + (uint64_t)s->loss_ms * 1000;
}

/* After a burst the regular probes resume an interval later; after one a
 * suspicion started, that much later again as the suspicion was early (the
 * loss timeout minus the suspicion). A lossy path is then probed, and
 * starts confirmations, about as often as when every burst waited for the
 * loss (bench/detect_sim: +2 % at 60 ms RTT and 20 % loss, where without
 * this it was +7 %), so confirming sooner hardly moves the false-down rate
 * per hour, and the false-down chance per confirmation is unchanged. */
static uint64_t after_burst_us(struct sched *s, uint64_t now_us)
{
	return now_us + s->resume_shift_us + jittered_us(s);
}

unsigned sched_fire(struct sched *s, enum sched_role role, unsigned load_pct,
		    unsigned n_targets, uint64_t now_us)
{
	unsigned t;

	sched_set_role(s, role, now_us);
	s->load_pct = load_pct;
	if (s->suspect_at_us && now_us >= s->suspect_at_us) {
		s->suspect_at_us = 0;
		if (!s->burst_left) {
			burst_start(s, now_us);
			s->suspicions++;
			s->resume_shift_us = s->suspect_lost_us > now_us ?
					     s->suspect_lost_us - now_us : 0;
		}
	}
	if (n_targets == 0)
		n_targets = 1;
	t = s->next_target % n_targets;
	s->next_target = (t + 1) % n_targets;
	s->fired++;
	s->fired_burst = s->burst_left > 0;
	if (s->burst_left) {
		s->burst_left--;
		s->burst_fired++;
		s->due_us = s->burst_left ? now_us + (uint64_t)s->p.burst_spacing_ms * 1000 :
			    after_burst_us(s, now_us);
		return t;
	}
	suspect_arm(s, now_us);
	s->due_us = now_us + jittered_us(s);
	return t;
}

void sched_outcome(struct sched *s, bool lost, uint64_t sent_us, uint64_t now_us)
{
	/* The suspected probe (or a later one) has its outcome: a reply
	 * clears the suspicion, a loss starts the burst below if the
	 * suspicion has not already. */
	if (s->suspect_at_us && sent_us >= s->suspect_sent_us)
		s->suspect_at_us = 0;
	if (!lost) {
		if (sent_us > s->last_reply_sent_us)
			s->last_reply_sent_us = sent_us;
		s->consec_lost = 0;
		if (s->burst_left) {
			/* The path answers: nothing left to confirm. */
			s->burst_left = 0;
			s->due_us = after_burst_us(s, now_us);
		}
		return;
	}
	if (sent_us < s->last_reply_sent_us)
		return;                 /* older than a probe that was answered */
	/* A probe sent before the last burst began is covered by it (the
	 * burst a suspicion started before this loss was reported). */
	if (++s->consec_lost == 1 && s->burst_left == 0 && s->p.burst_probes > 0 &&
	    (!s->bursts || sent_us >= s->burst_start_us))
		burst_start(s, now_us);
}

void sched_probe_now(struct sched *s, uint64_t now_us)
{
	if (s->due_us > now_us)
		s->due_us = now_us;
}
