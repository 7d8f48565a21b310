/* store_db: opening, creating and validating a store; bad files moved aside. */
#include "store/store.h"
#include "store/store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

/* The minute and hour sample tables share their columns. */
#define SAMPLE_COLS "(k INTEGER PRIMARY KEY, sent INT, lost INT, p50 INT, p95 INT, " \
	"jitter INT, score INT, score_min INT, up INT, degraded INT, down INT, active INT, " \
	"rx INT, tx INT, sl_drop INT, sl_obstr INT, cell_rsrp INT, cell_sinr INT, wifi_signal INT)"

static const char *const schema_sql =
	"CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS members(mid INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
	" class TEXT, priority INT, metered INT, cap_mb INT);"
	"CREATE TABLE IF NOT EXISTS samples" SAMPLE_COLS ";"
	"CREATE TABLE IF NOT EXISTS samples_hourly" SAMPLE_COLS ";"
	"CREATE TABLE IF NOT EXISTS sys(k INTEGER PRIMARY KEY, cpu INT, rss_kb INT, lag INT,"
	" probes INT, store_cpu_us INT, flash_bytes INT);"
	"CREATE TABLE IF NOT EXISTS events(id INTEGER PRIMARY KEY AUTOINCREMENT, ts INT,"
	" severity INT, kind INT, type TEXT, member TEXT, notify INT, text TEXT, fields TEXT);"
	"CREATE TABLE IF NOT EXISTS decisions(id INTEGER PRIMARY KEY AUTOINCREMENT, ts INT,"
	" type TEXT, cause TEXT, from_m TEXT, to_m TEXT, reason TEXT, scores TEXT);"
	"CREATE TABLE IF NOT EXISTS outages(id INTEGER PRIMARY KEY AUTOINCREMENT, start INT,"
	" dur_ms INT, mid INT, active INT, cut INT, reason TEXT, place TEXT);"
	"CREATE TABLE IF NOT EXISTS usage(k INTEGER PRIMARY KEY, cycle_start INT, used INT,"
	" cap INT);";

/* Every table and its columns, as the schema above makes them: a file with
 * anything else (other tables, triggers, views, other columns) is not ours. */
static const char *const expected[][2] = {
	{ "meta", "k,v" },
	{ "members", "mid,name,class,priority,metered,cap_mb" },
	{ "samples", "k,sent,lost,p50,p95,jitter,score,score_min,up,degraded,down,active,rx,tx,"
	  "sl_drop,sl_obstr,cell_rsrp,cell_sinr,wifi_signal" },
	{ "samples_hourly", "k,sent,lost,p50,p95,jitter,score,score_min,up,degraded,down,active,"
	  "rx,tx,sl_drop,sl_obstr,cell_rsrp,cell_sinr,wifi_signal" },
	{ "sys", "k,cpu,rss_kb,lag,probes,store_cpu_us,flash_bytes" },
	{ "events", "id,ts,severity,kind,type,member,notify,text,fields" },
	{ "decisions", "id,ts,type,cause,from_m,to_m,reason,scores" },
	{ "outages", "id,start,dur_ms,mid,active,cut,reason,place" },
	{ "usage", "k,cycle_start,used,cap" },
};

/* Tables with rows (not meta, members). */
const char *const store_tables[] = {
	"samples", "samples_hourly", "sys", "events", "decisions", "outages", "usage", NULL,
};

struct sqlite3 *store_db(struct store *s)
{
	return s->db;
}

const char *store_path(const struct store *s)
{
	return s->path;
}

enum store_mode store_mode(const struct store *s)
{
	return s->mode;
}

void store_set_busy_timeout(struct store *s, int ms)
{
	sqlite3_busy_timeout(s->db, ms);
}

const char *store_errmsg(struct store *s)
{
	return s && s->db ? sqlite3_errmsg(s->db) : "no database";
}

