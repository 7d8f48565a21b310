/* health and detect: the down detector and the health score on a fake
 * monotonic clock, including long deterministic simulations of random loss
 * (seeded PRNG, virtual time: no timing dependence). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>

#include "engine/detect.h"
#include "engine/health.h"
#include "engine/sched.h"
#include "engine/window.h"

#define MS 1000ULL
#define S  1000000ULL
#define T0 (5000 * S)

/* A member as the daemon wires it: window + detector + health. */
struct mem {
	struct window w;
	struct detect d;
	struct health h;
	struct health_result r;
};

static void mem_init(struct mem *m)
{
	window_init(&m->w);
	detect_init(&m->d, NULL, T0);
	health_init(&m->h, NULL);
}

static void reply(struct mem *m, uint64_t sent, uint32_t rtt_ms)
{
	window_add(&m->w, sent, false, rtt_ms * (uint32_t)MS);
	detect_outcome(&m->d, DETECT_REPLY, sent, sent + rtt_ms * MS);
}

static void lose(struct mem *m, uint64_t sent)
{
	window_add(&m->w, sent, true, 0);
	detect_outcome(&m->d, DETECT_LOST, sent, sent + 150 * MS);
}

static void eval(struct mem *m, uint64_t now)
{
	health_update(&m->h, &m->w, &m->d, NULL, 0, now, &m->r);
}

static void eval_tel(struct mem *m, int points, uint64_t now)
{
	const struct health_penalty p = { "starlink", points, "obstructed" };

	health_update(&m->h, &m->w, &m->d, &p, 1, now, &m->r);
}

static const struct health_item *item(const struct health_result *r, const char *label)
{
	for (unsigned i = 0; i < r->n_items; i++)
		if (!strcmp(r->items[i].label, label))
			return &r->items[i];
	return NULL;
}

/* ---- the detector ---------------------------------------------------- */

static void test_detect_confirmation(void **state)
{
	struct detect d;
	uint64_t t = T0;

	detect_init(&d, NULL, t);
	assert_int_equal(d.state, DETECT_UNKNOWN);
	assert_true(detect_outcome(&d, DETECT_REPLY, t, t + 30 * MS));
	assert_int_equal(d.state, DETECT_UP);           /* first reply: up */
	/* The suspicious miss and 9 burst losses: not yet. */
	for (unsigned i = 0; i < 10; i++) {
		t += (i ? 20 : 500) * MS;
		assert_false(detect_outcome(&d, DETECT_LOST, t, t + 150 * MS));
	}
	assert_int_equal(d.consec_lost, 10);
	/* A reply in between starts the count again: a single lost packet. */
	assert_false(detect_outcome(&d, DETECT_REPLY, t + 20 * MS, t + 50 * MS));
	assert_int_equal(d.consec_lost, 0);
	/* A loss of a probe sent before that reply is stale. */
	assert_false(detect_outcome(&d, DETECT_LOST, t, t + 150 * MS));
	assert_int_equal(d.consec_lost, 0);
	/* 11 in a row confirm down. */
	uint64_t first = t + 500 * MS;
	for (unsigned i = 0; i < 11; i++) {
		t = first + i * 20 * MS;
		bool ch = detect_outcome(&d, DETECT_LOST, t, t + 150 * MS);
		assert_int_equal(ch, i == 10);
	}
	assert_true(detect_is_down(&d));
	assert_string_equal(d.reason, "11 probes lost in 0.35 s");
	assert_int_equal(d.downs, 1);
}

