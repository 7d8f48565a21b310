/* cfg_check: rules that one option's type cannot express: values that must
 * be ordered, options a feature needs once it is enabled, paths, members'
 * identity. Each rule is a table row so adding one is one line. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "config/cfg_alerts.h"
#include "config/cfg_internal.h"

/* Line to blame: the last of the given options that was set in the file,
 * else the section's own line (0 when the section is absent). */
static int blame_line(const struct cfg_section *s, const struct cfg_value *a,
		      const struct cfg_value *b)
{
	int line = s->line;

	if (a && a->set)
		line = a->line;
	if (b && b->set && b->line > line)
		line = b->line;
	return line;
}

static bool has_value(const struct cfg_value *v)
{
	return v->n_items > 0 && (!v->items[0].str || v->items[0].str[0]);
}

/* Given in the file, even if it was rejected (then it has an error already). */
static bool given(const struct cfg_value *v)
{
	return has_value(v) || v->line > 0;
}

/* --- required options ---------------------------------------------------- */

static void check_required(struct cfg_load *c, const struct cfg_section *s)
{
	char lb[96];

	for (size_t i = 0; i < s->def->n_opts; i++)
		if ((s->def->opts[i].flags & CFG_F_REQUIRED) && !given(&s->vals[i]))
			cfg_diag(c, CFG_ERROR, s->line, "%s: missing required option '%s'",
				 cfg_label(s, lb, sizeof(lb)), s->def->opts[i].name);
}

/* --- per-option rules ---------------------------------------------------- */

static bool abs_path(const char *v)
{
	return v[0] == '/';
}

static bool abs_path_or_empty(const char *v)
{
	return !v[0] || v[0] == '/';
}

static bool socket_path(const char *v)
{
	return v[0] == '/' && strlen(v) < sizeof(((struct sockaddr_un *)0)->sun_path);
}

/* A group as getgrnam(3) takes it, or a number; empty: none. */
static bool group_name(const char *v)
{
	size_t n = strlen(v);
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)v[i]) && !strchr("_-.", v[i]))
			return false;
	return n <= 32 && v[0] != '-';
}

bool cfg_mark_mask_parse(const char *text, uint32_t *mask)
{
	char *end = NULL;
	if (!text || !*text || *text == '-' || *text == '+')
		return false;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 0);
	uint32_t m = (uint32_t)v, low = m & -m;
	if (errno || *end || v == 0 || v > UINT32_MAX || ((m + low) & m) != 0)
		return false;
	*mask = m;
	return true;
}

static bool mark_mask(const char *v)
{
	uint32_t m;
	return cfg_mark_mask_parse(v, &m);
}

static bool escalation_step(const char *v)
{
	return !strcmp(v, "restart_daemon") || !strcmp(v, "restart_interface") ||
	       !strcmp(v, "reboot");
}

/* A program: an absolute path, or a bare name found on PATH. */
static bool program(const char *v)
{
	return v[0] == '/' || !strchr(v, '/');
}

static bool listen_or_empty(const char *v)
{
	struct sockaddr_storage ss;
	socklen_t len;
	return !v[0] || cfg_parse_listen(v, &ss, &len) == 0;
}

static bool prom_file(const char *v)
{
	size_t n = strlen(v);
	return !v[0] || (v[0] == '/' && n > 5 && strcmp(v + n - 5, ".prom") == 0);
}

/* net-snmp's forms: a socket path, or tcp:ADDRESS:PORT. */
static bool agentx_socket(const char *v)
{
	return socket_path(v) || (strncmp(v, "tcp:", 4) == 0 && v[4]);
}

/* A numeric OID: .1.3.6... (at least two arcs, each a number). */
static bool numeric_oid(const char *v)
{
	unsigned arcs = 0;
	while (*v == '.') {
		v++;
		if (*v < '0' || *v > '9')
			return false;
		while (*v >= '0' && *v <= '9')
			v++;
		arcs++;
	}
	return !*v && arcs >= 2 && arcs <= 100;
}

/* An MQTT topic prefix: no wildcards, no empty levels at its ends. */
static bool topic_prefix(const char *v)
{
	size_t n = strlen(v);
	return !v[0] || (!strpbrk(v, "+#") && v[0] != '/' && v[n - 1] != '/' && n < 200);
}

static bool quiet_or_empty(const char *v)
{
	int a, b;
	return !v[0] || cfg_quiet_parse(v, &a, &b) == 0;
}

static bool ntfy_priority(const char *v)
{
	int p[4] = { 3, 3, 3, 3 };
	return cfg_ntfy_priority_parse(v, p) == 0;
}

/* ntfy's topic names: letters, digits, _ and -, at most 64. */
static bool ntfy_topic(const char *v)
{
	size_t n = strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");
	return n > 0 && n <= 64 && !v[n];
}

