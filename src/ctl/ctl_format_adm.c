/* ctl_format_adm: config backup, verify-backup and audit (human output). */
#include "ctl/ctl_format_int.h"

#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "core/jsonutil.h"

static json_object *get(json_object *o, const char *k)
{
	json_object *v = NULL;
	return o && json_object_object_get_ex(o, k, &v) ? v : NULL;
}

static const char *when(json_object *o, const char *k, char *buf, size_t size)
{
	time_t t = (time_t)json_get_num(o, k, 0);
	struct tm tm;
	if (!t || !gmtime_r(&t, &tm) || !strftime(buf, size, "%Y-%m-%d %H:%M:%SZ", &tm))
		snprintf(buf, size, "-");
	return buf;
}

void ctl_fmt_config_backup(json_object *d, FILE *out)
{
	fprintf(out, "backup of %s: %.0f bytes, sha256 %s\n", json_get_str(d, "config", "-"),
		json_get_num(d, "size", 0), json_get_str(d, "sha256", "-"));
	if (json_has(d, "backup"))
		fprintf(out, "  %s\n", json_get_str(d, "backup", "-"));
	fprintf(out, "  %s (+ .meta)\n", json_get_str(d, "copy", "-"));
	json_object *del = get(d, "deleted");
	size_t n = del ? json_object_array_length(del) : 0;
	if (json_has(d, "keep"))
		fprintf(out, "  keeping the last %d%s", (int)json_get_num(d, "keep", 0),
			n ? "; deleted:" : "\n");
	for (size_t i = 0; i < n; i++)
		fprintf(out, " %s%s", json_object_get_string(json_object_array_get_idx(del, i)),
			i + 1 == n ? "\n" : "");
	if (get(d, "note"))
		fprintf(out, "  note: %s\n", json_get_str(d, "note", ""));
}

static void put_value(json_object *v, FILE *out)
{
	if (!v)
		fprintf(out, "-");
	else if (json_object_is_type(v, json_type_array))
		fprintf(out, "%s", json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
	else
		fprintf(out, "'%s'", json_object_get_string(v));
}

static void put_differences(json_object *diff, const char *config, FILE *out)
{
	size_t n = diff ? json_object_array_length(diff) : 0;
	fprintf(out, "differences from %s: %zu\n", config, n);
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(diff, i), *opt = get(e, "option");
		fprintf(out, "  %-8s %s%s%s", json_get_str(e, "change", "?"),
			json_get_str(e, "section", "?"), opt ? "." : "",
			opt ? json_object_get_string(opt) : "");
		if (!opt) {
			fprintf(out, " (config %s)\n", json_get_str(e, "type", "?"));
			continue;
		}
		fprintf(out, ": ");
		put_value(get(e, "old"), out);
		fprintf(out, " -> ");
		put_value(get(e, "new"), out);
		fprintf(out, "\n");
	}
}

void ctl_fmt_config_verify_backup(json_object *d, FILE *out)
{
	json_object *c = get(d, "copy"), *b = get(d, "backup");
	char t[32];
	fprintf(out, "%s: ", json_get_str(c, "file", "-"));
	if (!json_get_bool(c, "exists", 0))
		fprintf(out, "MISSING (%s)\n", json_get_str(c, "error", "?"));
	else if (strcmp(json_get_str(c, "checksum", ""), "ok") != 0)
		fprintf(out, "BAD: %s\n", json_get_str(c, "checksum_error", "?"));
	else
		fprintf(out, "checksum ok, taken %s by autonomy %s\n", when(c, "created_ts", t, sizeof(t)),
			json_get_str(c, "version", "?"));
	if (json_get_bool(c, "exists", 0))
		fprintf(out, "  %s with this version's schema%s\n",
			json_get_bool(c, "valid", 0) ? "loads" : "does NOT load",
			json_get_bool(c, "valid", 0) ? "" : " (see --json for the errors)");
	if (b)
		fprintf(out, "%s: %s\n", json_get_str(b, "file", "-"),
			!json_get_bool(b, "exists", 0) ? "absent" :
			json_get_bool(b, "same_as_copy", 0) ? "same as that copy" :
			"DIFFERS from that copy (changed since the backup?)");
	if (get(d, "differences"))
		put_differences(get(d, "differences"), json_get_str(d, "config", "-"), out);
	else if (get(d, "differences_error"))
		fprintf(out, "differences: %s\n", json_get_str(d, "differences_error", ""));
	fprintf(out, "%s\n", json_get_bool(d, "ok", 0) ? "backup ok" : "backup NOT ok");
}