static void test_detect_recovery_rise(void **state)
{
	struct detect d;
	uint64_t t = T0;

	detect_init(&d, NULL, t);
	for (unsigned i = 0; i < 11; i++, t += 20 * MS)
		detect_outcome(&d, DETECT_LOST, t, t + 150 * MS);
	assert_true(detect_is_down(&d));
	/* Late replies prove life but do not bring it up. */
	for (unsigned i = 0; i < 5; i++, t += 500 * MS)
		assert_false(detect_outcome(&d, DETECT_LATE, t, t + 400 * MS));
	assert_true(detect_is_down(&d));
	/* Two replies, a loss, then three replies: up on the third. */
	assert_false(detect_outcome(&d, DETECT_REPLY, t, t + 30 * MS));
	assert_false(detect_outcome(&d, DETECT_REPLY, t + 500 * MS, t + 530 * MS));
	assert_false(detect_outcome(&d, DETECT_LOST, t + 1 * S, t + 1 * S + 150 * MS));
	t += 2 * S;
	assert_false(detect_outcome(&d, DETECT_REPLY, t, t + 30 * MS));
	assert_false(detect_outcome(&d, DETECT_REPLY, t + 500 * MS, t + 530 * MS));
	assert_true(detect_outcome(&d, DETECT_REPLY, t + 1 * S, t + 1 * S + 30 * MS));
	assert_int_equal(d.state, DETECT_UP);
	assert_string_equal(d.reason, "3 replies in a row");
	/* Outcomes before the first reply of the recovery predate it. */
	assert_int_equal(d.up_since_sent_us, t);
}

static void test_detect_late_ends_confirmation(void **state)
{
	struct detect d;
	uint64_t t = T0;

	/* A path whose RTT jumped past the loss timeout is slow, not dead. */
	detect_init(&d, NULL, t);
	detect_outcome(&d, DETECT_REPLY, t, t + 30 * MS);
	for (unsigned i = 0; i < 40; i++) {
		t += 20 * MS;
		detect_outcome(&d, DETECT_LOST, t, t + 150 * MS);
		if (i % 5 == 4)
			detect_outcome(&d, DETECT_LATE, t, t + 400 * MS);
	}
	assert_int_equal(d.state, DETECT_UP);
}

static void test_detect_link_immediate(void **state)
{
	struct detect d;
	uint64_t t = T0;

	detect_init(&d, NULL, t);
	detect_outcome(&d, DETECT_REPLY, t, t + 30 * MS);
	assert_true(detect_link_event(&d, DETECT_LINK_NO_CARRIER, t + 1 * S));
	assert_true(detect_is_down(&d));
	assert_string_equal(d.reason, "no carrier");
	/* Carrier back: still down until rise replies. */
	assert_false(detect_link_event(&d, DETECT_LINK_UP, t + 2 * S));
	assert_true(detect_is_down(&d));
	assert_string_equal(d.reason, "link up, waiting for 3 replies");
	t += 3 * S;
	detect_outcome(&d, DETECT_REPLY, t, t + 30 * MS);
	detect_outcome(&d, DETECT_REPLY, t + 500 * MS, t + 530 * MS);
	assert_true(detect_outcome(&d, DETECT_REPLY, t + 1 * S, t + 1 * S + 30 * MS));
	/* Admin down and a missing device count at once too. */
	assert_true(detect_link_event(&d, DETECT_LINK_ADMIN_DOWN, t + 5 * S));
	assert_string_equal(d.reason, "admin down");
	assert_false(detect_link_event(&d, DETECT_LINK_MISSING, t + 6 * S));
	assert_string_equal(d.reason, "device missing");
	/* Replies while the link is not up do not bring it back. */
	for (unsigned i = 0; i < 5; i++)
		detect_outcome(&d, DETECT_REPLY, t + (7 + i) * S, t + (7 + i) * S + 30 * MS);
	assert_true(detect_is_down(&d));
}

static void test_detect_hard_timeout(void **state)
{
	struct detect d;
	uint64_t t = T0;

	detect_init(&d, NULL, t);
	detect_outcome(&d, DETECT_REPLY, t, t + 30 * MS);
	t += 30 * MS;
	/* Active (500 ms): 5 s without any reply. */
	assert_false(detect_tick(&d, 500, t + 4999 * MS));
	assert_true(detect_tick(&d, 500, t + 5000 * MS));
	assert_string_equal(d.reason, "no reply for 5.0 s");
	/* A metered standby probed every 20 s: 3 intervals, 60 s. */
	detect_init(&d, NULL, t);
	assert_false(detect_tick(&d, 20000, t + 59 * S));
	assert_true(detect_tick(&d, 20000, t + 60 * S));
	/* A late reply is a sign of life for the hard timeout. */
	detect_init(&d, NULL, t);
	detect_outcome(&d, DETECT_LATE, t, t + 4 * S);
	assert_false(detect_tick(&d, 500, t + 8 * S));
}

