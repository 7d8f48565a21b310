/* usage_store: round trips, restarts through the file, bad files set aside
 * with the running counts untouched, unwritable paths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/fsutil.h"
#include "usage/usage.h"

#define BOOT_A "2ddaf1a4-c94c-4076-aa2b-061cabce7531"
#define BOOT_B "6f1c0d6e-7a55-4c1e-9d0b-3b1f2a9e4c11"
#define NOW 1715328000          /* 2024-05-10T08:00:00Z */

static char dir[64], path[128], bad[160];

static int setup(void **state)
{
	setenv("TZ", "UTC", 1);
	tzset();
	snprintf(dir, sizeof(dir), "/tmp/autonomy-store-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/state/usage.json", dir);
	snprintf(bad, sizeof(bad), "%s.bad", path);
	return 0;
}

static int teardown(void **state)
{
	unlink(path);
	unlink(bad);
	char sub[96];
	snprintf(sub, sizeof(sub), "%s/state", dir);
	rmdir(sub);
	return rmdir(dir);
}

/* A member that has counted something: 3000 rx, 300 tx on ifindex 4. */
static void counted(struct usage_member *u, const char *name, const char *dev)
{
	usage_init(u, name, dev);
	usage_set_plan(u, 15, 1000000, NOW);
	usage_set_source(u, 4, BOOT_A);
	usage_update(u, 1000, 100, NOW);
	usage_update(u, 4000, 400, NOW + 300);
	u->prev_total = 777;
	u->prev_start = NOW - 40 * 86400;
	u->alerted_pct = 50;
}

static void fresh(struct usage_member *u, const char *name, const char *dev)
{
	usage_init(u, name, dev);
}

static void write_file(const char *text, size_t len)
{
	assert_int_equal(fs_mkdir_parents(path, 0755), 0);
	assert_int_equal(fs_write_atomic(path, text, len, 0644), 0);
}

static void assert_same(const struct usage_member *a, const struct usage_member *b)
{
	assert_string_equal(a->name, b->name);
	assert_string_equal(a->device, b->device);
	assert_int_equal(a->reset_day, b->reset_day);
	assert_int_equal(a->cycle_start, b->cycle_start);
	assert_int_equal(a->next_reset, b->next_reset);
	assert_int_equal(a->rx_bytes, b->rx_bytes);
	assert_int_equal(a->tx_bytes, b->tx_bytes);
	assert_int_equal(a->prev_total, b->prev_total);
	assert_int_equal(a->prev_start, b->prev_start);
	assert_int_equal(a->last_rx, b->last_rx);
	assert_int_equal(a->last_tx, b->last_tx);
	assert_int_equal(a->last_valid, b->last_valid);
	assert_int_equal(a->ifindex, b->ifindex);
	assert_string_equal(a->boot_id, b->boot_id);
	assert_int_equal(a->alerted_pct, b->alerted_pct);
}

static void test_round_trip(void **state)
{
	struct usage_member m[2], r[2];
	counted(&m[0], "cell", "wwan0");
	counted(&m[1], "starlink", "eth1");
	m[1].rx_bytes = UINT64_MAX - 5;         /* the full range survives JSON */
	char err[256] = "";
	assert_int_equal(usage_store_save(path, m, 2, err, sizeof(err)), 1);
	assert_false(m[0].dirty);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	/* Nothing changed: nothing written. */
	assert_int_equal(usage_store_save(path, m, 2, err, sizeof(err)), 0);
	fresh(&r[0], "cell", "wwan0");
	fresh(&r[1], "starlink", "eth1");
	r[0].cap_bytes = 5;                     /* the config's, not the file's */
	assert_int_equal(usage_store_load(path, r, 2, err, sizeof(err)), 0);
	assert_same(&r[0], &m[0]);
	assert_same(&r[1], &m[1]);
	assert_int_equal(r[0].cap_bytes, 5);
	assert_false(r[0].dirty);
	/* A new sample makes it worth a write again. */
	usage_update(&m[0], 4100, 400, NOW + 600);
	assert_int_equal(usage_store_save(path, m, 2, err, sizeof(err)), 1);
}

