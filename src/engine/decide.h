/* decide: the decision engine — which member carries traffic, and why.
 *
 * Pure: the caller passes every member's current health (state, score, flags)
 * and the monotonic time in µs; the engine returns decisions with reasons.
 * It never reads a clock, a socket or the kernel, so the daemon, the replay
 * (virtual time) and the unit tests run exactly the same code.
 * docs/decision-engine.md is the reference; keep the two in step.
 *
 * Rules, in the order they are applied (defaults in brackets):
 *  1. Manual pin: a pinned member carries traffic whatever its health, until
 *     decide_auto(). A one-shot decide_manual() moves traffic once and leaves
 *     the automatic rules in charge (the member left must serve its fail-back
 *     hold before traffic returns to it).
 *  2. Down: an active member that is down (detector or score below critical),
 *     without carrier, disabled or gone is left at once, for the best member
 *     of the best class: healthy > recovering or predicted > excluded.
 *  3. Last resort: when every member is down, traffic stays where it is
 *     unless another member is less bad (has carrier where the active has
 *     none): the router is never left without a default route.
 *  4. Predicted outage / excluded: an active member flagged with a predicted
 *     outage is left pre-emptively for a healthy member; an excluded one
 *     (roaming, data cap) for any usable member that is not excluded.
 *     A prediction is a claim the engine checks ("Precursors" below): a kind
 *     of precursor that keeps crying wolf on a member must bring stronger
 *     evidence before it moves traffic again, and a member whose last
 *     pre-emptive departure was a false alarm is not left again for a
 *     prediction within flap_guard [10 min] of traffic coming back to it.
 *  5. Fail-back: traffic returns to a preferred member (lower priority) once
 *     it is up, has been good for its hold time, and its score is within
 *     failback_margin [5] points of the active member's.
 *  6. Quality: traffic moves to a healthy member whose score beats the
 *     active's by switch_margin [20] points, continuously for sustain [60 s],
 *     and beats it by half the margin on the probes alone (the active's
 *     score without its telemetry penalties): a radio figure wandering
 *     about, with the probes fine, ranks a member lower but does not by
 *     itself move traffic away and back.
 *     The band between failback_margin and switch_margin is a deadband in
 *     which traffic stays where it is: that is what keeps a link with steady
 *     10-20 % loss from oscillating with its backup.
 *  7. Hold: when the active member degrades (or a better member appears) and
 *     no rule moves traffic, a `hold` decision records why, once per episode.
 *
 * Hold time before a member may be returned to (rule 5; a member still in it
 * is "recovering" and used only when nothing healthy is left):
 *   base = clamp(outage_hold_pct [150] % of its last outage,
 *                failback_hold [60 s], failback_hold_max [10 min])
 *   hold = min(holddown_max [1 h], base x 2^(n-1))
 * with n the member's outages (down spells, predicted-outage spells and
 * quality departures) that started within flap_window [30 min]. So a link
 * that was out for T must stay good for 1.5 T before it carries traffic
 * again, and one that keeps failing is held down longer each time: a link
 * alternating 2 min up / 2 min down is left once and not returned to while it
 * flaps. A member left pre-emptively is not returned to before its
 * prediction is settled (the outage came, or its time ran out): returning
 * early and leaving again when the outage comes is a round trip for nothing.
 *
 * Precursors (decide_prec.c). Each prediction comes with a kind, a strength
 * (1 = the assessor's own bar) and a horizon (the outage is due within it).
 * Per member and kind the engine counts alarms (the flag rising), those
 * followed by an outage of the member within the horizon (hits; an outage
 * is the member down, no carrier, or its hardware reporting an outage:
 * kind DECIDE_KIND_OUTAGE) and those that moved traffic. A kind's bar is
 *   bar = clamp(0.5 / p, 1, 8),  p = (hits' + 1) / (alarms' + 2)
 * with alarms' and hits' decayed by 0.85 at each settled alarm (so about
 * the last ten count; Laplace's rule of succession): a kind not yet checked
 * on this member, or right at least half the time, needs strength 1; one
 * wrong once 1.5, right a quarter of the time about 1.6 (a few recent
 * misses weigh more). A prediction weaker than its bar is not acted on (a
 * `hold` says so once) but is still counted, so a kind that becomes right
 * again earns its bar back.
 */