static void test_loss_timeout_policy(void **state)
{
	struct window w;
	uint64_t t = T0;

	window_init(&w);
	assert_int_equal(detect_loss_timeout_ms(&w, t), 1000);  /* nothing known */
	for (unsigned i = 0; i < 50; i++)
		window_add(&w, t + i * 500 * MS, false, 30 * MS);
	t += 25 * S;
	assert_int_equal(detect_loss_timeout_ms(&w, t), 150);   /* 4 x 30 < floor */
	for (unsigned i = 0; i < 50; i++)
		window_add(&w, t + i * 500 * MS, false, 100 * MS);
	t += 25 * S;
	assert_int_equal(detect_loss_timeout_ms(&w, t), 400);   /* 4 x p95 */
	for (unsigned i = 0; i < 100; i++)
		window_add(&w, t + i * 500 * MS, false, 300 * MS);
	t += 50 * S;
	assert_int_equal(detect_loss_timeout_ms(&w, t), 1000);  /* cap */
	/* A recent late reply stretches a short timeout past it. */
	window_init(&w);
	for (unsigned i = 0; i < 20; i++)
		window_add(&w, t + i * 500 * MS, false, 30 * MS);
	t += 10 * S;
	window_add_late_rtt(&w, t - 1 * S, 400 * MS);
	assert_int_equal(detect_loss_timeout_ms(&w, t), 600);
	/* Both aged out of the 60 s span: 4 x the EWMA (30 ms), so the floor. */
	assert_int_equal(detect_loss_timeout_ms(&w, t + 60 * S), 150);
}

static void test_confirmation_policy(void **state)
{
	struct window w;
	uint64_t t = T0;

	window_init(&w);
	/* Nothing known: no suspicion, the confirmation waits like any probe. */
	assert_int_equal(detect_suspect_ms(&w, t), 0);
	assert_int_equal(detect_confirm_timeout_ms(&w, t), 1000);
	for (unsigned i = 0; i < 50; i++)
		window_add(&w, t + i * 500 * MS, false, 30 * MS);
	t += 25 * S;
	/* A short path: both at the floor, as the regular timeout. */
	assert_int_equal(detect_suspect_ms(&w, t), 150);
	assert_int_equal(detect_confirm_timeout_ms(&w, t), 150);
	for (unsigned i = 0; i < 150; i++)
		window_add(&w, t + i * 400 * MS, false, 100 * MS);
	t += 60 * S;
	/* 2 x p95 where the regular timeout is 4 x p95. */
	assert_int_equal(detect_loss_timeout_ms(&w, t), 400);
	assert_int_equal(detect_suspect_ms(&w, t), 200);
	assert_int_equal(detect_confirm_timeout_ms(&w, t), 200);
	/* Never above the regular timeout (its 1 s cap). */
	for (unsigned i = 0; i < 150; i++)
		window_add(&w, t + i * 400 * MS, false, 700 * MS);
	t += 60 * S;
	assert_int_equal(detect_loss_timeout_ms(&w, t), 1000);
	assert_int_equal(detect_suspect_ms(&w, t), 1000);
	/* After a late reply the RTT is not known: wait for the loss. */
	window_init(&w);
	for (unsigned i = 0; i < 20; i++)
		window_add(&w, t + i * 500 * MS, false, 30 * MS);
	t += 10 * S;
	window_add_late_rtt(&w, t - 1 * S, 400 * MS);
	assert_int_equal(detect_suspect_ms(&w, t), 0);
	assert_int_equal(detect_confirm_timeout_ms(&w, t), 600);
}

/* ---- the score ------------------------------------------------------- */

