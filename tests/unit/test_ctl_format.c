/* The CLI's human output: fixed inputs, exact text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config/schema.h"
#include "ctl/ctl_format.h"

static char *render(const char *cmd, const char *json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	json_object *o = json_tokener_parse(json);
	assert_non_null(o);
	ctl_format(cmd, o, f);
	fclose(f);
	json_object_put(o);
	return buf;
}

static void expect_render(const char *cmd, const char *json, const char *want)
{
	char *got = render(cmd, json);
	if (strcmp(got, want) != 0)
		fail_msg("%s: got\n%s\nwant\n%s", cmd, got, want);
	free(got);
}

static void test_duration(void **state)
{
	char b[32];
	ctl_format_duration(5.9, b, sizeof(b));
	assert_string_equal(b, "5s");
	ctl_format_duration(65, b, sizeof(b));
	assert_string_equal(b, "1m 05s");
	ctl_format_duration(3 * 3600 + 4 * 60 + 5, b, sizeof(b));
	assert_string_equal(b, "3h 04m 05s");
	ctl_format_duration(2 * 86400 + 3600 * 5 + 60, b, sizeof(b));
	assert_string_equal(b, "2d 05h 01m");
	ctl_format_duration(-3, b, sizeof(b));
	assert_string_equal(b, "0s");
}

static void test_status(void **state)
{
	expect_render("status",
		"{\"version\":\"0.1.0\",\"pid\":42,\"uptime_s\":3725.2,\"backend\":\"none\","
		"\"backend_configured\":\"auto\",\"mode\":\"observe\",\"active_member\":null,"
		"\"members\":3,\"last_switch\":null,\"config_file\":\"/etc/config/autonomy\"}",
		"autonomy 0.1.0, up 1h 02m 05s (pid 42)\n"
		"  backend      none (observe; configured: auto)\n"
		"  active       -\n"
		"  members      3\n"
		"  last switch  never\n"
		"  config       /etc/config/autonomy\n");
}

static void test_status_with_switch(void **state)
{
	char *out = render("status",
		"{\"version\":\"0.1.0\",\"pid\":1,\"uptime_s\":1,\"active_member\":\"lte\","
		"\"members\":2,\"last_switch\":{\"time\":\"2026-11-28T01:00:00Z\","
		"\"from\":\"starlink\",\"to\":\"lte\",\"reason\":\"starlink: 6/8 probes lost\"}}");
	assert_non_null(strstr(out, "  active       lte\n"));
	assert_non_null(strstr(out, "  last switch  2026-11-28T01:00:00Z: starlink -> lte "
				    "(starlink: 6/8 probes lost)\n"));
	free(out);
}

static void test_sticky_flows(void **state)
{
	char *out = render("status",
		"{\"version\":\"0.1.0\",\"pid\":1,\"uptime_s\":1,\"route\":{\"read_only\":false,"
		"\"flows\":{\"sticky\":true,\"table\":\"inet autonomy\",\"mask\":\"0x3f000000\","
		"\"members\":{\"wan\":{\"mark\":\"0x1000000\",\"flows\":3},"
		"\"lte\":{\"mark\":\"0x2000000\"}}}}}");
	assert_non_null(strstr(out, "  flows        sticky (inet autonomy, mask 0x3f000000): wan 3\n"));
	free(out);
	out = render("status", "{\"route\":{\"flows\":{\"sticky\":false,\"mask\":\"0x3f000000\","
		     "\"error\":\"nftables unavailable: Operation not permitted\"}}}");
	assert_non_null(strstr(out, "  flows        not sticky: nftables unavailable: "
				    "Operation not permitted\n"));
	free(out);
	out = render("decisions",
		"[{\"time\":\"2026-11-28T01:00:00Z\",\"type\":\"restore\",\"from\":\"lte\","
		"\"to\":\"wan\",\"reason\":\"r\",\"scores\":{},\"flows\":{\"kept\":4,"
		"\"flushed\":null,\"sticky\":true}},"
		"{\"time\":\"2026-11-28T00:59:00Z\",\"type\":\"switch\",\"from\":\"wan\","
		"\"to\":\"lte\",\"reason\":\"r\",\"scores\":{},\"flows\":{\"kept\":0,"
		"\"flushed\":7,\"sticky\":true}}]");
	assert_non_null(strstr(out, "flows: 4 kept on lte\n"));
	assert_non_null(strstr(out, "flows: 0 kept on wan, 7 flushed (it failed)\n"));
	free(out);
}

static void test_members(void **state)
{
	expect_render("members",
		"[{\"name\":\"starlink\",\"device\":\"eth1\",\"class\":\"starlink\",\"priority\":1,"
		"\"carrier\":true,\"state\":\"up\",\"active\":true,\"health_score\":93,"
		"\"latency_ms\":38.27,\"jitter_ms\":4.1,\"loss_pct\":0,\"flows\":12},"
		"{\"name\":\"lte\",\"device\":\"wwan0\",\"class\":\"cellular\",\"priority\":2,"
		"\"carrier\":null,\"state\":\"down\",\"active\":false,\"health_score\":null,"
		"\"latency_ms\":null,\"jitter_ms\":null,\"loss_pct\":null,\"flows\":null}]",
		"NAME           DEVICE     CLASS     PRIO CARRIER STATE    SCORE  LAT_MS JIT_MS  LOSS% FLOWS ACTIVE\n"
		"starlink       eth1       starlink     1 up      up          93    38.3    4.1    0.0    12 *\n"
		"lte            wwan0      cellular     2 absent  down         -       -      -      -     -\n");
	expect_render("members", "[]", "no members configured\n");
}

static void test_members_precursors(void **state)
{
	char *out = render("members",
		"[{\"name\":\"lte\",\"device\":\"wwan0\",\"class\":\"cellular\",\"priority\":2,"
		"\"carrier\":true,\"state\":\"up\",\"active\":true,\"health_score\":90,"
		"\"latency_ms\":50,\"jitter_ms\":3,\"loss_pct\":0,\"precursors\":["
		"{\"kind\":\"cellular_fade\",\"alarms\":4,\"hits\":1,\"moves\":3,\"move_hits\":1,"
		"\"precision\":0.25,\"bar\":1.3,\"checking\":true}]}]");
	assert_non_null(strstr(out, "  lte          cellular_fade: 4 predicted, 1 right (25 %), 3 moved "
				"traffic; needs strength 1.3; one being checked\n"));
	free(out);
}

static void test_members_fit_100_columns(void **state)
{
	char *out = render("members",
		"[{\"name\":\"a-very-long-member-name\",\"device\":\"averylongdevname\","
		"\"class\":\"cellularxx\",\"priority\":100,\"carrier\":false,\"state\":\"degraded\","
		"\"active\":true,\"health_score\":100,\"latency_ms\":99999.9,\"jitter_ms\":9999.9,"
		"\"loss_pct\":100}]");
	for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n"))
		assert_true(strlen(line) <= 100);
	free(out);
}

static void test_health(void **state)
{
	char *out = render("health",
		"{\"pid\":7,\"uptime_s\":12,\"rss_kb\":1480,\"peak_rss_kb\":1500,\"cpu_pct\":0.12,"
		"\"cpu_total_s\":0.05,\"loop_lag_ms\":0.08,\"loop_lag_max_ms\":1.5,"
		"\"config_ok\":false,\"last_reload\":{\"time\":\"2026-11-28T01:00:00Z\","
		"\"message\":\"x has 1 error(s)\"},\"subsystems\":{\"linkmon\":{\"state\":\"ok\","
		"\"events\":4}}}");
	assert_non_null(strstr(out, "autonomyd pid 7, up 12s\n"));
	assert_non_null(strstr(out, "  memory       1480 KiB resident (peak 1500 KiB)\n"));
	assert_non_null(strstr(out, "  loop lag     0.080 ms now, 1.500 ms max\n"));
	assert_non_null(strstr(out, "last reload FAILED"));
	assert_non_null(strstr(out, "  last reload  2026-11-28T01:00:00Z: x has 1 error(s)\n"));
	assert_non_null(strstr(out, "    linkmon    ok events=4\n"));
	free(out);
}

/* starwatch's view at the end of `health`: absent, held down with the
 * fail-safe route in use, and a stale status. */
