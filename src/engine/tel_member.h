/* tel_member: one member's link telemetry as the engine uses it — the
 * assessor of each telemetry kind that reads the member (the kind of its
 * class: Starlink, cellular, Wi-Fi; and kinds on every member: the data-cap
 * rule of usage) — combined into one verdict that becomes health penalties
 * (mstate) and the decision engine's predicted / excluded / link-down inputs.
 * The daemon and the replay both keep one per member, so telemetry moves
 * traffic the same way in both. Pure. Kinds: engine/tel_kind.h. */
#ifndef AUTONOMY_ENGINE_TEL_MEMBER_H
#define AUTONOMY_ENGINE_TEL_MEMBER_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/decide.h"
#include "engine/mstate.h"
#include "engine/tel_kind.h"
#include "engine/telemetry.h"

/* Telemetry penalties together never take more than this from a score, so
 * telemetry alone can make a member degraded but not down: only an explicit
 * verdict (predicted, link down) moves traffic at once. */
#define TEL_PENALTY_CAP 40

/* The kinds' shared state, one slot per built kind (tel_kind_index), and
 * the config the assessors read (NULL = defaults). */
struct tel_env {
	const struct config *cfg;
	void *shared[TEL_KINDS_MAX];
};

struct tel_part {
	const struct tel_kind *k;
	void *a;                        /* its assessor state (k->size bytes) */
};

struct tel_member {
	const struct tel_kind *kind;    /* the kind of the member's class, NULL = none */
	struct tel_part part[TEL_KINDS_MAX];
	unsigned n_part;
	struct tel_verdict v;           /* the last evaluation */
	struct health_penalty pen[TEL_PEN_MAX];
	unsigned n_pen;
	/* The probes show trouble too (tel_member_apply): a prediction then
	 * counts double (decide.h "Precursors"), and its reason says so. */
	bool path_agrees;
	char predict_text[TEL_REASON_MAX + 72];
};

/* Creates every built kind's shared state; 0 or -1 (out of memory). */
int tel_env_init(struct tel_env *e, const struct config *cfg);
void tel_env_free(struct tel_env *e);

/* The assessors of member class cls ("starlink", "lan", ...); 0 or -1 (out
 * of memory: t is then empty but safe to use and free). */
int tel_member_init(struct tel_member *t, const char *cls, const struct tel_env *e);
/* New parameters (a reload); the assessors keep their history. */
void tel_member_configure(struct tel_member *t, const struct tel_env *e);
void tel_member_free(struct tel_member *t);
/* Kind k's assessor state of this member, NULL if it has none. */
void *tel_member_part(const struct tel_member *t, const struct tel_kind *k);
/* Where the router is: a place key, to every assessor that learns by place. */
void tel_member_place(struct tel_member *t, const char *key);
/* Evaluates every assessor into t->v. */
const struct tel_verdict *tel_member_eval(struct tel_member *t, uint64_t now_us, int64_t wall_s);
uint64_t tel_member_next_us(const struct tel_member *t, uint64_t now_us, int64_t wall_s);
/* The last verdict into the engine: penalties (capped) into mstate, which is
 * re-scored; returns true when the member's state changed. Also notes
 * whether the probes agree with a prediction: loss over the short window
 * of 10 % or more and 5 points above the long window's, or the median RTT
 * risen by max(20 ms, half the baseline) — the health score's own
 * latency-rise threshold. */
bool tel_member_apply(struct tel_member *t, struct mstate *ms, uint64_t now_us);
/* ... and flags into a decision input (reasons point into t): a prediction
 * with its kind, strength (doubled when the probes agree) and horizon. */
void tel_member_input(const struct tel_member *t, struct decide_input *in);

#endif
