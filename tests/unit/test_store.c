/* store: creating and reopening, foreign and damaged files moved aside,
 * the writer (events into events/decisions/outages rows, busy stores),
 * thinning and retention with a given clock, the size cap, and bringing a
 * durable copy up to date (new rows only, identity checks). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "engine/decide.h"
#include "events/ev.h"
#include "events/ev_emit.h"
#include "store/store.h"
#include "store/store_io.h"
#include "store/store_maint.h"
#include "store/store_roll.h"
#include "engine/tel_member.h"
#include "store/store_writer.h"

#define T0 1764000000LL         /* 2025-11-24T16:00:00Z, a whole hour */

static char dir[64], path[128], path2[128];
static int64_t fake_wall_ms = T0 * 1000;

static int64_t wall(void *arg)
{
	(void)arg;
	return fake_wall_ms;
}

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/autonomy-test-store-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/history.db", dir);
	snprintf(path2, sizeof(path2), "%s/durable.db", dir);
	fake_wall_ms = T0 * 1000;
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static struct store *open_ok(const char *p, enum store_mode m)
{
	char err[256] = "";
	struct store_open_info info;
	struct store *s = store_open(p, m, STORE_CHECK, &info, err, sizeof(err));
	if (!s)
		fail_msg("store_open %s: %s", p, err);
	assert_false(info.moved_aside);
	return s;
}

static void write_file(const char *p, const void *data, size_t n)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, n), (ssize_t)n);
	close(fd);
}

static struct store_sample minute(const char *member, int64_t ts, int score)
{
	struct store_sample x;
	store_sample_init(&x, ts, 60);
	snprintf(x.member, sizeof(x.member), "%s", member);
	x.sent = 120;
	x.lost = score < 50 ? 60 : 0;
	x.p50_ms = 30;
	x.p95_ms = 45;
	x.jitter_ms = 2;
	x.score_avg = score;
	x.score_min = score;
	x.up_s = score >= 70 ? 60 : 0;
	x.degraded_s = score >= 50 && score < 70 ? 60 : 0;
	x.down_s = score < 50 ? 60 : 0;
	x.active_s = 60;
	x.rx = 1000;
	x.tx = 100;
	return x;
}

static void test_create_reopen(void **state)
{
	struct store *s = open_ok(path, STORE_WORK);
	uint64_t id = store_id(s);
	assert_true(id != 0);
	struct store_member m = { .name = "wan", .cls = "lan", .priority = 1 };
	assert_int_equal(store_member_id(s, &m), 1);
	struct store_member m2 = { .name = "lte", .cls = "cellular", .priority = 2, .cap_mb = 20000 };
	assert_int_equal(store_member_id(s, &m2), 2);
	assert_int_equal(store_member_id(s, &m), 1);
	store_close(s);
	s = open_ok(path, STORE_READ);
	assert_int_equal(store_id(s), id);
	assert_int_equal(store_member_find(s, "lte"), 2);
	assert_int_equal(store_member_find(s, "nope"), 0);
	store_close(s);
}

static void expect_moved(const char *why_part, const void *data, size_t n)
{
	char err[256];
	struct store_open_info info;
	write_file(path, data, n);
	struct store *s = store_open(path, STORE_WORK, STORE_CHECK, &info, err, sizeof(err));
	assert_non_null(s);
	assert_true(info.moved_aside);
	assert_true(info.created);
	if (!strstr(info.why, why_part))
		fail_msg("why: \"%s\", expected \"%s\"", info.why, why_part);
	assert_int_equal(access(info.aside, F_OK), 0);
	assert_int_equal(store_count(s, "samples"), 0);
	store_close(s);
	unlink(info.aside);
	unlink(path);
}

