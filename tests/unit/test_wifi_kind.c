/* The Wi-Fi kind through tel_member (engine/tel_kind.h): a disassociated
 * radio is link-down for the engine; the replay's trace objects. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "config/config.h"
#include "engine/tel_member.h"
#include "wifi/wifi_assess.h"
#include "wifi/wifi_trace.h"

#define S 1000000ULL
#define T0 (1000 * S)

static void test_disassociated(void **st)
{
	struct tel_env e;
	struct tel_member t;
	struct decide_input in;
	struct wifi_sample w;

	assert_int_equal(tel_env_init(&e, NULL), 0);
	assert_int_equal(tel_member_init(&t, "wifi", &e), 0);
	wifi_sample_init(&w);
	w.associated = 0;
	wifi_assess_sample(tel_member_part(&t, t.kind), &w, T0);
	tel_member_eval(&t, T0, 0);
	memset(&in, 0, sizeof(in));
	in.reason = "ok";
	tel_member_input(&t, &in);
	assert_true(in.link_down);
	assert_string_equal(in.reason, "Wi-Fi not associated");
	assert_false(in.predicted_outage);
	assert_false(in.exclude);
	tel_member_free(&t);
	tel_env_free(&e);
}

/* wifi.interference_detection reaches the assessor, on a reload too. */
static void test_config(void **st)
{
	const char *text = "config autonomy 'wifi'\n\toption interference_detection '0'\n";
	struct cfg_diags dg = { 0 };
	struct config *cfg = config_load_buf("t.conf", text, strlen(text), &dg);
	struct tel_env e;
	struct tel_member t;

	assert_non_null(cfg);
	assert_int_equal(tel_env_init(&e, NULL), 0);
	assert_int_equal(tel_member_init(&t, "wifi", &e), 0);
	struct wifi_assess *a = tel_member_part(&t, t.kind);
	assert_true(a->p.interference);
	e.cfg = cfg;
	tel_member_configure(&t, &e);
	assert_false(a->p.interference);
	tel_member_free(&t);
	tel_env_free(&e);
	config_free(cfg);
	cfg_diags_free(&dg);
}

static void test_trace(void **st)
{
	struct wifi_sample s;
	json_object *o = json_tokener_parse("{\"signal_dbm\":-67,\"bitrate_mbps\":144,"
					    "\"associated\":true,\"freq_mhz\":5180}");
	wifi_trace_sample(o, &s);
	assert_true(fabs(s.signal_dbm - -67) < 1e-9);
	assert_true(fabs(s.tx_bitrate_mbps - 144) < 1e-9);
	assert_int_equal(s.associated, 1);
	assert_int_equal(s.channel, 36);
	wifi_trace_sample(NULL, &s);
	assert_int_equal(s.associated, -1);
	json_object_put(o);
}

/* A recording daemon's sample and scan objects read back as they were. */
static void test_record_roundtrip(void **st)
{
	struct wifi_sample s, back;
	struct wifi_scan_view v = { .neighbours = 7, .strongest_dbm = -48, .busy_pct = NAN,
				    .suggest_channel = 11 }, vb;
	wifi_sample_init(&s);
	s.associated = 1;
	snprintf(s.ssid, sizeof(s.ssid), "campground");
	s.freq_mhz = 2437;
	s.signal_dbm = -71;
	s.signal_avg_dbm = -69.5;
	s.noise_dbm = -95;
	s.tx_bitrate_mbps = 65;
	s.relative_units = true;
	json_object *o = wifi_trace_object(&s);
	wifi_trace_sample(o, &back);
	assert_int_equal(back.associated, 1);
	assert_string_equal(back.ssid, s.ssid);
	assert_int_equal(back.freq_mhz, 2437);
	assert_int_equal(back.channel, 6);
	assert_true(back.signal_dbm == s.signal_dbm && back.signal_avg_dbm == s.signal_avg_dbm);
	assert_true(back.noise_dbm == s.noise_dbm && back.tx_bitrate_mbps == s.tx_bitrate_mbps);
	assert_true(back.relative_units);
	assert_false(wifi_trace_scan(o, &vb));          /* a sample is not a scan */
	json_object_put(o);
	o = wifi_trace_scan_object(&v);
	assert_true(wifi_trace_scan(o, &vb));
	assert_int_equal(vb.neighbours, 7);
	assert_true(vb.strongest_dbm == -48 && isnan(vb.busy_pct));
	assert_int_equal(vb.suggest_channel, 11);
	json_object_put(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_disassociated),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_trace),
		cmocka_unit_test(test_record_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
