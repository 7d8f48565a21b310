/* hist_member: per-member figures over a period, from the minute and hour
 * samples (one query over both), the decisions and the outages. */
#include "history/hist.h"
#include "history/hist_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "store/store.h"

/* Latencies are weighted by replies, the score by measured seconds. */
static const char *const agg_sql =
	"WITH r AS (" HIST_ROWS_SQL ") SELECT mid, count(*), sum(up), sum(degraded), sum(down),"
	" sum(active), sum(sent), sum(lost),"
	" sum(p50 * (sent - lost)) * 1.0 / nullif(sum(CASE WHEN p50 IS NOT NULL THEN sent - lost END), 0),"
	" sum(p95 * (sent - lost)) * 1.0 / nullif(sum(CASE WHEN p95 IS NOT NULL THEN sent - lost END), 0),"
	" sum(jitter * (sent - lost)) * 1.0 /"
	"  nullif(sum(CASE WHEN jitter IS NOT NULL THEN sent - lost END), 0),"
	" coalesce(sum(score * (up + degraded + down)) * 1.0 /"
	"  nullif(sum(CASE WHEN score IS NOT NULL THEN up + degraded + down END), 0), avg(score)),"
	" min(score_min),"
	" sum(CASE WHEN score >= 800 THEN up + degraded + down END),"
	" sum(CASE WHEN score >= 600 AND score < 800 THEN up + degraded + down END),"
	" sum(CASE WHEN score >= 300 AND score < 600 THEN up + degraded + down END),"
	" sum(CASE WHEN score < 300 THEN up + degraded + down END),"
	" sum(rx), sum(tx), avg(sl_drop), avg(sl_obstr), avg(cell_rsrp), avg(cell_sinr),"
	" avg(wifi_signal) FROM r GROUP BY mid";

static double col_d(sqlite3_stmt *st, int i, double scale)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i) / scale;
}

static int64_t col_i(sqlite3_stmt *st, int i, int64_t dflt)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? dflt : sqlite3_column_int64(st, i);
}

static void blank(struct hist_member *m)
{
	memset(m, 0, sizeof(*m));
	m->p50_ms = m->p95_ms = m->jitter_ms = m->score_avg = NAN;
	m->sl_drop = m->sl_obstructed = m->cell_rsrp = m->cell_sinr = m->wifi_signal = NAN;
	m->score_min = -1;
	m->rx = m->tx = -1;
	m->usage_max_pct = -1;
}

/* Every member in the members table, in priority order. */
static int load_members(const struct hist_q *q, struct hist_member *out, int *mids, int max)
{
	sqlite3_stmt *st;
	int n = 0;
	if (sqlite3_prepare_v2(store_db(q->s), "SELECT mid, name, ifnull(class,''), "
			       "ifnull(priority,0), ifnull(metered,0), ifnull(cap_mb,0) FROM members "
			       "ORDER BY priority, name", -1, &st, NULL) != SQLITE_OK)
		return -1;
	while (n < max && sqlite3_step(st) == SQLITE_ROW) {
		blank(&out[n]);
		mids[n] = sqlite3_column_int(st, 0);
		snprintf(out[n].name, sizeof(out[n].name), "%s", sqlite3_column_text(st, 1));
		snprintf(out[n].cls, sizeof(out[n].cls), "%s", sqlite3_column_text(st, 2));
		out[n].priority = sqlite3_column_int(st, 3);
		out[n].metered = sqlite3_column_int(st, 4);
		out[n].cap_mb = sqlite3_column_int64(st, 5);
		n++;
	}
	sqlite3_finalize(st);
	return n;
}

static void fill(struct hist_member *m, sqlite3_stmt *st)
{
	m->rows = col_i(st, 1, 0);
	m->up_s = col_i(st, 2, 0);
	m->degraded_s = col_i(st, 3, 0);
	m->down_s = col_i(st, 4, 0);
	m->active_s = col_i(st, 5, 0);
	m->measured_s = m->up_s + m->degraded_s + m->down_s;
	m->sent = col_i(st, 6, 0);
	m->lost = col_i(st, 7, 0);
	m->p50_ms = col_d(st, 8, 10.0);
	m->p95_ms = col_d(st, 9, 10.0);
	m->jitter_ms = col_d(st, 10, 10.0);
	m->score_avg = col_d(st, 11, 10.0);
	m->score_min = (int)col_i(st, 12, -1);
	for (int i = 0; i < 4; i++)
		m->score_s[i] = col_i(st, 13 + i, 0);
	m->rx = col_i(st, 17, -1);
	m->tx = col_i(st, 18, -1);
	m->sl_drop = col_d(st, 19, 10000.0);
	m->sl_obstructed = col_d(st, 20, 10000.0);
	m->cell_rsrp = col_d(st, 21, 10.0);
	m->cell_sinr = col_d(st, 22, 10.0);
	m->wifi_signal = col_d(st, 23, 10.0);
}

