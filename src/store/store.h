/* store: the history store — one SQLite database (WAL mode) holding events,
 * decisions, outages, per-member samples rolled up per minute (thinned to
 * hourly after store.raw_days), the daemon's own figures and data usage.
 *
 * The daemon keeps two copies (DESIGN.md "History"):
 *   - the working store in main.run_dir (RAM on a router), written every
 *     minute and right after an event, read by autonomyctl;
 *   - the durable store in main.state_dir (flash), brought up to date from
 *     the working one every performance.gc_interval and at shutdown by
 *     `autonomyd --store-sync` (store_sync.c), a child process, so that
 *     flash writes, fsyncs, retention and vacuum never run on the loop.
 * After a reboot the working store is restored from the durable one.
 *
 * Rows carry time-ordered keys, so a new batch is an append and the
 * durable copy is brought up to date by copying the rows past its highest
 * key (store_sync). Samples: key = (ts / 60) << 6 | mid for minutes,
 * (ts / 3600) << 6 | mid for hours; mid is the member's id in the members
 * table (1..63). Events, decisions and outages: ascending ids.
 *
 * A file that is not one of our stores (not SQLite, another application's,
 * a newer schema) or fails SQLite's quick check is renamed aside
 * (PATH.bad-YYYYMMDDTHHMMSSZ) and a new store is started; the caller reports
 * it as an event. Nothing in here logs. */
#ifndef AUTONOMY_STORE_STORE_H
#define AUTONOMY_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sqlite3;

#define STORE_APP_ID 0x4155544f         /* "AUTO" in the file header */
#define STORE_SCHEMA 1
#define STORE_FILE "history.db"
#define STORE_MAX_MID 63
#define STORE_NAME_MAX 64

enum store_mode {
	STORE_WORK,             /* the working copy: WAL, no fsync (RAM), shared with readers */
	STORE_DURABLE,          /* the flash copy: WAL, fsync per commit, exclusive, no -shm */
	STORE_READ,             /* read-only (autonomyctl) */
	STORE_READ_IMMUTABLE,   /* read-only, file known not to change (no daemon) */
};

struct store;

struct store_open_info {
	bool created;           /* a new, empty store */
	bool moved_aside;       /* the file there was not usable: renamed to `aside` */
	char aside[4200];
	char why[200];          /* why it was moved aside */
};

enum store_open_flags {
	STORE_CHECK = 1u << 0,          /* run SQLite's quick check (slow on a big file) */
	STORE_KEEP_BAD = 1u << 1,       /* a bad file is an error, not moved aside */
	STORE_PERSISTENT = 1u << 2,     /* STORE_WORK on persistent storage (no run_dir):
					 * synced so that a power cut cannot damage it */
};

/* Opens or creates the store at path (its directory must exist). Returns
 * NULL with err set when the file cannot be used and (read modes,
 * STORE_KEEP_BAD) not replaced; info->why then says what is wrong with it.
 * info may be NULL. */
struct store *store_open(const char *path, enum store_mode mode, unsigned flags,
			 struct store_open_info *info, char *err, size_t errsz);
void store_close(struct store *s);
struct sqlite3 *store_db(struct store *s);
const char *store_path(const struct store *s);
enum store_mode store_mode(const struct store *s);
/* The store's identity (random, set at creation, kept by copies). */
uint64_t store_id(struct store *s);
void store_set_id(struct store *s, uint64_t id);
/* How long a write waits for another writer (ms; default 0: not at all). */
void store_set_busy_timeout(struct store *s, int ms);
/* The last SQLite error message of the store. */
const char *store_errmsg(struct store *s);
/* Renames a bad file (and its -wal, -shm) aside; fills aside. 0 or -1. */
int store_move_aside(const char *path, char *aside, size_t size);

/* The first column of the first row of a query as an integer (-1 when no
 * row or NULL; rc, if not NULL, gets SQLite's result). */