int store_exec(struct store *s, const char *sql)
{
	return sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/* The first column of the first row of sql as an integer; dflt when there
 * is no row or on error (*rc gets the SQLite result when rc is not NULL). */
int64_t store_int(struct store *s, const char *sql, int64_t dflt, int *rc)
{
	sqlite3_stmt *st;
	int r = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	int64_t v = dflt;
	if (r == SQLITE_OK) {
		r = sqlite3_step(st);
		if (r == SQLITE_ROW) {
			if (sqlite3_column_type(st, 0) != SQLITE_NULL)
				v = sqlite3_column_int64(st, 0);
			r = SQLITE_OK;
		} else if (r == SQLITE_DONE) {
			r = SQLITE_OK;
		}
		sqlite3_finalize(st);
	}
	if (rc)
		*rc = r;
	return v;
}

int64_t store_int_query(struct store *s, const char *sql, int *rc)
{
	return store_int(s, sql, -1, rc);
}

int64_t store_max_key(struct store *s, const char *table)
{
	char sql[96];
	snprintf(sql, sizeof(sql), "SELECT max(rowid) FROM %s", table);
	return store_int(s, sql, 0, NULL);
}

int64_t store_count(struct store *s, const char *table)
{
	char sql[96];
	int rc;
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	int64_t n = store_int(s, sql, -1, &rc);
	return rc == SQLITE_OK ? n : -1;
}

int64_t store_size_bytes(struct store *s)
{
	return store_int(s, "PRAGMA page_count", 0, NULL) * store_int(s, "PRAGMA page_size", 0, NULL);
}

uint64_t store_id(struct store *s)
{
	return (uint64_t)store_int(s, "SELECT v FROM meta WHERE k='store_id'", 0, NULL);
}

void store_set_id(struct store *s, uint64_t id)
{
	char sql[96];
	snprintf(sql, sizeof(sql), "INSERT OR REPLACE INTO meta VALUES('store_id', %lld)",
		 (long long)(id & INT64_MAX));
	store_exec(s, sql);
}

int store_move_aside(const char *path, char *aside, size_t size)
{
	char stamp[32], from[4200], to[4200];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(aside, size, "%s.bad-%s", path, stamp);
	if (rename(path, aside) < 0 && errno != ENOENT)
		return -1;
	/* The write-ahead log belongs to the bad file; the shared-memory index
	 * is rebuilt from the WAL and would only describe the old one. */
	snprintf(from, sizeof(from), "%s-wal", path);
	snprintf(to, sizeof(to), "%s-wal", aside);
	if (rename(from, to) < 0 && errno != ENOENT)
		unlink(from);
	snprintf(from, sizeof(from), "%s-shm", path);
	unlink(from);
	return 0;
}

static void set_err(char *err, size_t errsz, const char *path, const char *msg)
{
	if (err && errsz)
		snprintf(err, errsz, "%s: %s", path, msg);
}

static int open_raw(struct store *s, char *err, size_t errsz)
{
	char uri[4200];
	int flags = SQLITE_OPEN_NOMUTEX;
	const char *name = s->path;
	switch (s->mode) {
	case STORE_WORK:
	case STORE_DURABLE:
		flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
		break;
	case STORE_READ:
		flags |= SQLITE_OPEN_READONLY;
		break;
	case STORE_READ_IMMUTABLE:
		/* No daemon runs: read the file as it is, without creating -shm or
		 * -wal next to it (it may be on flash). */
		flags |= SQLITE_OPEN_READONLY | SQLITE_OPEN_URI;
		snprintf(uri, sizeof(uri), "file:%s?immutable=1", s->path);
		name = uri;
		break;
	}
	/* Only the flash copy's writes are counted. */
	const char *vfs = s->mode == STORE_DURABLE ? store_vfs_name() : NULL;
	if (sqlite3_open_v2(name, &s->db, flags, vfs) != SQLITE_OK) {
		set_err(err, errsz, s->path, s->db ? sqlite3_errmsg(s->db) : "out of memory");
		return -1;
	}
	sqlite3_extended_result_codes(s->db, 1);
	/* A file may come from anywhere (--store FILE): its schema gets no
	 * power to run functions, and nothing may corrupt it on purpose. */
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	/* Before the first read: an existing WAL is then recovered into memory
	 * rather than into a new -shm file. */
	if (s->mode == STORE_DURABLE) {
		sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
		if (store_exec(s, "PRAGMA main.locking_mode=EXCLUSIVE") < 0) {
			set_err(err, errsz, s->path, sqlite3_errmsg(s->db));
			return -1;
		}
	}
	return 0;
}

/* Mode settings. The durable copy takes an exclusive lock, which keeps
 * SQLite's WAL index in memory instead of a -shm file on flash (a mapped
 * file that would be written back constantly), and skips the checkpoint at
 * close so that each sync appends to the WAL and pages are copied into the
 * database only every STORE_DURABLE_CKPT pages. */
static int configure(struct store *s, bool fresh, unsigned flags)
{
	char sql[160];
	if (s->mode == STORE_READ || s->mode == STORE_READ_IMMUTABLE)
		return store_exec(s, "PRAGMA query_only=1");
	if (s->mode == STORE_DURABLE) {
		if (fresh) {
			snprintf(sql, sizeof(sql), "PRAGMA page_size=%d", STORE_DURABLE_PAGE);
			store_exec(s, sql);
		}
		return store_exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
				  "PRAGMA wal_autocheckpoint=0");
	}
	if (fresh)
		store_exec(s, "PRAGMA page_size=4096");
	/* RAM: a crash of the daemon keeps what the kernel has; only a power
	 * loss loses it, and then the durable copy is what counts. On disk
	 * (no run_dir) WAL's NORMAL sync: a power cut may lose the newest
	 * commits, never the file. */
	return store_exec(s, flags & STORE_PERSISTENT ?
			  "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL" :
			  "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF");
}