static void test_unknown_then_perfect(void **state)
{
	struct mem m;
	uint64_t t = T0;

	mem_init(&m);
	eval(&m, t);
	assert_int_equal(m.r.score, -1);
	assert_int_equal(m.r.state, HEALTH_UNKNOWN);
	assert_string_equal(m.r.reason, "no data yet");
	for (unsigned i = 0; i < 60; i++)
		reply(&m, t + i * 500 * MS, 30);
	eval(&m, t + 30 * S);
	assert_int_equal(m.r.score, 100);
	assert_int_equal(m.r.state, HEALTH_UP);
	assert_int_equal(m.r.n_items, 0);
	assert_string_equal(m.r.reason, "ok");
	assert_true(fabs(m.r.latency_ms - 30) < 1e-9);
	assert_true(fabs(m.r.loss_pct) < 1e-9);
	assert_string_equal(health_state_name(m.r.state), "up");
}

static void test_loss_points(void **state)
{
	assert_true(fabs(health_loss_points(0)) < 1e-9);
	assert_true(fabs(health_loss_points(NAN)) < 1e-9);
	assert_true(fabs(health_loss_points(1) - 3.2) < 1e-9);
	assert_true(fabs(health_loss_points(5) - 16) < 1e-9);
	assert_true(fabs(health_loss_points(10) - 32) < 1e-9);
	assert_true(fabs(health_loss_points(20) - 34.5) < 1e-9);
	assert_true(fabs(health_loss_points(42) - 40) < 1e-9);
	assert_true(fabs(health_loss_points(50) - 64) < 1e-9);
	assert_true(fabs(health_loss_points(100) - 100) < 1e-9);
	/* Monotonic. */
	for (double L = 0; L < 100; L += 0.5)
		assert_true(health_loss_points(L + 0.5) >= health_loss_points(L));
}

static void test_penalty_loss_long(void **state)
{
	struct mem m;
	uint64_t t = T0;

	/* One probe a second (the short span never has 40): 1 in 8 lost. */
	mem_init(&m);
	for (unsigned i = 0; i < 200; i++) {
		if (i % 8 == 3)
			lose(&m, t + i * S);
		else
			reply(&m, t + i * S, 30);
	}
	eval(&m, t + 200 * S);
	/* 25 of 200 = 12.5 %: 32 + 0.25 x 2.5 = 32.6 -> 33. */
	const struct health_item *it = item(&m.r, "loss");
	assert_non_null(it);
	assert_int_equal(it->points, 33);
	assert_string_equal(it->text, "loss 12% -33");
	assert_int_equal(m.r.score, 67);
	assert_int_equal(m.r.state, HEALTH_DEGRADED);
	assert_string_equal(m.r.reason, "loss 12% -33");
	/* Few outcomes weigh less: 1 loss in the first 5 is not 20 %. */
	mem_init(&m);
	lose(&m, t);
	for (unsigned i = 1; i < 5; i++)
		reply(&m, t + i * S, 30);
	eval(&m, t + 5 * S);
	assert_string_equal(item(&m.r, "loss")->text, "loss 5.0% -16");
}

static void test_penalty_loss_short(void **state)
{
	struct mem m;
	uint64_t t = T0;

	/* 200 good outcomes, then 30 s at 2/s with every other one lost. */
	mem_init(&m);
	for (unsigned i = 0; i < 200; i++)
		reply(&m, t + i * 500 * MS, 30);
	t += 100 * S;
	for (unsigned i = 0; i < 60; i++) {
		if (i % 2)
			lose(&m, t + i * 500 * MS);
		else
			reply(&m, t + i * 500 * MS, 30);
	}
	eval(&m, t + 30 * S - 1);
	const struct health_item *it = item(&m.r, "loss");
	assert_non_null(it);
	assert_string_equal(it->text, "loss 50% in 30 s -64");
	assert_int_equal(m.r.score, 36);
	assert_int_equal(m.r.state, HEALTH_DOWN);
	assert_false(detect_is_down(&m.d));     /* the score, not the detector */
}