static const struct option_rule {
	const char *section;    /* NULL: every member */
	const char *opt;
	bool (*ok)(const char *value);
	const char *what;
} option_rules[] = {
	{ "main", "state_dir", abs_path, "must be an absolute path" },
	{ "main", "admin_group", group_name, "must be a group name or number" },
	{ "main", "socket_group", group_name, "must be a group name or number" },
	{ "main", "run_dir", abs_path_or_empty, "must be an absolute path or empty" },
	{ "main", "log_file", abs_path_or_empty, "must be an absolute path or empty" },
	{ "main", "backup_dir", abs_path_or_empty, "must be an absolute path or empty" },
	{ "main", "pid_file", abs_path, "must be an absolute path" },
	{ "main", "control_socket", socket_path,
	  "must be an absolute path of at most 107 characters" },
	{ "main", "flow_mark_mask", mark_mask,
	  "must be one run of contiguous bits, such as 0x3f000000 (hex or decimal)" },
	{ "slack", "webhook_url", cfg_valid_url, "is not an http:// or https:// URL" },
	{ "alerts", "quiet_hours", quiet_or_empty, "is not a span HH:MM-HH:MM such as 22:00-07:00" },
	{ "alerts", "hook", abs_path_or_empty, "must be an absolute path or empty" },
	{ "alerts", "ca_file", abs_path_or_empty, "must be an absolute path or empty" },
	{ "email", "ca_file", abs_path_or_empty, "must be an absolute path or empty" },
	{ "webhook", "url", cfg_valid_url, "is not an http:// or https:// URL" },
	{ "ntfy", "topic", ntfy_topic, "may hold letters, digits, _ and - only (at most 64)" },
	{ "ntfy", "priority", ntfy_priority,
	  "is not LEVEL=PRIORITY pairs (info, warning, critical, emergency = 1-5, min, low, "
	  "default, high, urgent)" },
	{ "cellular", "mmcli", abs_path_or_empty, "must be an absolute path or empty" },
	{ "cellular", "uqmi", abs_path_or_empty, "must be an absolute path or empty" },
	{ "cellular", "qmicli", abs_path_or_empty, "must be an absolute path or empty" },
	{ "cellular", "gsmctl", abs_path_or_empty, "must be an absolute path or empty" },
	{ NULL, "qmi_device", abs_path, "must be an absolute path such as /dev/cdc-wdm0" },
	{ "starwatch", "log_file", abs_path_or_empty, "must be an absolute path or empty" },
	{ "starwatch", "pid_file", abs_path, "must be an absolute path" },
	{ "starwatch", "state_file", abs_path_or_empty, "must be an absolute path or empty" },
	{ "starwatch", "restart_command", program,
	  "must start with an absolute path or a program name" },
	{ "starwatch", "reboot_command", program,
	  "must start with an absolute path or a program name" },
	{ "starwatch", "alert_url", cfg_valid_url, "is not an http:// or https:// URL" },
	{ "prometheus", "listen", listen_or_empty,
	  "is not ADDRESS:PORT (numeric IPv4, or [IPv6]:PORT) or empty" },
	{ "prometheus", "textfile", prom_file, "must be an absolute path ending in .prom, or empty" },
	{ "snmp", "agentx_socket", agentx_socket,
	  "must be an absolute path (at most 107 characters) or tcp:ADDRESS:PORT" },
	{ "snmp", "base_oid", numeric_oid, "is not a numeric OID such as .1.3.6.1.4.1.12345.1" },
	{ "mqtt", "ca_file", abs_path_or_empty, "must be an absolute path or empty" },
	{ "mqtt", "topic_prefix", topic_prefix,
	  "must not contain + or # nor start or end with /" },
};

/* Lists whose every item must pass (option_rules check a value's first). */
static const struct option_rule item_rules[] = {
	{ "starwatch", "escalation", escalation_step,
	  "is not a step (restart_daemon, restart_interface, reboot)" },
};

static void apply_rule(struct cfg_load *c, const struct cfg_section *s,
		       const struct option_rule *r, bool every_item)
{
	const struct cfg_value *v = cfg_get(s, r->opt);
	const struct cfg_option_def *d = &s->def->opts[v - s->vals];
	char lb[96];

	size_t bad = 0, n = every_item ? v->n_items : 1;
	while (bad < n && bad < v->n_items && r->ok(v->items[bad].str))
		bad++;
	if (!v->n_items || bad >= n)
		return;
	if (d->type == CFG_SECRET) /* the value holds a token: never print it */
		cfg_diag(c, CFG_ERROR, blame_line(s, v, NULL), "%s.%s: value %s",
			 cfg_label(s, lb, sizeof(lb)), r->opt, r->what);
	else
		cfg_diag(c, CFG_ERROR, blame_line(s, v, NULL), "%s.%s: '%.64s' %s",
			 cfg_label(s, lb, sizeof(lb)), r->opt, v->items[bad].str, r->what);
}

