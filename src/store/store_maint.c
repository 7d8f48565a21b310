/* store_maint: thinning, retention, size cap, vacuum (store_maint.h). */
#include "store/store_maint.h"
#include "store/store_int.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#define CHUNK 4000              /* rows deleted per transaction */
#define HOURS_PER_PASS 24 * 40  /* thinning backlog worked off per pass */

const char *store_table_name(int i)
{
	return i >= 0 && i < STORE_N_TABLES ? store_tables[i] : NULL;
}

static int table_index(const char *t)
{
	for (int i = 0; i < STORE_N_TABLES; i++)
		if (strcmp(store_tables[i], t) == 0)
			return i;
	return -1;
}

int64_t store_used_bytes(struct store *s)
{
	return (store_int(s, "PRAGMA page_count", 0, NULL) -
		store_int(s, "PRAGMA freelist_count", 0, NULL)) *
	       store_int(s, "PRAGMA page_size", 0, NULL);
}

static int64_t file_size(struct store *s)
{
	struct stat st;
	return stat(store_path(s), &st) == 0 ? (int64_t)st.st_size : 0;
}

/* Runs sql (with ?1 = a) in its own transaction: 0, 1 busy, -1 error; *n
 * gets the rows changed. */
static int step_tx(struct store *s, const char *sql, int64_t a, int64_t *n)
{
	sqlite3_stmt *st;
	int rc = store_begin(s);
	if (rc)
		return rc;
	if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) != SQLITE_OK) {
		store_rollback(s);
		return -1;
	}
	sqlite3_bind_int64(st, 1, a);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		store_rollback(s);
		return (rc & 0xff) == SQLITE_BUSY ? 1 : -1;
	}
	if (n)
		*n = sqlite3_changes(store_db(s));
	return store_commit(s);
}

/* An hour of minute rows into one row per member (sums of counts and
 * seconds; latencies weighted by replies, the score by measured seconds,
 * telemetry averaged), then the minute rows deleted, in one transaction. */
static const char *const thin_sql =
	"INSERT OR IGNORE INTO samples_hourly SELECT"
	" ((k >> 6) / 60) << 6 | (k & 63), sum(sent), sum(lost),"
	" CAST(round(sum(p50 * (sent - lost)) * 1.0 /"
	"   nullif(sum(CASE WHEN p50 IS NOT NULL THEN sent - lost END), 0)) AS INT),"
	" CAST(round(sum(p95 * (sent - lost)) * 1.0 /"
	"   nullif(sum(CASE WHEN p95 IS NOT NULL THEN sent - lost END), 0)) AS INT),"
	" CAST(round(sum(jitter * (sent - lost)) * 1.0 /"
	"   nullif(sum(CASE WHEN jitter IS NOT NULL THEN sent - lost END), 0)) AS INT),"
	" CAST(round(coalesce(sum(score * (up + degraded + down)) * 1.0 /"
	"   nullif(sum(CASE WHEN score IS NOT NULL THEN up + degraded + down END), 0),"
	"   avg(score))) AS INT),"
	" min(score_min), sum(up), sum(degraded), sum(down), sum(active), sum(rx), sum(tx),"
	" CAST(round(avg(sl_drop)) AS INT), CAST(round(avg(sl_obstr)) AS INT),"
	" CAST(round(avg(cell_rsrp)) AS INT), CAST(round(avg(cell_sinr)) AS INT),"
	" CAST(round(avg(wifi_signal)) AS INT)"
	" FROM samples WHERE k >= ?1 AND k < ?2 GROUP BY k & 63";

