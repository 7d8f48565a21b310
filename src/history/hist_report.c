/* hist_report: `report --period weekly|monthly --format json|html` — one
 * document with everything the other commands show for the period, plus
 * the series the report's charts draw: state and latency per member over
 * time, failovers and data per day, usage against caps. hist_html.c draws
 * the HTML page from exactly this JSON. */
#include "history/hist.h"
#include "history/hist_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "core/clock.h"
#include "core/jsonutil.h"
#include "store/store.h"

#define SERIES_POINTS 200

static int64_t bucket_for(int64_t span)
{
	static const int64_t steps[] = { 300, 600, 1800, 3600, 7200, 14400, 21600, 43200, 86400 };
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (steps[i] * SERIES_POINTS >= span)
			return steps[i];
	return 86400;
}

struct series {
	json_object *up, *degraded, *down, *active, *latency, *loss;
};

static json_object *nulls(int64_t n)
{
	json_object *a = json_object_new_array_ext((int)n);
	for (int64_t i = 0; i < n; i++)
		json_object_array_add(a, NULL);
	return a;
}

static void put_at(json_object *a, int64_t i, json_object *v)
{
	if (i >= 0 && i < (int64_t)json_object_array_length(a))
		json_object_array_put_idx(a, (size_t)i, v);
	else
		json_object_put(v);
}

/* Per member and bucket: seconds up, degraded, down and active, the median
 * latency and the loss. */
/* service: seconds the active member was down, seconds with a member
 * active (the summary's figures, from the same pass). */
static json_object *series_json(const struct hist_q *q, int64_t service[2])
{
	struct hist_names names;
	struct series sr[HIST_MAX_MEMBERS] = { { 0 } };
	sqlite3_stmt *st;
	int64_t bucket = bucket_for(q->to - q->from), nb = (q->to - q->from + bucket - 1) / bucket;
	json_object *o = json_object_new_object(), *ms = json_object_new_object();
	hist_names_load(q, &names);
	json_object_object_add(o, "bucket_s", json_object_new_int64(bucket));
	hist_add_time(o, "start", q->from);
	json_object_object_add(o, "points", json_object_new_int64(nb));
	if (sqlite3_prepare_v2(store_db(q->s), "WITH r AS (" HIST_ROWS_SQL ") SELECT (ts - ?5) / ?6,"
			       " mid, sum(up), sum(degraded), sum(down), sum(active),"
			       " sum(p50 * (sent - lost)) * 1.0 /"
			       "  nullif(sum(CASE WHEN p50 IS NOT NULL THEN sent - lost END), 0),"
			       " sum(lost) * 100.0 / nullif(sum(sent), 0), sum(min(active, down))"
			       " FROM r GROUP BY 1, 2",
			       -1, &st, NULL) == SQLITE_OK) {
		hist_bind_rows(st, q);
		sqlite3_bind_int64(st, 5, q->from);
		sqlite3_bind_int64(st, 6, bucket);
		while (sqlite3_step(st) == SQLITE_ROW) {
			int64_t b = sqlite3_column_int64(st, 0);
			int mid = sqlite3_column_int(st, 1);
			service[0] += sqlite3_column_int64(st, 8);
			service[1] += sqlite3_column_int64(st, 5);
			if (mid <= 0 || mid >= HIST_MAX_MEMBERS || !names.name[mid][0])
				continue;
			struct series *s = &sr[mid];
			if (!s->up) {
				s->up = nulls(nb);
				s->degraded = nulls(nb);
				s->down = nulls(nb);
				s->active = nulls(nb);
				s->latency = nulls(nb);
				s->loss = nulls(nb);
			}
			put_at(s->up, b, json_object_new_int64(sqlite3_column_int64(st, 2)));
			put_at(s->degraded, b, json_object_new_int64(sqlite3_column_int64(st, 3)));
			put_at(s->down, b, json_object_new_int64(sqlite3_column_int64(st, 4)));
			put_at(s->active, b, json_object_new_int64(sqlite3_column_int64(st, 5)));
			if (sqlite3_column_type(st, 6) != SQLITE_NULL)
				put_at(s->latency, b, json_num(sqlite3_column_double(st, 6) / 10, 1));
			if (sqlite3_column_type(st, 7) != SQLITE_NULL)
				put_at(s->loss, b, json_num(sqlite3_column_double(st, 7), 2));
		}
		sqlite3_finalize(st);
	}
	for (int mid = 1; mid < HIST_MAX_MEMBERS; mid++) {
		struct series *s = &sr[mid];
		if (!s->up)
			continue;
		json_object *m = json_object_new_object();
		json_object_object_add(m, "up_s", s->up);
		json_object_object_add(m, "degraded_s", s->degraded);
		json_object_object_add(m, "down_s", s->down);
		json_object_object_add(m, "active_s", s->active);
		json_object_object_add(m, "latency_ms", s->latency);
		json_object_object_add(m, "loss_pct", s->loss);
		json_object_object_add(ms, names.name[mid], m);
	}
	json_object_object_add(o, "members", ms);
	return o;
}

