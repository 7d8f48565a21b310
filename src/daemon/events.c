/* The daemon's event bus (events/ev.h) and its first subscribers: the log,
 * and the ring of recent events that `monitor` shows and streams to monitor
 * clients as they happen (monitor clients also get a member snapshot every
 * second while they are connected). The history store subscribes in
 * history.c, the exporters in exporters.c, the alerts in alerts.c (each once:
 * the exporters' counters would count an event twice otherwise). */
#include <stdio.h>

#include <event2/event.h>

#include "core/clock.h"
#include "core/log.h"
#include "ctl/ctl_server.h"
#include "daemon/daemon.h"
#include "events/ev.h"

#define MONITOR_SNAPSHOT_MS 1000

static void on_log(void *arg, const struct ev_record *e)
{
	(void)arg;
	static const enum log_level lvl[EV_SEV_N] = {
		[EV_INFO] = LOG_LVL_NOTICE, [EV_WARNING] = LOG_LVL_WARN,
		[EV_CRITICAL] = LOG_LVL_ERR, [EV_EMERGENCY] = LOG_LVL_ERR,
	};
	log_msg(lvl[e->severity], "%s", e->text);
}

/* The ring keeps each record as JSON: it is what `monitor` shows, and it
 * outlives the delivery. */
static void on_ring(void *arg, const struct ev_record *e)
{
	struct daemon *d = arg;
	json_object *o = ev_record_json(e);
	json_object_put(d->events[d->events_head]);
	d->events[d->events_head] = o;
	d->events_head = (d->events_head + 1) % DAEMON_EVENTS_MAX;
	if (d->n_events < DAEMON_EVENTS_MAX)
		d->n_events++;
	if (d->ctl)
		ctl_server_publish(d->ctl, o);
}

int daemon_events_start(struct daemon *d)
{
	d->bus = ev_bus_new(NULL);
	if (!d->bus || ev_subscribe(d->bus, EV_INFO, 0, on_log, d) < 0 ||
	    ev_subscribe(d->bus, EV_INFO, 0, on_ring, d) < 0)
		return -1;
	return 0;
}

void daemon_events_stop(struct daemon *d)
{
	ev_bus_free(d->bus);
	d->bus = NULL;
	for (size_t i = 0; i < DAEMON_EVENTS_MAX; i++) {
		json_object_put(d->events[i]);
		d->events[i] = NULL;
	}
	d->n_events = d->events_head = 0;
}

/* Which levels notify (alerts.*_enabled). */
void daemon_events_configure(struct daemon *d)
{
	static const char *const opt[EV_SEV_N] = {
		"info_enabled", "warning_enabled", "critical_enabled", "emergency_enabled",
	};
	const struct cfg_section *a = config_section(d->cfg, "alerts");
	unsigned mask = 0;
	for (int i = 0; i < EV_SEV_N; i++)
		if (cfg_bool(a, opt[i]))
			mask |= 1u << i;
	ev_bus_set_levels(d->bus, mask);
}

/* The newest `limit` events, oldest first. */
json_object *view_events(struct daemon *d, size_t limit)
{
	json_object *a = json_object_new_array();
	size_t n = d->n_events < limit ? d->n_events : limit;
	for (size_t k = n; k > 0; k--) {
		size_t i = (d->events_head + DAEMON_EVENTS_MAX - k) % DAEMON_EVENTS_MAX;
		json_object_array_add(a, json_object_get(d->events[i]));
	}
	return a;
}

static void on_monitor_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	struct daemon *d = arg;
	struct ctl_server_stats st;
	ctl_server_get_stats(d->ctl, &st);
	if (st.subscribers == 0)
		return;         /* re-armed by the next subscriber */
	{
		json_object *o = json_object_new_object();
		json_object_object_add(o, "event", json_object_new_string("members"));
		json_object_object_add(o, "ts", json_object_new_double(
			(double)clock_wall_ms() / 1e3));
		json_object_object_add(o, "active", d->active[0] ?
				       json_object_new_string(d->active) : NULL);
		json_object_object_add(o, "members", view_members(d));
		ctl_server_publish(d->ctl, o);
		json_object_put(o);
	}
	struct timeval tv = { MONITOR_SNAPSHOT_MS / 1000, (MONITOR_SNAPSHOT_MS % 1000) * 1000 };
	event_add(d->monitor_timer, &tv);
}

int daemon_monitor_start(struct daemon *d)
{
	d->monitor_timer = event_new(d->base, -1, 0, on_monitor_timer, d);
	return d->monitor_timer ? 0 : -1;
}

/* A monitor client subscribed: snapshots run while anyone listens. */
void daemon_monitor_wake(struct daemon *d)
{
	if (evtimer_pending(d->monitor_timer, NULL))
		return;
	struct timeval tv = { MONITOR_SNAPSHOT_MS / 1000, (MONITOR_SNAPSHOT_MS % 1000) * 1000 };
	event_add(d->monitor_timer, &tv);
}
