/* ev_emit: typed event constructors (ev_emit.h). */
#include "events/ev_emit.h"

#include <math.h>
#include <string.h>

#include "core/clock.h"
#include "core/jsonutil.h"
#include "engine/decide.h"
#include "events/ev_types.h"

static json_object *obj(void)
{
	return json_object_new_object();
}

static void add_s(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, v ? json_object_new_string(v) : NULL);
}

static void add_i(json_object *o, const char *k, long long v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

static void add_b(json_object *o, const char *k, bool v)
{
	json_object_object_add(o, k, json_object_new_boolean(v));
}

void ev_emit_state(struct ev_bus *b, const char *member, const char *state, int score,
		   const char *reason, bool active, int warn, int crit)
{
	json_object *f = obj();
	int sev = EV_INFO;
	add_s(f, "state", state);
	json_object_object_add(f, "score", score >= 0 ? json_object_new_int(score) : NULL);
	add_s(f, "reason", reason);
	add_b(f, "active", active);
	add_s(f, "below", score < 0 ? NULL : score < crit ? "health_critical" :
	      score < warn ? "health_warning" : NULL);
	if (strcmp(state, "down") == 0)
		sev = EV_CRITICAL;
	else if (strcmp(state, "degraded") == 0)
		sev = EV_WARNING;
	ev_publish(b, EVT_STATE, member, sev, f);
}

void ev_emit_link(struct ev_bus *b, const char *member, const char *link, const char *detail)
{
	json_object *f = obj();
	add_s(f, "link", link);
	add_s(f, "detail", detail);
	ev_publish(b, EVT_LINK, member, -1, f);
}

void ev_emit_decision(struct ev_bus *b, const struct decision *dc)
{
	static const int type_of[] = {
		[DECIDE_SWITCH] = EVT_SWITCH, [DECIDE_HOLD] = EVT_HOLD,
		[DECIDE_RESTORE] = EVT_RESTORE, [DECIDE_MANUAL] = EVT_MANUAL,
	};
	json_object *f = obj(), *sc = obj();
	int sev = EV_INFO;
	add_s(f, "decision", decide_type_name(dc->type));
	add_s(f, "from", dc->from[0] ? dc->from : NULL);
	add_s(f, "to", dc->to[0] ? dc->to : NULL);
	add_s(f, "cause", decide_cause_name(dc->cause));
	add_s(f, "reason", dc->reason);
	for (unsigned i = 0; i < dc->n_scores; i++)
		json_object_object_add(sc, dc->scores[i].name, dc->scores[i].score >= 0 ?
				       json_object_new_int(dc->scores[i].score) : NULL);
	json_object_object_add(f, "scores", sc);
	if (dc->precursor[0])
		add_s(f, "precursor", dc->precursor);
	if (dc->flap_prevented)
		add_b(f, "flap_prevented", true);
	if (dc->by[0])
		add_s(f, "by", dc->by);
	if (dc->cause == DECIDE_CAUSE_ALL_DOWN)
		sev = EV_EMERGENCY;
	else if (dc->cause == DECIDE_CAUSE_DOWN && dc->type == DECIDE_SWITCH)
		sev = EV_WARNING;
	ev_publish(b, type_of[dc->type], dc->to[0] ? dc->to : NULL, sev, f);
}

void ev_emit_test(struct ev_bus *b, const char *member, unsigned replies, unsigned sent)
{
	json_object *f = obj();
	add_i(f, "replies", replies);
	add_i(f, "sent", sent);
	add_b(f, "ok", replies > 0);
	ev_publish(b, EVT_TEST, member, replies ? EV_INFO : EV_WARNING, f);
}

void ev_emit_route(struct ev_bus *b, const char *member, const char *what, const char *detail)
{
	json_object *f = obj();
	add_s(f, "what", what);
	add_s(f, "detail", detail);
	ev_publish(b, EVT_ROUTE, member, -1, f);
}

void ev_emit_route_change(struct ev_bus *b, const char *member, unsigned changes, double ms,
			  bool observe_only, const char *from, int flushed)
{
	json_object *f = obj();
	add_i(f, "changes", changes);
	json_object_object_add(f, "ms", json_num(ms, 3));
	add_s(f, "note", observe_only ? "observe only" : NULL);
	add_s(f, "from", from && from[0] ? from : NULL);
	if (flushed > 0)
		add_i(f, "flushed", flushed);
	ev_publish(b, EVT_ROUTE_CHANGE, member, -1, f);
}

void ev_emit_qos(struct ev_bus *b, const char *member, const char *state, const char *reason)
{
	json_object *f = obj();
	add_s(f, "state", state);
	add_s(f, "reason", reason);
	ev_publish(b, EVT_QOS, member, strcmp(state, "error") == 0 ? EV_WARNING : EV_INFO, f);
}

void ev_emit_qos_repaired(struct ev_bus *b, const char *member, const char *device)
{
	json_object *f = obj();
	add_s(f, "device", device);
	ev_publish(b, EVT_QOS_REPAIRED, member, -1, f);
}

void ev_emit_flows_flushed(struct ev_bus *b, const char *member, int connections,
			   const char *via)
{
	json_object *f = obj();
	add_i(f, "connections", connections);
	add_s(f, "via", via);
	ev_publish(b, EVT_FLOWS_FLUSHED, member, -1, f);
}

void ev_emit_route_failed(struct ev_bus *b, const char *member, const char *error)
{
	json_object *f = obj();
	add_s(f, "error", error);
	ev_publish(b, EVT_ROUTE_FAILED, member, -1, f);
}

void ev_emit_route_refused(struct ev_bus *b, const char *reason)
{
	json_object *f = obj();
	add_s(f, "reason", reason);
	ev_publish(b, EVT_ROUTE_REFUSED, NULL, -1, f);
}

void ev_emit_netifd(struct ev_bus *b, const char *action, const char *iface, const char *device)
{
	json_object *f = obj();
	add_s(f, "action", action);
	add_s(f, "interface", iface);
	add_s(f, "device", device && device[0] ? device : NULL);
	ev_publish(b, EVT_NETIFD, NULL, -1, f);
}

void ev_emit_tel_flag(struct ev_bus *b, const char *member, const char *flag, bool set,
		      const char *reason)
{
	json_object *f = obj();
	add_s(f, "flag", flag);
	add_b(f, "set", set);
	add_s(f, "reason", set ? reason : NULL);
	ev_publish(b, set ? EVT_TEL_FLAG_SET : EVT_TEL_FLAG_CLEARED, member, -1, f);
}

void ev_emit_tel_source(struct ev_bus *b, const char *member, const char *source,
			const char *error, const char *tool)
{
	json_object *f = obj();
	add_s(f, "source", source);
	add_s(f, "error", error);
	add_s(f, "tool", tool && tool[0] ? tool : NULL);
	ev_publish(b, error ? EVT_TEL_SOURCE_ERR : EVT_TEL_SOURCE_OK, member, -1, f);
}

void ev_emit_dish_no_location(struct ev_bus *b, const char *member)
{
	ev_publish(b, EVT_TEL_NO_LOCATION, member, -1, NULL);
}

void ev_emit_dish_action(struct ev_bus *b, const char *member, const char *action,
			 const char *by)
{
	json_object *f = obj();
	add_s(f, "action", action);
	if (by)
		add_s(f, "by", by);
	ev_publish(b, EVT_DISH_ACTION, member, -1, f);
}

void ev_emit_dish_result(struct ev_bus *b, const char *member, const char *action, bool ok,
			 const char *detail)
{
	json_object *f = obj();
	add_s(f, "action", action);
	add_s(f, "result", ok ? "accepted" : "failed");
	add_s(f, "detail", detail && detail[0] ? detail : NULL);
	ev_publish(b, EVT_DISH_RESULT, member, ok ? EV_INFO : EV_WARNING, f);
}

void ev_emit_reload(struct ev_bus *b, unsigned members, unsigned warnings, const char *by)
{
	json_object *f = obj();
	add_i(f, "members", members);
	add_i(f, "warnings", warnings);
	if (by)
		add_s(f, "by", by);
	ev_publish(b, EVT_RELOAD, NULL, -1, f);
}

void ev_emit_reload_failed(struct ev_bus *b, const char *message)
{
	json_object *f = obj();
	add_s(f, "message", message);
	ev_publish(b, EVT_RELOAD_FAILED, NULL, -1, f);
}

void ev_emit_usage(struct ev_bus *b, const char *member, unsigned pct, unsigned warn_pct,
		   uint64_t cap_mb, double used_mb, int64_t resets_unix)
{
	char when[32];
	json_object *f = obj();
	add_i(f, "pct", pct);
	add_i(f, "cap_mb", (long long)cap_mb);
	add_i(f, "used_mb", (long long)llround(used_mb));
	add_s(f, "resets", clock_iso8601(resets_unix, when, sizeof(when)));
	ev_publish(b, EVT_USAGE, member,
		   pct >= 100 ? EV_CRITICAL : pct >= warn_pct ? EV_WARNING : EV_INFO, f);
}

void ev_emit_failover_rate(struct ev_bus *b, unsigned count, unsigned limit, bool critical,
			   bool cleared)
{
	json_object *f = obj();
	add_i(f, "count", count);
	add_i(f, "limit", limit);
	add_s(f, "option", critical ? "failover_critical" : "failover_warning");
	ev_publish(b, cleared ? EVT_FAILOVER_RATE_OK : EVT_FAILOVER_RATE, NULL,
		   cleared ? EV_INFO : critical ? EV_CRITICAL : EV_WARNING, f);
}

void ev_emit_resource(struct ev_bus *b, const char *what, double value, const char *unit,
		      double limit, const char *option, bool cleared)
{
	json_object *f = obj();
	add_s(f, "what", what);
	json_object_object_add(f, "value", json_num(value, 1));
	add_s(f, "unit", unit);
	json_object_object_add(f, "limit", json_num(limit, 1));
	add_s(f, "option", option);
	ev_publish(b, cleared ? EVT_RESOURCE_OK : EVT_RESOURCE, NULL, -1, f);
}

void ev_emit_store(struct ev_bus *b, enum ev_severity sev, const char *what, const char *detail)
{
	json_object *f = obj();
	add_s(f, "what", what);
	add_s(f, "detail", detail && detail[0] ? detail : NULL);
	ev_publish(b, EVT_STORE, NULL, (int)sev, f);
}

void ev_emit_daemon(struct ev_bus *b, const char *what, const char *detail)
{
	json_object *f = obj();
	add_s(f, "what", what);
	add_s(f, "detail", detail && detail[0] ? detail : NULL);
	ev_publish(b, EVT_DAEMON, NULL, -1, f);
}

void ev_emit_delivery(struct ev_bus *b, bool ok, json_object *fields)
{
	ev_publish(b, ok ? EVT_DELIVERED : EVT_DELIVERY_FAILED, NULL, -1, fields);
}

void ev_emit_api_key(struct ev_bus *b, const char *name, const char *id, const char *expires,
		     long long days_left)
{
	json_object *f = obj();
	bool expired = days_left < 0;
	add_s(f, "name", name);
	add_s(f, "id", id);
	add_s(f, "state", expired ? "expired on" : "expires on");
	add_s(f, "expires", expires);
	if (!expired)
		add_i(f, "days_left", days_left);
	add_s(f, "advice", expired ? "requests with it are refused (security.api_key_rotation_days)"
		  : "make a new one (autonomyctl security key create) and revoke this one");
	ev_publish(b, EVT_API_KEY, NULL, EV_WARNING, f);
}

void ev_emit_source_banned(struct ev_bus *b, const char *source, long long seconds,
			   unsigned failures)
{
	json_object *f = obj();
	add_s(f, "source", source);
	add_i(f, "seconds", seconds);
	add_i(f, "failures", failures);
	ev_publish(b, EVT_SOURCE_BANNED, NULL, EV_WARNING, f);
}
