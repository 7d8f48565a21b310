/* hist_decisions: `decisions` from the store, and `decisions --analysis` —
 * failover patterns: counts by cause, by hour of day and by day, member
 * pairs, mean time between failures and to recover, flaps prevented, and
 * how the predictions did. */
#include "history/hist.h"
#include "history/hist_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "core/jsonutil.h"
#include "engine/decide.h"
#include "store/store.h"

/* A prediction is a hit when the member it left went down within this. */
#define PREDICT_WINDOW_S 900

static const char *col_s(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? (const char *)t : NULL;
}

static void add_s(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, v && v[0] ? json_object_new_string(v) : NULL);
}

static json_object *decision_json(sqlite3_stmt *st)
{
	json_object *o = json_object_new_object();
	const char *scores = col_s(st, 6);
	hist_add_time(o, "time", sqlite3_column_int64(st, 0) / 1000);
	add_s(o, "type", col_s(st, 1));
	add_s(o, "cause", col_s(st, 2));
	add_s(o, "from", col_s(st, 3));
	add_s(o, "to", col_s(st, 4));
	add_s(o, "reason", col_s(st, 5));
	json_object *sc = scores ? json_tokener_parse(scores) : NULL;
	if (!json_object_is_type(sc, json_type_object)) {
		json_object_put(sc);
		sc = json_object_new_object();
	}
	json_object_object_add(o, "scores", sc);
	return o;
}

json_object *hist_decisions(const struct hist_q *q, int limit)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(store_db(q->s), "SELECT ts, type, cause, from_m, to_m, reason, scores "
			       "FROM decisions WHERE ts >= ?1 AND ts < ?2 ORDER BY id DESC LIMIT ?3",
			       -1, &st, NULL) != SQLITE_OK)
		return NULL;
	hist_bind_range_ms(st, q);
	sqlite3_bind_int64(st, 3, limit > 0 ? limit : -1);
	json_object *a = json_object_new_array();
	while (sqlite3_step(st) == SQLITE_ROW)
		json_object_array_add(a, decision_json(st));
	sqlite3_finalize(st);
	return a;
}

struct counts {
	int64_t decisions, failovers, restores, holds, quality_holds, manual, tests, all_down;
	int64_t cause[DECIDE_CAUSE_N];
	int64_t hour[24];
};

static bool is_failover(const char *type, const char *cause, const char *from)
{
	return type && strcmp(type, "switch") == 0 && from && cause && strcmp(cause, "initial") &&
	       strcmp(cause, "manual");
}

static void count_row(const struct hist_q *q, sqlite3_stmt *st, struct counts *c,
		      json_object *pairs, json_object *days)
{
	const char *type = col_s(st, 1), *cause = col_s(st, 2), *from = col_s(st, 3),
		   *to = col_s(st, 4);
	int64_t t = sqlite3_column_int64(st, 0) / 1000;
	int ci = decide_cause_parse(cause);
	char key[80], day[16];
	c->decisions++;
	if (!type)
		return;
	c->holds += strcmp(type, "hold") == 0;
	c->quality_holds += strcmp(type, "hold") == 0 && ci == DECIDE_CAUSE_QUALITY;
	c->manual += strcmp(type, "manual") == 0;
	c->tests += strcmp(type, "test") == 0;
	c->all_down += ci == DECIDE_CAUSE_ALL_DOWN;
	bool fo = is_failover(type, cause, from), rs = strcmp(type, "restore") == 0;
	if (!fo && !rs)
		return;
	c->failovers += fo;
	c->restores += rs;
	if (ci >= 0)
		c->cause[ci]++;
	if (fo)
		c->hour[hist_local_hour(q, t)]++;
	snprintf(key, sizeof(key), "%s>%s", from ? from : "", to ? to : "");
	json_object *n;
	json_object_object_add(pairs, key, json_object_new_int64(
		(json_object_object_get_ex(pairs, key, &n) ? json_object_get_int64(n) : 0) + 1));
	int64_t d = hist_local_day(q, t);
	snprintf(day, sizeof(day), "%lld", (long long)d);
	json_object *dv;
	if (!json_object_object_get_ex(days, day, &dv)) {
		dv = json_object_new_array();
		json_object_array_add(dv, json_object_new_int64(0));
		json_object_array_add(dv, json_object_new_int64(0));
		json_object_object_add(days, day, dv);
	}
	json_object *slot = json_object_array_get_idx(dv, rs ? 1 : 0);
	json_object_set_int64(slot, json_object_get_int64(slot) + 1);
}

static int cmp_pairs(const void *a, const void *b)
{
	json_object *x = *(json_object *const *)a, *y = *(json_object *const *)b;
	int64_t cx = json_get_num(x, "count", 0), cy = json_get_num(y, "count", 0);
	return cx < cy ? 1 : cx > cy ? -1 : strcmp(json_get_str(x, "from", ""),
						   json_get_str(y, "from", ""));
}

