/* usage: deltas, resets and wraps, restarts with and without the gap,
 * cycles in local time (reset days past the month's end, DST), alerts, and
 * the sysfs counters. Expected instants were computed independently (Python
 * zoneinfo) and are written out as numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "usage/usage.h"

#define BOOT_A "2ddaf1a4-c94c-4076-aa2b-061cabce7531"
#define BOOT_B "6f1c0d6e-7a55-4c1e-9d0b-3b1f2a9e4c11"
#define T2024 1710000000        /* 2024-03-09T16:00:00Z */
#define GIB (UINT64_C(1) << 30)

static void set_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

static int64_t utc(int y, int mon, int d, int h, int mi, int s)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mon - 1, .tm_mday = d,
			 .tm_hour = h, .tm_min = mi, .tm_sec = s };
	return (int64_t)timegm(&tm);
}

static void member(struct usage_member *u, int day, uint64_t cap)
{
	usage_init(u, "cell", "wwan0");
	usage_set_plan(u, day, cap, T2024);
}

static void test_deltas(void **state)
{
	struct usage_member u;
	member(&u, 1, 0);
	usage_set_source(&u, 5, BOOT_A);
	usage_update(&u, 1000, 500, T2024);     /* the baseline only */
	assert_int_equal(usage_total(&u), 0);
	usage_update(&u, 1500, 700, T2024 + 300);
	assert_int_equal(u.rx_bytes, 500);
	assert_int_equal(u.tx_bytes, 200);
	u.dirty = false;
	usage_update(&u, 1500, 700, T2024 + 600);
	assert_false(u.dirty);                  /* nothing changed: no save */
	usage_update(&u, 1501, 700, T2024 + 900);
	assert_true(u.dirty);
	assert_int_equal(usage_total(&u), 701);
	assert_true(usage_pct(&u) < 0);         /* no cap */
}

static void test_counter_rules(void **state)
{
	uint64_t top = (UINT64_C(1) << 32);
	assert_int_equal(usage_counter_delta(10, 25), 15);
	/* A 32-bit wrap: from the top quarter to the bottom quarter. */
	assert_int_equal(usage_counter_delta(top - 1000, 500), 1500);
	assert_int_equal(usage_counter_delta(top - 1, 0), 1);
	/* Backwards otherwise: a reset, the new value is the delta. */
	assert_int_equal(usage_counter_delta(1000, 10), 10);
	assert_int_equal(usage_counter_delta(top - 1000, 2 * GIB), 2 * GIB);
	assert_int_equal(usage_counter_delta(2 * GIB, 10), 10);
	assert_int_equal(usage_counter_delta(5 * GIB, 100), 100);      /* 64-bit: reset */
	/* Through usage_update: a driver reset mid-cycle loses nothing after it. */
	struct usage_member u;
	member(&u, 1, 0);
	usage_set_source(&u, 5, BOOT_A);
	usage_update(&u, top - 1000, 0, T2024);
	usage_update(&u, 500, 0, T2024 + 300);
	assert_int_equal(u.rx_bytes, 1500);
	usage_update(&u, 7000, 0, T2024 + 600);
	usage_update(&u, 40, 0, T2024 + 900);
	assert_int_equal(u.rx_bytes, 1500 + 6500 + 40);
}

/* A member as the store brings it back after a daemon restart. */
static struct usage_member restarted(void)
{
	struct usage_member u;
	member(&u, 1, 0);
	usage_set_source(&u, 3, BOOT_A);
	usage_update(&u, 1000, 100, T2024);
	usage_update(&u, 3000, 200, T2024 + 300);       /* 2000 + 100 counted */
	return u;                                       /* last 3000/200 */
}

static void test_restart_gap(void **state)
{
	/* Same boot, same device: the kernel still holds the bytes. */
	struct usage_member u = restarted();
	usage_set_source(&u, 3, BOOT_A);
	usage_update(&u, 5000, 250, T2024 + 3600);
	assert_int_equal(u.rx_bytes, 2000 + 2000);
	assert_int_equal(u.tx_bytes, 100 + 50);
	/* Rebooted: the counters restarted from 0, count them all. */
	u = restarted();
	usage_set_source(&u, 3, BOOT_B);
	usage_update(&u, 800, 80, T2024 + 3600);
	assert_int_equal(u.rx_bytes, 2000 + 800);       /* not 800 - 3000 or a gap */
	assert_int_equal(u.tx_bytes, 100 + 80);
	assert_string_equal(u.boot_id, BOOT_B);
	/* The device was recreated (new ifindex) while the daemon was down,
	 * and its new counter already passed the old one: still from 0. */
	u = restarted();
	usage_set_source(&u, 9, BOOT_A);
	usage_update(&u, 4000, 300, T2024 + 3600);
	assert_int_equal(u.rx_bytes, 2000 + 4000);
	/* A member never seen before: the first sample is only the baseline. */
	member(&u, 1, 0);
	usage_set_source(&u, 3, BOOT_A);
	usage_update(&u, 123456, 789, T2024);
	assert_int_equal(usage_total(&u), 0);
}