static void apply_rules(struct cfg_load *c, const struct cfg_section *s,
			const struct option_rule *rules, size_t n, bool every_item)
{
	for (size_t i = 0; i < n; i++) {
		const struct option_rule *r = &rules[i];

		if (r->section ? s->def->name && strcmp(r->section, s->def->name) == 0
			       : !s->def->name)
			apply_rule(c, s, r, every_item);
	}
}

static void check_option_rules(struct cfg_load *c, const struct cfg_section *s)
{
	apply_rules(c, s, option_rules, sizeof(option_rules) / sizeof(option_rules[0]), false);
	apply_rules(c, s, item_rules, sizeof(item_rules) / sizeof(item_rules[0]), true);
}

/* --- ordered pairs: lo <= hi ----------------------------------------------- */

static const struct order_rule {
	const char *section, *lo, *hi;
} order_rules[] = {
	{ "polling", "min_interval_ms", "base_interval_ms" },
	{ "polling", "base_interval_ms", "max_interval_ms" },
	{ "alerts", "health_critical", "health_warning" },
	{ "alerts", "failover_warning", "failover_critical" },
	{ "qos", "voice_priority", "priority_queues" },
	{ "qos", "video_priority", "priority_queues" },
	{ "qos", "data_priority", "priority_queues" },
	{ "qos", "bulk_priority", "priority_queues" },
	{ "bandwidth", "data_warning_pct", "data_last_resort_pct" },
	{ "starwatch", "check_interval", "hang_timeout" },
	{ "alerts", "retry_min", "retry_max" },
	{ "alerts", "connect_timeout", "send_timeout" },
};

/* A number as the user wrote it: durations in the option's unit. */
static void fmt_value(const struct cfg_section *s, const struct cfg_value *v, char *out,
		      size_t size)
{
	const struct cfg_option_def *d = &s->def->opts[v - s->vals];
	long long n = v->n_items ? v->items[0].num : 0;

	if (d->type == CFG_DURATION && !(d->flags & CFG_F_UNIT_MS) && n % 1000 == 0)
		snprintf(out, size, "%lld", n / 1000);
	else if (d->type == CFG_DURATION && !(d->flags & CFG_F_UNIT_MS))
		cfg_fmt_duration(n, out, size);
	else
		snprintf(out, size, "%lld", n);
}

static void check_order(struct cfg_load *c, const struct cfg_section *s,
			const struct order_rule *r)
{
	const struct cfg_value *lo = cfg_get(s, r->lo), *hi = cfg_get(s, r->hi);
	char a[32], b[32];

	if (!lo->n_items || !hi->n_items || lo->items[0].num <= hi->items[0].num)
		return;
	fmt_value(s, lo, a, sizeof(a));
	fmt_value(s, hi, b, sizeof(b));
	cfg_diag(c, CFG_ERROR, blame_line(s, lo, hi),
		 "%s: %s (%s) must not be greater than %s (%s)", s->def->name, r->lo, a, r->hi, b);
}

/* --- what an enabled feature needs ------------------------------------- */

static const struct needs_rule {
	const char *section, *opt;
} needs_rules[] = {
	{ "email", "smtp_server" },
	{ "email", "recipients" },
	{ "slack", "webhook_url" },
	{ "pagerduty", "api_key" },
	{ "webhook", "url" },
	{ "ntfy", "topic" },
	{ "pushover", "token" },
	{ "pushover", "user" },
	{ "mqtt", "broker" },
};

static void check_needs(struct cfg_load *c, const struct cfg_section *s,
			const struct needs_rule *r)
{
	const struct cfg_value *en = cfg_get(s, "enabled");

	if (!en->n_items || !en->items[0].num || has_value(cfg_get(s, r->opt)))
		return;
	cfg_diag(c, CFG_ERROR, blame_line(s, en, NULL), "%s: enabled, but option '%s' is not set",
		 s->def->name, r->opt);
}

/* The contract names an mwan3 backend; until it exists, a config that asks
 * for it is refused rather than quietly routed some other way. */
static void check_backend(struct cfg_load *c)
{
	const struct cfg_section *m = config_section(c->cfg, "main");
	const struct cfg_value *v = cfg_get(m, "backend");

	if (strcmp(cfg_enum_str(m, "backend"), "mwan3") == 0)
		cfg_diag(c, CFG_ERROR, blame_line(m, v, NULL),
			 "main.backend: 'mwan3' is not available in this version; "
			 "use 'netlink' (or 'auto') or 'none'");
}

