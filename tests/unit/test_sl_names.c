/* Unit tests for the dish's names (sl_names: enums, alerts, calls, GPS time)
 * and the codec's text rules (sl_text: UTF-8-safe copies, snake/camel
 * field names). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "starlink/sl_text.h"
#include "starlink/sl_types.h"

static void test_enum_names(void **state)
{
	assert_string_equal(sl_cause_name(SL_CAUSE_OBSTRUCTED), "OBSTRUCTED");
	assert_string_equal(sl_cause_name(SL_CAUSE_BOOTING), "BOOTING");
	assert_string_equal(sl_cause_name(SL_CAUSE_SKY_SEARCH), "SKY_SEARCH");
	assert_string_equal(sl_cause_name(12), "UNKNOWN");      /* unused number */
	assert_string_equal(sl_cause_name(-3), "UNKNOWN");
	assert_string_equal(sl_swu_state_name(SL_SWU_REBOOT_REQUIRED), "REBOOT_REQUIRED");
	assert_string_equal(sl_swu_state_name(SL_SWU_IDLE), "IDLE");
	assert_string_equal(sl_swu_state_name(0), "SOFTWARE_UPDATE_STATE_UNKNOWN");
	assert_string_equal(sl_disablement_name(SL_DIS_NO_ACTIVE_ACCOUNT), "NO_ACTIVE_ACCOUNT");
	assert_string_equal(sl_disablement_name(SL_DIS_OKAY), "OKAY");
	assert_string_equal(sl_disablement_name(5), "UNKNOWN");
	assert_string_equal(sl_mobility_name(SL_MOB_MOBILE), "MOBILE");
	assert_string_equal(sl_mobility_name(SL_MOB_STATIONARY), "STATIONARY");
	assert_string_equal(sl_mobility_name(3), "UNKNOWN");
}

/* Every name parses back to its number; unknown names are -1. */
static void test_enum_round_trip(void **state)
{
	static const struct {
		const char *(*name)(int);
		int (*parse)(const char *);
		int count;
	} enums[] = {
		{ sl_cause_name, sl_cause_parse, 13 },  /* + UNKNOWN (0), skipped here */
		{ sl_swu_state_name, sl_swu_state_parse, 9 },
		{ sl_disablement_name, sl_disablement_parse, 15 },
		{ sl_mobility_name, sl_mobility_parse, 3 },
	};
	for (size_t e = 0; e < sizeof(enums) / sizeof(enums[0]); e++) {
		int named = 0;
		for (int v = -2; v < 40; v++) {
			const char *n = enums[e].name(v);
			if (strcmp(n, "UNKNOWN") == 0)
				continue;
			assert_int_equal(enums[e].parse(n), v);
			named++;
		}
		assert_int_equal(named, enums[e].count);
		assert_int_equal(enums[e].parse("NOPE"), -1);
		assert_int_equal(enums[e].parse(""), -1);
		assert_int_equal(enums[e].parse(NULL), -1);
		assert_int_equal(enums[e].parse("obstructed"), -1);     /* case matters */
	}
	/* the cause enum's UNKNOWN is a real name (0) */
	assert_int_equal(sl_cause_parse("UNKNOWN"), 0);
	assert_int_equal(sl_disablement_parse("MOVING_TOO_FAST_FOR_POLICY"), 14);
}

static void test_alerts(void **state)
{
	assert_string_equal(sl_alert_name(SL_AL_THERMAL_THROTTLE), "thermal_throttle");
	assert_string_equal(sl_alert_name(SL_AL_ROAMING), "roaming");
	assert_string_equal(sl_alert_name(SL_AL_SLOW_ETHERNET_SPEEDS_100), "slow_ethernet_speeds_100");
	assert_string_equal(sl_alert_name(SL_AL_NO_ETHERNET_LINK), "no_ethernet_link");
	assert_null(sl_alert_name(0));
	assert_null(sl_alert_name(12));
	assert_null(sl_alert_name(24));
	for (unsigned f = 0; f < 32; f++) {
		const char *n = sl_alert_name(f);
		if (n)
			assert_int_equal(sl_alert_parse(n), f);
	}
	assert_int_equal(sl_alert_parse("thermalThrottle"), SL_AL_THERMAL_THROTTLE);
	assert_int_equal(sl_alert_parse("isHeating"), SL_AL_IS_HEATING);
	assert_int_equal(sl_alert_parse("slowEthernetSpeeds100"), SL_AL_SLOW_ETHERNET_SPEEDS_100);
	assert_int_equal(sl_alert_parse("powerSupplyThermalThrottle"),
			 SL_AL_POWER_SUPPLY_THERMAL_THROTTLE);
	assert_int_equal(sl_alert_parse("movingWhileNotMobile"), -1);   /* not in dish.proto */
	assert_int_equal(sl_alert_parse("ThermalThrottle"), -1);
	assert_int_equal(sl_alert_parse("thermal__throttle"), -1);
	assert_int_equal(sl_alert_parse(""), -1);
	assert_int_equal(sl_alert_parse(NULL), -1);
}

