/* hist_svg: the report's charts as inline SVG — a line chart, a stacked
 * bar chart and a state timeline. Fixed-size viewBox, scaled by CSS, so
 * they fit a phone and print; no scripts, no fonts, no external anything. */
#include "history/hist_svg.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/jsonutil.h"

#define W 720
#define H 220
#define L 52            /* left margin: the y axis labels */
#define R 12
#define T 14
#define B 30            /* bottom margin: the x axis labels */

static const char *const palette[] = {
	"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2",
};

const char *hist_svg_color(int i)
{
	return palette[(unsigned)i % (sizeof(palette) / sizeof(palette[0]))];
}

void hist_html_text(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f);
		}
	}
}

/* A round number >= v for the y axis. */
static double nice_max(double v)
{
	if (!(v > 0))
		return 1;
	double p = pow(10, floor(log10(v))), m = v / p;
	return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

static void x_labels_at(FILE *f, int64_t start, int64_t step_s, int n, int tz_off, int y)
{
	int every = n > 8 ? (n + 7) / 8 : 1;
	for (int i = 0; i < n; i += every) {
		char buf[16];
		time_t t = (time_t)(start + (int64_t)i * step_s + tz_off);
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(buf, sizeof(buf), step_s >= 86400 || (int64_t)n * step_s > 3 * 86400 ?
			 "%m-%d" : "%H:%M", &tm);
		double x = L + (W - L - R) * (i + 0.5) / n;
		fprintf(f, "<text x=\"%.1f\" y=\"%d\" class=\"ax\" text-anchor=\"middle\">%s</text>",
			x, y, buf);
	}
}

static void x_labels(FILE *f, int64_t start, int64_t step_s, int n, int tz_off)
{
	x_labels_at(f, start, step_s, n, tz_off, H - 10);
}

static void y_axis(FILE *f, double ymax, const char *unit)
{
	for (int i = 0; i <= 4; i++) {
		double y = T + (H - T - B) * (1 - i / 4.0);
		fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>"
			"<text x=\"%d\" y=\"%.1f\" class=\"ax\" text-anchor=\"end\">%g%s</text>",
			L, W - R, y, y, L - 4, y + 4, ymax * i / 4, i == 4 ? unit : "");
	}
}

/* The chart's frame: the svg element, the y axis up to a round maximum
 * over ymax (returned), the time labels. */
static double open_chart(FILE *f, const char *label, double ymax, const char *unit,
			 int64_t start, int64_t step_s, int n, int tz_off)
{
	ymax = nice_max(ymax);
	fprintf(f, "<svg viewBox=\"0 0 %d %d\" role=\"img\" class=\"chart\" aria-label=\"", W, H);
	hist_html_text(f, label);
	fputs("\">", f);
	y_axis(f, ymax, unit);
	x_labels(f, start, step_s, n, tz_off);
	return ymax;
}

void hist_svg_lines(FILE *f, const char *label, const struct hist_svg_series *s, int ns, int n,
		    int64_t start, int64_t step_s, int tz_off, const char *unit)
{
	double ymax = 0;
	for (int k = 0; k < ns; k++)
		for (int i = 0; i < n; i++) {
			json_object *v = json_object_array_get_idx(s[k].values, (size_t)i);
			if (v && json_object_get_double(v) > ymax)
				ymax = json_object_get_double(v);
		}
	ymax = open_chart(f, label, ymax, unit, start, step_s, n, tz_off);
	for (int k = 0; k < ns; k++) {
		bool pen = false;
		fprintf(f, "<path class=\"line\" stroke=\"%s\" d=\"", hist_svg_color(s[k].color));
		for (int i = 0; i < n; i++) {
			json_object *v = json_object_array_get_idx(s[k].values, (size_t)i);
			if (!v) {
				pen = false;
				continue;
			}
			double x = L + (W - L - R) * (i + 0.5) / n;
			double y = T + (H - T - B) * (1 - json_object_get_double(v) / ymax);
			fprintf(f, "%c%.1f %.1f", pen ? 'L' : 'M', x, y);
			pen = true;
		}
		fputs("\"/>", f);
	}
	fputs("</svg>", f);
}

void hist_svg_bars(FILE *f, const char *label, const struct hist_svg_series *s, int ns, int n,
		   int64_t start, int64_t step_s, int tz_off, const char *unit)
{
	double ymax = 0;
	for (int i = 0; i < n; i++) {
		double sum = 0;
		for (int k = 0; k < ns; k++) {
			json_object *v = json_object_array_get_idx(s[k].values, (size_t)i);
			sum += v ? json_object_get_double(v) : 0;
		}
		if (sum > ymax)
			ymax = sum;
	}
	ymax = open_chart(f, label, ymax, unit, start, step_s, n, tz_off);
	double bw = (double)(W - L - R) / n;
	for (int i = 0; i < n; i++) {
		double base = 0;
		for (int k = 0; k < ns; k++) {
			json_object *v = json_object_array_get_idx(s[k].values, (size_t)i);
			double val = v ? json_object_get_double(v) : 0;
			if (val <= 0)
				continue;
			double h = (H - T - B) * val / ymax, y = H - B - (H - T - B) * base / ymax - h;
			fprintf(f, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
				"height=\"%.1f\" fill=\"%s\"><title>%g</title></rect>", L + bw * i + bw * 0.1,
				y, bw * 0.8, h, hist_svg_color(s[k].color), val);
			base += val;
		}
	}
	fputs("</svg>", f);
}

static const char *state_class(long long up, long long deg, long long down)
{
	if (up + deg + down == 0)
		return "st-unknown";
	if (down >= up && down >= deg)
		return "st-down";
	return deg > up ? "st-degraded" : "st-up";
}

void hist_svg_timeline(FILE *f, const char *label, const struct hist_svg_lane *lanes, int nl,
		       int n, int64_t start, int64_t step_s, int tz_off)
{
	int lane_h = 22, h = T + nl * (lane_h + 6) + B;
	fprintf(f, "<svg viewBox=\"0 0 %d %d\" role=\"img\" class=\"chart\" aria-label=\"", W, h);
	hist_html_text(f, label);
	fputs("\">", f);
	double bw = (double)(W - L - R) / n;
	for (int k = 0; k < nl; k++) {
		int y = T + k * (lane_h + 6);
		fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"ax\" text-anchor=\"end\">", L - 4,
			y + lane_h / 2 + 4);
		hist_html_text(f, lanes[k].name);
		fputs("</text>", f);
		for (int i = 0; i < n; i++) {
			json_object *u = json_object_array_get_idx(lanes[k].up, (size_t)i);
			json_object *g = json_object_array_get_idx(lanes[k].degraded, (size_t)i);
			json_object *d = json_object_array_get_idx(lanes[k].down, (size_t)i);
			json_object *a = json_object_array_get_idx(lanes[k].active, (size_t)i);
			long long up = u ? json_object_get_int64(u) : 0, deg = g ?
				       json_object_get_int64(g) : 0, dn = d ? json_object_get_int64(d) : 0;
			fprintf(f, "<rect class=\"%s\" x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\"/>",
				state_class(up, deg, dn), L + bw * i, y, bw + 0.05, lane_h);
			if (a && json_object_get_int64(a) * 2 >= step_s)
				fprintf(f, "<rect class=\"act\" x=\"%.2f\" y=\"%d\" width=\"%.2f\" "
					"height=\"4\"/>", L + bw * i, y + lane_h - 4, bw + 0.05);
		}
	}
	x_labels_at(f, start, step_s, n, tz_off, h - 10);
	fputs("</svg>", f);
}
