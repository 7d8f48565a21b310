/* hist_export: `telemetry export [--period P] [--format json|csv] [--table T]`
 * — the store's rows in the period, streamed row by row (a month is tens of
 * thousands of rows; nothing is held in memory). JSON: one document with a
 * member list and an array per table. CSV: one table (default samples) with
 * a header line. Units are in the column names. */
#include "history/hist.h"
#include "history/hist_int.h"

#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "core/clock.h"
#include "core/jsonutil.h"
#include "store/store.h"

#define ISO "strftime('%Y-%m-%dT%H:%M:%SZ', "

static const struct {
	const char *name, *sql;
} tables[] = {
	{ "samples", "WITH r AS (" HIST_ROWS_SQL ") SELECT " ISO "ts, 'unixepoch') AS time, ts,"
	  " span AS span_s, m.name AS member, sent, lost,"
	  " round(lost * 100.0 / nullif(sent, 0), 3) AS loss_pct, p50 / 10.0 AS latency_ms,"
	  " p95 / 10.0 AS p95_ms, jitter / 10.0 AS jitter_ms, score / 10.0 AS score, score_min,"
	  " up AS up_s, degraded AS degraded_s, down AS down_s, active AS active_s,"
	  " rx AS rx_bytes, tx AS tx_bytes, sl_drop / 100.0 AS dish_drop_pct,"
	  " sl_obstr / 100.0 AS dish_obstructed_pct, cell_rsrp / 10.0 AS modem_signal_dbm,"
	  " cell_sinr / 10.0 AS modem_sinr_db, wifi_signal / 10.0 AS wifi_signal_dbm"
	  " FROM r JOIN members m USING(mid) ORDER BY ts, mid" },
	{ "decisions", "SELECT " ISO "ts / 1000, 'unixepoch') AS time, ts / 1000 AS ts, type, cause,"
	  " from_m AS 'from', to_m AS 'to', reason, scores FROM decisions"
	  " WHERE ts >= ?5 AND ts < ?6 ORDER BY id" },
	{ "outages", "SELECT " ISO "start / 1000, 'unixepoch') AS time, start / 1000 AS ts,"
	  " m.name AS member, dur_ms / 1000.0 AS duration_s, active, cut, reason, place"
	  " FROM outages JOIN members m USING(mid) WHERE start >= ?5 AND start < ?6 ORDER BY id" },
	{ "events", "SELECT " ISO "ts / 1000, 'unixepoch') AS time, ts / 1000.0 AS ts,"
	  " CASE severity WHEN 0 THEN 'info' WHEN 1 THEN 'warning' WHEN 2 THEN 'critical'"
	  " ELSE 'emergency' END AS severity, type AS event, member, notify, text, fields"
	  " FROM events WHERE ts >= ?5 AND ts < ?6 ORDER BY id" },
	{ "usage", "SELECT " ISO "(k >> 6) * 3600, 'unixepoch') AS time, (k >> 6) * 3600 AS ts,"
	  " m.name AS member, cycle_start, used AS used_bytes, cap AS cap_bytes FROM usage"
	  " JOIN members m ON m.mid = (k & 63) WHERE k >= ?3 AND k < ?4 ORDER BY k" },
	{ "sys", "SELECT " ISO "k * 60, 'unixepoch') AS time, k * 60 AS ts, cpu / 10.0 AS cpu_pct,"
	  " rss_kb, lag / 10.0 AS loop_lag_ms_max, probes, store_cpu_us, flash_bytes FROM sys"
	  " WHERE k >= ?7 AND k < ?8 ORDER BY k" },
};

#define N_TABLES (sizeof(tables) / sizeof(tables[0]))