static void test_penalty_lost_in_a_row(void **state)
{
	struct mem m;
	uint64_t t = T0;

	mem_init(&m);
	for (unsigned i = 0; i < 100; i++)
		reply(&m, t + i * S, 30);
	t += 100 * S;
	for (unsigned i = 0; i < 5; i++)
		lose(&m, t + i * 20 * MS);
	eval(&m, t + 300 * MS);
	const struct health_item *it = item(&m.r, "lost in a row");
	assert_non_null(it);
	assert_string_equal(it->text, "5 lost in a row -6");
	/* Capped at 10 until the detector takes over. */
	for (unsigned i = 5; i < 10; i++)
		lose(&m, t + i * 20 * MS);
	eval(&m, t + 400 * MS);
	assert_int_equal(item(&m.r, "lost in a row")->points, 10);
}

static void test_penalty_latency_and_jitter(void **state)
{
	struct mem m;
	uint64_t t = T0;

	/* p50 420 ms: 0.1 x (420 - 100) = 32. */
	mem_init(&m);
	for (unsigned i = 0; i < 60; i++)
		reply(&m, t + i * 500 * MS, 420);
	eval(&m, t + 30 * S);
	assert_string_equal(item(&m.r, "latency")->text, "latency p50 420 ms -32");
	assert_int_equal(m.r.score, 68);
	/* 2 s is capped at 60. */
	mem_init(&m);
	for (unsigned i = 0; i < 20; i++)
		reply(&m, t + i * 3 * S, 2000);
	eval(&m, t + 60 * S);
	assert_int_equal(item(&m.r, "latency")->points, 60);
	/* Jitter 40 ms around a 40 ms median: 0.5 x (40 - 10) = 15. */
	mem_init(&m);
	for (unsigned i = 0; i < 61; i++)
		reply(&m, t + i * 500 * MS, i % 2 ? 60 : 20);
	eval(&m, t + 30 * S + 1);
	assert_string_equal(item(&m.r, "jitter")->text, "jitter 40 ms -15");
	assert_null(item(&m.r, "latency"));
	assert_int_equal(m.r.score, 85);
}

static void test_penalty_latency_rise(void **state)
{
	struct mem m;
	uint64_t t = T0;

	/* Ten minutes at 30 ms set the baseline. */
	mem_init(&m);
	for (unsigned i = 0; i < 1200; i++) {
		reply(&m, t + i * 500 * MS, 30);
		if (i % 10 == 9)
			eval(&m, t + i * 500 * MS + 30 * MS);
	}
	assert_true(fabs(m.h.baseline_ms - 30) < 1e-6);
	t += 600 * S;
	/* Then 90 ms (bufferbloat): +60 over 30, less 20 -> 0.25 x 40 = 10. */
	for (unsigned i = 0; i < 60; i++)
		reply(&m, t + i * 500 * MS, 90);
	eval(&m, t + 30 * S);
	const struct health_item *it = item(&m.r, "latency rise");
	assert_non_null(it);
	assert_string_equal(it->text, "latency +60 ms over 30 ms baseline -10");
	assert_null(item(&m.r, "latency"));     /* 90 ms is fine in itself */
	/* The baseline follows a rise slowly (tau 10 min): 30.5 s after the last
	 * update it moved 1 - e^(-30.5/600) = 5 % of the way. */
	assert_true(fabs(m.h.baseline_ms - (30 + 60 * (1 - exp(-30.5 / 600)))) < 0.1);
	/* ... and a fall quickly (tau 1 min): within half a ms in 5 minutes. */
	t += 30 * S;
	for (unsigned i = 0; i < 600; i++) {
		reply(&m, t + i * 500 * MS, 20);
		if (i % 10 == 9)
			eval(&m, t + i * 500 * MS + 20 * MS);
	}
	assert_true(fabs(m.h.baseline_ms - 20) < 0.5);
}

