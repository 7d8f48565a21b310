#include "ctl/ctl_format.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "config/schema.h"
#include "core/jsonutil.h"
#include "ctl/ctl_format_int.h"

typedef void (*format_fn)(json_object *data, FILE *out);

void ctl_format_duration(double seconds, char *buf, size_t size)
{
	long s = seconds > 0 ? (long)seconds : 0;
	long d = s / 86400, h = s / 3600 % 24, m = s / 60 % 60, sec = s % 60;
	if (d)
		snprintf(buf, size, "%ldd %02ldh %02ldm", d, h, m);
	else if (h)
		snprintf(buf, size, "%ldh %02ldm %02lds", h, m, sec);
	else if (m)
		snprintf(buf, size, "%ldm %02lds", m, sec);
	else
		snprintf(buf, size, "%lds", sec);
}

/* A number or "-" for null, so columns stay aligned. */
static const char *num_or_dash(json_object *o, const char *key, int decimals,
			       char *buf, size_t size)
{
	if (!json_has(o, key))
		return "-";
	snprintf(buf, size, "%.*f", decimals, json_get_num(o, key, 0));
	return buf;
}

static const char *str_or_dash(json_object *o, const char *key)
{
	const char *s = json_get_str(o, key, NULL);
	return s && *s ? s : "-";
}

static void fmt_status(json_object *d, FILE *out)
{
	char up[32];
	ctl_format_duration(json_get_num(d, "uptime_s", 0), up, sizeof(up));
	fprintf(out, "autonomy %s, up %s (pid %d)\n", str_or_dash(d, "version"), up,
		(int)json_get_num(d, "pid", 0));
	fprintf(out, "  backend      %s (%s; configured: %s)\n", str_or_dash(d, "backend"),
		str_or_dash(d, "mode"), str_or_dash(d, "backend_configured"));
	fprintf(out, "  active       %s\n", str_or_dash(d, "active_member"));
	fprintf(out, "  members      %d\n", (int)json_get_num(d, "members", 0));
	json_object *ls = NULL;
	json_object_object_get_ex(d, "last_switch", &ls);
	if (ls)
		fprintf(out, "  last switch  %s: %s -> %s (%s)\n", str_or_dash(ls, "time"),
			str_or_dash(ls, "from"), str_or_dash(ls, "to"), str_or_dash(ls, "reason"));
	else
		fprintf(out, "  last switch  never\n");
	ctl_format_sticky(d, out);
	json_object *pos = NULL, *shaper = NULL;
	if (json_object_object_get_ex(d, "position", &pos))
		ctl_format_position(pos, out);
	if (json_object_object_get_ex(d, "shaper", &shaper))
		ctl_format_shaper(shaper, out);
	fprintf(out, "  config       %s\n", str_or_dash(d, "config_file"));
}

static const char *carrier_text(json_object *m)
{
	if (!json_has(m, "carrier"))
		return "absent";
	return json_get_bool(m, "carrier", 0) ? "up" : "down";
}

static void fmt_members(json_object *d, FILE *out)
{
	size_t n = json_object_is_type(d, json_type_array) ? json_object_array_length(d) : 0;
	if (n == 0) {
		fprintf(out, "no members configured\n");
		return;
	}
	fprintf(out, "%-14s %-10s %-9s %4s %-7s %-8s %5s %7s %6s %6s %5s %s\n", "NAME", "DEVICE",
		"CLASS", "PRIO", "CARRIER", "STATE", "SCORE", "LAT_MS", "JIT_MS", "LOSS%",
		"FLOWS", "ACTIVE");
	for (size_t i = 0; i < n; i++) {
		json_object *m = json_object_array_get_idx(d, i);
		char b1[16], b2[16], b3[16], b4[16], b5[16];
		fprintf(out, "%-14.14s %-10.10s %-9.9s %4d %-7s %-8s %5s %7s %6s %6s %5s%s\n",
			str_or_dash(m, "name"), str_or_dash(m, "device"),
			str_or_dash(m, "class"), (int)json_get_num(m, "priority", 0),
			carrier_text(m), str_or_dash(m, "state"),
			num_or_dash(m, "health_score", 0, b1, sizeof(b1)),
			num_or_dash(m, "latency_ms", 1, b2, sizeof(b2)),
			num_or_dash(m, "jitter_ms", 1, b3, sizeof(b3)),
			num_or_dash(m, "loss_pct", 1, b4, sizeof(b4)),
			num_or_dash(m, "flows", 0, b5, sizeof(b5)),
			json_get_bool(m, "active", 0) ? " *" : "");
	}
}

