/* hist_html: the report (hist_report's JSON) as one self-contained HTML
 * page: inline CSS and SVG, no script, no external request (fonts, images
 * or styles from elsewhere would leak that a report was opened, and fail
 * offline). Readable on a phone (one column below 700 px), printable. */
#include "history/hist.h"
#include "history/hist_svg.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/jsonutil.h"

static const char *const css =
	"body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;"
	"color:#1d2530;background:#f4f6f8}"
	"main{max-width:980px;margin:0 auto;padding:16px}"
	"h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.15em;margin:1.4em 0 .5em}"
	".sub{color:#5b6675}"
	".cards{display:flex;flex-wrap:wrap;gap:10px}"
	".card{background:#fff;border-radius:8px;padding:10px 14px;flex:1 1 140px;"
	"box-shadow:0 1px 2px #0002}.card b{display:block;font-size:1.5em}"
	"section{background:#fff;border-radius:8px;padding:8px 14px 14px;margin:12px 0;"
	"box-shadow:0 1px 2px #0002;break-inside:avoid}"
	".scroll{overflow-x:auto}"
	"table{border-collapse:collapse;width:100%;font-size:.92em}"
	"th,td{padding:4px 8px;text-align:right;border-bottom:1px solid #e3e7eb;white-space:nowrap}"
	"th:first-child,td:first-child,td.l{text-align:left}td.wrap{white-space:normal;text-align:left}"
	"svg.chart{width:100%;height:auto;display:block}"
	".ax{font-size:11px;fill:#5b6675}.grid{stroke:#e3e7eb}"
	".line{fill:none;stroke-width:1.6}"
	".st-up{fill:#3fae5a}.st-degraded{fill:#f0b429}.st-down{fill:#d64545}"
	".st-unknown{fill:#d5dae0}.act{fill:#1d2530}"
	".legend span{display:inline-block;margin-right:14px;font-size:.9em}"
	".legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}"
	".sev-warning{color:#a86a00}.sev-critical,.sev-emergency{color:#c02626;font-weight:600}"
	"ul.sugg li{margin:.3em 0}"
	"@media print{body{background:#fff}section,.card{box-shadow:none;border:1px solid #ccc}"
	"main{max-width:none}}";

static void esc(FILE *f, const char *s)
{
	hist_html_text(f, s);
}

static const char *str(json_object *o, const char *k)
{
	return json_get_str(o, k, "");
}

/* A number or "-" with a unit. */
static void num(FILE *f, json_object *o, const char *k, int dec, const char *unit)
{
	if (!json_has(o, k))
		fputs("-", f);
	else
		fprintf(f, "%.*f%s", dec, json_get_num(o, k, 0), unit);
}

static json_object *get(json_object *o, const char *k)
{
	json_object *v = NULL;
	json_object_object_get_ex(o, k, &v);
	return v;
}

static void bytes(FILE *f, double b)
{
	if (b < 0 || isnan(b))
		fputs("-", f);
	else if (b >= 1e9)
		fprintf(f, "%.2f GB", b / 1e9);
	else if (b >= 1e6)
		fprintf(f, "%.1f MB", b / 1e6);
	else
		fprintf(f, "%.0f kB", b / 1e3);
}

static void head(FILE *f, json_object *rep)
{
	json_object *r = get(rep, "report"), *p = get(r, "period");
	fputs("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'; img-src data:\"><title>", f);
	esc(f, str(r, "title"));
	fputs(" — ", f);
	esc(f, str(p, "name"));
	fprintf(f, "</title><style>%s</style></head><body><main><h1>", css);
	esc(f, str(r, "title"));
	fputs("</h1><div class=\"sub\">", f);
	esc(f, str(r, "host"));
	fputs(" · ", f);
	esc(f, str(p, "name"));
	fputs(": ", f);
	esc(f, str(p, "from"));
	fputs(" – ", f);
	esc(f, str(p, "to"));
	fputs(" · generated ", f);
	esc(f, str(r, "generated"));
	fputs("</div>", f);
}

static void cards(FILE *f, json_object *rep)
{
	json_object *s = get(rep, "summary");
	fputs("<div class=\"cards\" id=\"summary\">", f);
	fputs("<div class=\"card\">service availability<b>", f);
	num(f, s, "service_availability_pct", 2, " %");
	fprintf(f, "</b></div><div class=\"card\">failovers<b>%.0f</b></div>"
		"<div class=\"card\">returns<b>%.0f</b></div><div class=\"card\">outages<b>%.0f</b>"
		"</div><div class=\"card\">notifications<b>%.0f</b></div></div>",
		json_get_num(s, "failovers", 0), json_get_num(s, "restores", 0),
		json_get_num(s, "outages", 0), json_get_num(s, "notifications", 0));
}