static void test_no_carrier_and_detector_down(void **state)
{
	struct mem m;
	uint64_t t = T0;

	mem_init(&m);
	for (unsigned i = 0; i < 60; i++)
		reply(&m, t + i * 500 * MS, 30);
	t += 30 * S;
	detect_link_event(&m.d, DETECT_LINK_NO_CARRIER, t);
	eval(&m, t);
	assert_int_equal(m.r.score, 0);
	assert_int_equal(m.r.state, HEALTH_DOWN);
	assert_string_equal(m.r.items[0].label, "link");
	assert_string_equal(m.r.items[0].text, "no carrier -100");
	/* No carrier before any probe: down, not unknown. */
	mem_init(&m);
	detect_link_event(&m.d, DETECT_LINK_MISSING, t);
	eval(&m, t);
	assert_int_equal(m.r.state, HEALTH_DOWN);
	assert_int_equal(m.r.score, 0);
	/* A blackhole: the detector's down overrides a still-good loss figure. */
	mem_init(&m);
	for (unsigned i = 0; i < 200; i++)
		reply(&m, t + i * 500 * MS, 30);
	t += 100 * S;
	for (unsigned i = 0; i < 11; i++)
		lose(&m, t + i * 20 * MS);
	eval(&m, t + 400 * MS);
	assert_int_equal(m.r.state, HEALTH_DOWN);
	assert_int_equal(m.r.score, 0);
	assert_string_equal(m.r.items[0].text, "11 probes lost in 0.35 s -100");
	/* Recovered: judged on the path since, not on the outage. */
	for (unsigned i = 0; i < 100; i++)
		lose(&m, t + (1 + i) * S);
	t += 200 * S;
	for (unsigned i = 0; i < 3; i++)
		reply(&m, t + i * 500 * MS, 30);
	eval(&m, t + 1100 * MS);
	assert_int_equal(m.d.state, DETECT_UP);
	assert_int_equal(m.r.state, HEALTH_UP);
	assert_int_equal(m.r.score, 100);
	/* A stale loss arriving after the recovery changes nothing. */
	window_add(&m.w, t - 1 * S, true, 0);
	eval(&m, t + 1200 * MS);
	assert_int_equal(m.r.score, 100);
}

static void test_telemetry_and_explanation(void **state)
{
	struct mem m;
	uint64_t t = T0;
	const struct health_penalty tel[] = {
		{ "starlink", 12, "obstructed 4%" },
		{ "cellular", 3, "rsrp -112 dBm" },
		{ "gps", 0, "ignored at 0" },
	};

	mem_init(&m);
	for (unsigned i = 0; i < 61; i++)
		reply(&m, t + i * 500 * MS, i % 2 ? 480 : 440);
	health_update(&m.h, &m.w, &m.d, tel, 3, t + 30 * S + 1, &m.r);
	/* latency 0.1 x (460 - 100) = 36, jitter 0.5 x (40 - 10) = 15. */
	assert_int_equal(m.r.n_items, 4);
	assert_string_equal(m.r.items[0].text, "latency p50 460 ms -36");
	assert_string_equal(m.r.items[1].text, "jitter 40 ms -15");
	assert_string_equal(m.r.items[2].text, "obstructed 4% -12");
	assert_string_equal(m.r.items[2].label, "starlink");
	assert_string_equal(m.r.items[3].text, "rsrp -112 dBm -3");
	assert_int_equal(m.r.score, 100 - 36 - 15 - 12 - 3);
	assert_string_equal(m.r.reason, "latency p50 460 ms -36, jitter 40 ms -15, "
			    "obstructed 4% -12, rsrp -112 dBm -3");
	assert_int_equal(m.r.state, HEALTH_DOWN);
}

