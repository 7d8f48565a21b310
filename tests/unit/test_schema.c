/* Unit tests for config/schema.c: the option tables themselves (complete,
 * well-formed, defaults valid) and the lookup/suggestion helpers. */
#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config/schema.h"
#include "config/cfg_internal.h"

/* Every section: the globals, then the member section. */
static const struct cfg_section_def *section_at(size_t i)
{
	return i < cfg_n_global_sections ? &cfg_global_sections[i] : &cfg_member_section;
}

#define N_SECTIONS (cfg_n_global_sections + 1)

static const char *sec_name(const struct cfg_section_def *s)
{
	return s->name ? s->name : "member";
}

static void test_sections_complete(void **state)
{
	static const char *const want[] = {
		"main", "alerts", "email", "slack", "pagerduty", "webhook", "ntfy", "pushover",
		"performance", "polling",
		"starlink", "cellular", "wifi", "bandwidth", "qos", "security",
		"network_security", "gps", "starwatch", "prometheus", "snmp", "mqtt",
	};

	assert_int_equal(cfg_n_global_sections, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < cfg_n_global_sections; i++) {
		assert_string_equal(cfg_global_sections[i].name, want[i]);
		assert_string_equal(cfg_global_sections[i].type, "autonomy");
		assert_ptr_equal(cfg_find_global_def(want[i]), &cfg_global_sections[i]);
		assert_non_null(cfg_global_sections[i].help);
		assert_true(cfg_global_sections[i].n_opts > 0);
	}
	assert_string_equal(cfg_member_section.type, "member");
	assert_null(cfg_member_section.name);
	assert_non_null(cfg_member_section.help);
	assert_null(cfg_find_global_def("member"));
	assert_null(cfg_find_global_def("nope"));
	assert_null(cfg_find_global_def(NULL));
}

static bool valid_name(const char *n)
{
	if (!n || !*n)
		return false;
	for (; *n; n++)
		if (!islower((unsigned char)*n) && !isdigit((unsigned char)*n) && *n != '_')
			return false;
	return true;
}

static void check_row(const struct cfg_section_def *s, const struct cfg_option_def *o)
{
	bool numeric = o->type == CFG_INT || o->type == CFG_DURATION;

	if (!valid_name(o->name) || !o->help || strlen(o->help) < 10 || strchr(o->help, '\n'))
		fail_msg("%s.%s: bad name or help text", sec_name(s), o->name);
	if (strcmp(cfg_type_name(o->type), "?") == 0)
		fail_msg("%s.%s: unknown type", sec_name(s), o->name);
	if ((o->type == CFG_ENUM) != (o->enums != NULL))
		fail_msg("%s.%s: enums[] iff CFG_ENUM", sec_name(s), o->name);
	if (o->type == CFG_ENUM && (!o->enums[0] || !o->enums[1]))
		fail_msg("%s.%s: an enum needs two or more values", sec_name(s), o->name);
	if ((o->flags & CFG_F_UNIT_MS) && o->type != CFG_DURATION)
		fail_msg("%s.%s: UNIT_MS on a non-duration", sec_name(s), o->name);
	if (numeric && (o->min > o->max || (o->min == 0 && o->max == 0)))
		fail_msg("%s.%s: numbers need a sane range", sec_name(s), o->name);
	if (!numeric && (o->min || o->max))
		fail_msg("%s.%s: range on a non-number", sec_name(s), o->name);
	if ((o->flags & CFG_F_LIST) &&
	    (o->type == CFG_BOOL || numeric || o->type == CFG_ENUM || o->type == CFG_SECRET))
		fail_msg("%s.%s: list of an unsupported type", sec_name(s), o->name);
	/* option names ending in _ms are durations in ms, and back */
	if ((strlen(o->name) > 3 && !strcmp(o->name + strlen(o->name) - 3, "_ms")) !=
	    (o->type == CFG_DURATION && (o->flags & CFG_F_UNIT_MS)))
		fail_msg("%s.%s: _ms names and ms durations must match", sec_name(s), o->name);
}

static void test_rows_well_formed(void **state)
{
	for (size_t i = 0; i < N_SECTIONS; i++) {
		const struct cfg_section_def *s = section_at(i);

		for (size_t j = 0; j < s->n_opts; j++) {
			check_row(s, &s->opts[j]);
			for (size_t k = 0; k < j; k++)
				if (strcmp(s->opts[j].name, s->opts[k].name) == 0)
					fail_msg("%s: option '%s' twice", sec_name(s),
						 s->opts[j].name);
		}
	}
}

