/* starwatch's files: the status file (writer and strict reader), the
 * persistent reboot records (limits, a clock that went back, corrupt
 * files), the strict small-file read, and the size-bounded log file. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/clock.h"
#include "core/log.h"
#include "starwatch/sw_json.h"
#include "starwatch/sw_logfile.h"
#include "starwatch/sw_state.h"
#include "starwatch/sw_status.h"

static char dir[64];

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/sw-files-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	static const char *const names[] = {
		"starwatch.json", "fifo", "link", "big", "state", "state.bad", "sw.log",
		"sw.log.1", "sock",
	};
	char p[128];
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		unlink(p);
	}
	return rmdir(dir);
}

static void path(char *out, const char *name)
{
	snprintf(out, 128, "%s/%s", dir, name);
}

static void write_text(const char *p, const char *text)
{
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static struct sw_status sample(void)
{
	struct sw_status st = {
		.pid = (uint32_t)getpid(), .updated = 1800000000, .updated_mono_ms = clock_mono_ms(),
		.check_interval_s = 10, .last_check = 1800000000, .last_ok = 1799999990,
		.restarts = 3, .restarts_in_window = 2, .held_down = true, .failsafe_enabled = true,
		.failsafe_active = true,
	};
	strcpy(st.daemon, "held_down");
	strcpy(st.step, "restart_daemon");
	strcpy(st.reason, "autonomyd did not answer for 30 s \"quoted\"");
	strcpy(st.failsafe_member, "wan");
	strcpy(st.failsafe_device, "eth1");
	strcpy(st.failsafe_gateway, "10.1.0.1");
	return st;
}

static void test_status_roundtrip(void **state)
{
	struct sw_status st = sample(), back;
	char *text = sw_status_format(&st), err[96];
	assert_non_null(text);
	assert_int_equal(sw_status_parse(text, strlen(text), &back, err, sizeof(err)), 0);
	assert_memory_equal(&st, &back, sizeof(st));
	free(text);
}

static void expect_bad(const char *text, const char *why)
{
	struct sw_status st;
	char err[96] = "";
	assert_int_equal(sw_status_parse(text, strlen(text), &st, err, sizeof(err)), -1);
	if (!strstr(err, why))
		fail_msg("'%s': error '%s', expected '%s'", text, err, why);
	assert_int_equal(st.pid, 0);    /* nothing half-filled */
}

static void test_status_strict(void **state)
{
	struct sw_status st = sample();
	char *good = sw_status_format(&st);
	char buf[4096];
	expect_bad("", "");
	expect_bad("[]", "not a JSON object");
	expect_bad("{\"version\":2}", "version");
	expect_bad("{\"version\":1}", "missing key");
	/* an extra key, a wrong type, out of range, trailing text, comments */
	snprintf(buf, sizeof(buf), "%.*s,\"extra\":1}", (int)strlen(good) - 2, good);
	expect_bad(buf, "unknown key");
	char *p = strdup(good), *q = strstr(p, "\"held_down\":true");
	memcpy(q, "\"held_down\":1   ", 16);
	expect_bad(p, "held_down");
	free(p);
	p = strdup(good);
	q = strstr(p, "\"check_interval_s\":10");
	memcpy(q, "\"check_interval_s\":-1", 21);
	expect_bad(p, "check_interval_s");
	free(p);
	snprintf(buf, sizeof(buf), "%s{}", good);
	expect_bad(buf, "");  /* trailing text: refused (how depends on json-c) */
	snprintf(buf, sizeof(buf), "/* c */%s", good);
	expect_bad(buf, "");
	/* a string that would not fit its field */
	p = malloc(strlen(good) + 400);
	q = strstr(good, "\"daemon\":\"held_down\"");
	sprintf(p, "%.*s\"daemon\":\"%0300d\"%s", (int)(q - good), good, 0,
		q + strlen("\"daemon\":\"held_down\""));
	expect_bad(p, "daemon");
	free(p);
	/* an embedded NUL */
	char nul[] = "{\"version\":1,\0}";
	struct sw_status s2;
	char err[64];
	assert_int_equal(sw_status_parse(nul, sizeof(nul) - 1, &s2, err, sizeof(err)), -1);
	free(good);
}