static json_object *pairs_array(json_object *pairs)
{
	json_object *a = json_object_new_array();
	json_object_object_foreach(pairs, key, val) {
		json_object *p = json_object_new_object();
		const char *gt = strchr(key, '>');
		char from[HIST_NAME_MAX + 1];
		snprintf(from, sizeof(from), "%.*s", (int)(gt - key), key);
		add_s(p, "from", from);
		add_s(p, "to", gt + 1);
		json_object_object_add(p, "count", json_object_get(val));
		json_object_array_add(a, p);
	}
	json_object_array_sort(a, cmp_pairs);
	return a;
}

static json_object *days_array(const struct hist_q *q, json_object *days)
{
	json_object *a = json_object_new_array();
	int64_t d0 = hist_local_day(q, q->from), d1 = hist_local_day(q, q->to - 1);
	for (int64_t d = d0; d <= d1; d++) {
		char key[16], date[16];
		json_object *dv = NULL, *o = json_object_new_object();
		snprintf(key, sizeof(key), "%lld", (long long)d);
		json_object_object_get_ex(days, key, &dv);
		time_t t = (time_t)(d * 86400);
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(date, sizeof(date), "%Y-%m-%d", &tm);
		json_object_object_add(o, "date", json_object_new_string(date));
		json_object_object_add(o, "failovers", json_object_new_int64(
			dv ? json_object_get_int64(json_object_array_get_idx(dv, 0)) : 0));
		json_object_object_add(o, "restores", json_object_new_int64(
			dv ? json_object_get_int64(json_object_array_get_idx(dv, 1)) : 0));
		json_object_array_add(a, o);
	}
	return a;
}

/* Per member: outages, downtime, MTBF (time up between failures), MTTR. */
json_object *hist_outage_stats(const struct hist_member *v, int n)
{
	json_object *a = json_object_new_array();
	for (int i = 0; i < n; i++) {
		const struct hist_member *m = &v[i];
		json_object *o = json_object_new_object();
		double down = (double)m->outage_ms / 1e3;
		add_s(o, "name", m->name);
		json_object_object_add(o, "outages", json_object_new_int64(m->outages));
		json_object_object_add(o, "downtime_s", json_num(down, 1));
		hist_add_num(o, "mtbf_s", m->outages ? ((double)m->measured_s - down) / m->outages : NAN,
			     0);
		hist_add_num(o, "mttr_s", m->outages ? down / m->outages : NAN, 1);
		hist_add_num(o, "availability_pct", hist_availability(m), 3);
		json_object_array_add(a, o);
	}
	return a;
}

struct spell {
	char member[HIST_NAME_MAX];
	int64_t start;
	bool active;
};

static int load_outages(const struct hist_q *q, struct spell **out, int64_t extra_s)
{
	sqlite3_stmt *st;
	int n = 0, cap = 0;
	*out = NULL;
	if (sqlite3_prepare_v2(store_db(q->s), "SELECT m.name, o.start, o.active FROM outages o "
			       "JOIN members m USING(mid) WHERE o.start >= ?1 AND o.start < ?2 "
			       "ORDER BY o.start", -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_int64(st, 1, (q->from - PREDICT_WINDOW_S) * 1000);
	sqlite3_bind_int64(st, 2, (q->to + extra_s) * 1000);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			struct spell *p = realloc(*out, (size_t)cap * sizeof(**out));
			if (!p)
				break;
			*out = p;
		}
		snprintf((*out)[n].member, HIST_NAME_MAX, "%s", col_s(st, 0));
		(*out)[n].start = sqlite3_column_int64(st, 1) / 1000;
		(*out)[n].active = sqlite3_column_int(st, 2);
		n++;
	}
	sqlite3_finalize(st);
	return n;
}

static bool predictive_class(const struct hist_member *v, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return strcmp(v[i].cls, "starlink") == 0;
	return false;
}

/* Predicted departures against the outages that followed (or did not), and
 * outages of an active dish that came without a prediction. */
