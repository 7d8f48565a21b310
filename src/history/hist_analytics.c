/* hist_analytics: `analytics --period monthly` — the members ranked by
 * reliability, outages that recur at the same time of day, and suggestions,
 * each with the figures it rests on. A suggestion is made only when the
 * numbers carry it; a quiet month has few. */
#include "history/hist.h"
#include "history/hist_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "core/jsonutil.h"
#include "store/store.h"

static int cmp_rank(const void *a, const void *b)
{
	const struct hist_member *x = a, *y = b;
	double ax = hist_availability(x), ay = hist_availability(y);
	if (isnan(ax) != isnan(ay))
		return isnan(ax) ? 1 : -1;
	if (!isnan(ax) && fabs(ax - ay) > 1e-9)
		return ax < ay ? 1 : -1;
	double sx = isnan(x->score_avg) ? -1 : x->score_avg, sy = isnan(y->score_avg) ? -1 :
							     y->score_avg;
	if (sx != sy)
		return sx < sy ? 1 : -1;
	return x->priority - y->priority;
}

static json_object *ranking(const struct hist_member *v, int n)
{
	struct hist_member *r = malloc((size_t)(n ? n : 1) * sizeof(*r));
	json_object *a = json_object_new_array();
	if (!r)
		return a;
	memcpy(r, v, (size_t)n * sizeof(*r));
	qsort(r, (size_t)n, sizeof(*r), cmp_rank);
	for (int i = 0; i < n; i++) {
		json_object *o = json_object_new_object();
		double down = (double)r[i].outage_ms / 1e3;
		json_object_object_add(o, "rank", json_object_new_int(i + 1));
		json_object_object_add(o, "name", json_object_new_string(r[i].name));
		json_object_object_add(o, "class", json_object_new_string(r[i].cls));
		hist_add_num(o, "availability_pct", hist_availability(&r[i]), 3);
		json_object_object_add(o, "outages", json_object_new_int64(r[i].outages));
		hist_add_num(o, "mtbf_s", r[i].outages ?
			     ((double)r[i].measured_s - down) / r[i].outages : NAN, 0);
		hist_add_num(o, "mttr_s", r[i].outages ? down / r[i].outages : NAN, 1);
		hist_add_num(o, "score_mean", r[i].score_avg, 1);
		hist_add_num(o, "loss_pct", hist_loss_pct(&r[i]), 3);
		hist_add_num(o, "latency_ms", r[i].p50_ms, 1);
		json_object_array_add(a, o);
	}
	free(r);
	return a;
}

static void suggest(json_object *a, const char *member, const char *kind, json_object *fig,
		    const char *text)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "member", member ? json_object_new_string(member) : NULL);
	json_object_object_add(o, "kind", json_object_new_string(kind));
	json_object_object_add(o, "text", json_object_new_string(text));
	json_object_object_add(o, "figures", fig);
	json_object_array_add(a, o);
}

static int top_priority(const struct hist_member *v, int n)
{
	int p = 1 << 30;
	for (int i = 0; i < n; i++)
		if (v[i].measured_s > 0 && v[i].priority < p)
			p = v[i].priority;
	return p;
}

/* A backup that carried traffic: how often, how long, and its cap. */
static void backup_use(json_object *a, const struct hist_member *m)
{
	char text[400], cap[200] = "";
	int64_t times = m->failovers_to + m->restores_to;
	double mean_min = (double)m->active_s / 60.0 / (double)times;
	json_object *f = json_object_new_object();
	json_object_object_add(f, "times", json_object_new_int64(times));
	json_object_object_add(f, "active_s", json_object_new_int64(m->active_s));
	hist_add_num(f, "mean_active_min", mean_min, 1);
	if (m->cap_mb > 0 && m->usage_max_pct >= 0) {
		snprintf(cap, sizeof(cap), m->usage_max_pct < 50 ?
			 "; its data cap was never near (at most %lld %% of %lld MB)" :
			 "; it reached %lld %% of its %lld MB data cap",
			 (long long)m->usage_max_pct, (long long)m->cap_mb);
		json_object_object_add(f, "cap_used_max_pct", json_object_new_int64(m->usage_max_pct));
	} else if (m->metered && m->cap_mb <= 0) {
		snprintf(cap, sizeof(cap), "; it is metered but has no data_limit_mb, so nothing "
			 "guards its data use");
	}
	snprintf(text, sizeof(text), "%s was needed %lld time%s for %.1f min on average "
		 "(%.0f min in all)%s", m->name, (long long)times, times == 1 ? "" : "s", mean_min,
		 (double)m->active_s / 60.0, cap);
	suggest(a, m->name, "backup_use", f, text);
}