static void test_reset_days_utc(void **state)
{
	set_tz("UTC");
	/* Day 1: the cycle starts at the 1st's midnight, inclusive. */
	assert_int_equal(usage_cycle_start(utc(2024, 1, 1, 0, 0, 0), 1), utc(2024, 1, 1, 0, 0, 0));
	assert_int_equal(usage_cycle_start(utc(2023, 12, 31, 23, 59, 59), 1), utc(2023, 12, 1, 0, 0, 0));
	assert_int_equal(usage_next_reset(utc(2023, 12, 31, 23, 59, 59), 1), utc(2024, 1, 1, 0, 0, 0));
	/* Day 15. */
	assert_int_equal(usage_cycle_start(utc(2024, 3, 14, 23, 59, 59), 15), utc(2024, 2, 15, 0, 0, 0));
	assert_int_equal(usage_cycle_start(utc(2024, 3, 15, 0, 0, 0), 15), utc(2024, 3, 15, 0, 0, 0));
	assert_int_equal(usage_next_reset(utc(2024, 3, 15, 0, 0, 0), 15), utc(2024, 4, 15, 0, 0, 0));
	/* Day 31 in a leap February: the 29th; then March 31. */
	assert_int_equal(usage_cycle_start(utc(2024, 2, 20, 12, 0, 0), 31), utc(2024, 1, 31, 0, 0, 0));
	assert_int_equal(usage_next_reset(utc(2024, 2, 20, 12, 0, 0), 31), utc(2024, 2, 29, 0, 0, 0));
	assert_int_equal(usage_cycle_start(utc(2024, 2, 29, 0, 0, 0), 31), utc(2024, 2, 29, 0, 0, 0));
	assert_int_equal(usage_next_reset(utc(2024, 2, 29, 0, 0, 0), 31), utc(2024, 3, 31, 0, 0, 0));
	assert_int_equal(usage_cycle_start(utc(2024, 3, 30, 0, 0, 0), 31), utc(2024, 2, 29, 0, 0, 0));
	/* ... and in a common year: the 28th. */
	assert_int_equal(usage_next_reset(utc(2023, 2, 1, 0, 0, 0), 31), utc(2023, 2, 28, 0, 0, 0));
	assert_int_equal(usage_cycle_start(utc(2023, 2, 28, 10, 0, 0), 31), utc(2023, 2, 28, 0, 0, 0));
	assert_int_equal(usage_next_reset(utc(2023, 2, 28, 10, 0, 0), 31), utc(2023, 3, 31, 0, 0, 0));
	/* 30 in February, 31 in April; out-of-range days clamp. */
	assert_int_equal(usage_next_reset(utc(2023, 1, 30, 0, 0, 0), 30), utc(2023, 2, 28, 0, 0, 0));
	assert_int_equal(usage_next_reset(utc(2023, 4, 1, 0, 0, 0), 31), utc(2023, 4, 30, 0, 0, 0));
	assert_int_equal(usage_cycle_start(utc(2023, 4, 1, 0, 0, 0), 0), utc(2023, 4, 1, 0, 0, 0));
	assert_int_equal(usage_next_reset(utc(2023, 4, 1, 0, 0, 0), 99), utc(2023, 4, 30, 0, 0, 0));
	/* Year boundary. */
	assert_int_equal(usage_next_reset(utc(2023, 12, 20, 0, 0, 0), 15), utc(2024, 1, 15, 0, 0, 0));
}

/* Steps a member through [from, to) every 10 minutes and checks that it
 * rolls over exactly at each of want[1..n-1] (want[0]: the first cycle). */
