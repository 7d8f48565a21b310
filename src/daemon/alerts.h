/* alerts: the daemon's glue to src/notify (alerts.c). */
#ifndef AUTONOMY_DAEMON_ALERTS_H
#define AUTONOMY_DAEMON_ALERTS_H

#include <stdbool.h>
#include <json-c/json.h>

#include "ctl/ctl_proto.h"

struct daemon;
struct ctl_conn;

#define NOTIFY_UPLINKS_MAX 16

int alerts_start(struct daemon *d);
void alerts_reload(struct daemon *d);
void alerts_stop(struct daemon *d);
/* `notifications` as the daemon knows it: delivery state per channel. */
json_object *alerts_view(struct daemon *d, bool pending);
/* `notifications test`: the reply is deferred until every channel answered. */
json_object *alerts_test(struct daemon *d, struct ctl_conn *c, const char *channel,
			 struct ctl_error *err);

#endif
