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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_disassociated),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_trace),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