static void walk_cycles(int day, const int64_t *want, int n)
{
	struct usage_member u;
	usage_init(&u, "cell", "wwan0");
	int64_t from = want[0] + 86400, to = want[n - 1] + 86400;
	usage_set_plan(&u, day, 1000, from);
	assert_int_equal(u.cycle_start, want[0]);
	usage_set_source(&u, 2, BOOT_A);
	int k = 1;
	uint64_t c = 0;
	for (int64_t t = from; t < to; t += 600) {
		int64_t before = u.cycle_start;
		c += 100;
		usage_update(&u, c, c, t);
		if (u.cycle_start == before)
			continue;
		assert_true(k < n);
		assert_int_equal(t, want[k]);           /* at local midnight, not later */
		assert_int_equal(u.cycle_start, want[k]);
		assert_int_equal(u.prev_start, want[k - 1]);
		k++;
	}
	assert_int_equal(k, n);                         /* none skipped, none twice */
}

static const int64_t berlin_1[] = { 1709247600, 1711922400, 1714514400, 1717192800, 1719784800,
				    1722463200, 1725141600, 1727733600, 1730415600 };
static const int64_t berlin_27[] = { 1711494000, 1714168800, 1716760800, 1719439200, 1722031200,
				     1724709600, 1727388000, 1729980000, 1732662000 };
static const int64_t berlin_31[] = { 1711839600, 1714428000, 1717106400, 1719698400, 1722376800,
				     1725055200, 1727647200, 1730329200, 1732921200 };

static void test_dst_berlin(void **state)
{
	/* 2024: CEST from Sunday 31 March, CET again from Sunday 27 October.
	 * Reset day 31 starts a cycle on the spring-forward day, 27 on the
	 * fall-back day. The zoneinfo name and OpenWrt's POSIX string. */
	const char *zones[] = { "Europe/Berlin", "CET-1CEST,M3.5.0,M10.5.0/3" };
	for (int z = 0; z < 2; z++) {
		set_tz(zones[z]);
		walk_cycles(1, berlin_1, 9);
		walk_cycles(27, berlin_27, 9);
		walk_cycles(31, berlin_31, 9);
		assert_int_equal(usage_cycle_start(1711839600 - 1, 31), 1709161200); /* Feb 29 */
		assert_int_equal(usage_next_reset(1711839600 - 1, 31), 1711839600);
	}
	set_tz("UTC");
}

static void test_dst_at_midnight(void **state)
{
	/* São Paulo 2018: 4 November had no 00:00 (clocks went to 01:00); on
	 * 17 February 2019 00:00 came an hour "late" (16 Feb 23:xx twice). */
	set_tz("America/Sao_Paulo");
	assert_int_equal(usage_cycle_start(1541300400 + 3600, 4), 1541300400);  /* 01:00 -02 */
	assert_int_equal(usage_next_reset(1541300400 - 1, 4), 1541300400);
	assert_int_equal(usage_cycle_start(1550372400, 17), 1550372400);
	assert_int_equal(usage_cycle_start(1550372400 - 1, 17), 1547690400);   /* 17 Jan -02 */
	assert_int_equal(usage_cycle_start(1550372400 - 1, 16), 1550282400);
	set_tz("UTC");
}

static void test_clock_not_set(void **state)
{
	set_tz("UTC");
	/* A router without an RTC before NTP: bytes count, no cycle yet. */
	struct usage_member u;
	usage_init(&u, "cell", "wwan0");
	usage_set_plan(&u, 1, 0, 86400);
	assert_int_equal(u.cycle_start, 0);
	usage_set_source(&u, 2, BOOT_A);
	usage_update(&u, 100, 0, 86400);
	usage_update(&u, 600, 0, 86400 + 300);
	assert_int_equal(u.cycle_start, 0);
	/* NTP: the cycle starts around the bytes already counted. */
	usage_update(&u, 700, 0, utc(2024, 5, 10, 8, 0, 0));
	assert_int_equal(u.cycle_start, utc(2024, 5, 1, 0, 0, 0));
	assert_int_equal(u.rx_bytes, 600);
	/* A step back in time does not end (or restart) the cycle. */
	usage_update(&u, 800, 0, utc(2024, 4, 20, 8, 0, 0));
	assert_int_equal(u.cycle_start, utc(2024, 5, 1, 0, 0, 0));
	assert_int_equal(u.rx_bytes, 700);
}

