/* store_int: what the store_*.c files share; nothing else includes it. */
#ifndef AUTONOMY_STORE_STORE_INT_H
#define AUTONOMY_STORE_STORE_INT_H

#include <stdint.h>

#include "store/store.h"

struct sqlite3_stmt;

/* The durable copy on flash: small pages, because every sync rewrites the
 * pages it touches (the last leaf of each table it appends to) into the WAL.
 * No automatic checkpoints: each sync is a new process whose WAL index is
 * rebuilt in memory (exclusive mode), so SQLite cannot know what an earlier
 * process already copied and would copy the whole WAL again at every
 * threshold crossing. Instead store_wal_trim() checkpoints and truncates the
 * WAL once it holds STORE_DURABLE_WAL_MAX bytes: each page changed since is
 * copied into the database once (docs/history.md has the measurements). */
#define STORE_DURABLE_PAGE 512     /* 1.3 MB/day where 1024 wrote 1.7 (10 replayed days) */

enum store_stmt_id {
	ST_SAMPLE, ST_SAMPLE_H, ST_SYS, ST_EVENT, ST_DECISION, ST_OUTAGE, ST_USAGE, ST_N
};

struct store {
	struct sqlite3 *db;
	enum store_mode mode;
	char path[4096];
	struct sqlite3_stmt *st[ST_N];
};

extern const char *const store_tables[];

int store_exec(struct store *s, const char *sql);
int64_t store_int(struct store *s, const char *sql, int64_t dflt, int *rc);
void store_stmts_free(struct store *s);
/* The counting VFS (store_vfs.c), registered on first use. */
const char *store_vfs_name(void);

/* Fixed-point encodings of the sample columns. */
#define STORE_MS_SCALE 10.0     /* latency: 0.1 ms */
#define STORE_SCORE_SCALE 10.0  /* mean score: 0.1 point */
#define STORE_FRAC_SCALE 10000.0        /* rates and fractions: 0.01 % */
#define STORE_DB_SCALE 10.0     /* dBm, dB: 0.1 */

#endif
