/* sched: the adaptive probe scheduler on a fake monotonic clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "engine/sched.h"

#define MS 1000ULL
#define S  1000000ULL
#define T0 (1000 * S)   /* an arbitrary monotonic start */

static void test_intervals_per_role(void **state)
{
	struct sched_params p;

	sched_params_default(&p);
	assert_int_equal(sched_interval_ms(&p, SCHED_ACTIVE, 0), 500);
	assert_int_equal(sched_interval_ms(&p, SCHED_STANDBY, 0), 1500);
	assert_int_equal(sched_interval_ms(&p, SCHED_METERED_STANDBY, 0), 20000);
	assert_string_equal(sched_role_name(SCHED_METERED_STANDBY), "metered_standby");
}

/* Fires one member for `span` of fake time in the given role; returns how
 * many probes went out, checking every interval against the bounds. */
static unsigned run(struct sched *s, enum sched_role role, unsigned load, uint64_t *now,
		    uint64_t span, uint64_t lo_us, uint64_t hi_us)
{
	uint64_t end = *now + span;
	unsigned n = 0;

	while (sched_due_us(s) < end) {
		*now = sched_due_us(s);
		sched_fire(s, role, load, 3, *now);
		uint64_t gap = sched_due_us(s) - *now;
		assert_in_range(gap, lo_us, hi_us);
		n++;
	}
	*now = end;
	return n;
}

static void test_active_interval_and_round_robin(void **state)
{
	struct sched s;
	uint64_t now = T0;

	sched_init(&s, NULL, 1, now);
	assert_in_range(sched_due_us(&s), T0, T0 + 500 * MS - 1);
	now = sched_due_us(&s);
	/* Round-robin over 3 targets. */
	for (unsigned i = 0; i < 7; i++) {
		assert_int_equal(sched_fire(&s, SCHED_ACTIVE, 0, 3, now), i % 3);
		uint64_t gap = sched_due_us(&s) - now;
		/* Never longer than min_interval, at most 10 % shorter. */
		assert_in_range(gap, 450 * MS, 500 * MS);
		now = sched_due_us(&s);
	}
	/* One hour: mean interval 475 ms -> about 7 580 probes. */
	unsigned n = run(&s, SCHED_ACTIVE, 0, &now, 3600 * S, 450 * MS, 500 * MS);
	assert_in_range(n, 7500, 7660);
	/* n_targets 0 is taken as 1. */
	assert_int_equal(sched_fire(&s, SCHED_ACTIVE, 0, 0, now), 0);
}

static void test_standby_and_metered(void **state)
{
	struct sched s;
	uint64_t now = T0;

	sched_init(&s, NULL, 2, now);
	now = sched_due_us(&s);
	sched_fire(&s, SCHED_STANDBY, 0, 2, now);
	unsigned n = run(&s, SCHED_STANDBY, 0, &now, 600 * S, 1350 * MS, 1500 * MS);
	assert_in_range(n, 395, 425);           /* 600 s / 1.425 s = 421 */
	sched_set_role(&s, SCHED_METERED_STANDBY, now);
	now = sched_due_us(&s);
	n = run(&s, SCHED_METERED_STANDBY, 0, &now, 3600 * S, 18 * S, 20 * S);
	assert_in_range(n, 180, 190);           /* 3600 / 19 = 189 */
}

static void test_phase_spread(void **state)
{
	struct sched s[16];
	uint64_t first[16];

	/* Members started together get distinct phases within one interval. */
	for (unsigned i = 0; i < 16; i++) {
		sched_init(&s[i], NULL, 100 + i, T0);
		first[i] = sched_due_us(&s[i]);
		assert_in_range(first[i], T0, T0 + 500 * MS - 1);
	}
	uint64_t lo = first[0], hi = first[0];
	for (unsigned i = 0; i < 16; i++) {
		lo = first[i] < lo ? first[i] : lo;
		hi = first[i] > hi ? first[i] : hi;
		for (unsigned j = 0; j < i; j++)
			assert_true(first[i] != first[j]);
	}
	assert_true(hi - lo > 250 * MS);
	/* Two members with the same phase drift apart (jittered intervals). */
	struct sched a, b;
	uint64_t ta = T0, tb = T0;
	sched_init(&a, NULL, 1, T0);
	sched_init(&b, NULL, 2, T0);
	a.due_us = b.due_us = T0;
	unsigned same = 0;
	for (unsigned i = 0; i < 200; i++) {
		ta = sched_due_us(&a);
		tb = sched_due_us(&b);
		same += ta / (10 * MS) == tb / (10 * MS);
		sched_fire(&a, SCHED_ACTIVE, 0, 1, ta);
		sched_fire(&b, SCHED_ACTIVE, 0, 1, tb);
	}
	assert_true(same < 20);
}