static void csv_str(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\n\r")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* A column holding JSON text (decisions' scores, events' fields) is
 * embedded as JSON in a JSON export. */
static bool json_column(const char *name)
{
	return strcmp(name, "scores") == 0 || strcmp(name, "fields") == 0;
}

static void value(FILE *f, sqlite3_stmt *st, int i, bool json)
{
	const char *name = sqlite3_column_name(st, i);
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_NULL:
		if (json)
			fputs("null", f);
		break;
	case SQLITE_INTEGER:
		fprintf(f, "%lld", (long long)sqlite3_column_int64(st, i));
		break;
	case SQLITE_FLOAT:
		fprintf(f, "%.10g", sqlite3_column_double(st, i));
		break;
	default: {
		const char *t = (const char *)sqlite3_column_text(st, i);
		if (json && json_column(name))
			fputs(t, f);
		else if (json)
			json_fput_str(f, t);
		else
			csv_str(f, t);
	}
	}
}

static void bind_all(sqlite3_stmt *st, const struct hist_q *q)
{
	hist_bind_rows(st, q);
	/* ?3/?4 are the hour keys (usage shares them); ?5/?6 ms; ?7/?8 minutes. */
	sqlite3_bind_int64(st, 5, q->from * 1000);
	sqlite3_bind_int64(st, 6, q->to * 1000);
	sqlite3_bind_int64(st, 7, q->from / 60);
	sqlite3_bind_int64(st, 8, q->to / 60);
}

static int rows(const struct hist_q *q, size_t t, bool json, FILE *f)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(store_db(q->s), tables[t].sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	bind_all(st, q);
	int cols = sqlite3_column_count(st), n = 0, rc;
	if (!json) {
		for (int i = 0; i < cols; i++)
			fprintf(f, "%s%s", i ? "," : "", sqlite3_column_name(st, i));
		fputc('\n', f);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (json)
			fputs(n ? ",\n{" : "\n{", f);
		for (int i = 0; i < cols; i++) {
			if (json) {
				fputs(i ? "," : "", f);
				json_fput_str(f, sqlite3_column_name(st, i));
				fputc(':', f);
			} else if (i) {
				fputc(',', f);
			}
			value(f, st, i, json);
		}
		fputs(json ? "}" : "\n", f);
		n++;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int export_json(const struct hist_q *q, FILE *f)
{
	char now[32];
	sqlite3_stmt *st;
	json_object *period = hist_period_json(q);
	fprintf(f, "{\"format\":\"autonomy-history/1\",\"exported\":\"%s\",\"period\":%s,"
		"\"members\":[", clock_iso8601(clock_wall_ms() / 1000, now, sizeof(now)),
		json_object_to_json_string_ext(period, JSON_C_TO_STRING_PLAIN));
	json_object_put(period);
	if (sqlite3_prepare_v2(store_db(q->s), "SELECT name, class, priority, metered, cap_mb "
			       "FROM members ORDER BY priority, name", -1, &st, NULL) != SQLITE_OK)
		return -1;
	for (int n = 0; sqlite3_step(st) == SQLITE_ROW; n++) {
		fputs(n ? ",\n{" : "\n{", f);
		for (int i = 0; i < 5; i++) {
			fputs(i ? "," : "", f);
			json_fput_str(f, sqlite3_column_name(st, i));
			fputc(':', f);
			value(f, st, i, true);
		}
		fputc('}', f);
	}
	sqlite3_finalize(st);
	fputs("]", f);
	for (size_t t = 0; t < N_TABLES; t++) {
		fprintf(f, ",\n\"%s\":[", tables[t].name);
		if (rows(q, t, true, f) < 0)
			return -1;
		fputs("]", f);
	}
	fputs("}\n", f);
	return 0;
}

int hist_export(const struct hist_q *q, const char *format, const char *table, FILE *out)
{
	int rc;
	if (!format || strcmp(format, "json") == 0) {
		rc = export_json(q, out);
	} else if (strcmp(format, "csv") == 0) {
		size_t t = 0;
		while (t < N_TABLES && strcmp(tables[t].name, table ? table : "samples"))
			t++;
		if (t == N_TABLES)
			return -1;
		rc = rows(q, t, false, out);
	} else {
		return -1;
	}
	return fflush(out) == 0 && !ferror(out) ? rc : -1;
}

bool hist_export_table_known(const char *table)
{
	for (size_t t = 0; t < N_TABLES; t++)
		if (strcmp(tables[t].name, table) == 0)
			return true;
	return false;
}
