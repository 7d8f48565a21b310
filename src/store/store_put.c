/* store_put: inserting rows (prepared once per connection) and the members
 * table. */
#include "store/store.h"
#include "store/store_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

static const char *const stmt_sql[ST_N] = {
	[ST_SAMPLE] = "INSERT OR IGNORE INTO samples VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[ST_SAMPLE_H] = "INSERT OR IGNORE INTO samples_hourly "
			"VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[ST_SYS] = "INSERT OR IGNORE INTO sys VALUES(?,?,?,?,?,?,?)",
	[ST_EVENT] = "INSERT INTO events(ts,severity,kind,type,member,notify,text,fields) "
		     "VALUES(?,?,?,?,?,?,?,?)",
	[ST_DECISION] = "INSERT INTO decisions(ts,type,cause,from_m,to_m,reason,scores) "
			"VALUES(?,?,?,?,?,?,?)",
	[ST_OUTAGE] = "INSERT INTO outages(start,dur_ms,mid,active,cut,reason,place) "
		      "VALUES(?,?,?,?,?,?,?)",
	[ST_USAGE] = "INSERT OR REPLACE INTO usage VALUES(?,?,?,?)",
};

static sqlite3_stmt *stmt(struct store *s, enum store_stmt_id id)
{
	if (!s->st[id] && sqlite3_prepare_v3(s->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
					     &s->st[id], NULL) != SQLITE_OK)
		return NULL;
	sqlite3_reset(s->st[id]);
	sqlite3_clear_bindings(s->st[id]);
	return s->st[id];
}

void store_stmts_free(struct store *s)
{
	for (int i = 0; i < ST_N; i++) {
		sqlite3_finalize(s->st[i]);
		s->st[i] = NULL;
	}
}

static int run(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* NULL for unknown figures; fixed point otherwise. */
static void bind_scaled(sqlite3_stmt *st, int i, double v, double scale)
{
	if (isfinite(v))
		sqlite3_bind_int64(st, i, llround(v * scale));
}

static void bind_count(sqlite3_stmt *st, int i, int64_t v)
{
	if (v >= 0)
		sqlite3_bind_int64(st, i, v);
}

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v && v[0])
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
}

void store_sample_init(struct store_sample *x, int64_t ts, unsigned span_s)
{
	memset(x, 0, sizeof(*x));
	x->ts = ts;
	x->span_s = span_s;
	x->sent = x->lost = -1;
	x->p50_ms = x->p95_ms = x->jitter_ms = x->score_avg = NAN;
	x->score_min = -1;
	x->rx = x->tx = -1;
	x->sl_drop = x->sl_obstructed = x->cell_rsrp = x->cell_sinr = x->wifi_signal = NAN;
}

int store_put_sample(struct store *s, const struct store_sample *x, bool hourly)
{
	sqlite3_stmt *st = stmt(s, hourly ? ST_SAMPLE_H : ST_SAMPLE);
	if (!st || x->mid < 1 || x->mid > STORE_MAX_MID)
		return -1;
	int64_t slot = x->ts / (hourly ? 3600 : 60);
	sqlite3_bind_int64(st, 1, slot << 6 | x->mid);
	bind_count(st, 2, x->sent);
	bind_count(st, 3, x->lost);
	bind_scaled(st, 4, x->p50_ms, STORE_MS_SCALE);
	bind_scaled(st, 5, x->p95_ms, STORE_MS_SCALE);
	bind_scaled(st, 6, x->jitter_ms, STORE_MS_SCALE);
	bind_scaled(st, 7, x->score_avg, STORE_SCORE_SCALE);
	bind_count(st, 8, x->score_min);
	bind_count(st, 9, x->up_s);
	bind_count(st, 10, x->degraded_s);
	bind_count(st, 11, x->down_s);
	bind_count(st, 12, x->active_s);
	bind_count(st, 13, x->rx);
	bind_count(st, 14, x->tx);
	bind_scaled(st, 15, x->sl_drop, STORE_FRAC_SCALE);
	bind_scaled(st, 16, x->sl_obstructed, STORE_FRAC_SCALE);
	bind_scaled(st, 17, x->cell_rsrp, STORE_DB_SCALE);
	bind_scaled(st, 18, x->cell_sinr, STORE_DB_SCALE);
	bind_scaled(st, 19, x->wifi_signal, STORE_DB_SCALE);
	return run(st);
}

int store_put_sys(struct store *s, const struct store_sys *x)
{
	sqlite3_stmt *st = stmt(s, ST_SYS);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, x->ts / 60);
	bind_scaled(st, 2, x->cpu_pct, 10.0);
	bind_count(st, 3, x->rss_kb);
	bind_scaled(st, 4, x->lag_max_ms, 10.0);
	bind_count(st, 5, x->probes);
	bind_count(st, 6, x->store_cpu_us);
	bind_count(st, 7, x->flash_bytes);
	return run(st);
}