/* Parses a default through the same code as a value in a file. */
static int parse_default(const struct cfg_option_def *o, char *err, size_t errsz)
{
	struct cfg_item *items = NULL, one;
	size_t n = 0;
	int rc;

	if (o->flags & CFG_F_LIST) {
		rc = cfg_parse_list(o, o->def, &items, &n, err, errsz);
		cfg_items_free(items, n);
		return rc;
	}
	rc = cfg_parse_item(o, o->def, &one, err, errsz);
	if (rc == 0) {
		if (o->type == CFG_ENUM && strcmp(o->enums[one.num], o->def) != 0)
			snprintf(err, errsz, "enum default not spelled as in enums[]"), rc = -1;
		free(one.str);
	}
	return rc;
}

static void test_defaults_validate(void **state)
{
	char err[256];

	for (size_t i = 0; i < N_SECTIONS; i++) {
		const struct cfg_section_def *s = section_at(i);

		for (size_t j = 0; j < s->n_opts; j++) {
			const struct cfg_option_def *o = &s->opts[j];

			if (o->def && parse_default(o, err, sizeof(err)) < 0)
				fail_msg("%s.%s: default '%s': %s", sec_name(s), o->name, o->def,
					 err);
		}
	}
}

/* Getters of bools, numbers and enums read a default unless the option has
 * none on purpose (member.modem: "the first modem"; member.upload_mbps and
 * download_mbps: "the class's limit"). */
static void test_scalars_have_defaults(void **state)
{
	for (size_t i = 0; i < N_SECTIONS; i++) {
		const struct cfg_section_def *s = section_at(i);

		for (size_t j = 0; j < s->n_opts; j++) {
			const struct cfg_option_def *o = &s->opts[j];
			bool numeric = o->type == CFG_BOOL || o->type == CFG_INT ||
				       o->type == CFG_ENUM || o->type == CFG_DURATION;

			bool on_purpose = s == &cfg_member_section &&
					  (!strcmp(o->name, "modem") || !strcmp(o->name, "upload_mbps") ||
					   !strcmp(o->name, "download_mbps"));
			if (numeric && !o->def && !on_purpose)
				fail_msg("%s.%s has no default", sec_name(s), o->name);
			if (o->flags & CFG_F_REQUIRED && o->def)
				fail_msg("%s.%s: required with a default", sec_name(s), o->name);
		}
	}
}

/* Every option of the operations guide, with its value there. Rows marked
 * `own` have a different, documented default (placeholders and credentials
 * of the guide are not defaults); the guide's value must still be valid. */
static const struct guide_row {
	const char *sec, *opt, *value;
	bool own;
} guide[] = {
#define G(s, o, v)   { s, o, v, false }
#define OWN(s, o, v) { s, o, v, true }
	G("alerts", "info_enabled", "1"), G("alerts", "warning_enabled", "1"),
	G("alerts", "critical_enabled", "1"), G("alerts", "emergency_enabled", "1"),
	G("alerts", "health_warning", "70"), G("alerts", "health_critical", "50"),
	G("alerts", "failover_warning", "5"), G("alerts", "failover_critical", "10"),
	OWN("email", "enabled", "1"), OWN("email", "smtp_server", "smtp.company.com"),
	G("email", "smtp_port", "587"), OWN("email", "username", "alerts@company.com"),
	OWN("email", "password", "secure-password"),
	OWN("email", "recipients", "admin@company.com,ops@company.com"),
	OWN("slack", "enabled", "1"),
	OWN("slack", "webhook_url", "https://hooks.slack.com/services/xxx/yyy/zzz"),
	OWN("slack", "channel", "#network-alerts"), G("slack", "username", "autonomy Bot"),
	OWN("pagerduty", "enabled", "1"),
	OWN("pagerduty", "api_key", "your-pagerduty-api-key"),
	OWN("pagerduty", "service_id", "your-service-id"),
	G("performance", "max_memory_mb", "64"), G("performance", "max_cpu_percent", "20"),
	G("performance", "gc_interval", "300"),
	G("performance", "telemetry_retention_days", "30"),
	G("performance", "log_retention_days", "7"),
	G("polling", "base_interval_ms", "1500"), G("polling", "adaptive_polling", "1"),
	G("polling", "min_interval_ms", "500"), G("polling", "max_interval_ms", "5000"),
	G("polling", "load_threshold", "80"),
	G("starlink", "health_check_interval", "30"),
	G("starlink", "obstruction_check_interval", "60"),
	G("starlink", "gps_update_interval", "300"), G("starlink", "predictive_enabled", "1"),
	G("cellular", "signal_check_interval", "15"),
	G("cellular", "data_usage_check_interval", "300"),
	G("cellular", "stability_analysis", "1"), G("cellular", "roaming_detection", "1"),
	G("wifi", "channel_scan_interval", "600"), G("wifi", "rssi_check_interval", "10"),
	G("wifi", "interference_detection", "1"), G("wifi", "auto_optimization", "1"),
	G("bandwidth", "metered_mode", "1"), G("bandwidth", "data_limit_enabled", "1"),
	G("bandwidth", "traffic_shaping", "1"), G("bandwidth", "qos_enabled", "1"),
	G("bandwidth", "starlink_limit_mbps", "100"),
	G("bandwidth", "cellular_limit_mbps", "50"), G("bandwidth", "wifi_limit_mbps", "25"),
	G("qos", "enabled", "1"), G("qos", "priority_queues", "4"),
	G("qos", "bandwidth_sharing", "fair"), G("qos", "latency_optimization", "1"),
	G("qos", "voice_priority", "1"), G("qos", "video_priority", "2"),
	G("qos", "data_priority", "3"), G("qos", "bulk_priority", "4"),
	G("security", "api_authentication", "1"), G("security", "api_encryption", "1"),
	G("security", "rate_limiting", "1"), G("security", "ip_whitelist", "192.168.1.0/24"),
	G("security", "api_key_required", "1"), G("security", "api_key_rotation_days", "90"),
	G("network_security", "firewall_integration", "1"),
	G("network_security", "intrusion_detection", "1"),
	G("network_security", "ddos_protection", "1"),
	G("network_security", "traffic_monitoring", "1"),
	/* interface.md */
	G("main", "backend", "auto"), G("main", "log_level", "info"),
	G("main", "state_dir", "/var/lib/autonomy"),
	G("main", "control_socket", "/var/run/autonomy/autonomy.sock"),
	G("main", "pid_file", "/var/run/autonomy.pid"), G("main", "dry_run", "0"),
	G("starlink", "api_host", "192.168.100.1"), G("starlink", "api_port", "9200"),
	G("cellular", "mmcli", ""), G("cellular", "uqmi", ""), G("cellular", "qmicli", ""),
	G("cellular", "gsmctl", ""),
	G("gps", "gpsd_host", "127.0.0.1"), G("gps", "gpsd_port", "2947"),
	G("gps", "source", "auto"),
#undef G
#undef OWN
};

