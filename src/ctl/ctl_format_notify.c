/* ctl_format_notify: the alert channels as `notifications` shows them — a
 * line per channel with its delivery state, the open incidents, the recent
 * alerts with where each went, and (--pending) the outbox; and the results
 * of `notifications test`. */
#include "ctl/ctl_format_int.h"

#include <stdio.h>
#include <string.h>

#include "core/jsonutil.h"

static json_object *get(json_object *o, const char *k)
{
	json_object *v = NULL;
	return json_object_object_get_ex(o, k, &v) ? v : NULL;
}

static size_t len(json_object *a)
{
	return a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
}

/* "05:13:29" of an ISO time (UTC), "-" without one. */
static const char *clock_of(json_object *o, const char *k, char *buf, size_t size)
{
	const char *t = json_get_str(o, k, NULL);
	snprintf(buf, size, "%.8s", t && strlen(t) >= 19 ? t + 11 : "-");
	return buf;
}

static void channels(json_object *chs, FILE *out)
{
	fprintf(out, "%-10s %-20s %6s %5s %7s %8s  %-8s %s\n", "channel", "state", "queued", "sent",
		"failed", "last ok", "via", "last error (times UTC)");
	for (size_t i = 0; i < len(chs); i++) {
		json_object *c = json_object_array_get_idx(chs, i);
		if (!json_get_bool(c, "enabled", 0)) {
			fprintf(out, "%-10s off\n", json_get_str(c, "channel", "?"));
			continue;
		}
		char next[32] = "";
		if (json_has(c, "next_attempt_s"))
			snprintf(next, sizeof(next), " (%.0f s)", json_get_num(c, "next_attempt_s", 0));
		char state[48], ok[16];
		snprintf(state, sizeof(state), "%s%s", json_get_str(c, "state", "?"), next);
		fprintf(out, "%-10s %-20.20s %6.0f %5.0f %7.0f %8.8s  %-8.8s %.40s\n",
			json_get_str(c, "channel", "?"), state, json_get_num(c, "queued", 0),
			json_get_num(c, "sent", 0),
			json_get_num(c, "refused", 0) + json_get_num(c, "expired", 0) +
			json_get_num(c, "dropped", 0), clock_of(c, "last_ok", ok, sizeof(ok)),
			json_get_str(c, "last_via", "-"), json_get_str(c, "last_error", "-"));
	}
	fprintf(out, "%-10s every alert is logged\n", "syslog");
}

static void incidents(json_object *a, FILE *out)
{
	if (!len(a))
		return;
	fprintf(out, "\nopen incidents:\n");
	for (size_t i = 0; i < len(a); i++) {
		json_object *o = json_object_array_get_idx(a, i);
		fprintf(out, "  %-16.16s %-9s %s%s\n", json_get_str(o, "key", "?"),
			json_get_str(o, "severity", "?"), json_get_str(o, "title", ""),
			json_get_bool(o, "flapping", 0) ? " (flapping)" : "");
	}
}

static void recent(json_object *a, FILE *out)
{
	if (!len(a))
		return;
	fprintf(out, "\nrecent alerts:\n");
	for (size_t i = 0; i < len(a); i++) {
		json_object *o = json_object_array_get_idx(a, i), *chs = get(o, "channels");
		char when[16];
		fprintf(out, "  %s  %-9s %-7s ", clock_of(o, "time", when, sizeof(when)),
			json_get_str(o, "severity", "?"),
			json_get_str(o, "action", "?"));
		ctl_format_wrapped(out, json_get_str(o, "title", ""), 31, 69);
		char line[512] = "";
		size_t n = 0;
		json_object_object_foreach(chs, name, st) {
			char ms[24] = "";
			if (json_has(st, "ms"))
				snprintf(ms, sizeof(ms), " %.0f ms", json_get_num(st, "ms", 0));
			n += (size_t)snprintf(line + n, sizeof(line) - n,
					      "%s%s %s%s%s%s", n ? ", " : "", name,
					      json_get_str(st, "state", "?"),
					      json_has(st, "via") ? " via " : "",
					      json_get_str(st, "via", ""), ms);
			if (n >= sizeof(line))
				n = sizeof(line) - 1;
		}
		fprintf(out, "%31s", "");
		ctl_format_wrapped(out, n ? line : "(no channel wants this level)", 31, 69);
	}
}

static void pending(json_object *a, FILE *out)
{
	fprintf(out, "\npending (%zu):%s\n", len(a), len(a) ? "" : " none");
	for (size_t i = 0; i < len(a); i++) {
		json_object *o = json_object_array_get_idx(a, i);
		fprintf(out, "  #%-5.0f %-10s %7.0f s  %2.0f tries  %s%s\n", json_get_num(o, "id", 0),
			json_get_str(o, "channel", "?"), json_get_num(o, "age_s", 0),
			json_get_num(o, "attempts", 0), json_get_str(o, "title", ""),
			json_get_bool(o, "quiet", 0) ? " (quiet hours)" : "");
		if (json_has(o, "error"))
			fprintf(out, "%10s last: %s\n", "", json_get_str(o, "error", ""));
	}
}

void ctl_fmt_delivery(json_object *d, FILE *out)
{
	if (!d) {
		fprintf(out, "alert channels: autonomyd is not running (stored events below)\n\n");
		return;
	}
	channels(get(d, "channels"), out);
	incidents(get(d, "incidents"), out);
	recent(get(d, "recent"), out);
	if (get(d, "pending"))
		pending(get(d, "pending"), out);
	json_object *ob = get(d, "outbox");
	if (json_has(ob, "error"))
		fprintf(out, "\noutbox %s: %s\n", json_get_str(ob, "file", "?"),
			json_get_str(ob, "error", ""));
	fprintf(out, "\n");
}

void ctl_fmt_notify_test(json_object *d, FILE *out)
{
	json_object *a = get(d, "results");
	for (size_t i = 0; i < len(a); i++) {
		json_object *r = json_object_array_get_idx(a, i);
		if (json_get_bool(r, "ok", 0))
			fprintf(out, "%-10s delivered via %s in %.0f ms\n", json_get_str(r, "channel", "?"),
				json_get_str(r, "via", "?"), json_get_num(r, "ms", 0));
		else
			fprintf(out, "%-10s NOT delivered: %s\n", json_get_str(r, "channel", "?"),
				json_get_str(r, "error", "?"));
	}
}

void ctl_fmt_deliveries(json_object *d, FILE *out)
{
	json_object *by = get(d, "delivered_by_channel");
	if (!by || !json_object_object_length(by))
		return;
	fprintf(out, "\nalert deliveries stored in the period:\n");
	json_object_object_foreach(by, ch, counts) {
		char line[256];
		size_t n = 0;
		line[0] = '\0';
		json_object_object_foreach(counts, outcome, k) {
			n += (size_t)snprintf(line + n, sizeof(line) - n, "%s%lld %s", n ? ", " : "",
					      (long long)json_object_get_int64(k), outcome);
			if (n >= sizeof(line))
				n = sizeof(line) - 1;
		}
		fprintf(out, "  %-10s %s\n", ch, line);
	}
}