int64_t store_int_query(struct store *s, const char *sql, int *rc);
/* Highest key of a table (0 when empty). */
int64_t store_max_key(struct store *s, const char *table);
/* Rows in a table, -1 on error. */
int64_t store_count(struct store *s, const char *table);
/* Page count x page size. */
int64_t store_size_bytes(struct store *s);

/* ---- members ---- */
struct store_member {
	char name[STORE_NAME_MAX];
	char cls[16];
	int priority;
	bool metered;
	int64_t cap_mb;         /* 0 = no cap */
};
/* The member's id, adding it or updating its description. 0 when the table
 * is full (63 names ever seen and none without rows to reuse). */
int store_member_id(struct store *s, const struct store_member *m);
/* The id of a member by name, 0 if it is not in the table. */
int store_member_find(struct store *s, const char *name);

/* ---- rows ---- */

/* One member over one minute (or, thinned, one hour). Unknown figures are
 * -1 (integers) or NAN (doubles). */
struct store_sample {
	int64_t ts;             /* start, Unix s (a multiple of span_s) */
	unsigned span_s;        /* 60 or 3600 */
	int mid;
	char member[STORE_NAME_MAX];    /* filled by queries */
	int64_t sent, lost;     /* probes sent and lost */
	double p50_ms, p95_ms, jitter_ms;
	double score_avg;       /* time-weighted */
	int score_min;
	int64_t up_s, degraded_s, down_s, active_s;     /* the rest of span_s: unknown */
	int64_t rx, tx;         /* bytes through the member's device */
	double sl_drop, sl_obstructed;  /* dish: ping drop rate, fraction obstructed (0..1) */
	double cell_rsrp, cell_sinr;    /* modem: dBm, dB */
	double wifi_signal;             /* radio: dBm */
};
void store_sample_init(struct store_sample *x, int64_t ts, unsigned span_s);

/* The daemon's own figures over a minute. */
struct store_sys {
	int64_t ts;             /* start, Unix s */
	double cpu_pct;
	int64_t rss_kb;
	double lag_max_ms;
	int64_t probes;         /* sent by all members in the minute */
	int64_t store_cpu_us;   /* CPU the store cost in the minute (daemon + sync child) */
	int64_t flash_bytes;    /* written to the durable store in the minute */
};

struct store_event {
	int64_t ts_ms;
	int severity, kind;
	char type[16];
	char member[STORE_NAME_MAX];
	bool notify;
	char text[256];
	char *fields;           /* JSON object text, owned */
};

struct store_decision {
	int64_t ts_ms;
	char type[12];          /* switch, restore, hold, manual */
	char cause[12];         /* decide_cause_name */
	char from[STORE_NAME_MAX], to[STORE_NAME_MAX];
	char reason[256];
	char *scores;           /* JSON object text, owned */
};

struct store_outage {
	int64_t start_ms;
	int64_t dur_ms;
	char member[STORE_NAME_MAX];
	bool active;            /* it carried traffic when it went down */
	bool cut;               /* still down when the daemon stopped */
	char reason[160];
	char place[32];         /* the location-learning place, "" unknown */
};

struct store_usage {
	int64_t ts;             /* Unix s (hour) */
	char member[STORE_NAME_MAX];
	int64_t cycle_start;
	int64_t used;           /* bytes this cycle */
	int64_t cap;            /* bytes, 0 = none */
};

/* Inserts (INSERT OR IGNORE: a key written twice keeps the first). Call
 * inside store_begin / store_commit for batches. 0 ok, -1 error. */
int store_put_sample(struct store *s, const struct store_sample *x, bool hourly);
int store_put_sys(struct store *s, const struct store_sys *x);
int store_put_event(struct store *s, const struct store_event *e);
int store_put_decision(struct store *s, const struct store_decision *d);
int store_put_outage(struct store *s, const struct store_outage *o);
int store_put_usage(struct store *s, const struct store_usage *u);
/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. store_begin returns 1 when the
 * database is busy (another writer) and the caller should try later. */
int store_begin(struct store *s);
int store_commit(struct store *s);
void store_rollback(struct store *s);

#endif
