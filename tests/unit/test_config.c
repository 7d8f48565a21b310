/* Unit tests for config/config.c and config/cfg_value.c: loading UCI text into
 * a typed, validated struct config, its diagnostics and its JSON form. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "config/config.h"
#include "config/cfg_internal.h"

#ifndef SOURCE_DIR
#define SOURCE_DIR "."
#endif
#define EXAMPLE SOURCE_DIR "/examples/autonomy.conf"
#define F "t.conf"

/* --- helpers --------------------------------------------------------------- */

/* A build without some telemetry kinds warns about configs that use them
 * (test_cfg_kinds.c checks that); these tests are about everything else. */
static void drop_kind_warnings(struct cfg_diags *d)
{
	size_t k = 0;
	for (size_t i = 0; d && i < d->n; i++) {
		if (d->v[i].severity == CFG_WARNING &&
		    strstr(d->v[i].msg, " telemetry is not built into this autonomyd")) {
			free(d->v[i].msg);
			continue;
		}
		d->v[k++] = d->v[i];
	}
	if (d)
		d->n = k;
}

static struct config *load(const char *text, struct cfg_diags *d)
{
	struct config *cfg = config_load_buf(F, text, strlen(text), d);
	drop_kind_warnings(d);
	return cfg;
}

static void dump(const struct cfg_diags *d)
{
	for (size_t i = 0; i < d->n; i++)
		fprintf(stderr, "  diag[%zu] %s: %s\n", i,
			d->v[i].severity == CFG_ERROR ? "error" : "warning", d->v[i].msg);
}

/* True if a diagnostic of this severity has exactly this text. */
static bool has_diag(const struct cfg_diags *d, enum cfg_severity sev, const char *msg)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].severity == sev && strcmp(d->v[i].msg, msg) == 0)
			return true;
	dump(d);
	fprintf(stderr, "  wanted: %s\n", msg);
	return false;
}

static bool has_diag_part(const struct cfg_diags *d, const char *part)
{
	for (size_t i = 0; i < d->n; i++)
		if (strstr(d->v[i].msg, part))
			return true;
	dump(d);
	fprintf(stderr, "  wanted part: %s\n", part);
	return false;
}

/* Loads one option in one section; expects it to fail with exactly msg
 * (after "t.conf:2: SECTION.OPTION: "). */
static void expect_reject(const char *section, const char *opt, const char *value,
			  const char *msg)
{
	char text[512], want[512];
	struct cfg_diags d = { 0 };
	struct config *cfg;

	snprintf(text, sizeof(text), "config autonomy '%s'\n\toption %s '%s'\n", section, opt,
		 value);
	cfg = load(text, &d);
	if (cfg || d.n_errors != 1)
		dump(&d), fprintf(stderr, "  input: %s", text);
	assert_null(cfg);
	assert_int_equal(d.n_errors, 1);
	if (msg) {
		snprintf(want, sizeof(want), F ":2: %s.%s: %s", section, opt, msg);
		assert_true(has_diag(&d, CFG_ERROR, want));
	}
	cfg_diags_free(&d);
}

/* Loads one option; expects success without any diagnostic but, for an
 * option that has no effect yet, the warning that says so. */
static struct config *expect_accept(const char *section, const char *opt, const char *value)
{
	char text[512], want[512];
	struct cfg_diags d = { 0 };
	struct config *cfg;
	const struct cfg_option_def *o = cfg_find_option_def(cfg_find_global_def(section), opt);
	size_t n_want = o && o->status == CFG_S_PLANNED && value[0]; /* '' = not given */

	snprintf(text, sizeof(text), "config autonomy '%s'\n\toption %s '%s'\n", section, opt,
		 value);
	cfg = load(text, &d);
	if (!cfg || d.n != n_want)
		dump(&d), fprintf(stderr, "  input: %s", text);
	assert_non_null(cfg);
	assert_int_equal(d.n, n_want);
	snprintf(want, sizeof(want), F ":2: %s.%s: " CFG_PLANNED_MSG, section, opt);
	if (n_want)
		assert_true(has_diag(&d, CFG_WARNING, want));
	cfg_diags_free(&d);
	return cfg;
}

/* The example with the options it comments out as "no effect yet" (a '#'
 * in the first column before a tab or `config`) put back in. */
static struct config *load_example_all(struct cfg_diags *d)
{
	FILE *f = fopen(EXAMPLE, "r");
	char line[512], *buf = calloc(1, 65536);
	size_t len = 0;

	assert_non_null(f);
	assert_non_null(buf);
	while (fgets(line, sizeof(line), f)) {
		bool off = line[0] == '#' && (line[1] == '\t' || strncmp(line + 1, "config ", 7) == 0);
		len += (size_t)snprintf(buf + len, 65536 - len, "%s", line + off);
		assert_true(len < 65536);
	}
	fclose(f);
	struct config *cfg = config_load_buf(EXAMPLE, buf, len, d);
	free(buf);
	drop_kind_warnings(d);
	return cfg;
}

static long long accepted_num(const char *section, const char *opt, const char *value)
{
	struct config *cfg = expect_accept(section, opt, value);
	long long n = cfg_get(config_section(cfg, section), opt)->items[0].num;

	config_free(cfg);
	return n;
}

static char *accepted_str(const char *section, const char *opt, const char *value)
{
	struct config *cfg = expect_accept(section, opt, value);
	char *s = strdup(cfg_get(config_section(cfg, section), opt)->items[0].str);

	config_free(cfg);
	return s;
}

static void expect_str(const char *section, const char *opt, const char *value,
		       const char *canon)
{
	char *s = accepted_str(section, opt, value);

	assert_string_equal(s, canon);
	free(s);
}

/* --- defaults and the example ------------------------------------------- */

static void test_defaults_only(void **state)
{
	struct cfg_diags d = { 0 };
	struct config *cfg = load("", &d);
	const struct cfg_section *s;

	assert_non_null(cfg);
	assert_int_equal(d.n, 0);
	assert_int_equal(cfg->n_globals, cfg_n_global_sections);
	assert_int_equal(cfg->n_members, 0);
	for (size_t i = 0; i < cfg->n_globals; i++) {
		const struct cfg_section *g = &cfg->globals[i];

		assert_false(g->present);
		assert_int_equal(g->line, 0);
		for (size_t j = 0; j < g->def->n_opts; j++) {
			const struct cfg_option_def *o = &g->def->opts[j];

			assert_false(g->vals[j].set);
			/* every option with a default has a value */
			if (o->def && *o->def)
				assert_true(g->vals[j].n_items >= 1);
		}
	}
	s = config_section(cfg, "polling");
	assert_int_equal(cfg_duration_ms(s, "base_interval_ms"), 1500);
	assert_int_equal(cfg_duration_ms(s, "min_interval_ms"), 500);
	assert_true(cfg_bool(s, "adaptive_polling"));
	assert_int_equal(cfg_duration_ms(config_section(cfg, "starlink"),
					 "health_check_interval"), 30000);
	assert_string_equal(cfg_str(config_section(cfg, "starlink"), "api_host"),
			    "192.168.100.1");
	assert_int_equal(cfg_int(config_section(cfg, "starlink"), "api_port"), 9200);
	assert_int_equal(cfg_enum(config_section(cfg, "main"), "backend"), 0);
	assert_int_equal(cfg_enum(config_section(cfg, "main"), "log_level"), 3);
	assert_string_equal(cfg_str(config_section(cfg, "main"), "control_socket"),
			    "/var/run/autonomy/autonomy.sock");
	assert_false(cfg_bool(config_section(cfg, "email"), "enabled"));
	assert_null(cfg_str(config_section(cfg, "email"), "smtp_server"));
	assert_string_equal(cfg_str(config_section(cfg, "cellular"), "mmcli"), "");
	assert_int_equal(cfg_int(config_section(cfg, "gps"), "gpsd_port"), 2947);
	assert_int_equal(cfg_get(config_section(cfg, "security"), "ip_whitelist")->n_items, 1);
	config_free(cfg);
	cfg_diags_free(&d);
}