static void test_deterministic(void **state)
{
	struct sched a, b;
	uint64_t now = T0;

	sched_init(&a, NULL, 42, now);
	sched_init(&b, NULL, 42, now);
	for (unsigned i = 0; i < 100; i++) {
		assert_int_equal(sched_due_us(&a), sched_due_us(&b));
		now = sched_due_us(&a);
		sched_fire(&a, SCHED_STANDBY, 0, 2, now);
		sched_fire(&b, SCHED_STANDBY, 0, 2, now);
	}
}

static void test_burst_on_loss(void **state)
{
	struct sched s;
	uint64_t now = T0;

	sched_init(&s, NULL, 3, now);
	now = sched_due_us(&s);
	uint64_t sent = now;
	assert_int_equal(sched_fire(&s, SCHED_ACTIVE, 0, 3, now), 0);
	/* The loss is reported after the loss timeout: a burst starts now. */
	now += 150 * MS;
	sched_outcome(&s, true, sent, now);
	assert_true(sched_in_burst(&s));
	assert_int_equal(sched_due_us(&s), now);
	/* 10 probes 20 ms apart, continuing round-robin over the targets. */
	for (unsigned i = 0; i < 10; i++) {
		now = sched_due_us(&s);
		assert_int_equal(sched_fire(&s, SCHED_ACTIVE, 0, 3, now), (1 + i) % 3);
		if (i < 9)
			assert_int_equal(sched_due_us(&s) - now, 20 * MS);
	}
	assert_false(sched_in_burst(&s));
	assert_in_range(sched_due_us(&s) - now, 450 * MS, 500 * MS);
	assert_int_equal(s.bursts, 1);
	assert_int_equal(s.burst_fired, 10);
	/* Further losses of a member already confirmed dead: no new burst. */
	sched_outcome(&s, true, now - 10 * MS, now + 150 * MS);
	assert_false(sched_in_burst(&s));
	assert_int_equal(s.bursts, 1);
}

static void test_reply_ends_burst(void **state)
{
	struct sched s;
	uint64_t now = T0;

	sched_init(&s, NULL, 4, now);
	now = sched_due_us(&s);
	uint64_t trig = now;
	sched_fire(&s, SCHED_ACTIVE, 0, 2, now);
	now += 150 * MS;
	sched_outcome(&s, true, trig, now);
	uint64_t b1 = now;
	sched_fire(&s, SCHED_ACTIVE, 0, 2, now);
	now = sched_due_us(&s);
	sched_fire(&s, SCHED_ACTIVE, 0, 2, now);
	/* b1 answers: a single lost packet, nothing to confirm. */
	now = b1 + 30 * MS;
	sched_outcome(&s, false, b1, now);
	assert_false(sched_in_burst(&s));
	assert_in_range(sched_due_us(&s) - now, 450 * MS, 500 * MS);
	assert_int_equal(s.burst_fired, 2);
	/* A loss of a probe sent before b1 is stale: no burst. */
	sched_outcome(&s, true, trig + 1, now + 100 * MS);
	assert_false(sched_in_burst(&s));
	/* A fresh loss after the reply starts a new one. */
	sched_outcome(&s, true, b1 + 20 * MS, now + 150 * MS);
	assert_true(sched_in_burst(&s));
	assert_int_equal(s.bursts, 2);
	/* A late reply proves the path alive and ends it too. */
	sched_outcome(&s, false, b1 + 20 * MS, now + 300 * MS);
	assert_false(sched_in_burst(&s));
}

/* 4b: on the active member an overdue reply starts the burst before the
 * loss timeout; the loss of that probe, when it comes, starts no other. */