static void test_thresholds_and_hysteresis(void **state)
{
	static const struct { int pts; enum health_state st; } fresh[] = {
		{ 0, HEALTH_UP }, { 30, HEALTH_UP }, { 31, HEALTH_DEGRADED },
		{ 50, HEALTH_DEGRADED }, { 51, HEALTH_DOWN }, { 100, HEALTH_DOWN },
	};
	struct mem m;
	uint64_t t = T0;

	for (unsigned i = 0; i < sizeof(fresh) / sizeof(fresh[0]); i++) {
		mem_init(&m);
		reply(&m, t, 30);
		eval_tel(&m, fresh[i].pts, t + 1 * S);
		assert_int_equal(m.r.score, 100 - fresh[i].pts);
		assert_int_equal(m.r.state, fresh[i].st);
	}
	/* Worse at once, better only 3 points past the threshold. */
	mem_init(&m);
	reply(&m, t, 30);
	static const struct { int score; enum health_state st; } seq[] = {
		{ 69, HEALTH_DEGRADED }, { 72, HEALTH_DEGRADED }, { 73, HEALTH_UP },
		{ 49, HEALTH_DOWN }, { 52, HEALTH_DOWN }, { 53, HEALTH_DEGRADED },
		{ 49, HEALTH_DOWN }, { 80, HEALTH_UP },
	};
	for (unsigned i = 0; i < sizeof(seq) / sizeof(seq[0]); i++) {
		eval_tel(&m, 100 - seq[i].score, t + (2 + i) * S);
		assert_int_equal(m.r.state, seq[i].st);
	}
	/* Thresholds come from the alerts section. */
	struct health_params p;
	health_params_default(&p);
	p.warning = 80;
	p.critical = 60;
	mem_init(&m);
	health_init(&m.h, &p);
	reply(&m, t, 30);
	eval_tel(&m, 25, t + 1 * S);
	assert_int_equal(m.r.state, HEALTH_DEGRADED);
}

/* ---- long deterministic simulations --------------------------------- */

struct pend {
	uint64_t at, sent;
	uint32_t rtt_us;
	int kind;               /* 0 reply, 1 lost, 2 late */
};

struct simrun {
	unsigned evals, degraded, up, down_states, detector_downs;
	int min_score;
	enum health_state last;
};

