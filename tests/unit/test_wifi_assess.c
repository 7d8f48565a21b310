/* wifi_assess: the rules of wifi_assess.h on hand-made radio samples. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "wifi/wifi_assess.h"

#define S 1000000ULL
#define T0 (1000 * S)

struct radio {
	struct wifi_assess a;
	struct wifi_sample s;
	struct tel_verdict v;
	uint64_t now;
};

static struct radio *radio_new(void)
{
	static struct radio r;
	memset(&r, 0, sizeof(r));
	wifi_assess_init(&r.a, NULL);
	wifi_sample_init(&r.s);
	r.s.associated = 1;
	r.s.signal_dbm = -55;
	r.s.tx_bitrate_mbps = 144;
	snprintf(r.s.ssid, sizeof(r.s.ssid), "marina");
	r.now = T0;
	return &r;
}

static const struct tel_verdict *sample(struct radio *r, unsigned after_s)
{
	r->now += after_s * S;
	wifi_assess_sample(&r->a, &r->s, r->now);
	wifi_assess_eval(&r->a, r->now, &r->v);
	return &r->v;
}

static int pen(const struct tel_verdict *v, const char *text)
{
	for (unsigned i = 0; i < v->n_pen; i++)
		if (strstr(v->pen[i].reason, text))
			return v->pen[i].points;
	return 0;
}

static void test_good(void **st)
{
	struct radio *r = radio_new();
	assert_int_equal(sample(r, 0)->n_pen, 0);
}

static void test_disassociated_is_link_down(void **st)
{
	struct radio *r = radio_new();
	sample(r, 0);
	r->s.associated = 0;
	assert_true(sample(r, 10)->link_down);
	assert_string_equal(r->v.link_reason, "Wi-Fi not associated with marina");
}

static void test_levels(void **st)
{
	struct radio *r = radio_new();
	r->s.signal_dbm = -75;
	assert_int_equal(pen(sample(r, 0), "weak signal"), 10);
	r->s.signal_dbm = -90;
	assert_int_equal(pen(sample(r, 60), "weak signal"), 50);
	/* the last frame's signal unknown: the average is used */
	r->s.signal_dbm = NAN;
	r->s.signal_avg_dbm = -82;
	assert_int_equal(pen(sample(r, 60), "weak signal"), 30);
	/* a positive dBm (mt76 driver bug) and relative units are not scored */
	r->s.signal_dbm = 75;
	r->s.signal_avg_dbm = 0;
	assert_int_equal(pen(sample(r, 60), "weak signal"), 0);
	r->s.signal_dbm = 95;
	r->s.relative_units = true;
	assert_int_equal(pen(sample(r, 60), "weak signal"), 0);
}

static void test_falling_signal(void **st)
{
	struct radio *r = radio_new();
	r->s.signal_dbm = -62;
	sample(r, 0);
	for (int k = 1; k <= 4; k++) {
		r->s.signal_dbm = -62 - 1.5 * k;        /* 1.5 dB per 10 s = 9 dB/min */
		sample(r, 10);
	}
	assert_int_equal(pen(&r->v, "falling"), 9);
	assert_false(r->v.predicted);               /* -68: not yet weak */
	r->s.signal_dbm = -72;
	sample(r, 10);
	r->s.signal_dbm = -74;
	assert_false(sample(r, 10)->predicted);     /* the line reaches -82 in 44 s ... */
	r->s.signal_dbm = -76;
	assert_true(sample(r, 10)->predicted);      /* ... and still does a report later */
	assert_non_null(strstr(r->v.predict_reason, "falling"));
	assert_string_equal(r->v.predict_kind, TEL_PRECURSOR_WIFI_FADE);
	assert_int_equal(r->v.predict_horizon_s, 180);
}

/* Falling fast but far above the rate floor: points, no precursor. */
static void test_falling_far_above_floor(void **st)
{
	struct radio *r = radio_new();
	for (int k = 0; k <= 6; k++) {
		r->s.signal_dbm = -45 - 2.0 * k;        /* 12 dB/min down to -57 */
		sample(r, k ? 10 : 0);
	}
	assert_true(r->a.fading);
	assert_int_equal(pen(&r->v, "falling"), 12);
	assert_false(r->v.predicted);
}

/* A client's signal wandering around -68 dBm (AR(1), sigma 3 dB, 60 s time
 * constant, 2 dB of frame-to-frame noise): the old rule (a 60-s slope of
 * -6 dB/min below -72 dBm) saw 5 fades in these five minutes. */
static void test_wander_is_no_fade(void **st)
{
	static const double wander[] = { 2, 4, 2, 2, -1, -1, -1, -8, -1, -1, 0, -1, -1, -6, -4,
					 -3, -10, -10, -7, -9, -7, -1, -4, -6, -4, -7, -9, -7, -8,
					 -11 };
	struct radio *r = radio_new();
	for (unsigned k = 0; k < sizeof(wander) / sizeof(wander[0]); k++) {
		r->s.signal_dbm = -68 + wander[k];
		sample(r, k ? 10 : 0);
		assert_false(r->v.predicted);
	}
}

static void test_low_bitrate(void **st)
{
	struct radio *r = radio_new();
	r->s.tx_bitrate_mbps = 5.5;
	assert_int_equal(pen(sample(r, 0), "bitrate"), 10);
}

static void test_interference(void **st)
{
	struct radio *r = radio_new();
	struct wifi_scan_view sv = { .neighbours = 7, .strongest_dbm = -48, .busy_pct = 82,
				     .suggest_channel = 11 };
	wifi_assess_scan(&r->a, &sv, r->now);
	sample(r, 0);
	assert_int_equal(pen(&r->v, "networks on or next to the channel"), 8);
	assert_int_equal(pen(&r->v, "busy 82"), 10);
	struct wifi_assess_params p = { .interference = false };
	wifi_assess_configure(&r->a, &p);
	assert_int_equal(sample(r, 10)->n_pen, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_disassociated_is_link_down),
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_falling_signal),
		cmocka_unit_test(test_falling_far_above_floor),
		cmocka_unit_test(test_wander_is_no_fade),
		cmocka_unit_test(test_low_bitrate),
		cmocka_unit_test(test_interference),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
