/* ctl_format_hist: the history commands for a person — tables within 100
 * columns; long texts wrap under their column. --json has every figure. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/jsonutil.h"
#include "ctl/ctl_format.h"
#include "ctl/ctl_format_int.h"

static json_object *get(json_object *o, const char *k)
{
	json_object *v = NULL;
	json_object_object_get_ex(o, k, &v);
	return v;
}

static size_t len(json_object *a)
{
	return json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
}

static const char *num(json_object *o, const char *k, int dec, char *buf, size_t size)
{
	if (!json_has(o, k))
		return "-";
	snprintf(buf, size, "%.*f", dec, json_get_num(o, k, 0));
	return buf;
}

static const char *bytes(double b, char *buf, size_t size)
{
	if (isnan(b) || b < 0)
		return "-";
	if (b >= 1e9)
		snprintf(buf, size, "%.2f GB", b / 1e9);
	else if (b >= 1e6)
		snprintf(buf, size, "%.1f MB", b / 1e6);
	else
		snprintf(buf, size, "%.0f kB", b / 1e3);
	return buf;
}

/* Words of text wrapped at width, each line after the first indented. */
void ctl_format_wrapped(FILE *out, const char *text, int indent, int width)
{
	int col = 0;
	while (*text) {
		size_t w = strcspn(text, " ");
		if (col && col + 1 + (int)w > width) {
			fprintf(out, "\n%*s", indent, "");
			col = 0;
		} else if (col) {
			fputc(' ', out);
			col++;
		}
		fprintf(out, "%.*s", (int)w, text);
		col += (int)w;
		text += w;
		while (*text == ' ')
			text++;
	}
	fputc('\n', out);
}

static void period_line(FILE *out, const char *what, json_object *p)
{
	const char *from = json_get_str(p, "from", ""), *to = json_get_str(p, "to", "");
	char span[32];
	ctl_format_duration(json_get_num(p, "seconds", 0), span, sizeof(span));
	fprintf(out, "%s, %s: %.10s %.5s - %.10s %.5s UTC (%s)\n", what,
		json_get_str(p, "name", "?"), from, strlen(from) > 11 ? from + 11 : "", to,
		strlen(to) > 11 ? to + 11 : "", span);
}

static void member_row(FILE *out, json_object *m)
{
	char a[16], b[16], c[16], d[16], e[16], f[16], g[16], h[16], k[24];
	json_object *sc = get(m, "score");
	fprintf(out, "%-10.10s %8s %6s%% %6.0f %7.0f %6s %7s %7s %6s %5s %5s%% %9s\n",
		json_get_str(m, "name", "?"), num(m, "availability_pct", 3, a, sizeof(a)),
		num(m, "active_pct", 1, b, sizeof(b)), json_get_num(m, "failovers", 0),
		json_get_num(m, "outages", 0), num(m, "loss_pct", 2, c, sizeof(c)),
		num(m, "latency_ms", 1, d, sizeof(d)), num(m, "p95_ms", 1, e, sizeof(e)),
		num(m, "jitter_ms", 1, f, sizeof(f)), num(sc, "mean", 0, g, sizeof(g)),
		num(get(sc, "time_pct"), "80_100", 0, h, sizeof(h)),
		bytes(json_get_num(get(m, "data"), "total_bytes", NAN), k, sizeof(k)));
}

static void members_table(FILE *out, json_object *ms)
{
	fprintf(out, "%-10s %8s %7s %6s %7s %6s %7s %7s %6s %5s %6s %9s\n", "MEMBER", "AVAIL%",
		"ACTIVE", "FAILOV", "OUTAGES", "LOSS%", "LAT_MS", "P95_MS", "JIT_MS", "SCORE", ">=80",
		"DATA");
	for (size_t i = 0; i < len(ms); i++)
		member_row(out, json_object_array_get_idx(ms, i));
}

/* A change with its sign, or "-" when either side is unknown. */
static const char *signed_num(json_object *o, const char *k, int dec, char *buf, size_t size)
{
	if (!json_has(o, k))
		return "-";
	snprintf(buf, size, "%+.*f", dec, json_get_num(o, k, 0));
	return buf;
}

