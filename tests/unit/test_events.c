/* events: the bus (order, filters by severity and kind, publishing from a
 * subscriber, unsubscribing during a delivery, notify levels), texts
 * rendered from the type templates, the typed emitters' severities, and
 * the threshold watchers (failovers per day, levels with hysteresis). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "engine/decide.h"
#include "events/ev.h"
#include "events/ev_emit.h"
#include "events/ev_thresh.h"
#include "events/ev_types.h"

#define LOG_MAX 32

struct log {
	char type[LOG_MAX][16], text[LOG_MAX][EV_TEXT_MAX], who[LOG_MAX][8];
	int sev[LOG_MAX];
	bool notify[LOG_MAX];
	int n;
};

static struct log lg;
static int64_t now_ms = 1764000000000LL;

static int64_t wall(void *arg)
{
	(void)arg;
	return now_ms;
}

static void record(const char *who, const struct ev_record *e)
{
	if (lg.n == LOG_MAX)
		return;
	snprintf(lg.type[lg.n], sizeof(lg.type[0]), "%s", e->type);
	snprintf(lg.text[lg.n], sizeof(lg.text[0]), "%s", e->text);
	snprintf(lg.who[lg.n], sizeof(lg.who[0]), "%s", who);
	lg.sev[lg.n] = (int)e->severity;
	lg.notify[lg.n] = e->notify;
	lg.n++;
}

static void sub_a(void *arg, const struct ev_record *e)
{
	record("a", e);
}

static void sub_b(void *arg, const struct ev_record *e)
{
	record("b", e);
}

static struct ev_bus *bus(void)
{
	struct ev_clock clk = { .wall_ms = wall };
	memset(&lg, 0, sizeof(lg));
	return ev_bus_new(&clk);
}

static void test_render(void **state)
{
	char buf[EV_TEXT_MAX];
	json_object *f = json_tokener_parse("{\"state\":\"down\",\"score\":12,\"ms\":0.123456,"
					    "\"reason\":\"11 lost\",\"none\":null}");
	ev_render("{member}: {state} (score {score|-}; {reason})", f, "wan", buf, sizeof(buf));
	assert_string_equal(buf, "wan: down (score 12; 11 lost)");
	ev_render("{ms:2} ms[, {note}][ x{score}]", f, "", buf, sizeof(buf));
	assert_string_equal(buf, "0.12 ms x12");
	ev_render("{none|nothing} and {missing|-}", f, "", buf, sizeof(buf));
	assert_string_equal(buf, "nothing and -");
	/* Cut, not overflowed. */
	ev_render("{reason}{reason}{reason}", f, "", buf, 10);
	assert_string_equal(buf, "11 lost11");
	json_object_put(f);
}

static void test_order_and_filters(void **state)
{
	struct ev_bus *b = bus();
	ev_subscribe(b, EV_INFO, 0, sub_a, NULL);
	ev_subscribe(b, EV_WARNING, EV_KIND_BIT(EV_K_STATE), sub_b, NULL);
	ev_emit_link(b, "wan", "no carrier", "sysfs, ahead of rtnetlink");    /* info, state */
	ev_emit_state(b, "wan", "down", 0, "no carrier", true, 70, 50);        /* critical */
	ev_emit_route_failed(b, "lte", "EPERM");                             /* critical, route */
	assert_int_equal(lg.n, 4);
	assert_string_equal(lg.text[0], "wan: no carrier (sysfs, ahead of rtnetlink)");
	assert_string_equal(lg.who[1], "a");
	assert_string_equal(lg.who[2], "b");
	assert_string_equal(lg.text[2], "wan: down (score 0; no carrier)");
	assert_int_equal(lg.sev[2], EV_CRITICAL);
	assert_string_equal(lg.who[3], "a");
	assert_string_equal(lg.text[3], "route change to lte failed: EPERM");
	ev_bus_free(b);
}

static struct ev_bus *chain_bus;
static int chain_left;

/* A subscriber that publishes: its event comes after the current one has
 * reached every subscriber. */
static void sub_chain(void *arg, const struct ev_record *e)
{
	record("c", e);
	if (chain_left-- > 0)
		ev_emit_daemon(chain_bus, "nested", NULL);
}

