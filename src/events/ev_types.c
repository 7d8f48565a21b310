/* ev_types: the event type table and the template renderer. */
#include "events/ev_types.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T(id, nm, k, sev, tm) [id] = { .name = nm, .kind = k, .severity = sev, .tmpl = tm }

static const struct ev_type_def types[EVT_TYPE_N] = {
	T(EVT_STATE, "state", EV_K_STATE, EV_INFO, "{member}: {state} (score {score|-}; {reason})"),
	T(EVT_LINK, "link", EV_K_STATE, EV_INFO, "{member}: {link}[ ({detail})]"),
	T(EVT_SWITCH, "switch", EV_K_SWITCH, EV_WARNING,
	  "switch: {from|none} -> {to|none}: {reason}"),
	T(EVT_RESTORE, "restore", EV_K_SWITCH, EV_INFO,
	  "restore: {from|none} -> {to|none}: {reason}"),
	T(EVT_HOLD, "hold", EV_K_SWITCH, EV_INFO, "hold: {from|none} -> {to|none}: {reason}"),
	T(EVT_MANUAL, "manual", EV_K_SWITCH, EV_INFO,
	  "manual: {from|none} -> {to|none}: {reason}"),
	T(EVT_TEST, "test", EV_K_SWITCH, EV_INFO,
	  "failover test of {member}: {replies}/{sent} replies through the default route"),
	T(EVT_ROUTE, "route", EV_K_ROUTE, EV_INFO, "route {what}: {detail}"),
	T(EVT_ROUTE_CHANGE, "route", EV_K_ROUTE, EV_INFO,
	  "default route via {member} ({changes} changes in {ms:2} ms[, {note}]"
	  "[, {flushed} connections of {from} flushed])"),
	T(EVT_FLOWS_FLUSHED, "route", EV_K_ROUTE, EV_INFO,
	  "{member} failed: {connections} connections kept on it flushed (they reconnect "
	  "through {via|the active member})"),
	T(EVT_QOS, "qos", EV_K_ROUTE, EV_INFO, "shaper {state}: {reason}"),
	T(EVT_QOS_REPAIRED, "qos", EV_K_ROUTE, EV_INFO,
	  "shaper on {device} repaired (read back differed)"),
	T(EVT_ROUTE_FAILED, "route", EV_K_ROUTE, EV_CRITICAL,
	  "route change to {member} failed: {error}"),
	T(EVT_ROUTE_REFUSED, "route", EV_K_ROUTE, EV_CRITICAL, "netlink backend refused: {reason}"),
	T(EVT_NETIFD, "netifd", EV_K_STATE, EV_INFO, "netifd: {action} {interface}[ on {device}]"),
	T(EVT_TEL_FLAG_SET, "telemetry", EV_K_TELEMETRY, EV_WARNING,
	  "{member}: {flag}: {reason}"),
	T(EVT_TEL_FLAG_CLEARED, "telemetry", EV_K_TELEMETRY, EV_INFO, "{member}: no longer {flag}"),
	T(EVT_TEL_SOURCE_ERR, "telemetry", EV_K_TELEMETRY, EV_WARNING,
	  "{member}: {source}: {error}"),
	T(EVT_TEL_SOURCE_OK, "telemetry", EV_K_TELEMETRY, EV_INFO,
	  "{member}: {source} answering again[ ({tool})]"),
	T(EVT_TEL_NO_LOCATION, "telemetry", EV_K_TELEMETRY, EV_INFO,
	  "{member}: the dish does not share its location (PermissionDenied: local location "
	  "access is off in the Starlink app); position from other sources"),
	T(EVT_DISH_ACTION, "starlink", EV_K_TELEMETRY, EV_WARNING,
	  "{member}: operator asked the dish to {action}[ (by {by})]"),
	T(EVT_DISH_RESULT, "starlink", EV_K_TELEMETRY, EV_INFO,
	  "{member}: dish {action} {result}[: {detail}]"),
	T(EVT_RELOAD, "reload", EV_K_CONFIG, EV_INFO,
	  "reloaded: {members} members, {warnings} warnings[ (by {by})]"),
	T(EVT_RELOAD_FAILED, "reload", EV_K_CONFIG, EV_WARNING, "reload rejected: {message}"),
	T(EVT_USAGE, "alert", EV_K_TELEMETRY, EV_INFO,
	  "{member}: data usage reached {pct} % of {cap_mb} MB ({used_mb} MB used; the "
	  "allowance resets {resets})"),
	T(EVT_FAILOVER_RATE, "threshold", EV_K_SWITCH, EV_WARNING,
	  "{count} failovers in the last 24 h (alerts.{option} is {limit})"),
	T(EVT_FAILOVER_RATE_OK, "threshold", EV_K_SWITCH, EV_INFO,
	  "failovers in the last 24 h back below alerts.{option} ({count} < {limit})"),
	T(EVT_RESOURCE, "threshold", EV_K_SYSTEM, EV_WARNING,
	  "autonomyd {what} {value} {unit} over performance.{option} ({limit} {unit})"),
	T(EVT_RESOURCE_OK, "threshold", EV_K_SYSTEM, EV_INFO,
	  "autonomyd {what} back under performance.{option} ({value} {unit})"),
	T(EVT_STORE, "store", EV_K_SYSTEM, EV_INFO, "history store: {what}[: {detail}]"),
	T(EVT_DAEMON, "daemon", EV_K_SYSTEM, EV_INFO, "autonomyd {what}[ ({detail})]"),
	T(EVT_DELIVERED, "delivery", EV_K_SYSTEM, EV_INFO,
	  "alert delivered to {channel}[ via {via}] in {ms} ms: {title}"),
	T(EVT_DELIVERY_FAILED, "delivery", EV_K_SYSTEM, EV_WARNING,
	  "alert to {channel} {outcome}: {title}[: {error}]"),
	T(EVT_API_KEY, "api_key", EV_K_SECURITY, EV_WARNING,
	  "API key {name} ({id}) {state} {expires}[, {days_left} days left]: {advice}"),
	T(EVT_SOURCE_BANNED, "banned", EV_K_SECURITY, EV_WARNING,
	  "intrusion detection: {source} banned for {seconds} s after {failures} refused "
	  "requests within 10 minutes"),
};

