/* export: the daemon's outside view — Prometheus metrics (and a textfile for
 * node-exporter), an SNMP AgentX subagent, MQTT fleet telemetry.
 *
 * The daemon hands the exporters a host (its loop and three snapshot
 * functions that return the same JSON views as `status`, `members` and
 * `health`) and the events it publishes; exporters never reach into the
 * daemon's structures, so they keep working whatever moves behind the views.
 * Each exporter is one ops table (export_int.h) named by its config section;
 * export_kinds[] in export.c is the only list of them. */
#ifndef AUTONOMY_EXPORT_EXPORT_H
#define AUTONOMY_EXPORT_EXPORT_H

#include <json-c/json.h>

struct event_base;
struct config;
struct sec_guard;

struct export_host {
	struct event_base *base;
	const char *socket_path;        /* the control socket (the SNMP child reads it) */
	struct sec_guard *guard;        /* who may use a listener (NULL: anyone) */
	void *arg;
	/* New references, as `autonomyctl --json status|members|health` show them. */
	json_object *(*status)(void *arg);
	json_object *(*members)(void *arg);
	json_object *(*health)(void *arg);
};

struct export_set;

/* Starts every exporter whose section is enabled. An exporter that cannot
 * start (a port in use, a library refusing) is logged and shown in
 * export_view(); the others run. Never NULL unless out of memory. */
struct export_set *export_start(const struct export_host *h, const struct config *cfg);
/* The config changed: exporters whose section changed restart, the others
 * keep running (and see the new member list). cfg must outlive the set or
 * the next reload. */
void export_reload(struct export_set *x, const struct config *cfg);
/* One event as the bus's record JSON: {"event","time","ts","severity","kind",
 * "member","text","notify","fields"}; borrowed for the call. A decision's
 * record (fields from, to, cause) counts a failover. */
void export_event(struct export_set *x, json_object *ev);
void export_stop(struct export_set *x);
/* For `health`: per exporter its state and counters. */
json_object *export_view(struct export_set *x);

#endif