enum verdict { V_OK, V_EMPTY, V_BAD, V_ERROR };

static bool schema_is_ours(struct store *s, char *why, size_t size)
{
	sqlite3_stmt *st;
	char sql[200];
	int rc;
	/* Our tables and what SQLite adds for them, nothing else. */
	int64_t other = store_int(s, "SELECT count(*) FROM sqlite_schema WHERE NOT ("
				  "(type = 'table' AND name IN ('meta','members','samples',"
				  "'samples_hourly','sys','events','decisions','outages','usage',"
				  "'sqlite_sequence')) OR (type = 'index' AND name LIKE "
				  "'sqlite_autoindex_%'))", -1, &rc);
	if (rc != SQLITE_OK || other != 0) {
		snprintf(why, size, "damaged or foreign schema (%lld objects that are not ours)",
			 (long long)other);
		return false;
	}
	for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
		snprintf(sql, sizeof(sql), "SELECT group_concat(name) FROM "
			 "(SELECT name FROM pragma_table_info('%s') ORDER BY cid)", expected[i][0]);
		if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
			return false;
		bool ok = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) &&
			  strcmp((const char *)sqlite3_column_text(st, 0), expected[i][1]) == 0;
		sqlite3_finalize(st);
		if (!ok) {
			snprintf(why, size, "table %s is missing or not ours", expected[i][0]);
			return false;
		}
	}
	return true;
}

/* Is this our store? V_ERROR for a file we cannot judge (locked, I/O). */
static enum verdict judge(struct store *s, bool check, char *why, size_t size)
{
	int rc;
	int64_t app = store_int(s, "PRAGMA application_id", 0, &rc);
	if (rc == SQLITE_NOTADB) {
		snprintf(why, size, "not a SQLite database");
		return V_BAD;
	}
	if ((rc & 0xff) == SQLITE_CORRUPT) {
		snprintf(why, size, "damaged: %s", sqlite3_errmsg(s->db));
		return V_BAD;
	}
	if (rc != SQLITE_OK) {
		snprintf(why, size, "%s", sqlite3_errmsg(s->db));
		return V_ERROR;
	}
	int64_t ver = store_int(s, "PRAGMA user_version", 0, NULL);
	int64_t objs = store_int(s, "SELECT count(*) FROM sqlite_schema", 0, &rc);
	if (rc == SQLITE_NOTADB || (rc & 0xff) == SQLITE_CORRUPT) {
		snprintf(why, size, "damaged: %s", sqlite3_errmsg(s->db));
		return V_BAD;
	}
	if (app == 0 && objs == 0)
		return V_EMPTY;
	if (app != STORE_APP_ID) {
		snprintf(why, size, "another application's database (application_id %lld)",
			 (long long)app);
		return V_BAD;
	}
	if (ver > STORE_SCHEMA || ver < 1) {
		snprintf(why, size, "schema version %lld (this autonomy knows %d)", (long long)ver,
			 STORE_SCHEMA);
		return V_BAD;
	}
	if (!schema_is_ours(s, why, size))
		return V_BAD;
	if (!check)
		return V_OK;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, "PRAGMA quick_check(1)", -1, &st, NULL) != SQLITE_OK) {
		snprintf(why, size, "quick check: %s", sqlite3_errmsg(s->db));
		return V_BAD;
	}
	rc = sqlite3_step(st);
	const unsigned char *r = rc == SQLITE_ROW ? sqlite3_column_text(st, 0) : NULL;
	enum verdict v = r && strcmp((const char *)r, "ok") == 0 ? V_OK : V_BAD;
	if (v == V_BAD)
		snprintf(why, size, "quick check failed: %s", r ? (const char *)r :
			 sqlite3_errmsg(s->db));
	sqlite3_finalize(st);
	return v;
}