static void trend_line(FILE *out, json_object *m)
{
	json_object *t = get(m, "trend"), *c = get(t, "change");
	char a[16], b[16], d[16], e[16], f[16], g[24], line[200];
	double data = json_get_num(c, "data_bytes", NAN);
	if (!c)
		return;
	if (!json_has(get(t, "previous"), "availability_pct")) {
		fprintf(out, " vs the period before: no history then\n");
		return;
	}
	snprintf(line, sizeof(line), "vs the period before: avail %s, loss %s, latency %s ms, "
		 "score %s, failovers %s, data %s%s", signed_num(c, "availability_pct", 3, a, sizeof(a)),
		 signed_num(c, "loss_pct", 2, b, sizeof(b)), signed_num(c, "latency_ms", 1, d, sizeof(d)),
		 signed_num(c, "score_mean", 1, e, sizeof(e)),
		 signed_num(c, "failovers", 0, f, sizeof(f)), isnan(data) ? "" : data < 0 ? "-" : "+",
		 isnan(data) ? "-" : bytes(fabs(data), g, sizeof(g)));
	fputc(' ', out);
	ctl_format_wrapped(out, line, 11, 88);
}

static void performance(FILE *out, json_object *p)
{
	char a[16], b[16], c[16], d[16], e[16], f[16], g[24], h[24], k[24];
	if (!p)
		return;
	if (!json_has(p, "minutes"))
		fprintf(out, "\nautonomyd itself: no figures in this period (a replayed store has none)\n");
	else
		fprintf(out, "\nautonomyd itself: CPU %s %% mean (max %s %%), memory %s kB mean "
		"(max %s kB), loop lag max %s ms\n", num(p, "cpu_pct_mean", 2, a, sizeof(a)),
		num(p, "cpu_pct_max", 1, b, sizeof(b)), num(p, "rss_kb_mean", 0, c, sizeof(c)),
		num(p, "rss_kb_max", 0, d, sizeof(d)), num(p, "loop_lag_ms_max", 1, e, sizeof(e)));
	if (json_has(p, "minutes"))
		fprintf(out, "  probes %s per hour; history store: %s ms CPU per hour, %s per day to "
		"flash, %s in size\n", num(p, "probes_per_hour", 0, f, sizeof(f)),
		num(p, "store_cpu_ms_per_hour", 1, a, sizeof(a)),
		bytes(json_get_num(p, "flash_bytes_per_day", NAN), g, sizeof(g)),
		bytes(json_get_num(p, "store_bytes", NAN), h, sizeof(h)));
	json_object *ms = get(p, "members");
	for (size_t i = 0; i < len(ms); i++) {
		json_object *m = json_object_array_get_idx(ms, i);
		fprintf(out, "  %-10s probes: %s per day, %s per day on the wire\n",
			json_get_str(m, "name", "?"), num(m, "probes_per_day", 0, a, sizeof(a)),
			bytes(json_get_num(m, "probe_bytes_per_day", NAN), k, sizeof(k)));
	}
}

void ctl_fmt_metrics(json_object *d, FILE *out)
{
	json_object *ms = get(d, "members");
	period_line(out, "metrics", get(d, "period"));
	if (!len(ms)) {
		fprintf(out, "no members in the history yet\n");
		return;
	}
	fprintf(out, "failovers in the period: %.0f\n\n", json_get_num(d, "failovers", 0));
	members_table(out, ms);
	for (size_t i = 0; i < len(ms); i++) {
		json_object *m = json_object_array_get_idx(ms, i);
		if (get(m, "trend")) {
			fprintf(out, "%-10s", json_get_str(m, "name", "?"));
			trend_line(out, m);
		}
	}
	performance(out, get(d, "performance"));
}

static void counts(FILE *out, const char *label, json_object *o)
{
	bool first = true;
	fprintf(out, "  %s:", label);
	json_object_object_foreach(o, k, v) {
		fprintf(out, "%s %s %lld", first ? "" : ",", k, (long long)json_object_get_int64(v));
		first = false;
	}
	fprintf(out, "%s\n", first ? " none" : "");
}

