/* sl_record: the dish's decoded answers, written as trace JSON and read back
 * through sl_json, give the same values — on every captured status and the
 * captured history (its newest minute and its outages). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sl_fixture.h"
#include "starlink/sl_json.h"
#include "starlink/sl_record.h"

static void roundtrip_status(const char *name)
{
	struct sl_reply *r = sl_fix_decode(name);
	struct sl_status back;
	unsigned bad = 0;
	json_object *o = sl_status_json(&r->status);
	/* through text, as a trace line is */
	json_object *p = json_tokener_parse(json_object_to_json_string(o));
	assert_int_equal(sl_json_status(p, &back, &bad), 0);
	assert_int_equal(bad, 0);
	sl_fix_cmp_status(name, &r->status, &back);
	json_object_put(o);
	json_object_put(p);
	free(r);
}

static void test_status(void **st)
{
	static const char *const names[] = {
		"status.rev1_2021", "status.rev3_2023", "status.rev4_2024", "status.outage",
		"status.outage_empty", "status.nan_interval", "status.reboot_scheduled",
		"status.unknown_fields",
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		roundtrip_status(names[i]);
}

/* Every field set (the captures leave some at zero). */
static void test_status_all_fields(void **st)
{
	struct sl_status s, back;
	memset(&s, 0, sizeof(s));
	snprintf(s.info.id, sizeof(s.info.id), "ut01000000-00000000-00abcdef");
	s.info.utc_offset_s = -3600;
	s.info.bootcount = 7;
	s.info.generation_number = 1700000000;
	s.uptime_s = 123456;
	s.seconds_to_first_nonempty_slot = -1;
	s.pop_ping_drop_rate = 0.125f;
	s.pop_ping_latency_ms = 31.7f;
	s.stow_requested = true;
	s.avg_prolonged_obstruction_interval_s = NAN;
	s.avg_prolonged_obstruction_duration_s = INFINITY;
	s.boresight_azimuth_deg = -0.0f;
	s.patches_valid = 4000;
	s.alerts = SL_ALERT(SL_AL_THERMAL_THROTTLE) | SL_ALERT(SL_AL_ROAMING);
	s.has_outage = true;
	s.outage.cause = SL_CAUSE_OBSTRUCTED;
	s.outage.start_ns = 1400000000123456789LL;
	s.outage.duration_ns = 2500000000ULL;
	s.has_ready_states = true;
	s.ready_states = 0x21;
	s.swu_state = SL_SWU_REBOOT_REQUIRED;
	s.reboot_scheduled_utc = 1764300000;
	s.seconds_until_swupdate_reboot_possible = 42;
	s.disablement_code = SL_DIS_NO_ACTIVE_ACCOUNT;
	s.mobility_class = SL_MOB_MOBILE;
	json_object *o = sl_status_json(&s);
	json_object *p = json_tokener_parse(json_object_to_json_string(o));
	assert_int_equal(sl_json_status(p, &back, NULL), 0);
	sl_fix_cmp_status("all", &s, &back);
	json_object_put(o);
	json_object_put(p);
}

static void test_history(void **st)
{
	struct sl_reply *r = sl_fix_decode("history.rev4_2024");
	struct sl_history *back = malloc(sizeof(*back));
	const struct sl_history *h = &r->history;
	json_object *o = sl_history_json(h, 60);
	json_object *p = json_tokener_parse(json_object_to_json_string(o));
	assert_non_null(back);
	assert_int_equal(sl_json_history(p, back, NULL), 0);
	assert_true(h->n >= 60);
	assert_int_equal(back->n, 60);
	assert_int_equal(back->current, h->current);
	for (unsigned i = 0; i < 60; i++) {
		assert_true(sl_fix_same(h->drop[h->n - 60 + i], back->drop[i]));
		assert_true(sl_fix_same(h->latency_ms[h->n - 60 + i], back->latency_ms[i]));
	}
	assert_int_equal(back->n_outages, h->n_outages);
	for (unsigned i = 0; i < h->n_outages; i++)
		sl_fix_cmp_outage("history", &h->outages[i], &back->outages[i]);
	json_object_put(o);
	json_object_put(p);
	free(back);
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_status_all_fields),
		cmocka_unit_test(test_history),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