/* Why each scored member is not at 100: its largest penalties. */
static void fmt_penalties(json_object *d, FILE *out)
{
	size_t n = json_object_is_type(d, json_type_array) ? json_object_array_length(d) : 0;
	bool header = false;
	for (size_t i = 0; i < n; i++) {
		json_object *m = json_object_array_get_idx(d, i), *pen = NULL;
		json_object_object_get_ex(m, "penalties", &pen);
		size_t np = pen ? json_object_array_length(pen) : 0;
		if (!np)
			continue;
		if (!header)
			fprintf(out, "\n");
		header = true;
		fprintf(out, "  %-12.12s", str_or_dash(m, "name"));
		for (size_t k = 0; k < np; k++)
			fprintf(out, "%s%s", k ? ", " : " ",
				json_get_str(json_object_array_get_idx(pen, k), "text", "?"));
		fputc('\n', out);
	}
}

/* Members whose telemetry predicts an outage, excludes them or says the
 * link is down: one line each, because these move traffic. */
static void fmt_tel_flags(json_object *d, FILE *out)
{
	static const char *const keys[][2] = {
		{ "predicted_outage", "outage predicted" }, { "excluded", "last resort only" },
		{ "link_down", "link down" },
	};
	size_t n = json_object_is_type(d, json_type_array) ? json_object_array_length(d) : 0;
	for (size_t i = 0; i < n; i++) {
		json_object *m = json_object_array_get_idx(d, i), *t = NULL;
		if (!json_object_object_get_ex(m, "telemetry", &t) || !t)
			continue;
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			if (json_has(t, keys[k][0]))
				fprintf(out, "  %-12.12s %s: %s\n", str_or_dash(m, "name"), keys[k][1],
					json_get_str(t, keys[k][0], "?"));
	}
}

/* How right each member's predictions have been: one line per kind that
 * has predicted something. */
static void fmt_precursors(json_object *d, FILE *out)
{
	size_t n = json_object_is_type(d, json_type_array) ? json_object_array_length(d) : 0;
	for (size_t i = 0; i < n; i++) {
		json_object *m = json_object_array_get_idx(d, i), *p = NULL;
		if (!json_object_object_get_ex(m, "precursors", &p) ||
		    !json_object_is_type(p, json_type_array))
			continue;
		for (size_t k = 0; k < json_object_array_length(p); k++) {
			json_object *e = json_object_array_get_idx(p, k);
			int alarms = (int)json_get_num(e, "alarms", 0), hits = (int)json_get_num(e, "hits", 0);
			fprintf(out, "  %-12.12s %s: %d predicted, %d right", str_or_dash(m, "name"),
				json_get_str(e, "kind", "?"), alarms, hits);
			if (alarms)
				fprintf(out, " (%.0f %%)", 100.0 * hits / alarms);
			fprintf(out, ", %d moved traffic; needs strength %.1f%s\n",
				(int)json_get_num(e, "moves", 0), json_get_num(e, "bar", 1),
				json_get_bool(e, "checking", 0) ? "; one being checked" : "");
		}
	}
}

static void fmt_members_full(json_object *d, FILE *out)
{
	fmt_members(d, out);
	fmt_penalties(d, out);
	fmt_tel_flags(d, out);
	fmt_precursors(d, out);
	ctl_format_member_shaping(d, out);
}

static void fmt_subsystems(json_object *subs, FILE *out)
{
	if (!subs)
		return;
	fprintf(out, "  subsystems\n");
	json_object_object_foreach(subs, name, st) {
		fprintf(out, "    %-10s %s", name, str_or_dash(st, "state"));
		json_object_object_foreach(st, k, v) {
			if (strcmp(k, "state") != 0)
				fprintf(out, " %s=%s", k, json_object_get_string(v));
		}
		fputc('\n', out);
	}
}

