/* Unit tests for wifi_src's detection and delivery (src/wifi/wifi_src.h)
 * on the real kernel and loop, without root: the interface is "lo", the
 * tools are paths that do not exist, and /proc/net/wireless is a file
 * written here in the kernel's format (rows as in tests/data/wifi).
 * tests/integration/run-wifi.sh runs the tool sources against fake tools
 * in a network namespace. */
#include "wifi/wifi_src.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

struct got {
	unsigned samples, scans;
	struct wifi_sample s;
	struct wifi_src_info info, scan_info;
	unsigned scan_n;
	struct wifi_src *free_me;       /* freed from the callback */
	bool in_call;                   /* set around wifi_src_poll/scan */
};

static struct event_base *g_base;
static char g_proc[64];

static void on_sample(void *arg, const struct wifi_sample *s, const struct wifi_src_info *info)
{
	struct got *g = arg;
	assert_false(g->in_call);       /* never from inside the call */
	g->samples++;
	g->s = *s;
	g->info = *info;
	if (g->free_me) {
		wifi_src_free(g->free_me);
		g->free_me = NULL;
	}
}

static void on_scan(void *arg, const struct wifi_scan *sc, const struct wifi_survey *sv, unsigned n,
		    const struct wifi_src_info *info)
{
	struct got *g = arg;
	assert_false(g->in_call);
	g->scans++;
	g->scan_n = sc->n;
	g->scan_info = *info;
	if (g->free_me) {
		wifi_src_free(g->free_me);
		g->free_me = NULL;
	}
}

static void write_proc(const char *row)
{
	FILE *f = fopen(g_proc, "w");
	assert_non_null(f);
	fprintf(f, "Inter-| sta-|   Quality        |   Discarded packets               | Missed | WE\n"
		   " face | tus | link level noise |  nwid  crypt   frag  retry   misc | beacon | 22\n%s", row);
	fclose(f);
}

static int setup(void **state)
{
	g_base = event_base_new();
	snprintf(g_proc, sizeof(g_proc), "/tmp/test_wifi_src.%d", (int)getpid());
	return g_base ? 0 : -1;
}

static int teardown(void **state)
{
	unlink(g_proc);
	event_base_free(g_base);
	return 0;
}

static struct wifi_src *new_src(struct got *g, const char *ifname)
{
	memset(g, 0, sizeof(*g));
	struct wifi_src_opts o = {
		.member = "wifi", .ifname = ifname,
		.iwinfo = "/nonexistent/iwinfo", .iw = "/nonexistent/iw",
		.procfs = g_proc, .timeout_ms = 1000,
	};
	struct wifi_src *src = wifi_src_new(g_base, &o, on_sample, on_scan, g);
	assert_non_null(src);
	return src;
}

static void poll_once(struct got *g, struct wifi_src *src)
{
	unsigned before = g->samples;
	g->in_call = true;
	assert_int_equal(wifi_src_poll(src), 0);
	g->in_call = false;
	while (g->samples == before)
		event_base_loop(g_base, EVLOOP_ONCE);
}

static void test_fallback_to_proc(void **state)
{
	struct got g;
	write_proc("    lo: 0000   68.  -42.  -256        0      0      0      0   3851        0\n");
	struct wifi_src *src = new_src(&g, "lo");
	assert_string_equal(wifi_src_current(src), "none");
	poll_once(&g, src);
	/* nl80211 (absent here, or lo is not wireless), iwinfo and iw (not
	 * installed) were passed over */
	assert_true(g.info.ok);
	assert_string_equal(g.info.source, "proc");
	assert_string_equal(g.s.source, "proc");
	assert_string_equal(g.s.ifname, "lo");
	assert_true(fabs(g.s.signal_dbm + 42) < 1e-9);
	assert_true(fabs(g.s.link_quality - 68) < 1e-9);
	assert_true(isnan(g.s.noise_dbm));
	assert_string_equal(wifi_src_current(src), "proc");
	/* kept: the next poll goes to proc directly */
	poll_once(&g, src);
	assert_true(g.info.ok);
	assert_true(g.info.took_us < 20000);
	/* busy while running */
	assert_int_equal(wifi_src_poll(src), 0);
	assert_int_equal(wifi_src_poll(src), -1);
	assert_int_equal(errno, EBUSY);
	while (g.samples < 3)
		event_base_loop(g_base, EVLOOP_ONCE);
	wifi_src_free(src);
}

static void test_nothing_works(void **state)
{
	struct got g;
	write_proc("wlan0: 0000   68.  -42.  -256        0      0      0      0   3851        0\n");
	struct wifi_src *src = new_src(&g, "lo");
	poll_once(&g, src);
	assert_false(g.info.ok);
	assert_string_equal(g.info.source, "none");
	print_message("all sources: %s\n", g.info.error);
	assert_non_null(strstr(g.info.error, "nl80211: "));
	assert_non_null(strstr(g.info.error, "iwinfo: not installed"));
	assert_non_null(strstr(g.info.error, "iw: not installed"));
	assert_non_null(strstr(g.info.error, "proc: no row for lo"));
	assert_int_equal(g.s.associated, -1);
	wifi_src_free(src);
}

