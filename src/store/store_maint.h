/* store_maint: keeping a store small — minute samples thinned to hourly
 * after raw_days, rows older than their retention deleted, a size cap, and
 * (on request) VACUUM; and copying rows between stores (sync, restore).
 *
 * Work runs in short transactions (an hour of samples, a few thousand
 * rows), so a writer waiting for the working store (the daemon) waits
 * milliseconds, not the whole run. Deleted pages are reused by later rows;
 * the file shrinks only on VACUUM (cleanup --all), which rewrites it. */
#ifndef AUTONOMY_STORE_STORE_MAINT_H
#define AUTONOMY_STORE_STORE_MAINT_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

#define STORE_RAW_DAYS 7                /* minute rows kept, then hourly */
#define STORE_N_TABLES 7                /* store_tables */

struct store_retention {
	int64_t now_s;                  /* wall clock, Unix s */
	unsigned raw_days;              /* minute samples (STORE_RAW_DAYS) */
	unsigned telemetry_days;        /* hourly samples, decisions, outages, usage, sys */
	unsigned log_days;              /* events */
	int64_t max_bytes;              /* 0 = no cap */
	int64_t older_than_s;           /* > 0: also delete everything older than this */
};

struct store_maint_result {
	int64_t thinned_hours;          /* member-hours made from minute rows */
	int64_t deleted[STORE_N_TABLES];        /* per store_tables entry */
	int64_t bytes_before, bytes_after;      /* pages in use x page size */
	int64_t file_before, file_after;        /* the file (VACUUM shrinks it) */
};

const char *store_table_name(int i);
/* One pass; 0, 1 when the store was busy (try later; what was done is kept),
 * -1 on error. */
int store_maintain(struct store *s, const struct store_retention *r,
		   struct store_maint_result *res);
/* Rewrites the file without its free pages. */
int store_vacuum(struct store *s, struct store_maint_result *res);
/* The durable store's WAL: checkpointed into the database and truncated
 * when it is larger than max_bytes (STORE_DURABLE_WAL_MAX by default).
 * Returns 1 when it did, 0 when not needed, -1 on error. */
#define STORE_DURABLE_WAL_MAX (256 * 1024)
int store_wal_trim(struct store *s, int64_t max_bytes);
/* Pages in use x page size (the file minus its free list). */
int64_t store_used_bytes(struct store *s);

/* Copies to dst the rows of src past dst's highest key, table by table, and
 * the members table when it differs, in one transaction on dst. A fresh (or
 * still empty) dst takes src's identity; dst with another identity is
 * refused (two daemons sharing a state_dir): -1 with err. copied (may be NULL): rows per table. */
int store_copy_new(struct store *src, struct store *dst, bool dst_fresh, int64_t *copied,
		   char *err, size_t errsz);

/* No rows in any table (a store created and never written). */
bool store_is_empty(struct store *s);

/* One sync of the durable copy at path: opened (flags: STORE_CHECK), the
 * new rows of work copied, maintained with r (NULL: not), its WAL trimmed
 * (emptied into the file with `checkpoint`: a clean stop, so that the file
 * alone is complete for readers that do not open the WAL), closed. info (may be NULL) says whether it was created or moved aside;
 * copied (may be NULL) gets rows per table, m (may be NULL) the maintenance.
 * 0, or -1 with err. */
int store_sync_durable(struct store *work, const char *path, unsigned flags,
		       const struct store_retention *r, bool checkpoint,
		       struct store_open_info *info, int64_t *copied,
		       struct store_maint_result *m, char *err, size_t errsz);

#endif