static int thin_hour(struct store *s, int64_t hour_s, struct store_maint_result *res)
{
	sqlite3_stmt *st;
	int64_t lo = (hour_s / 60) << 6, hi = ((hour_s + 3600) / 60) << 6;
	int rc = store_begin(s);
	if (rc)
		return rc;
	if (sqlite3_prepare_v2(store_db(s), thin_sql, -1, &st, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(st, 1, lo);
	sqlite3_bind_int64(st, 2, hi);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		goto fail;
	res->thinned_hours += sqlite3_changes(store_db(s));
	if (sqlite3_prepare_v2(store_db(s), "DELETE FROM samples WHERE k < ?1", -1, &st, NULL))
		goto fail;
	sqlite3_bind_int64(st, 1, hi);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		goto fail;
	res->deleted[0] += sqlite3_changes(store_db(s));
	return store_commit(s);
fail:
	store_rollback(s);
	return (sqlite3_errcode(store_db(s)) & 0xff) == SQLITE_BUSY ? 1 : -1;
}

/* Minute rows of hours that ended before cutoff_s become hourly rows. */
static int thin(struct store *s, int64_t cutoff_s, struct store_maint_result *res)
{
	cutoff_s -= cutoff_s % 3600;
	for (int i = 0; i < HOURS_PER_PASS; i++) {
		int rc;
		int64_t k = store_int(s, "SELECT min(k) FROM samples", -1, &rc);
		if (rc != SQLITE_OK)
			return -1;
		if (k < 0)
			return 0;
		int64_t hour = (k >> 6) * 60;
		hour -= hour % 3600;
		if (hour + 3600 > cutoff_s)
			return 0;
		if ((rc = thin_hour(s, hour, res)) != 0)
			return rc;
	}
	return 0;
}

/* How each table's rows are dated: by a time column in ms, or by a key
 * made from the minute or the hour (with the member id in 6 low bits). */
enum dating { BY_MS, BY_MINUTE, BY_MINUTE_MID, BY_HOUR_MID };

static const struct {
	const char *table, *col;
	enum dating by;
} dating[] = {
	{ "samples", "rowid", BY_MINUTE_MID }, { "samples_hourly", "rowid", BY_HOUR_MID },
	{ "sys", "rowid", BY_MINUTE }, { "events", "ts", BY_MS }, { "decisions", "ts", BY_MS },
	{ "outages", "start", BY_MS }, { "usage", "rowid", BY_HOUR_MID },
};

/* Deletes rows of a table dated before t (Unix s), in chunks. */
static int expire(struct store *s, const char *table, int64_t t, struct store_maint_result *res)
{
	char sql[200];
	int64_t bound = t;
	size_t d = 0;
	while (d < sizeof(dating) / sizeof(dating[0]) - 1 && strcmp(dating[d].table, table))
		d++;
	switch (dating[d].by) {
	case BY_MS: bound = t * 1000; break;
	case BY_MINUTE: bound = t / 60; break;
	case BY_MINUTE_MID: bound = (t / 60) << 6; break;
	case BY_HOUR_MID: bound = (t / 3600) << 6; break;
	}
	snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE rowid IN (SELECT rowid FROM %s "
		 "WHERE %s < ?1 LIMIT %d)", table, table, dating[d].col, CHUNK);
	for (;;) {
		int64_t n = 0;
		int rc = step_tx(s, sql, bound, &n);
		if (rc)
			return rc;
		res->deleted[table_index(table)] += n;
		if (n < CHUNK)
			return 0;
	}
}

static int retention(struct store *s, const struct store_retention *r,
		     struct store_maint_result *res)
{
	int64_t tel = r->now_s - (int64_t)r->telemetry_days * 86400;
	int64_t log = r->now_s - (int64_t)r->log_days * 86400;
	int64_t all = r->older_than_s > 0 ? r->now_s - r->older_than_s : INT64_MIN;
	static const char *const tel_tables[] = {
		"samples_hourly", "sys", "decisions", "outages", "usage",
	};
	int rc;
	for (size_t i = 0; i < sizeof(tel_tables) / sizeof(tel_tables[0]); i++)
		if ((rc = expire(s, tel_tables[i], tel > all ? tel : all, res)) != 0)
			return rc;
	if ((rc = expire(s, "events", log > all ? log : all, res)) != 0)
		return rc;
	/* Minute rows older than the retention are not thinned: they go. */
	return expire(s, "samples", tel > all ? tel : all, res);
}

/* Over the cap: thin minute rows early, then drop the oldest day of
 * everything, until the store uses less than 90 % of the cap. */
static int cap(struct store *s, const struct store_retention *r, struct store_maint_result *res)
{
	if (r->max_bytes <= 0)
		return 0;
	for (int guard = 0; guard < 400 && store_used_bytes(s) > r->max_bytes * 9 / 10; guard++) {
		int rc;
		int64_t k = store_int(s, "SELECT min(k) FROM samples", -1, NULL);
		if (k >= 0) {
			int64_t hour = (k >> 6) * 60;
			hour -= hour % 3600;
			/* A day of minute rows at a time. */
			if ((rc = thin(s, hour + 86400, res)) != 0)
				return rc;
			continue;
		}
		int64_t oldest = INT64_MAX, t;
		static const char *const q[] = {
			"SELECT min(k >> 6) * 3600 FROM samples_hourly", "SELECT min(k) * 60 FROM sys",
			"SELECT min(ts) / 1000 FROM events", "SELECT min(ts) / 1000 FROM decisions",
			"SELECT min(start) / 1000 FROM outages",
			"SELECT min(k >> 6) * 3600 FROM usage",
		};
		for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++)
			if ((t = store_int(s, q[i], INT64_MAX, NULL)) < oldest)
				oldest = t;
		if (oldest == INT64_MAX)
			return 0;
		struct store_retention day = *r;
		day.older_than_s = r->now_s - (oldest + 86400);
		if (day.older_than_s <= 0)
			day.older_than_s = 1;
		if ((rc = retention(s, &day, res)) != 0)
			return rc;
	}
	return 0;
}

int store_maintain(struct store *s, const struct store_retention *r,
		   struct store_maint_result *res)
{
	int rc;
	memset(res, 0, sizeof(*res));
	res->bytes_before = store_used_bytes(s);
	res->file_before = file_size(s);
	if ((rc = thin(s, r->now_s - (int64_t)r->raw_days * 86400, res)) == 0 &&
	    (rc = retention(s, r, res)) == 0)
		rc = cap(s, r, res);
	res->bytes_after = store_used_bytes(s);
	res->file_after = file_size(s);
	return rc;
}

int store_wal_trim(struct store *s, int64_t max_bytes)
{
	char wal[4200];
	struct stat st;
	snprintf(wal, sizeof(wal), "%s-wal", store_path(s));
	if (stat(wal, &st) < 0 || st.st_size <= max_bytes)
		return 0;
	return store_exec(s, "PRAGMA wal_checkpoint(TRUNCATE)") == 0 ? 1 : -1;
}

int store_vacuum(struct store *s, struct store_maint_result *res)
{
	int rc = store_exec(s, "VACUUM");
	/* The WAL holds the rewritten pages until a checkpoint: move them into
	 * the file so that it actually shrinks now. */
	if (rc == 0)
		store_exec(s, "PRAGMA wal_checkpoint(TRUNCATE)");
	res->bytes_after = store_used_bytes(s);
	res->file_after = file_size(s);
	return rc;
}