static void test_redetect_after_failures(void **state)
{
	struct got g;
	write_proc("    lo: 0000   70.  -31.  -256        0      0      0      0     25        0\n");
	struct wifi_src *src = new_src(&g, "lo");
	poll_once(&g, src);
	assert_true(g.info.ok);
	/* the active source fails: reported as its own failure, three times */
	write_proc("    lo: 0000   70.\n");
	for (int i = 0; i < 3; i++) {
		poll_once(&g, src);
		assert_false(g.info.ok);
		assert_string_equal(g.info.source, "proc");
		assert_non_null(strstr(g.info.error, "unrecognised"));
	}
	assert_string_equal(wifi_src_current(src), "none");
	/* then every source is tried again */
	poll_once(&g, src);
	assert_string_equal(g.info.source, "none");
	assert_non_null(strstr(g.info.error, "iwinfo: not installed"));
	write_proc("    lo: 0000  100.   95.    0.       0      0      0      0      0        0\n");
	poll_once(&g, src);
	assert_true(g.info.ok);
	assert_true(g.s.relative_units);
	wifi_src_free(src);
}

static void test_no_interface(void **state)
{
	struct got g;
	struct wifi_src *src = new_src(&g, "h4nosuch0");
	poll_once(&g, src);
	assert_false(g.info.ok);
	assert_string_equal(g.info.error, "no interface h4nosuch0");
	assert_string_equal(g.s.ifname, "h4nosuch0");
	g.in_call = true;
	assert_int_equal(wifi_src_scan(src, true), 0);
	g.in_call = false;
	while (!g.scans)
		event_base_loop(g_base, EVLOOP_ONCE);
	assert_false(g.scan_info.ok);
	assert_string_equal(g.scan_info.error, "no interface h4nosuch0");
	wifi_src_free(src);
}

static void test_scan_not_available(void **state)
{
	struct got g;
	struct wifi_src *src = new_src(&g, "lo");
	g.in_call = true;
	assert_int_equal(wifi_src_scan(src, false), 0);
	assert_int_equal(wifi_src_scan(src, false), -1);
	assert_int_equal(errno, EBUSY);
	g.in_call = false;
	while (!g.scans)
		event_base_loop(g_base, EVLOOP_ONCE);
	assert_false(g.scan_info.ok);
	assert_string_equal(g.scan_info.source, "none");
	print_message("scan: %s\n", g.scan_info.error);
	assert_non_null(strstr(g.scan_info.error, "scanning not available"));
	assert_non_null(strstr(g.scan_info.error, "iw: not installed"));
	assert_int_equal(g.scan_n, 0);
	wifi_src_free(src);
}

static void test_free_in_callback_and_pending(void **state)
{
	struct got g;
	write_proc("    lo: 0000   68.  -42.  -256        0      0      0      0   3851        0\n");
	struct wifi_src *src = new_src(&g, "lo");
	/* a scan and a poll run; the first callback frees the source: the other
	 * never comes */
	g.free_me = src;
	assert_int_equal(wifi_src_scan(src, true), 0);
	assert_int_equal(wifi_src_poll(src), 0);
	while (g.free_me)
		event_base_loop(g_base, EVLOOP_ONCE);
	for (int i = 0; i < 20; i++) {
		event_base_loop(g_base, EVLOOP_NONBLOCK);
		usleep(1000);
	}
	assert_int_equal(g.samples + g.scans, 1);
	memset(&g, 0, sizeof(g));
	/* freed with a poll pending: no callback afterwards */
	src = new_src(&g, "lo");
	assert_int_equal(wifi_src_poll(src), 0);
	wifi_src_free(src);
	event_base_loop(g_base, EVLOOP_NONBLOCK);
	assert_int_equal(g.samples, 0);
}

static void test_bad_options(void **state)
{
	struct got g;
	struct wifi_src_opts o = { .ifname = "" };
	assert_null(wifi_src_new(g_base, &o, on_sample, on_scan, &g));
	assert_int_equal(errno, EINVAL);
	o.ifname = "a-very-long-interface-name";
	assert_null(wifi_src_new(g_base, &o, on_sample, on_scan, &g));
	o.ifname = "lo";
	o.sources = 1u << 7;    /* no known source */
	assert_null(wifi_src_new(g_base, &o, on_sample, on_scan, &g));
	o.sources = WIFI_SRC_PROC;
	o.procfs = g_proc;
	struct wifi_src *src = wifi_src_new(g_base, &o, on_sample, on_scan, &g);
	assert_non_null(src);
	memset(&g, 0, sizeof(g));
	write_proc("    lo: 0000   68.  -42.  -256        0      0      0      0   3851        0\n");
	poll_once(&g, src);
	assert_true(g.info.ok);
	/* only proc allowed: no nl80211, no iw: scanning is not available */
	wifi_src_scan(src, false);
	while (!g.scans)
		event_base_loop(g_base, EVLOOP_ONCE);
	assert_false(g.scan_info.ok);
	assert_non_null(strstr(g.scan_info.error, "scanning not available"));
	wifi_src_free(src);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fallback_to_proc),
		cmocka_unit_test(test_nothing_works),
		cmocka_unit_test(test_redetect_after_failures),
		cmocka_unit_test(test_no_interface),
		cmocka_unit_test(test_scan_not_available),
		cmocka_unit_test(test_free_in_callback_and_pending),
		cmocka_unit_test(test_bad_options),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
