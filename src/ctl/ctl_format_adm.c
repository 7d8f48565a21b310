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

void ctl_fmt_config_audit(json_object *d, FILE *out)
{
	json_object *c = get(d, "counts"), *f = get(d, "findings");
	size_t n = f ? json_object_array_length(f) : 0;
	fprintf(out, "config audit of %s: %d critical, %d warning%s, %d info\n",
		json_get_str(d, "config", "-"), (int)json_get_num(c, "critical", 0),
		(int)json_get_num(c, "warning", 0), json_get_num(c, "warning", 0) == 1 ? "" : "s",
		(int)json_get_num(c, "info", 0));
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