static void outage_table(FILE *out, json_object *ms)
{
	char a[16], b[16], c[16], e[16];
	fprintf(out, "\n%-10s %8s %10s %10s %9s %9s\n", "MEMBER", "OUTAGES", "DOWN_S", "MTBF_S",
		"MTTR_S", "AVAIL%");
	for (size_t i = 0; i < len(ms); i++) {
		json_object *m = json_object_array_get_idx(ms, i);
		fprintf(out, "%-10.10s %8.0f %10s %10s %9s %9s\n", json_get_str(m, "name", "?"),
			json_get_num(m, "outages", 0), num(m, "downtime_s", 0, a, sizeof(a)),
			num(m, "mtbf_s", 0, b, sizeof(b)), num(m, "mttr_s", 1, c, sizeof(c)),
			num(m, "availability_pct", 3, e, sizeof(e)));
	}
}

/* decisions --analysis --security */
void ctl_fmt_hist_security(json_object *s, FILE *out)
{
	json_object *fo = get(s, "failovers"), *m = get(s, "members"), *man = get(s, "manual");
	char a[32], b[32];
	fprintf(out, "\nsecurity analysis:\n  failovers: %.0f (%s a day; the month before %s)\n",
		json_get_num(fo, "count", 0), num(fo, "per_day", 2, a, sizeof(a)),
		num(fo, "baseline_per_day", 2, b, sizeof(b)));
	for (size_t i = 0; i < len(m); i++) {
		json_object *x = json_object_array_get_idx(m, i);
		fprintf(out, "  %-10s outages %.0f (%s a day; the month before %s)%s\n",
			json_get_str(x, "name", "?"), json_get_num(x, "count", 0),
			num(x, "per_day", 2, a, sizeof(a)), num(x, "baseline_per_day", 2, b, sizeof(b)),
			json_get_bool(x, "unusual", 0) ? "  UNUSUAL" : "");
	}
	fprintf(out, "  manual actions: %.0f\n", json_get_num(s, "manual_count", 0));
	for (size_t i = 0; i < len(man); i++) {
		json_object *x = json_object_array_get_idx(man, i);
		fprintf(out, "    %s  to %s: %s\n", json_get_str(x, "time", "?"),
			json_get_str(x, "to", "(automatic)"), json_get_str(x, "reason", ""));
	}
	json_object *f = get(s, "findings");
	fprintf(out, "  findings:%s\n", len(f) ? "" : " nothing an outsider seems to have caused");
	for (size_t i = 0; i < len(f); i++) {
		json_object *x = json_object_array_get_idx(f, i);
		char line[600];
		snprintf(line, sizeof(line), "%s: %s", json_get_str(x, "severity", "?"),
			 json_get_str(x, "text", ""));
		fprintf(out, "  - ");
		ctl_format_wrapped(out, line, 4, 94);
	}
}

static void analysis(json_object *d, FILE *out)
{
	json_object *p = get(d, "predictive"), *h = get(d, "failovers_by_hour");
	char lead[16];
	period_line(out, "failover patterns", get(d, "period"));
	fprintf(out, "  decisions %.0f: failovers %.0f, returns %.0f, manual %.0f, tests %.0f; "
		"flaps prevented %.0f (holds %.0f)\n", json_get_num(d, "decisions", 0),
		json_get_num(d, "failovers", 0), json_get_num(d, "restores", 0),
		json_get_num(d, "manual", 0), json_get_num(d, "tests", 0),
		json_get_num(get(d, "flaps_prevented"), "count", 0),
		json_get_num(get(d, "flaps_prevented"), "holds", 0));
	counts(out, "by cause", get(d, "by_cause"));
	fprintf(out, "  failovers by hour:");
	for (size_t i = 0; i < len(h); i++)
		if (json_object_get_int64(json_object_array_get_idx(h, i)))
			fprintf(out, " %02zuh:%lld", i,
				(long long)json_object_get_int64(json_object_array_get_idx(h, i)));
	fputc('\n', out);
	json_object *pairs = get(d, "pairs");
	fprintf(out, "  member pairs:");
	for (size_t i = 0; i < len(pairs); i++) {
		json_object *x = json_object_array_get_idx(pairs, i);
		fprintf(out, "%s %s -> %s %.0f", i ? "," : "", json_get_str(x, "from", "?"),
			json_get_str(x, "to", "?"), json_get_num(x, "count", 0));
	}
	fprintf(out, "%s\n", len(pairs) ? "" : " none");
	outage_table(out, get(d, "members"));
	char line[300];
	snprintf(line, sizeof(line), "predictions: %.0f departures ahead of an outage, %.0f hits "
		 "(mean lead %s s), %.0f false alarms; %.0f outages of an active dish unpredicted",
		 json_get_num(p, "predicted_switches", 0), json_get_num(p, "hits", 0),
		 num(p, "mean_lead_s", 1, lead, sizeof(lead)), json_get_num(p, "false_alarms", 0),
		 json_get_num(p, "unpredicted_outages", 0));
	fputc('\n', out);
	ctl_format_wrapped(out, line, 2, 96);
	json_object *sec = get(d, "security");
	if (sec)
		ctl_fmt_hist_security(sec, out);
}

