/* tel_kind: one kind of link telemetry — the Starlink dish, the modem, the
 * Wi-Fi radio, the router's position, data usage — as ONE ops table. A kind
 * lives in its own folder (src/starlink/, src/cellular/, ...) with its source,
 * parsers, assessor and daemon glue, defines `const struct tel_kind
 * tel_kind_<name>` there, and is registered by one line in
 * engine/tel_kinds.def. The daemon (daemon/tel.c), the replay and the config
 * check iterate the registry; nothing else names a kind.
 *
 * A kind is per member (`cls`: it reads each member of that class, with one
 * source and one assessor per such member) or router-wide (`cls` NULL: one
 * source for the router, e.g. gpsd; with `every_member` it still keeps an
 * assessor per member, e.g. the data-cap rule of usage). Every op may be NULL.
 *
 * The assessor and replay ops are pure (no I/O, no clock: time comes in);
 * the daemon ops run on the daemon's loop. */
#ifndef AUTONOMY_ENGINE_TEL_KIND_H
#define AUTONOMY_ENGINE_TEL_KIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

struct config;
struct ctl_conn;
struct ctl_error;
struct daemon;
struct gps_fix;
struct member_rt;
struct tel_member;
struct tel_verdict;

#define TEL_KINDS_MAX 8
#define TEL_POLLS_MAX 3
/* trace_feed's poll for a daemon's own recording played back: `seen` is the
 * line's object, one sample as the daemon's source read it (the kind's
 * record op wrote it), fed at the time it was read. */
#define TEL_POLL_RECORDED 0xFFu

/* What an assessor is configured from. */
struct tel_ctx {
	const struct config *cfg;       /* NULL = defaults */
	void *shared;                   /* the kind's shared state (shared_new), or NULL */
};

/* Time as the replay hands it to a kind: the engine's monotonic µs, the
 * wall clock (Unix µs) at that instant, and when the run began. */
struct tel_clock {
	uint64_t now_us;
	int64_t wall_us;
	uint64_t t0_us;
};

/* Where a kind's history op puts what it knows: num a figure named by a
 * column the store keeps ("dish_drop" 0..1, "dish_obstructed" 0..1,
 * "cell_rsrp" dBm, "cell_sinr" dB, "wifi_signal" dBm), str a text ("place":
 * the location-learning key of where the dish is); either may be NULL, and
 * names a taker does not know are ignored. */
struct tel_hist_put {
	void (*num)(void *arg, const char *name, double v);
	void (*str)(void *arg, const char *name, const char *s);
	void *arg;
};

/* At most max_age_us old at now_us (0 = never read). */
static inline bool tel_fresh(uint64_t at_us, uint64_t now_us, uint64_t max_age_us)
{
	return at_us && now_us >= at_us && now_us - at_us <= max_age_us;
}

/* One thing the daemon polls of a member, at a configured interval. */
struct tel_poll {
	const char *section, *option;   /* the interval's config option (a duration) */
	uint32_t default_ms;
};

struct tel_kind {
	const char *name;               /* "starlink": its command, its `members` key */
	const char *cls;                /* the member class it reads; NULL = router-wide */
	bool every_member;              /* router-wide, but an assessor on every member */
	const char *units;              /* `health`: "dishes" -> dishes, dishes_answering */

	/* ---- the assessor (daemon, replay, unit tests) ---------------------- */
	/* State every member's assessor of this kind shares (the dish's learnt
	 * obstruction places), owned by the daemon or the replay run. */
	void *(*shared_new)(void);
	void (*shared_free)(void *sh);
	size_t size;                    /* of one member's assessor state; 0 = none */
	void (*init)(void *a, const struct tel_ctx *c);
	void (*configure)(void *a, const struct tel_ctx *c);   /* a reload: history kept */
	void (*fini)(void *a);
	void (*eval)(void *a, uint64_t now_us, int64_t wall_s, struct tel_verdict *v);
	/* When the verdict changes with time alone (UINT64_MAX: never). */
	uint64_t (*next_us)(const void *a, uint64_t now_us, int64_t wall_s);
	/* Where the router is (a place key for location learning). */
	void (*place)(void *a, const char *key);

