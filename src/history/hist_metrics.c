/* hist_metrics: `metrics [--period P] [--trends] [--performance]` — per
 * member availability, time active, failovers, loss, latency, jitter, the
 * score's distribution and data used; the previous period for trends; the
 * daemon's own cost. */
#include "history/hist.h"
#include "history/hist_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "core/jsonutil.h"
#include "engine/sched.h"
#include "store/store.h"

static const char *const bucket_names[4] = { "80_100", "60_80", "30_60", "0_30" };

static double pct(int64_t part, int64_t whole)
{
	return whole > 0 ? 100.0 * (double)part / (double)whole : NAN;
}

static json_object *score_json(const struct hist_member *m)
{
	json_object *o = json_object_new_object(), *d = json_object_new_object();
	int64_t all = 0;
	hist_add_num(o, "mean", m->score_avg, 1);
	json_object_object_add(o, "min", m->score_min >= 0 ? json_object_new_int(m->score_min) :
			       NULL);
	for (int i = 0; i < 4; i++)
		all += m->score_s[i];
	for (int i = 0; i < 4; i++)
		hist_add_num(d, bucket_names[i], pct(m->score_s[i], all), 1);
	json_object_object_add(o, "time_pct", d);
	return o;
}

static json_object *data_json(const struct hist_member *m)
{
	json_object *o = json_object_new_object();
	json_add_count(o, "rx_bytes", m->rx);
	json_add_count(o, "tx_bytes", m->tx);
	json_add_count(o, "total_bytes", m->rx >= 0 && m->tx >= 0 ? m->rx + m->tx : -1);
	json_object_object_add(o, "cap_mb", m->cap_mb > 0 ? json_object_new_int64(m->cap_mb) : NULL);
	json_add_count(o, "cap_used_max_pct", m->usage_max_pct);
	return o;
}

static json_object *tel_json(const struct hist_member *m)
{
	json_object *o = json_object_new_object();
	if (isfinite(m->sl_drop) || isfinite(m->sl_obstructed)) {
		hist_add_num(o, "dish_drop_pct", m->sl_drop * 100, 2);
		hist_add_num(o, "dish_obstructed_pct", m->sl_obstructed * 100, 2);
	}
	if (isfinite(m->cell_rsrp) || isfinite(m->cell_sinr)) {
		hist_add_num(o, "modem_signal_dbm", m->cell_rsrp, 1);
		hist_add_num(o, "modem_sinr_db", m->cell_sinr, 1);
	}
	if (isfinite(m->wifi_signal))
		hist_add_num(o, "wifi_signal_dbm", m->wifi_signal, 1);
	return o;
}

json_object *hist_member_json(const struct hist_q *q, const struct hist_member *m)
{
	json_object *o = json_object_new_object();
	int64_t span = q->to - q->from;
	json_object_object_add(o, "name", json_object_new_string(m->name));
	json_object_object_add(o, "class", json_object_new_string(m->cls));
	json_object_object_add(o, "priority", json_object_new_int(m->priority));
	hist_add_num(o, "availability_pct", hist_availability(m), 3);
	hist_add_num(o, "coverage_pct", pct(m->measured_s, span), 1);
	json_object_object_add(o, "measured_s", json_object_new_int64(m->measured_s));
	json_object_object_add(o, "up_s", json_object_new_int64(m->up_s));
	json_object_object_add(o, "degraded_s", json_object_new_int64(m->degraded_s));
	json_object_object_add(o, "down_s", json_object_new_int64(m->down_s));
	json_object_object_add(o, "active_s", json_object_new_int64(m->active_s));
	hist_add_num(o, "active_pct", pct(m->active_s, m->measured_s), 1);
	json_object_object_add(o, "failovers", json_object_new_int64(m->failovers_from));
	json_object_object_add(o, "failovers_to", json_object_new_int64(m->failovers_to));
	json_object_object_add(o, "restores_to", json_object_new_int64(m->restores_to));
	json_object_object_add(o, "outages", json_object_new_int64(m->outages));
	json_object_object_add(o, "outage_s", json_num((double)m->outage_ms / 1e3, 1));
	json_object_object_add(o, "probes", json_object_new_int64(m->sent));
	hist_add_num(o, "loss_pct", hist_loss_pct(m), 3);
	hist_add_num(o, "latency_ms", m->p50_ms, 1);
	hist_add_num(o, "p95_ms", m->p95_ms, 1);
	hist_add_num(o, "jitter_ms", m->jitter_ms, 1);
	json_object_object_add(o, "score", score_json(m));
	json_object_object_add(o, "data", data_json(m));
	json_object_object_add(o, "telemetry", tel_json(m));
	return o;
}

static void delta(json_object *chg, const char *k, double now, double before, int decimals)
{
	hist_add_num(chg, k, isfinite(now) && isfinite(before) ? now - before : NAN, decimals);
}