static void test_plan_change(void **state)
{
	set_tz("UTC");
	struct usage_member u;
	usage_init(&u, "cell", "wwan0");
	usage_set_plan(&u, 1, 0, utc(2024, 5, 10, 0, 0, 0));
	assert_int_equal(u.next_reset, utc(2024, 6, 1, 0, 0, 0));
	/* The reset day moves to the 15th: this cycle ends on the 15th. */
	usage_set_plan(&u, 15, 0, utc(2024, 5, 10, 0, 0, 0));
	assert_int_equal(u.cycle_start, utc(2024, 5, 1, 0, 0, 0));
	assert_int_equal(u.next_reset, utc(2024, 5, 15, 0, 0, 0));
	usage_set_source(&u, 2, BOOT_A);
	usage_update(&u, 0, 0, utc(2024, 5, 10, 0, 0, 0));
	usage_update(&u, 10, 0, utc(2024, 5, 15, 0, 0, 0));
	assert_int_equal(u.cycle_start, utc(2024, 5, 15, 0, 0, 0));
	assert_int_equal(u.next_reset, utc(2024, 6, 15, 0, 0, 0));
	assert_int_equal(u.prev_start, utc(2024, 5, 1, 0, 0, 0));
}

static void test_alerts(void **state)
{
	set_tz("UTC");
	const unsigned pcts[] = { 50, 80, 95, 100 };
	struct usage_member u;
	usage_init(&u, "cell", "wwan0");
	usage_set_plan(&u, 1, 1000, utc(2024, 5, 10, 0, 0, 0));
	usage_set_source(&u, 2, BOOT_A);
	usage_update(&u, 0, 0, utc(2024, 5, 10, 0, 0, 0));
	usage_update(&u, 300, 100, utc(2024, 5, 10, 1, 0, 0));
	assert_int_equal(usage_alerts(&u, pcts, 4), 0);
	usage_update(&u, 500, 100, utc(2024, 5, 10, 2, 0, 0));
	assert_true(usage_pct(&u) > 59.9 && usage_pct(&u) < 60.1);
	assert_int_equal(usage_alerts(&u, pcts, 4), 1u << 0);
	assert_int_equal(usage_alerts(&u, pcts, 4), 0);                 /* once */
	usage_update(&u, 890, 100, utc(2024, 5, 10, 3, 0, 0));          /* 99 %: two at once */
	assert_int_equal(usage_alerts(&u, pcts, 4), (1u << 1) | (1u << 2));
	usage_update(&u, 1000, 100, utc(2024, 5, 10, 4, 0, 0));
	assert_int_equal(usage_alerts(&u, pcts, 4), 1u << 3);
	assert_int_equal(usage_alerts(&u, pcts, 4), 0);
	/* A larger cap: the share drops to 11 %, 50 % may fire again later. */
	usage_set_plan(&u, 1, 10000, utc(2024, 5, 10, 4, 0, 0));
	assert_int_equal(usage_alerts(&u, pcts, 4), 0);
	usage_update(&u, 5000, 100, utc(2024, 5, 10, 5, 0, 0));
	assert_int_equal(usage_alerts(&u, pcts, 4), 1u << 0);
	/* The next cycle re-arms everything. */
	usage_update(&u, 5600, 100, utc(2024, 6, 1, 0, 0, 0));
	assert_int_equal(usage_total(&u), 600);
	assert_int_equal(u.prev_total, 5100);
	assert_int_equal(usage_alerts(&u, pcts, 4), 0);
	usage_update(&u, 10600, 100, utc(2024, 6, 2, 0, 0, 0));
	assert_int_equal(usage_alerts(&u, pcts, 4), 1u << 0);
	/* No cap, no alerts. */
	usage_set_plan(&u, 1, 0, utc(2024, 6, 2, 0, 0, 0));
	usage_update(&u, 90000, 100, utc(2024, 6, 2, 1, 0, 0));
	assert_int_equal(usage_alerts(&u, pcts, 4), 0);
}

/* ---- sysfs ---- */

static char root[64];

