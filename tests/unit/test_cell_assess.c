/* cell_assess: the rules of cell_assess.h on hand-made modem samples. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cellular/cell_assess.h"

#define S 1000000ULL
#define T0 (1000 * S)

struct modem {
	struct cell_assess a;
	struct cell_sample s;
	struct tel_verdict v;
	uint64_t now;
};

static struct modem *modem_new(void)
{
	static struct modem m;
	memset(&m, 0, sizeof(m));
	cell_assess_init(&m.a, NULL);
	cell_sample_init(&m.s);
	m.s.tech = CELL_TECH_LTE;
	m.s.reg = CELL_REG_HOME;
	m.s.roaming = 0;
	m.s.state = CELL_MS_CONNECTED;
	m.s.rsrp_dbm = -85;
	m.s.sinr_db = 15;
	snprintf(m.s.cell_id, sizeof(m.s.cell_id), "1A2D001");
	m.now = T0;
	return &m;
}

static const struct tel_verdict *sample(struct modem *m, unsigned after_s)
{
	m->now += after_s * S;
	cell_assess_sample(&m->a, &m->s, m->now);
	cell_assess_eval(&m->a, m->now, &m->v);
	return &m->v;
}

static int pen(const struct tel_verdict *v, const char *text)
{
	for (unsigned i = 0; i < v->n_pen; i++)
		if (strstr(v->pen[i].reason, text))
			return v->pen[i].points;
	return 0;
}

static void test_good_signal(void **st)
{
	struct modem *m = modem_new();
	const struct tel_verdict *v = sample(m, 0);
	assert_int_equal(v->n_pen, 0);
	assert_false(v->predicted || v->exclude || v->link_down);
}

static void test_levels(void **st)
{
	struct modem *m = modem_new();
	m->s.rsrp_dbm = -105;
	assert_int_equal(pen(sample(m, 0), "weak signal"), 10);
	m->s.rsrp_dbm = -115;
	assert_int_equal(pen(sample(m, 15), "weak signal"), 30);
	m->s.rsrp_dbm = -130;
	assert_int_equal(pen(sample(m, 15), "weak signal"), 50);
	m->s.sinr_db = -10;
	assert_int_equal(pen(sample(m, 15), "SINR"), 25);
}

/* 3G and CSQ-only modems are scored on their own scales. */
static void test_other_metrics(void **st)
{
	struct modem *m = modem_new();
	m->s.tech = CELL_TECH_UMTS;
	m->s.rsrp_dbm = NAN;
	m->s.sinr_db = NAN;
	m->s.rscp_dbm = -96;
	sample(m, 0);
	assert_string_equal(m->a.metric, "rscp");
	m->s.rscp_dbm = NAN;
	m->s.csq = 17;                              /* -79 dBm */
	m->s.tech = CELL_TECH_UNKNOWN;
	sample(m, 15);
	assert_string_equal(m->a.metric, "csq");
	assert_int_equal(pen(&m->v, "weak signal"), 4);
}

/* -90 falling 6 dB/min: a penalty at once; a precursor only once the line
 * reaches -115 dBm within 2 minutes (below -103 dBm) on two reports in a
 * row. */
static void test_fade(void **st)
{
	struct modem *m = modem_new();
	m->s.rsrp_dbm = -90;
	sample(m, 0);
	for (int k = 1; k <= 4; k++) {
		m->s.rsrp_dbm = -90 - 1.5 * k;
		sample(m, 15);
	}
	assert_true(m->a.slope_db_min < -5.9 && m->a.slope_db_min > -6.1);
	assert_true(m->a.fading);
	assert_int_equal(pen(&m->v, "fading"), 12);
	assert_false(m->v.predicted);               /* -96: far from -115 */
	for (int k = 5; k <= 8; k++) {
		m->s.rsrp_dbm = -90 - 1.5 * k;
		sample(m, 15);
	}
	assert_false(m->v.predicted);               /* -102: -115 in 130 s */
	m->s.rsrp_dbm = -103.5;
	sample(m, 15);
	assert_false(m->v.predicted);               /* -115 in 115 s: once is not enough */
	m->s.rsrp_dbm = -105;
	sample(m, 15);
	assert_true(m->v.predicted);                /* twice in a row */
	assert_non_null(strstr(m->v.predict_reason, "signal fading 6.0 dB/min"));
	assert_string_equal(m->v.predict_kind, TEL_PRECURSOR_CELL_FADE);
	assert_true(m->v.predict_strength >= 1);
	assert_int_equal(m->v.predict_horizon_s, 300);
}

/* Steep but far above where LTE fails: a penalty, not a precursor. */
static void test_fade_far_above_failure(void **st)
{
	struct modem *m = modem_new();
	for (int k = 0; k <= 12; k++) {
		m->s.rsrp_dbm = -60 - 2.5 * k;          /* 10 dB/min down to -90 */
		sample(m, k ? 15 : 0);
	}
	assert_true(m->a.fading);
	assert_int_equal(pen(&m->v, "fading"), 15);
	assert_false(m->v.predicted);
}

/* A weak modem whose RSRP wanders by a few dB around -108 dBm: the raw
 * slope of some windows is steep (the old rule, a least-squares slope of
 * -3 dB/min over 90 s below -100 dBm, called 5 of them fades), but it is
 * wander. */