/* "privileges   cap_net_admin cap_net_raw; no_new_privs" */
static void fmt_privileges(json_object *d, FILE *out)
{
	json_object *p, *caps;
	if (!json_object_object_get_ex(d, "privileges", &p) || !p)
		return;
	fprintf(out, "  privileges  ");
	if (!json_get_bool(p, "dropped", 0))
		fprintf(out, " not reduced");
	if (json_object_object_get_ex(p, "capabilities", &caps)) {
		size_t n = json_object_array_length(caps);
		for (size_t i = 0; i < n; i++)
			fprintf(out, " %s", json_object_get_string(json_object_array_get_idx(caps, i)));
		if (!n)
			fprintf(out, " no capabilities");
	}
	fprintf(out, "%s", json_get_bool(p, "no_new_privs", 0) ? "; no_new_privs" : "");
	if (json_get_str(p, "note", NULL))
		fprintf(out, " (%s)", json_get_str(p, "note", ""));
	fputc('\n', out);
}

static void fmt_health(json_object *d, FILE *out)
{
	char up[32];
	ctl_format_duration(json_get_num(d, "uptime_s", 0), up, sizeof(up));
	fprintf(out, "autonomyd pid %d, up %s\n", (int)json_get_num(d, "pid", 0), up);
	fprintf(out, "  memory       %.0f KiB resident (peak %.0f KiB)\n",
		json_get_num(d, "rss_kb", 0), json_get_num(d, "peak_rss_kb", 0));
	fprintf(out, "  cpu          %.2f %% (%.3f s total)\n", json_get_num(d, "cpu_pct", 0),
		json_get_num(d, "cpu_total_s", 0));
	fprintf(out, "  loop lag     %.3f ms now, %.3f ms max\n",
		json_get_num(d, "loop_lag_ms", 0), json_get_num(d, "loop_lag_max_ms", 0));
	json_object *lr = NULL;
	json_object_object_get_ex(d, "last_reload", &lr);
	fprintf(out, "  config       %s\n", json_get_bool(d, "config_ok", 1) ? "ok" :
		"last reload FAILED (running on the previous config)");
	if (lr)
		fprintf(out, "  last reload  %s: %s\n", str_or_dash(lr, "time"),
			str_or_dash(lr, "message"));
	fmt_privileges(d, out);
	json_object *subs = NULL, *sw = NULL;
	json_object_object_get_ex(d, "subsystems", &subs);
	fmt_subsystems(subs, out);
	json_object_object_get_ex(d, "starwatch", &sw);
	ctl_format_starwatch(sw, out);
}

static void fmt_ping(json_object *d, FILE *out)
{
	fprintf(out, "autonomyd pid %d: alive, loop tick %lld, up %.0f s\n",
		(int)json_get_num(d, "pid", 0), (long long)json_get_num(d, "loop_ticks", 0),
		json_get_num(d, "uptime_s", 0));
}

/* UCI quoting: single quotes, with ' written as '\'' as uci export does. */
static void put_uci_value(const char *v, FILE *out)
{
	fputc('\'', out);
	for (; *v; v++) {
		if (*v == '\'')
			fputs("'\\''", out);
		else
			fputc(*v, out);
	}
	fputc('\'', out);
}

static bool str_in_array(json_object *arr, const char *s)
{
	size_t n = json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;
	for (size_t i = 0; i < n; i++) {
		const char *v = json_object_get_string(json_object_array_get_idx(arr, i));
		if (v && strcmp(v, s) == 0) /* a null in a daemon's reply is no crash here */
			return true;
	}
	return false;
}

/* planned: the names of the section's options that have no effect yet; their
 * lines get a trailing comment (UCI ends a line at '#' outside quotes, so the
 * output still loads). */
static void put_uci_section(const char *type, const char *name, json_object *opts,
			    json_object *planned, FILE *out)
{
	fprintf(out, "config %s '%s'\n", type, name);
	json_object_object_foreach(opts, key, val) {
		if (strcmp(key, "name") == 0 && strcmp(type, "member") == 0)
			continue;
		const char *mark = str_in_array(planned, key) ? "\t# " CFG_PLANNED_MSG : "";
		if (json_object_is_type(val, json_type_array)) {
			for (size_t i = 0; i < json_object_array_length(val); i++) {
				fprintf(out, "\tlist %s ", key);
				put_uci_value(json_object_get_string(
					json_object_array_get_idx(val, i)), out);
				fprintf(out, "%s\n", mark);
			}
		} else if (json_object_is_type(val, json_type_double)) {
			/* Only a duration in seconds with a fraction is a double
			 * (config_json.c): in ms, which loads again (no '0.5'). */
			fprintf(out, "\toption %s '%lldms'%s\n", key,
				llround(json_object_get_double(val) * 1000.0), mark);
		} else if (val) {
			fprintf(out, "\toption %s ", key);
			put_uci_value(json_object_is_type(val, json_type_boolean) ?
				      (json_object_get_boolean(val) ? "1" : "0") :
				      json_object_get_string(val), out);
			fprintf(out, "%s\n", mark);
		}
	}
	fputc('\n', out);
}

