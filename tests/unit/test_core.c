/* core: pid file locking, atomic writes, paths, the rpcd plugin protocol
 * without a daemon. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/clock.h"
#include "core/fsutil.h"
#include "core/jsonutil.h"
#include "core/pidfile.h"
#include "ctl/ctl_rpcd.h"

static char tmpdir[64];
static char why[512];

static int setup(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/autonomy-core-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "%s", tmpdir);
	/* Only files this test made: two levels at most. */
	char p[256];
	snprintf(p, sizeof(p), "%s/a/b/pid", tmpdir); unlink(p);
	snprintf(p, sizeof(p), "%s/a/b", tmpdir); rmdir(p);
	snprintf(p, sizeof(p), "%s/a", tmpdir); rmdir(p);
	snprintf(p, sizeof(p), "%s/file", tmpdir); unlink(p);
	return rmdir(cmd);
}

static void test_pidfile_exclusive(void **state)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/a/b/pid", tmpdir);
	pid_t holder = -1;
	struct pidfile *pf = pidfile_acquire(path, &holder, why, sizeof(why));
	assert_non_null(pf);
	assert_int_equal(holder, 0);
	assert_int_equal(pidfile_read_locked(path), getpid());
	/* A second acquisition (a second daemon) is refused and told who holds it. */
	assert_null(pidfile_acquire(path, &holder, why, sizeof(why)));
	assert_int_equal(errno, EEXIST);
	assert_int_equal(holder, getpid());
	pidfile_release(pf);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(pidfile_read_locked(path), 0);
}

static void test_pidfile_stale_taken_over(void **state)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/a/b/pid", tmpdir);
	assert_int_equal(fs_write_atomic(path, "999999\n", 7, 0644), 0);
	assert_int_equal(pidfile_read_locked(path), 0);   /* not locked: stale */
	struct pidfile *pf = pidfile_acquire(path, NULL, why, sizeof(why));
	assert_non_null(pf);
	size_t len;
	char *txt = fs_read_file(path, 64, &len);
	char want[32];
	snprintf(want, sizeof(want), "%d\n", (int)getpid());
	assert_string_equal(txt, want);
	free(txt);
	pidfile_release(pf);
}

static void test_atomic_write_and_read_limit(void **state)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/file", tmpdir);
	assert_int_equal(fs_write_atomic(path, "hello", 5, 0600), 0);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	size_t len = 0;
	char *s = fs_read_file(path, 100, &len);
	assert_string_equal(s, "hello");
	assert_int_equal(len, 5);
	free(s);
	assert_null(fs_read_file(path, 3, &len));
	assert_int_equal(errno, EFBIG);
	assert_null(fs_read_file("/nonexistent/x", 100, &len));
}

static void test_json_num(void **state)
{
	json_object *o = json_num(0.1, 3);
	assert_string_equal(json_object_to_json_string(o), "0.100");
	json_object_put(o);
	assert_null(json_num(0.0 / 0.0, 2));
}

static void test_iso8601(void **state)
{
	char b[32];
	assert_string_equal(clock_iso8601(1764300000, b, sizeof(b)), "2025-11-28T03:20:00Z");
	uint64_t a = clock_mono_us(), c = clock_mono_us();
	assert_true(c >= a);
}

static char *rpcd(int argc, char **argv, const char *input, int *rc)
{
	char *out = NULL;
	size_t len = 0;
	FILE *in = fmemopen((void *)input, strlen(input), "r");
	FILE *o = open_memstream(&out, &len);
	*rc = ctl_rpcd_main(argc, argv, in, o, "/nonexistent/autonomy.sock");
	fclose(in);
	fclose(o);
	return out;
}

static void test_rpcd_list(void **state)
{
	char *argv[] = { "autonomy", "list", NULL };
	int rc;
	char *out = rpcd(2, argv, "", &rc);
	assert_int_equal(rc, 0);
	json_object *o = json_tokener_parse(out);
	assert_true(json_object_is_type(o, json_type_object));
	json_object *m;
	assert_true(json_object_object_get_ex(o, "status", &m));
	assert_int_equal(json_object_object_length(m), 0);
	/* Revealing secrets is its own method (issue 13), for the write ACL. */
	assert_true(json_object_object_get_ex(o, "config_show", &m));
	assert_int_equal(json_object_object_length(m), 0);
	assert_true(json_object_object_get_ex(o, "config_reveal", &m));
	assert_int_equal(json_object_object_length(m), 0);
	assert_true(json_object_object_get_ex(o, "config_validate", &m));
	assert_string_equal(json_object_to_json_string(m), "{ \"file\": \"\", \"text\": \"\" }");
	json_object_put(o);
	free(out);
}

static void expect_rpcd_error(const char *method, const char *input, const char *code)
{
	char *argv[] = { "autonomy", "call", (char *)method, NULL };
	int rc;
	char *out = rpcd(3, argv, input, &rc);
	json_object *o = json_tokener_parse(out), *e, *c;
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "error", &e));
	assert_true(json_object_object_get_ex(e, "code", &c));
	if (strcmp(json_object_get_string(c), code) != 0)
		fail_msg("%s with '%s': got %s, want %s", method, input,
			 json_object_get_string(c), code);
	json_object_put(o);
	free(out);
}

static void test_rpcd_call_errors(void **state)
{
	expect_rpcd_error("status", "{}", "not_running");
	expect_rpcd_error("status", "{nope", "bad_json");
	expect_rpcd_error("status", "\"str\"", "bad_json");
	expect_rpcd_error("frobnicate", "{}", "unknown_command");
	/* Over ubus no file of the caller's choosing is read as root (issue 13,
	 * finding 2): only the daemon's own file or a config given inline. */
	expect_rpcd_error("config_validate", "{\"file\":\"/nonexistent/cfg\"}", "bad_args");
	expect_rpcd_error("config_validate", "{\"file\":\"/etc/shadow\"}", "bad_args");
	expect_rpcd_error("config_validate", "{\"text\":\"config autonomy 'main'\\n"
			  "\\toption backend 'teleport'\\n\"}", "config_invalid");
}

static void test_rpcd_usage(void **state)
{
	char *argv[] = { "autonomy", "bogus", NULL };
	int rc;
	char *out = rpcd(2, argv, "", &rc);
	assert_int_equal(rc, 2);
	assert_string_equal(out, "");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pidfile_exclusive),
		cmocka_unit_test(test_pidfile_stale_taken_over),
		cmocka_unit_test(test_atomic_write_and_read_limit),
		cmocka_unit_test(test_json_num),
		cmocka_unit_test(test_iso8601),
		cmocka_unit_test(test_rpcd_list),
		cmocka_unit_test(test_rpcd_call_errors),
		cmocka_unit_test(test_rpcd_usage),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