static void test_publish_from_subscriber(void **state)
{
	struct ev_bus *b = chain_bus = bus();
	chain_left = 1;
	ev_subscribe(b, EV_INFO, 0, sub_chain, NULL);
	ev_subscribe(b, EV_INFO, 0, sub_a, NULL);
	ev_emit_daemon(b, "started", "1.0");
	assert_int_equal(lg.n, 4);
	assert_string_equal(lg.text[0], "autonomyd started (1.0)");
	assert_string_equal(lg.who[1], "a");
	assert_string_equal(lg.text[1], "autonomyd started (1.0)");
	assert_string_equal(lg.text[2], "autonomyd nested");
	assert_string_equal(lg.text[3], "autonomyd nested");
	/* A runaway subscriber is cut off, not looped forever. */
	chain_left = 1000;
	ev_emit_daemon(b, "storm", NULL);
	struct ev_bus_stats st;
	ev_bus_stats(b, &st);
	assert_true(st.dropped > 0);
	ev_bus_free(b);
}

static int self_id;
static struct ev_bus *self_bus;

static void sub_once(void *arg, const struct ev_record *e)
{
	record("o", e);
	ev_unsubscribe(self_bus, self_id);
}

static void test_unsubscribe_in_delivery(void **state)
{
	struct ev_bus *b = self_bus = bus();
	self_id = ev_subscribe(b, EV_INFO, 0, sub_once, NULL);
	ev_subscribe(b, EV_INFO, 0, sub_a, NULL);
	ev_emit_daemon(b, "one", NULL);
	ev_emit_daemon(b, "two", NULL);
	assert_int_equal(lg.n, 3);
	assert_string_equal(lg.who[0], "o");
	assert_string_equal(lg.who[1], "a");
	assert_string_equal(lg.who[2], "a");
	struct ev_bus_stats st;
	ev_bus_stats(b, &st);
	assert_int_equal(st.subscribers, 1);
	ev_bus_free(b);
}

static void decision(struct ev_bus *b, enum decide_type t, enum decide_cause c, const char *from,
		     const char *to)
{
	struct decision dc = { .type = t, .cause = c };
	snprintf(dc.from, sizeof(dc.from), "%s", from);
	snprintf(dc.to, sizeof(dc.to), "%s", to);
	snprintf(dc.reason, sizeof(dc.reason), "because");
	ev_emit_decision(b, &dc);
}

static void test_severities_and_notify(void **state)
{
	struct ev_bus *b = bus();
	ev_subscribe(b, EV_INFO, 0, sub_a, NULL);
	ev_bus_set_levels(b, (1u << EV_WARNING) | (1u << EV_EMERGENCY) | (1u << EV_INFO));
	decision(b, DECIDE_SWITCH, DECIDE_CAUSE_DOWN, "wan", "lte");
	decision(b, DECIDE_RESTORE, DECIDE_CAUSE_FAILBACK, "lte", "wan");
	decision(b, DECIDE_HOLD, DECIDE_CAUSE_ALL_DOWN, "wan", "wan");
	ev_emit_state(b, "wan", "degraded", 65, "loss", true, 70, 50);
	ev_emit_state(b, "wan", "down", 40, "loss", true, 70, 50);
	ev_emit_usage(b, "lte", 80, 80, 20000, 16000, 1764000000);
	ev_emit_usage(b, "lte", 50, 80, 20000, 10000, 1764000000);
	assert_int_equal(lg.n, 7);
	assert_string_equal(lg.text[0], "switch: wan -> lte: because");
	assert_int_equal(lg.sev[0], EV_WARNING);
	assert_true(lg.notify[0]);
	assert_int_equal(lg.sev[1], EV_INFO);
	assert_false(lg.notify[1]);             /* info never notifies */
	assert_int_equal(lg.sev[2], EV_EMERGENCY);
	assert_true(lg.notify[2]);
	assert_int_equal(lg.sev[3], EV_WARNING);
	assert_int_equal(lg.sev[4], EV_CRITICAL);
	assert_false(lg.notify[4]);             /* critical_enabled off */
	assert_int_equal(lg.sev[5], EV_WARNING);
	assert_string_equal(lg.text[5], "lte: data usage reached 80 % of 20000 MB (16000 MB used; "
			    "the allowance resets 2025-11-24T16:00:00Z)");
	assert_int_equal(lg.sev[6], EV_INFO);
	ev_bus_free(b);
}

static void test_record_json(void **state)
{
	struct ev_bus *b = bus();
	json_object *got = NULL;
	ev_subscribe(b, EV_INFO, 0, sub_a, NULL);
	ev_emit_tel_flag(b, "sl", "outage predicted", true, "reboot at 03:00");
	ev_emit_tel_flag(b, "sl", "outage predicted", false, NULL);
	assert_string_equal(lg.text[0], "sl: outage predicted: reboot at 03:00");
	assert_string_equal(lg.text[1], "sl: no longer outage predicted");
	ev_emit_route_change(b, "lte", 3, 1.234, false, "wan", 0);
	ev_emit_route_change(b, "lte", 3, 1.234, true, "wan", 7);
	ev_emit_flows_flushed(b, "wan", 5, NULL);
	assert_string_equal(lg.text[2], "default route via lte (3 changes in 1.23 ms)");
	assert_string_equal(lg.text[3], "default route via lte (3 changes in 1.23 ms, observe "
			    "only, 7 connections of wan flushed)");
	assert_string_equal(lg.text[4], "wan failed: 5 connections kept on it flushed (they "
			    "reconnect through the active member)");
	(void)got;
	ev_bus_free(b);
}

