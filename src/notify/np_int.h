/* np_int: the policy's parts — how an event maps to incidents (np_rules.c),
 * how a group of events reads (np_compose.c), the state machine
 * (notify_policy.c). */
#ifndef AUTONOMY_NOTIFY_NP_INT_H
#define AUTONOMY_NOTIFY_NP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "notify/notify_policy.h"

enum np_kind {
	NPK_HEALTH,     /* a member down / degraded → recovered */
	NPK_ALLDOWN,    /* every member down → one back */
	NPK_FLAG,       /* a telemetry verdict flag set → cleared */
	NPK_SOURCE,     /* a telemetry source silent → answering */
	NPK_RATE,       /* failovers per day over a threshold → under */
	NPK_RESOURCE,   /* the daemon's CPU / memory over → under */
	NPK_CONFIG,     /* a reload rejected → one accepted */
	NPK_ONEOFF,     /* anything else: an alert with nothing to resolve */
};

enum np_role {
	NPR_PROBLEM,    /* opens the incident, or updates an open one */
	NPR_DETAIL,     /* worth telling only inside an open incident */
	NPR_RESOLVE,    /* the incident is over */
};

struct np_target {
	char key[NOTIFY_KEY_MAX];
	char member[64];
	enum np_kind kind;
	enum np_role role;
};

/* The incidents an event concerns (at most 2: a member's recovery also ends
 * "every uplink is down"). all_down_open: whether that incident is open.
 * Returns how many; 0 for events that are never alerts (our own delivery
 * events). */
int np_classify(json_object *rec, bool all_down_open, struct np_target out[2]);

#define NP_GROUP_MAX 24

struct np_item {
	json_object *rec;
	enum np_role role;
	enum ev_severity sev;
};

/* An incident (open or not yet) with the events waiting in its group. */
struct np_inc {
	char key[NOTIFY_KEY_MAX];
	char member[64];
	enum np_kind kind;
	bool open;
	bool restored;                  /* from before a restart, not seen since */
	bool quiet_open;                /* its opening waits for the quiet digest */
	bool flapping;
	int64_t opened_ms;
	uint64_t opened_mono, restored_mono;
	enum ev_severity sev;
	unsigned updates;               /* messages composed for it */
	char title[NOTIFY_TITLE_MAX];   /* of its first message */
	char last_title[NOTIFY_TITLE_MAX];
	uint64_t last_mono;             /* last touched (which incident to forget first) */
	uint64_t sent_mono;             /* when last_title was composed (dedup) */
	struct np_item items[NP_GROUP_MAX];
	unsigned n_items, n_dropped;
	uint64_t due_mono;              /* the group's flush time; 0 = none */
	/* flapping (health): outages in the window, the digest's clock */
	uint64_t outages[32];
	unsigned n_outages;
	uint64_t window_end;
	unsigned in_window;             /* outages since the last digest */
	bool down_now;                  /* the last state seen was a problem */
	bool went_down;                 /* the current group holds an up → down change */
	uint64_t since_mono;
	int64_t since_wall;
};

/* What a flushed group says. */
struct np_verdict {
	enum notify_action action;
	bool opened_now;
	enum ev_severity sev;
};

/* The title and body of the message for inc's current group. */
void np_compose(const struct np_inc *inc, const struct np_verdict *v, const struct np_clock *now,
		struct notify_msg *m);
/* A message of text alone (flap digests, restored incidents). */
void np_compose_note(const struct np_inc *inc, const char *title, const char *line,
		     const struct np_clock *now, struct notify_msg *m);
/* "45 s", "3 min 12 s", "2 h 5 min", "3 d 4 h". */
void np_fmt_duration(uint64_t ms, char *out, size_t size);
/* "14:05:09" in local time. */
void np_fmt_clock(int64_t wall_ms, char *out, size_t size);

#endif
