/* hist_security: `decisions --analysis --security` — switches an outsider
 * could have caused or an operator did: manual actions and who asked,
 * failovers far above the baseline of the month before the period, a
 * member whose outages jumped the same way, and the security events
 * (refused sources banned, API keys expiring) of the period. */
#include "history/hist_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "events/ev.h"
#include "store/store.h"

#define BASELINE_S (30 * 86400)         /* the month before the period */
#define UNUSUAL_RATIO 3.0               /* a rate this many times the baseline... */
#define UNUSUAL_MIN 3                   /* ...and at least this many in the period */
#define MANUAL_LISTED 20

static const char *col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static int64_t count(const struct hist_q *q, const char *sql, int64_t from_s, int64_t to_s,
		     const char *member)
{
	sqlite3_stmt *st;
	int64_t n = -1;
	if (sqlite3_prepare_v2(store_db(q->s), sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, from_s * 1000);
	sqlite3_bind_int64(st, 2, to_s * 1000);
	if (member)
		sqlite3_bind_text(st, 3, member, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void finding(json_object *arr, const char *sev, const char *text)
{
	json_object *f = json_object_new_object();
	json_object_object_add(f, "severity", json_object_new_string(sev));
	json_object_object_add(f, "text", json_object_new_string(text));
	json_object_array_add(arr, f);
}

/* A rate per day over [from, to) against the one over the month before. */
static json_object *rate_json(const struct hist_q *q, const char *sql, const char *member,
			      bool *unusual)
{
	double days = (double)(q->to - q->from) / 86400.0;
	int64_t n = count(q, sql, q->from, q->to, member);
	int64_t b = count(q, sql, q->from - BASELINE_S, q->from, member);
	double rate = days > 0 ? (double)n / days : NAN;
	double base = b >= 0 ? (double)b / (BASELINE_S / 86400.0) : NAN;
	json_object *o = json_object_new_object();
	json_object_object_add(o, "count", json_object_new_int64(n));
	hist_add_num(o, "per_day", rate, 2);
	hist_add_num(o, "baseline_per_day", base, 2);
	/* No baseline (a new install) is not a reason to raise anything. */
	*unusual = b > 0 && n >= UNUSUAL_MIN && rate > UNUSUAL_RATIO * base;
	json_object_object_add(o, "unusual", json_object_new_boolean(*unusual));
	return o;
}

static json_object *manual_json(const struct hist_q *q, int64_t *n)
{
	sqlite3_stmt *st;
	json_object *a = json_object_new_array();
	*n = 0;
	if (sqlite3_prepare_v2(store_db(q->s), "SELECT ts, to_m, reason FROM decisions WHERE "
			       "ts >= ?1 AND ts < ?2 AND (type = 'manual' OR cause = 'manual') "
			       "ORDER BY ts DESC", -1, &st, NULL) != SQLITE_OK)
		return a;
	hist_bind_range_ms(st, q);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if ((*n)++ >= MANUAL_LISTED)
			continue;
		json_object *m = json_object_new_object();
		hist_add_time(m, "time", sqlite3_column_int64(st, 0) / 1000);
		json_object_object_add(m, "to", col(st, 1) ? json_object_new_string(col(st, 1)) :
				       NULL);
		json_object_object_add(m, "reason", json_object_new_string(col(st, 2) ? col(st, 2) :
									   ""));
		json_object_array_add(a, m);
	}
	sqlite3_finalize(st);
	return a;
}

static json_object *events_json(const struct hist_q *q, json_object *findings)
{
	sqlite3_stmt *st;
	json_object *o = json_object_new_object();
	if (sqlite3_prepare_v2(store_db(q->s), "SELECT type, count(*), max(text) FROM events "
			       "WHERE ts >= ?1 AND ts < ?2 AND kind = ?3 GROUP BY type ORDER BY type",
			       -1, &st, NULL) != SQLITE_OK)
		return o;
	hist_bind_range_ms(st, q);
	sqlite3_bind_int(st, 3, EV_K_SECURITY);
	while (sqlite3_step(st) == SQLITE_ROW) {
		char text[400];
		int64_t n = sqlite3_column_int64(st, 1);
		json_object_object_add(o, col(st, 0) ? col(st, 0) : "?", json_object_new_int64(n));
		snprintf(text, sizeof(text), "%lld %s event%s, e.g. %s", (long long)n,
			 col(st, 0) ? col(st, 0) : "?", n == 1 ? "" : "s", col(st, 2) ? col(st, 2) : "");
		finding(findings, "warning", text);
	}
	sqlite3_finalize(st);
	return o;
}

#define FAILOVER_SQL "SELECT count(*) FROM decisions WHERE ts >= ?1 AND ts < ?2 AND " \
	"type = 'switch' AND from_m IS NOT NULL AND cause NOT IN ('initial', 'manual')"
#define OUTAGE_SQL "SELECT count(*) FROM outages o JOIN members m USING(mid) WHERE " \
	"o.start >= ?1 AND o.start < ?2 AND m.name = ?3"

json_object *hist_security(const struct hist_q *q, const struct hist_member *v, int n)
{
	json_object *o = json_object_new_object(), *fs = json_object_new_array();
	json_object *members = json_object_new_array();
	char text[400];
	bool unusual;
	int64_t manual = 0;
	json_object_object_add(o, "available", json_object_new_boolean(1));
	json_object *fo = rate_json(q, FAILOVER_SQL, NULL, &unusual);
	if (unusual) {
		snprintf(text, sizeof(text), "%.2f failovers a day, %.1f times the month before "
			 "(%.2f): something outside may be making the uplinks fail",
			 json_object_get_double(json_object_object_get(fo, "per_day")),
			 json_object_get_double(json_object_object_get(fo, "per_day")) /
			 json_object_get_double(json_object_object_get(fo, "baseline_per_day")),
			 json_object_get_double(json_object_object_get(fo, "baseline_per_day")));
		finding(fs, "warning", text);
	}
	json_object_object_add(o, "failovers", fo);
	for (int i = 0; i < n; i++) {
		json_object *m = rate_json(q, OUTAGE_SQL, v[i].name, &unusual);
		json_object_object_add(m, "name", json_object_new_string(v[i].name));
		json_object_array_add(members, m);
		if (!unusual)
			continue;
		snprintf(text, sizeof(text), "%s: %lld outages, far above its month before "
			 "(%.2f a day): an uplink that fails only when someone probes or floods it "
			 "looks like this; compare with its own counters", v[i].name,
			 (long long)json_object_get_int64(json_object_object_get(m, "count")),
			 json_object_get_double(json_object_object_get(m, "baseline_per_day")));
		finding(fs, "warning", text);
	}
	json_object_object_add(o, "members", members);
	json_object *man = manual_json(q, &manual);
	json_object_object_add(o, "manual_count", json_object_new_int64(manual));
	json_object_object_add(o, "manual", man);
	if (manual) {
		snprintf(text, sizeof(text), "%lld manual action%s (failover --interface / --auto "
			 "through the control socket or ubus): check they were yours",
			 (long long)manual, manual == 1 ? "" : "s");
		finding(fs, "info", text);
	}
	json_object_object_add(o, "events", events_json(q, fs));
	json_object_object_add(o, "findings", fs);
	return o;
}

#define EVENTS_LISTED 50

json_object *hist_security_report(const struct hist_q *q)
{
	static struct hist_member v[HIST_MAX_MEMBERS];
	sqlite3_stmt *st;
	int n = hist_members(q, v, HIST_MAX_MEMBERS);
	if (n < 0 || sqlite3_prepare_v2(store_db(q->s), "SELECT ts, severity, type, text FROM events "
					"WHERE ts >= ?1 AND ts < ?2 AND kind = ?3 ORDER BY ts DESC "
					"LIMIT ?4", -1, &st, NULL) != SQLITE_OK)
		return NULL;
	hist_bind_range_ms(st, q);
	sqlite3_bind_int(st, 3, EV_K_SECURITY);
	sqlite3_bind_int(st, 4, EVENTS_LISTED);
	json_object *o = json_object_new_object(), *ev = json_object_new_array();
	while (sqlite3_step(st) == SQLITE_ROW) {
		json_object *e = json_object_new_object();
		hist_add_time(e, "time", sqlite3_column_int64(st, 0) / 1000);
		json_object_object_add(e, "severity", json_object_new_string(
			ev_severity_name((enum ev_severity)sqlite3_column_int(st, 1))));
		json_object_object_add(e, "event", json_object_new_string(col(st, 2) ? col(st, 2) : ""));
		json_object_object_add(e, "text", json_object_new_string(col(st, 3) ? col(st, 3) : ""));
		json_object_array_add(ev, e);
	}
	sqlite3_finalize(st);
	json_object_object_add(o, "period", hist_period_json(q));
	json_object_object_add(o, "analysis", hist_security(q, v, n));
	json_object_object_add(o, "events", ev);
	return o;
}
