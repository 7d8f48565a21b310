/* decisions: the daemon's glue between member state, the decision engine
 * (engine/decide) and the route backend (route/): members' states go in,
 * decisions come out, and each switch becomes one route change. */
#ifndef AUTONOMY_DAEMON_DECISIONS_H
#define AUTONOMY_DAEMON_DECISIONS_H

#include <stdbool.h>
#include <json-c/json.h>

#include "ctl/ctl_proto.h"

struct daemon;

/* Creates the decision engine and the backend that main.backend names
 * (main.dry_run or --dry-run: the observe backend). */
int decisions_start(struct daemon *d);
void decisions_stop(struct daemon *d);
/* Applies main.switch_margin / switch_sustain / failback_hold (reload). */
void decisions_configure(struct daemon *d);
/* Reload: swaps the route backend when the wanted one changed (mwan3
 * stopped or started, backend or dry_run changed). */
void decisions_backend_check(struct daemon *d);
/* Members changed (reload, link, addresses): tell the route backend. */
void decisions_members_changed(struct daemon *d);
/* Evaluate now (a member's state changed, a timer matured). */
void decisions_eval(struct daemon *d);

/* Commands. */
json_object *decisions_view(struct daemon *d, int limit);
json_object *decisions_last_switch(struct daemon *d);
/* `members`: a member's precursor records, kind by kind. */
json_object *decisions_precursors_json(struct daemon *d, const char *member);
json_object *decisions_failover(struct daemon *d, const char *member, bool force,
				struct ctl_error *err);
json_object *decisions_auto(struct daemon *d, struct ctl_error *err);
json_object *decisions_route_status(struct daemon *d);
const char *decisions_backend_name(struct daemon *d);

#endif