static void members_table(FILE *f, json_object *rep)
{
	json_object *ms = get(rep, "members");
	fputs("<section id=\"members\"><h2>Members</h2><div class=\"scroll\"><table><tr>"
	      "<th>member</th><th>availability</th><th>active</th><th>failovers</th>"
	      "<th>outages</th><th>loss</th><th>latency</th><th>p95</th><th>jitter</th>"
	      "<th>score</th><th>data</th></tr>", f);
	for (size_t i = 0; i < json_object_array_length(ms); i++) {
		json_object *m = json_object_array_get_idx(ms, i);
		fputs("<tr><td>", f);
		esc(f, str(m, "name"));
		fputs(" <span class=\"sub\">", f);
		esc(f, str(m, "class"));
		fputs("</span></td><td>", f);
		num(f, m, "availability_pct", 2, " %");
		fputs("</td><td>", f);
		num(f, m, "active_pct", 1, " %");
		fprintf(f, "</td><td>%.0f</td><td>%.0f</td><td>", json_get_num(m, "failovers", 0),
			json_get_num(m, "outages", 0));
		num(f, m, "loss_pct", 2, " %");
		fputs("</td><td>", f);
		num(f, m, "latency_ms", 0, " ms");
		fputs("</td><td>", f);
		num(f, m, "p95_ms", 0, " ms");
		fputs("</td><td>", f);
		num(f, m, "jitter_ms", 1, " ms");
		fputs("</td><td>", f);
		num(f, get(m, "score"), "mean", 0, "");
		fputs("</td><td>", f);
		bytes(f, json_get_num(get(m, "data"), "total_bytes", -1));
		fputs("</td></tr>", f);
	}
	fputs("</table></div></section>", f);
}

static void legend(FILE *f, json_object *names)
{
	fputs("<div class=\"legend\">", f);
	for (size_t i = 0; i < json_object_array_length(names); i++) {
		fprintf(f, "<span><i style=\"background:%s\"></i>", hist_svg_color((int)i));
		esc(f, json_object_get_string(json_object_array_get_idx(names, i)));
		fputs("</span>", f);
	}
	fputs("</div>", f);
}

static void charts_over_time(FILE *f, json_object *rep)
{
	json_object *sr = get(rep, "series"), *ms = get(sr, "members");
	int n = (int)json_get_num(sr, "points", 0), tz = (int)json_get_num(
		get(get(rep, "report"), "period"), "tz_offset_s", 0);
	int64_t start = (int64_t)json_get_num(sr, "start_ts", 0), step = (int64_t)json_get_num(
		sr, "bucket_s", 3600);
	struct hist_svg_lane lanes[HIST_MAX_MEMBERS];
	struct hist_svg_series lat[HIST_MAX_MEMBERS], loss[HIST_MAX_MEMBERS];
	json_object *names = json_object_new_array();
	int k = 0;
	json_object_object_foreach(ms, name, m) {
		if (k == HIST_MAX_MEMBERS)
			break;
		lanes[k] = (struct hist_svg_lane){ name, get(m, "up_s"), get(m, "degraded_s"),
						   get(m, "down_s"), get(m, "active_s") };
		lat[k] = (struct hist_svg_series){ name, k, get(m, "latency_ms") };
		loss[k] = (struct hist_svg_series){ name, k, get(m, "loss_pct") };
		json_object_array_add(names, json_object_new_string(name));
		k++;
	}
	if (n > 0 && k > 0) {
		fputs("<section id=\"timeline\"><h2>Availability over time</h2>", f);
		hist_svg_timeline(f, "member state over time", lanes, k, n, start, step, tz);
		fputs("<div class=\"legend\"><span><i class=\"st-up\" style=\"background:#3fae5a\">"
		      "</i>up</span><span><i style=\"background:#f0b429\"></i>degraded</span>"
		      "<span><i style=\"background:#d64545\"></i>down</span><span><i "
		      "style=\"background:#d5dae0\"></i>not measured</span><span><i "
		      "style=\"background:#1d2530\"></i>carrying traffic</span></div></section>", f);
		fputs("<section id=\"latency\"><h2>Latency (median)</h2>", f);
		hist_svg_lines(f, "latency over time", lat, k, n, start, step, tz, " ms");
		legend(f, names);
		fputs("</section><section id=\"loss\"><h2>Loss</h2>", f);
		hist_svg_lines(f, "loss over time", loss, k, n, start, step, tz, " %");
		legend(f, names);
		fputs("</section>", f);
	}
	json_object_put(names);
}