static void test_suspicion_starts_burst(void **state)
{
	struct sched s;
	uint64_t now = T0;

	sched_init(&s, NULL, 5, now);
	now = sched_due_us(&s);
	s.suspect_ms = 150;
	s.loss_ms = 400;
	uint64_t sent = now;
	sched_fire(&s, SCHED_ACTIVE, 0, 3, now);
	assert_int_equal(sched_due_us(&s), sent + 150 * MS);
	now = sched_due_us(&s);
	sched_fire(&s, SCHED_ACTIVE, 0, 3, now);
	assert_true(s.fired_burst);
	assert_true(sched_in_burst(&s));
	assert_int_equal(s.bursts, 1);
	assert_int_equal(s.suspicions, 1);
	assert_int_equal(sched_due_us(&s), now + 20 * MS);
	/* The suspected probe's loss at its timeout: covered already. */
	for (unsigned i = 0; i < 9; i++) {
		now = sched_due_us(&s);
		sched_fire(&s, SCHED_ACTIVE, 0, 3, now);
		if (i == 5)
			sched_outcome(&s, true, sent, sent + 400 * MS);
	}
	assert_false(sched_in_burst(&s));
	assert_int_equal(s.bursts, 1);
	assert_int_equal(s.burst_fired, 10);
	/* Regular probing resumes as if the burst had begun at the loss
	 * timeout: 400 - 150 ms later than right after the burst. */
	assert_in_range(sched_due_us(&s) - now, (250 + 450) * MS, (250 + 500) * MS);
	/* A dead member (losses since the last reply): no more suspicions. */
	now = sched_due_us(&s);
	sched_fire(&s, SCHED_ACTIVE, 0, 3, now);
	assert_false(s.fired_burst);
	assert_true(sched_due_us(&s) - now >= 450 * MS);
}

static void test_suspicion_cleared_by_reply_and_role(void **state)
{
	struct sched s;
	uint64_t now = T0;

	sched_init(&s, NULL, 6, now);
	now = sched_due_us(&s);
	s.suspect_ms = 150;
	s.loss_ms = 400;
	uint64_t sent = now;
	sched_fire(&s, SCHED_ACTIVE, 0, 3, now);
	/* Answered in time: no suspicion left, the next probe is regular. */
	sched_outcome(&s, false, sent, sent + 60 * MS);
	assert_true(sched_due_us(&s) - sent >= 450 * MS);
	/* A standby member waits for the loss. */
	now = sched_due_us(&s);
	sched_fire(&s, SCHED_STANDBY, 0, 3, now);
	assert_true(sched_due_us(&s) - now >= 1350 * MS);
	/* Off (suspect_ms 0: nothing known about the path). */
	s.suspect_ms = 0;
	now = sched_due_us(&s);
	sched_fire(&s, SCHED_ACTIVE, 0, 3, now);
	assert_true(sched_due_us(&s) - now >= 450 * MS);
	assert_int_equal(s.suspicions, 0);
}

static void test_load_backoff(void **state)
{
	struct sched_params p;

	sched_params_default(&p);
	/* Linear from x1 at the threshold to x2 at 100 %. */
	assert_int_equal(sched_interval_ms(&p, SCHED_STANDBY, 80), 1500);
	assert_int_equal(sched_interval_ms(&p, SCHED_STANDBY, 90), 2250);
	assert_int_equal(sched_interval_ms(&p, SCHED_STANDBY, 100), 3000);
	assert_int_equal(sched_interval_ms(&p, SCHED_STANDBY, 250), 3000);
	assert_int_equal(sched_interval_ms(&p, SCHED_METERED_STANDBY, 100), 40000);
	/* The active member is never slowed. */
	assert_int_equal(sched_interval_ms(&p, SCHED_ACTIVE, 100), 500);
	/* Standby back-off stops at max_interval. */
	p.base_interval_ms = 4000;
	assert_int_equal(sched_interval_ms(&p, SCHED_STANDBY, 100), 5000);
	assert_int_equal(sched_interval_ms(&p, SCHED_STANDBY, 0), 4000);

	/* Under load a burst keeps its 20 ms pace. */
	struct sched s;
	uint64_t now = T0;
	sched_init(&s, NULL, 5, now);
	now = sched_due_us(&s);
	sched_fire(&s, SCHED_STANDBY, 100, 1, now);
	assert_in_range(sched_due_us(&s) - now, 2700 * MS, 3000 * MS);
	sched_outcome(&s, true, now, now + 150 * MS);
	now = sched_due_us(&s);
	sched_fire(&s, SCHED_STANDBY, 100, 1, now);
	assert_int_equal(sched_due_us(&s) - now, 20 * MS);
}

