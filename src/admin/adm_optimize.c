/* adm_optimize: recommendations from the history store, each with the
 * figures that justify it.
 *
 * `config optimize`: how the config fits what the links did — a fail-back
 * hold shorter than the preferred member's measured flaps, a metered
 * member's standby probing against its data cap, predictions that were
 * wrong more often than right, a member that was almost never up.
 *
 * `optimize`: the daemon's own cost against the `performance` limits —
 * CPU (probes and telemetry polls dominate it), flash written by the
 * store's sync, memory — and the probe interval, dish poll intervals and
 * sync interval that bring it under a share of the limits (half; a
 * quarter with --aggressive). */
#include "admin/adm.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "config/config.h"
#include "core/jsonutil.h"
#include "engine/sched.h"
#include "history/hist.h"
#include "store/store.h"

#define FLAP_WINDOW_S 600               /* failed again this soon after a restore: a flap */
#define FLAPS_MIN 3
#define HOLD_MAX_S 3600
#define STANDBY_SHARE 0.01              /* standby probing may use this share of a cap */
#define DOWN_AVAIL_PCT 20.0
#define DOWN_MIN_S 86400
#define TUNE_MIN_MINUTES 15             /* fewer figures are no basis for a change */

static json_object *rec(json_object *arr, const char *section, const char *option,
			const char *current, const char *proposed, const char *why)
{
	json_object *r = json_object_new_object();
	json_object_object_add(r, "section", json_object_new_string(section));
	json_object_object_add(r, "option", option ? json_object_new_string(option) : NULL);
	json_object_object_add(r, "current", current ? json_object_new_string(current) : NULL);
	json_object_object_add(r, "proposed", proposed ? json_object_new_string(proposed) : NULL);
	json_object_object_add(r, "why", json_object_new_string(why));
	json_object *ev = json_object_new_object();
	json_object_object_add(r, "evidence", ev);
	json_object_array_add(arr, r);
	return ev;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Restores followed within FLAP_WINDOW_S by a failover away from the same
 * member: how long it held each time. */
static void check_failback(const struct hist_q *q, const struct config *cfg, json_object *out)
{
	sqlite3_stmt *st;
	int64_t held[256];
	int n = 0, restores = 0;
	if (sqlite3_prepare_v2(store_db(q->s), "SELECT r.ts, (SELECT min(f.ts) FROM decisions f "
			       "WHERE f.ts > r.ts AND f.type = 'switch' AND f.from_m = r.to_m AND "
			       "f.cause NOT IN ('manual', 'initial')) FROM decisions r WHERE "
			       "r.type = 'restore' AND r.ts >= ?1 AND r.ts < ?2", -1, &st, NULL) !=
	    SQLITE_OK)
		return;
	sqlite3_bind_int64(st, 1, q->from * 1000);
	sqlite3_bind_int64(st, 2, q->to * 1000);
	while (sqlite3_step(st) == SQLITE_ROW) {
		restores++;
		if (sqlite3_column_type(st, 1) == SQLITE_NULL)
			continue;
		int64_t d = (sqlite3_column_int64(st, 1) - sqlite3_column_int64(st, 0)) / 1000;
		if (d <= FLAP_WINDOW_S && n < (int)(sizeof(held) / sizeof(held[0])))
			held[n++] = d;
	}
	sqlite3_finalize(st);
	if (n < FLAPS_MIN)
		return;
	qsort(held, (size_t)n, sizeof(held[0]), cmp_i64);
	int64_t hold = cfg_duration_ms(config_section(cfg, "main"), "failback_hold") / 1000;
	int64_t p75 = held[(n * 3) / 4], want = hold + p75 + 30;
	want = want > HOLD_MAX_S ? HOLD_MAX_S : want;
	if (want <= hold)
		return;
	char cur[24], pro[24], why[300];
	snprintf(cur, sizeof(cur), "%lld", (long long)hold);
	snprintf(pro, sizeof(pro), "%lld", (long long)want);
	snprintf(why, sizeof(why), "%d of %d restores were followed by a failover away from the "
		 "same member within %d s (held a median %lld s): wait longer before failing back",
		 n, restores, FLAP_WINDOW_S, (long long)held[n / 2]);
	json_object *ev = rec(out, "main", "failback_hold", cur, pro, why);
	json_object_object_add(ev, "restores", json_object_new_int(restores));
	json_object_object_add(ev, "flaps", json_object_new_int(n));
	json_object_object_add(ev, "held_median_s", json_object_new_int64(held[n / 2]));
	json_object_object_add(ev, "held_p75_s", json_object_new_int64(p75));
}

/* A metered member's standby probes against its cap (probes are counted
 * per minute in the samples; standby = minutes it carried no traffic). */
static void check_metered(const struct hist_q *q, const struct config *cfg,
			  const struct hist_member *v, int n, json_object *out)
{
	const struct cfg_section *pol = config_section(cfg, "polling");
	int64_t max_ms = cfg_duration_ms(pol, "max_interval_ms");
	for (int i = 0; i < n; i++) {
		const struct cfg_section *m = config_member(cfg, v[i].name);
		int64_t cap = m ? cfg_int(m, "data_limit_mb") : 0;
		if (!m || !cfg_bool(m, "metered") || cap <= 0 || v[i].measured_s < 3600)
			continue;
		double standby_s = (double)(v[i].measured_s - v[i].active_s);
		double per_day = standby_s > 0 ? (double)v[i].sent * SCHED_PROBE_BYTES /
					       (double)v[i].measured_s * 86400.0 : 0;
		double budget = (double)cap * 1e6 * STANDBY_SHARE / 30.0;
		if (per_day <= budget)
			continue;
		int64_t want = (int64_t)ceil((double)max_ms * per_day / budget / 1000.0) * 1000;
		want = want > 60000 ? 60000 : want;
		if (want <= max_ms)
			continue;
		char cur[24], pro[24], why[300];
		snprintf(cur, sizeof(cur), "%lld", (long long)max_ms);
		snprintf(pro, sizeof(pro), "%lld", (long long)want);
		snprintf(why, sizeof(why), "standby probing of %.64s uses %.1f MB a day, %.1f %% of its "
			 "%lld MB cap a month (budget %.0f %%): probe a metered standby member less "
			 "often (it waits 4 x max_interval_ms)", v[i].name, per_day / 1e6,
			 per_day * 30 / ((double)cap * 1e6) * 100, (long long)cap, STANDBY_SHARE * 100);
		json_object *ev = rec(out, "polling", "max_interval_ms", cur, pro, why);
		json_object_object_add(ev, "member", json_object_new_string(v[i].name));
		hist_add_num(ev, "standby_bytes_per_day", per_day, 0);
		json_object_object_add(ev, "cap_mb", json_object_new_int64(cap));
	}
}

static void check_members(const struct hist_member *v, int n, json_object *out)
{
	for (int i = 0; i < n; i++) {
		double a = hist_availability(&v[i]);
		if (v[i].measured_s < DOWN_MIN_S || isnan(a) || a >= DOWN_AVAIL_PCT)
			continue;
		char why[300];
		snprintf(why, sizeof(why), "%.64s was up %.1f %% of %.1f measured days: check its "
			 "link and targets, or disable it (option enabled '0') so it is not "
			 "probed for nothing", v[i].name, a, (double)v[i].measured_s / 86400);
		json_object *ev = rec(out, v[i].name, NULL, NULL, NULL, why);
		hist_add_num(ev, "availability_pct", a, 1);
		json_object_object_add(ev, "measured_s", json_object_new_int64(v[i].measured_s));
	}
}

static void check_predictions(const struct hist_q *q, const struct config *cfg,
			      json_object *out)
{
	const struct cfg_section *sl = config_section(cfg, "starlink");
	if (!cfg_bool(sl, "predictive_enabled"))
		return;
	json_object *a = hist_analysis(q, false), *p = NULL;
	if (!a || !json_object_object_get_ex(a, "predictive", &p)) {
		json_object_put(a);
		return;
	}
	int64_t pred = (int64_t)json_get_num(p, "predicted_switches", 0),
		hits = (int64_t)json_get_num(p, "hits", 0);
	if (pred >= FLAPS_MIN && hits * 2 < pred) {
		char why[300];
		snprintf(why, sizeof(why), "%lld of %lld predicted departures were not followed by "
			 "an outage: each moved traffic for nothing", (long long)(pred - hits),
			 (long long)pred);
		json_object *ev = rec(out, "starlink", "predictive_enabled", "1", "0", why);
		json_object_object_add(ev, "predicted", json_object_new_int64(pred));
		json_object_object_add(ev, "hits", json_object_new_int64(hits));
	}
	json_object_put(a);
}

json_object *adm_config_optimize(const struct hist_q *q, const struct config *cfg)
{
	static struct hist_member v[HIST_MAX_MEMBERS];
	int n = hist_members(q, v, HIST_MAX_MEMBERS);
	if (n < 0)
		return NULL;
	json_object *o = json_object_new_object(), *r = json_object_new_array();
	json_object_object_add(o, "period", hist_period_json(q));
	check_failback(q, cfg, r);
	check_metered(q, cfg, v, n, r);
	check_predictions(q, cfg, r);
	check_members(v, n, r);
	json_object_object_add(o, "recommendations", r);
	json_object *nc = json_object_new_array();
	json_object_array_add(nc, json_object_new_string(
		"probe targets one by one: the store keeps each member's probes together, not "
		"per target (config audit checks targets that are private or the gateway)"));
	json_object_object_add(o, "not_checked", nc);
	return o;
}

/* ---- optimize: the daemon's own cost ---------------------------------------- */

struct cost {
	int64_t minutes;
	double cpu_mean, cpu_max, rss_max_kb, probes_per_hour, flash_per_day, store_cpu_ms_h;
};

static bool read_cost(const struct hist_q *q, struct cost *c)
{
	sqlite3_stmt *st;
	bool ok = false;
	memset(c, 0, sizeof(*c));
	if (sqlite3_prepare_v2(store_db(q->s), "SELECT count(*), avg(cpu), max(cpu), max(rss_kb), "
			       "sum(probes), sum(flash_bytes), sum(store_cpu_us) FROM sys WHERE "
			       "k >= ?1 AND k < ?2", -1, &st, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_int64(st, 1, q->from / 60);
	sqlite3_bind_int64(st, 2, q->to / 60);
	if (sqlite3_step(st) == SQLITE_ROW && (c->minutes = sqlite3_column_int64(st, 0)) > 0) {
		double m = (double)c->minutes;
		c->cpu_mean = sqlite3_column_double(st, 1) / 10;
		c->cpu_max = sqlite3_column_double(st, 2) / 10;
		c->rss_max_kb = sqlite3_column_double(st, 3);
		c->probes_per_hour = sqlite3_column_double(st, 4) / m * 60;
		c->flash_per_day = sqlite3_column_double(st, 5) / m * 1440;
		c->store_cpu_ms_h = sqlite3_column_double(st, 6) / 1e3 / m * 60;
		ok = true;
	}
	sqlite3_finalize(st);
	return ok;
}

static void change(json_object *arr, const char *section, const char *option, int64_t cur,
		   int64_t want, const char *why)
{
	char a[24], b[24];
	snprintf(a, sizeof(a), "%lld", (long long)cur);
	snprintf(b, sizeof(b), "%lld", (long long)want);
	rec(arr, section, option, a, b, why);
}

static int64_t clamp(double v, int64_t lo, int64_t hi)
{
	return v < (double)lo ? lo : v > (double)hi ? hi : (int64_t)v;
}

json_object *adm_tune(const struct hist_q *q, const struct config *cfg, bool aggressive)
{
	const struct cfg_section *perf = config_section(cfg, "performance"),
				 *pol = config_section(cfg, "polling"),
				 *sl = config_section(cfg, "starlink");
	double share = aggressive ? 0.25 : 0.5, flash_budget = aggressive ? 1e6 : 4e6;
	double cpu_lim = (double)cfg_int(perf, "max_cpu_percent"),
	       mem_lim_kb = (double)cfg_int(perf, "max_memory_mb") * 1024;
	struct cost c;
	json_object *o = json_object_new_object(), *ch = json_object_new_array(),
		    *f = json_object_new_object(), *t = json_object_new_object();
	bool have = read_cost(q, &c);
	json_object_object_add(o, "period", hist_period_json(q));
	json_object_object_add(o, "aggressive", json_object_new_boolean(aggressive));
	json_object_object_add(f, "minutes", json_object_new_int64(c.minutes));
	hist_add_num(f, "cpu_pct_mean", have ? c.cpu_mean : NAN, 2);
	hist_add_num(f, "cpu_pct_max", have ? c.cpu_max : NAN, 1);
	hist_add_num(f, "rss_mb_max", have ? c.rss_max_kb / 1024 : NAN, 1);
	hist_add_num(f, "probes_per_hour", have ? c.probes_per_hour : NAN, 0);
	hist_add_num(f, "flash_bytes_per_day", have ? c.flash_per_day : NAN, 0);
	hist_add_num(f, "store_cpu_ms_per_hour", have ? c.store_cpu_ms_h : NAN, 1);
	json_object_object_add(o, "figures", f);
	hist_add_num(t, "cpu_pct", cpu_lim * share, 1);
	hist_add_num(t, "rss_mb", mem_lim_kb * share / 1024, 1);
	hist_add_num(t, "flash_bytes_per_day", flash_budget, 0);
	json_object_object_add(o, "targets", t);
	json_object_object_add(o, "changes", ch);
	json_object_object_add(o, "min_minutes", json_object_new_int(TUNE_MIN_MINUTES));
	if (!have || c.minutes < TUNE_MIN_MINUTES)
		return o;
	char why[300];
	int64_t base = cfg_duration_ms(pol, "base_interval_ms"),
		max = cfg_duration_ms(pol, "max_interval_ms");
	if (c.cpu_mean > cpu_lim * share) {
		/* Probes and polls scale with the interval; the rest is fixed. */
		double k = c.cpu_mean / (cpu_lim * share);
		int64_t nb = clamp((double)base * k, base, 10000) / 100 * 100;
		snprintf(why, sizeof(why), "CPU %.2f %% (mean) is over %.0f %% of max_cpu_percent "
			 "(%.0f %%) at %.0f probes an hour: probe %.1f x less often", c.cpu_mean,
			 share * 100, cpu_lim, c.probes_per_hour, k);
		if (nb > base)
			change(ch, "polling", "base_interval_ms", base, nb, why);
		if (nb > max)
			change(ch, "polling", "max_interval_ms", max, nb, "max_interval_ms may not be "
			       "shorter than base_interval_ms");
		int64_t hc = cfg_duration_ms(sl, "health_check_interval") / 1000;
		if (hc * k > hc + 1)
			change(ch, "starlink", "health_check_interval", hc,
			       clamp((double)hc * k, hc, 300), "the dish's status polls follow the "
			       "probes' reduction");
	}
	if (c.flash_per_day > flash_budget) {
		int64_t gc = cfg_duration_ms(perf, "gc_interval") / 1000;
		int64_t ng = clamp((double)gc * c.flash_per_day / flash_budget, gc, 3600);
		snprintf(why, sizeof(why), "the history's sync writes %.1f MB a day to flash, over "
			 "%.1f MB: sync less often (at most this much history is lost in a power "
			 "cut)", c.flash_per_day / 1e6, flash_budget / 1e6);
		if (ng > gc)
			change(ch, "performance", "gc_interval", gc, ng, why);
	}
	if (c.rss_max_kb > mem_lim_kb * share) {
		int64_t hm = cfg_int(perf, "history_max_mb");
		snprintf(why, sizeof(why), "resident memory peaked at %.1f MB, over %.0f %% of "
			 "max_memory_mb (%.0f MB): a smaller history store", c.rss_max_kb / 1024,
			 share * 100, mem_lim_kb / 1024);
		if (hm > 4)
			change(ch, "performance", "history_max_mb", hm, hm / 2, why);
	}
	return o;
}