void ctl_fmt_decisions_hist(json_object *d, FILE *out, void (*list)(json_object *, FILE *))
{
	if (json_object_is_type(d, json_type_object))
		analysis(d, out);
	else
		list(d, out);
}

static void findings(FILE *out, json_object *s)
{
	fprintf(out, "\nfindings:%s\n", len(s) ? "" : " nothing stands out");
	for (size_t i = 0; i < len(s); i++) {
		fprintf(out, "  - ");
		ctl_format_wrapped(out, json_get_str(json_object_array_get_idx(s, i), "text", ""), 4, 94);
	}
}

void ctl_fmt_analytics(json_object *d, FILE *out)
{
	json_object *r = get(d, "ranking"), *rec = get(d, "recurring_outages");
	char a[16], b[16], c[16], e[16], f[16], g[16];
	period_line(out, "analytics", get(d, "period"));
	fprintf(out, "\n%4s %-10s %-9s %8s %7s %9s %8s %6s %6s %7s\n", "RANK", "MEMBER", "CLASS",
		"AVAIL%", "OUTAGES", "MTBF_S", "MTTR_S", "SCORE", "LOSS%", "LAT_MS");
	for (size_t i = 0; i < len(r); i++) {
		json_object *m = json_object_array_get_idx(r, i);
		fprintf(out, "%4.0f %-10.10s %-9.9s %8s %7.0f %9s %8s %6s %6s %7s\n",
			json_get_num(m, "rank", 0), json_get_str(m, "name", "?"),
			json_get_str(m, "class", ""), num(m, "availability_pct", 3, a, sizeof(a)),
			json_get_num(m, "outages", 0), num(m, "mtbf_s", 0, b, sizeof(b)),
			num(m, "mttr_s", 1, c, sizeof(c)), num(m, "score_mean", 0, e, sizeof(e)),
			num(m, "loss_pct", 2, f, sizeof(f)), num(m, "latency_ms", 1, g, sizeof(g)));
	}
	fprintf(out, "\nrecurring outages:%s\n", len(rec) ? "" : " none");
	for (size_t i = 0; i < len(rec); i++) {
		fprintf(out, "  ");
		ctl_format_wrapped(out, json_get_str(json_object_array_get_idx(rec, i), "text", ""), 4, 96);
	}
	findings(out, get(d, "suggestions"));
}

void ctl_fmt_notifications(json_object *d, FILE *out)
{
	json_object *n = get(d, "notifications"), *by = get(d, "by_severity");
	json_object *p = get(d, "period");
	ctl_fmt_delivery(get(d, "delivery"), out);
	if (!n) {
		fprintf(out, "(no history store: stored events not shown)\n");
		return;
	}
	fprintf(out, "%.0f notification(s) %s (warning %.0f, critical %.0f, emergency %.0f)%s\n",
		json_get_num(d, "count", 0),
		strcmp(json_get_str(p, "name", ""), "all") ? "in the last 24 h" : "kept",
		json_get_num(by, "warning", 0), json_get_num(by, "critical", 0),
		json_get_num(by, "emergency", 0),
		json_get_num(d, "shown", 0) < json_get_num(d, "count", 0) ? "; newest shown" : "");
	for (size_t i = 0; i < len(n); i++) {
		json_object *e = json_object_array_get_idx(n, i);
		const char *t = json_get_str(e, "time", "");
		fprintf(out, "%.10s %.8s  %-9s ", t, strlen(t) > 11 ? t + 11 : "",
			json_get_str(e, "severity", "?"));
		ctl_format_wrapped(out, json_get_str(e, "text", ""), 31, 69);
	}
	ctl_fmt_deliveries(d, out);
}

