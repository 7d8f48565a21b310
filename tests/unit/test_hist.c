/* history: the analyses on a synthetic four-day history with known answers.
 *
 * sl (starlink, preferred) goes down every night at 03:10 for 10 minutes;
 * the first night traffic left a minute early on a prediction, the other
 * three only when it went down; on the last day a prediction at 12:00 was
 * a false alarm (5 minutes on wan). wan (wired) is the backup that carried
 * traffic meanwhile; lte (metered, 1000 MB cap) was never needed. Every
 * expected figure below is worked out from that. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/jsonutil.h"
#include "engine/decide.h"
#include "events/ev.h"
#include "events/ev_emit.h"
#include "history/hist.h"
#include "store/store.h"
#include "store/store_writer.h"

#define T0 1763942400LL         /* 2025-11-24T00:00:00Z */
#define DAYS 4
#define OUT_START (3 * 3600 + 600)      /* 03:10 */
#define OUT_LEN 600

static char dir[64], path[128];
static int64_t clk_ms;
static struct store *st;

static int64_t wall(void *arg)
{
	(void)arg;
	return clk_ms;
}

static bool sl_down(int64_t t)
{
	int64_t s = (t - T0) % 86400;
	return s >= OUT_START && s < OUT_START + OUT_LEN;
}

/* sl is left at 03:09 on day 0 (predicted), at 03:10 on the others, and
 * back at 03:22; on day 3 also from 12:00 to 12:05. */
static bool sl_active(int64_t t)
{
	int64_t d = (t - T0) / 86400, s = (t - T0) % 86400;
	int64_t leave = d == 0 ? OUT_START - 60 : OUT_START;
	if (s >= leave && s < OUT_START + OUT_LEN + 120)
		return false;
	if (d == 3 && s >= 12 * 3600 && s < 12 * 3600 + 300)
		return false;
	return true;
}

static void minute(struct store_writer *w, const char *name, int64_t t, bool up, bool active,
		   int score, double p50, int64_t rx)
{
	struct store_sample x;
	store_sample_init(&x, t, 60);
	snprintf(x.member, sizeof(x.member), "%s", name);
	x.sent = 120;
	x.lost = up ? 0 : 120;
	x.p50_ms = up ? p50 : NAN;
	x.p95_ms = up ? p50 * 1.5 : NAN;
	x.jitter_ms = up ? 2 : NAN;
	x.score_avg = up ? score : 0;
	x.score_min = up ? score : 0;
	x.up_s = up ? 60 : 0;
	x.down_s = up ? 0 : 60;
	x.active_s = active ? 60 : 0;
	x.rx = rx;
	x.tx = 0;
	store_writer_sample(w, &x);
}

static void decide(struct ev_bus *b, int64_t t, enum decide_type type, enum decide_cause cause,
		   const char *from, const char *to)
{
	struct decision dc = { .type = type, .cause = cause };
	clk_ms = t * 1000;
	snprintf(dc.from, sizeof(dc.from), "%s", from);
	snprintf(dc.to, sizeof(dc.to), "%s", to);
	snprintf(dc.reason, sizeof(dc.reason), "test");
	ev_emit_decision(b, &dc);
}

static void state(struct ev_bus *b, int64_t t, const char *member, const char *s, bool active)
{
	clk_ms = t * 1000;
	ev_emit_state(b, member, s, strcmp(s, "down") ? 95 : 0, "test", active, 70, 50);
}