static void test_guide_options(void **state)
{
	char err[256];

	for (size_t i = 0; i < sizeof(guide) / sizeof(guide[0]); i++) {
		const struct guide_row *g = &guide[i];
		const struct cfg_option_def *o =
			cfg_find_option_def(cfg_find_global_def(g->sec), g->opt);
		struct cfg_option_def as_default;

		if (!o)
			fail_msg("%s.%s from the guide is missing", g->sec, g->opt);
		if (!g->own && (!o->def || strcmp(o->def, g->value) != 0))
			fail_msg("%s.%s: default '%s', guide '%s'", g->sec, g->opt,
				 o->def ? o->def : "(none)", g->value);
		as_default = *o;
		as_default.def = g->value;
		if (*g->value && parse_default(&as_default, err, sizeof(err)) < 0)
			fail_msg("%s.%s: guide value '%s' rejected: %s", g->sec, g->opt,
				 g->value, err);
	}
}

static const struct cfg_option_def *opt(const char *sec, const char *name)
{
	const struct cfg_section_def *s = sec ? cfg_find_global_def(sec) : &cfg_member_section;
	const struct cfg_option_def *o = cfg_find_option_def(s, name);

	if (!o)
		fail_msg("%s.%s missing", sec ? sec : "member", name);
	return o;
}

static void test_types(void **state)
{
	assert_int_equal(opt("email", "password")->type, CFG_SECRET);
	assert_int_equal(opt("slack", "webhook_url")->type, CFG_SECRET);
	assert_int_equal(opt("pagerduty", "api_key")->type, CFG_SECRET);
	assert_int_equal(opt("email", "recipients")->type, CFG_EMAIL);
	assert_true(opt("email", "recipients")->flags & CFG_F_LIST);
	assert_int_equal(opt("security", "ip_whitelist")->type, CFG_CIDR);
	assert_true(opt("security", "ip_whitelist")->flags & CFG_F_LIST);
	assert_int_equal(opt("qos", "bandwidth_sharing")->type, CFG_ENUM);
	assert_int_equal(opt("polling", "min_interval_ms")->min, 100);
	assert_int_equal(opt("polling", "min_interval_ms")->max, 60000);
	assert_int_equal(opt("starlink", "api_timeout_ms")->type, CFG_DURATION);
	assert_int_equal(opt("main", "backend")->type, CFG_ENUM);
	assert_int_equal(opt("gps", "enabled")->type, CFG_BOOL);
	for (size_t i = 0; i < N_SECTIONS; i++) {
		const struct cfg_section_def *s = section_at(i);

		for (size_t j = 0; j < s->n_opts; j++) {
			const struct cfg_option_def *o = &s->opts[j];
			const char *n = o->name;
			size_t len = strlen(n);

			/* "..._interval" is a duration in seconds */
			if (len > 9 && !strcmp(n + len - 9, "_interval") &&
			    (o->type != CFG_DURATION || (o->flags & CFG_F_UNIT_MS)))
				fail_msg("%s.%s should be a duration in s", sec_name(s), n);
			/* "..._enabled" and "enabled" are booleans */
			if (strstr(n, "enabled") && o->type != CFG_BOOL)
				fail_msg("%s.%s should be a bool", sec_name(s), n);
			/* percentages are 0..100 */
			if (strstr(n, "percent") && (o->min < 0 || o->max > 100))
				fail_msg("%s.%s: percent beyond 0..100", sec_name(s), n);
		}
	}
}

