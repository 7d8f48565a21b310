/* qos_rate: the adaptive shaper rate (qos.latency_optimization), the idea
 * of cake-autorate: the capacity of a Starlink or LTE link moves; a shaper
 * set above it lets the queue build in the modem, one set far below wastes
 * the link. So: watch the delay the probes see through the active member
 * against its idle baseline; when it rises while we are sending, lower the
 * rate at once (by 10 %, by 30 % when the queue is deep, or to below what
 * got through), and not again while the queue visibly drains; while it
 * stays low under load, raise it slowly (2 %/s); when idle, drift back
 * towards the configured limit. Always within [floor, limit].
 *
 * Pure: RTT samples and byte counters with their monotonic times go in,
 * rates come out. The daemon calls qos_rate_sample for every probe reply of
 * the active member and qos_rate_tick every ~500 ms with the device's byte
 * counters; the unit tests feed synthetic sequences.
 *
 * Differences from cake-autorate, and why:
 *  - RTT, not one-way delay: the probes are ICMP/TCP/DNS/HTTP round trips.
 *    A delay rise cannot be pinned on a direction, so it is blamed on the
 *    directions that carry traffic (an idle direction cannot be queueing),
 *    and the fast cut to below the achieved rate goes to the direction that
 *    is busiest relative to its limit only.
 *  - No delay rise counts while both directions are idle: that is the path
 *    (a satellite handover, a cell change), not a queue of ours; the
 *    baseline follows it quickly then, slowly under load.
 *  - The probes run at the active rate (2/s), not 20/s: detection takes two
 *    bloated samples out of the last four (about a second), or one sample
 *    three times over the target (half a second). */
#ifndef AUTONOMY_QOS_RATE_H
#define AUTONOMY_QOS_RATE_H

#include <stdbool.h>
#include <stdint.h>

#define QOS_RATE_TARGETS    16          /* baselines kept per probe target */
#define QOS_RATE_WINDOW     4           /* recent samples looked at */
#define QOS_RATE_BLOAT_MIN  2           /* of which this many bloated = bloat */

enum qos_dir { QOS_UP, QOS_DOWN, QOS_N_DIRS };

struct qos_rate_params {
	uint32_t max_kbit[QOS_N_DIRS];  /* the configured limits; 0 = direction off */
	uint32_t min_pct;               /* floor, % of the limit */
	uint32_t delay_thr_us;          /* RTT rise over the baseline that is bloat */
};

struct qos_rate_dir {
	uint32_t rate_kbit, min_kbit, max_kbit;
	uint64_t bytes;                 /* counter at the last tick */
	bool have_bytes;
	uint32_t achieved_kbit;         /* throughput over the last tick */
	unsigned load_pct;              /* achieved / rate */
	uint64_t cuts, raises;          /* counters for status */
};

struct qos_rate {
	struct qos_rate_params p;
	struct qos_rate_dir dir[QOS_N_DIRS];
	uint32_t base_us[QOS_RATE_TARGETS];     /* 0 = no baseline yet */
	uint32_t last_delta_us;         /* newest sample's rise over its baseline */
	uint32_t cut_delta_us;          /* the rise when the rate was last cut */
	uint32_t last_rtt_us;
	uint8_t hist;                   /* bit i: sample i (0 = newest) was bloated */
	uint8_t n_hist;
	bool bloat;                     /* the window says so */
	bool loaded;                    /* some direction carried traffic last tick */
	uint64_t last_sample_us, last_tick_us, last_cut_us;
	uint64_t bloat_events;
};

void qos_rate_init(struct qos_rate *r, const struct qos_rate_params *p);
/* New limits (reload, another member): rates are clamped into them; a
 * direction whose limit changed starts again at its limit. */
void qos_rate_set_limits(struct qos_rate *r, const struct qos_rate_params *p);
/* One RTT sample of the active member through probe target t. */
void qos_rate_sample(struct qos_rate *r, unsigned t, uint32_t rtt_us, uint64_t now_us);
/* A probe of the active member was lost. Under load that is a queue that
 * overflowed (a full modem buffer drops the probes that would have shown
 * the delay): it counts as a bloated sample. Idle, it says nothing about
 * queues (the loss is the detector's business). */
void qos_rate_loss(struct qos_rate *r, uint64_t now_us);
/* The byte counters of each direction (sent on the uplink = up, received =
 * down) at now. Returns a bitmask of the directions whose rate changed
 * (1 << QOS_UP, 1 << QOS_DOWN). */
unsigned qos_rate_tick(struct qos_rate *r, const uint64_t bytes[QOS_N_DIRS], uint64_t now_us);
/* Baselines learnt elsewhere: a member that becomes the shaped one brings
 * what its probes saw while it carried no traffic (a clean path), so that
 * a switch under load does not take the loaded delay for the baseline. */
void qos_rate_seed(struct qos_rate *r, const uint32_t base_us[QOS_RATE_TARGETS]);
/* The baseline rule for a member that carries no traffic (pure): falls at
 * once, follows a higher path delay within tens of samples. */
void qos_baseline_idle(uint32_t base_us[QOS_RATE_TARGETS], unsigned t, uint32_t rtt_us);
/* The current baseline (smallest over the targets that have one), 0 if none. */
uint32_t qos_rate_baseline_us(const struct qos_rate *r);

#endif
