/* ev: the daemon's events as typed records, and the bus that hands them to
 * subscribers (the log, the `monitor` ring and stream, the history store,
 * the exporters; later the alert channels).
 *
 * A record has a time, a severity (the operations guide's four levels), a
 * kind, a type (a row of the table in ev_types.c: "state", "switch", ...),
 * the member it concerns, fields (a small JSON object: scores, reasons,
 * figures) and the human text, rendered from the type's template and the
 * fields — emitters never write prose, they call the typed functions of
 * ev_emit.h.
 *
 * Subscribers are called synchronously, in the order they subscribed, with
 * a record that lives only during the call. They must not block: one that
 * has slow work to do (a network send, a disk write) copies what it needs
 * and does it later on the loop. A subscriber may publish (a threshold
 * watcher turning switches into a failover-rate event): the new record is
 * queued and delivered after the current one has reached every subscriber,
 * so all subscribers see events in the same order. */
#ifndef AUTONOMY_EVENTS_EV_H
#define AUTONOMY_EVENTS_EV_H

#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>

enum ev_severity { EV_INFO, EV_WARNING, EV_CRITICAL, EV_EMERGENCY, EV_SEV_N };

enum ev_kind {
	EV_K_STATE,             /* a member's state, link, health */
	EV_K_SWITCH,            /* decisions: traffic moved or held, failover tests */
	EV_K_ROUTE,             /* the route backend */
	EV_K_TELEMETRY,         /* what the links' hardware says, data usage */
	EV_K_CONFIG,            /* reloads */
	EV_K_SECURITY,          /* (the security work) */
	EV_K_SYSTEM,            /* the daemon itself: start, stop, resources, store */
	EV_KIND_N
};

#define EV_KIND_BIT(k) (1u << (k))
#define EV_KINDS_ALL ((1u << EV_KIND_N) - 1)

#define EV_MEMBER_MAX 64
#define EV_TEXT_MAX 256

struct ev_record {
	uint64_t seq;           /* per bus, from 1 */
	int64_t wall_ms;        /* Unix ms (the bus's clock) */
	uint64_t mono_us;       /* monotonic µs (the bus's clock) */
	enum ev_severity severity;
	enum ev_kind kind;
	const char *type;       /* static: a name from the type table */
	char member[EV_MEMBER_MAX];     /* "" = not about one member */
	json_object *fields;    /* an object, never NULL during delivery */
	char text[EV_TEXT_MAX];
	bool notify;            /* warning or above and that level enabled (alerts.*_enabled) */
};

typedef void (*ev_sub_fn)(void *arg, const struct ev_record *e);

/* Where the bus takes its time from: the real clocks in the daemon, the
 * virtual ones in the replay. NULL fields = the real clocks. */
struct ev_clock {
	int64_t (*wall_ms)(void *arg);
	uint64_t (*mono_us)(void *arg);
	void *arg;
};

struct ev_bus;

struct ev_bus *ev_bus_new(const struct ev_clock *clk);
void ev_bus_free(struct ev_bus *b);
/* Which levels are enabled for notification (alerts.info_enabled, ...):
 * bit per enum ev_severity. Default: all. Info is never a notification. */
void ev_bus_set_levels(struct ev_bus *b, unsigned enabled_mask);

/* Delivers records of at least min severity whose kind is in kinds (a mask
 * of EV_KIND_BIT; 0 = every kind). Returns an id (> 0), or -1 when out of
 * memory. */
int ev_subscribe(struct ev_bus *b, enum ev_severity min, unsigned kinds, ev_sub_fn fn,
		 void *arg);
/* Safe from inside a delivery (the subscriber gets nothing more). */
void ev_unsubscribe(struct ev_bus *b, int id);

/* Publishes a record of type `type` (an EVT_* of ev_types.h): takes
 * ownership of fields (NULL = none), renders the text, stamps time and
 * sequence, and delivers it. sev < 0 = the type's default severity. */
void ev_publish(struct ev_bus *b, int type, const char *member, int sev, json_object *fields);

struct ev_bus_stats {
	uint64_t published, dropped;    /* dropped: queue overflow during delivery */
	unsigned subscribers;
	uint64_t by_severity[EV_SEV_N];
};
void ev_bus_stats(const struct ev_bus *b, struct ev_bus_stats *out);

const char *ev_severity_name(enum ev_severity s);
/* "info", "warning", "critical", "emergency" → level; -1 unknown. */
int ev_severity_parse(const char *s);
const char *ev_kind_name(enum ev_kind k);

/* The record as JSON: event (type), time, ts, severity, kind, member, text,
 * fields (a new reference). */
json_object *ev_record_json(const struct ev_record *e);

#endif