/* Bytes per member and local day, added to the analysis's by_day rows. */
static void add_daily_bytes(const struct hist_q *q, json_object *days)
{
	struct hist_names names;
	sqlite3_stmt *st;
	int64_t d0 = hist_local_day(q, q->from);
	hist_names_load(q, &names);
	if (!days || sqlite3_prepare_v2(store_db(q->s), "WITH r AS (" HIST_ROWS_SQL ") SELECT "
					"(ts + ?5) / 86400, mid, sum(rx) + sum(tx) FROM r GROUP BY 1, 2",
					-1, &st, NULL) != SQLITE_OK)
		return;
	hist_bind_rows(st, q);
	sqlite3_bind_int64(st, 5, q->tz_off_s);
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t i = sqlite3_column_int64(st, 0) - d0;
		int mid = sqlite3_column_int(st, 1);
		json_object *day = i >= 0 && i < (int64_t)json_object_array_length(days) ?
				   json_object_array_get_idx(days, (size_t)i) : NULL, *b;
		if (!day || mid <= 0 || mid >= HIST_MAX_MEMBERS || !names.name[mid][0] ||
		    sqlite3_column_type(st, 2) == SQLITE_NULL)
			continue;
		if (!json_object_object_get_ex(day, "bytes", &b)) {
			b = json_object_new_object();
			json_object_object_add(day, "bytes", b);
		}
		json_object_object_add(b, names.name[mid],
				       json_object_new_int64(sqlite3_column_int64(st, 2)));
	}
	sqlite3_finalize(st);
}

/* The latest usage row of each member with a cap. */
static json_object *usage_json(const struct hist_q *q)
{
	sqlite3_stmt *st;
	json_object *a = json_object_new_array();
	if (sqlite3_prepare_v2(store_db(q->s), "SELECT m.name, u.cycle_start, u.used, u.cap, "
			       "(u.k >> 6) * 3600 FROM usage u JOIN members m ON m.mid = (u.k & 63) "
			       "WHERE u.k = (SELECT max(k) FROM usage WHERE k & 63 = u.k & 63 AND "
			       "k < ?1) ORDER BY m.priority, m.name", -1, &st, NULL) != SQLITE_OK)
		return a;
	sqlite3_bind_int64(st, 1, ((q->to + 3599) / 3600) << 6);
	while (sqlite3_step(st) == SQLITE_ROW) {
		json_object *o = json_object_new_object();
		int64_t used = sqlite3_column_int64(st, 2), cap = sqlite3_column_int64(st, 3);
		json_object_object_add(o, "member", json_object_new_string(
			(const char *)sqlite3_column_text(st, 0)));
		hist_add_time(o, "cycle_start", sqlite3_column_int64(st, 1));
		hist_add_time(o, "as_of", sqlite3_column_int64(st, 4));
		json_object_object_add(o, "used_bytes", json_object_new_int64(used));
		json_object_object_add(o, "cap_bytes", cap > 0 ? json_object_new_int64(cap) : NULL);
		hist_add_num(o, "used_pct", cap > 0 ? 100.0 * (double)used / (double)cap : NAN, 1);
		json_object_array_add(a, o);
	}
	sqlite3_finalize(st);
	return a;
}