#ifndef AUTONOMY_ENGINE_DECIDE_H
#define AUTONOMY_ENGINE_DECIDE_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/health.h"

#define DECIDE_MAX_MEMBERS 16
#define DECIDE_NAME_MAX 32
#define DECIDE_REASON_MAX 192
#define DECIDE_HISTORY 64
#define DECIDE_SPELLS 16        /* outage start times kept per member */
#define DECIDE_KINDS 6          /* precursor kinds tracked per member */
#define DECIDE_KIND_MAX 24
/* A prediction of this kind means the member's own hardware reports an
 * outage now: it settles the member's other open predictions as right. */
#define DECIDE_KIND_OUTAGE "outage"

enum decide_type {
	DECIDE_SWITCH,          /* traffic moved (from "" = the initial choice) */
	DECIDE_HOLD,            /* a member degraded and traffic stayed, on purpose */
	DECIDE_RESTORE,         /* traffic moved back to a preferred member */
	DECIDE_MANUAL,          /* operator: pin, one-shot switch, back to auto */
};

/* Why: the rule that made the decision (a hold names the situation it
 * held through). The history store counts decisions by it. */
enum decide_cause {
	DECIDE_CAUSE_INITIAL,   /* the first choice */
	DECIDE_CAUSE_DOWN,      /* the active member failed */
	DECIDE_CAUSE_ALL_DOWN,  /* every member down: the least bad one */
	DECIDE_CAUSE_PREDICTED, /* an outage is predicted */
	DECIDE_CAUSE_EXCLUDED,  /* last resort only (roaming, data cap, account) */
	DECIDE_CAUSE_FAILBACK,  /* back to a preferred member after its hold */
	DECIDE_CAUSE_QUALITY,   /* a better member for long enough, or none better */
	DECIDE_CAUSE_MANUAL,    /* the operator */
	DECIDE_CAUSE_N
};

/* One member as the engine sees it at one instant. Strings belong to the
 * caller and need only live during the call. */
struct decide_input {
	const char *name;
	int priority;           /* lower = preferred when health is comparable */
	bool enabled;
	enum health_state state;
	int score;              /* 0..100, -1 = unknown */
	const char *reason;     /* why the state/score: "11 probes lost in 0.45 s" */
	bool link_down;         /* no carrier, admin down, device missing */
	bool exclude;           /* use only as a last resort (roaming, data cap) */
	const char *exclude_reason;
	bool predicted_outage;  /* leave before it fails (scheduled reboot, ...) */
	const char *predict_reason;
	const char *predict_kind;       /* "cellular_fade", ...; NULL or "" = unnamed */
	double predict_strength;        /* >= 1 meets the assessor's bar; 0 = 1 */
	uint32_t predict_horizon_s;     /* the outage is due within this; 0 = 120 s */
	int tel_points;                 /* of the score's penalties, link telemetry's */
};

struct decide_params {
	int switch_margin;              /* points a member must beat the active by (20) */
	uint32_t sustain_ms;            /* ... continuously for this long (60 000) */
	int failback_margin;            /* preferred member within this of the active (5) */
	uint32_t failback_hold_ms;      /* good for at least this long (60 000) */
	uint32_t failback_hold_max_ms;  /* cap of the outage-proportional part (600 000) */
	unsigned outage_hold_pct;       /* hold >= this % of the last outage (150) */
	uint32_t flap_window_ms;        /* outages counted over this span (1 800 000) */
	uint32_t holddown_max_ms;       /* cap of the escalating hold (3 600 000) */
	uint32_t flap_guard_ms;         /* no new pre-emptive move this soon after a
					 * return that followed a false alarm (600 000) */
};

struct decide_score {
	char name[DECIDE_NAME_MAX];
	int score;                      /* -1 = unknown */
};