static void test_defaults_without_diags(void **state)
{
	/* diags may be NULL: errors still reject */
	struct config *cfg = load("config autonomy 'main'\n", NULL);

	assert_non_null(cfg);
	assert_true(config_section(cfg, "main")->present);
	assert_int_equal(config_section(cfg, "main")->line, 1);
	config_free(cfg);
	assert_null(load("config autonomy 'main'\n\toption dry_run 'x'\n", NULL));
}

static void test_example_loads_clean(void **state)
{
	struct cfg_diags d = { 0 };
	struct config *cfg = config_load_file(EXAMPLE, &d);
	const struct cfg_section *m;

	drop_kind_warnings(&d);

	if (!cfg || d.n)
		dump(&d);
	assert_non_null(cfg);
	assert_int_equal(d.n, 0);
	assert_string_equal(cfg->path, EXAMPLE);
	/* Every section with an option that works is shown; the sections of
	 * options without effect yet are commented out (next test). */
	for (size_t i = 0; i < cfg->n_globals; i++) {
		bool works = false;
		for (size_t k = 0; k < cfg->globals[i].def->n_opts; k++)
			works |= cfg->globals[i].def->opts[k].status != CFG_S_PLANNED;
		if (works != cfg->globals[i].present)
			fail_msg("section %s: present %d", cfg->globals[i].name,
				 cfg->globals[i].present);
	}
	assert_int_equal(cfg->n_members, 3);
	m = config_member(cfg, "wan_starlink");
	assert_non_null(m);
	assert_string_equal(cfg_str(m, "device"), "eth1");
	assert_int_equal(cfg_enum(m, "class"), 0);
	assert_int_equal(cfg_int(m, "priority"), 1);
	assert_int_equal(cfg_get(m, "target")->n_items, 2);
	m = config_member(cfg, "wan_cellular");
	assert_string_equal(cfg_str(m, "device"), "wwan0");
	assert_true(cfg_bool(m, "metered"));
	assert_int_equal(cfg_int(m, "priority"), 2);
	assert_true(cfg_is_set(m, "modem"));
	m = config_member(cfg, "wan_wifi");
	assert_string_equal(cfg_str(m, "device"), "wlan0");
	assert_int_equal(cfg_enum(m, "class"), 2);
	assert_false(cfg_is_set(m, "modem"));
	assert_true(cfg_bool(m, "enabled"));
	assert_int_equal(cfg_get(config_section(cfg, "email"), "recipients")->n_items, 2);
	assert_null(config_member(cfg, "nope"));
	assert_null(config_section(cfg, "nope"));
	config_free(cfg);
	cfg_diags_free(&d);
}

/* Put back, the commented-out options load, and each one draws exactly the
 * "no effect yet" warning at its line: the example is honest about them. */
static void test_example_planned(void **state)
{
	struct cfg_diags d = { 0 };
	struct config *cfg = load_example_all(&d);
	char want[512], lb[96];
	size_t n_set = 0;

	assert_non_null(cfg);
	for (size_t i = 0; i < cfg->n_globals + cfg->n_members; i++) {
		const struct cfg_section *s = i < cfg->n_globals ? &cfg->globals[i] :
					      &cfg->members[i - cfg->n_globals];
		for (size_t k = 0; k < s->def->n_opts; k++) {
			if (!s->vals[k].set || s->def->opts[k].status != CFG_S_PLANNED)
				continue;
			n_set++;
			snprintf(want, sizeof(want), EXAMPLE ":%d: %s.%s: " CFG_PLANNED_MSG,
				 s->vals[k].line, cfg_label(s, lb, sizeof(lb)),
				 s->def->opts[k].name);
			assert_true(has_diag(&d, CFG_WARNING, want));
		}
	}
	assert_true(n_set >= 1); /* network_security.traffic_monitoring */
	if (d.n != n_set)
		dump(&d);
	assert_int_equal(d.n, n_set);
	cfg_diags_free(&d);
	config_free(cfg);
}

static void test_missing_file(void **state)
{
	struct cfg_diags d = { 0 };

	assert_null(config_load_file("/nonexistent/autonomy", &d));
	assert_int_equal(d.n_errors, 1);
	assert_int_equal(strncmp(d.v[0].msg, "/nonexistent/autonomy: ", 23), 0);
	cfg_diags_free(&d);
}

/* --- types --------------------------------------------------------------- */

