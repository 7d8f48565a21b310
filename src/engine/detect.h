/* detect: is a member's path dead? A down detector with rise/fall hysteresis
 * (the dpinger / keepalived lessons), fed with probe outcomes, link events
 * and time. Pure: no clock, no I/O.
 *
 * down when
 *  - the link says so: no carrier, admin down or device missing count at
 *    once (the kernel keeps `linkdown` routes in use, so waiting for probes
 *    would keep traffic on a dead cable);
 *  - `fall` consecutive probes are lost (11 = the suspicious miss plus the
 *    scheduler's confirmation burst of 10, see sched.h), counted in send
 *    order: a loss of a probe sent before the newest answered one is stale;
 *  - no reply at all (timely or late) for the hard timeout: a backstop for
 *    the case where outcomes stop arriving. It is max(hard_timeout_ms,
 *    3 x the member's current probe interval), so a sparse metered standby
 *    is not declared dead for being probed sparsely.
 * up again after `rise` consecutive timely replies (3) with the link up.
 * A late reply proves the path alive: it ends a confirmation (resets the
 * loss run) but does not count towards rise, so a path that is merely slow
 * is not declared dead and a dead one does not come back on stragglers.
 *
 * Why fall = 11: under independent random loss p, a confirmation starts on
 * each loss that follows a reply, and ends in down only if all 10 burst
 * probes are lost too: p^10 per start. On the active member at p = 0.2 there
 * are 1 728 starts an hour (measured: regular losses plus losses right after
 * a burst's reply; bound: every lost probe, 0.2 x 10 800 = 2 160), so false
 * downs = 1 728 x 0.2^10 = 1.8e-4 per hour, one in ~7.7 months of continuous
 * 20 % loss; at p = 0.1, 814 x 0.1^10 = 8e-8 per hour. A burst of 8 would
 * fire falsely once in 9 days; 12 would leave only 60 ms of the 1 s budget.
 *
 * Timing on the active member: wait for the next probe (0..500 ms) + the
 * suspicion + 9 x 20 ms + the confirmation timeout, each 2 x p95 RTT but at
 * least 150 ms: 480..980 ms up to ~75 ms RTT (simulated p95 0.90 s at 30 ms
 * and at 60 ms RTT). Before the confirmation had its own timeouts, it waited
 * for the regular 4 x p95 one twice, which put the p95 at 1.15 s at 60 ms
 * RTT and 1.65 s at 120 ms (now 1.2 s): bench/detect_sim, bench/measure_lab
 * --detect, docs/health-score.md.
 * docs/health-score.md has the table and the measurements.
 */
#ifndef AUTONOMY_ENGINE_DETECT_H
#define AUTONOMY_ENGINE_DETECT_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/window.h"

enum detect_state { DETECT_UNKNOWN, DETECT_UP, DETECT_DOWN };

enum detect_link {
	DETECT_LINK_UP,
	DETECT_LINK_NO_CARRIER,
	DETECT_LINK_ADMIN_DOWN,
	DETECT_LINK_MISSING,
	DETECT_LINK_IFDOWN,     /* netifd took the logical interface down */
};

enum detect_outcome {
	DETECT_REPLY,           /* probe answered within the loss timeout */
	DETECT_LOST,            /* loss timeout passed */
	DETECT_LATE,            /* an answer after its loss was reported */
	DETECT_SEND_ERR,        /* could not send: counts as a loss */
};

struct detect_params {
	unsigned fall;          /* consecutive losses that confirm down (11) */
	unsigned rise;          /* consecutive replies that bring it up (3) */
	uint32_t hard_timeout_ms;       /* no reply at all for this long (5000) */
};

struct detect {
	struct detect_params p;
	enum detect_state state;
	enum detect_link link;
	unsigned consec_lost;   /* losses in send order since the last reply */
	unsigned consec_ok;     /* timely replies since the last loss */
	uint64_t first_lost_us; /* send time of the first loss of the run */
	uint64_t last_reply_sent_us;    /* newest answered probe's send time */
	uint64_t last_alive_us; /* last reply (timely or late) arrival, or init */
	uint64_t run_ok_sent_us;        /* send time of the first reply of the run */
	uint64_t up_since_sent_us;      /* outcomes sent before this predate the
					 * last recovery (0 = never was down) */
	uint64_t changed_us;    /* last state change */
	unsigned downs;         /* transitions to down, for reporting */
	char reason[96];        /* why the current state, e.g.
				 * "11 probes lost in 0.40 s" */
};

void detect_params_default(struct detect_params *p);
/* params NULL = defaults. Starts UNKNOWN with the link up. */
void detect_init(struct detect *d, const struct detect_params *p, uint64_t now_us);
/* Each returns true when the state changed (d->reason says why). */
bool detect_link_event(struct detect *d, enum detect_link link, uint64_t now_us);
bool detect_outcome(struct detect *d, enum detect_outcome o, uint64_t sent_us,
		    uint64_t now_us);
/* The hard timeout; call on every outcome and timer tick. interval_ms is the
 * member's current probe interval (sched_interval_ms). */
bool detect_tick(struct detect *d, uint32_t interval_ms, uint64_t now_us);
bool detect_is_down(const struct detect *d);
const char *detect_link_name(enum detect_link link);

/* Recommended loss timeout for the next probe:
 *   clamp(max(4 x p95 RTT over the last 60 s, 1.5 x a late RTT seen in the
 *   last 60 s), 150 ms, 1000 ms); 1000 ms while no RTT is known.
 * 4 x p95 keeps a healthy path's tail well inside the timeout (a late reply
 * is rare); the 150 ms floor keeps short paths from calling their own
 * jitter a loss; the 1 s cap bounds detection time; the late-reply term lets
 * the timeout follow a path whose RTT jumped past it. */
uint32_t detect_loss_timeout_ms(const struct window *w, uint64_t now_us);

/* The confirmation: how long an active member's regular probe may stay
 * unanswered before the burst starts (sched.h 4b), and the loss timeout of
 * the burst's probes. Both are clamp(2 x p95 RTT over the last 60 s, 150 ms,
 * the regular loss timeout). A burst probe goes out only once the path is
 * suspect, and `down` needs every probe from the first lost one on lost
 * with no reply at all, however late, arriving meanwhile: the first probe's
 * reply still counts until the last burst probe's verdict, 2 x p95 + 9 x
 * 20 ms + 2 x p95 after it left, more than its own 4 x p95 timeout. So a
 * merely slow path still proves itself alive, and a dead one is confirmed
 * 4 x p95 sooner than when both waited for the regular timeout. The floor
 * keeps what a burst can confirm at 150 + 9 x 20 = 330 ms of silence or
 * more, as before: a shorter blip is not an outage. detect_suspect_ms is 0
 * (wait for the loss) and the confirmation timeout the regular one while no
 * RTT is known or after a recent late reply (the RTT jumped). */
uint32_t detect_suspect_ms(const struct window *w, uint64_t now_us);
uint32_t detect_confirm_timeout_ms(const struct window *w, uint64_t now_us);

#define DETECT_TIMEOUT_MIN_MS 150
#define DETECT_TIMEOUT_MAX_MS 1000

#endif