/* The restart path end to end: the kernel still holds the gap. */
static void test_restart_through_file(void **state)
{
	struct usage_member m, r;
	char err[256] = "";
	counted(&m, "cell", "wwan0");                   /* 3000 counted, last 4000 */
	assert_int_equal(usage_store_save(path, &m, 1, err, sizeof(err)), 1);
	fresh(&r, "cell", "wwan0");
	assert_int_equal(usage_store_load(path, &r, 1, err, sizeof(err)), 0);
	usage_set_plan(&r, 15, 1000000, NOW + 3600);
	usage_set_source(&r, 4, BOOT_A);
	usage_update(&r, 9000, 900, NOW + 3600);
	assert_int_equal(r.rx_bytes, 3000 + 5000);
	assert_int_equal(r.tx_bytes, 300 + 500);
	/* After a reboot: all of the new counters, from 0. */
	fresh(&r, "cell", "wwan0");
	assert_int_equal(usage_store_load(path, &r, 1, err, sizeof(err)), 0);
	usage_set_source(&r, 4, BOOT_B);
	usage_update(&r, 1200, 20, NOW + 3600);
	assert_int_equal(r.rx_bytes, 3000 + 1200);
	assert_int_equal(r.tx_bytes, 300 + 20);
}

static void test_other_members(void **state)
{
	struct usage_member m[2], r[2];
	char err[256] = "";
	counted(&m[0], "old", "eth9");
	counted(&m[1], "cell", "wwan0");
	assert_int_equal(usage_store_save(path, m, 2, err, sizeof(err)), 1);
	/* "old" is no longer configured, "wifi" is new. */
	fresh(&r[0], "cell", "wwan0");
	fresh(&r[1], "wifi", "wlan1");
	assert_int_equal(usage_store_load(path, r, 2, err, sizeof(err)), 0);
	assert_int_equal(r[0].rx_bytes, 3000);
	assert_int_equal(r[1].rx_bytes, 0);
	assert_false(r[1].last_valid);
	/* The next save drops "old". */
	usage_set_source(&r[1], 6, BOOT_A);
	usage_update(&r[1], 10, 10, NOW);
	assert_int_equal(usage_store_save(path, r, 2, err, sizeof(err)), 1);
	size_t len;
	char *text = fs_read_file(path, 1 << 20, &len);
	assert_non_null(text);
	assert_null(strstr(text, "\"old\""));
	assert_non_null(strstr(text, "\"wifi\""));
	free(text);
}

static void test_device_changed(void **state)
{
	struct usage_member m, r;
	char err[256] = "";
	counted(&m, "cell", "wwan0");
	assert_int_equal(usage_store_save(path, &m, 1, err, sizeof(err)), 1);
	fresh(&r, "cell", "wwan1");             /* the config moved it */
	assert_int_equal(usage_store_load(path, &r, 1, err, sizeof(err)), 0);
	assert_string_equal(r.device, "wwan1");
	assert_int_equal(r.rx_bytes, 3000);     /* the member's usage stays */
	assert_false(r.last_valid);             /* the old device's baseline does not */
	assert_true(r.dirty);
}

/* A bad file: error text, PATH.bad, the running counts untouched. */
static void assert_set_aside(const char *text, size_t len, const char *why)
{
	write_file(text, len);
	struct usage_member r;
	counted(&r, "cell", "wwan0");
	struct usage_member before = r;
	char err[512] = "";
	assert_int_equal(usage_store_load(path, &r, 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, why));
	assert_non_null(strstr(err, ".bad"));
	assert_memory_equal(&r, &before, sizeof(r));
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(access(bad, F_OK), 0);
	unlink(bad);
}

static void test_bad_files(void **state)
{
	assert_set_aside("\x7f" "ELF\x02\x01", 6, "not JSON");
	assert_set_aside("", 0, "not JSON");
	assert_set_aside("{\"format\":\"autonomy-usage\"} x", 29, "not JSON");
	assert_set_aside("[1,2,3]", 7, "not an autonomy usage file");
	assert_set_aside("{\"config\":{\"main\":{}}}", 22, "not an autonomy usage file");
	assert_set_aside("{\"format\":\"autonomy-usage\",\"version\":2,\"members\":[]}", 52,
			 "format version 2");
	assert_set_aside("{\"format\":\"autonomy-usage\",\"version\":1,\"members\":{}}", 52,
			 "\"members\"");
	/* One bad member spoils the file: nothing of it is used. */
	const char *neg = "{\"format\":\"autonomy-usage\",\"version\":1,\"members\":[{\"name\":\"cell\","
			  "\"rx_bytes\":-5}]}";
	assert_set_aside(neg, strlen(neg), "missing or invalid");
}