static struct hist_member *by_name(struct hist_member *v, int n, const char *name)
{
	for (int i = 0; name && i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return &v[i];
	return NULL;
}

static void add_decisions(const struct hist_q *q, struct hist_member *v, int n)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(store_db(q->s), "SELECT type, from_m, to_m, count(*) FROM decisions "
			       "WHERE ts >= ?1 AND ts < ?2 AND type IN ('switch','restore') AND "
			       "from_m IS NOT NULL GROUP BY type, from_m, to_m", -1, &st, NULL))
		return;
	hist_bind_range_ms(st, q);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *type = (const char *)sqlite3_column_text(st, 0);
		struct hist_member *from = by_name(v, n, (const char *)sqlite3_column_text(st, 1));
		struct hist_member *to = by_name(v, n, (const char *)sqlite3_column_text(st, 2));
		int64_t c = sqlite3_column_int64(st, 3);
		if (strcmp(type, "switch") == 0) {
			if (from)
				from->failovers_from += c;
			if (to)
				to->failovers_to += c;
		} else if (to) {
			to->restores_to += c;
		}
	}
	sqlite3_finalize(st);
}

static void add_outages(const struct hist_q *q, struct hist_member *v, const int *mids, int n)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(store_db(q->s), "SELECT mid, count(*), sum(dur_ms) FROM outages "
			       "WHERE start >= ?1 AND start < ?2 GROUP BY mid", -1, &st, NULL))
		return;
	hist_bind_range_ms(st, q);
	while (sqlite3_step(st) == SQLITE_ROW)
		for (int i = 0; i < n; i++)
			if (mids[i] == sqlite3_column_int(st, 0)) {
				v[i].outages = sqlite3_column_int64(st, 1);
				v[i].outage_ms = sqlite3_column_int64(st, 2);
			}
	sqlite3_finalize(st);
}

static void add_usage(const struct hist_q *q, struct hist_member *v, const int *mids, int n)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(store_db(q->s), "SELECT k & 63, max(used * 100 / cap) FROM usage "
			       "WHERE k >= ?1 AND k < ?2 AND cap > 0 GROUP BY k & 63", -1, &st, NULL))
		return;
	sqlite3_bind_int64(st, 1, (q->from / 3600) << 6);
	sqlite3_bind_int64(st, 2, ((q->to + 3599) / 3600) << 6);
	while (sqlite3_step(st) == SQLITE_ROW)
		for (int i = 0; i < n; i++)
			if (mids[i] == sqlite3_column_int(st, 0))
				v[i].usage_max_pct = sqlite3_column_int64(st, 1);
	sqlite3_finalize(st);
}

static int members_query(const struct hist_q *q, struct hist_member *out, int *mids, int max);

int hist_members(const struct hist_q *q, struct hist_member *out, int max)
{
	int mids[HIST_MAX_MEMBERS];
	struct hist_members_cache *c = q->cache;
	if (max > HIST_MAX_MEMBERS)
		max = HIST_MAX_MEMBERS;
	if (c && c->n >= 0 && c->from == q->from && c->to == q->to && c->n <= max) {
		memcpy(out, c->v, (size_t)c->n * sizeof(*out));
		return c->n;
	}
	int n = members_query(q, out, mids, max);
	if (c && n >= 0) {
		c->from = q->from;
		c->to = q->to;
		c->n = n;
		memcpy(c->v, out, (size_t)n * sizeof(*out));
	}
	return n;
}

static int members_query(const struct hist_q *q, struct hist_member *out, int *mids, int max)
{
	sqlite3_stmt *st;
	int n = load_members(q, out, mids, max);
	if (n < 0 || sqlite3_prepare_v2(store_db(q->s), agg_sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	hist_bind_rows(st, q);
	while (sqlite3_step(st) == SQLITE_ROW)
		for (int i = 0; i < n; i++)
			if (mids[i] == sqlite3_column_int(st, 0))
				fill(&out[i], st);
	sqlite3_finalize(st);
	add_decisions(q, out, n);
	add_outages(q, out, mids, n);
	add_usage(q, out, mids, n);
	return n;
}

double hist_availability(const struct hist_member *m)
{
	return m->measured_s > 0 ? 100.0 * (double)(m->up_s + m->degraded_s) / (double)m->measured_s :
	       NAN;
}

double hist_loss_pct(const struct hist_member *m)
{
	return m->sent > 0 ? 100.0 * (double)m->lost / (double)m->sent : NAN;
}