static void test_bool(void **state)
{
	static const char *const yes[] = { "1", "yes", "on", "true", "enabled", "YES", "True",
					   "On", "ENABLED" };
	static const char *const no[] = { "0", "no", "off", "false", "disabled", "NO", "Off",
					  "FALSE", "Disabled" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		assert_int_equal(accepted_num("main", "dry_run", yes[i]), 1);
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		assert_int_equal(accepted_num("main", "dry_run", no[i]), 0);
	expect_reject("main", "dry_run", "2",
		      "'2' is not a boolean (use 1/0, yes/no, on/off, true/false)");
	expect_reject("main", "dry_run", "maybe", NULL);
	expect_reject("main", "dry_run", "yes please", NULL);
	expect_reject("main", "dry_run", " 1", NULL);
}

/* UCI ignores `option NAME ''` (libuci's uci_set() of an empty value during
 * parsing changes nothing), so the default stays; the typed parser itself
 * refuses an empty value for non-string types. */
static void test_empty_value(void **state)
{
	const struct cfg_option_def b = { .name = "b", .type = CFG_BOOL, .help = "x" };
	const struct cfg_option_def s = { .name = "s", .type = CFG_STRING, .help = "x" };
	struct config *cfg = expect_accept("main", "dry_run", "");
	struct cfg_item it;
	char err[128];

	assert_false(cfg_is_set(config_section(cfg, "main"), "dry_run"));
	assert_false(cfg_bool(config_section(cfg, "main"), "dry_run"));
	config_free(cfg);
	cfg = expect_accept("email", "password", "");
	assert_null(cfg_str(config_section(cfg, "email"), "password"));
	config_free(cfg);
	assert_int_equal(cfg_parse_item(&b, "", &it, err, sizeof(err)), -1);
	assert_string_equal(err, "empty value (remove the option to use the default)");
	assert_int_equal(cfg_parse_item(&s, "", &it, err, sizeof(err)), 0);
	assert_string_equal(it.str, "");
	free(it.str);
}

static void test_int(void **state)
{
	assert_int_equal(accepted_num("performance", "max_memory_mb", "128"), 128);
	assert_int_equal(accepted_num("performance", "max_memory_mb", "+16"), 16);
	assert_int_equal(accepted_num("performance", "max_memory_mb", "8"), 8);
	assert_int_equal(accepted_num("performance", "max_memory_mb", "4096"), 4096);
	assert_int_equal(accepted_num("performance", "max_memory_mb", "0064"), 64);
	expect_reject("performance", "max_memory_mb", "15x", "'15x' is not an integer");
	expect_reject("performance", "max_memory_mb", "0x40", "'0x40' is not an integer");
	expect_reject("performance", "max_memory_mb", " 64", "' 64' is not an integer");
	expect_reject("performance", "max_memory_mb", "64 ", "'64 ' is not an integer");
	expect_reject("performance", "max_memory_mb", "6.4", "'6.4' is not an integer");
	expect_reject("performance", "max_memory_mb", "-", "'-' is not an integer");
	expect_reject("performance", "max_memory_mb", "7", "value 7 is out of range 8..4096");
	expect_reject("performance", "max_memory_mb", "-64", "value -64 is out of range 8..4096");
	expect_reject("performance", "max_memory_mb", "99999999999999999999",
		      "value 99999999999999999999 is out of range 8..4096");
	expect_reject("alerts", "health_warning", "101", "value 101 is out of range 0..100");
	assert_int_equal(accepted_num("alerts", "health_warning", "100"), 100);
	/* just inside and outside the port range */
	assert_int_equal(accepted_num("starlink", "api_port", "65535"), 65535);
	expect_reject("starlink", "api_port", "0", "value 0 is out of range 1..65535");
}

static void test_range_message_and_line(void **state)
{
	struct cfg_diags d = { 0 };
	const char *text = "# polling\n"
			   "config autonomy 'polling'\n"
			   "\toption base_interval_ms '1500'\n"
			   "\n"
			   "\toption min_interval_ms '70000'\n";

	assert_null(load(text, &d));
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].line, 5);
	assert_int_equal(d.v[0].severity, CFG_ERROR);
	assert_string_equal(d.v[0].msg,
			    F ":5: polling.min_interval_ms: value 70000 is out of range 100..60000");
	cfg_diags_free(&d);
}

static void test_duration(void **state)
{
	/* bare numbers are in the option's unit */
	assert_int_equal(accepted_num("polling", "base_interval_ms", "1500"), 1500);
	assert_int_equal(accepted_num("starlink", "health_check_interval", "30"), 30000);
	/* suffixes */
	assert_int_equal(accepted_num("polling", "base_interval_ms", "2s"), 2000);
	assert_int_equal(accepted_num("polling", "base_interval_ms", "750ms"), 750);
	assert_int_equal(accepted_num("polling", "max_interval_ms", "1m"), 60000);
	assert_int_equal(accepted_num("starlink", "health_check_interval", "1500ms"), 1500);
	assert_int_equal(accepted_num("starlink", "health_check_interval", "5m"), 300000);
	assert_int_equal(accepted_num("starlink", "health_check_interval", "1h"), 3600000);
	assert_int_equal(accepted_num("starlink", "gps_update_interval", "1d"), 86400000);
	expect_reject("polling", "base_interval_ms", "15x",
		      "'15x' is not an integer or a duration with a unit (ms, s, m, h, d)");
	expect_reject("polling", "base_interval_ms", "-5", NULL);
	expect_reject("polling", "base_interval_ms", "1.5s", NULL);
	expect_reject("polling", "base_interval_ms", "5 s", NULL);
	expect_reject("polling", "base_interval_ms", "s", NULL);
	expect_reject("polling", "base_interval_ms", "5S", NULL);
	expect_reject("polling", "base_interval_ms", "99",
		      "value 99 is out of range 100..60000");
	expect_reject("polling", "base_interval_ms", "2m",
		      "value 2m is out of range 100ms..1m");
	expect_reject("starlink", "health_check_interval", "3601",
		      "value 3601 is out of range 1..3600");
	expect_reject("starlink", "health_check_interval", "2h",
		      "value 2h is out of range 1s..1h");
	expect_reject("starlink", "health_check_interval", "999ms",
		      "value 999ms is out of range 1s..1h");
	expect_reject("starlink", "health_check_interval", "99999999999999999d",
		      "value 99999999999999999d is out of range 1s..1h");
	expect_reject("starlink", "health_check_interval", "99999999999999999999",
		      "value 99999999999999999999 is out of range 1..3600");
}

static void test_enum(void **state)
{
	assert_int_equal(accepted_num("main", "backend", "netlink"), 1);
	assert_int_equal(accepted_num("main", "backend", "None"), 3);
	/* a value of the contract that this version cannot serve: refused */
	expect_reject("main", "backend", "mwan3",
		      "'mwan3' is not available in this version; "
		      "use 'netlink' (or 'auto') or 'none'");
	assert_int_equal(accepted_num("main", "log_level", "debug"), 4);
	assert_int_equal(accepted_num("qos", "bandwidth_sharing", "weighted"), 2);
	expect_reject("gps", "source", "modem",
		      "'modem' is not available in this version; give the modem's NMEA port to "
		      "gpsd and use 'gpsd' (or 'auto')");
	expect_reject("main", "backend", "mwan",
		      "'mwan' is not one of: auto, netlink, mwan3, none (did you mean 'mwan3'?)");
	expect_reject("main", "log_level", "verbose",
		      "'verbose' is not one of: err, warn, notice, info, debug");
	expect_reject("main", "log_level", "warning",
		      "'warning' is not one of: err, warn, notice, info, debug "
		      "(did you mean 'warn'?)");
}

