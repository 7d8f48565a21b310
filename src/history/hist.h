/* hist: what the history store says, as the commands show it — metrics,
 * the decision analysis, analytics, the report, notifications and the
 * export. Everything here reads a store (opened read-only by autonomyctl,
 * or a file given with --store) and builds JSON; nothing writes.
 *
 * A period is a span ending at `to` (now, or the store's newest row for a
 * store that is not the daemon's live one): daily 24 h, weekly 7 days,
 * monthly 30 days, or a duration ("36h", "90d"). Days and hours of day are
 * the local time of the process running the query (TZ). */
#ifndef AUTONOMY_HISTORY_HIST_H
#define AUTONOMY_HISTORY_HIST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <json-c/json.h>

struct store;

#define HIST_NAME_MAX 64
#define HIST_MAX_MEMBERS 64

struct hist_period {
	char name[16];          /* "daily", "weekly", "monthly", "36h", "all" */
	int64_t span_s;         /* 0 = everything in the store */
};

/* "daily", "weekly", "monthly", "all", or a duration (hist_duration_parse).
 * 0, or -1 with err. */
int hist_period_parse(const char *s, struct hist_period *p, char *err, size_t errsz);
/* "30d", "12h", "90m", "45s", "2w", or bare seconds; at most 10 years.
 * Returns seconds, or -1 for anything else. */
int64_t hist_duration_parse(const char *s);

struct hist_members_cache;

struct hist_q {
	struct store *s;
	struct hist_members_cache *cache;       /* hist_report: members computed once */
	int64_t from, to;       /* Unix s, [from, to) */
	struct hist_period period;
	int tz_off_s;           /* local time = UTC + tz_off_s (at `to`) */
	unsigned failover_warning, failover_critical;   /* alerts thresholds (5, 10) */
};

/* Sets from/to for the period: to = now, or the newest row when
 * latest_anchor (a store that is not being written). */
void hist_q_init(struct hist_q *q, struct store *s, const struct hist_period *p, int64_t now,
		 bool latest_anchor);
/* The same span just before q (for trends). */
void hist_q_previous(const struct hist_q *q, struct hist_q *prev);

/* ---- per-member figures over the period (hist_member.c) ---- */
struct hist_member {
	char name[HIST_NAME_MAX];
	char cls[16];
	int priority;
	bool metered;
	int64_t cap_mb;
	int64_t rows;
	int64_t up_s, degraded_s, down_s, active_s, measured_s;
	int64_t sent, lost;
	double p50_ms, p95_ms, jitter_ms;       /* NAN unknown */
	double score_avg;                       /* NAN unknown */
	int score_min;                          /* -1 unknown */
	int64_t score_s[4];     /* measured seconds with a mean score >= 80, 60-80, 30-60, < 30 */
	int64_t rx, tx;         /* -1 unknown */
	double sl_drop, sl_obstructed, cell_rsrp, cell_sinr, wifi_signal;      /* NAN */
	/* from decisions and outages */
	int64_t failovers_from, failovers_to, restores_to;
	int64_t outages, outage_ms;
	int64_t usage_max_pct;  /* highest share of the cap seen (usage rows), -1 unknown */
};
/* Fills up to max members (every member with rows in the period, and every
 * configured one); returns how many, -1 on error. */
int hist_members(const struct hist_q *q, struct hist_member *out, int max);
double hist_availability(const struct hist_member *m);  /* %, NAN unknown */
double hist_loss_pct(const struct hist_member *m);

/* ---- commands ---- */
json_object *hist_metrics(const struct hist_q *q, bool trends, bool performance);
/* Decisions, newest first (limit <= 0: all in the period). */
json_object *hist_decisions(const struct hist_q *q, int limit);
json_object *hist_analysis(const struct hist_q *q, bool security);
json_object *hist_analytics(const struct hist_q *q);
json_object *hist_report(const struct hist_q *q);
json_object *hist_notifications(const struct hist_q *q, int limit);
/* `security report`'s history part: the security analysis of the period
 * and its security events, newest first (hist_security.c). */
json_object *hist_security_report(const struct hist_q *q);
/* Streams the period's rows: format "json" (one document) or "csv" (one
 * table: samples, decisions, outages, events, usage or sys). 0, -1 on a
 * write error or a bad table. */
int hist_export(const struct hist_q *q, const char *format, const char *table, FILE *out);
bool hist_export_table_known(const char *table);

/* The report as a self-contained HTML page (hist_html.c). */
int hist_html(json_object *report, FILE *out);

/* ---- shared helpers (hist_util.c) ---- */
void hist_add_time(json_object *o, const char *key, int64_t unix_s);
json_object *hist_period_json(const struct hist_q *q);
/* NAN -> null, else a number with decimals. */
void hist_add_num(json_object *o, const char *key, double v, int decimals);
int64_t hist_local_day(const struct hist_q *q, int64_t unix_s);        /* days since epoch, local */
int hist_local_hour(const struct hist_q *q, int64_t unix_s);           /* 0..23 */

#endif