static void events(struct ev_bus *b)
{
	for (int d = 0; d < DAYS; d++) {
		int64_t day = T0 + d * 86400, out = day + OUT_START;
		if (d == 0)
			decide(b, out - 60, DECIDE_SWITCH, DECIDE_CAUSE_PREDICTED, "sl", "wan");
		state(b, out, "sl", "down", d != 0);
		if (d != 0)
			decide(b, out, DECIDE_SWITCH, DECIDE_CAUSE_DOWN, "sl", "wan");
		state(b, out + OUT_LEN, "sl", "up", false);
		decide(b, out + OUT_LEN + 120, DECIDE_RESTORE, DECIDE_CAUSE_FAILBACK, "wan", "sl");
	}
	decide(b, T0 + 3 * 86400 + 12 * 3600, DECIDE_SWITCH, DECIDE_CAUSE_PREDICTED, "sl", "wan");
	decide(b, T0 + 3 * 86400 + 12 * 3600 + 300, DECIDE_RESTORE, DECIDE_CAUSE_FAILBACK, "wan",
	       "sl");
}

static int setup(void **state_)
{
	char err[256];
	struct ev_clock clk = { .wall_ms = wall };
	setenv("TZ", "UTC", 1);
	tzset();
	snprintf(dir, sizeof(dir), "/tmp/autonomy-test-hist-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/history.db", dir);
	st = store_open(path, STORE_WORK, 0, NULL, err, sizeof(err));
	struct ev_bus *b = ev_bus_new(&clk);
	struct store_writer *w = store_writer_new();
	if (!st || !b || !w)
		return -1;
	struct store_member m[] = {
		{ .name = "sl", .cls = "starlink", .priority = 1 },
		{ .name = "wan", .cls = "lan", .priority = 2 },
		{ .name = "lte", .cls = "cellular", .priority = 3, .metered = true, .cap_mb = 1000 },
	};
	store_writer_members(w, m, 3);
	store_writer_attach(w, b);
	events(b);
	for (int64_t t = T0; t < T0 + DAYS * 86400; t += 60) {
		minute(w, "sl", t, !sl_down(t), sl_active(t), 90, 40, sl_active(t) ? 1000000 : 0);
		minute(w, "wan", t, true, !sl_active(t), 95, 15, sl_active(t) ? 0 : 2000000);
		minute(w, "lte", t, true, false, 75, 50, 0);
		if (t % 3600 == 0) {
			struct store_usage u = { .ts = t, .cycle_start = T0,
						 .used = (t - T0) / 3600 * 1000000, .cap = 1000000000 };
			snprintf(u.member, sizeof(u.member), "lte");
			store_writer_usage(w, &u);
		}
		if (store_writer_pending(w) > 3000 && store_writer_flush(w, st) != 0)
			return -1;
	}
	int rc = store_writer_flush(w, st);
	store_writer_free(w);
	ev_bus_free(b);
	return rc;
}

static int teardown(void **state_)
{
	char cmd[128];
	store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void q_for(struct hist_q *q, const char *period)
{
	struct hist_period p;
	char err[200];
	assert_int_equal(hist_period_parse(period, &p, err, sizeof(err)), 0);
	/* "now" long after the data: the store's newest row anchors the period. */
	hist_q_init(q, st, &p, T0 + 100 * 86400, true);
}

static json_object *member(json_object *a, const char *name)
{
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object *m = json_object_array_get_idx(a, i);
		if (strcmp(json_get_str(m, "name", ""), name) == 0)
			return m;
	}
	fail_msg("no member %s", name);
	return NULL;
}

static json_object *get(json_object *o, const char *k)
{
	json_object *v = NULL;
	json_object_object_get_ex(o, k, &v);
	return v;
}

static void test_period_window(void **state_)
{
	struct hist_q q;
	q_for(&q, "4d");
	assert_int_equal(q.to, T0 + DAYS * 86400);
	assert_int_equal(q.from, T0);
	q_for(&q, "all");
	assert_int_equal(q.from, T0);
}