static void test_rate(void **state)
{
	struct ev_rate r;
	unsigned n;
	int64_t t = 1764000000;
	ev_rate_init(&r);
	for (int i = 0; i < 4; i++)
		ev_rate_add(&r, t + i * 600);
	assert_false(ev_rate_check(&r, t + 3000, 5, 10, &n));
	assert_int_equal(n, 4);
	ev_rate_add(&r, t + 3000);
	assert_true(ev_rate_check(&r, t + 3000, 5, 10, &n));
	assert_int_equal(r.level, EV_RATE_WARNING);
	assert_false(ev_rate_check(&r, t + 3001, 5, 10, &n));   /* reported once */
	for (int i = 0; i < 5; i++)
		ev_rate_add(&r, t + 4000 + i);
	assert_true(ev_rate_check(&r, t + 5000, 5, 10, &n));
	assert_int_equal(r.level, EV_RATE_CRITICAL);
	assert_int_equal(n, 10);
	/* A day after the first ones, the first five have aged out: 5 left is
	 * still a warning, quietly; then under it, cleared. */
	assert_false(ev_rate_check(&r, t + 86400 + 3000, 5, 10, &n));
	assert_int_equal(n, 5);
	assert_true(ev_rate_check(&r, t + 86400 + 4002, 5, 10, &n));
	assert_int_equal(r.level, EV_RATE_NONE);
	assert_int_equal(n, 2);
}

static void test_failover_watch(void **state)
{
	struct ev_bus *b = bus();
	struct ev_failover_watch w;
	ev_subscribe(b, EV_INFO, 0, sub_a, NULL);
	ev_failover_watch_start(&w, b, 2, 3);
	decision(b, DECIDE_SWITCH, DECIDE_CAUSE_INITIAL, "", "wan");    /* not a failover */
	decision(b, DECIDE_MANUAL, DECIDE_CAUSE_MANUAL, "wan", "lte");  /* not one either */
	decision(b, DECIDE_SWITCH, DECIDE_CAUSE_DOWN, "wan", "lte");
	decision(b, DECIDE_RESTORE, DECIDE_CAUSE_FAILBACK, "lte", "wan");
	assert_int_equal(lg.n, 4);
	decision(b, DECIDE_SWITCH, DECIDE_CAUSE_PREDICTED, "wan", "lte");
	assert_int_equal(lg.n, 6);
	assert_string_equal(lg.type[5], "threshold");
	assert_string_equal(lg.text[5], "2 failovers in the last 24 h (alerts.failover_warning is 2)");
	assert_int_equal(lg.sev[5], EV_WARNING);
	decision(b, DECIDE_SWITCH, DECIDE_CAUSE_QUALITY, "wan", "lte");
	assert_string_equal(lg.text[7], "3 failovers in the last 24 h (alerts.failover_critical is 3)");
	assert_int_equal(lg.sev[7], EV_CRITICAL);
	now_ms += 86400 * 1000LL;
	ev_failover_watch_tick(&w, now_ms / 1000);
	assert_string_equal(lg.text[8], "failovers in the last 24 h back below "
			    "alerts.failover_warning (0 < 2)");
	ev_failover_watch_stop(&w);
	ev_bus_free(b);
}

static void test_level(void **state)
{
	struct ev_level l = { 0 };
	assert_int_equal(ev_level_check(&l, 15, 20), 0);
	assert_int_equal(ev_level_check(&l, 25, 20), 1);
	assert_int_equal(ev_level_check(&l, 19, 20), 0);        /* not yet under 90 % */
	assert_int_equal(ev_level_check(&l, 17.9, 20), -1);
	assert_int_equal(ev_level_check(&l, 99, 0), 0);         /* no limit */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_order_and_filters),
		cmocka_unit_test(test_publish_from_subscriber),
		cmocka_unit_test(test_unsubscribe_in_delivery),
		cmocka_unit_test(test_severities_and_notify),
		cmocka_unit_test(test_record_json),
		cmocka_unit_test(test_rate),
		cmocka_unit_test(test_failover_watch),
		cmocka_unit_test(test_level),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
