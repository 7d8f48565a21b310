/* replay_internal: what the replay_*.c files share; nothing else includes
 * it. The simulation core (replay_sim.c) owns the clock, the event queue,
 * the network and the trace; a policy (replay_autonomy.c, replay_baseline.c)
 * owns probing and deciding; replay_out.c writes the JSON Lines. */
#ifndef AUTONOMY_ENGINE_REPLAY_INTERNAL_H
#define AUTONOMY_ENGINE_REPLAY_INTERNAL_H

#include "replay/baseline.h"
#include "engine/decide.h"
#include "engine/mstate.h"
#include "engine/policy.h"
#include "replay/replay.h"
#include "engine/tel_member.h"

/* Virtual time 0 on the engine's monotonic scale: well clear of 0, which
 * the engine reads as "never". */
#define REPLAY_T0_US (1000ULL * 1000000)

enum replay_ev_kind {
	REPLAY_EV_TRACE,        /* apply the trace's next change(s) */
	REPLAY_EV_PROBE,        /* a member's prober is due */
	REPLAY_EV_OUTCOME,      /* a probe's outcome arrives */
	REPLAY_EV_POLL,         /* the daemon reads a member's telemetry (a poll slot) */
	REPLAY_EV_DECIDE,       /* a decision-engine timer matures */
	REPLAY_EV_END,
};

struct replay_ev {
	uint64_t t, seq;
	uint64_t sent_us;
	uint32_t gen;           /* probe generation, carrier epoch or tracker generation */
	uint32_t rtt_us;
	uint32_t timeout_ms;
	uint8_t kind, member;
	uint8_t what;           /* outcome (enum mstate_outcome / ok) or poll slot */
};

/* Poll slots: what the daemon polls of a member, one per telemetry kind's
 * poll (engine/tel_kind.h), first every kind's poll 0, then every poll 1. */
#define REPLAY_SLOTS_MAX (TEL_KINDS_MAX * TEL_POLLS_MAX)
struct replay_slot {
	const struct tel_kind *k;
	unsigned poll;          /* index into k->polls */
	int tel;                /* the trace object it reads (enum replay_tel), -1 none */
};

struct replay_heap {
	struct replay_ev *v;
	size_t n, cap;
	uint64_t seq;
};

struct replay_member {
	const struct replay_member_def *def;
	/* Ground truth, from the trace. */
	struct replay_path path;
	bool carrier;
	uint32_t epoch;         /* carrier losses so far: replies across one are lost */
	uint64_t rng;           /* this member's network randomness */
	struct json_object *tel[REPLAY_TEL_N];
	uint32_t tel_ver[REPLAY_TEL_N];
	/* What the daemon has read of it, at its polling intervals. */
	struct json_object *seen[REPLAY_TEL_N];
	uint32_t seen_ver[REPLAY_TEL_N];
	uint64_t polls;
	uint32_t poll_gen[REPLAY_SLOTS_MAX];
	uint64_t poll_at[REPLAY_SLOTS_MAX];     /* the pending poll of each slot */
	void *peer[TEL_KINDS_MAX];      /* each kind's virtual peer (the dish) */
	double usage_mb;                /* extension: data used (usage_mb lines) */
	bool has_usage;
	/* Policy state. */
	struct mstate ms;
	struct baseline_mwan3 mw;
	struct baseline_dpinger dp;
	bool new_role;          /* role changed, no outcome since (see replay_autonomy.c) */
	struct tel_member tm;   /* autonomy: the member's link telemetry */
	uint32_t parsed_ver[REPLAY_TEL_N];      /* seen versions already fed to tm */
	uint32_t gen;           /* of the pending REPLAY_EV_PROBE */
	uint64_t armed_us;      /* its time */
	uint64_t probes, downs;
};

struct replay_sim;