static void test_status_file_and_view(void **state)
{
	char p[128], sock[128];
	path(p, SW_STATUS_NAME);
	path(sock, "sock");
	struct sw_status st = sample(), back;
	char err[96];
	assert_null(sw_status_view(sock));             /* no file: null */
	char *text = sw_status_format(&st);
	write_text(p, text);
	free(text);
	assert_int_equal(sw_status_read(p, &back, err, sizeof(err)), 0);
	json_object *v = sw_status_view(sock), *x;
	assert_non_null(v);
	assert_true(json_object_object_get_ex(v, "running", &x));
	assert_true(json_object_get_boolean(x));       /* our own pid, fresh */
	assert_true(json_object_object_get_ex(v, "held_down", &x));
	assert_true(json_object_get_boolean(x));
	assert_true(json_object_object_get_ex(v, "failsafe_route", &x));
	json_object_put(v);
	/* stale: written long ago */
	st.updated_mono_ms = clock_mono_ms() > 200000 ? clock_mono_ms() - 200000 : 0;
	text = sw_status_format(&st);
	write_text(p, text);
	free(text);
	v = sw_status_view(sock);
	assert_true(json_object_object_get_ex(v, "running", &x));
	if (clock_mono_ms() > 200000)
		assert_false(json_object_get_boolean(x));
	json_object_put(v);
	/* garbage: an error, not a crash */
	write_text(p, "{\"version\":1,\"pid\":");
	v = sw_status_view(sock);
	assert_true(json_object_object_get_ex(v, "error", &x));
	json_object_put(v);
}

static void test_file_read_refuses(void **state)
{
	char p[128], link[128];
	size_t len;
	path(p, "fifo");
	assert_int_equal(mkfifo(p, 0600), 0);
	assert_null(sw_file_read(p, 100, &len));       /* returns at once, no block */
	assert_int_equal(errno, EINVAL);
	path(p, "big");
	write_text(p, "0123456789");
	assert_null(sw_file_read(p, 9, &len));
	assert_int_equal(errno, EFBIG);
	char *b = sw_file_read(p, 10, &len);
	assert_non_null(b);
	assert_int_equal(len, 10);
	free(b);
	path(link, "link");
	assert_int_equal(symlink(p, link), 0);
	assert_null(sw_file_read(link, 100, &len));
	assert_int_equal(errno, ELOOP);
	path(p, "missing");
	assert_null(sw_file_read(p, 100, &len));
	assert_int_equal(errno, ENOENT);
}

static void test_state_counts_a_day(void **state)
{
	struct sw_state st = { 0 };
	int64_t now = 1800000000;
	assert_int_equal(sw_state_count_day(&st, now), 0);
	sw_state_add(&st, now - 90000);                 /* older than a day */
	sw_state_add(&st, now - 3600);
	assert_int_equal(sw_state_count_day(&st, now), 1);
	/* the clock went back (no RTC): a record "in the future" still counts */
	sw_state_add(&st, now + 7200);
	assert_int_equal(sw_state_count_day(&st, now), 2);
	/* adding drops what no longer counts */
	assert_int_equal(st.n, 2);
	for (int i = 0; i < 40; i++)
		sw_state_add(&st, now);
	assert_int_equal(st.n, SW_STATE_MAX);
}