static void charts_per_day(FILE *f, json_object *rep)
{
	json_object *days = get(get(rep, "analysis"), "by_day"), *ms = get(rep, "members");
	int n = (int)json_object_array_length(days), tz = (int)json_get_num(
		get(get(rep, "report"), "period"), "tz_offset_s", 0);
	if (n == 0)
		return;
	int64_t start = (int64_t)json_get_num(get(get(rep, "report"), "period"), "from_ts", 0);
	start -= ((start + tz) % 86400 + 86400) % 86400;
	json_object *fo = json_object_new_array(), *rs = json_object_new_array();
	for (int i = 0; i < n; i++) {
		json_object *d = json_object_array_get_idx(days, (size_t)i);
		json_object_array_add(fo, json_object_new_int64((int64_t)json_get_num(d, "failovers", 0)));
		json_object_array_add(rs, json_object_new_int64((int64_t)json_get_num(d, "restores", 0)));
	}
	struct hist_svg_series s[2] = { { "failovers", 1, fo }, { "returns", 2, rs } };
	fputs("<section id=\"failovers\"><h2>Failovers per day</h2>", f);
	hist_svg_bars(f, "failovers per day", s, 2, n, start, 86400, tz, "");
	fputs("<div class=\"legend\"><span><i style=\"background:#d62728\"></i>failovers</span>"
	      "<span><i style=\"background:#2ca02c\"></i>returns to a preferred member</span>"
	      "</div></section>", f);
	json_object_put(fo);
	json_object_put(rs);
	/* Data per member and day, in MB. */
	int k = 0;
	struct hist_svg_series data[HIST_MAX_MEMBERS];
	json_object *names = json_object_new_array();
	for (size_t i = 0; i < json_object_array_length(ms) && k < HIST_MAX_MEMBERS; i++) {
		const char *name = str(json_object_array_get_idx(ms, i), "name");
		json_object *v = json_object_new_array();
		for (int d = 0; d < n; d++) {
			json_object *b = get(json_object_array_get_idx(days, (size_t)d), "bytes");
			json_object_array_add(v, json_has(b, name) ?
					      json_num(json_get_num(b, name, 0) / 1e6, 1) : NULL);
		}
		data[k] = (struct hist_svg_series){ name, k, v };
		json_object_array_add(names, json_object_new_string(name));
		k++;
	}
	fputs("<section id=\"data\"><h2>Data per day</h2>", f);
	hist_svg_bars(f, "data per member and day", data, k, n, start, 86400, tz, " MB");
	legend(f, names);
	for (int i = 0; i < k; i++)
		json_object_put(data[i].values);
	json_object_put(names);
}

static void usage_caps(FILE *f, json_object *rep)
{
	json_object *u = get(rep, "usage");
	fputs("<h3>Data usage against caps (this cycle)</h3><div class=\"scroll\"><table><tr>"
	      "<th>member</th><th>since</th><th>used</th><th>cap</th><th>share</th><th></th></tr>",
	      f);
	for (size_t i = 0; i < json_object_array_length(u); i++) {
		json_object *m = json_object_array_get_idx(u, i);
		double pct = json_get_num(m, "used_pct", -1);
		fputs("<tr><td>", f);
		esc(f, str(m, "member"));
		fputs("</td><td>", f);
		esc(f, str(m, "cycle_start"));
		fputs("</td><td>", f);
		bytes(f, json_get_num(m, "used_bytes", -1));
		fputs("</td><td>", f);
		bytes(f, json_get_num(m, "cap_bytes", -1));
		fputs("</td><td>", f);
		num(f, m, "used_pct", 1, " %");
		fputs("</td><td class=\"l\">", f);
		if (pct >= 0)
			fprintf(f, "<svg viewBox=\"0 0 100 10\" width=\"120\" height=\"12\" role=\"img\" "
				"class=\"cap\"><rect width=\"100\" height=\"10\" fill=\"#e3e7eb\"/>"
				"<rect width=\"%.1f\" height=\"10\" fill=\"%s\"/></svg>",
				pct > 100 ? 100 : pct, pct >= 95 ? "#d64545" : pct >= 80 ? "#f0b429" :
				"#3fae5a");
		fputs("</td></tr>", f);
	}
	fputs("</table></div></section>", f);
}