/* How long traffic had nowhere good to go: the active member down. */
static json_object *summary_json(const int64_t service[2], json_object *members,
				 json_object *analysis, json_object *notes)
{
	json_object *o = json_object_new_object(), *v;
	int64_t outages = 0, service_down = service[0], measured = service[1];
	size_t n = json_object_array_length(members);
	for (size_t i = 0; i < n; i++) {
		json_object *m = json_object_array_get_idx(members, i);
		outages += (int64_t)json_get_num(m, "outages", 0);
	}
	json_object_object_add(o, "members", json_object_new_int((int)n));
	json_object_object_add(o, "failovers", json_object_new_int64(
		(int64_t)json_get_num(analysis, "failovers", 0)));
	json_object_object_add(o, "restores", json_object_new_int64(
		(int64_t)json_get_num(analysis, "restores", 0)));
	json_object_object_add(o, "outages", json_object_new_int64(outages));
	json_object_object_add(o, "active_down_s", json_object_new_int64(service_down));
	hist_add_num(o, "service_availability_pct", measured > 0 ?
		     100.0 * (double)(measured - service_down) / (double)measured : NAN, 3);
	json_object_object_add(o, "notifications", json_object_new_int64(
		json_object_object_get_ex(notes, "count", &v) ? json_object_get_int64(v) : 0));
	return o;
}

json_object *hist_report(const struct hist_q *query)
{
	char host[64] = "", now[32];
	/* metrics, analysis and analytics all start from the members' figures. */
	static struct hist_members_cache cache;
	struct hist_q qc = *query, *q = &qc;
	cache.n = -1;
	qc.cache = &cache;
	json_object *metrics = hist_metrics(q, false, true);
	json_object *analysis = hist_analysis(q, false);
	json_object *analytics = hist_analytics(q);
	json_object *notes = hist_notifications(q, 20);
	if (!metrics || !analysis || !analytics || !notes) {
		json_object_put(metrics);
		json_object_put(analysis);
		json_object_put(analytics);
		json_object_put(notes);
		return NULL;
	}
	gethostname(host, sizeof(host) - 1);
	json_object *o = json_object_new_object(), *r = json_object_new_object(), *v;
	json_object_object_add(r, "title", json_object_new_string("autonomy report"));
	json_object_object_add(r, "host", json_object_new_string(host));
	json_object_object_add(r, "generated", json_object_new_string(
		clock_iso8601(clock_wall_ms() / 1000, now, sizeof(now))));
	json_object_object_add(r, "period", hist_period_json(q));
	json_object_object_add(o, "report", r);
	json_object *members = NULL;
	int64_t service[2] = { 0, 0 };
	json_object *series = series_json(q, service);
	json_object_object_get_ex(metrics, "members", &members);
	json_object_object_add(o, "summary", summary_json(service, members, analysis, notes));
	json_object_object_add(o, "members", json_object_get(members));
	if (json_object_object_get_ex(metrics, "performance", &v))
		json_object_object_add(o, "performance", json_object_get(v));
	if (json_object_object_get_ex(analysis, "by_day", &v))
		add_daily_bytes(q, v);
	json_object_object_del(analysis, "period");
	json_object_object_del(analytics, "period");
	json_object_object_del(notes, "period");
	json_object_object_add(o, "analysis", analysis);
	json_object_object_add(o, "analytics", analytics);
	json_object_object_add(o, "series", series);
	json_object_object_add(o, "usage", usage_json(q));
	json_object_object_add(o, "notifications", notes);
	json_object_put(metrics);
	return o;
}