static void test_state_roundtrip_and_strict(void **state)
{
	struct sw_state st = { .reboots = { 1800000000, 1800000100 }, .n = 2 }, back;
	char *text = sw_state_format(&st), err[96];
	assert_int_equal(sw_state_parse(text, strlen(text), &back, err, sizeof(err)), 0);
	assert_int_equal(back.n, 2);
	assert_int_equal(back.reboots[1], 1800000100);
	free(text);
	static const char *const bad[] = {
		"{\"version\":1}", "{\"version\":1,\"reboots\":{}}",
		"{\"version\":1,\"reboots\":[-1]}", "{\"version\":1,\"reboots\":[1.5]}",
		"{\"version\":1,\"reboots\":[\"x\"]}", "{\"version\":1,\"reboots\":[],\"x\":0}",
		"{\"version\":1,\"reboots\":[99999999999999999999]}", "{\"reboots\":[]}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(sw_state_parse(bad[i], strlen(bad[i]), &back, err, sizeof(err)), -1);
	char many[1024] = "{\"version\":1,\"reboots\":[";
	for (int i = 0; i < SW_STATE_MAX + 1; i++)
		strcat(many, i ? ",1" : "1");
	strcat(many, "]}");
	assert_int_equal(sw_state_parse(many, strlen(many), &back, err, sizeof(err)), -1);
}

/* A corrupt state file is moved aside and the day counts as used up. */
static void test_state_corrupt_is_conservative(void **state)
{
	char p[128], bad[160];
	struct sw_state st;
	char err[96];
	int64_t now = 1800000000;
	path(p, "state");
	assert_int_equal(sw_state_load(p, now, &st, err, sizeof(err)), 1);
	assert_int_equal(st.n, 0);
	write_text(p, "garbage\n");
	assert_int_equal(sw_state_load(p, now, &st, err, sizeof(err)), -1);
	assert_true(sw_state_count_day(&st, now) >= 24);
	snprintf(bad, sizeof(bad), "%s.bad", p);
	assert_int_equal(access(bad, F_OK), 0);
	/* what it assumed is on disk now, and loads */
	assert_int_equal(sw_state_load(p, now + 60, &st, err, sizeof(err)), 0);
	assert_true(sw_state_count_day(&st, now + 60) >= 24);
	assert_int_equal(sw_state_count_day(&st, now + 86401), 0);
	struct sw_state one = { .reboots = { now }, .n = 1 };
	assert_int_equal(sw_state_save(p, &one), 0);
	assert_int_equal(sw_state_load(p, now, &st, err, sizeof(err)), 0);
	assert_int_equal(sw_state_count_day(&st, now), 1);
}

static size_t file_size(const char *p)
{
	struct stat s;
	return stat(p, &s) == 0 ? (size_t)s.st_size : 0;
}

static void test_logfile_bounded(void **state)
{
	char p[128], old[140];
	path(p, "sw.log");
	snprintf(old, sizeof(old), "%s.1", p);
	log_open("test", true, LOG_LVL_INFO);
	assert_int_equal(sw_logfile_open(p, 2000), 0);
	/* stderr stays quiet: the test only looks at the file */
	FILE *saved = stderr;
	stderr = fopen("/dev/null", "w");
	for (int i = 0; i < 100; i++)
		log_notice("line %d of the starwatch log test", i);
	fclose(stderr);
	stderr = saved;
	sw_logfile_close();
	assert_true(file_size(p) <= 2000);
	assert_true(file_size(old) > 1000 && file_size(old) <= 2000);
	char *b = sw_file_read(p, 4000, NULL);
	assert_non_null(strstr(b, "line 99 of"));
	assert_non_null(strstr(b, " notice "));
	free(b);
	/* a symlink is not followed */
	unlink(p);
	assert_int_equal(symlink("/etc/passwd", p), 0);
	assert_int_equal(sw_logfile_open(p, 2000), -1);
	unlink(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_roundtrip),
		cmocka_unit_test(test_status_strict),
		cmocka_unit_test(test_status_file_and_view),
		cmocka_unit_test(test_file_read_refuses),
		cmocka_unit_test(test_state_counts_a_day),
		cmocka_unit_test(test_state_roundtrip_and_strict),
		cmocka_unit_test(test_state_corrupt_is_conservative),
		cmocka_unit_test(test_logfile_bounded),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