static void analysis(FILE *f, json_object *rep)
{
	json_object *a = get(rep, "analysis"), *p = get(a, "predictive");
	fputs("<section id=\"analysis\"><h2>Failover patterns</h2><div class=\"scroll\"><table>"
	      "<tr><th>cause</th><th>count</th></tr>", f);
	json_object_object_foreach(get(a, "by_cause"), cause, n) {
		fputs("<tr><td>", f);
		esc(f, cause);
		fprintf(f, "</td><td>%lld</td></tr>", (long long)json_object_get_int64(n));
	}
	fputs("</table><table><tr><th>from</th><th>to</th><th>times</th></tr>", f);
	json_object *pairs = get(a, "pairs");
	for (size_t i = 0; i < json_object_array_length(pairs); i++) {
		json_object *x = json_object_array_get_idx(pairs, i);
		fputs("<tr><td>", f);
		esc(f, str(x, "from"));
		fputs("</td><td class=\"l\">", f);
		esc(f, str(x, "to"));
		fprintf(f, "</td><td>%.0f</td></tr>", json_get_num(x, "count", 0));
	}
	fputs("</table><table><tr><th>member</th><th>outages</th><th>down</th><th>MTBF</th>"
	      "<th>MTTR</th></tr>", f);
	json_object *ms = get(a, "members");
	for (size_t i = 0; i < json_object_array_length(ms); i++) {
		json_object *m = json_object_array_get_idx(ms, i);
		fputs("<tr><td>", f);
		esc(f, str(m, "name"));
		fprintf(f, "</td><td>%.0f</td><td>", json_get_num(m, "outages", 0));
		num(f, m, "downtime_s", 0, " s");
		fputs("</td><td>", f);
		num(f, m, "mtbf_s", 0, " s");
		fputs("</td><td>", f);
		num(f, m, "mttr_s", 1, " s");
		fputs("</td></tr>", f);
	}
	fprintf(f, "</table></div><p>Predictions: %.0f departures ahead of an outage, %.0f "
		"followed by one (hits), %.0f false alarms; %.0f outages of an active dish came "
		"without a prediction. Flaps prevented (traffic kept on a degraded member that nothing beat "
		"by the margin): %.0f.</p></section>",
		json_get_num(p, "predicted_switches", 0), json_get_num(p, "hits", 0),
		json_get_num(p, "false_alarms", 0), json_get_num(p, "unpredicted_outages", 0),
		json_get_num(get(a, "flaps_prevented"), "count", 0));
}

static void suggestions(FILE *f, json_object *rep)
{
	json_object *s = get(get(rep, "analytics"), "suggestions");
	fputs("<section id=\"suggestions\"><h2>Findings</h2>", f);
	if (!json_object_array_length(s))
		fputs("<p>Nothing stands out in this period.</p>", f);
	fputs("<ul class=\"sugg\">", f);
	for (size_t i = 0; i < json_object_array_length(s); i++) {
		fputs("<li>", f);
		esc(f, str(json_object_array_get_idx(s, i), "text"));
		fputs("</li>", f);
	}
	fputs("</ul></section>", f);
}

static void notifications(FILE *f, json_object *rep)
{
	json_object *n = get(get(rep, "notifications"), "notifications");
	fputs("<section id=\"notifications\"><h2>Latest notifications</h2><div class=\"scroll\">"
	      "<table><tr><th>time</th><th>level</th><th>what</th></tr>", f);
	for (size_t i = 0; i < json_object_array_length(n); i++) {
		json_object *e = json_object_array_get_idx(n, i);
		fputs("<tr><td>", f);
		esc(f, str(e, "time"));
		fputs("</td><td class=\"sev-", f);
		esc(f, str(e, "severity"));
		fputs("\">", f);
		esc(f, str(e, "severity"));
		fputs("</td><td class=\"wrap\">", f);
		esc(f, str(e, "text"));
		fputs("</td></tr>", f);
	}
	fputs("</table></div></section>", f);
}

int hist_html(json_object *rep, FILE *f)
{
	head(f, rep);
	cards(f, rep);
	members_table(f, rep);
	charts_over_time(f, rep);
	charts_per_day(f, rep);
	usage_caps(f, rep);
	analysis(f, rep);
	suggestions(f, rep);
	notifications(f, rep);
	fputs("</main></body></html>\n", f);
	return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}
