/* store_copy: bringing one store up to date from another (the durable copy
 * from the working one, and the working one from the durable after a
 * reboot). Rows are copied value by value between two connections, so each
 * store keeps its own settings (the durable one its small pages). */
#include "store/store_maint.h"
#include "store/store_int.h"

#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

static int copy_rows(struct store *src, struct store *dst, const char *table, int64_t after,
		     int64_t *n)
{
	char sql[160];
	sqlite3_stmt *rd = NULL, *wr = NULL;
	int rc = -1;
	snprintf(sql, sizeof(sql), "SELECT * FROM %s WHERE rowid > ?1 ORDER BY rowid", table);
	if (sqlite3_prepare_v2(store_db(src), sql, -1, &rd, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(rd, 1, after);
	int cols = sqlite3_column_count(rd);
	int len = snprintf(sql, sizeof(sql), "INSERT OR IGNORE INTO %s VALUES(", table);
	for (int i = 0; i < cols && len < (int)sizeof(sql) - 4; i++)
		len += snprintf(sql + len, sizeof(sql) - (size_t)len, i ? ",?" : "?");
	snprintf(sql + len, sizeof(sql) - (size_t)len, ")");
	if (sqlite3_prepare_v2(store_db(dst), sql, -1, &wr, NULL) != SQLITE_OK)
		goto out;
	*n = 0;
	while ((rc = sqlite3_step(rd)) == SQLITE_ROW) {
		for (int i = 0; i < cols; i++)
			sqlite3_bind_value(wr, i + 1, sqlite3_column_value(rd, i));
		if (sqlite3_step(wr) != SQLITE_DONE) {
			rc = -1;
			goto out;
		}
		sqlite3_reset(wr);
		(*n)++;
	}
	rc = rc == SQLITE_DONE ? 0 : -1;
out:
	sqlite3_finalize(rd);
	sqlite3_finalize(wr);
	return rc;
}

/* The members table as one string, to see whether it changed. */
static void members_text(struct store *s, char *buf, size_t size)
{
	sqlite3_stmt *st;
	buf[0] = '\0';
	if (sqlite3_prepare_v2(store_db(s), "SELECT group_concat(mid || '|' || name || '|' || "
			       "ifnull(class,'') || '|' || ifnull(priority,'') || '|' || "
			       "ifnull(metered,'') || '|' || ifnull(cap_mb,''), ';') FROM "
			       "(SELECT * FROM members ORDER BY mid)", -1, &st, NULL) != SQLITE_OK)
		return;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(buf, size, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

static int copy_members(struct store *src, struct store *dst)
{
	char a[4096], b[4096];
	int64_t n;
	members_text(src, a, sizeof(a));
	members_text(dst, b, sizeof(b));
	if (strcmp(a, b) == 0)
		return 0;
	if (store_exec(dst, "DELETE FROM members") < 0)
		return -1;
	return copy_rows(src, dst, "members", INT64_MIN, &n);
}

bool store_is_empty(struct store *s)
{
	if (store_count(s, "members") != 0)
		return false;
	for (int i = 0; i < STORE_N_TABLES; i++)
		if (store_count(s, store_tables[i]) != 0)
			return false;
	return true;
}

int store_copy_new(struct store *src, struct store *dst, bool dst_fresh, int64_t *copied,
		   char *err, size_t errsz)
{
	uint64_t sid = store_id(src), did = store_id(dst);
	/* Created and killed before its first copy: still anybody's. */
	if (!dst_fresh && sid != did && store_is_empty(dst))
		dst_fresh = true;
	if (!dst_fresh && sid != did) {
		snprintf(err, errsz, "%s belongs to another store (id %016llx, not %016llx): "
			 "is another autonomyd using the same directory?", store_path(dst),
			 (unsigned long long)did, (unsigned long long)sid);
		return -1;
	}
	int rc = store_begin(dst);
	if (rc) {
		snprintf(err, errsz, "%s: %s", store_path(dst),
			 rc == 1 ? "busy" : store_errmsg(dst));
		return -1;
	}
	/* One read transaction on the source: a consistent snapshot. */
	store_exec(src, "BEGIN");
	if (dst_fresh)
		store_set_id(dst, sid);
	rc = copy_members(src, dst);
	for (int i = 0; rc == 0 && i < STORE_N_TABLES; i++) {
		int64_t n = 0;
		rc = copy_rows(src, dst, store_tables[i], store_max_key(dst, store_tables[i]), &n);
		if (copied)
			copied[i] = n;
	}
	store_exec(src, "COMMIT");
	if (rc == 0 && store_commit(dst) == 0)
		return 0;
	snprintf(err, errsz, "copying into %s: %s", store_path(dst), store_errmsg(dst));
	store_rollback(dst);
	return -1;
}

int store_sync_durable(struct store *work, const char *path, unsigned flags,
		       const struct store_retention *r, bool checkpoint,
		       struct store_open_info *info, int64_t *copied,
		       struct store_maint_result *m, char *err, size_t errsz)
{
	struct store_open_info dummy;
	struct store_maint_result mdummy;
	if (!info)
		info = &dummy;
	if (!m)
		m = &mdummy;
	memset(m, 0, sizeof(*m));
	struct store *d = store_open(path, STORE_DURABLE, flags, info, err, errsz);
	if (!d)
		return -1;
	int rc = store_copy_new(work, d, info->created, copied, err, errsz);
	if (rc == 0 && r && store_maintain(d, r, m) < 0) {
		snprintf(err, errsz, "%s: %s", path, store_errmsg(d));
		rc = -1;
	}
	if (rc == 0 && store_wal_trim(d, checkpoint ? 0 : STORE_DURABLE_WAL_MAX) < 0) {
		snprintf(err, errsz, "%s: checkpoint: %s", path, store_errmsg(d));
		rc = -1;
	}
	store_close(d);
	return rc;
}
