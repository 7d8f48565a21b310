/* mstate: everything the engine knows about one member, driven by samples.
 * It ties the pure pieces together — scheduler (when and what to probe),
 * window (statistics), detector (confirmed down / up) and health score — so
 * that the daemon and the replay feed exactly the same code: the daemon with
 * real probe outcomes and link events on the real clock, the replay with
 * simulated ones in virtual time. No I/O, no clock reads. */
#ifndef AUTONOMY_ENGINE_MSTATE_H
#define AUTONOMY_ENGINE_MSTATE_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/detect.h"
#include "engine/health.h"
#include "engine/sched.h"
#include "engine/window.h"

enum mstate_outcome {
	MSTATE_REPLY, MSTATE_LOST, MSTATE_LATE, MSTATE_SEND_ERR,
};

#define MSTATE_TEL_MAX 8

struct mstate {
	struct sched sched;
	struct window win;
	struct detect det;
	struct health health;
	struct health_result res;       /* as of the last evaluation */
	enum sched_role role;
	unsigned n_targets;
	unsigned load_pct;              /* system load, set by the caller */
	/* Link telemetry penalties (starlink, cellular, wifi), set by sources. */
	struct health_penalty tel[MSTATE_TEL_MAX];
	unsigned n_tel;
	/* The link's own hardware says it is gone (a disassociated radio, an
	 * unregistered modem): the member is down whatever the probes say,
	 * so that what `members` shows never lags the decision that leaves
	 * it. "" = no such verdict. */
	char link_hint[96];
	uint64_t evaluated_us;
	uint64_t state_changed_us;
	/* Counters for reporting. */
	uint64_t probes, replies, losses, late, send_errors;
};

struct mstate_params {
	struct sched_params sched;
	struct detect_params detect;
	struct health_params health;
};

void mstate_params_default(struct mstate_params *p);
void mstate_init(struct mstate *m, const struct mstate_params *p, unsigned n_targets,
		 enum sched_role role, uint64_t seed, uint64_t now_us);

/* When the next probe is due (monotonic µs). */
uint64_t mstate_due_us(const struct mstate *m);
/* Call at/after the due time: the target index to probe now. */
unsigned mstate_fire(struct mstate *m, uint64_t now_us);
/* The loss timeout for the probe mstate_fire just chose: the regular one,
 * or the shorter one of a confirmation burst probe (detect.h). */
uint32_t mstate_loss_timeout_ms(const struct mstate *m, uint64_t now_us);

/* Samples. Each returns true when the member's state (up/degraded/down/
 * unknown) changed. */
bool mstate_outcome(struct mstate *m, enum mstate_outcome o, uint64_t sent_us,
		    uint32_t rtt_us, uint64_t now_us);
bool mstate_link(struct mstate *m, enum detect_link link, uint64_t now_us);
/* Periodic: hard timeout and re-scoring as old samples age out. */
bool mstate_tick(struct mstate *m, uint64_t now_us);

void mstate_set_role(struct mstate *m, enum sched_role role, uint64_t now_us);
/* Telemetry penalties; the strings must live until the next call (the
 * score is recomputed from them at every evaluation). */
void mstate_set_telemetry(struct mstate *m, const struct health_penalty *tel, unsigned n);
/* Telemetry's link verdict (reason NULL: the link is there); takes
 * effect at the next evaluation. */
void mstate_set_link_hint(struct mstate *m, const char *reason);
/* Re-scores now (after new telemetry); true when the state changed. */
bool mstate_rescore(struct mstate *m, uint64_t now_us);

enum health_state mstate_state(const struct mstate *m);
const char *mstate_state_name(const struct mstate *m);

#endif