static void put(const char *rel, const char *text)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_sysfs_counters(void **state)
{
	snprintf(root, sizeof(root), "/tmp/autonomy-usage-XXXXXX");
	assert_non_null(mkdtemp(root));
	char dir[128];
	snprintf(dir, sizeof(dir), "%s/wwan0", root);
	mkdir(dir, 0755);
	snprintf(dir, sizeof(dir), "%s/wwan0/statistics", root);
	mkdir(dir, 0755);
	put("wwan0/ifindex", "7\n");
	put("wwan0/statistics/rx_bytes", "18446744073709551615\n");
	put("wwan0/statistics/tx_bytes", "4096\n");
	uint64_t rx = 0, tx = 0;
	int idx = 0;
	assert_int_equal(usage_read_counters(root, "wwan0", &rx, &tx, &idx), 0);
	assert_true(rx == UINT64_MAX);
	assert_int_equal(tx, 4096);
	assert_int_equal(idx, 7);
	/* Missing device: an error, not zero. */
	assert_int_equal(usage_read_counters(root, "wwan1", &rx, &tx, &idx), -1);
	assert_int_equal(errno, ENODEV);
	/* Names that would leave the directory. */
	assert_int_equal(usage_read_counters(root, "../wwan0", &rx, &tx, &idx), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(usage_read_counters(root, "..", &rx, &tx, &idx), -1);
	assert_int_equal(usage_read_counters(root, "", &rx, &tx, &idx), -1);
	assert_int_equal(usage_read_counters(root, "a-name-far-too-long", &rx, &tx, &idx), -1);
	/* Malformed values. */
	put("wwan0/statistics/tx_bytes", "12a\n");
	assert_int_equal(usage_read_counters(root, "wwan0", &rx, &tx, &idx), -1);
	assert_int_equal(errno, EINVAL);
	put("wwan0/statistics/tx_bytes", "");
	assert_int_equal(usage_read_counters(root, "wwan0", &rx, &tx, &idx), -1);
	/* The real kernel: lo exists everywhere. */
	assert_int_equal(usage_read_counters(NULL, "lo", &rx, &tx, &idx), 0);
	assert_int_equal(idx, 1);
	const char *made[] = { "wwan0/statistics/rx_bytes", "wwan0/statistics/tx_bytes",
			       "wwan0/ifindex", "wwan0/statistics", "wwan0", "" };
	for (size_t i = 0; i < sizeof(made) / sizeof(made[0]); i++) {
		char p[256];
		snprintf(p, sizeof(p), "%s/%s", root, made[i]);
		assert_int_equal(remove(p), 0);
	}
}

static void test_parse_u64(void **state)
{
	uint64_t v;
	assert_int_equal(usage_parse_u64("0\n", 2, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(usage_parse_u64("18446744073709551615", 20, &v), 0);
	assert_int_equal(usage_parse_u64("18446744073709551616", 20, &v), -1);
	assert_int_equal(usage_parse_u64("99999999999999999999", 20, &v), -1);
	assert_int_equal(usage_parse_u64("", 0, &v), -1);
	assert_int_equal(usage_parse_u64("\n", 1, &v), -1);
	assert_int_equal(usage_parse_u64(" 1", 2, &v), -1);
	assert_int_equal(usage_parse_u64("-1", 2, &v), -1);
	assert_int_equal(usage_parse_u64("1\n\n", 3, &v), -1);
}

static void test_boot_id(void **state)
{
	char id[USAGE_BOOT_ID_LEN + 1];
	assert_int_equal(usage_boot_id(NULL, id, sizeof(id)), 0);
	assert_int_equal(strlen(id), USAGE_BOOT_ID_LEN);
	char path[] = "/tmp/autonomy-bootid-XXXXXX";
	int fd = mkstemp(path);
	assert_int_equal(write(fd, "not-a-boot-id\n", 14), 14);
	close(fd);
	assert_int_equal(usage_boot_id(path, id, sizeof(id)), -1);
	assert_int_equal(errno, EINVAL);
	unlink(path);
	assert_int_equal(usage_boot_id("/nonexistent/boot_id", id, sizeof(id)), -1);
	assert_int_equal(usage_boot_id(NULL, id, 10), -1);      /* does not fit */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deltas),
		cmocka_unit_test(test_counter_rules),
		cmocka_unit_test(test_restart_gap),
		cmocka_unit_test(test_reset_days_utc),
		cmocka_unit_test(test_dst_berlin),
		cmocka_unit_test(test_dst_at_midnight),
		cmocka_unit_test(test_clock_not_set),
		cmocka_unit_test(test_plan_change),
		cmocka_unit_test(test_alerts),
		cmocka_unit_test(test_sysfs_counters),
		cmocka_unit_test(test_parse_u64),
		cmocka_unit_test(test_boot_id),
	};
	set_tz("UTC");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