struct decision {
	uint64_t t_us;
	enum decide_type type;
	enum decide_cause cause;
	char from[DECIDE_NAME_MAX];     /* "" = none */
	char to[DECIDE_NAME_MAX];       /* for a hold: the member that keeps traffic */
	char reason[DECIDE_REASON_MAX];
	char precursor[DECIDE_KIND_MAX];        /* a pre-emptive move: its kind ("" else) */
	bool flap_prevented;            /* a hold that keeps traffic from a round trip */
	unsigned n_scores;
	struct decide_score scores[DECIDE_MAX_MEMBERS];
};

/* One precursor kind on one member (see "Precursors" above). */
struct decide_prec {
	char kind[DECIDE_KIND_MAX];     /* "" = free slot */
	uint32_t alarms, hits;          /* settled alarms, and those an outage followed */
	uint32_t moves, move_hits;      /* of them, those that moved traffic */
	double w_alarms, w_hits;        /* decayed counts behind the bar */
	bool open, moved, noted;        /* an alarm being checked; it moved traffic;
					 * its fail-back hold was recorded */
	uint64_t open_us, until_us;
};

/* Per member, what the engine remembers between evaluations. */
struct decide_member {
	char name[DECIDE_NAME_MAX];
	struct decide_input in;         /* as of the last evaluation (strings not kept) */
	bool present;                   /* in the last input set */
	bool out;                       /* in an outage spell (down or predicted) */
	bool spell_open;                /* outage started and not yet good again */
	bool good;                      /* usable, not flagged, state UP */
	uint64_t good_since_us;
	uint64_t spell_start_us;
	uint64_t last_spell_us;         /* length of the last finished outage */
	uint64_t spells[DECIDE_SPELLS]; /* start times of recent outages, ring */
	unsigned spell_head, n_spells;
	/* precursors (decide_prec.c) */
	struct decide_prec prec[DECIDE_KINDS];
	bool raw_predicted;             /* as the input said, before the bar */
	char raw_kind[DECIDE_KIND_MAX];
	double raw_strength, raw_bar;   /* of the last evaluation */
	bool below_bar, guarded;        /* not acted on: too weak, or a flap */
	uint64_t returned_us;           /* traffic last came to it, 0 = never */
	bool last_move_missed;          /* its last pre-emptive departure was wrong */
};

struct decide {
	struct decide_params p;
	struct decide_member m[DECIDE_MAX_MEMBERS];
	unsigned n;
	int active;                     /* index into m, -1 = none chosen yet */
	int pinned;                     /* -1 = automatic */
	uint64_t better_since_us;       /* someone beats the active by the margin since, 0 = no */
	uint64_t oneshot_us;            /* last one-shot manual switch, 0 = none */
	unsigned holds;                 /* conditions already recorded as a hold
					 * (DECIDE_HOLD_* bits), so each is recorded once */
	struct decision hist[DECIDE_HISTORY];
	unsigned hist_head, hist_count;
	uint64_t counts[DECIDE_MANUAL + 1];     /* decisions made, per type */
	bool prec_dirty;                /* a precursor record changed (to be saved) */
};

void decide_params_default(struct decide_params *p);
/* Defaults, then main.switch_margin, main.switch_sustain and
 * main.failback_hold from the config (decide_config.c). cfg NULL = defaults. */
struct config;
void decide_params_from_config(const struct config *cfg, struct decide_params *p);
/* params NULL = defaults. No member is active until the first evaluation. */
void decide_init(struct decide *d, const struct decide_params *p);
/* Evaluates the rules at now_us. Writes up to max decisions made now to out
 * (may be NULL when max is 0) and returns how many were made (they are in
 * the history too). Members are matched by name; one missing from `in` is
 * treated as gone. At most DECIDE_MAX_MEMBERS members are tracked. */
unsigned decide_eval(struct decide *d, const struct decide_input *in, unsigned n,
		     uint64_t now_us, struct decision *out, unsigned max);
/* The member carrying traffic, or NULL before the first evaluation. */
const char *decide_active(const struct decide *d);
/* Operator: pin (force until decide_auto) or a one-shot switch to a member
 * the engine has seen. Takes effect at once; returns 0, or -1 for an unknown
 * name. out (may be NULL) receives the decision. */
int decide_manual(struct decide *d, const char *name, bool pin, uint64_t now_us,
		  struct decision *out);