static int create_schema(struct store *s)
{
	char sql[160];
	uint64_t id = 0;
	if (getrandom(&id, sizeof(id), GRND_NONBLOCK) != sizeof(id))
		id = (uint64_t)time(NULL) * 2654435761u ^ (uint64_t)getpid();
	snprintf(sql, sizeof(sql), "PRAGMA application_id=%d; PRAGMA user_version=%d",
		 STORE_APP_ID, STORE_SCHEMA);
	if (store_exec(s, "BEGIN") < 0)
		return -1;
	if (store_exec(s, schema_sql) < 0 || store_exec(s, sql) < 0) {
		store_exec(s, "ROLLBACK");
		return -1;
	}
	store_set_id(s, id ? id : 1);
	snprintf(sql, sizeof(sql), "INSERT OR REPLACE INTO meta VALUES('created', %lld)",
		 (long long)time(NULL));
	store_exec(s, sql);
	return store_exec(s, "COMMIT");
}

static void close_db(struct store *s)
{
	store_stmts_free(s);
	sqlite3_close(s->db);
	s->db = NULL;
}

/* One attempt: 1 = the file is bad (moved aside by the caller), 0 ok, -1 error. */
static int try_open(struct store *s, unsigned flags, struct store_open_info *info, char *err,
		    size_t errsz)
{
	char why[200] = "";
	if (open_raw(s, err, errsz) < 0) {
		close_db(s);
		return -1;
	}
	enum verdict v = judge(s, flags & STORE_CHECK, why, sizeof(why));
	if (v == V_BAD) {
		snprintf(info->why, sizeof(info->why), "%s", why);
		set_err(err, errsz, s->path, why);
		close_db(s);
		return 1;
	}
	if (v == V_ERROR) {
		set_err(err, errsz, s->path, why);
		close_db(s);
		return -1;
	}
	if (v == V_EMPTY && (s->mode == STORE_READ || s->mode == STORE_READ_IMMUTABLE)) {
		set_err(err, errsz, s->path, "empty: not a history store yet");
		close_db(s);
		return -1;
	}
	if (configure(s, v == V_EMPTY, flags) < 0 || (v == V_EMPTY && create_schema(s) < 0)) {
		set_err(err, errsz, s->path, sqlite3_errmsg(s->db));
		close_db(s);
		return -1;
	}
	info->created = v == V_EMPTY;
	return 0;
}

struct store *store_open(const char *path, enum store_mode mode, unsigned flags,
			 struct store_open_info *info, char *err, size_t errsz)
{
	struct store_open_info dummy;
	struct store *s = calloc(1, sizeof(*s));
	if (!info)
		info = &dummy;
	memset(info, 0, sizeof(*info));
	if (!s || strlen(path) >= sizeof(s->path)) {
		set_err(err, errsz, path, s ? "path too long" : "out of memory");
		free(s);
		return NULL;
	}
	snprintf(s->path, sizeof(s->path), "%s", path);
	s->mode = mode;
	/* Created here with its mode, so that SQLite gives the -wal and -shm
	 * files the same (it copies the database file's). */
	if (mode == STORE_WORK || mode == STORE_DURABLE) {
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
		if (fd >= 0)
			close(fd);
	}
	int r = try_open(s, flags, info, err, errsz);
	if (r == 1 && (mode == STORE_WORK || mode == STORE_DURABLE) && !(flags & STORE_KEEP_BAD)) {
		if (store_move_aside(path, info->aside, sizeof(info->aside)) < 0) {
			char m[160];
			snprintf(m, sizeof(m), "cannot move the bad file aside: %s", strerror(errno));
			set_err(err, errsz, path, m);
			free(s);
			return NULL;
		}
		info->moved_aside = true;
		r = try_open(s, flags & ~STORE_CHECK, info, err, errsz);
		info->moved_aside = true;
	}
	if (r != 0) {
		free(s);
		return NULL;
	}
	return s;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	close_db(s);
	free(s);
}