static void put_findings(json_object *f, FILE *out)
{
	size_t n = f ? json_object_array_length(f) : 0;
	/* most severe first */
	static const char *const order[] = { "critical", "warning", "info" };
	for (size_t s = 0; s < 3; s++)
		for (size_t i = 0; i < n; i++) {
			json_object *x = json_object_array_get_idx(f, i);
			if (strcmp(json_get_str(x, "severity", ""), order[s]) != 0)
				continue;
			fprintf(out, "%-8s %-15s %s\n", order[s], json_get_str(x, "check", "-"),
				json_get_str(x, "message", ""));
			if (get(x, "fix"))
				fprintf(out, "%-24s fix: %s\n", "", json_get_str(x, "fix", ""));
		}
}

static void put_counts(const char *what, json_object *d, FILE *out)
{
	json_object *c = get(d, "counts");
	fprintf(out, "%s of %s: %d critical, %d warning%s, %d info\n", what,
		json_get_str(d, "config", "-"), (int)json_get_num(c, "critical", 0),
		(int)json_get_num(c, "warning", 0), json_get_num(c, "warning", 0) == 1 ? "" : "s",
		(int)json_get_num(c, "info", 0));
}

void ctl_fmt_config_audit(json_object *d, FILE *out)
{
	put_counts("config audit", d, out);
	put_findings(get(d, "findings"), out);
}

void ctl_fmt_security_audit(json_object *d, FILE *out)
{
	json_object *ls = get(d, "listeners"), *caps = get(d, "capabilities");
	put_counts("security audit", d, out);
	for (size_t i = 0; ls && i < json_object_array_length(ls); i++) {
		json_object *l = json_object_array_get_idx(ls, i);
		fprintf(out, "listener %-15s %s (%s)", json_get_str(l, "name", "?"),
			json_get_str(l, "listen", "?"), json_get_str(l, "state", "?"));
		if (get(l, "mode"))
			fprintf(out, " mode %s", json_get_str(l, "mode", ""));
		if (json_has(l, "reachable_from_others"))
			fprintf(out, "%s", !json_get_bool(l, "reachable_from_others", 0) ?
				" loopback only" : json_get_bool(l, "tls", 0) ?
				" https, allow-list, key" : " http, allow-list");
		fputc('\n', out);
	}
	if (caps)
		fprintf(out, "capabilities %.0f held (CapEff %s)\n", json_get_num(caps, "count", 0),
			json_get_str(caps, "effective", "?"));
	fprintf(out, "refused requests since start: %.0f\n",
		json_get_num(d, "refused_requests", 0));
	put_findings(get(d, "findings"), out);
}