static void test_truncated_file(void **state)
{
	struct usage_member m;
	char err[256] = "";
	counted(&m, "cell", "wwan0");
	assert_int_equal(usage_store_save(path, &m, 1, err, sizeof(err)), 1);
	size_t len;
	char *text = fs_read_file(path, 1 << 20, &len);
	assert_non_null(text);
	/* Every cut of a good file is refused, none crashes. */
	for (size_t cut = 1; cut < len - 2; cut += 7) {
		struct usage_member r;
		fresh(&r, "cell", "wwan0");
		assert_int_equal(usage_store_parse(text, cut, &r, 1, err, sizeof(err)), -1);
		assert_int_equal(r.rx_bytes, 0);
	}
	assert_set_aside(text, len / 2, "not JSON");
	free(text);
}

static void test_unknown_keys_and_invalid_values(void **state)
{
	struct usage_member m, r;
	char err[256] = "";
	counted(&m, "cell", "wwan0");
	assert_int_equal(usage_store_save(path, &m, 1, err, sizeof(err)), 1);
	size_t len;
	char *text = fs_read_file(path, 1 << 20, &len);
	char *buf = malloc(len + 64);
	/* A newer daemon's extra key is ignored. */
	char *brace = strchr(text, '{');
	int pre = (int)(brace - text) + 1;
	snprintf(buf, len + 64, "%.*s \"future\": [1, {\"x\": null}],%s", pre, text, brace + 1);
	fresh(&r, "cell", "wwan0");
	assert_int_equal(usage_store_parse(buf, strlen(buf), &r, 1, err, sizeof(err)), 0);
	assert_int_equal(r.rx_bytes, 3000);
	/* Out-of-range or mistyped values are refused. */
	const char *cases[][2] = {
		{ "\"reset_day\": 15", "\"reset_day\": 40" },
		{ "\"reset_day\": 15", "\"reset_day\": \"15\"" },
		{ "\"last_valid\": true", "\"last_valid\": 1" },
		{ "\"ifindex\": 4", "\"ifindex\": -4" },
		{ "\"name\": \"cell\"", "\"name\": \"\"" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *at = strstr(text, cases[i][0]);
		assert_non_null(at);
		snprintf(buf, len + 64, "%.*s%s%s", (int)(at - text), text, cases[i][1],
			 at + strlen(cases[i][0]));
		fresh(&r, "cell", "wwan0");
		assert_int_equal(usage_store_parse(buf, strlen(buf), &r, 1, err, sizeof(err)), -1);
	}
	free(buf);
	free(text);
}

static void test_missing_and_unwritable(void **state)
{
	struct usage_member m;
	char err[256] = "";
	counted(&m, "cell", "wwan0");
	/* No file yet: nothing restored, no error. */
	assert_int_equal(usage_store_load(path, &m, 1, err, sizeof(err)), 0);
	assert_int_equal(m.rx_bytes, 3000);
	/* A directory that cannot be created (procfs refuses even root) and
	 * one whose parent is a file: the error is returned, the counts stay
	 * and stay dirty for the next try. */
	assert_int_equal(usage_store_save("/proc/autonomy-h6-test/usage.json", &m, 1, err,
					  sizeof(err)), -1);
	assert_non_null(strstr(err, "/proc/autonomy-h6-test/usage.json"));
	assert_true(m.dirty);
	assert_int_equal(m.rx_bytes, 3000);
	char file_parent[160];
	write_file("x", 1);
	snprintf(file_parent, sizeof(file_parent), "%s/usage.json", path);
	assert_int_equal(usage_store_save(file_parent, &m, 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, strerror(ENOTDIR)));
	assert_true(m.dirty);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_through_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_members, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_changed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_keys_and_invalid_values, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_missing_and_unwritable, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