struct replay_policy_ops {
	void (*init)(struct replay_sim *s);
	void (*probe)(struct replay_sim *s, unsigned i, const struct replay_ev *e);
	void (*outcome)(struct replay_sim *s, unsigned i, const struct replay_ev *e);
	void (*link)(struct replay_sim *s, unsigned i, bool up);
	void (*timer)(struct replay_sim *s);
	/* Optional: poll slot k was just polled on member i (the daemon's copy
	 * of the trace object is m->seen[s->slots[k].tel]). */
	void (*telemetry)(struct replay_sim *s, unsigned i, unsigned k);
	/* Optional: the interval until the next poll of slot k on member i (ms);
	 * NULL or 0 = the configured interval. */
	uint32_t (*poll_ms)(struct replay_sim *s, unsigned i, unsigned k);
	/* Optional: a line of a recorded trace (member i, -1 for none), played
	 * back instead of simulated; NULL: the policy simulates the network
	 * from the recording's path and carrier lines like any trace. */
	void (*recorded)(struct replay_sim *s, int i, const struct replay_change *c);
};

struct replay_sim {
	const struct replay_trace *tr;
	struct replay_opts o;
	const struct replay_policy_ops *ops;
	FILE *out;
	struct replay_member m[REPLAY_MAX_MEMBERS];
	unsigned n;
	struct replay_heap q;
	uint64_t now, end;
	size_t next_change;
	bool have_wall;
	int64_t wall_at_t0_us;  /* Unix µs at virtual 0 (from `wall` lines) */
	struct replay_slot slots[REPLAY_SLOTS_MAX];
	unsigned n_slots;
	uint32_t poll_ms[REPLAY_SLOTS_MAX];
	struct tel_env tel_env; /* the kinds' shared state (autonomy: learnt places) */
	struct decide dec;
	struct policy_params pp;        /* the daemon's policy knobs */
	uint64_t decide_at;     /* pending REPLAY_EV_DECIDE, 0 = none */
	int active;             /* member carrying traffic, -1 = none yet */
	struct replay_result res;
	bool started;           /* the policy is initialised: link events go to it */
	bool playback;          /* a recorded trace played back (ops->recorded) */
	bool oom;
	struct replay_hist *hist;       /* --store: the history being written, or NULL */
};

extern const struct replay_policy_ops replay_autonomy_ops, replay_baseline_ops;

/* replay_sim.c */
void replay_push(struct replay_sim *s, struct replay_ev e);
/* The fate of a probe sent now on member i: true = lost, else answered
 * after *rtt_us. Draws the same amount of randomness either way. */
bool replay_net(struct replay_sim *s, unsigned i, uint32_t *rtt_us);
/* Schedules member i's next probe event at due_us (no-op if unchanged). */
void replay_arm(struct replay_sim *s, unsigned i, uint64_t due_us);
uint64_t replay_seed_mix(uint64_t seed, uint64_t salt);

/* Schedules the next poll of slot k on member i at `at`, replacing the one
 * pending (a client that switches to fast polling asks again sooner). */
void replay_repoll(struct replay_sim *s, unsigned i, unsigned k, uint64_t at);
/* Whether member i polls slot k. */
bool replay_polls(const struct replay_sim *s, unsigned i, unsigned k);
/* The wall clock (Unix s) at the current virtual time: from the trace's
 * `wall` lines, else virtual 0 = REPLAY_DEFAULT_WALL. */
#define REPLAY_DEFAULT_WALL 1764300000LL
int64_t replay_wall_s(const struct replay_sim *s);
/* The current time as a telemetry kind takes it. */
struct tel_clock replay_clock(const struct replay_sim *s);

/* replay_trace.c: parse errors and numbers, for replay_rec.c. */
int replay_fail(struct replay_error *e, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
bool replay_num(struct json_object *o, double *v);
/* replay_rec.c: a recording daemon's extensions of a member and a line. */
int replay_rec_member(struct replay_member_def *m, struct json_object *o, unsigned i, int line,
		      struct replay_error *err);
int replay_rec_change(struct replay_change *c, struct json_object *o, int line,
		      struct replay_error *err);

/* replay_out.c */
void replay_out_decision(struct replay_sim *s, const struct decision *x);
void replay_out_switch(struct replay_sim *s, int from, int to, const char *reason);
void replay_out_summary(struct replay_sim *s);
void replay_out_telemetry(struct replay_sim *s, unsigned i, const char *what, const char *reason);

#endif