static void test_metrics(void **state_)
{
	struct hist_q q;
	q_for(&q, "4d");
	json_object *o = hist_metrics(&q, false, true);
	assert_non_null(o);
	json_object *ms = get(o, "members"), *sl = member(ms, "sl"), *wan = member(ms, "wan");
	/* 4 x 10 minutes down in 4 days. */
	assert_int_equal((int64_t)json_get_num(sl, "measured_s", 0), 345600);
	assert_int_equal((int64_t)json_get_num(sl, "down_s", 0), 2400);
	assert_float_equal(json_get_num(sl, "availability_pct", 0), 99.306, 0.001);
	assert_int_equal((int64_t)json_get_num(sl, "failovers", 0), 5);
	assert_int_equal((int64_t)json_get_num(sl, "restores_to", 0), 5);
	assert_int_equal((int64_t)json_get_num(sl, "outages", 0), 4);
	assert_float_equal(json_get_num(sl, "outage_s", 0), 2400, 0.01);
	/* Loss: 40 down minutes of 5760, every probe lost in them. */
	assert_float_equal(json_get_num(sl, "loss_pct", 0), 100.0 * 40 / 5760, 0.001);
	assert_float_equal(json_get_num(sl, "latency_ms", 0), 40, 0.01);
	/* wan carried traffic 13 + 3 x 12 + 5 minutes. */
	assert_int_equal((int64_t)json_get_num(wan, "active_s", 0), 54 * 60);
	assert_int_equal((int64_t)json_get_num(wan, "failovers_to", 0), 5);
	assert_int_equal((int64_t)json_get_num(get(wan, "data"), "total_bytes", 0), 54 * 2000000LL);
	json_object *lte = member(ms, "lte");
	assert_float_equal(json_get_num(get(get(lte, "score"), "time_pct"), "60_80", 0), 100, 0.01);
	assert_int_equal((int64_t)json_get_num(get(lte, "data"), "cap_used_max_pct", -1), 9);
	assert_int_equal((int64_t)json_get_num(o, "failovers", 0), 5);
	json_object *pm = get(get(o, "performance"), "members");
	assert_float_equal(json_get_num(member(pm, "lte"), "probes_per_day", 0), 172800, 0.5);
	json_object_put(o);
}

static void test_trends(void **state_)
{
	struct hist_q q;
	q_for(&q, "2d");
	json_object *o = hist_metrics(&q, true, false);
	json_object *sl = member(get(o, "members"), "sl"), *t = get(sl, "trend");
	/* Two outages in either half; one failover more in the second (the
	 * false alarm). */
	assert_float_equal(json_get_num(get(t, "previous"), "availability_pct", 0), 99.306, 0.001);
	assert_float_equal(json_get_num(get(t, "change"), "failovers", 99), 1, 0.01);
	assert_float_equal(json_get_num(get(t, "change"), "outages", 99), 0, 0.01);
	json_object_put(o);
}

