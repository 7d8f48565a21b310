/* replay: the daemon's engine in virtual time against a simulated network
 * that follows a trace (the contract: docs/replay-format.md; how to run and
 * the trace library: docs/replay.md).
 *
 * A discrete-event simulation: a priority queue of (virtual time, event)
 * drives the real scheduler (mstate_fire says when and which target), the
 * probe logic (loss timeout from mstate_loss_timeout_ms; a reply after it is
 * LOST then LATE; no carrier = SEND_ERR at once), the detector, the health
 * score and the decision engine — or, with --policy, one of the baseline
 * policies of baseline.h on the same network. Everything random comes from
 * the seed, so a trace and a seed always give the same output.
 */
#ifndef AUTONOMY_ENGINE_REPLAY_H
#define AUTONOMY_ENGINE_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct config;
struct json_object;

/* autonomyd --replay TRACE [--seed N] [-c CONFIG] [--policy P]: runs the
 * trace, prints JSON Lines on stdout, errors on stderr. argv may be the
 * daemon's whole command line. Exit: 0 ok, 1 bad trace or config, 2 usage. */
int replay_main(int argc, char **argv);

/* ---- traces ---------------------------------------------------------------- */

#define REPLAY_MAX_MEMBERS 16
#define REPLAY_NAME_MAX 32
#define REPLAY_MAX_DURATION_S (400.0 * 86400)   /* a bound on the work, not a format rule */

enum replay_tel { REPLAY_TEL_STARLINK, REPLAY_TEL_CELLULAR, REPLAY_TEL_WIFI, REPLAY_TEL_GPS,
		  REPLAY_TEL_N };

struct replay_path {
	double rtt_ms, jitter_ms, loss;
};

struct replay_member_def {
	char name[REPLAY_NAME_MAX];
	char cls[16];           /* starlink | cellular | wifi | lan | other */
	int priority;
	bool metered;
	double data_limit_mb;   /* extension: the member's data cap, 0 = none */
	/* Extensions of a recorded trace (docs/replay.md "Recording"). */
	bool enabled;           /* true unless the recording said otherwise */
	unsigned targets;       /* probe targets, 0 = not given (3) */
	int link;               /* enum detect_link at the start, -1 = not given */
};

/* Which keys a change line sets. */
#define REPLAY_HAS_RTT     0x01u
#define REPLAY_HAS_JITTER  0x02u
#define REPLAY_HAS_LOSS    0x04u
#define REPLAY_HAS_CARRIER 0x08u
#define REPLAY_HAS_WALL    0x10u
#define REPLAY_HAS_USAGE   0x20u  /* extension: data used this cycle (usage_mb) */

/* A recording daemon's extension keys on a line (docs/replay.md
 * "Recording"): what its engine was given at that instant. */
#define REPLAY_REC_FIRE   0x01u   /* probe.fire: the scheduler fired (mstate_fire) */
#define REPLAY_REC_TICK   0x02u   /* probe.tick: the probe timer ticked (mstate_tick) */
#define REPLAY_REC_RESULT 0x04u   /* probe.result: an outcome (mstate_outcome) */
#define REPLAY_REC_LINK   0x08u   /* link: a link event (mstate_link) */
#define REPLAY_REC_EVAL   0x10u   /* eval: the telemetry verdict re-evaluated */
#define REPLAY_REC_MANUAL 0x20u   /* manual: the operator's failover */
enum replay_manual { REPLAY_MANUAL_ONCE, REPLAY_MANUAL_PIN, REPLAY_MANUAL_AUTO };

struct replay_rec {
	unsigned has;           /* REPLAY_REC_* */
	int load;               /* probe.load (system load %), -1 = not given */
	uint8_t result;         /* enum mstate_outcome */
	uint8_t link;           /* enum detect_link */
	uint8_t manual;         /* enum replay_manual */
	uint32_t rtt_us;
	uint64_t sent_us;       /* virtual time the probe was sent */
};

/* One line after the header. */
struct replay_change {
	uint64_t t_us;          /* virtual time */
	int member;             /* index into members, -1 for a wall-only line */
	unsigned has;
	struct replay_path path;
	bool carrier;
	long long wall;
	double usage_mb;
	unsigned tel_given;     /* bit per enum replay_tel */
	struct json_object *tel[REPLAY_TEL_N];  /* patch; NULL with the bit set = JSON null */
	struct replay_rec rec;
	int line;
};

struct replay_trace {
	bool recorded;          /* a daemon's recording: played back, not simulated */
	char recorded_config[256];      /* the config it ran with ("" unknown) */
	double duration_s;
	uint64_t duration_us;
	unsigned n_members;
	struct replay_member_def members[REPLAY_MAX_MEMBERS];
	struct replay_change *changes;
	size_t n_changes, cap;
};

struct replay_error {
	int line;               /* 0 when not tied to a line */
	char msg[200];
};

/* Parses a whole trace. On error returns -1 with err filled and tr empty. */
int replay_trace_parse(struct replay_trace *tr, const char *buf, size_t len,
		       struct replay_error *err);
int replay_trace_load(struct replay_trace *tr, const char *path, struct replay_error *err);
void replay_trace_free(struct replay_trace *tr);
const char *replay_tel_name(enum replay_tel k);
/* A link state (enum detect_link) as a recorded trace spells it ("up",
 * "no_carrier", "admin_down", "missing"), and back (-1: not one). */
const char *replay_link_name(int link);
int replay_link_parse(const char *s);

/* Telemetry state update, recursively (RFC 7386 merge-patch semantics): a
 * nested key not given keeps its value, null removes the key at its level,
 * a patch of null clears the whole state. *state is replaced or updated in
 * place; patch is not modified. */
void replay_tel_apply(struct json_object **state, struct json_object *patch);

/* ---- running ----------------------------------------------------------------- */

enum replay_policy { REPLAY_AUTONOMY, REPLAY_MWAN3, REPLAY_MWAN3_10S, REPLAY_PFSENSE };

struct replay_opts {
	uint64_t seed;                  /* 1 by default */
	enum replay_policy policy;
	const struct config *cfg;       /* NULL = defaults */
	bool wall_clock;                /* report wall_ms (off: byte-identical output) */
	const char *store;              /* --store: write the history here (autonomy policy) */
	const char *store_durable;      /* --store-durable: and keep its flash copy here */
};

#include "replay/replay_hist.h"

struct replay_result {
	uint64_t switches, holds, probes, events;
	double virtual_s, wall_ms;
	bool has_store;
	struct replay_hist_result store;        /* with --store */
};

void replay_opts_default(struct replay_opts *o);
/* Runs a parsed trace, writing JSON Lines to out. Returns 0, or -1 when
 * out of memory. */
int replay_run(const struct replay_trace *tr, const struct replay_opts *o, FILE *out,
	       struct replay_result *res);
const char *replay_policy_name(enum replay_policy p);
int replay_policy_parse(const char *s, enum replay_policy *p);

#endif