void ctl_fmt_report(json_object *d, FILE *out)
{
	json_object *s = get(d, "summary"), *r = get(d, "report"), *a = get(d, "analysis");
	char av[16], line[300];
	period_line(out, json_get_str(r, "title", "report"), get(r, "period"));
	snprintf(line, sizeof(line), "service availability %s %% (traffic on a member that was "
		 "down for %.0f s); failovers %.0f, returns %.0f, outages %.0f, notifications %.0f",
		 num(s, "service_availability_pct", 3, av, sizeof(av)),
		 json_get_num(s, "active_down_s", 0), json_get_num(s, "failovers", 0),
		 json_get_num(s, "restores", 0), json_get_num(s, "outages", 0),
		 json_get_num(s, "notifications", 0));
	ctl_format_wrapped(out, line, 2, 96);
	fputc('\n', out);
	members_table(out, get(d, "members"));
	fputc('\n', out);
	counts(out, "failovers and returns by cause", get(a, "by_cause"));
	outage_table(out, get(a, "members"));
	findings(out, get(get(d, "analytics"), "suggestions"));
	fprintf(out, "\n(--format html: the page with charts; --format json: every figure)\n");
}

static void maint(FILE *out, const char *what, json_object *m)
{
	char a[24], b[24];
	if (!m)
		return;
	fprintf(out, "  %s: %.0f member-hours thinned to hourly rows;", what,
		json_get_num(m, "thinned_hours", 0));
	counts(out, "deleted", get(m, "deleted"));
	fprintf(out, "    in use %s -> %s", bytes(json_get_num(m, "bytes_before", NAN), a, sizeof(a)),
		bytes(json_get_num(m, "bytes_after", NAN), b, sizeof(b)));
	fprintf(out, ", file %s -> %s\n", bytes(json_get_num(m, "file_before", NAN), a, sizeof(a)),
		bytes(json_get_num(m, "file_after", NAN), b, sizeof(b)));
}

void ctl_fmt_cleanup(json_object *d, FILE *out)
{
	char a[24];
	json_object *rm = get(d, "removed");
	fprintf(out, "history store cleaned up%s\n", json_get_bool(d, "vacuumed", 0) ?
		" and vacuumed" : "");
	maint(out, "working copy", get(d, "work"));
	maint(out, "durable copy", get(d, "durable"));
	for (size_t i = 0; i < len(rm); i++) {
		json_object *f = json_object_array_get_idx(rm, i);
		fprintf(out, "  removed %s (%s)\n", json_get_str(f, "path", "?"),
			bytes(json_get_num(f, "bytes", 0), a, sizeof(a)));
	}
	fprintf(out, "freed %s in all\n", bytes(json_get_num(d, "freed_bytes", 0), a, sizeof(a)));
}

void ctl_fmt_security_report(json_object *d, FILE *out)
{
	json_object *p = get(d, "period"), *ev = get(d, "events");
	fprintf(out, "security report, %s: %s - %s\n\n", json_get_str(p, "name", "?"),
		json_get_str(p, "from", "?"), json_get_str(p, "to", "?"));
	ctl_fmt_security_audit(get(d, "audit"), out);
	ctl_fmt_hist_security(get(d, "analysis"), out);
	fprintf(out, "\nsecurity events in the period: %zu%s\n", len(ev),
		len(ev) >= 50 ? " (the newest 50)" : "");
	for (size_t i = 0; i < len(ev); i++) {
		json_object *e = json_object_array_get_idx(ev, i);
		char line[600];
		snprintf(line, sizeof(line), "%s %-8s %s", json_get_str(e, "time", "?"),
			 json_get_str(e, "severity", "?"), json_get_str(e, "text", ""));
		fprintf(out, "  ");
		ctl_format_wrapped(out, line, 4, 94);
	}
}