static void test_wander_is_no_fade(void **st)
{
	/* AR(1), sigma 2.5 dB, 60 s time constant, 1 dB of report noise. */
	static const double wander[] = { 1, 0, -2, 2, 2, 3, 2, 1, -2, -3, -3, -3, -1, -1, -3,
					 -4, -2, -5, -4, -2, -1, -2, -3, -2, -6, -8, -4, -2, -1, 2 };
	struct modem *m = modem_new();
	for (unsigned k = 0; k < sizeof(wander) / sizeof(wander[0]); k++) {
		m->s.rsrp_dbm = -108 + wander[k];
		sample(m, k ? 15 : 0);
		assert_false(m->v.predicted);
		assert_int_equal(pen(&m->v, "fading"), 0);
	}
}

/* SINR alone falling to where data stops is half the evidence. */
static void test_sinr_alone(void **st)
{
	struct modem *m = modem_new();
	for (int k = 0; k <= 12; k++) {
		m->s.sinr_db = 12 - 1.25 * k;           /* 5 dB/min down to -3 dB */
		sample(m, k ? 15 : 0);
	}
	assert_true(m->v.predicted);
	assert_non_null(strstr(m->v.predict_reason, "SINR falling 5.0 dB/min"));
	assert_true(fabs(m->v.predict_strength - 4) < 1e-9);    /* 8 for a line, halved */
	struct modem *r = modem_new();            /* (the same static modem, reset) */
	for (int k = 0; k <= 12; k++) {
		r->s.rsrp_dbm = -95 - 1.25 * k;         /* the same line in RSRP */
		sample(r, k ? 15 : 0);
	}
	assert_true(r->v.predicted);
	assert_true(fabs(r->v.predict_strength - 8) < 1e-9);
}

/* A steady weak signal is not a fade. */
static void test_steady_weak_is_no_fade(void **st)
{
	struct modem *m = modem_new();
	m->s.rsrp_dbm = -110;
	for (int k = 0; k < 8; k++)
		sample(m, 15);
	assert_false(m->v.predicted);
	assert_int_equal(pen(&m->v, "fading"), 0);
}

static void test_registration_lost(void **st)
{
	struct modem *m = modem_new();
	sample(m, 0);
	m->s.reg = CELL_REG_SEARCHING;
	m->s.state = CELL_MS_SEARCHING;
	assert_true(sample(m, 15)->link_down);
	assert_non_null(strstr(m->v.link_reason, "not registered (searching)"));
	/* never registered since start: a modem still searching is not "lost" */
	struct modem *n = modem_new();
	n->s.reg = CELL_REG_SEARCHING;
	n->s.state = CELL_MS_SEARCHING;
	assert_false(sample(n, 0)->link_down);
}

static void test_failed_modem(void **st)
{
	struct modem *m = modem_new();
	m->s.state = CELL_MS_FAILED;
	snprintf(m->s.state_reason, sizeof(m->s.state_reason), "sim-missing");
	assert_true(sample(m, 0)->link_down);
	assert_string_equal(m->v.link_reason, "modem failed: sim-missing");
}

static void test_roaming(void **st)
{
	struct modem *m = modem_new();
	m->s.reg = CELL_REG_ROAMING;
	m->s.roaming = 1;
	snprintf(m->s.operator_name, sizeof(m->s.operator_name), "vodafone.de");
	assert_true(sample(m, 0)->exclude);
	assert_string_equal(m->v.exclude_reason, "roaming on vodafone.de (prefer_roaming off)");
	struct cell_assess_params p = m->a.p;
	p.prefer_roaming = true;
	p.roaming_penalty = 25;
	cell_assess_configure(&m->a, &p);
	assert_false(sample(m, 15)->exclude);
	assert_int_equal(pen(&m->v, "roaming on vodafone.de"), 25);
	p.roaming_detection = false;
	cell_assess_configure(&m->a, &p);
	assert_int_equal(sample(m, 15)->n_pen, 0);
}

static void test_downgrade(void **st)
{
	struct modem *m = modem_new();
	sample(m, 0);
	m->s.tech = CELL_TECH_UMTS;
	m->s.rsrp_dbm = NAN;
	m->s.rscp_dbm = -80;
	assert_int_equal(pen(sample(m, 15), "technology fell to 3g"), 20);
}

static void test_stability(void **st)
{
	struct modem *m = modem_new();
	for (int k = 0; k < 12; k++) {
		m->s.rsrp_dbm = k % 2 ? -80 : -92;      /* +-6 dB */
		snprintf(m->s.cell_id, sizeof(m->s.cell_id), "C%d", k % 4 == 0 ? k : 1);
		sample(m, 15);
	}
	assert_true(m->a.stdev_db > 5.9);
	assert_true(m->a.cell_changes >= 3);
	assert_true(pen(&m->v, "unstable") >= 10);
	assert_true(m->a.stability < 60);
	struct cell_assess_params p = m->a.p;
	p.stability = false;
	cell_assess_configure(&m->a, &p);
	assert_int_equal(pen(sample(m, 15), "unstable"), 0);
}

static void test_stale_sample(void **st)
{
	struct modem *m = modem_new();
	m->s.rsrp_dbm = -120;
	sample(m, 0);
	m->now += 301 * S;
	cell_assess_eval(&m->a, m->now, &m->v);
	assert_int_equal(m->v.n_pen, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_signal),
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_other_metrics),
		cmocka_unit_test(test_fade),
		cmocka_unit_test(test_fade_far_above_failure),
		cmocka_unit_test(test_wander_is_no_fade),
		cmocka_unit_test(test_sinr_alone),
		cmocka_unit_test(test_steady_weak_is_no_fade),
		cmocka_unit_test(test_registration_lost),
		cmocka_unit_test(test_failed_modem),
		cmocka_unit_test(test_roaming),
		cmocka_unit_test(test_downgrade),
		cmocka_unit_test(test_stability),
		cmocka_unit_test(test_stale_sample),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
