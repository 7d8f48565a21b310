/* hist_recur: patterns in time — outages that recur at the same time of day
 * (at the same place), and a member's latency by hour of day. */
#include "history/hist.h"
#include "history/hist_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store/store.h"

#define MAX_SPELLS 20000
#define WINDOW_H 2              /* a recurring time is a two-hour window */
#define MAX_PATTERNS 3          /* per member and place */

struct spell {
	char member[HIST_NAME_MAX], place[32];
	int64_t day;
	int hour;
	double dur_s;
	bool used;
};

static int load(const struct hist_q *q, struct spell **out)
{
	sqlite3_stmt *st;
	int n = 0;
	*out = calloc(MAX_SPELLS, sizeof(**out));
	if (!*out || sqlite3_prepare_v2(store_db(q->s), "SELECT m.name, ifnull(o.place,''), o.start, "
					"o.dur_ms FROM outages o JOIN members m USING(mid) WHERE "
					"o.start >= ?1 AND o.start < ?2 ORDER BY m.name, o.place, o.start",
					-1, &st, NULL) != SQLITE_OK)
		return 0;
	hist_bind_range_ms(st, q);
	while (n < MAX_SPELLS && sqlite3_step(st) == SQLITE_ROW) {
		struct spell *s = &(*out)[n++];
		int64_t t = sqlite3_column_int64(st, 2) / 1000;
		snprintf(s->member, sizeof(s->member), "%s", sqlite3_column_text(st, 0));
		snprintf(s->place, sizeof(s->place), "%s", sqlite3_column_text(st, 1));
		s->day = hist_local_day(q, t);
		s->hour = hist_local_hour(q, t);
		s->dur_s = (double)sqlite3_column_int64(st, 3) / 1e3;
	}
	sqlite3_finalize(st);
	return n;
}

static bool in_window(int hour, int h0)
{
	int d = (hour - h0 + 24) % 24;
	return d < WINDOW_H;
}

/* Distinct days with an outage of group [a, b) in the window from h0; 0
 * when no outage starts in h0 itself (the window starts where they do). */
static int days_in(const struct spell *v, int a, int b, int h0, double *dur, int *count)
{
	bool starts = false;
	*dur = 0;
	*count = 0;
	for (int i = a; i < b && !starts; i++)
		starts = !v[i].used && v[i].hour == h0;
	if (!starts)
		return 0;
	/* In start order, so a new day is a change of day. */
	int ns = 0;
	int64_t last = INT64_MIN;
	for (int i = a; i < b; i++) {
		if (v[i].used || !in_window(v[i].hour, h0))
			continue;
		(*count)++;
		*dur += v[i].dur_s;
		if (v[i].day != last)
			ns++;
		last = v[i].day;
	}
	return ns;
}

static void pattern(json_object *a, struct spell *v, int lo, int hi, int need_days,
		    int64_t period_days)
{
	for (int p = 0; p < MAX_PATTERNS; p++) {
		int best_h = -1, best_days = 0, count = 0;
		double dur = 0;
		for (int h = 0; h < 24; h++) {
			double d;
			int c, days = days_in(v, lo, hi, h, &d, &c);
			if (days > best_days) {
				best_days = days;
				best_h = h;
			}
		}
		if (best_h < 0 || best_days < need_days)
			return;
		days_in(v, lo, hi, best_h, &dur, &count);
		for (int i = lo; i < hi; i++)
			if (in_window(v[i].hour, best_h))
				v[i].used = true;
		char text[300];
		snprintf(text, sizeof(text), "%s: %d outages between %02d:00 and %02d:00 on %d of %lld "
			 "days%s%s (%.0f s on average)", v[lo].member, count, best_h,
			 (best_h + WINDOW_H) % 24, best_days, (long long)period_days,
			 v[lo].place[0] ? " at place " : "", v[lo].place, dur / count);
		json_object *o = json_object_new_object();
		json_object_object_add(o, "member", json_object_new_string(v[lo].member));
		json_object_object_add(o, "place", v[lo].place[0] ?
				       json_object_new_string(v[lo].place) : NULL);
		json_object_object_add(o, "from_hour", json_object_new_int(best_h));
		json_object_object_add(o, "to_hour", json_object_new_int((best_h + WINDOW_H) % 24));
		json_object_object_add(o, "days", json_object_new_int(best_days));
		json_object_object_add(o, "outages", json_object_new_int(count));
		hist_add_num(o, "mean_s", dur / count, 1);
		json_object_object_add(o, "text", json_object_new_string(text));
		json_object_array_add(a, o);
	}
}

/* Days of the period the store has samples for (a young store, a daemon
 * that was off). */
static int64_t covered_days(const struct hist_q *q)
{
	sqlite3_stmt *st;
	int64_t first = q->to;
	/* The oldest row of the period: a lookup on each table's key. */
	if (sqlite3_prepare_v2(store_db(q->s), "SELECT min(t) FROM ("
			       "SELECT min(k >> 6) * 60 AS t FROM samples WHERE k >= ?1 AND k < ?2 "
			       "UNION ALL SELECT min(k >> 6) * 3600 FROM samples_hourly WHERE "
			       "k >= ?3 AND k < ?4)", -1, &st, NULL) == SQLITE_OK) {
		hist_bind_rows(st, q);
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
			first = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	if (first < q->from)
		first = q->from;
	return (q->to - first + 86399) / 86400;
}

/* Outages at the same time of day on at least a fifth of the days with
 * measurements (and at least three), per member and place. */
json_object *hist_recurring(const struct hist_q *q)
{
	struct spell *v;
	int n = load(q, &v);
	json_object *a = json_object_new_array();
	int64_t period_days = covered_days(q);
	int need = (int)((period_days + 4) / 5);
	if (need < 3)
		need = 3;
	for (int lo = 0; lo < n;) {
		int hi = lo;
		while (hi < n && !strcmp(v[hi].member, v[lo].member) &&
		       !strcmp(v[hi].place, v[lo].place))
			hi++;
		pattern(a, v, lo, hi, need, period_days);
		lo = hi;
	}
	free(v);
	return a;
}

/* Every member's latency by local hour of day in one pass, indexed by the
 * member's id (the analytics' latency finding looks at each). */
int hist_latency_by_hour(const struct hist_q *q, double out[][24])
{
	sqlite3_stmt *st;
	int n = 0;
	for (int m = 0; m < HIST_MAX_MEMBERS; m++)
		for (int h = 0; h < 24; h++)
			out[m][h] = NAN;
	if (sqlite3_prepare_v2(store_db(q->s), "WITH r AS (" HIST_ROWS_SQL ") SELECT mid, "
			       "((ts + ?5) % 86400) / 3600, sum(p50 * (sent - lost)) * 1.0 / "
			       "nullif(sum(CASE WHEN p50 IS NOT NULL THEN sent - lost END), 0) "
			       "FROM r GROUP BY 1, 2", -1, &st, NULL) != SQLITE_OK)
		return 0;
	hist_bind_rows(st, q);
	sqlite3_bind_int64(st, 5, q->tz_off_s + 86400);
	while (sqlite3_step(st) == SQLITE_ROW) {
		int mid = sqlite3_column_int(st, 0), h = sqlite3_column_int(st, 1);
		if (mid > 0 && mid < HIST_MAX_MEMBERS && h >= 0 && h < 24 &&
		    sqlite3_column_type(st, 2) != SQLITE_NULL) {
			out[mid][h] = sqlite3_column_double(st, 2) / 10.0;
			n++;
		}
	}
	sqlite3_finalize(st);
	return n;
}