static void test_host(void **state)
{
	expect_str("email", "smtp_server", "127.0.0.1", "127.0.0.1");
	expect_str("email", "smtp_server", "::1", "::1");
	expect_str("email", "smtp_server", "gps.example.net", "gps.example.net");
	expect_str("email", "smtp_server", "gpsd", "gpsd");
	expect_str("email", "smtp_server", "fqdn.example.", "fqdn.example.");
	expect_str("email", "smtp_server", "smtp-1.Company.COM", "smtp-1.Company.COM");
	/* gpsd is reached without name lookups on the loop: an address only */
	expect_str("gps", "gpsd_host", "::1", "::1");
	expect_reject("gps", "gpsd_host", "gps.example.net", "'gps.example.net' is not an IP address");
	expect_reject("email", "smtp_server", "1.2.3.999",
		      "'1.2.3.999' is not an IP address or host name");
	expect_reject("email", "smtp_server", "bad_host", NULL);
	expect_reject("email", "smtp_server", "-foo.com", NULL);
	expect_reject("email", "smtp_server", "foo-.com", NULL);
	expect_reject("email", "smtp_server", "a..b", NULL);
	expect_reject("email", "smtp_server", "host name", NULL);
	expect_reject("email", "smtp_server", "[::1]", NULL);
	expect_reject("email", "smtp_server", "1.2.3.4:80", NULL);
	expect_reject("email", "smtp_server",
		      "a234567890123456789012345678901234567890123456789012345678901234.com",
		      NULL);
}

static void test_cidr_list(void **state)
{
	struct config *cfg = expect_accept("security", "ip_whitelist",
					   "10.0.0.0/8 192.168.1.0/24,fd00::/8 ,10.1.2.3");
	const struct cfg_value *v = cfg_get(config_section(cfg, "security"), "ip_whitelist");

	assert_int_equal(v->n_items, 4);
	assert_string_equal(v->items[0].str, "10.0.0.0/8");
	assert_string_equal(v->items[1].str, "192.168.1.0/24");
	assert_string_equal(v->items[2].str, "fd00::/8");
	assert_string_equal(v->items[3].str, "10.1.2.3/32"); /* bare address = host */
	config_free(cfg);
	expect_str("security", "ip_whitelist", "FD00:0::1/64", "fd00::1/64");
	expect_reject("security", "ip_whitelist", "10.0.0.0/33",
		      "prefix length in 10.0.0.0/33 is out of range 0..32");
	expect_reject("security", "ip_whitelist", "fd00::/129",
		      "prefix length in fd00::/129 is out of range 0..128");
	expect_reject("security", "ip_whitelist", "10.0.0.0/",
		      "'10.0.0.0/' has a prefix length that is not a number");
	expect_reject("security", "ip_whitelist", "10.0.0.0/+8", NULL);
	expect_reject("security", "ip_whitelist", "10.0.0.0/-1", NULL);
	expect_reject("security", "ip_whitelist", "10.0.0/8",
		      "'10.0.0/8' is not an address/prefix");
	expect_reject("security", "ip_whitelist", "10.0.0.0/8 nonsense",
		      "'nonsense' is not an address/prefix");
	/* option '' keeps the default; an empty `list` item gives an empty list */
	cfg = expect_accept("security", "ip_whitelist", "");
	assert_int_equal(cfg_get(config_section(cfg, "security"), "ip_whitelist")->n_items, 1);
	config_free(cfg);
	cfg = load("config autonomy 'security'\n\tlist ip_whitelist ''\n", NULL);
	assert_non_null(cfg);
	assert_true(cfg_is_set(config_section(cfg, "security"), "ip_whitelist"));
	assert_int_equal(cfg_get(config_section(cfg, "security"), "ip_whitelist")->n_items, 0);
	config_free(cfg);
}