static void test_analysis(void **state_)
{
	struct hist_q q;
	q_for(&q, "4d");
	json_object *o = hist_analysis(&q, true);
	assert_int_equal((int64_t)json_get_num(o, "failovers", 0), 5);
	assert_int_equal((int64_t)json_get_num(o, "restores", 0), 5);
	json_object *c = get(o, "by_cause");
	assert_int_equal((int64_t)json_get_num(c, "predicted", 0), 2);
	assert_int_equal((int64_t)json_get_num(c, "down", 0), 3);
	assert_int_equal((int64_t)json_get_num(c, "failback", 0), 5);
	json_object *h = get(o, "failovers_by_hour");
	assert_int_equal(json_object_get_int(json_object_array_get_idx(h, 3)), 4);
	assert_int_equal(json_object_get_int(json_object_array_get_idx(h, 12)), 1);
	json_object *pairs = get(o, "pairs"), *p0 = json_object_array_get_idx(pairs, 0);
	assert_int_equal(json_object_array_length(pairs), 2);
	assert_int_equal((int64_t)json_get_num(p0, "count", 0), 5);
	json_object *sl = member(get(o, "members"), "sl");
	assert_float_equal(json_get_num(sl, "mttr_s", 0), 600, 0.01);
	assert_float_equal(json_get_num(sl, "mtbf_s", 0), (345600.0 - 2400) / 4, 0.5);
	json_object *pr = get(o, "predictive");
	assert_int_equal((int64_t)json_get_num(pr, "predicted_switches", 0), 2);
	assert_int_equal((int64_t)json_get_num(pr, "hits", 0), 1);
	assert_float_equal(json_get_num(pr, "mean_lead_s", 0), 60, 0.01);
	assert_int_equal((int64_t)json_get_num(pr, "false_alarms", 0), 1);
	assert_int_equal((int64_t)json_get_num(pr, "unpredicted_outages", 0), 3);
	json_object *days = get(o, "by_day");
	assert_int_equal(json_object_array_length(days), 4);
	assert_string_equal(json_get_str(json_object_array_get_idx(days, 3), "date", ""),
			    "2025-11-27");
	assert_int_equal((int64_t)json_get_num(json_object_array_get_idx(days, 3), "failovers", 0), 2);
	/* Security: no month before to compare with, so nothing is unusual; the
	 * five failovers and sl's four outages are counted. */
	json_object *sec = get(o, "security");
	assert_true(json_get_bool(sec, "available", 0));
	assert_int_equal((int64_t)json_get_num(get(sec, "failovers"), "count", -1), 5);
	assert_false(json_get_bool(get(sec, "failovers"), "unusual", 1));
	assert_int_equal((int64_t)json_get_num(member(get(sec, "members"), "sl"), "count", -1), 4);
	assert_int_equal((int64_t)json_get_num(sec, "manual_count", -1), 0);
	assert_int_equal(json_object_array_length(get(sec, "findings")), 0);
	json_object_put(o);
	/* The list, newest first. */
	json_object *a = hist_decisions(&q, 2);
	assert_int_equal(json_object_array_length(a), 2);
	assert_string_equal(json_get_str(json_object_array_get_idx(a, 0), "type", ""), "restore");
	assert_string_equal(json_get_str(json_object_array_get_idx(a, 1), "cause", ""), "predicted");
	json_object_put(a);
}

static void test_analytics(void **state_)
{
	struct hist_q q;
	q_for(&q, "4d");
	q.failover_warning = 2;
	json_object *o = hist_analytics(&q);
	json_object *r = get(o, "ranking");
	assert_string_equal(json_get_str(json_object_array_get_idx(r, 0), "name", ""), "wan");
	assert_string_equal(json_get_str(json_object_array_get_idx(r, 2), "name", ""), "sl");
	json_object *rec = get(o, "recurring_outages"), *p = json_object_array_get_idx(rec, 0);
	assert_int_equal(json_object_array_length(rec), 1);
	assert_string_equal(json_get_str(p, "text", ""), "sl: 4 outages between 03:00 and 05:00 on "
			    "4 of 4 days (600 s on average)");
	json_object *s = get(o, "suggestions");
	bool backup = false, never = false, rate = false;
	for (size_t i = 0; i < json_object_array_length(s); i++) {
		const char *t = json_get_str(json_object_array_get_idx(s, i), "text", "");
		backup |= strcmp(t, "wan was needed 5 times for 10.8 min on average (54 min in "
				 "all)") == 0;
		never |= strcmp(t, "lte was never needed; it was available 100.0 % of the time "
				"it was measured") == 0;
		rate |= strcmp(t, "failovers reached alerts.failover_warning (2) on 1 day(s); the "
			       "most were 2 on 2025-11-27") == 0;
	}
	assert_true(backup);
	assert_true(never);
	assert_true(rate);
	json_object_put(o);
}

static void test_notifications(void **state_)
{
	struct hist_q q;
	q_for(&q, "all");
	json_object *o = hist_notifications(&q, 3);
	/* 4 times sl down (critical), 3 switches away from it (warning). */
	assert_int_equal((int64_t)json_get_num(o, "count", 0), 7);
	assert_int_equal((int64_t)json_get_num(get(o, "by_severity"), "critical", 0), 4);
	assert_int_equal(json_object_array_length(get(o, "notifications")), 3);
	json_object_put(o);
}

