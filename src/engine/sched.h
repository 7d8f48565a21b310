/* sched: when to probe one member, and which of its targets.
 *
 * Pure: the caller passes monotonic time in µs; randomness comes from a
 * seeded PRNG inside the struct (never rand()), so a replay with the same
 * seed probes at the same instants.
 *
 * Design goals (each is tested in tests/unit/test_sched.c and measured by
 * bench/detect_sim.c):
 *  1. The ACTIVE member is probed every min_interval_ms (500 ms by default),
 *     round-robin over its targets, so that a blackhole is confirmed `down`
 *     within 1.0 s p95 (with a 30 ms path and the loss-timeout policy of
 *     detect.h). Each interval is shortened by a random 0..jitter_pct % so
 *     members never probe in lockstep, and never lengthened: the configured
 *     interval is an upper bound.
 *  2. A STANDBY member is probed every base_interval_ms (1500 ms).
 *  3. A METERED_STANDBY member (metered, not carrying traffic) every
 *     metered_factor x max_interval_ms (4 x 5000 = 20 s): 4 320 probes/day,
 *     about 0.38 MB/day at 88 bytes per probe round trip (<= 1 MB/day).
 *  4. A lost probe that follows a reply (a suspicious miss) starts a
 *     confirmation burst at once: burst_probes probes burst_spacing_ms apart
 *     (10 x 20 ms), continuing round-robin over the targets, so a dead link is
 *     confirmed in a few hundred ms and a single lost packet is not: the
 *     first reply ends the burst. Losses after the burst (a member already
 *     confirmed down) start no new burst, so a dead member costs no more
 *     than its regular rate.
 *  4b. On the ACTIVE member the burst need not wait for the loss timeout
 *     (4 x p95 RTT): a regular probe still unanswered suspect_ms after it
 *     left (set by the caller, detect_suspect_ms: 2 x p95, at least 150 ms)
 *     starts it. The probe itself is still counted lost only at its loss
 *     timeout, so what makes `down` (fall losses in a row) is unchanged; only
 *     the confirmation starts sooner on a long path. A reply that is merely
 *     slow ends the burst when it arrives. After such a burst the regular
 *     probes resume as they would have after one that waited for the loss,
 *     so a lossy path starts as many confirmations per hour as before.
 *  5. System load (percent, passed in) above load_threshold stretches the
 *     standby intervals linearly, up to x2 at 100 % (STANDBY also capped at
 *     max_interval_ms); the ACTIVE interval and bursts are never slowed.
 *  6. adaptive off: every role is probed every base_interval_ms with no load
 *     back-off; confirmation bursts stay (they are how `down` is confirmed,
 *     not an adaptation).
 */
#ifndef AUTONOMY_ENGINE_SCHED_H
#define AUTONOMY_ENGINE_SCHED_H

#include <stdbool.h>
#include <stdint.h>

enum sched_role {
	SCHED_ACTIVE,           /* carries traffic */
	SCHED_STANDBY,
	SCHED_METERED_STANDBY,  /* metered member not carrying traffic */
};

/* Bytes on the wire for one ICMP echo round trip (IPv4: 2 x (20 IP + 8 ICMP
 * + 16 payload)), the unit of the bytes/day figures. */
#define SCHED_PROBE_BYTES 88

struct sched_params {
	uint32_t base_interval_ms;      /* polling.base_interval_ms (1500) */
	uint32_t min_interval_ms;       /* polling.min_interval_ms (500) */
	uint32_t max_interval_ms;       /* polling.max_interval_ms (5000) */
	bool adaptive;                  /* polling.adaptive_polling (1) */
	unsigned load_threshold;        /* polling.load_threshold, % (80) */
	unsigned metered_factor;        /* metered standby: x max_interval (4) */
	unsigned burst_probes;          /* confirmation burst length (10) */
	uint32_t burst_spacing_ms;      /* between burst probes (20) */
	unsigned jitter_pct;            /* intervals shortened by 0..this % (10) */
};

struct sched {
	struct sched_params p;
	uint64_t rng;                   /* xorshift64* state, never 0 */
	uint64_t due_us;                /* next probe */
	enum sched_role role;
	unsigned load_pct;              /* last load passed to sched_fire */
	unsigned next_target;
	unsigned burst_left;            /* burst probes still to send */
	bool fired_burst;               /* the last sched_fire sent a burst probe */
	unsigned consec_lost;           /* losses (send order) since the last reply */
	uint64_t last_reply_sent_us;    /* send time of the newest answered probe */
	uint64_t burst_start_us;        /* when the last burst began */
	uint32_t suspect_ms;            /* set by the caller before sched_fire: an
					 * active member's regular probe unanswered
					 * this long starts the burst; 0 = off */
	uint32_t loss_ms;               /* ... and the regular loss timeout */
	uint64_t suspect_at_us;         /* that moment for the pending probe; 0 = none */
	uint64_t suspect_sent_us;       /* ... the probe's send time */
	uint64_t suspect_lost_us;       /* ... and when it will count as lost */
	uint64_t resume_shift_us;       /* how early the last burst started */
	uint64_t fired, burst_fired, bursts;    /* counters, for reporting */
	uint64_t suspicions;            /* bursts started by an overdue reply */
};

void sched_params_default(struct sched_params *p);
/* params NULL = defaults. The first probe falls at a random phase within
 * min_interval_ms of now, so members started together do not align. */
void sched_init(struct sched *s, const struct sched_params *p, uint64_t seed,
		uint64_t now_us);
/* The next probe: a regular one, a burst probe, or the moment a pending
 * suspicion starts a burst. */
uint64_t sched_due_us(const struct sched *s);
/* A role change. A promotion takes effect at once: the next probe is pulled
 * in to the new, shorter interval instead of waiting out the old one. */
void sched_set_role(struct sched *s, enum sched_role role, uint64_t now_us);
/* Call when now >= sched_due_us(): returns the target to probe (0 ..
 * n_targets-1; n_targets 0 is taken as 1) and schedules the next probe.
 * role is applied as by sched_set_role. Firing late never causes catch-up
 * probes: the next one is counted from now. A suspicion that fell due turns
 * this probe into the first of a burst; fired_burst tells the caller that
 * the probe is a confirmation (detect_confirm_timeout_ms). */
unsigned sched_fire(struct sched *s, enum sched_role role, unsigned load_pct,
		    unsigned n_targets, uint64_t now_us);
/* An outcome of a probe sent at sent_us: lost for LOST and SEND_ERR, not lost
 * for REPLY and LATE (a late reply proves the path alive). A loss following a
 * reply starts a burst (due now); a reply ends one. A loss of a probe sent
 * before the newest answered one is stale and ignored. */
void sched_outcome(struct sched *s, bool lost, uint64_t sent_us, uint64_t now_us);
bool sched_in_burst(const struct sched *s);
/* Pulls the next probe in to now: something outside the probes (netifd
 * brought the interface up) says the path may have changed. */
void sched_probe_now(struct sched *s, uint64_t now_us);

/* The nominal interval for a role (the upper bound; the mean is shorter by
 * jitter_pct/2 %). load_pct is the system load in percent. */
uint32_t sched_interval_ms(const struct sched_params *p, enum sched_role role,
			   unsigned load_pct);
/* Expected regular probes per day for a role (bursts excluded: they are
 * bounded by burst_probes per loss-after-reply; see bench/detect_sim). */
double sched_probes_per_day(const struct sched_params *p, enum sched_role role,
			    unsigned load_pct);
const char *sched_role_name(enum sched_role role);

#endif