static void test_health_starwatch(void **state)
{
	char *out = render("health", "{\"pid\":7,\"uptime_s\":12,\"starwatch\":null}");
	assert_non_null(strstr(out, "  starwatch    not running\n"));
	free(out);
	out = render("health",
		"{\"pid\":7,\"starwatch\":{\"running\":true,\"pid\":99,\"daemon\":\"held_down\","
		"\"last_check_ts\":null,\"restarts\":5,\"restarts_in_window\":5,\"held_down\":true,"
		"\"step\":\"restart_daemon\",\"reason\":\"autonomyd died; held down\","
		"\"failsafe_route\":{\"enabled\":true,\"active\":true,\"member\":\"sat\","
		"\"device\":\"sl\",\"gateway\":\"10.2.0.1\"}}}");
	assert_non_null(strstr(out, "  starwatch    watching (pid 99): autonomyd held_down, "
			       "last check never, 5 restart(s), 5 in the window\n"));
	assert_non_null(strstr(out, "HELD DOWN (no more restarts): autonomyd died; held down\n"));
	assert_non_null(strstr(out, "fail-safe route: ACTIVE via 10.2.0.1 dev sl (member sat)\n"));
	free(out);
	out = render("health", "{\"starwatch\":{\"running\":false,\"last_check_ts\":null}}");
	assert_non_null(strstr(out, "not running (its last status is stale)"));
	free(out);
}