static json_object *predictive_json(const struct hist_q *q, const struct hist_member *v, int n)
{
	struct spell *sp;
	int ns = load_outages(q, &sp, PREDICT_WINDOW_S);
	sqlite3_stmt *st;
	int64_t predicted = 0, hits = 0, lead_sum = 0, unpredicted = 0;
	struct { char m[HIST_NAME_MAX]; int64_t t; } pr[512];
	int npr = 0;
	if (sqlite3_prepare_v2(store_db(q->s), "SELECT ts, from_m FROM decisions WHERE ts >= ?1 AND "
			       "ts < ?2 AND type = 'switch' AND cause = 'predicted' ORDER BY ts",
			       -1, &st, NULL) == SQLITE_OK) {
		hist_bind_range_ms(st, q);
		while (sqlite3_step(st) == SQLITE_ROW && col_s(st, 1)) {
			int64_t t = sqlite3_column_int64(st, 0) / 1000;
			const char *from = col_s(st, 1);
			predicted++;
			if (npr < (int)(sizeof(pr) / sizeof(pr[0]))) {
				snprintf(pr[npr].m, sizeof(pr[npr].m), "%s", from);
				pr[npr++].t = t;
			}
			for (int i = 0; i < ns; i++)
				if (!strcmp(sp[i].member, from) && sp[i].start >= t - 5 &&
				    sp[i].start <= t + PREDICT_WINDOW_S) {
					hits++;
					lead_sum += sp[i].start - t;
					break;
				}
		}
		sqlite3_finalize(st);
	}
	for (int i = 0; i < ns; i++) {
		bool warned = false;
		if (!sp[i].active || sp[i].start < q->from || sp[i].start >= q->to ||
		    !predictive_class(v, n, sp[i].member))
			continue;
		for (int k = 0; k < npr && !warned; k++)
			warned = !strcmp(pr[k].m, sp[i].member) && pr[k].t <= sp[i].start + 5 &&
				 pr[k].t >= sp[i].start - PREDICT_WINDOW_S;
		unpredicted += !warned;
	}
	free(sp);
	json_object *o = json_object_new_object();
	json_object_object_add(o, "predicted_switches", json_object_new_int64(predicted));
	json_object_object_add(o, "hits", json_object_new_int64(hits));
	json_object_object_add(o, "false_alarms", json_object_new_int64(predicted - hits));
	hist_add_num(o, "mean_lead_s", hits ? (double)lead_sum / hits : NAN, 1);
	json_object_object_add(o, "unpredicted_outages", json_object_new_int64(unpredicted));
	json_object_object_add(o, "window_s", json_object_new_int(PREDICT_WINDOW_S));
	return o;
}

static json_object *cause_json(const struct counts *c)
{
	json_object *o = json_object_new_object();
	for (int i = 0; i < DECIDE_CAUSE_N; i++)
		if (c->cause[i])
			json_object_object_add(o, decide_cause_name((enum decide_cause)i),
					       json_object_new_int64(c->cause[i]));
	return o;
}

json_object *hist_analysis(const struct hist_q *q, bool security)
{
	static struct hist_member v[HIST_MAX_MEMBERS];
	struct counts c = { 0 };
	sqlite3_stmt *st;
	int n = hist_members(q, v, HIST_MAX_MEMBERS);
	if (n < 0 || sqlite3_prepare_v2(store_db(q->s), "SELECT ts, type, cause, from_m, to_m "
					"FROM decisions WHERE ts >= ?1 AND ts < ?2 ORDER BY id", -1,
					&st, NULL) != SQLITE_OK)
		return NULL;
	hist_bind_range_ms(st, q);
	json_object *pairs = json_object_new_object(), *days = json_object_new_object();
	while (sqlite3_step(st) == SQLITE_ROW)
		count_row(q, st, &c, pairs, days);
	sqlite3_finalize(st);
	json_object *o = json_object_new_object(), *hours = json_object_new_array();
	json_object_object_add(o, "period", hist_period_json(q));
	json_object_object_add(o, "decisions", json_object_new_int64(c.decisions));
	json_object_object_add(o, "failovers", json_object_new_int64(c.failovers));
	json_object_object_add(o, "restores", json_object_new_int64(c.restores));
	json_object_object_add(o, "manual", json_object_new_int64(c.manual));
	json_object_object_add(o, "tests", json_object_new_int64(c.tests));
	json_object_object_add(o, "by_cause", cause_json(&c));
	for (int h = 0; h < 24; h++)
		json_object_array_add(hours, json_object_new_int64(c.hour[h]));
	json_object_object_add(o, "failovers_by_hour", hours);
	json_object_object_add(o, "by_day", days_array(q, days));
	json_object_object_add(o, "pairs", pairs_array(pairs));
	json_object_object_add(o, "members", hist_outage_stats(v, n));
	/* A hold on quality grounds is a switch a naive policy would have made:
	 * the active member degraded and nothing was better by the margin for
	 * the sustain time. */
	json_object *fp = json_object_new_object();
	json_object_object_add(fp, "count", json_object_new_int64(c.quality_holds));
	json_object_object_add(fp, "holds", json_object_new_int64(c.holds));
	json_object_object_add(fp, "all_down", json_object_new_int64(c.all_down));
	json_object_object_add(o, "flaps_prevented", fp);
	json_object_object_add(o, "predictive", predictive_json(q, v, n));
	if (security)
		json_object_object_add(o, "security", hist_security(q, v, n));
	json_object_put(pairs);
	json_object_put(days);
	return o;
}