static void put_recommendations(json_object *list, json_object *applied, bool tune, FILE *out)
{
	size_t n = list ? json_object_array_length(list) : 0;
	for (size_t i = 0; i < n; i++) {
		json_object *r = json_object_array_get_idx(list, i);
		if (get(r, "option"))
			fprintf(out, "  %s.%s: '%s' -> '%s'\n", json_get_str(r, "section", "?"),
				json_get_str(r, "option", "?"), json_get_str(r, "current", "-"),
				json_get_str(r, "proposed", "-"));
		else
			fprintf(out, "  %s (advice, nothing written)\n", json_get_str(r, "section", "?"));
		fprintf(out, "    why: ");
		ctl_format_wrapped(out, json_get_str(r, "why", ""), 9, 94);
		if (get(r, "evidence") && json_object_object_length(get(r, "evidence")))
			fprintf(out, "    evidence: %s\n", json_object_to_json_string_ext(
				get(r, "evidence"), JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_SPACED));
	}
	if (applied)
		fprintf(out, "applied after backup %s; daemon %s\n", json_get_str(applied, "backup", "-"),
			json_get_bool(applied, "reloaded", 0) ? "reloaded" : "not running (takes "
			"effect at its start)");
	else if (n)
		fprintf(out, "not applied%s\n", tune ? " (--report)" : " (add --apply to write them)");
}

void ctl_fmt_config_optimize(json_object *d, FILE *out)
{
	json_object *p = get(d, "period"), *r = get(d, "recommendations"), *nc = get(d, "not_checked");
	size_t n = r ? json_object_array_length(r) : 0;
	fprintf(out, "config optimize, %s: %s - %s\n", json_get_str(p, "name", "?"),
		json_get_str(p, "from", "?"), json_get_str(p, "to", "?"));
	fprintf(out, "recommendations: %zu%s\n", n, n ? "" : " (nothing to change: the history "
		"gives no reason to change the config)");
	put_recommendations(r, get(d, "applied"), false, out);
	for (size_t i = 0; nc && i < json_object_array_length(nc); i++) {
		fprintf(out, "not checked: ");
		ctl_format_wrapped(out, json_object_get_string(json_object_array_get_idx(nc, i)), 13, 94);
	}
}

static const char *fig(json_object *o, const char *k, char *buf, size_t size)
{
	json_object *v = get(o, k);
	if (!v)
		return "-";
	double x = json_object_get_double(v);
	snprintf(buf, size, "%.*f", x >= 100 || x == (long long)x ? 0 : 1, x);
	return buf;
}

void ctl_fmt_optimize(json_object *d, FILE *out)
{
	json_object *p = get(d, "period"), *f = get(d, "figures"), *t = get(d, "targets"),
		    *c = get(d, "changes");
	char a[32], b[32], e[32], g[32];
	size_t n = c ? json_object_array_length(c) : 0;
	fprintf(out, "optimize%s, %s: %s - %s\n", json_get_bool(d, "aggressive", 0) ?
		" --aggressive" : "", json_get_str(p, "name", "?"), json_get_str(p, "from", "?"),
		json_get_str(p, "to", "?"));
	fprintf(out, "now (%.0f minutes measured): CPU %s %% mean, %s %% max; memory %s MB peak; "
		"%s probes an hour\n", json_get_num(f, "minutes", 0), fig(f, "cpu_pct_mean", a, 32),
		fig(f, "cpu_pct_max", b, 32), fig(f, "rss_mb_max", e, 32),
		fig(f, "probes_per_hour", g, 32));
	fprintf(out, "    history sync %s bytes a day to flash, %s ms CPU an hour\n",
		fig(f, "flash_bytes_per_day", a, 32), fig(f, "store_cpu_ms_per_hour", b, 32));
	fprintf(out, "targets: CPU %s %%, memory %s MB, flash %s bytes a day\n",
		fig(t, "cpu_pct", a, 32), fig(t, "rss_mb", b, 32), fig(t, "flash_bytes_per_day", e, 32));
	if (json_get_num(f, "minutes", 0) < json_get_num(d, "min_minutes", 0))
		fprintf(out, "too little history to change anything: %.0f minutes measured, %.0f "
			"needed (the daemon records its figures once a minute)\n",
			json_get_num(f, "minutes", 0), json_get_num(d, "min_minutes", 0));
	else if (!n)
		fprintf(out, "nothing to change: probe interval, dish polls and sync interval keep "
			"it within the targets\n");
	else
		fprintf(out, "changes: %zu\n", n);
	put_recommendations(c, get(d, "applied"), true, out);
}