static void test_config_show_is_uci(void **state)
{
	expect_render("config_show",
		"{\"file\":\"/etc/config/autonomy\",\"sections\":{\"main\":{\"enabled\":true,"
		"\"backend\":\"auto\",\"note\":\"it's\"},\"email\":{\"recipients\":[\"a@b.c\","
		"\"d@e.f\"],\"password\":\"se******\",\"smtp_server\":null},"
		"\"alerts\":{\"group_window\":0.5,\"dedup_window\":600}},"
		"\"members\":[{\"name\":\"lte\",\"device\":\"wwan0\",\"priority\":2}]}",
		"# effective configuration of /etc/config/autonomy (defaults filled in)\n\n"
		"config autonomy 'main'\n"
		"\toption enabled '1'\n"
		"\toption backend 'auto'\n"
		"\toption note 'it'\\''s'\n\n"
		"config autonomy 'email'\n"
		"\tlist recipients 'a@b.c'\n"
		"\tlist recipients 'd@e.f'\n"
		"\toption password 'se******'\n\n"
		"config autonomy 'alerts'\n"
		"\toption group_window '500ms'\n"        /* '0.5' would not load */
		"\toption dedup_window '600'\n\n"
		"config member 'lte'\n"
		"\toption device 'wwan0'\n"
		"\toption priority '2'\n\n");
}

/* Options without effect yet (the reply's "planned") carry a trailing
 * comment, on every line of a list, in global and member sections alike;
 * junk in the list marks nothing. */
static void test_config_show_marks_planned(void **state)
{
	expect_render("config_show",
		"{\"file\":\"/x\",\"sections\":{\"main\":{\"dry_run\":false},"
		"\"security\":{\"api_authentication\":true,\"ip_whitelist\":[\"10.0.0.0/8\","
		"\"fd00::/8\"]}},\"members\":[{\"name\":\"wan\",\"priority\":1,\"weight\":1}],"
		"\"planned\":{\"main\":[null,1],\"security\":[\"api_authentication\",\"ip_whitelist\"],"
		"\"member\":[\"weight\"]}}",
		"# effective configuration of /x (defaults filled in)\n\n"
		"config autonomy 'main'\n"
		"\toption dry_run '0'\n\n"
		"config autonomy 'security'\n"
		"\toption api_authentication '1'\t# " CFG_PLANNED_MSG "\n"
		"\tlist ip_whitelist '10.0.0.0/8'\t# " CFG_PLANNED_MSG "\n"
		"\tlist ip_whitelist 'fd00::/8'\t# " CFG_PLANNED_MSG "\n\n"
		"config member 'wan'\n"
		"\toption priority '1'\n"
		"\toption weight '1'\t# " CFG_PLANNED_MSG "\n\n");
}

static void test_validate_and_reload(void **state)
{
	expect_render("config_validate",
		"{\"file\":\"/x\",\"valid\":true,\"members\":2,\"warnings\":[{\"severity\":"
		"\"warning\",\"line\":3,\"message\":\"/x:3: polling: unknown option 'foo'\"}]}",
		"warning: /x:3: polling: unknown option 'foo'\n/x: OK (2 members, 1 warnings)\n");
	expect_render("reload",
		"{\"reloaded\":true,\"config_file\":\"/x\",\"members\":3,\"warnings\":[]}",
		"reloaded /x: 3 members, 0 warnings\n");
}

static void test_unknown_command_prints_json(void **state)
{
	expect_render("something_new", "{\"a\":1}", "{\n  \"a\":1\n}\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_status_with_switch),
		cmocka_unit_test(test_members),
		cmocka_unit_test(test_sticky_flows),
		cmocka_unit_test(test_members_fit_100_columns),
		cmocka_unit_test(test_members_precursors),
		cmocka_unit_test(test_health),
		cmocka_unit_test(test_health_starwatch),
		cmocka_unit_test(test_config_show_is_uci),
		cmocka_unit_test(test_config_show_marks_planned),
		cmocka_unit_test(test_validate_and_reload),
		cmocka_unit_test(test_unknown_command_prints_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