const struct ev_type_def *ev_type(int id)
{
	return id >= 0 && id < EVT_TYPE_N ? &types[id] : NULL;
}

struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->len + 1 >= o->size)
		return;
	if (n > o->size - 1 - o->len)
		n = o->size - 1 - o->len;
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

/* One {key[:N][|dflt]} at *p (just past '{'). Returns false when the field
 * is missing and there is no default (an optional group is then dropped). */
static bool put_field(struct out *o, const char **pp, json_object *fields, const char *member)
{
	const char *p = *pp, *end = strchr(p, '}');
	char key[48], num[64];
	const char *dflt = NULL;
	size_t dlen = 0;
	int decimals = -1;
	if (!end) {
		*pp = p + strlen(p);
		return true;
	}
	size_t klen = strcspn(p, ":|}");
	if (klen >= sizeof(key))
		klen = sizeof(key) - 1;
	memcpy(key, p, klen);
	key[klen] = '\0';
	const char *q = p + strcspn(p, ":|}");
	if (*q == ':') {
		decimals = atoi(q + 1);
		q += 1 + strcspn(q + 1, "|}");
	}
	if (*q == '|') {
		dflt = q + 1;
		dlen = (size_t)(end - dflt);
	}
	*pp = end + 1;
	json_object *v = NULL;
	json_object_object_get_ex(fields, key, &v);
	if (!v && strcmp(key, "member") == 0 && member && member[0]) {
		put(o, member, strlen(member));
		return true;
	}
	if (!v) {
		if (dflt)
			put(o, dflt, dlen);
		return dflt != NULL;
	}
	if (json_object_is_type(v, json_type_double) ||
	    (decimals >= 0 && json_object_is_type(v, json_type_int))) {
		double x = json_object_get_double(v);
		if (decimals < 0)
			snprintf(num, sizeof(num), "%g", x);
		else
			snprintf(num, sizeof(num), "%.*f", decimals > 9 ? 9 : decimals, x);
		put(o, num, strlen(num));
	} else {
		const char *s = json_object_get_string(v);
		put(o, s, strlen(s));
	}
	return true;
}

/* The end of the optional group starting at p (just past '['). */
static const char *group_end(const char *p)
{
	const char *e = strchr(p, ']');
	return e ? e : p + strlen(p);
}

void ev_render(const char *tmpl, json_object *fields, const char *member, char *buf,
	       size_t size)
{
	struct out o = { buf, size, 0 };
	if (!size)
		return;
	buf[0] = '\0';
	for (const char *p = tmpl; *p;) {
		if (*p == '{') {
			p++;
			put_field(&o, &p, fields, member);
		} else if (*p == '[') {
			/* Render the group aside; keep it only if every field was there. */
			const char *e = group_end(p + 1);
			char grp[EV_TEXT_MAX], inner[EV_TEXT_MAX];
			size_t n = (size_t)(e - (p + 1));
			if (n >= sizeof(inner))
				n = sizeof(inner) - 1;
			memcpy(inner, p + 1, n);
			inner[n] = '\0';
			struct out g = { grp, sizeof(grp), 0 };
			bool ok = true;
			grp[0] = '\0';
			for (const char *q = inner; *q;) {
				if (*q == '{') {
					q++;
					ok = put_field(&g, &q, fields, member) && ok;
				} else {
					size_t k = strcspn(q, "{");
					put(&g, q, k);
					q += k;
				}
			}
			if (ok)
				put(&o, grp, g.len);
			p = *e ? e + 1 : e;
		} else {
			size_t k = strcspn(p, "{[");
			put(&o, p, k);
			p += k;
		}
	}
}