static void never_needed(json_object *a, const struct hist_member *m)
{
	char text[300];
	json_object *f = json_object_new_object();
	hist_add_num(f, "availability_pct", hist_availability(m), 3);
	snprintf(text, sizeof(text), "%s was never needed; it was available %.1f %% of the "
		 "time it was measured", m->name, hist_availability(m));
	suggest(a, m->name, "never_needed", f, text);
}

/* The preferred member is markedly less available than another one with
 * no worse latency: say so, with both figures. */
static void better_primary(json_object *a, const struct hist_member *v, int n, int top)
{
	const struct hist_member *p = NULL, *b = NULL;
	for (int i = 0; i < n; i++)
		if (v[i].priority == top && v[i].measured_s > 0 && (!p || v[i].active_s > p->active_s))
			p = &v[i];
	if (!p || hist_availability(p) >= 99.0)
		return;
	for (int i = 0; i < n; i++) {
		const struct hist_member *m = &v[i];
		if (m == p || m->measured_s < p->measured_s / 2 || m->metered ||
		    hist_availability(m) < hist_availability(p) + 0.5)
			continue;
		if (isfinite(m->p50_ms) && isfinite(p->p50_ms) && m->p50_ms > p->p50_ms * 1.5 + 10)
			continue;
		if (!b || hist_availability(m) > hist_availability(b))
			b = m;
	}
	char text[400];
	json_object *f = json_object_new_object();
	hist_add_num(f, "availability_pct", hist_availability(p), 3);
	json_object_object_add(f, "outages", json_object_new_int64(p->outages));
	if (!b) {
		snprintf(text, sizeof(text), "%s, the preferred member, was available only %.2f %% "
			 "(%lld outages, %.0f min down)", p->name, hist_availability(p),
			 (long long)p->outages, (double)p->outage_ms / 60000.0);
		suggest(a, p->name, "primary_unreliable", f, text);
		return;
	}
	hist_add_num(f, "other_availability_pct", hist_availability(b), 3);
	hist_add_num(f, "latency_ms", p->p50_ms, 1);
	hist_add_num(f, "other_latency_ms", b->p50_ms, 1);
	snprintf(text, sizeof(text), "%s, the preferred member, was available %.2f %% (%lld "
		 "outages); %s was available %.2f %% at %.0f ms median latency (vs %.0f ms): "
		 "consider giving %s the lower priority", p->name, hist_availability(p),
		 (long long)p->outages, b->name, hist_availability(b), b->p50_ms, p->p50_ms, b->name);
	suggest(a, p->name, "primary_unreliable", f, text);
}

static void failover_days(json_object *a, const struct hist_q *q)
{
	sqlite3_stmt *st;
	int days = 0, worst = 0;
	int64_t worst_day = 0;
	if (sqlite3_prepare_v2(store_db(q->s), "SELECT (ts / 1000 + ?3) / 86400, count(*) FROM "
			       "decisions WHERE ts >= ?1 AND ts < ?2 AND type = 'switch' AND "
			       "from_m IS NOT NULL AND cause NOT IN ('initial','manual') GROUP BY 1",
			       -1, &st, NULL) != SQLITE_OK)
		return;
	hist_bind_range_ms(st, q);
	sqlite3_bind_int(st, 3, q->tz_off_s);
	while (sqlite3_step(st) == SQLITE_ROW) {
		int c = sqlite3_column_int(st, 1);
		if (c >= (int)q->failover_warning)
			days++;
		if (c > worst) {
			worst = c;
			worst_day = sqlite3_column_int64(st, 0);
		}
	}
	sqlite3_finalize(st);
	if (!days)
		return;
	char text[300], date[16];
	time_t t = (time_t)(worst_day * 86400);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%Y-%m-%d", &tm);
	json_object *f = json_object_new_object();
	json_object_object_add(f, "days", json_object_new_int(days));
	json_object_object_add(f, "failover_warning", json_object_new_int((int)q->failover_warning));
	json_object_object_add(f, "worst_day", json_object_new_string(date));
	json_object_object_add(f, "worst_day_failovers", json_object_new_int(worst));
	snprintf(text, sizeof(text), "failovers reached alerts.failover_warning (%u) on %d "
		 "day(s); the most were %d on %s", q->failover_warning, days, worst, date);
	suggest(a, NULL, "failover_rate", f, text);
}