int store_put_event(struct store *s, const struct store_event *e)
{
	sqlite3_stmt *st = stmt(s, ST_EVENT);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, e->ts_ms);
	sqlite3_bind_int(st, 2, e->severity);
	sqlite3_bind_int(st, 3, e->kind);
	bind_text(st, 4, e->type);
	bind_text(st, 5, e->member);
	sqlite3_bind_int(st, 6, e->notify);
	bind_text(st, 7, e->text);
	/* An empty object is the common case: not stored. */
	if (e->fields && strcmp(e->fields, "{ }") && strcmp(e->fields, "{}"))
		bind_text(st, 8, e->fields);
	return run(st);
}

int store_put_decision(struct store *s, const struct store_decision *d)
{
	sqlite3_stmt *st = stmt(s, ST_DECISION);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, d->ts_ms);
	bind_text(st, 2, d->type);
	bind_text(st, 3, d->cause);
	bind_text(st, 4, d->from);
	bind_text(st, 5, d->to);
	bind_text(st, 6, d->reason);
	bind_text(st, 7, d->scores);
	return run(st);
}

int store_put_outage(struct store *s, const struct store_outage *o)
{
	sqlite3_stmt *st = stmt(s, ST_OUTAGE);
	int mid = store_member_find(s, o->member);
	if (!st || mid < 1)
		return -1;
	sqlite3_bind_int64(st, 1, o->start_ms);
	sqlite3_bind_int64(st, 2, o->dur_ms);
	sqlite3_bind_int(st, 3, mid);
	sqlite3_bind_int(st, 4, o->active);
	sqlite3_bind_int(st, 5, o->cut);
	bind_text(st, 6, o->reason);
	bind_text(st, 7, o->place);
	return run(st);
}

int store_put_usage(struct store *s, const struct store_usage *u)
{
	sqlite3_stmt *st = stmt(s, ST_USAGE);
	int mid = store_member_find(s, u->member);
	if (!st || mid < 1)
		return -1;
	sqlite3_bind_int64(st, 1, (u->ts / 3600) << 6 | mid);
	sqlite3_bind_int64(st, 2, u->cycle_start);
	sqlite3_bind_int64(st, 3, u->used);
	sqlite3_bind_int64(st, 4, u->cap);
	return run(st);
}

int store_begin(struct store *s)
{
	int rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
		return 1;
	return rc == SQLITE_OK ? 0 : -1;
}

int store_commit(struct store *s)
{
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
		return 0;
	store_rollback(s);
	return -1;
}

void store_rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/* ---- members ---- */

int store_member_find(struct store *s, const char *name)
{
	sqlite3_stmt *st;
	int mid = 0;
	if (sqlite3_prepare_v2(s->db, "SELECT mid FROM members WHERE name=?", -1, &st, NULL))
		return 0;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		mid = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return mid;
}

/* A free id: the lowest unused, else one whose member has no rows left. */
static int free_mid(struct store *s)
{
	int64_t mid = store_int(s, "SELECT min(a.mid + 1) FROM (SELECT 0 AS mid UNION ALL "
			       "SELECT mid FROM members) a WHERE a.mid + 1 NOT IN "
			       "(SELECT mid FROM members)", 0, NULL);
	if (mid >= 1 && mid <= STORE_MAX_MID)
		return (int)mid;
	mid = store_int(s, "SELECT mid FROM members m WHERE "
			"NOT EXISTS (SELECT 1 FROM samples WHERE k & 63 = m.mid) AND "
			"NOT EXISTS (SELECT 1 FROM samples_hourly WHERE k & 63 = m.mid) AND "
			"NOT EXISTS (SELECT 1 FROM outages WHERE mid = m.mid) AND "
			"NOT EXISTS (SELECT 1 FROM usage WHERE k & 63 = m.mid) LIMIT 1", 0, NULL);
	if (mid < 1)
		return 0;
	char sql[64];
	snprintf(sql, sizeof(sql), "DELETE FROM members WHERE mid=%d", (int)mid);
	return store_exec(s, sql) == 0 ? (int)mid : 0;
}

int store_member_id(struct store *s, const struct store_member *m)
{
	sqlite3_stmt *st;
	int mid = store_member_find(s, m->name);
	if (!mid && !(mid = free_mid(s)))
		return 0;
	if (sqlite3_prepare_v2(s->db, "INSERT INTO members VALUES(?1,?2,?3,?4,?5,?6) "
			       "ON CONFLICT(mid) DO UPDATE SET class=?3, priority=?4, metered=?5, "
			       "cap_mb=?6", -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_int(st, 1, mid);
	sqlite3_bind_text(st, 2, m->name, -1, SQLITE_STATIC);
	bind_text(st, 3, m->cls);
	sqlite3_bind_int(st, 4, m->priority);
	sqlite3_bind_int(st, 5, m->metered);
	sqlite3_bind_int64(st, 6, m->cap_mb);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? mid : 0;
}