static char *export(struct hist_q *q, const char *format, const char *table)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_int_equal(hist_export(q, format, table, f), 0);
	fclose(f);
	return buf;
}

static void test_export(void **state_)
{
	struct hist_q q;
	q_for(&q, "all");
	char *j = export(&q, "json", NULL);
	json_object *o = json_tokener_parse(j);
	assert_non_null(o);
	assert_int_equal(json_object_array_length(get(o, "samples")), DAYS * 1440 * 3);
	assert_int_equal(json_object_array_length(get(o, "decisions")), 10);
	assert_int_equal(json_object_array_length(get(o, "outages")), 4);
	assert_int_equal(json_object_array_length(get(o, "members")), 3);
	json_object *d0 = json_object_array_get_idx(get(o, "decisions"), 0);
	assert_true(json_object_is_type(get(d0, "scores"), json_type_object));
	json_object_put(o);
	free(j);
	char *c = export(&q, "csv", "outages");
	assert_true(strncmp(c, "time,ts,member,duration_s,active,cut,reason,place\n"
			    "2025-11-24T03:10:00Z,1763953800,sl,600,0,0,test,\n", 90) == 0);
	free(c);
	assert_int_equal(hist_export(&q, "csv", "nope", stdout), -1);
}

static void test_report_html(void **state_)
{
	struct hist_q q;
	q_for(&q, "4d");
	json_object *r = hist_report(&q);
	assert_non_null(r);
	assert_float_equal(json_get_num(get(r, "summary"), "service_availability_pct", 0),
			   100.0, 0.001);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_int_equal(hist_html(r, f), 0);
	fclose(f);
	static const char *const must[] = {
		"<!DOCTYPE html>", "name=\"viewport\"", "@media print", "id=\"timeline\"",
		"id=\"latency\"", "id=\"failovers\"", "id=\"data\"", "<svg", "</html>",
		"Content-Security-Policy",
	};
	for (size_t i = 0; i < sizeof(must) / sizeof(must[0]); i++)
		if (!strstr(buf, must[i]))
			fail_msg("the page has no %s", must[i]);
	/* Nothing from elsewhere: no URL, no script. */
	assert_null(strstr(buf, "http:"));
	assert_null(strstr(buf, "https:"));
	assert_null(strstr(buf, "<script"));
	assert_null(strstr(buf, "src="));
	free(buf);
	json_object_put(r);
}

static void test_period_parse(void **state_)
{
	struct hist_period p;
	char err[200];
	assert_int_equal(hist_duration_parse("30d"), 30 * 86400);
	assert_int_equal(hist_duration_parse("12h"), 12 * 3600);
	assert_int_equal(hist_duration_parse("90m"), 5400);
	assert_int_equal(hist_duration_parse("2w"), 14 * 86400);
	assert_int_equal(hist_duration_parse("45"), 45);
	assert_int_equal(hist_duration_parse("0d"), 0);
	static const char *const bad[] = { "", "d", "-3d", "3x", "3dd", "1.5h", "99999999999d",
					   " 3d", "3d ", "+3d" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (hist_duration_parse(bad[i]) != -1)
			fail_msg("'%s' accepted", bad[i]);
	assert_int_equal(hist_period_parse("weekly", &p, err, sizeof(err)), 0);
	assert_int_equal(p.span_s, 7 * 86400);
	assert_int_equal(hist_period_parse("36h", &p, err, sizeof(err)), 0);
	assert_int_equal(p.span_s, 36 * 3600);
	assert_int_equal(hist_period_parse("yearly", &p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "daily, weekly, monthly"));
	assert_int_equal(hist_period_parse("0h", &p, err, sizeof(err)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_period_window),
		cmocka_unit_test(test_metrics),
		cmocka_unit_test(test_trends),
		cmocka_unit_test(test_analysis),
		cmocka_unit_test(test_analytics),
		cmocka_unit_test(test_notifications),
		cmocka_unit_test(test_export),
		cmocka_unit_test(test_report_html),
		cmocka_unit_test(test_period_parse),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
