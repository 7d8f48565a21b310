/* history: the daemon's side of the history store (history.c). */
#ifndef AUTONOMY_DAEMON_HISTORY_H
#define AUTONOMY_DAEMON_HISTORY_H

#include <json-c/json.h>

#include "ctl/ctl_proto.h"

struct daemon;
struct ctl_conn;

/* After the event bus, before the members start (their first events are
 * recorded). -1 only when out of memory: a store that cannot be opened
 * turns history off with a warning event, the daemon runs on. */
int history_start(struct daemon *d);
/* Records the last minute, writes the working store and brings the
 * durable copy up to date (in-process: the loop has ended). */
void history_stop(struct daemon *d);
/* After a reload (and after the members started): settings, the member list. */
void history_reload(struct daemon *d);
/* `status`: where the store is (autonomyctl reads it there). */
json_object *history_status_json(struct daemon *d);
/* `health`: the store subsystem. */
json_object *history_health_json(struct daemon *d);
/* `telemetry cleanup [--older-than S]` and `cleanup --all`: the maintenance
 * child with those options; the reply is deferred until it is done. */
json_object *history_cleanup(struct daemon *d, struct ctl_conn *c, long long older_than_s,
			     bool all, struct ctl_error *err);

#endif