/* A cap being eaten fast: the latest cycle's share and when it would run out. */
static void cap_projection(json_object *a, const struct hist_q *q, const struct hist_member *m)
{
	sqlite3_stmt *st;
	int mid = store_member_find(q->s, m->name);
	if (!mid || sqlite3_prepare_v2(store_db(q->s), "SELECT (k >> 6) * 3600, cycle_start, used, "
				       "cap FROM usage WHERE k & 63 = ?1 AND cap > 0 ORDER BY k DESC "
				       "LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_int(st, 1, mid);
	if (sqlite3_step(st) == SQLITE_ROW) {
		int64_t at = sqlite3_column_int64(st, 0), start = sqlite3_column_int64(st, 1);
		double used = sqlite3_column_double(st, 2), cap = sqlite3_column_double(st, 3);
		double pct = 100 * used / cap, el = (double)(at - start);
		if (pct >= 50 && el > 86400 && used > 0) {
			double left_days = (cap - used) / (used / el) / 86400;
			char text[300];
			json_object *f = json_object_new_object();
			hist_add_num(f, "used_pct", pct, 1);
			hist_add_num(f, "days_to_cap", left_days, 1);
			snprintf(text, sizeof(text), "%s has used %.0f %% of its %.0f MB cap this "
				 "cycle; at this cycle's rate it reaches the cap in %.1f days",
				 m->name, pct, cap / 1e6, left_days < 0 ? 0 : left_days);
			suggest(a, m->name, "data_cap", f, text);
		}
	}
	sqlite3_finalize(st);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* An hour of day with more than twice the member's typical latency. */
static void latency_hours(json_object *a, const struct hist_member *m, const double h[24])
{
	double sorted[24];
	int n = 0, worst = -1;
	for (int i = 0; i < 24; i++)
		n += isfinite(h[i]);
	if (n < 12)
		return;
	n = 0;
	for (int i = 0; i < 24; i++)
		if (isfinite(h[i])) {
			sorted[n++] = h[i];
			if (worst < 0 || h[i] > h[worst])
				worst = i;
		}
	qsort(sorted, (size_t)n, sizeof(double), cmp_double);
	double med = sorted[n / 2];
	if (worst < 0 || h[worst] < 2 * med || h[worst] - med < 20)
		return;
	char text[300];
	json_object *f = json_object_new_object();
	json_object_object_add(f, "hour", json_object_new_int(worst));
	hist_add_num(f, "latency_ms", h[worst], 1);
	hist_add_num(f, "typical_ms", med, 1);
	snprintf(text, sizeof(text), "%s's latency is highest between %02d:00 and %02d:00 (%.0f ms, "
		 "%.1fx its typical %.0f ms)", m->name, worst, (worst + 1) % 24, h[worst],
		 h[worst] / med, med);
	suggest(a, m->name, "latency_by_hour", f, text);
}

json_object *hist_analytics(const struct hist_q *q)
{
	static struct hist_member v[HIST_MAX_MEMBERS];
	int n = hist_members(q, v, HIST_MAX_MEMBERS);
	if (n < 0)
		return NULL;
	json_object *o = json_object_new_object(), *s = json_object_new_array();
	json_object_object_add(o, "period", hist_period_json(q));
	json_object_object_add(o, "ranking", ranking(v, n));
	json_object *rec = hist_recurring(q);
	json_object_object_add(o, "recurring_outages", rec);
	int top = top_priority(v, n);
	static double lat[HIST_MAX_MEMBERS][24];
	hist_latency_by_hour(q, lat);
	better_primary(s, v, n, top);
	for (size_t i = 0; i < json_object_array_length(rec); i++) {
		json_object *r = json_object_array_get_idx(rec, i);
		suggest(s, json_get_str(r, "member", NULL), "recurring_outage", json_object_get(r),
			json_get_str(r, "text", ""));
	}
	for (int i = 0; i < n; i++) {
		const struct hist_member *m = &v[i];
		if (m->measured_s <= 0)
			continue;
		if (m->priority > top && m->failovers_to + m->restores_to > 0 && m->active_s > 0)
			backup_use(s, m);
		else if (m->priority > top && m->active_s == 0 && m->failovers_to == 0)
			never_needed(s, m);
		if (m->cap_mb > 0)
			cap_projection(s, q, m);
		int mid = store_member_find(q->s, m->name);
		if (mid > 0 && mid < HIST_MAX_MEMBERS)
			latency_hours(s, m, lat[mid]);
	}
	failover_days(s, q);
	json_object_object_add(o, "suggestions", s);
	return o;
}