static uint64_t prng(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static void sim_deliver(struct mem *m, struct sched *s, const struct pend *p, uint64_t now)
{
	enum detect_outcome o = p->kind == 0 ? DETECT_REPLY : p->kind == 1 ? DETECT_LOST :
				DETECT_LATE;

	if (p->kind == 2)
		window_add_late_rtt(&m->w, p->sent, p->rtt_us);
	else
		window_add(&m->w, p->sent, p->kind == 1, p->rtt_us);
	detect_outcome(&m->d, o, p->sent, now);
	sched_outcome(s, p->kind == 1, p->sent, now);
}

static void sim_send(struct mem *m, struct sched *s, enum sched_role role, double loss,
		     uint64_t *rng, uint64_t now, struct pend *q, unsigned *nq)
{
	uint64_t T = detect_loss_timeout_ms(&m->w, now) * MS;
	/* RTT 30 ms +- up to 4 ms, uniform: normal latency. */
	uint32_t rtt = (uint32_t)(26 * MS + prng(rng) % (8 * MS));
	bool lost = (prng(rng) >> 11) * (1.0 / 9007199254740992.0) < loss;

	sched_fire(s, role, 0, 3, now);
	if (*nq < 64)
		q[(*nq)++] = lost ? (struct pend){ now + T, now, 0, 1 } :
				    (struct pend){ now + rtt, now, rtt, 0 };
}

/* Runs scheduler + detector + window + health for `hours` of virtual time
 * on a path with independent random loss; scores after every outcome. */
static void simulate(double loss, double hours, enum sched_role role, uint64_t seed,
		     struct simrun *out)
{
	static struct mem m;
	struct sched s;
	struct pend q[64];
	unsigned nq = 0;
	uint64_t rng = seed, now = T0, end = T0 + (uint64_t)(hours * 3600 * S);

	memset(out, 0, sizeof(*out));
	out->min_score = 100;
	mem_init(&m);
	sched_init(&s, NULL, seed, now);
	while (now < end) {
		unsigned best = nq;
		for (unsigned i = 0; i < nq; i++)
			if (q[i].at <= sched_due_us(&s) && (best == nq || q[i].at < q[best].at))
				best = i;
		if (best == nq) {
			now = sched_due_us(&s);
			sim_send(&m, &s, role, loss, &rng, now, q, &nq);
			continue;
		}
		struct pend p = q[best];
		q[best] = q[--nq];
		now = p.at;
		sim_deliver(&m, &s, &p, now);
		detect_tick(&m.d, sched_interval_ms(&s.p, role, 0), now);
		eval(&m, now);
		out->evals++;
		out->degraded += m.r.state == HEALTH_DEGRADED;
		out->up += m.r.state == HEALTH_UP;
		out->down_states += m.r.state == HEALTH_DOWN;
		if (m.r.score >= 0 && m.r.score < out->min_score)
			out->min_score = m.r.score;
		out->last = m.r.state;
	}
	out->detector_downs = m.d.downs;
}

static void test_sim_20pct_never_down(void **state)
{
	struct simrun r;

	/* Four virtual hours on the active member (~43 000 outcomes). */
	simulate(0.20, 4, SCHED_ACTIVE, 2026, &r);
	print_message("20%% loss, active: %u evals, min score %d, degraded %.1f%%\n",
		      r.evals, r.min_score, 100.0 * r.degraded / r.evals);
	assert_int_equal(r.detector_downs, 0);
	assert_int_equal(r.down_states, 0);
	assert_true(r.min_score >= 50);
	assert_true(r.degraded > r.evals * 0.95);
	assert_int_equal(r.last, HEALTH_DEGRADED);
	/* A standby member (fewer samples per span) too. */
	simulate(0.20, 8, SCHED_STANDBY, 7, &r);
	print_message("20%% loss, standby: %u evals, min score %d\n", r.evals, r.min_score);
	assert_int_equal(r.detector_downs, 0);
	assert_int_equal(r.down_states, 0);
	assert_true(r.degraded > r.evals * 0.95);
}

static void test_sim_10pct_and_50pct(void **state)
{
	struct simrun r;

	simulate(0.10, 3, SCHED_ACTIVE, 99, &r);
	print_message("10%% loss: min score %d, up %.1f%%, degraded %.1f%%\n", r.min_score,
		      100.0 * r.up / r.evals, 100.0 * r.degraded / r.evals);
	assert_int_equal(r.detector_downs, 0);
	assert_int_equal(r.down_states, 0);
	assert_true(r.up + r.degraded == r.evals);
	/* 50 % loss: down by the score (the detector's 11 in a row are rare). */
	simulate(0.50, 0.5, SCHED_ACTIVE, 5, &r);
	print_message("50%% loss: down %.1f%% of evaluations\n", 100.0 * r.down_states / r.evals);
	assert_true(r.down_states > r.evals * 0.9);
	assert_int_equal(r.last, HEALTH_DOWN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detect_confirmation),
		cmocka_unit_test(test_detect_recovery_rise),
		cmocka_unit_test(test_detect_late_ends_confirmation),
		cmocka_unit_test(test_detect_link_immediate),
		cmocka_unit_test(test_detect_hard_timeout),
		cmocka_unit_test(test_loss_timeout_policy),
		cmocka_unit_test(test_confirmation_policy),
		cmocka_unit_test(test_unknown_then_perfect),
		cmocka_unit_test(test_loss_points),
		cmocka_unit_test(test_penalty_loss_long),
		cmocka_unit_test(test_penalty_loss_short),
		cmocka_unit_test(test_penalty_lost_in_a_row),
		cmocka_unit_test(test_penalty_latency_and_jitter),
		cmocka_unit_test(test_penalty_latency_rise),
		cmocka_unit_test(test_no_carrier_and_detector_down),
		cmocka_unit_test(test_telemetry_and_explanation),
		cmocka_unit_test(test_thresholds_and_hysteresis),
		cmocka_unit_test(test_sim_20pct_never_down),
		cmocka_unit_test(test_sim_10pct_and_50pct),
	};
	return cmocka_run_group_tests_name("health", tests, NULL, NULL);
}
