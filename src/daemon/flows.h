/* flows: connections and switches (flows.c): a failed member's connections
 * are flushed, a working one's stay (route/route_flows.c), and each switch
 * records how many stayed and how many were flushed. */
#ifndef AUTONOMY_DAEMON_FLOWS_H
#define AUTONOMY_DAEMON_FLOWS_H

#include <stdbool.h>
#include <json-c/json.h>

struct daemon;
struct decision;
struct member_rt;
struct route_result;

int flows_start(struct daemon *d);
void flows_stop(struct daemon *d);
/* Down, no carrier (or the link's hardware says it is gone), or an outage
 * predicted: its connections cannot go on. */
bool flows_member_failed(const struct member_rt *m);
/* A switch dc was applied with result res; flushed: the member left was
 * flushed. Records it and starts a count of what stayed. */
void flows_switched(struct daemon *d, const struct decision *dc, const struct route_result *res,
		    bool flushed);
/* The route backend finished a count (its flows_cb; arg = the daemon). */
void flows_counted(void *arg);
/* After each evaluation: flushes a member that failed while not active. */
void flows_check_failed(struct daemon *d);
/* {"kept", "flushed", "sticky"} for a decision that moved traffic, or NULL. */
json_object *flows_decision_json(struct daemon *d, const struct decision *dc);
/* Connections the member carries (null while not counted). */
json_object *flows_member_json(struct daemon *d, const char *member);

#endif