/* interface.md names a modem position source. No real capture of a modem's
 * location output exists to build it from, and gpsd already reads a modem's
 * NMEA port: say so instead of quietly ignoring the choice. */
static void check_gps_source(struct cfg_load *c)
{
	const struct cfg_section *g = config_section(c->cfg, "gps");

	if (strcmp(cfg_enum_str(g, "source"), "modem") == 0)
		cfg_diag(c, CFG_ERROR, blame_line(g, cfg_get(g, "source"), NULL),
			 "gps.source: 'modem' is not available in this version; give the "
			 "modem's NMEA port to gpsd and use 'gpsd' (or 'auto')");
}

/* A password sent in the clear is the operator's choice to make knowingly. */
static void check_email_tls(struct cfg_load *c)
{
	const struct cfg_section *e = config_section(c->cfg, "email");

	if (cfg_bool(e, "enabled") && strcmp(cfg_enum_str(e, "tls"), "none") == 0 &&
	    has_value(cfg_get(e, "password")))
		cfg_diag(c, CFG_WARNING, blame_line(e, cfg_get(e, "tls"), NULL),
			 "email.tls: 'none' sends the SMTP password in the clear");
}

/* Download shaping happens on the LAN devices' egress: without them it
 * has nowhere to go. Priority queues live inside the shaper: without it
 * they do nothing, and the operator should hear so. */
static void check_shaping(struct cfg_load *c)
{
	const struct cfg_section *q = config_section(c->cfg, "qos");
	const struct cfg_section *bw = config_section(c->cfg, "bandwidth");
	const struct cfg_value *ing = cfg_get(q, "ingress"), *ts = cfg_get(bw, "traffic_shaping");

	if (cfg_bool(q, "ingress") && !has_value(cfg_get(q, "lan_device")))
		cfg_diag(c, CFG_ERROR, blame_line(q, ing, NULL),
			 "qos.ingress: downloads are shaped on the LAN devices' egress; set "
			 "qos.lan_device (e.g. 'br-lan')");
	if (ts->set && !cfg_bool(bw, "traffic_shaping") && cfg_bool(q, "enabled") &&
	    cfg_bool(bw, "qos_enabled"))
		cfg_diag(c, CFG_WARNING, blame_line(bw, ts, NULL),
			 "bandwidth.traffic_shaping is 0: the qos section's priority queues live "
			 "inside the shaper and have no effect");
}

void cfg_check_sections(struct cfg_load *c)
{
	const struct config *cfg = c->cfg;

	check_backend(c);
	check_email_tls(c);
	check_gps_source(c);
	check_shaping(c);
	for (size_t i = 0; i < cfg->n_globals; i++) {
		check_required(c, &cfg->globals[i]);
		check_option_rules(c, &cfg->globals[i]);
	}
	for (size_t i = 0; i < sizeof(order_rules) / sizeof(order_rules[0]); i++)
		check_order(c, config_section(cfg, order_rules[i].section), &order_rules[i]);
	for (size_t i = 0; i < sizeof(needs_rules) / sizeof(needs_rules[0]); i++)
		check_needs(c, config_section(cfg, needs_rules[i].section), &needs_rules[i]);
}

/* --- members ------------------------------------------------------------- */

/* Two members on one device would fight over the same route. */
static void check_shared(struct cfg_load *c, size_t j, const char *opt)
{
	const struct cfg_section *m = &c->cfg->members[j];
	const struct cfg_value *v = cfg_get(m, opt);
	char lb[96];

	for (size_t k = 0; v->n_items && k < j; k++) {
		const struct cfg_value *w = cfg_get(&c->cfg->members[k], opt);

		if (w->n_items && strcmp(w->items[0].str, v->items[0].str) == 0) {
			cfg_diag(c, CFG_WARNING, blame_line(m, v, NULL),
				 "%s: %s '%s' is also used by member '%s'",
				 cfg_label(m, lb, sizeof(lb)), opt, v->items[0].str,
				 c->cfg->members[k].name);
			return;
		}
	}
}

void cfg_check_members(struct cfg_load *c)
{
	char lb[96];

	for (size_t j = 0; j < c->cfg->n_members; j++) {
		const struct cfg_section *m = &c->cfg->members[j];

		if (!given(cfg_get(m, "interface")) && !given(cfg_get(m, "device")))
			cfg_diag(c, CFG_ERROR, m->line,
				 "%s: needs option 'interface' or 'device'",
				 cfg_label(m, lb, sizeof(lb)));
		check_required(c, m);
		check_option_rules(c, m);
		check_shared(c, j, "interface");
		check_shared(c, j, "device");
	}
}