/* The effective config printed as UCI, so it can be saved and loaded again. */
static void fmt_config_show(json_object *d, FILE *out)
{
	json_object *secs = NULL, *members = NULL, *planned = NULL, *p;
	fprintf(out, "# effective configuration of %s (defaults filled in)\n\n",
		json_get_str(d, "file", "?"));
	json_object_object_get_ex(d, "planned", &planned);
	if (json_object_object_get_ex(d, "sections", &secs)) {
		json_object_object_foreach(secs, name, opts) {
			p = NULL;
			json_object_object_get_ex(planned, name, &p);
			put_uci_section("autonomy", name, opts, p, out);
		}
	}
	p = NULL;
	json_object_object_get_ex(planned, "member", &p);
	if (json_object_object_get_ex(d, "members", &members)) {
		for (size_t i = 0; i < json_object_array_length(members); i++) {
			json_object *m = json_object_array_get_idx(members, i);
			put_uci_section("member", json_get_str(m, "name", "?"), m, p, out);
		}
	}
}

static void put_diags(json_object *arr, FILE *out)
{
	size_t n = arr ? json_object_array_length(arr) : 0;
	for (size_t i = 0; i < n; i++) {
		json_object *dg = json_object_array_get_idx(arr, i);
		fprintf(out, "%s: %s\n", json_get_str(dg, "severity", "?"),
			json_get_str(dg, "message", "?"));
	}
}

static void fmt_config_validate(json_object *d, FILE *out)
{
	json_object *w = NULL;
	json_object_object_get_ex(d, "warnings", &w);
	put_diags(w, out);
	fprintf(out, "%s: OK (%d members, %zu warnings)\n", json_get_str(d, "file", "?"),
		(int)json_get_num(d, "members", 0), w ? json_object_array_length(w) : 0);
}

static void fmt_reload(json_object *d, FILE *out)
{
	json_object *w = NULL;
	json_object_object_get_ex(d, "warnings", &w);
	put_diags(w, out);
	fprintf(out, "reloaded %s: %d members, %zu warnings\n",
		json_get_str(d, "config_file", "?"), (int)json_get_num(d, "members", 0),
		w ? json_object_array_length(w) : 0);
}

void ctl_format_event(json_object *ev, FILE *out)
{
	const char *t = json_get_str(ev, "time", "");
	/* "2026-11-28T01:02:03Z" → "01:02:03" */
	fprintf(out, "%.8s %-7s %s\n", strlen(t) >= 19 ? t + 11 : t,
		json_get_str(ev, "event", "?"), json_get_str(ev, "text", ""));
}

static void fmt_monitor(json_object *d, FILE *out)
{
	json_object *members = NULL, *events = NULL;
	json_object_object_get_ex(d, "members", &members);
	json_object_object_get_ex(d, "events", &events);
	fmt_members(members, out);
	fmt_penalties(members, out);
	size_t n = events ? json_object_array_length(events) : 0;
	if (n)
		fprintf(out, "\nrecent events\n");
	for (size_t i = 0; i < n; i++)
		ctl_format_event(json_object_array_get_idx(events, i), out);
}

static void put_scores(json_object *sc, FILE *out)
{
	bool first = true;
	json_object_object_foreach(sc, name, v) {
		fprintf(out, "%s%s %s", first ? "" : ", ", name, v ? json_object_get_string(v) : "-");
		first = false;
	}
}

/* Time, type and members on a line, the reason wrapped under them (it
 * names scores and figures: often longer than a line). */
