/* qos_rate: the adaptive shaper rate on synthetic RTT and load sequences,
 * on a virtual clock (no timing: every time is an argument). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include "qos/qos_rate.h"

#define MS 1000ULL
#define S  1000000ULL

struct sim {
	struct qos_rate r;
	uint64_t now;
	uint64_t bytes[QOS_N_DIRS];
};

static void sim_init(struct sim *s, uint32_t up_kbit, uint32_t down_kbit)
{
	struct qos_rate_params p = { .max_kbit = { up_kbit, down_kbit }, .min_pct = 10,
				     .delay_thr_us = 15000 };
	memset(s, 0, sizeof(*s));
	qos_rate_init(&s->r, &p);
	s->now = 100 * S;
	qos_rate_tick(&s->r, s->bytes, s->now);    /* first counters */
}

/* 500 ms: two probe replies (rtt), and traffic of kbit/s per direction. */
static unsigned step(struct sim *s, uint32_t rtt_us, const uint32_t kbit[QOS_N_DIRS])
{
	qos_rate_sample(&s->r, 0, rtt_us, s->now + 100 * MS);
	qos_rate_sample(&s->r, 1, rtt_us, s->now + 350 * MS);
	s->now += 500 * MS;
	for (int i = 0; i < QOS_N_DIRS; i++)
		s->bytes[i] += (uint64_t)kbit[i] * 1000 / 8 / 2;
	return qos_rate_tick(&s->r, s->bytes, s->now);
}

/* A saturating sender in direction d: it gets what the shaper lets through. */
static const uint32_t *saturating(const struct sim *s, int d)
{
	static uint32_t k[QOS_N_DIRS];
	k[0] = k[1] = 0;
	k[d] = s->r.dir[d].rate_kbit;
	return k;
}

static void test_idle_stays_at_limit(void **state)
{
	struct sim s;
	static const uint32_t idle[QOS_N_DIRS] = { 0, 0 };
	sim_init(&s, 20000, 100000);
	for (int i = 0; i < 60; i++)
		assert_int_equal(step(&s, 30000, idle), 0);
	assert_int_equal(s.r.dir[QOS_UP].rate_kbit, 20000);
	assert_int_equal(s.r.dir[QOS_DOWN].rate_kbit, 100000);
	assert_int_equal(qos_rate_baseline_us(&s.r), 30000);
}

/* The delay rises while the upload saturates the shaper: the rate comes
 * down at once, never under the floor, and the download (idle) is left. */
static void test_bloat_under_load_cuts(void **state)
{
	struct sim s;
	static const uint32_t idle[QOS_N_DIRS] = { 0, 0 };
	sim_init(&s, 20000, 100000);
	for (int i = 0; i < 10; i++)
		step(&s, 30000, idle);
	unsigned changed = 0;
	for (int i = 0; i < 4 && !changed; i++)
		changed = step(&s, 80000, saturating(&s, QOS_UP));
	assert_int_equal(changed, 1u << QOS_UP);
	assert_true(s.r.dir[QOS_UP].rate_kbit <= 18000);
	assert_int_equal(s.r.dir[QOS_DOWN].rate_kbit, 100000);
	/* the queue never goes away (the link is far slower): down to the floor */
	for (int i = 0; i < 200; i++)
		step(&s, 80000, saturating(&s, QOS_UP));
	assert_int_equal(s.r.dir[QOS_UP].rate_kbit, 2000);
	assert_true(s.r.dir[QOS_UP].cuts >= 5);
	/* cuts are at least a second apart: at most one per two ticks */
	assert_true(s.r.bloat_events <= 101);
}

/* Clean under load: the rate climbs slowly back to the limit, not past it. */
static void test_clean_under_load_raises_slowly(void **state)
{
	struct sim s;
	sim_init(&s, 20000, 100000);
	for (int i = 0; i < 4; i++)
		step(&s, 80000, saturating(&s, QOS_UP));    /* baseline 80 ms */
	s.r.dir[QOS_UP].rate_kbit = 10000;
	uint32_t prev = 10000;
	for (int i = 0; i < 20; i++) {
		step(&s, 81000, saturating(&s, QOS_UP));
		uint32_t now = s.r.dir[QOS_UP].rate_kbit;
		assert_true(now >= prev);
		assert_true(now <= prev + prev * 2 / 100);      /* <= ~1 % a tick */
		prev = now;
	}
	assert_true(prev > 10500 && prev < 13000);
	for (int i = 0; i < 400; i++)
		step(&s, 81000, saturating(&s, QOS_UP));
	assert_int_equal(s.r.dir[QOS_UP].rate_kbit, 20000);
}