	/* ---- the replay (replay/replay_sim.c) ------------------------------- */
	const char *trace_key;          /* the trace object it reads ("starlink") */
	const char *trace_classes;      /* router-wide: the classes that report it
					 * ("starlink cellular": the dish's and the modem's GPS) */
	struct tel_poll polls[TEL_POLLS_MAX];   /* poll 0 reads trace_key's object */
	unsigned n_polls;
	/* A virtual peer that remembers the trace's ground truth between polls
	 * (the dish's history ring); peer_note at every change of the object. */
	void *(*peer_new)(void);
	void (*peer_free)(void *p);
	void (*peer_note)(void *p, json_object *truth, const struct tel_clock *c);
	/* Poll `poll` of member t answered: seen is what the daemon read of the
	 * trace object (NULL: nothing reported); a its assessor (NULL for a kind
	 * without one), peer its virtual peer (NULL without). */
	void (*trace_feed)(struct tel_member *t, void *a, const void *peer, unsigned poll,
			   json_object *seen, const struct tel_clock *c);
	/* The interval of the next poll (ms): the client polls faster while the
	 * link is suspect; 0 = the configured one. */
	uint32_t (*poll_ms)(const void *a, unsigned poll, uint32_t configured_ms);
	/* The replay's usage_mb extension (data used this cycle, the member's cap). */
	void (*trace_usage)(void *a, double used_mb, double cap_mb);

	/* ---- the history store (store/store_roll.c) -------------------------- */
	/* The assessor's figures for the member's minute roll-up, each by its
	 * name (tel_hist_put), only those read within max_age_us of now_us. */
	void (*history)(const void *a, uint64_t now_us, uint64_t max_age_us,
			const struct tel_hist_put *put);

	/* ---- the daemon: one source per member of cls ----------------------- */
	size_t src_size;                /* its state, zeroed, for every member of cls */
	int (*start)(struct member_rt *m);      /* only for an enabled member */
	void (*stop)(struct member_rt *m);
	/* Adds what the member's source talks to or is timed by: a reload that
	 * changes it restarts the source. */
	void (*signature)(const struct member_rt *m, json_object *sig);
	/* After every evaluation of the member's verdict (fast polling). */
	void (*evaluated)(struct member_rt *m);
	/* The member's object in `members` and in the kind's command, under
	 * view_key (cls kinds: members of cls; every_member kinds: all). */
	const char *view_key;
	json_object *(*member_view)(struct member_rt *m);
	bool (*answering)(const struct member_rt *m);   /* for `health` */
	/* An operator action of this kind (`starlink reboot`). */
	json_object *(*action)(struct daemon *d, struct ctl_conn *c, const char *action,
			       json_object *args, struct ctl_error *err);

	/* ---- the daemon: router-wide ------------------------------------------- */
	int (*d_start)(struct daemon *d);
	void (*d_stop)(struct daemon *d);
	void (*d_reload)(struct daemon *d);
	const char *status_key;         /* its object in `status` ("position") */
	json_object *(*status_view)(struct daemon *d);
	const char *health_key;         /* its object in `health` ("gps") */
	json_object *(*health_view)(struct daemon *d);
	void (*health_add)(struct daemon *d, json_object *telemetry);
	/* Position: a fix from another kind's source (the dish), and the place
	 * key of the router's position for location learning. */
	void (*position)(struct daemon *d, const struct gps_fix *f);
	const char *(*where)(struct daemon *d);
};

/* The registry (engine/tel_kinds.c): the kinds built into this program. */
unsigned tel_kind_count(void);
const struct tel_kind *tel_kind_at(unsigned i);
unsigned tel_kind_index(const struct tel_kind *k);
const struct tel_kind *tel_kind_find(const char *name);
/* The per-member kind reading members of class cls, NULL if none is built. */
const struct tel_kind *tel_kind_for_class(const char *cls);
/* Whether word is one of the space-separated words of list. */
bool tel_kind_word_in(const char *list, const char *word);

#endif