static void put_decision(json_object *dc, FILE *out)
{
	const char *t = json_get_str(dc, "time", "");
	json_object *sc = NULL;
	fprintf(out, "%.19s  %-8s %s -> %s", t, json_get_str(dc, "type", "?"),
		str_or_dash(dc, "from"), str_or_dash(dc, "to"));
	if (json_has(dc, "cause"))
		fprintf(out, " (%s)", json_get_str(dc, "cause", ""));
	fprintf(out, "\n%21s", "");
	ctl_format_wrapped(out, json_get_str(dc, "reason", ""), 21, 78);
	if (json_object_object_get_ex(dc, "scores", &sc) && sc &&
	    json_object_object_length(sc) > 0) {
		fprintf(out, "%21sscores: ", "");
		put_scores(sc, out);
		fputc('\n', out);
	}
	ctl_format_flows(dc, out);
}

static void fmt_decisions(json_object *d, FILE *out)
{
	size_t n = json_object_is_type(d, json_type_array) ? json_object_array_length(d) : 0;
	if (!n) {
		fprintf(out, "no decisions yet\n");
		return;
	}
	for (size_t i = 0; i < n; i++)
		put_decision(json_object_array_get_idx(d, i), out);
}

static void fmt_decisions_any(json_object *d, FILE *out)
{
	ctl_fmt_decisions_hist(d, out, fmt_decisions);
}

static void fmt_failover(json_object *d, FILE *out)
{
	json_object *dc = NULL;
	if (json_has(d, "ok")) {         /* a --test result */
		fprintf(out, "failover test of %s: %s, %d/%d replies through the default route",
			json_get_str(d, "interface", "?"), json_get_bool(d, "ok", 0) ? "OK" : "FAILED",
			(int)json_get_num(d, "replies", 0), (int)json_get_num(d, "probes", 0));
		if (json_has(d, "rtt_ms"))
			fprintf(out, ", rtt %.1f ms", json_get_num(d, "rtt_ms", 0));
		fprintf(out, "; traffic back on %s\n", str_or_dash(d, "back_to"));
		return;
	}
	fprintf(out, "active: %s%s\n", str_or_dash(d, "active"),
		json_get_bool(d, "pinned", 0) ? " (pinned until 'failover --auto')" : "");
	if (json_object_object_get_ex(d, "decision", &dc) && dc)
		put_decision(dc, out);
}

static const struct {
	const char *cmd;
	format_fn fn;
} formatters[] = {
	{ "decisions", fmt_decisions_any },
	{ "metrics", ctl_fmt_metrics },
	{ "analytics", ctl_fmt_analytics },
	{ "notifications", ctl_fmt_notifications },
	{ "notifications_test", ctl_fmt_notify_test },
	{ "report", ctl_fmt_report },
	{ "telemetry_cleanup", ctl_fmt_cleanup },
	{ "cleanup", ctl_fmt_cleanup },
	{ "failover", fmt_failover },
	{ "monitor", fmt_monitor },
	{ "status", fmt_status },
	{ "members", fmt_members_full },
	{ "health", fmt_health },
	{ "ping", fmt_ping },
	{ "config_show", fmt_config_show },
	{ "config_reveal", fmt_config_show },
	{ "config_validate", fmt_config_validate },
	{ "reload", fmt_reload },
	{ "config_backup", ctl_fmt_config_backup },
	{ "config_verify_backup", ctl_fmt_config_verify_backup },
	{ "config_audit", ctl_fmt_config_audit },
	{ "security_audit", ctl_fmt_security_audit },
	{ "config_optimize", ctl_fmt_config_optimize },
	{ "optimize", ctl_fmt_optimize },
	{ "security_report", ctl_fmt_security_report },
	{ "starlink", ctl_fmt_starlink },
	{ "starlink_reboot", ctl_fmt_dish_action },
	{ "starlink_stow", ctl_fmt_dish_action },
	{ "starlink_unstow", ctl_fmt_dish_action },
	{ "cellular", ctl_fmt_cellular },
	{ "wifi", ctl_fmt_wifi },
};

void ctl_format(const char *cmd, json_object *data, FILE *out)
{
	for (size_t i = 0; i < sizeof(formatters) / sizeof(formatters[0]); i++) {
		if (strcmp(formatters[i].cmd, cmd) == 0) {
			formatters[i].fn(data, out);
			return;
		}
	}
	fprintf(out, "%s\n", json_object_to_json_string_ext(data, JSON_C_TO_STRING_PRETTY));
}