static void test_adaptive_off(void **state)
{
	struct sched_params p;

	sched_params_default(&p);
	p.adaptive = false;
	assert_int_equal(sched_interval_ms(&p, SCHED_ACTIVE, 0), 1500);
	assert_int_equal(sched_interval_ms(&p, SCHED_STANDBY, 100), 1500);
	assert_int_equal(sched_interval_ms(&p, SCHED_METERED_STANDBY, 95), 1500);
	/* Confirmation bursts stay. */
	struct sched s;
	uint64_t now = T0;
	sched_init(&s, &p, 6, now);
	now = sched_due_us(&s);
	sched_fire(&s, SCHED_ACTIVE, 0, 1, now);
	assert_in_range(sched_due_us(&s) - now, 1350 * MS, 1500 * MS);
	sched_outcome(&s, true, now, now + 150 * MS);
	assert_true(sched_in_burst(&s));
}

static void test_promotion_is_immediate(void **state)
{
	struct sched s;
	uint64_t now = T0;

	sched_init(&s, NULL, 7, now);
	now = sched_due_us(&s);
	sched_fire(&s, SCHED_METERED_STANDBY, 0, 1, now);
	assert_in_range(sched_due_us(&s) - now, 18 * S, 20 * S);
	/* Becoming active: the next probe within 500 ms, not 20 s. */
	now += 1 * S;
	sched_set_role(&s, SCHED_ACTIVE, now);
	assert_in_range(sched_due_us(&s) - now, 450 * MS, 500 * MS);
	/* Demotion keeps the due time; the next interval is the longer one. */
	sched_set_role(&s, SCHED_STANDBY, now);
	assert_in_range(sched_due_us(&s) - now, 450 * MS, 500 * MS);
	now = sched_due_us(&s);
	sched_fire(&s, SCHED_STANDBY, 0, 1, now);
	assert_in_range(sched_due_us(&s) - now, 1350 * MS, 1500 * MS);
	/* Firing late causes no catch-up: the next is counted from now. */
	now += 10 * S;
	sched_fire(&s, SCHED_STANDBY, 0, 1, now);
	assert_in_range(sched_due_us(&s) - now, 1350 * MS, 1500 * MS);
}

static void test_probes_per_day(void **state)
{
	struct sched_params p;

	sched_params_default(&p);
	/* Mean interval: nominal less half the 10 % jitter. */
	assert_in_range((unsigned)sched_probes_per_day(&p, SCHED_ACTIVE, 0), 181800, 181900);
	assert_in_range((unsigned)sched_probes_per_day(&p, SCHED_STANDBY, 0), 60600, 60700);
	double metered = sched_probes_per_day(&p, SCHED_METERED_STANDBY, 0);
	assert_in_range((unsigned)metered, 4540, 4550);
	assert_true(metered * SCHED_PROBE_BYTES <= 1e6);
	/* The same, counted: a virtual day of a metered standby, with a lost
	 * probe every 10 minutes (each starts a burst that a reply ends). */
	struct sched s;
	uint64_t now = T0, end = T0 + 86400 * S, next_loss = T0 + 600 * S;
	sched_init(&s, NULL, 8, now);
	while (sched_due_us(&s) < end) {
		now = sched_due_us(&s);
		sched_fire(&s, SCHED_METERED_STANDBY, 0, 2, now);
		bool lost = now >= next_loss;
		if (lost)
			next_loss = now + 600 * S;
		sched_outcome(&s, lost, now, now + (lost ? 150 : 40) * MS);
	}
	assert_true(s.fired * SCHED_PROBE_BYTES <= 1000000);
	assert_in_range(s.fired, 4540, 4800);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intervals_per_role),
		cmocka_unit_test(test_active_interval_and_round_robin),
		cmocka_unit_test(test_standby_and_metered),
		cmocka_unit_test(test_phase_spread),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_burst_on_loss),
		cmocka_unit_test(test_reply_ends_burst),
		cmocka_unit_test(test_suspicion_starts_burst),
		cmocka_unit_test(test_suspicion_cleared_by_reply_and_role),
		cmocka_unit_test(test_load_backoff),
		cmocka_unit_test(test_adaptive_off),
		cmocka_unit_test(test_promotion_is_immediate),
		cmocka_unit_test(test_probes_per_day),
	};
	return cmocka_run_group_tests_name("sched", tests, NULL, NULL);
}