static void test_foreign_and_corrupt(void **state)
{
	static const char text[] = "config autonomy 'main'\n\toption enabled '1'\n";
	expect_moved("not a SQLite database", text, sizeof(text));
	/* Another application's database. */
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE t(x); INSERT INTO t VALUES(1)", 0, 0, 0),
			 SQLITE_OK);
	sqlite3_close(db);
	static char buf[1 << 20];
	int fd = open(path, O_RDONLY);
	ssize_t n = read(fd, buf, sizeof(buf));
	close(fd);
	expect_moved("another application", buf, (size_t)n);
	/* Ours, with a page of garbage in the middle of a table. */
	struct store *s = open_ok(path, STORE_WORK);
	assert_int_equal(store_begin(s), 0);
	for (int i = 0; i < 3000; i++) {
		struct store_sample x = minute("wan", T0 + 60 * i, 90);
		x.mid = 1;
		assert_int_equal(store_put_sample(s, &x, false), 0);
	}
	assert_int_equal(store_commit(s), 0);
	assert_int_equal(sqlite3_exec(store_db(s), "PRAGMA wal_checkpoint(TRUNCATE)", 0, 0, 0),
			 SQLITE_OK);
	store_close(s);
	fd = open(path, O_RDONLY);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	assert_true(n > 12 * 4096);
	/* A leaf of the samples table (the last pages written): only the quick
	 * check reads it. */
	memset(buf + (n / 4096 - 3) * 4096, 0x5a, 4096);
	expect_moved("quick check failed", buf, (size_t)n);
	/* A read-only open reports it and leaves the file alone. */
	write_file(path, text, sizeof(text));
	char err[256] = "";
	assert_null(store_open(path, STORE_READ, 0, NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "not a SQLite database"));
	assert_int_equal(access(path, F_OK), 0);
	unlink(path);
	/* Ours, with a trigger added: a file's schema gets no say. */
	s = open_ok(path, STORE_WORK);
	store_close(s);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TRIGGER t AFTER INSERT ON events BEGIN "
				      "DELETE FROM samples; END", 0, 0, 0), SQLITE_OK);
	sqlite3_close(db);
	struct store_open_info ti;
	s = store_open(path, STORE_WORK, 0, &ti, err, sizeof(err));
	assert_non_null(s);
	assert_true(ti.moved_aside);
	assert_non_null(strstr(ti.why, "not ours"));
	store_close(s);
	unlink(ti.aside);
	unlink(path);
	/* A newer schema is not ours to write into. */
	s = open_ok(path, STORE_WORK);
	assert_int_equal(sqlite3_exec(store_db(s), "PRAGMA user_version=9", 0, 0, 0), SQLITE_OK);
	store_close(s);
	struct store_open_info info;
	s = store_open(path, STORE_WORK, 0, &info, err, sizeof(err));
	assert_non_null(s);
	assert_true(info.moved_aside);
	assert_non_null(strstr(info.why, "schema version 9"));
	store_close(s);
	unlink(info.aside);
}

static void decision(struct ev_bus *b, enum decide_type t, const char *from, const char *to,
		     enum decide_cause cause, const char *reason)
{
	struct decision dc = { .type = t, .cause = cause, .n_scores = 2 };
	snprintf(dc.from, sizeof(dc.from), "%s", from);
	snprintf(dc.to, sizeof(dc.to), "%s", to);
	snprintf(dc.reason, sizeof(dc.reason), "%s", reason);
	snprintf(dc.scores[0].name, sizeof(dc.scores[0].name), "wan");
	dc.scores[0].score = 12;
	snprintf(dc.scores[1].name, sizeof(dc.scores[1].name), "lte");
	dc.scores[1].score = -1;
	ev_emit_decision(b, &dc);
}