/* The RTT rises while nothing is sent: the path changed (a handover), not
 * a queue of ours. No cut; the baseline follows, so load at the new RTT is
 * not mistaken for bloat afterwards. */
static void test_path_change_idle(void **state)
{
	struct sim s;
	static const uint32_t idle[QOS_N_DIRS] = { 0, 0 };
	sim_init(&s, 20000, 100000);
	for (int i = 0; i < 10; i++)
		step(&s, 30000, idle);
	for (int i = 0; i < 120; i++)
		assert_int_equal(step(&s, 60000, idle), 0);
	assert_true(qos_rate_baseline_us(&s.r) > 55000);
	uint32_t k[QOS_N_DIRS] = { 0, 0 };
	for (int i = 0; i < 10; i++) {
		k[QOS_UP] = s.r.dir[QOS_UP].rate_kbit;
		step(&s, 61000, k);
	}
	assert_int_equal(s.r.dir[QOS_UP].cuts, 0);
}

/* A download saturates its shaper while its ACKs trickle up: only the
 * download is blamed. */
static void test_blame_the_busy_direction(void **state)
{
	struct sim s;
	static const uint32_t idle[QOS_N_DIRS] = { 0, 0 };
	sim_init(&s, 20000, 100000);
	for (int i = 0; i < 10; i++)
		step(&s, 30000, idle);
	uint32_t k[QOS_N_DIRS];
	for (int i = 0; i < 6; i++) {
		k[QOS_DOWN] = s.r.dir[QOS_DOWN].rate_kbit * 95 / 100;
		k[QOS_UP] = 2500;       /* ACKs: 12 % of the upload shaper */
		step(&s, 90000, k);
	}
	assert_true(s.r.dir[QOS_DOWN].rate_kbit < 90000);
	assert_int_equal(s.r.dir[QOS_UP].rate_kbit, 20000);
}

/* Traffic moves to a member that is already loaded: the baselines its
 * probes learnt while it was idle tell the queue apart at once. Without
 * them the first loaded samples would pass for the baseline. */
static void test_seeded_baseline(void **state)
{
	struct sim s, u;
	uint32_t idle_base[QOS_RATE_TARGETS] = { 0 };
	for (int i = 0; i < 20; i++)
		qos_baseline_idle(idle_base, (unsigned)(i % 2), 30000 + (uint32_t)(i % 3) * 100);
	assert_true(idle_base[0] >= 30000 && idle_base[0] <= 30200);
	sim_init(&s, 20000, 0);
	sim_init(&u, 20000, 0);
	qos_rate_seed(&s.r, idle_base);
	unsigned seeded = 0, unseeded = 0;
	for (int i = 0; i < 4; i++) {
		seeded |= step(&s, 90000, saturating(&s, QOS_UP));
		unseeded |= step(&u, 90000, saturating(&u, QOS_UP));
	}
	assert_int_equal(seeded, 1u << QOS_UP);
	assert_int_equal(unseeded, 0);
	/* a higher idle path delay is followed within tens of samples */
	for (int i = 0; i < 100; i++)
		qos_baseline_idle(idle_base, 0, 60000);
	assert_true(idle_base[0] > 55000);
}

/* A full modem buffer drops the probes that would show the delay: under
 * load, losses count as bloat; idle, they say nothing about queues. */
static void test_losses_under_load(void **state)
{
	struct sim s;
	static const uint32_t idle[QOS_N_DIRS] = { 0, 0 };
	sim_init(&s, 20000, 100000);
	for (int i = 0; i < 6; i++)
		step(&s, 30000, idle);
	for (int i = 0; i < 6; i++) {
		qos_rate_loss(&s.r, s.now + 100 * MS);
		s.now += 500 * MS;
		assert_int_equal(qos_rate_tick(&s.r, s.bytes, s.now), 0);
	}
	assert_int_equal(s.r.dir[QOS_UP].rate_kbit, 20000);
	unsigned changed = 0;
	for (int i = 0; i < 4 && !changed; i++) {
		const uint32_t *k = saturating(&s, QOS_UP);
		qos_rate_loss(&s.r, s.now + 100 * MS);
		qos_rate_loss(&s.r, s.now + 350 * MS);
		s.now += 500 * MS;
		s.bytes[QOS_UP] += (uint64_t)k[QOS_UP] * 1000 / 8 / 2;
		changed = qos_rate_tick(&s.r, s.bytes, s.now);
	}
	assert_int_equal(changed, 1u << QOS_UP);
	assert_true(s.r.dir[QOS_UP].rate_kbit < 20000);
}

