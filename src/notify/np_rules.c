/* np_rules: event → incident keys and roles (np_int.h). One table row per
 * event name; rows whose shape depends on the record's fields have a small
 * function. */
#include "notify/np_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/jsonutil.h"

static json_object *fields_of(json_object *rec)
{
	json_object *f = NULL;
	json_object_object_get_ex(rec, "fields", &f);
	return f;
}

static int set(struct np_target *t, enum np_kind k, enum np_role r, const char *member,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int set(struct np_target *t, enum np_kind k, enum np_role r, const char *member,
	       const char *fmt, ...)
{
	va_list ap;
	t->kind = k;
	t->role = r;
	snprintf(t->member, sizeof(t->member), "%s", member ? member : "");
	va_start(ap, fmt);
	vsnprintf(t->key, sizeof(t->key), fmt, ap);
	va_end(ap);
	return 1;
}

static bool is(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static int state(json_object *rec, const char *m, bool all_down, struct np_target *t)
{
	const char *st = json_get_str(fields_of(rec), "state", "");
	if (!m)
		return 0;
	if (is(st, "down") || is(st, "degraded"))
		return set(t, NPK_HEALTH, NPR_PROBLEM, m, "%s:health", m);
	if (!is(st, "up"))
		return set(t, NPK_HEALTH, NPR_DETAIL, m, "%s:health", m);
	int n = set(t, NPK_HEALTH, NPR_RESOLVE, m, "%s:health", m);
	if (all_down)
		n += set(t + 1, NPK_ALLDOWN, NPR_RESOLVE, m, "all:down");
	return n;
}

/* A decision: every member down is its own incident; a move away from a
 * member belongs to that member's incident (the policy keeps it only while
 * one is open); anything else is a one-off. */
static int decision(json_object *rec, const char *m, struct np_target *t)
{
	json_object *f = fields_of(rec);
	const char *cause = json_get_str(f, "cause", ""), *from = json_get_str(f, "from", NULL);
	if (is(cause, "all_down"))
		return set(t, NPK_ALLDOWN, NPR_PROBLEM, m, "all:down");
	if (from && (is(cause, "down") || is(cause, "predicted") || is(cause, "excluded")))
		return set(t, NPK_HEALTH, NPR_DETAIL, from, "%s:health", from);
	return set(t, NPK_ONEOFF, NPR_PROBLEM, m, "decision:%s", m ? m : "");
}

static int telemetry(json_object *rec, const char *m, struct np_target *t)
{
	json_object *f = fields_of(rec);
	const char *flag = json_get_str(f, "flag", NULL), *src = json_get_str(f, "source", NULL);
	if (flag)
		return set(t, NPK_FLAG, json_get_bool(f, "set", 0) ? NPR_PROBLEM : NPR_RESOLVE, m,
			   "%s:flag:%s", m ? m : "", flag);
	if (src)
		return set(t, NPK_SOURCE, json_get_str(f, "error", NULL) ? NPR_PROBLEM : NPR_RESOLVE,
			   m, "%s:source:%s", m ? m : "", src);
	return set(t, NPK_ONEOFF, NPR_PROBLEM, m, "telemetry:%s", m ? m : "");
}

/* Thresholds: the rate of failovers or a resource; the "ok" records are info. */
static int threshold(json_object *rec, struct np_target *t)
{
	json_object *f = fields_of(rec);
	enum np_role r = is(json_get_str(rec, "severity", ""), "info") ? NPR_RESOLVE : NPR_PROBLEM;
	const char *opt = json_get_str(f, "option", "");
	if (strncmp(opt, "failover_", 9) == 0)
		return set(t, NPK_RATE, r, NULL, "failover_rate");
	return set(t, NPK_RESOURCE, r, NULL, "resource:%s", json_get_str(f, "what", "?"));
}

/* The shaper: its error opens an incident (one shaper, whichever member it
 * is on), any other state it reaches closes it; a repair is a note. */
static int qos(json_object *rec, const char *m, struct np_target *t)
{
	const char *st = json_get_str(fields_of(rec), "state", NULL);
	if (!st)
		return set(t, NPK_ONEOFF, NPR_PROBLEM, m, "qos:repaired");
	return set(t, NPK_SOURCE, is(st, "error") ? NPR_PROBLEM : NPR_RESOLVE, NULL, "qos");
}

int np_classify(json_object *rec, bool all_down_open, struct np_target out[2])
{
	const char *ev = json_get_str(rec, "event", ""), *m = json_get_str(rec, "member", NULL);
	const char *sev = json_get_str(rec, "severity", "");
	memset(out, 0, 2 * sizeof(*out));
	if (is(ev, "delivery"))                 /* ours: never an alert about alerts */
		return 0;
	if (is(ev, "state"))
		return state(rec, m, all_down_open, out);
	if (is(ev, "link"))
		return m ? set(out, NPK_HEALTH, NPR_DETAIL, m, "%s:health", m) : 0;
	if (is(ev, "switch") || is(ev, "restore") || is(ev, "hold") || is(ev, "manual"))
		return decision(rec, m, out);
	if (is(ev, "telemetry"))
		return telemetry(rec, m, out);
	if (is(ev, "threshold"))
		return threshold(rec, out);
	if (is(ev, "qos"))
		return qos(rec, m, out);
	if (is(ev, "reload"))
		return set(out, NPK_CONFIG, is(sev, "info") ? NPR_RESOLVE : NPR_PROBLEM, NULL,
			   "config");
	/* route, netifd, test, starlink, alert (data usage), store, daemon */
	return set(out, NPK_ONEOFF, NPR_PROBLEM, m, "%s:%s", ev, m ? m : "");
}