static void test_url_secret(void **state)
{
	struct cfg_diags d = { 0 };
	struct config *cfg;
	static const char *const good[] = {
		"https://hooks.slack.com/services/T0/B0/abc",
		"http://10.0.0.1:8080/hook",
		"HTTPS://[2001:db8::1]/x?y=1#z",
		"https://user:pw@example.com",
		"https://example.com",
	};
	static const char *const bad[] = {
		"ftp://hooks.slack.com/x", "https://", "https:///path", "hooks.slack.com/x",
		"https://exa mple.com/", "https://host:99999/", "https://host:/x",
		"https://[::1/x", "https://[zz::1]/", "https://bad_host/",
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		expect_str("slack", "webhook_url", good[i], good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_reject("slack", "webhook_url", bad[i],
			      "value is not an http:// or https:// URL");
	/* the token in a bad webhook URL never reaches the log */
	cfg = load("config autonomy 'slack'\n\toption webhook_url 'hooks.slack.com/TOKEN'\n", &d);
	assert_null(cfg);
	assert_false(strstr(d.v[0].msg, "TOKEN"));
	cfg_diags_free(&d);
}

static void test_types_direct(void **state)
{
	/* CFG_IPADDR and CFG_URL have no option yet; exercise them directly. */
	const struct cfg_option_def ip = { .name = "ip", .type = CFG_IPADDR, .help = "x" };
	const struct cfg_option_def url = { .name = "url", .type = CFG_URL, .help = "x" };
	struct cfg_item it;
	char err[256];

	assert_int_equal(cfg_parse_item(&ip, "192.168.001.1", &it, err, sizeof(err)), -1);
	assert_int_equal(cfg_parse_item(&ip, "2001:DB8:0:0::1", &it, err, sizeof(err)), 0);
	assert_string_equal(it.str, "2001:db8::1");
	free(it.str);
	assert_int_equal(cfg_parse_item(&ip, "10.0.0.1", &it, err, sizeof(err)), 0);
	assert_string_equal(it.str, "10.0.0.1");
	free(it.str);
	assert_int_equal(cfg_parse_item(&ip, "example.com", &it, err, sizeof(err)), -1);
	assert_string_equal(err, "'example.com' is not an IP address");
	assert_int_equal(cfg_parse_item(&ip, "10.0.0.1/8", &it, err, sizeof(err)), -1);
	assert_int_equal(cfg_parse_item(&url, "https://x.org/a", &it, err, sizeof(err)), 0);
	free(it.str);
	assert_int_equal(cfg_parse_item(&url, "mailto:a@b.c", &it, err, sizeof(err)), -1);
	assert_string_equal(err, "'mailto:a@b.c' is not an http:// or https:// URL");
}

static void test_long_value_is_shortened(void **state)
{
	char value[300], text[400];
	struct cfg_diags d = { 0 };

	memset(value, '9', sizeof(value) - 1);
	value[sizeof(value) - 1] = '\0';
	value[0] = 'x';
	snprintf(text, sizeof(text), "config autonomy 'qos'\n\toption priority_queues '%s'\n",
		 value);
	assert_null(load(text, &d));
	assert_true(strlen(d.v[0].msg) < 120);
	assert_non_null(strstr(d.v[0].msg, "...' is not an integer"));
	cfg_diags_free(&d);
}

static void test_email(void **state)
{
	struct config *cfg = expect_accept("email", "recipients",
					   "admin@company.com, ops.team+alerts@company.com");
	const struct cfg_value *v = cfg_get(config_section(cfg, "email"), "recipients");

	assert_int_equal(v->n_items, 2);
	assert_string_equal(v->items[1].str, "ops.team+alerts@company.com");
	config_free(cfg);
	expect_str("email", "from", "router@localhost", "router@localhost");
	expect_reject("email", "recipients", "admin", "'admin' is not an email address");
	expect_reject("email", "recipients", "a@@b.com", NULL);
	expect_reject("email", "recipients", "a@b@c.com", NULL);
	expect_reject("email", "recipients", ".a@b.com", NULL);
	expect_reject("email", "recipients", "a..b@b.com", NULL);
	expect_reject("email", "recipients", "a@-b.com", NULL);
	expect_reject("email", "recipients", "@b.com", NULL);
	expect_reject("email", "recipients", "a@", NULL);
	expect_reject("email", "recipients", "a(b)@c.com", NULL);
	/* one address only in a scalar email option */
	expect_reject("email", "from", "a@b.com,c@d.com",
		      "'a@b.com,c@d.com' is not an email address");
}

static void test_ifname(void **state)
{
	struct cfg_diags d = { 0 };
	struct config *cfg = load("config member 'a'\n"
				  "\toption interface 'wan_6'\n"
				  "\toption device 'eth0.100'\n", &d);

	assert_non_null(cfg);
	assert_string_equal(cfg_str(config_member(cfg, "a"), "device"), "eth0.100");
	config_free(cfg);
	assert_null(load("config member 'a'\n\toption device 'averyverylongname0'\n", &d));
	assert_true(has_diag(&d, CFG_ERROR,
			     F ":2: member.a.device: 'averyverylongname0' is not an interface "
			     "name (at most 15 characters, no '/', ':' or spaces)"));
	cfg_diags_free(&d);
	assert_null(load("config member 'a'\n\toption device 'eth/0'\n", &d));
	assert_null(load("config member 'a'\n\toption device 'eth 0'\n", &d));
	assert_null(load("config member 'a'\n\toption device 'eth0:1'\n", &d));
	assert_null(load("config member 'a'\n\toption device '..'\n", &d));
	assert_int_equal(d.n_errors, 4);
	cfg_diags_free(&d);
}

static void test_string_and_secret(void **state)
{
	expect_str("slack", "channel", "#network alerts", "#network alerts");
	expect_str("email", "password", "p@ss w0rd\"#;", "p@ss w0rd\"#;");
}

/* --- diagnostics ---------------------------------------------------------- */

static void test_unknown_option_warning(void **state)
{
	struct cfg_diags d = { 0 };
	struct config *cfg = load("config autonomy 'polling'\n"
				  "\toption base_interval_ms '1000'\n"
				  "\toption base_intervl_ms '2000'\n"
				  "\toption zzzzzzzz '1'\n", &d);

	assert_non_null(cfg); /* warnings alone keep the config */
	assert_int_equal(d.n, 2);
	assert_int_equal(d.n_errors, 0);
	assert_true(has_diag(&d, CFG_WARNING,
			     F ":3: polling: unknown option 'base_intervl_ms' "
			     "(did you mean 'base_interval_ms'?)"));
	assert_true(has_diag(&d, CFG_WARNING, F ":4: polling: unknown option 'zzzzzzzz'"));
	assert_int_equal(cfg_duration_ms(config_section(cfg, "polling"), "base_interval_ms"),
			 1000);
	config_free(cfg);
	cfg_diags_free(&d);
}

static void test_unknown_member_option(void **state)
{
	struct cfg_diags d = { 0 };
	struct config *cfg = load("config member 'wan'\n"
				  "\toption device 'eth1'\n"
				  "\toption priorty '2'\n", &d);

	assert_non_null(cfg);
	assert_true(has_diag(&d, CFG_WARNING,
			     F ":3: member.wan: unknown option 'priorty' (did you mean 'priority'?)"));
	config_free(cfg);
	cfg_diags_free(&d);
}

static void test_unknown_sections(void **state)
{
	struct cfg_diags d = { 0 };
	struct config *cfg = load("config autonomy 'pollng'\n"
				  "\toption base_interval_ms 'garbage'\n"
				  "config autonomy 'frobnicator'\n"
				  "config interface 'lan'\n"
				  "\toption proto 'static'\n"
				  "config autonomy\n"
				  "\toption x 'y'\n", &d);

	assert_non_null(cfg);
	assert_int_equal(d.n_errors, 0);
	assert_int_equal(d.n, 4);
	assert_true(has_diag(&d, CFG_WARNING,
			     F ":1: unknown section 'autonomy pollng' is ignored "
			     "(did you mean 'polling'?)"));
	assert_true(has_diag(&d, CFG_WARNING,
			     F ":3: unknown section 'autonomy frobnicator' is ignored"));
	assert_true(has_diag(&d, CFG_WARNING,
			     F ":4: section type 'interface' is not used by autonomy"));
	assert_true(has_diag_part(&d, F ":6: anonymous 'autonomy' section is ignored"));
	assert_false(config_section(cfg, "polling")->present);
	config_free(cfg);
	cfg_diags_free(&d);
}

static void test_duplicate_sections(void **state)
{
	struct cfg_diags d = { 0 };

	assert_null(load("config member 'wan'\n"
			 "\toption device 'eth1'\n"
			 "config member 'lte'\n"
			 "\toption device 'wwan0'\n"
			 "config member 'wan'\n"
			 "\toption device 'eth2'\n", &d));
	assert_int_equal(d.n_errors, 1);
	assert_true(has_diag(&d, CFG_ERROR,
			     F ":6: member 'wan' is defined twice (first at line 1)"));
	cfg_diags_free(&d);
	assert_null(load("config autonomy 'qos'\n"
			 "\toption priority_queues '4'\n"
			 "config autonomy 'gps'\n"
			 "config autonomy 'qos'\n"
			 "\toption enabled '0'\n", &d));
	assert_int_equal(d.n_errors, 1);
	assert_true(has_diag(&d, CFG_ERROR,
			     F ":5: section 'qos' is defined twice (first at line 1)"));
	cfg_diags_free(&d);
}

static void test_member_rules(void **state)
{
	struct cfg_diags d = { 0 };
	struct config *cfg;

	assert_null(load("config member\n\toption device 'eth1'\n", &d));
	assert_true(has_diag(&d, CFG_ERROR,
			     F ":1: member section has no name (use e.g. config member 'wan')"));
	cfg_diags_free(&d);

	assert_null(load("\nconfig member 'lte'\n\toption class 'cellular'\n", &d));
	assert_int_equal(d.n_errors, 1);
	assert_true(has_diag(&d, CFG_ERROR,
			     F ":2: member.lte: needs option 'interface' or 'device'"));
	cfg_diags_free(&d);

	/* interface alone, device alone: both fine; defaults filled in */
	cfg = load("config member 'a'\n\toption interface 'wan'\n"
		   "config member 'b'\n\toption device 'wwan0'\n", &d);
	assert_non_null(cfg);
	assert_int_equal(d.n, 0);
	assert_int_equal(cfg->n_members, 2);
	assert_string_equal(cfg->members[0].name, "a");
	assert_string_equal(cfg->members[1].name, "b");
	assert_int_equal(cfg->members[1].line, 3);
	assert_int_equal(cfg_int(&cfg->members[0], "priority"), 1);
	assert_int_equal(cfg_enum(&cfg->members[0], "class"), 5); /* auto */
	assert_false(cfg_bool(&cfg->members[0], "metered"));
	assert_true(cfg_bool(&cfg->members[0], "enabled"));
	assert_int_equal(cfg_get(&cfg->members[0], "target")->n_items, 0);
	assert_null(cfg_str(&cfg->members[0], "device"));
	config_free(cfg);

	/* UCI section names are unique across types: a member cannot share its
	 * name with a global section (libuci's strict mode refuses it) */
	assert_null(load("config autonomy 'starlink'\n\toption api_port '9201'\n"
			 "config member 'starlink'\n\toption device 'eth1'\n", &d));
	assert_int_equal(d.n_errors, 1);
	assert_true(has_diag_part(&d, F ":3: "));
	cfg_diags_free(&d);

	/* the same device twice is suspicious, not fatal */
	cfg = load("config member 'a'\n\toption device 'eth1'\n"
		   "config member 'b'\n\toption device 'eth1'\n", &d);
	assert_non_null(cfg);
	assert_true(has_diag(&d, CFG_WARNING,
			     F ":4: member.b: device 'eth1' is also used by member 'a'"));
	config_free(cfg);
	cfg_diags_free(&d);
}

static void test_member_values(void **state)
{
	struct cfg_diags d = { 0 };

	assert_null(load("config member 'a'\n\toption device 'eth1'\n"
			 "\toption priority '0'\n"
			 "\toption class 'satellite'\n"
			 "\toption qmi_device 'cdc-wdm0'\n"
			 "\tlist target '1.1.1.1 bad_host'\n", &d));
	assert_int_equal(d.n_errors, 4);
	assert_true(has_diag(&d, CFG_ERROR,
			     F ":3: member.a.priority: value 0 is out of range 1..255"));
	assert_true(has_diag(&d, CFG_ERROR,
			     F ":4: member.a.class: 'satellite' is not one of: starlink, cellular, "
			     "wifi, lan, other, auto"));
	assert_true(has_diag(&d, CFG_ERROR,
			     F ":5: member.a.qmi_device: 'cdc-wdm0' must be an absolute path such "
			     "as /dev/cdc-wdm0"));
	assert_true(has_diag(&d, CFG_ERROR,
			     F ":6: member.a.target: 'bad_host' is not a numeric IPv4 or IPv6 address"));
	cfg_diags_free(&d);
}

static void test_lists(void **state)
{
	struct cfg_diags d = { 0 };
	struct config *cfg = load("config member 'a'\n"
				  "\toption device 'eth1'\n"
				  "\tlist target '1.1.1.1'\n"
				  "\tlist target 'tcp:1.1.1.1:443'\n"
				  "\tlist target '2606:4700:4700::1111, 9.9.9.9'\n"
				  "config member 'b'\n"
				  "\toption device 'eth2'\n"
				  "\toption target '8.8.8.8 8.8.4.4'\n", &d);
	const struct cfg_value *v;

	if (!cfg)
		dump(&d);
	assert_non_null(cfg);
	v = cfg_get(config_member(cfg, "a"), "target");
	assert_int_equal(v->n_items, 4);
	assert_true(v->set);
	assert_int_equal(v->line, 5);
	assert_string_equal(v->items[0].str, "icmp:1.1.1.1");
	assert_string_equal(v->items[1].str, "tcp:1.1.1.1:443");
	assert_string_equal(v->items[2].str, "icmp:2606:4700:4700::1111");
	assert_string_equal(v->items[3].str, "icmp:9.9.9.9");
	v = cfg_get(config_member(cfg, "b"), "target");
	assert_int_equal(v->n_items, 2);
	assert_string_equal(v->items[1].str, "icmp:8.8.4.4");
	config_free(cfg);

	/* list recipients lines accumulate; commas split within one */
	cfg = load("config autonomy 'email'\n"
		   "\tlist recipients 'a@x.org'\n"
		   "\tlist recipients 'b@x.org,c@x.org'\n", &d);
	assert_non_null(cfg);
	assert_int_equal(cfg_get(config_section(cfg, "email"), "recipients")->n_items, 3);
	config_free(cfg);
	cfg_diags_free(&d);
}

static void test_list_for_scalar(void **state)
{
	struct cfg_diags d = { 0 };

	assert_null(load("config member 'a'\n"
			 "\toption device 'eth1'\n"
			 "\tlist priority '1'\n", &d));
	assert_int_equal(d.n_errors, 1);
	assert_true(has_diag(&d, CFG_ERROR,
			     F ":3: member.a.priority: takes a single value: use "
			     "'option priority', not 'list'"));
	cfg_diags_free(&d);
}

static void test_repeated_option(void **state)
{
	struct cfg_diags d = { 0 };
	struct config *cfg = load("config autonomy 'qos'\n"
				  "\toption priority_queues '3'\n"
				  "\toption priority_queues '5'\n", &d);

	/* libuci semantics: the last one wins (the parser may or may not report
	 * the repeat; if it keeps both statements we warn) */
	assert_non_null(cfg);
	assert_int_equal(d.n_errors, 0);
	assert_int_equal(cfg_int(config_section(cfg, "qos"), "priority_queues"), 5);
	assert_int_equal(cfg_get(config_section(cfg, "qos"), "priority_queues")->line, 3);
	config_free(cfg);
	cfg_diags_free(&d);
}

static void test_cross_checks(void **state)
{
	struct cfg_diags d = { 0 };
	struct config *cfg;

	assert_null(load("config autonomy 'polling'\n"
			 "\toption min_interval_ms '500'\n"
			 "\toption base_interval_ms '400'\n", &d));
	assert_int_equal(d.n_errors, 1);
	assert_true(has_diag(&d, CFG_ERROR,
			     F ":3: polling: min_interval_ms (500) must not be greater than "
			     "base_interval_ms (400)"));
	cfg_diags_free(&d);

	assert_null(load("config autonomy 'polling'\n"
			 "\toption base_interval_ms '6s'\n", &d));
	assert_true(has_diag(&d, CFG_ERROR,
			     F ":2: polling: base_interval_ms (6000) must not be greater than "
			     "max_interval_ms (5000)"));
	cfg_diags_free(&d);

	/* equal bounds are fine */
	cfg = load("config autonomy 'polling'\n"
		   "\toption min_interval_ms '1s'\n\toption base_interval_ms '1000'\n"
		   "\toption max_interval_ms '1000ms'\n", &d);
	assert_non_null(cfg);
	config_free(cfg);

	assert_null(load("config autonomy 'alerts'\n\toption health_critical '80'\n"
			 "config autonomy 'qos'\n\toption priority_queues '2'\n", &d));
	assert_int_equal(d.n_errors, 3);
	assert_true(has_diag(&d, CFG_ERROR,
			     F ":2: alerts: health_critical (80) must not be greater than "
			     "health_warning (70)"));
	assert_true(has_diag(&d, CFG_ERROR,
			     F ":4: qos: data_priority (3) must not be greater than "
			     "priority_queues (2)"));
	cfg_diags_free(&d);
}

static void test_enabled_needs(void **state)
{
	struct cfg_diags d = { 0 };

	assert_null(load("config autonomy 'email'\n\toption enabled '1'\n"
			 "\toption smtp_server 'smtp.example.com'\n"
			 "config autonomy 'slack'\n\toption enabled 'yes'\n"
			 "config autonomy 'pagerduty'\n\toption enabled 'on'\n"
			 "\toption api_key ''\n", &d));
	assert_int_equal(d.n_errors, 3);
	assert_true(has_diag(&d, CFG_ERROR,
			     F ":2: email: enabled, but option 'recipients' is not set"));
	assert_true(has_diag(&d, CFG_ERROR,
			     F ":5: slack: enabled, but option 'webhook_url' is not set"));
	assert_true(has_diag(&d, CFG_ERROR,
			     F ":7: pagerduty: enabled, but option 'api_key' is not set"));
	cfg_diags_free(&d);
}

static void test_paths(void **state)
{
	struct cfg_diags d = { 0 };
	char text[512];

	assert_null(load("config autonomy 'main'\n\toption state_dir 'var/lib/autonomy'\n"
			 "config autonomy 'cellular'\n\toption mmcli 'mmcli'\n", &d));
	assert_true(has_diag(&d, CFG_ERROR,
			     F ":2: main.state_dir: 'var/lib/autonomy' must be an absolute path"));
	assert_true(has_diag(&d, CFG_ERROR,
			     F ":4: cellular.mmcli: 'mmcli' must be an absolute path or empty"));
	cfg_diags_free(&d);
	snprintf(text, sizeof(text), "config autonomy 'main'\n\toption control_socket '/%0120d'\n",
		 0);
	assert_null(load(text, &d));
	assert_true(has_diag_part(&d, "must be an absolute path of at most 107 characters"));
	cfg_diags_free(&d);
}

static void test_one_error_rejects_all(void **state)
{
	struct cfg_diags d = { 0 };
	char *buf;
	size_t len;
	FILE *f = fopen(EXAMPLE, "r");
	struct config *cfg;

	assert_non_null(f);
	buf = calloc(1, 65536);
	assert_non_null(buf);
	len = fread(buf, 1, 65535, f);
	fclose(f);
	cfg = config_load_buf("x", buf, len, &d);
	assert_non_null(cfg); /* as is, it loads */
	config_free(cfg);
	strcat(buf, "config autonomy 'gps'\n\toption gpsd_port '2948'\n"); /* 2nd gps */
	assert_null(config_load_buf("x", buf, strlen(buf), &d));
	assert_int_equal(d.n_errors, 1);
	cfg_diags_free(&d);
	buf[len] = '\0';
	strcat(buf, "config member 'x'\n\toption device 'eth9'\n\toption metered 'sometimes'\n");
	assert_null(config_load_buf("x", buf, strlen(buf), &d));
	drop_kind_warnings(&d);
	assert_int_equal(d.n_errors, 1);
	assert_int_equal(d.n, 1);
	cfg_diags_free(&d);
	free(buf);
}

static void test_syntax_error(void **state)
{
	struct cfg_diags d = { 0 };

	assert_null(load("config autonomy 'main'\n\toption backend 'auto\n\n", &d));
	assert_int_equal(d.n, 1);
	assert_int_equal(d.n_errors, 1);
	assert_true(d.v[0].line >= 2);
	assert_int_equal(strncmp(d.v[0].msg, F ":", strlen(F ":")), 0);
	cfg_diags_free(&d);
	/* NUL bytes are a syntax error, never truncation */
	assert_null(config_load_buf(F, "config autonomy 'main'\0x", 24, &d));
	assert_int_equal(d.n_errors, 1);
	cfg_diags_free(&d);
}

static void test_diags_accumulate(void **state)
{
	/* two loads into one diags list: counts add up, free resets */
	struct cfg_diags d = { 0 };

	assert_null(load("config autonomy 'main'\n\toption dry_run '7'\n", &d));
	assert_null(load("config autonomy 'main'\n\toption backend 'x'\n", &d));
	assert_int_equal(d.n, 2);
	assert_int_equal(d.n_errors, 2);
	cfg_diags_free(&d);
	assert_int_equal(d.n, 0);
	assert_null(d.v);
	cfg_diags_free(&d);
	cfg_diags_free(NULL);
}

/* --- getters --------------------------------------------------------------- */

static void test_getters(void **state)
{
	struct config *cfg = load("config autonomy 'main'\n\toption backend 'netlink'\n", NULL);
	const struct cfg_section *m = config_section(cfg, "main");

	assert_non_null(cfg);
	assert_true(cfg_is_set(m, "backend"));
	assert_false(cfg_is_set(m, "log_level"));
	assert_int_equal(cfg_enum(m, "backend"), 1);
	assert_string_equal(cfg_enum_str(m, "backend"), "netlink");
	assert_string_equal(cfg_enum_str(m, "log_level"), "info");
	assert_int_equal(cfg_get(m, "backend")->line, 2);
	assert_int_equal(cfg_get(m, "log_level")->line, 0);
	assert_string_equal(cfg_str(m, "state_dir"), "/var/lib/autonomy");
	assert_null(config_section(NULL, "main"));
	config_free(cfg);
	config_free(NULL);
}

typedef void (*misuse_fn)(const struct cfg_section *s);

static void misuse_unknown(const struct cfg_section *s) { (void)cfg_int(s, "nope"); }
static void misuse_type(const struct cfg_section *s) { (void)cfg_int(s, "backend"); }
static void misuse_str(const struct cfg_section *s) { (void)cfg_str(s, "dry_run"); }
static void misuse_bool(const struct cfg_section *s) { (void)cfg_bool(s, "state_dir"); }
static void misuse_enum(const struct cfg_section *s) { (void)cfg_enum_str(s, "dry_run"); }

/* A getter used wrongly is a bug and aborts; run it in a child. */
static void expect_abort(misuse_fn fn)
{
	struct config *cfg = load("", NULL);
	pid_t pid;
	int status;

	assert_non_null(cfg);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (!freopen("/dev/null", "w", stderr))
			_exit(3);
		fn(config_section(cfg, "main"));
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
	config_free(cfg);
}

static void test_getter_misuse_aborts(void **state)
{
	expect_abort(misuse_unknown);
	expect_abort(misuse_type);
	expect_abort(misuse_str);
	expect_abort(misuse_bool);
	expect_abort(misuse_enum);
}

static void list_str_misuse(const struct cfg_section *s)
{
	(void)s;
	struct config *cfg = load("", NULL);

	(void)cfg_str(config_section(cfg, "security"), "ip_whitelist");
}

static void test_list_getter_misuse_aborts(void **state)
{
	expect_abort(list_str_misuse);
}

/* --- JSON and masking ------------------------------------------------------ */

static void test_mask_secret(void **state)
{
	char out[32];

	cfg_mask_secret("secure-password", out, sizeof(out));
	assert_string_equal(out, "se******");
	cfg_mask_secret("a-very-long-secret-that-goes-on-and-on-and-on", out, sizeof(out));
	assert_string_equal(out, "a-******");
	cfg_mask_secret("", out, sizeof(out));
	assert_string_equal(out, "");
	cfg_mask_secret(NULL, out, sizeof(out));
	assert_string_equal(out, "");
	cfg_mask_secret("abc", out, sizeof(out)); /* short: nothing revealed */
	assert_string_equal(out, "******");
	cfg_mask_secret("abcdef", out, sizeof(out));
	assert_string_equal(out, "a******");
	cfg_mask_secret("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", out, sizeof(out));
	assert_string_equal(out, "******");
	cfg_mask_secret("secure-password", out, 4);
	assert_string_equal(out, "se*");
}

static json_object *jget(json_object *o, const char *a, const char *b)
{
	json_object *x = NULL, *y = NULL;

	assert_true(json_object_object_get_ex(o, a, &x));
	if (!b)
		return x;
	assert_true(json_object_object_get_ex(x, b, &y));
	return y;
}

static void test_to_json(void **state)
{
	struct config *cfg = load_example_all(NULL); /* with the secrets of the alert channels */
	json_object *j, *secs, *v, *members, *m;

	assert_non_null(cfg);
	j = config_to_json(cfg, false);
	assert_non_null(j);
	assert_string_equal(json_object_get_string(jget(j, "file", NULL)), EXAMPLE);
	secs = jget(j, "sections", NULL);
	assert_int_equal(json_object_object_length(secs), (int)cfg_n_global_sections);
	v = jget(secs, "email", "password");
	assert_string_equal(json_object_get_string(v), "se******");
	v = jget(secs, "slack", "webhook_url");
	assert_string_equal(json_object_get_string(v), "ht******");
	assert_null(strstr(json_object_to_json_string(j), "secure-password"));
	assert_null(strstr(json_object_to_json_string(j), "zzz"));
	v = jget(secs, "polling", "base_interval_ms");
	assert_true(json_object_is_type(v, json_type_int));
	assert_int_equal(json_object_get_int64(v), 1500);
	v = jget(secs, "starlink", "health_check_interval");
	assert_int_equal(json_object_get_int64(v), 30); /* seconds, as written */
	assert_true(json_object_is_type(jget(secs, "main", "dry_run"), json_type_boolean));
	assert_string_equal(json_object_get_string(jget(secs, "main", "backend")), "auto");
	v = jget(secs, "email", "recipients");
	assert_true(json_object_is_type(v, json_type_array));
	assert_int_equal(json_object_array_length(v), 2);
	assert_true(json_object_is_type(jget(secs, "security", "ip_whitelist"),
					json_type_array));
	assert_true(json_object_is_type(jget(secs, "webhook", "secret"), json_type_null));
	members = jget(j, "members", NULL);
	assert_int_equal(json_object_array_length(members), 3);
	m = json_object_array_get_idx(members, 1);
	assert_string_equal(json_object_get_string(jget(m, "name", NULL)), "wan_cellular");
	assert_true(json_object_get_boolean(jget(m, "metered", NULL)));
	assert_string_equal(json_object_get_string(jget(m, "class", NULL)), "cellular");
	m = json_object_array_get_idx(members, 2);
	assert_true(json_object_is_type(jget(m, "modem", NULL), json_type_null));
	assert_int_equal(json_object_array_length(jget(m, "target", NULL)), 0);
	/* What has no effect yet, per section ("member": every member's). */
	v = jget(j, "planned", NULL);
	assert_false(json_object_object_get_ex(v, "security", NULL));
	assert_int_equal(json_object_array_length(jget(v, "network_security", NULL)), 1);
	assert_string_equal(json_object_get_string(json_object_array_get_idx(
		jget(v, "network_security", NULL), 0)), "traffic_monitoring");
	assert_string_equal(json_object_get_string(
		json_object_array_get_idx(jget(v, "member", NULL), 0)), "weight");
	assert_false(json_object_object_get_ex(v, "alerts", NULL));    /* every one works */
	assert_false(json_object_object_get_ex(v, "email", NULL));
	assert_false(json_object_object_get_ex(v, "main", NULL));
	assert_false(json_object_object_get_ex(v, "starlink", NULL));
	json_object_put(j);

	j = config_to_json(cfg, true);
	secs = jget(j, "sections", NULL);
	assert_string_equal(json_object_get_string(jget(secs, "email", "password")),
			    "secure-password");
	assert_string_equal(json_object_get_string(jget(secs, "pagerduty", "api_key")),
			    "your-pagerduty-api-key");
	json_object_put(j);
	config_free(cfg);
	assert_null(config_to_json(NULL, false));
}

static void test_json_fractional_seconds(void **state)
{
	struct config *cfg = load("config autonomy 'starlink'\n"
				  "\toption health_check_interval '1500ms'\n", NULL);
	json_object *j = config_to_json(cfg, false), *v;

	v = jget(jget(j, "sections", NULL), "starlink", "health_check_interval");
	assert_true(json_object_is_type(v, json_type_double));
	assert_true(json_object_get_double(v) == 1.5);
	json_object_put(j);
	config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_only),
		cmocka_unit_test(test_defaults_without_diags),
		cmocka_unit_test(test_example_loads_clean),
		cmocka_unit_test(test_example_planned),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_empty_value),
		cmocka_unit_test(test_int),
		cmocka_unit_test(test_range_message_and_line),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_enum),
		cmocka_unit_test(test_host),
		cmocka_unit_test(test_cidr_list),
		cmocka_unit_test(test_url_secret),
		cmocka_unit_test(test_types_direct),
		cmocka_unit_test(test_long_value_is_shortened),
		cmocka_unit_test(test_email),
		cmocka_unit_test(test_ifname),
		cmocka_unit_test(test_string_and_secret),
		cmocka_unit_test(test_unknown_option_warning),
		cmocka_unit_test(test_unknown_member_option),
		cmocka_unit_test(test_unknown_sections),
		cmocka_unit_test(test_duplicate_sections),
		cmocka_unit_test(test_member_rules),
		cmocka_unit_test(test_member_values),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_list_for_scalar),
		cmocka_unit_test(test_repeated_option),
		cmocka_unit_test(test_cross_checks),
		cmocka_unit_test(test_enabled_needs),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_one_error_rejects_all),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_diags_accumulate),
		cmocka_unit_test(test_getters),
		cmocka_unit_test(test_getter_misuse_aborts),
		cmocka_unit_test(test_list_getter_misuse_aborts),
		cmocka_unit_test(test_mask_secret),
		cmocka_unit_test(test_to_json),
		cmocka_unit_test(test_json_fractional_seconds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
