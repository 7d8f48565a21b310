/* notify_policy: which events become alerts, and how many (DESIGN.md
 * "Alerts", docs/alerts.md). Pure: records and clocks in, messages out.
 *
 * - Levels: an event counts when its level is enabled (alerts.*_enabled:
 *   warning and above through the bus's notify flag, info by info_enabled).
 * - Incidents: related events share a key — "wan:health" for a member going
 *   down or degraded, the failover away from it and its recovery; "all:down"
 *   when every member is down; a telemetry flag, a silent telemetry source,
 *   the failover rate, the daemon's resources, a rejected config. The first
 *   message opens the incident, later ones update it, the recovery resolves
 *   it. Events of one key within group_ms make one message ("wan down,
 *   traffic moved to sat" — not two). Anything else is a one-off alert.
 * - Dedup: an update or one-off with the same key and title as one sent
 *   within dedup_ms is dropped.
 * - Flapping: a member with flap_threshold outages within flap_window gets
 *   one message saying so, then one digest per window ("wan flapped 9 times
 *   in 10 min"), and a resolution once a window passes without an outage.
 * - Quiet hours: info and warning messages composed in them are marked
 *   quiet (the outbox holds them for one digest at the end); critical and
 *   emergency go out, and so do the updates of an incident whose first
 *   message went out.
 * - Restart: open incidents are persisted by the caller (the incident
 *   callback) and restored; one not seen again within restore_grace_ms is
 *   resolved, so a PagerDuty incident never stays open for a condition
 *   that ended while the daemon was down. */
#ifndef AUTONOMY_NOTIFY_NOTIFY_POLICY_H
#define AUTONOMY_NOTIFY_NOTIFY_POLICY_H

#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>

#include "notify/notify_msg.h"

struct np_cfg {
	unsigned levels;                /* bit per enum ev_severity: enabled */
	uint32_t group_ms;
	uint32_t dedup_ms;
	unsigned flap_threshold;        /* 0 = off */
	uint32_t flap_window_ms;
	int quiet_start, quiet_end;     /* minutes of the local day; -1 = none */
	uint32_t restore_grace_ms;
};

struct np_clock {
	int64_t wall_ms;
	uint64_t mono_ms;
	int local_min;                  /* minute of the local day (quiet hours) */
};

/* A composed message: the callee takes the reference. */
typedef void (*np_emit_fn)(void *arg, struct notify_msg *m);
/* An incident opened (title: what it is about) or closed (title NULL). */
typedef void (*np_incident_fn)(void *arg, const char *key, int64_t opened_ms,
			       enum ev_severity sev, const char *title);

struct notify_policy;

struct notify_policy *np_new(const struct np_cfg *c, np_emit_fn emit, np_incident_fn inc,
			     void *arg);
void np_set_cfg(struct notify_policy *p, const struct np_cfg *c);
void np_free(struct notify_policy *p);

/* An incident that was open when the daemon stopped. */
void np_restore(struct notify_policy *p, const char *key, int64_t opened_ms,
		enum ev_severity sev, const char *title, const struct np_clock *now);
/* One bus record (ev_record_json; borrowed). */
void np_event(struct notify_policy *p, json_object *rec, const struct np_clock *now);
/* Does what is due: groups whose window ended, flap digests, restored
 * incidents past their grace. Returns ms until the next due work, or
 * UINT64_MAX when nothing waits. */
uint64_t np_tick(struct notify_policy *p, const struct np_clock *now);

struct np_stats {
	uint64_t events;        /* records seen */
	uint64_t relevant;      /* records that counted (level enabled, a key) */
	uint64_t messages;      /* messages composed */
	uint64_t dedup;         /* messages dropped as duplicates */
	uint64_t flap;          /* messages folded into a flap digest */
	uint64_t quiet;         /* messages marked for the quiet-hours digest */
	unsigned open;          /* incidents open now */
};
void np_stats(const struct notify_policy *p, struct np_stats *out);
/* The open incidents (for `notifications`): [{key, opened, severity, title,
 * flapping}]. */
json_object *np_view(const struct notify_policy *p);

#endif
