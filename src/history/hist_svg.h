/* hist_svg: inline SVG charts for the HTML report (hist_svg.c). Values are
 * JSON arrays (null = no data at that point). */
#ifndef AUTONOMY_HISTORY_HIST_SVG_H
#define AUTONOMY_HISTORY_HIST_SVG_H

#include <stdint.h>
#include <stdio.h>
#include <json-c/json.h>

struct hist_svg_series {
	const char *name;
	int color;              /* index into the palette */
	json_object *values;
};

/* A member's state over time: seconds up / degraded / down / active per point. */
struct hist_svg_lane {
	const char *name;
	json_object *up, *degraded, *down, *active;
};

const char *hist_svg_color(int i);
/* Text escaped for HTML (element content and attribute values). */
void hist_html_text(FILE *f, const char *s);
/* n points from start, step_s apart (local time = UTC + tz_off). */
void hist_svg_lines(FILE *f, const char *label, const struct hist_svg_series *s, int ns, int n,
		    int64_t start, int64_t step_s, int tz_off, const char *unit);
void hist_svg_bars(FILE *f, const char *label, const struct hist_svg_series *s, int ns, int n,
		   int64_t start, int64_t step_s, int tz_off, const char *unit);
void hist_svg_timeline(FILE *f, const char *label, const struct hist_svg_lane *lanes, int nl,
		       int n, int64_t start, int64_t step_s, int tz_off);

#endif