/* No probe answers (the link died): nothing to judge by, nothing moves. */
static void test_stale_samples_hold(void **state)
{
	struct sim s;
	sim_init(&s, 20000, 100000);
	for (int i = 0; i < 4; i++)
		step(&s, 30000, saturating(&s, QOS_UP));
	s.r.dir[QOS_UP].rate_kbit = 12000;
	uint32_t held = 0;
	for (int i = 0; i < 24; i++) {
		s.now += 500 * MS;
		s.bytes[QOS_UP] += 12000 * 1000 / 8 / 2;
		unsigned ch = qos_rate_tick(&s.r, s.bytes, s.now);
		/* the last sample stays fresh for 2 s; after that, nothing */
		if (i == 4)
			held = s.r.dir[QOS_UP].rate_kbit;
		if (i >= 5)
			assert_int_equal(ch, 0);
	}
	assert_int_equal(s.r.dir[QOS_UP].rate_kbit, held);
	/* a counter that goes backwards (device re-created) is no load */
	s.bytes[QOS_UP] = 0;
	qos_rate_sample(&s.r, 0, 30000, s.now);
	qos_rate_tick(&s.r, s.bytes, s.now + 500 * MS);
	assert_int_equal(s.r.dir[QOS_UP].achieved_kbit, 0);
}

static void test_limits(void **state)
{
	struct sim s;
	sim_init(&s, 20000, 0);
	struct qos_rate_params p = { .max_kbit = { 10000, 0 }, .min_pct = 50,
				     .delay_thr_us = 15000 };
	qos_rate_set_limits(&s.r, &p);
	assert_int_equal(s.r.dir[QOS_UP].rate_kbit, 10000);
	assert_int_equal(s.r.dir[QOS_UP].min_kbit, 5000);
	/* a direction without a limit never moves */
	static const uint32_t k[QOS_N_DIRS] = { 0, 50000 };
	for (int i = 0; i < 20; i++)
		step(&s, 90000, k);
	assert_int_equal(s.r.dir[QOS_DOWN].rate_kbit, 0);
}

/* A fluid model of a variable link (a Starlink upload): a queue in the
 * modem grows when more is sent than the link carries. Capacity 12 Mbit/s,
 * then 5, then 15; the shaper starts at the configured 20. The controller
 * must keep the modem's queue short once it has adapted, and still use
 * most of the link. */
static void test_variable_link(void **state)
{
	struct sim s;
	sim_init(&s, 20000, 0);
	const double base_ms = 40;
	double q_kbit = 0;
	const struct { int from, to; double cap; } phases[] = {
		{ 0, 120, 12000 }, { 120, 240, 5000 }, { 240, 480, 15000 },
	};
	double delay_ms = 0;
	for (size_t ph = 0; ph < 3; ph++) {
		double worst_late = 0, sent = 0, secs = 0, settled = -1;
		for (int t = phases[ph].from; t < phases[ph].to; t++) {
			double cap = phases[ph].cap;
			uint32_t k[QOS_N_DIRS] = { s.r.dir[QOS_UP].rate_kbit, 0 };
			/* 500 ms: the shaper's rate in, the capacity out */
			q_kbit += (k[0] - cap) * 0.5;
			if (q_kbit < 0)
				q_kbit = 0;
			delay_ms = q_kbit / cap * 1000;
			step(&s, (uint32_t)((base_ms + delay_ms) * 1000), k);
			if (settled < 0 && delay_ms < 15 && t > phases[ph].from)
				settled = (t - phases[ph].from) * 0.5;
			/* judged after 30 s of adaptation in each phase */
			if (t - phases[ph].from >= 60) {
				worst_late = fmax(worst_late, delay_ms);
				sent += fmin(k[0], cap) * 0.5;
				secs += 0.5;
			}
		}
		double util = sent / secs / phases[ph].cap;
		print_message("phase %zu: cap %.0f, rate now %u, queue under 15 ms after %.1f s, "
			      "then worst %.1f ms, utilisation %.2f\n", ph, phases[ph].cap,
			      s.r.dir[QOS_UP].rate_kbit, settled, worst_late, util);
		/* a collapse (12 -> 5 Mbit/s) is absorbed within seconds */
		assert_true(settled >= 0 && settled < 10);
		assert_true(worst_late < 40);
		assert_true(util > 0.75);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_idle_stays_at_limit),
		cmocka_unit_test(test_bloat_under_load_cuts),
		cmocka_unit_test(test_clean_under_load_raises_slowly),
		cmocka_unit_test(test_path_change_idle),
		cmocka_unit_test(test_blame_the_busy_direction),
		cmocka_unit_test(test_seeded_baseline),
		cmocka_unit_test(test_losses_under_load),
		cmocka_unit_test(test_stale_samples_hold),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_variable_link),
	};
	return cmocka_run_group_tests_name("qos_rate", tests, NULL, NULL);
}
