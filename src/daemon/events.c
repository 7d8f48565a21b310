/* The daemon's event log: state changes, link changes, active-member
 * changes, reloads. Kept in a ring for `monitor`, logged, and streamed to
 * monitor clients as they happen; monitor clients also get a member
 * snapshot every second while they are connected. */
#include <stdarg.h>
#include <stdio.h>

#include <event2/event.h>

#include "core/clock.h"
#include "core/log.h"
#include "ctl/ctl_server.h"
#include "daemon/daemon.h"

#define MONITOR_SNAPSHOT_MS 1000

static json_object *event_json(const struct daemon_event_rec *e)
{
	char buf[32];
	json_object *o = json_object_new_object();
	json_object_object_add(o, "event", json_object_new_string(e->type));
	json_object_object_add(o, "time", json_object_new_string(
		clock_iso8601(e->wall_ms / 1000, buf, sizeof(buf))));
	json_object_object_add(o, "ts", json_object_new_double((double)e->wall_ms / 1e3));
	json_object_object_add(o, "member", e->member[0] ? json_object_new_string(e->member) : NULL);
	json_object_object_add(o, "text", json_object_new_string(e->text));
	return o;
}

void daemon_event(struct daemon *d, const char *type, const char *member,
		  const char *fmt, ...)
{
	struct daemon_event_rec *e = &d->events[d->events_head];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->text, sizeof(e->text), fmt, ap);
	va_end(ap);
	e->wall_ms = clock_wall_ms();
	snprintf(e->type, sizeof(e->type), "%s", type);
	snprintf(e->member, sizeof(e->member), "%s", member ? member : "");
	d->events_head = (d->events_head + 1) % DAEMON_EVENTS_MAX;
	if (d->n_events < DAEMON_EVENTS_MAX)
		d->n_events++;
	log_notice("%s", e->text);
	if (d->ctl || d->exp) {
		json_object *o = event_json(e);
		if (d->ctl)
			ctl_server_publish(d->ctl, o);
		export_event(d->exp, o);
		json_object_put(o);
	}
}

/* The newest `limit` events, oldest first. */
json_object *view_events(struct daemon *d, size_t limit)
{
	json_object *a = json_object_new_array();
	size_t n = d->n_events < limit ? d->n_events : limit;
	for (size_t k = n; k > 0; k--) {
		size_t i = (d->events_head + DAEMON_EVENTS_MAX - k) % DAEMON_EVENTS_MAX;
		json_object_array_add(a, event_json(&d->events[i]));
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
