/* ev_emit: one typed function per kind of event the daemon (and the replay)
 * emits. Each builds the record's fields; the text comes from the type's
 * template (ev_types.c), so what is logged, stored and streamed is the same
 * record. Strings are copied; NULL strings become JSON null. */
#ifndef AUTONOMY_EVENTS_EV_EMIT_H
#define AUTONOMY_EVENTS_EV_EMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "events/ev.h"

struct decision;

/* A member's state changed. Severity: down critical, degraded warning,
 * else info; `below` names the alerts threshold the score is under
 * (health_warning / health_critical, given as warn / crit). */
void ev_emit_state(struct ev_bus *b, const char *member, const char *state, int score,
		   const char *reason, bool active, int warn, int crit);
void ev_emit_link(struct ev_bus *b, const char *member, const char *link, const char *detail);

/* A decision of the engine, with its cause (decide_cause_name). Severity:
 * a switch away from a failed member warning, every member down emergency,
 * the rest info. */
void ev_emit_decision(struct ev_bus *b, const struct decision *dc);
void ev_emit_test(struct ev_bus *b, const char *member, unsigned replies, unsigned sent);

void ev_emit_route(struct ev_bus *b, const char *member, const char *what, const char *detail);
/* The default route moved to member; flushed: connections of `from` flushed
 * (< 1: none). */
void ev_emit_route_change(struct ev_bus *b, const char *member, unsigned changes, double ms,
			  bool observe_only, const char *from, int flushed);
/* The traffic shaper's state changed ("shaping", "error", "off", ...). */
void ev_emit_qos(struct ev_bus *b, const char *member, const char *state, const char *reason);
/* The shaper on device was put back (the kernel's read back differed). */
void ev_emit_qos_repaired(struct ev_bus *b, const char *member, const char *device);
/* A failed member's connections that sticky flows had kept on it, flushed. */
void ev_emit_flows_flushed(struct ev_bus *b, const char *member, int connections,
			   const char *via);
void ev_emit_route_failed(struct ev_bus *b, const char *member, const char *error);
void ev_emit_route_refused(struct ev_bus *b, const char *reason);
/* netifd's hotplug: action ("ifup", "ifdown", ...), interface, device (may be NULL). */
void ev_emit_netifd(struct ev_bus *b, const char *action, const char *iface, const char *device);

void ev_emit_tel_flag(struct ev_bus *b, const char *member, const char *flag, bool set,
		      const char *reason);
/* A telemetry source (source: "dish", "modem", "radio") failing (error) or
 * answering again (error NULL; tool: what answers, may be NULL). */
void ev_emit_tel_source(struct ev_bus *b, const char *member, const char *source,
			const char *error, const char *tool);
void ev_emit_dish_no_location(struct ev_bus *b, const char *member);
/* by: who asked (ctl_peer_describe), or NULL. */
void ev_emit_dish_action(struct ev_bus *b, const char *member, const char *action,
			 const char *by);
void ev_emit_dish_result(struct ev_bus *b, const char *member, const char *action, bool ok,
			 const char *detail);

/* by: who asked (ctl_peer_describe); NULL for a signal. */
void ev_emit_reload(struct ev_bus *b, unsigned members, unsigned warnings, const char *by);
void ev_emit_reload_failed(struct ev_bus *b, const char *message);
/* Data usage reached pct % of the cap; severity: 100 % critical, from the
 * warning share on warning, below info. */
void ev_emit_usage(struct ev_bus *b, const char *member, unsigned pct, unsigned warn_pct,
		   uint64_t cap_mb, double used_mb, int64_t resets_unix);

/* Threshold watchers (ev_thresh.h) report through these. */
void ev_emit_failover_rate(struct ev_bus *b, unsigned count, unsigned limit, bool critical,
			   bool cleared);
void ev_emit_resource(struct ev_bus *b, const char *what, double value, const char *unit,
		      double limit, const char *option, bool cleared);

void ev_emit_store(struct ev_bus *b, enum ev_severity sev, const char *what, const char *detail);
/* An API key of the listeners expires within days_left days (>= 0) or has
 * expired (days_left < 0); expires: its ISO 8601 date. */
void ev_emit_api_key(struct ev_bus *b, const char *name, const char *id, const char *expires,
		     long long days_left);
void ev_emit_source_banned(struct ev_bus *b, const char *source, long long seconds,
			   unsigned failures);
void ev_emit_daemon(struct ev_bus *b, const char *what, const char *detail);
/* An alert's fate at one channel (src/notify: channel, outcome, title,
 * alert, incident, attempts, via, ms, error); fields are taken. Delivered:
 * info; refused, expired or dropped: warning. Never an alert itself. */
void ev_emit_delivery(struct ev_bus *b, bool ok, json_object *fields);

#endif
