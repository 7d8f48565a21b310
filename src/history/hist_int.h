/* hist_int: what the hist_*.c files share; nothing else includes it. */
#ifndef AUTONOMY_HISTORY_HIST_INT_H
#define AUTONOMY_HISTORY_HIST_INT_H

#include "history/hist.h"

struct sqlite3_stmt;

/* The period's sample rows, minutes and hours alike, as columns mid, ts
 * (start, Unix s), span and the sample columns; parameters ?1..?4 are the
 * key bounds hist_bind_rows() sets. */
#define HIST_ROWS_SQL \
	"SELECT k & 63 AS mid, (k >> 6) * 60 AS ts, 60 AS span, sent, lost, p50, p95, jitter," \
	" score, score_min, up, degraded, down, active, rx, tx, sl_drop, sl_obstr, cell_rsrp," \
	" cell_sinr, wifi_signal FROM samples WHERE k >= ?1 AND k < ?2 UNION ALL" \
	" SELECT k & 63, (k >> 6) * 3600, 3600, sent, lost, p50, p95, jitter, score, score_min," \
	" up, degraded, down, active, rx, tx, sl_drop, sl_obstr, cell_rsrp, cell_sinr," \
	" wifi_signal FROM samples_hourly WHERE k >= ?3 AND k < ?4"

void hist_bind_rows(struct sqlite3_stmt *st, const struct hist_q *q);
/* ?1, ?2 = the period in ms (for ts and start columns). */
void hist_bind_range_ms(struct sqlite3_stmt *st, const struct hist_q *q);

struct hist_members_cache {
	int64_t from, to;
	int n;                  /* -1: not filled */
	struct hist_member v[HIST_MAX_MEMBERS];
};

/* The name of a member id, "" if unknown (a small cache per query). */
struct hist_names {
	char name[HIST_MAX_MEMBERS][HIST_NAME_MAX];
};
void hist_names_load(const struct hist_q *q, struct hist_names *n);

/* One member's figures as JSON (metrics, report). */
json_object *hist_member_json(const struct hist_q *q, const struct hist_member *m);
/* The decision analysis's parts, shared with analytics and the report. */
json_object *hist_outage_stats(const struct hist_member *v, int n);
/* The security part of the decision analysis (hist_security.c). */
json_object *hist_security(const struct hist_q *q, const struct hist_member *v, int n);

/* Outages recurring at the same time of day (hist_recur.c). */
json_object *hist_recurring(const struct hist_q *q);
/* Every member's median latency by local hour of day, out[mid][hour] (NAN
 * where unknown); returns the cells known. */
int hist_latency_by_hour(const struct hist_q *q, double out[][24]);

#endif
