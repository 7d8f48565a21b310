/* ev_types: the table of event types — name (what `monitor` shows as
 * "event"), kind, default severity and the template the human text is
 * rendered from. Several rows may share a name ("route" has three shapes).
 *
 * Template syntax: {key} is the field's value (a number as it is stored,
 * true/false, a string as is; {member} falls back to the record's member),
 * {key:N} a number with N decimals, {key|text} text when the field is
 * missing or null, and [ ... ] an optional part that is left out when a
 * field inside it is missing or null. */
#ifndef AUTONOMY_EVENTS_EV_TYPES_H
#define AUTONOMY_EVENTS_EV_TYPES_H

#include <stddef.h>
#include <json-c/json.h>

#include "events/ev.h"

enum ev_type_id {
	EVT_STATE,              /* a member's state changed */
	EVT_LINK,               /* its device's link changed */
	EVT_SWITCH,             /* decisions, by engine type */
	EVT_RESTORE,
	EVT_HOLD,
	EVT_MANUAL,
	EVT_TEST,               /* failover --test result */
	EVT_ROUTE,              /* the backend's own notes (repairs, resyncs) */
	EVT_ROUTE_CHANGE,       /* default route moved */
	EVT_FLOWS_FLUSHED,      /* a failed member's sticky connections flushed */
	EVT_QOS,                /* the traffic shaper's state */
	EVT_QOS_REPAIRED,
	EVT_ROUTE_FAILED,
	EVT_ROUTE_REFUSED,      /* the netlink backend will not run (mwan3's rules) */
	EVT_NETIFD,             /* netifd said an interface went up or down (hotplug) */
	EVT_TEL_FLAG_SET,       /* a telemetry verdict flag came ... */
	EVT_TEL_FLAG_CLEARED,   /* ... or went */
	EVT_TEL_SOURCE_ERR,     /* the dish / modem / radio stopped answering */
	EVT_TEL_SOURCE_OK,
	EVT_TEL_NO_LOCATION,    /* the dish refuses its location */
	EVT_DISH_ACTION,        /* the operator asked the dish to reboot / stow */
	EVT_DISH_RESULT,
	EVT_RELOAD,
	EVT_RELOAD_FAILED,
	EVT_USAGE,              /* data usage reached a share of the cap */
	EVT_FAILOVER_RATE,      /* failovers per day reached a threshold */
	EVT_FAILOVER_RATE_OK,
	EVT_RESOURCE,           /* the daemon's CPU or memory over its limit */
	EVT_RESOURCE_OK,
	EVT_STORE,              /* the history store: moved aside, restored, failing */
	EVT_DAEMON,             /* started, stopped */
	EVT_DELIVERED,          /* an alert reached a channel's endpoint */
	EVT_DELIVERY_FAILED,    /* refused for good, expired, dropped */
	EVT_API_KEY,            /* an API key of the listeners expires soon / expired */
	EVT_SOURCE_BANNED,      /* intrusion detection banned a source of the listeners */
	EVT_TYPE_N
};

struct ev_type_def {
	const char *name;
	enum ev_kind kind;
	enum ev_severity severity;
	const char *tmpl;
};

const struct ev_type_def *ev_type(int id);

/* Renders tmpl with fields (member: the record's) into buf. Always
 * NUL-terminates; a text longer than size is cut. */
void ev_render(const char *tmpl, json_object *fields, const char *member, char *buf,
	       size_t size);

#endif