/* Back to automatic selection; returns 0, or -1 if nothing was pinned. */
int decide_auto(struct decide *d, uint64_t now_us, struct decision *out);
/* The earliest time at which a timer of the rules (sustain, fail-back hold)
 * matures, so a caller that evaluates only on input changes knows when to
 * evaluate again; UINT64_MAX when nothing is pending. */
uint64_t decide_next_us(const struct decide *d, uint64_t now_us);
/* The hold a member has to serve before traffic returns to it, as of now. */
uint64_t decide_hold_us(const struct decide *d, const char *name, uint64_t now_us);
/* A member's precursor record, kind by kind (at most max; returns how
 * many). precision = hits / alarms (NAN before the first settled alarm),
 * bar = the strength a prediction of that kind needs now. */
struct decide_prec_view {
	char kind[DECIDE_KIND_MAX];
	uint32_t alarms, hits, moves, move_hits;
	double w_alarms, w_hits;
	double precision, bar;
	bool open;
};
unsigned decide_precursors(const struct decide *d, const char *name,
			   struct decide_prec_view *out, unsigned max);
/* Puts back a record saved earlier (counts only; nothing open). Creates the
 * member's slot if the engine has not seen it yet. -1 when full. */
int decide_prec_restore(struct decide *d, const char *name, const struct decide_prec_view *v);
/* History, i = 0 is the newest; NULL past the end. */
unsigned decide_history_count(const struct decide *d);
const struct decision *decide_history(const struct decide *d, unsigned i);
const char *decide_type_name(enum decide_type t);
const char *decide_cause_name(enum decide_cause c);
/* The cause of a name; -1 if unknown. */
int decide_cause_parse(const char *s);

/* ---- Internal: shared by decide.c and decide_rules.c only. ---- */
enum decide_class {
	DECIDE_CL_HEALTHY,      /* usable, not flagged, not recovering */
	DECIDE_CL_RESERVE,      /* usable but recovering (in its hold) or predicted */
	DECIDE_CL_EXCLUDED,     /* usable but excluded: last resort only */
	DECIDE_CL_DOWN,
	DECIDE_CL_NONE,         /* disabled or gone */
};

#define DECIDE_HOLD_QUALITY  1u      /* active degraded or beaten, traffic stays */
#define DECIDE_HOLD_ALL_DOWN 2u
#define DECIDE_HOLD_PINNED   4u
#define DECIDE_HOLD_FLAGGED  8u
#define DECIDE_HOLD_PREC     16u     /* a prediction not acted on, recorded */

struct decide_ctx {
	struct decide *d;
	uint64_t now;
	struct decision *out;
	unsigned max, n;
	int cand;               /* the quality rule's best candidate, -1 = none */
	int tel_only;           /* better by score, not on the probes: -1 = none */
	const char *kind;       /* for the next decision: a pre-emptive move's kind */
	bool flap;              /* ... a hold that prevents a round trip */
};

int decide_find(const struct decide *d, const char *name);
int decide_find_or_add(struct decide *d, const char *name);
/* decide_prec.c: the input as the rules see it (a prediction below its bar
 * or stopped by the flap guard is dropped), alarms opened and settled. */
void decide_prec_observe(struct decide *d, int i, const struct decide_input *x,
			 struct decide_input *eff, uint64_t now_us);
void decide_prec_moved(struct decide_member *m);
/* An alarm that moved traffic away from m is still open: until when. */
bool decide_prec_pending(const struct decide_member *m, uint64_t *until_us);
uint64_t decide_prec_next_us(const struct decide *d, uint64_t now_us);
bool decide_usable(const struct decide_member *m);
void decide_spell_begin(struct decide_member *m, uint64_t now_us);
uint64_t decide_member_hold_us(const struct decide *d, const struct decide_member *m,
			       uint64_t now_us);
bool decide_settled(const struct decide *d, const struct decide_member *m, uint64_t now_us);
int decide_class(const struct decide *d, const struct decide_member *m, uint64_t now_us);
void decide_rule_initial(struct decide_ctx *c);
void decide_rule_pinned(struct decide_ctx *c);
void decide_rule_auto(struct decide_ctx *c);

#endif
