/* The cellular kind through tel_member (engine/tel_kind.h): its parameters
 * from the config, its verdict into the engine, the replay's trace objects. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "cellular/cell_assess.h"
#include "cellular/cell_trace.h"
#include "config/config.h"
#include "engine/tel_member.h"

#define S 1000000ULL
#define T0 (1000 * S)

static struct config *load(const char *text)
{
	struct cfg_diags dg = { 0 };
	struct config *cfg = config_load_buf("test.conf", text, strlen(text), &dg);
	cfg_diags_free(&dg);
	assert_non_null(cfg);
	return cfg;
}

/* A very weak, fading, roaming modem with a roaming penalty configured:
 * telemetry alone costs at most TEL_PENALTY_CAP points. */
static void test_penalty_cap(void **st)
{
	struct config *cfg = load("config autonomy 'cellular'\n\toption prefer_roaming '1'\n");
	struct tel_env e;
	struct tel_member t;
	struct mstate ms;
	struct mstate_params mp;
	struct cell_sample s;
	uint64_t now = T0;

	assert_int_equal(tel_env_init(&e, cfg), 0);
	assert_int_equal(tel_member_init(&t, "cellular", &e), 0);
	struct cell_assess *a = tel_member_part(&t, t.kind);
	assert_non_null(a);
	assert_true(a->p.prefer_roaming);
	mstate_params_default(&mp);
	mstate_init(&ms, &mp, 1, SCHED_ACTIVE, 1, now);
	for (int i = 0; i < 40; i++) {
		now += 500000;
		mstate_outcome(&ms, MSTATE_REPLY, now - 30000, 30000, now);
	}
	cell_sample_init(&s);
	s.tech = CELL_TECH_LTE;
	s.reg = CELL_REG_ROAMING;
	s.roaming = 1;
	s.rsrp_dbm = -128;
	s.sinr_db = -8;
	cell_assess_sample(a, &s, now);
	tel_member_eval(&t, now, 0);
	assert_true(t.v.n_pen >= 3);
	assert_false(t.v.exclude);      /* roaming preferred: a penalty, not a last resort */
	tel_member_apply(&t, &ms, now);
	assert_int_equal(ms.res.score, 100 - TEL_PENALTY_CAP);
	tel_member_free(&t);
	tel_env_free(&e);
	config_free(cfg);
}

/* The replay reads a trace's `cellular` object as the modem source would
 * have reported it; an unregistered modem is link-down for the engine. */
static void test_trace(void **st)
{
	struct tel_env e;
	struct tel_member t;
	struct tel_clock c = { .now_us = T0, .wall_us = 1764300000LL * 1000000, .t0_us = T0 };
	struct cell_sample s;
	json_object *o = json_tokener_parse("{\"rsrp_dbm\":-95,\"technology\":\"lte\","
					    "\"registered\":false,\"roaming\":\"no\"}");

	cell_trace_sample(o, &s);
	assert_true(fabs(s.rsrp_dbm - -95) < 1e-9);
	assert_int_equal(s.tech, CELL_TECH_LTE);
	assert_int_equal(s.reg, CELL_REG_SEARCHING);
	assert_int_equal(s.roaming, -1);        /* a string is not a boolean */
	assert_int_equal(tel_env_init(&e, NULL), 0);
	assert_int_equal(tel_member_init(&t, "cellular", &e), 0);
	json_object *up = json_tokener_parse("{\"rsrp_dbm\":-90,\"registered\":true}");
	t.kind->trace_feed(&t, tel_member_part(&t, t.kind), NULL, 0, up, &c);
	tel_member_eval(&t, T0, 0);
	assert_false(t.v.link_down);
	c.now_us += 15 * S;
	t.kind->trace_feed(&t, tel_member_part(&t, t.kind), NULL, 0, o, &c);
	tel_member_eval(&t, c.now_us, 0);
	json_object_put(up);
	assert_true(t.v.link_down);
	tel_member_free(&t);
	tel_env_free(&e);
	json_object_put(o);
}

/* What a recording daemon writes for a sample reads back as that sample,
 * in every figure the assessor uses. */
static void test_record_roundtrip(void **st)
{
	struct cell_sample s, back;
	cell_sample_init(&s);
	s.state = CELL_MS_FAILED;
	snprintf(s.state_reason, sizeof(s.state_reason), "sim-missing");
	s.reg = CELL_REG_DENIED;
	s.roaming = 0;
	s.tech = CELL_TECH_NR_NSA;
	snprintf(s.tech_text, sizeof(s.tech_text), "FDD LTE");   /* the text alone says LTE */
	snprintf(s.operator_name, sizeof(s.operator_name), "Telekom");
	snprintf(s.operator_code, sizeof(s.operator_code), "26201");
	s.rsrp_dbm = -101.5;
	s.rsrq_db = -12;
	s.sinr_db = 3.25;
	s.rssi_dbm = -71;
	s.nr_rsrp_dbm = -99;
	s.rscp_dbm = NAN;
	s.csq = 17;
	snprintf(s.cell_id, sizeof(s.cell_id), "1A2D001");
	json_object *o = cell_trace_object(&s);
	json_object *p = json_tokener_parse(json_object_to_json_string(o));
	cell_trace_sample(p, &back);
	assert_int_equal(back.state, s.state);
	assert_string_equal(back.state_reason, s.state_reason);
	assert_int_equal(back.reg, s.reg);
	assert_int_equal(back.roaming, s.roaming);
	assert_int_equal(back.tech, s.tech);
	assert_string_equal(back.operator_name, s.operator_name);
	assert_string_equal(back.operator_code, s.operator_code);
	assert_true(back.rsrp_dbm == s.rsrp_dbm && back.rsrq_db == s.rsrq_db);
	assert_true(back.sinr_db == s.sinr_db && back.rssi_dbm == s.rssi_dbm);
	assert_true(back.nr_rsrp_dbm == s.nr_rsrp_dbm && isnan(back.rscp_dbm));
	assert_int_equal(back.csq, s.csq);
	assert_string_equal(back.cell_id, s.cell_id);
	json_object_put(o);
	json_object_put(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_penalty_cap),
		cmocka_unit_test(test_trace),
		cmocka_unit_test(test_record_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
