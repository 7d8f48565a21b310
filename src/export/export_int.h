/* export_int: what the exporters share — the ops table every exporter
 * fills, the context the core gives it (host, snapshots, the failover
 * counter), and the pure helpers the unit tests call.
 *
 * File map:
 *   export.c        the registry (export_kinds[]), lifecycle, event fan-out
 *   export_snap.c   cached snapshots of the views; JSON path lookups
 *   export_count.c  failovers by from / to / reason kind (pure)
 *   export_http.c   the HTTP listener (evhttp): the one accept path
 *   prom_metrics.c  the metrics table and the text exposition (pure)
 *   prom.c          the Prometheus exporter: /metrics and the textfile
 *   mqtt_msg.c      topics and payloads (pure);  mqtt.c  libmosquitto on the loop
 *   snmp_mib.c      the MIB's objects (pure);    snmp.c  the AgentX subagent */
#ifndef AUTONOMY_EXPORT_EXPORT_INT_H
#define AUTONOMY_EXPORT_EXPORT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "export/export.h"

struct cfg_section;

/* ---- failovers counted since start (export_count.c, pure) ---------------- */

/* The decision engine's causes that move traffic (the bus's fields.cause). */
#define EXPORT_KINDS_N 7
extern const char *const export_reason_kinds[EXPORT_KINDS_N];

struct export_fo {
	char from[32], to[32], kind[16];
	uint64_t n;
};

struct export_counts {
	struct export_fo *v;
	size_t n, cap;
	uint64_t total;
};

/* Every from → to pair of the members × every reason kind, at 0 (a series
 * that appears at 1 hides its first increase from rate()); existing counts
 * are kept. names: n member names. 0 or -1 (out of memory). */
int export_counts_seed(struct export_counts *c, const char *const *names, size_t n);
/* A bus record: counts it when it moved traffic (switch, restore, manual
 * with from and to, different). Returns 1 when counted. */
int export_counts_event(struct export_counts *c, json_object *ev);
/* Counts one move; 0, or -1 (out of memory). */
int export_counts_add(struct export_counts *c, const char *from, const char *to,
		      const char *kind);
void export_counts_free(struct export_counts *c);

/* ---- snapshots (export_snap.c) ------------------------------------------- */

struct export_snap {
	json_object *status, *members, *health;     /* owned by the cache */
	uint64_t at_us;
};

/* Value at a dotted path ("starlink.obstruction.fraction_obstructed") as a
 * double: numbers as they are, booleans 1/0; NAN for missing, null, text. */
double export_path_num(json_object *o, const char *path);
json_object *export_path(json_object *o, const char *path);

/* ---- the context the core gives each exporter ---------------------------- */

struct export_ctx {
	const struct export_host *host;
	struct event_base *base;
	const struct config *cfg;
	struct export_counts fo;
	struct export_snap snap;
	uint64_t snap_max_age_us;       /* reuse a snapshot this young */
	uint64_t events;
};

/* The views, fresh unless the cached ones are younger than snap_max_age_us
 * (an SNMP walk asks once per object). Valid until the next call. */
const struct export_snap *export_snapshot(struct export_ctx *x);
void export_snap_free(struct export_snap *s);

/* ---- the ops table: one per exporter ------------------------------------- */

struct export_ops {
	const char *name;       /* its config section: "prometheus", "snmp", "mqtt" */
	const char *also;       /* another section whose change restarts it (NULL: none) */
	/* Starts it with its section; NULL with *why filled when it cannot. */
	void *(*start)(struct export_ctx *x, const struct cfg_section *s, char *why,
		       size_t why_size);
	void (*stop)(void *st);
	/* A bus record (borrowed); NULL = not interested. */
	void (*on_event)(void *st, json_object *ev);
	/* The member list may have changed (reload without a change of its own
	 * section); NULL = nothing to do. */
	void (*on_members)(void *st);
	/* Its state for `health`: {"state": ..., counters}. */
	json_object *(*view)(void *st);
};

/* The exporters built in (each behind its WITH_* option). */
#ifdef AUTONOMY_WITH_PROMETHEUS
extern const struct export_ops export_prom_ops;
#endif
#ifdef AUTONOMY_WITH_SNMP
extern const struct export_ops export_snmp_ops;
#endif
#ifdef AUTONOMY_WITH_MQTT
extern const struct export_ops export_mqtt_ops;
#endif

#endif