static void test_member_section(void **state)
{
	static const char *const names[] = { "interface", "device", "class", "priority",
					     "target", "metered", "enabled", "modem",
					     "qmi_device" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		assert_true(cfg_option_index(&cfg_member_section, names[i]) >= 0);
	assert_int_equal(opt(NULL, "interface")->type, CFG_IFNAME);
	assert_int_equal(opt(NULL, "device")->type, CFG_IFNAME);
	assert_string_equal(opt(NULL, "class")->def, "auto");
	assert_string_equal(opt(NULL, "metered")->def, "0");
	assert_string_equal(opt(NULL, "enabled")->def, "1");
	assert_null(opt(NULL, "target")->def);
	assert_true(opt(NULL, "target")->flags & CFG_F_LIST);
	assert_int_equal(opt(NULL, "target")->type, CFG_TARGET);
}

static void test_lookup(void **state)
{
	const struct cfg_section_def *p = cfg_find_global_def("polling");

	assert_int_equal(cfg_option_index(p, "base_interval_ms"), 0);
	assert_int_equal(cfg_option_index(p, "nope"), -1);
	assert_int_equal(cfg_option_index(p, NULL), -1);
	assert_int_equal(cfg_option_index(NULL, "x"), -1);
	assert_ptr_equal(cfg_find_option_def(p, "load_threshold"),
			 &p->opts[cfg_option_index(p, "load_threshold")]);
	assert_null(cfg_find_option_def(p, "BASE_INTERVAL_MS")); /* names are exact */
	assert_string_equal(cfg_type_name(CFG_DURATION), "duration");
	assert_string_equal(cfg_type_name(CFG_IFNAME), "ifname");
	assert_string_equal(cfg_type_name((enum cfg_type)99), "?");
}

static void test_edit_distance(void **state)
{
	assert_int_equal(cfg_edit_distance("kitten", "sitting"), 3);
	assert_int_equal(cfg_edit_distance("", "abc"), 3);
	assert_int_equal(cfg_edit_distance("abc", "abc"), 0);
	assert_int_equal(cfg_edit_distance("ab", "ba"), 1); /* transposition */
	assert_int_equal(cfg_edit_distance("intreval", "interval"), 1);
	assert_int_equal(cfg_edit_distance("ca", "abc"), 3); /* OSA, not full Damerau */
}

static void test_suggest(void **state)
{
	const struct cfg_section_def *p = cfg_find_global_def("polling");
	const struct cfg_section_def *e = cfg_find_global_def("email");
	char longname[200];

	assert_string_equal(cfg_suggest_option(p, "base_intervl_ms"), "base_interval_ms");
	assert_string_equal(cfg_suggest_option(p, "min_interval"), "min_interval_ms");
	assert_string_equal(cfg_suggest_option(p, "adaptive_poling"), "adaptive_polling");
	assert_string_equal(cfg_suggest_option(e, "enabeld"), "enabled");
	assert_string_equal(cfg_suggest_option(e, "smtp_sever"), "smtp_server");
	assert_string_equal(cfg_suggest_option(&cfg_member_section, "devce"), "device");
	assert_string_equal(cfg_suggest_option(&cfg_member_section, "priorty"), "priority");
	assert_string_equal(cfg_suggest_option(&cfg_member_section, "targets"), "target");
	assert_null(cfg_suggest_option(p, "zzzzzzzz"));
	assert_null(cfg_suggest_option(p, "base_interval_ms")); /* exact: no suggestion */
	assert_null(cfg_suggest_option(p, "x"));
	assert_null(cfg_suggest_option(p, ""));
	assert_null(cfg_suggest_option(p, NULL));
	assert_null(cfg_suggest_option(NULL, "x"));
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_null(cfg_suggest_option(p, longname));
	assert_string_equal(cfg_suggest_section("pollng"), "polling");
	assert_string_equal(cfg_suggest_section("network-security"), "network_security");
	assert_null(cfg_suggest_section("interfaces"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sections_complete),
		cmocka_unit_test(test_rows_well_formed),
		cmocka_unit_test(test_defaults_validate),
		cmocka_unit_test(test_scalars_have_defaults),
		cmocka_unit_test(test_guide_options),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_member_section),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_edit_distance),
		cmocka_unit_test(test_suggest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