/* The previous period's figures and the change, per member. */
static void add_trend(json_object *o, const struct hist_member *m,
		      const struct hist_member *p)
{
	json_object *prev = json_object_new_object(), *chg = json_object_new_object();
	double data_now = m->rx >= 0 ? (double)(m->rx + m->tx) : NAN;
	double data_before = p && p->rx >= 0 ? (double)(p->rx + p->tx) : NAN;
	struct { const char *k; double now, before; int dec; } f[] = {
		{ "availability_pct", hist_availability(m), p ? hist_availability(p) : NAN, 3 },
		{ "loss_pct", hist_loss_pct(m), p ? hist_loss_pct(p) : NAN, 3 },
		{ "latency_ms", m->p50_ms, p ? p->p50_ms : NAN, 1 },
		{ "jitter_ms", m->jitter_ms, p ? p->jitter_ms : NAN, 1 },
		{ "score_mean", m->score_avg, p ? p->score_avg : NAN, 1 },
		{ "failovers", (double)m->failovers_from, p ? (double)p->failovers_from : NAN, 0 },
		{ "outages", (double)m->outages, p ? (double)p->outages : NAN, 0 },
		{ "data_bytes", data_now, data_before, 0 },
	};
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		hist_add_num(prev, f[i].k, f[i].before, f[i].dec);
		delta(chg, f[i].k, f[i].now, f[i].before, f[i].dec);
	}
	json_object *t = json_object_new_object();
	json_object_object_add(t, "previous", prev);
	json_object_object_add(t, "change", chg);
	json_object_object_add(o, "trend", t);
}

static const struct hist_member *find(const struct hist_member *v, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return &v[i];
	return NULL;
}

/* The daemon's own cost over the period, from its per-minute figures. */
static json_object *performance_json(const struct hist_q *q, const struct hist_member *v, int n)
{
	sqlite3_stmt *st;
	json_object *o = json_object_new_object();
	if (sqlite3_prepare_v2(store_db(q->s), "SELECT count(*), avg(cpu), max(cpu), avg(rss_kb), "
			       "max(rss_kb), max(lag), sum(probes), sum(store_cpu_us), "
			       "sum(flash_bytes) FROM sys WHERE k >= ?1 AND k < ?2", -1, &st, NULL) ==
	    SQLITE_OK) {
		sqlite3_bind_int64(st, 1, q->from / 60);
		sqlite3_bind_int64(st, 2, q->to / 60);
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) > 0) {
			double mins = (double)sqlite3_column_int64(st, 0);
			json_object_object_add(o, "minutes", json_object_new_int64((int64_t)mins));
			hist_add_num(o, "cpu_pct_mean", sqlite3_column_double(st, 1) / 10, 2);
			hist_add_num(o, "cpu_pct_max", sqlite3_column_double(st, 2) / 10, 1);
			hist_add_num(o, "rss_kb_mean", sqlite3_column_double(st, 3), 0);
			hist_add_num(o, "rss_kb_max", sqlite3_column_double(st, 4), 0);
			hist_add_num(o, "loop_lag_ms_max", sqlite3_column_double(st, 5) / 10, 1);
			hist_add_num(o, "probes_per_hour", sqlite3_column_double(st, 6) / mins * 60, 0);
			hist_add_num(o, "store_cpu_ms_per_hour",
				     sqlite3_column_double(st, 7) / 1e3 / mins * 60, 1);
			hist_add_num(o, "flash_bytes_per_day",
				     sqlite3_column_double(st, 8) / mins * 1440, 0);
		}
		sqlite3_finalize(st);
	}
	json_object *pm = json_object_new_array();
	for (int i = 0; i < n; i++) {
		if (!v[i].rows)
			continue;
		/* Per day of measurement (the daemon may not have run all along). */
		double days = (double)v[i].measured_s / 86400.0;
		json_object *m = json_object_new_object();
		json_object_object_add(m, "name", json_object_new_string(v[i].name));
		hist_add_num(m, "probes_per_day", days > 0 ? (double)v[i].sent / days : NAN, 0);
		hist_add_num(m, "probe_bytes_per_day",
			     days > 0 ? (double)v[i].sent * SCHED_PROBE_BYTES / days : NAN, 0);
		json_object_array_add(pm, m);
	}
	json_object_object_add(o, "members", pm);
	json_object_object_add(o, "store_bytes", json_object_new_int64(store_size_bytes(q->s)));
	return o;
}

json_object *hist_metrics(const struct hist_q *q, bool trends, bool performance)
{
	static struct hist_member v[HIST_MAX_MEMBERS], pv[HIST_MAX_MEMBERS];
	int n = hist_members(q, v, HIST_MAX_MEMBERS), pn = 0;
	if (n < 0)
		return NULL;
	if (trends) {
		struct hist_q prev;
		hist_q_previous(q, &prev);
		pn = hist_members(&prev, pv, HIST_MAX_MEMBERS);
		if (pn < 0)
			return NULL;
	}
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	json_object_object_add(o, "period", hist_period_json(q));
	int64_t failovers = 0;
	for (int i = 0; i < n; i++) {
		json_object *m = hist_member_json(q, &v[i]);
		if (trends)
			add_trend(m, &v[i], find(pv, pn, v[i].name));
		failovers += v[i].failovers_from;
		json_object_array_add(a, m);
	}
	json_object_object_add(o, "failovers", json_object_new_int64(failovers));
	json_object_object_add(o, "members", a);
	if (trends) {
		struct hist_q prev;
		hist_q_previous(q, &prev);
		json_object_object_add(o, "previous_period", hist_period_json(&prev));
	}
	if (performance)
		json_object_object_add(o, "performance", performance_json(q, v, n));
	return o;
}