static void test_calls_and_time(void **state)
{
	assert_string_equal(sl_call_name(SL_CALL_STATUS), "get_status");
	assert_string_equal(sl_call_name(SL_CALL_HISTORY), "get_history");
	assert_string_equal(sl_call_name(SL_CALL_UNSTOW), "dish_unstow");
	assert_string_equal(sl_call_name(SL_CALL_NONE), "none");
	assert_string_equal(sl_call_name((enum sl_call)77), "UNKNOWN");

	/* the GPS epoch is 1980-01-06 = Unix 315964800, 18 leap seconds behind */
	assert_true(sl_gps_ns_to_unix(0) == 315964782.0);
	assert_true(sl_gps_ns_to_unix(18000000000LL) == 315964800.0);
	/* the capture's newest outage: 2024-05-09 */
	assert_true(fabs(sl_gps_ns_to_unix(1399258788500715800LL) - 1715223570.5007158) < 1e-6);
	assert_true(sl_gps_ns_to_unix(-1000000000LL) == 315964781.0);
}

static void test_text_copy(void **state)
{
	char b[8];

	sl_text_copy(b, sizeof(b), "abc", 3);
	assert_string_equal(b, "abc");
	sl_text_copy(b, sizeof(b), "abcdefghij", 10);
	assert_string_equal(b, "abcdefg");
	sl_text_copy(b, sizeof(b), "ab\0cd", 5);        /* stops at a NUL */
	assert_string_equal(b, "ab");
	sl_text_copy(b, sizeof(b), NULL, 4);
	assert_string_equal(b, "");
	/* 7 bytes fit: "abcde" + the 2-byte é fits; + a 3-byte € does not */
	sl_text_copy(b, sizeof(b), "abcde\xc3\xa9", 7);
	assert_string_equal(b, "abcde\xc3\xa9");
	sl_text_copy(b, sizeof(b), "abcdef\xc3\xa9", 8);
	assert_string_equal(b, "abcdef");
	sl_text_copy(b, sizeof(b), "abcde\xe2\x82\xac", 8);
	assert_string_equal(b, "abcde");
	sl_text_copy(b, sizeof(b), "abc\xf0\x9f\x98\x80z", 8);  /* 4-byte emoji, cut after 3 of it */
	assert_string_equal(b, "abc\xf0\x9f\x98\x80");
	sl_text_copy(b, 5, "ab\xf0\x9f\x98\x80", 6);
	assert_string_equal(b, "ab");
	/* not UTF-8 (a run of continuation bytes): cut where it is */
	sl_text_copy(b, sizeof(b), "\x80\x80\x80\x80\x80\x80\x80\x80\x80", 9);
	assert_int_equal(strlen(b), 7);
	sl_text_copy(b, 1, "abc", 3);
	assert_string_equal(b, "");
	sl_text_copy(b, 0, "abc", 3);                   /* no room: untouched, no crash */
}

static void test_name_eq(void **state)
{
	assert_true(sl_text_name_eq("pop_ping_drop_rate", "pop_ping_drop_rate"));
	assert_true(sl_text_name_eq("pop_ping_drop_rate", "popPingDropRate"));
	assert_true(sl_text_name_eq("slow_ethernet_speeds_100", "slowEthernetSpeeds100"));
	assert_true(sl_text_name_eq("l1l2", "l1l2"));
	assert_true(sl_text_name_eq("uptime_s", "uptimeS"));
	assert_false(sl_text_name_eq("pop_ping_drop_rate", "popPingDropRat"));
	assert_false(sl_text_name_eq("pop_ping_drop_rate", "popPingDropRatee"));
	assert_false(sl_text_name_eq("pop_ping_drop_rate", "PopPingDropRate"));
	assert_false(sl_text_name_eq("pop_ping_drop_rate", "pop_pingDropRate_"));
	assert_false(sl_text_name_eq("uptime_s", ""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_enum_names),
		cmocka_unit_test(test_enum_round_trip),
		cmocka_unit_test(test_alerts),
		cmocka_unit_test(test_calls_and_time),
		cmocka_unit_test(test_text_copy),
		cmocka_unit_test(test_name_eq),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