static void test_writer_events(void **state)
{
	struct ev_clock clk = { .wall_ms = wall };
	struct ev_bus *b = ev_bus_new(&clk);
	struct store_writer *w = store_writer_new();
	struct store *s = open_ok(path, STORE_WORK);
	store_writer_attach(w, b);
	store_writer_place(w, "u0xy_12");
	ev_emit_state(b, "wan", "down", 0, "11 probes lost", true, 70, 50);
	decision(b, DECIDE_SWITCH, "wan", "lte", DECIDE_CAUSE_DOWN, "wan: down; lte score 80");
	fake_wall_ms += 95000;
	ev_emit_state(b, "wan", "up", 96, "ok", false, 70, 50);
	ev_emit_state(b, "lte", "down", 0, "no carrier", true, 70, 50);
	assert_int_equal(store_writer_pending(w), 6);   /* 4 events, 1 decision, 1 outage */
	assert_int_equal(store_writer_flush(w, s), 0);
	assert_int_equal(store_writer_pending(w), 0);
	store_writer_cut_outages(w, fake_wall_ms + 5000);
	assert_int_equal(store_writer_flush(w, s), 0);
	assert_int_equal(store_count(s, "events"), 4);
	assert_int_equal(store_count(s, "decisions"), 1);
	assert_int_equal(store_count(s, "outages"), 2);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(store_db(s), "SELECT m.name, o.dur_ms, o.active, o.cut, "
					    "o.reason, o.place FROM outages o JOIN members m USING(mid) "
					    "ORDER BY o.id", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal(sqlite3_column_text(st, 0), "wan");
	assert_int_equal(sqlite3_column_int64(st, 1), 95000);
	assert_int_equal(sqlite3_column_int(st, 2), 1);
	assert_int_equal(sqlite3_column_int(st, 3), 0);
	assert_string_equal(sqlite3_column_text(st, 4), "11 probes lost");
	assert_string_equal(sqlite3_column_text(st, 5), "u0xy_12");
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal(sqlite3_column_text(st, 0), "lte");
	assert_int_equal(sqlite3_column_int64(st, 1), 5000);
	assert_int_equal(sqlite3_column_int(st, 3), 1);
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_prepare_v2(store_db(s), "SELECT type, cause, from_m, to_m, scores "
					    "FROM decisions", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal(sqlite3_column_text(st, 0), "switch");
	assert_string_equal(sqlite3_column_text(st, 1), "down");
	assert_string_equal(sqlite3_column_text(st, 2), "wan");
	assert_string_equal(sqlite3_column_text(st, 3), "lte");
	assert_string_equal(sqlite3_column_text(st, 4), "{\"wan\":12,\"lte\":null}");
	sqlite3_finalize(st);
	/* Busy: another connection holds the write lock; rows stay queued. */
	sqlite3 *other;
	assert_int_equal(sqlite3_open(path, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", 0, 0, 0), SQLITE_OK);
	ev_emit_daemon(b, "stopped", NULL);
	assert_int_equal(store_writer_flush(w, s), 1);
	assert_int_equal(store_writer_pending(w), 1);
	sqlite3_exec(other, "COMMIT", 0, 0, 0);
	sqlite3_close(other);
	assert_int_equal(store_writer_flush(w, s), 0);
	assert_int_equal(store_count(s, "events"), 5);
	store_writer_free(w);
	ev_bus_free(b);
	store_close(s);
}

/* Nine days of minutes for one member; a week of them is kept. */
static void fill_days(struct store *s, int days, int score)
{
	struct store_writer *w = store_writer_new();
	for (int64_t t = T0; t < T0 + days * 86400LL; t += 60) {
		struct store_sample x = minute("wan", t, score);
		store_writer_sample(w, &x);
		if (store_writer_pending(w) > 1000)
			assert_int_equal(store_writer_flush(w, s), 0);
	}
	assert_int_equal(store_writer_flush(w, s), 0);
	store_writer_free(w);
}

static void test_thin_and_retention(void **state)
{
	struct store *s = open_ok(path, STORE_WORK);
	fill_days(s, 9, 80);
	assert_int_equal(store_count(s, "samples"), 9 * 1440);
	struct store_retention r = { .now_s = T0 + 9 * 86400, .raw_days = 7, .telemetry_days = 30,
				     .log_days = 7 };
	struct store_maint_result m;
	assert_int_equal(store_maintain(s, &r, &m), 0);
	/* The first two days are hourly now; the last seven still minutes. */
	assert_int_equal(store_count(s, "samples"), 7 * 1440);
	assert_int_equal(store_count(s, "samples_hourly"), 48);
	assert_int_equal(m.thinned_hours, 48);
	assert_int_equal(m.deleted[0], 2 * 1440);
	int rc;
	assert_int_equal(store_int_query(s, "SELECT sent FROM samples_hourly LIMIT 1", &rc), 7200);
	assert_int_equal(store_int_query(s, "SELECT up FROM samples_hourly LIMIT 1", &rc), 3600);
	assert_int_equal(store_int_query(s, "SELECT score FROM samples_hourly LIMIT 1", &rc), 800);
	assert_int_equal(store_int_query(s, "SELECT p50 FROM samples_hourly LIMIT 1", &rc), 300);
	assert_int_equal(store_int_query(s, "SELECT rx FROM samples_hourly LIMIT 1", &rc), 60000);
	/* Idempotent. */
	assert_int_equal(store_maintain(s, &r, &m), 0);
	assert_int_equal(m.thinned_hours, 0);
	/* 31 days later everything is past the 30-day retention. */
	r.now_s += 31 * 86400;
	assert_int_equal(store_maintain(s, &r, &m), 0);
	assert_int_equal(store_count(s, "samples_hourly"), 0);
	assert_int_equal(store_count(s, "samples"), 0);
	store_close(s);
}

static void test_size_cap(void **state)
{
	struct store *s = open_ok(path, STORE_WORK);
	fill_days(s, 6, 80);
	int64_t used = store_used_bytes(s);
	struct store_retention r = { .now_s = T0 + 6 * 86400, .raw_days = 7, .telemetry_days = 30,
				     .log_days = 7, .max_bytes = used / 2 };
	struct store_maint_result m;
	assert_int_equal(store_maintain(s, &r, &m), 0);
	assert_true(m.bytes_after <= used / 2 * 9 / 10);
	/* Minute rows were thinned first: the history is coarser, not shorter. */
	assert_true(store_count(s, "samples_hourly") > 0);
	assert_int_equal(store_int_query(s, "SELECT min(k >> 6) * 3600 FROM samples_hourly", NULL),
			 T0);
	store_close(s);
}

static void test_copy_new(void **state)
{
	struct store *w = open_ok(path, STORE_WORK);
	fill_days(w, 1, 90);
	struct store_open_info info;
	char err[512];
	store_io_reset();
	struct store *d = store_open(path2, STORE_DURABLE, 0, &info, err, sizeof(err));
	assert_non_null(d);
	assert_true(info.created);
	int64_t copied[STORE_N_TABLES];
	assert_int_equal(store_copy_new(w, d, true, copied, err, sizeof(err)), 0);
	assert_int_equal(copied[0], 1440);
	assert_int_equal(store_id(d), store_id(w));
	/* The durable copy: no -shm file next to it (exclusive lock). */
	char shm[160];
	snprintf(shm, sizeof(shm), "%s-shm", path2);
	assert_int_not_equal(access(shm, F_OK), 0);
	struct store_io io;
	store_io_get(&io);
	assert_true(io.bytes_written > 1440 * 20);
	assert_true(io.syncs >= 1);
	/* Only what is new goes over. */
	assert_int_equal(store_copy_new(w, d, false, copied, err, sizeof(err)), 0);
	assert_int_equal(copied[0], 0);
	struct store_writer *wr = store_writer_new();
	struct store_sample x = minute("wan", T0 + 86400, 90);
	store_writer_sample(wr, &x);
	assert_int_equal(store_writer_flush(wr, w), 0);
	store_writer_free(wr);
	assert_int_equal(store_copy_new(w, d, false, copied, err, sizeof(err)), 0);
	assert_int_equal(copied[0], 1);
	assert_int_equal(store_count(d, "samples"), 1441);
	store_close(d);
	/* A durable copy created but killed before its first copy (another
	 * identity, no rows) is still free to take. */
	char fresh[160];
	snprintf(fresh, sizeof(fresh), "%s/fresh.db", dir);
	d = store_open(fresh, STORE_DURABLE, 0, &info, err, sizeof(err));
	assert_true(info.created);
	store_close(d);
	d = store_open(fresh, STORE_DURABLE, 0, &info, err, sizeof(err));
	assert_false(info.created);
	assert_int_not_equal(store_id(d), store_id(w));
	assert_int_equal(store_copy_new(w, d, false, copied, err, sizeof(err)), 0);
	assert_int_equal(store_id(d), store_id(w));
	store_close(d);
	/* Another store's durable copy is refused. */
	struct store *other = open_ok(path2, STORE_DURABLE);
	store_set_id(other, 42);
	assert_int_equal(store_copy_new(w, other, false, copied, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "another store"));
	store_close(other);
	store_close(w);
}

/* A kind as the store sees it: figures by column name, fresh or not. */
static void fake_history(const void *a, uint64_t now_us, uint64_t max_age_us,
			 const struct tel_hist_put *put)
{
	const uint64_t *read_us = a;
	if (put->str)
		put->str(put->arg, "place", "cell-1");
	if (!put->num || !tel_fresh(*read_us, now_us, max_age_us))
		return;
	put->num(put->arg, "dish_drop", 0.25);
	put->num(put->arg, "cell_rsrp", -97.5);
	put->num(put->arg, "no_such_column", 1.0);   /* ignored */
}

static void test_roll_tel_by_name(void **state)
{
	(void)state;
	static const struct tel_kind k = { .name = "fake", .history = fake_history };
	uint64_t read_us = 1000000;
	struct tel_member t = { .n_part = 1, .part = { { &k, &read_us } } };
	struct store_sample x;
	store_sample_init(&x, 0, 60);
	store_roll_tel(&t, read_us + 5000000, &x);
	assert_true(fabs(x.sl_drop - 0.25) < 1e-9);
	assert_true(fabs(x.cell_rsrp + 97.5) < 1e-9);
	assert_true(isnan(x.sl_obstructed) && isnan(x.wifi_signal) && isnan(x.cell_sinr));
	/* Stale: nothing, not the old figures. */
	store_sample_init(&x, 0, 60);
	store_roll_tel(&t, read_us + (STORE_TEL_FRESH_S + 1) * 1000000ull, &x);
	assert_true(isnan(x.sl_drop) && isnan(x.cell_rsrp));
	/* A kind without the op, an empty member: nothing. */
	static const struct tel_kind bare = { .name = "bare" };
	struct tel_member u = { .n_part = 1, .part = { { &bare, &read_us } } };
	store_roll_tel(&u, read_us, &x);
	assert_true(isnan(x.sl_drop));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_and_corrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writer_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_thin_and_retention, setup, teardown),
		cmocka_unit_test_setup_teardown(test_size_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy_new, setup, teardown),
		cmocka_unit_test(test_roll_tel_by_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
