/* gps_select: the best position and grid cells (see gps_select.h). */
#include "gps/gps_select.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define DEG2RAD (M_PI / 180.0)

/* Lower is preferred; a source not listed ranks last. */
static int src_rank(enum gps_src s)
{
	static const enum gps_src order[] = { GPS_SRC_GPSD, GPS_SRC_STARLINK, GPS_SRC_MODEM,
					      GPS_SRC_TRACE };
	for (int i = 0; i < (int)(sizeof(order) / sizeof(order[0])); i++)
		if (order[i] == s)
			return i;
	return 99;
}

static uint64_t age_us(const struct gps_fix *f, uint64_t now_us)
{
	return now_us > f->mono_us ? now_us - f->mono_us : 0;
}

/* 1 if a is a better position than b (both usable). */
static bool better(const struct gps_fix *a, const struct gps_fix *b, uint64_t now_us)
{
	bool ka = !isnan(a->accuracy_m), kb = !isnan(b->accuracy_m);
	if (ka != kb)
		return ka;
	if (ka && a->accuracy_m != b->accuracy_m)
		return a->accuracy_m < b->accuracy_m;
	int ra = src_rank(a->source), rb = src_rank(b->source);
	if (ra != rb)
		return ra < rb;
	return age_us(a, now_us) < age_us(b, now_us);
}

/* Appends to why (always terminated, silently truncated). */
static void add(char *why, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add(char *why, size_t len, const char *fmt, ...)
{
	size_t used = strlen(why);
	if (used + 1 >= len)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why + used, len - used, fmt, ap);
	va_end(ap);
}

/* Why candidate c (with a fix) cannot be used, or NULL if it can; a
 * formatted reason goes to buf. */
static const char *unusable(const struct gps_candidate *c, enum gps_src only, uint64_t now_us,
			    char *buf, size_t len)
{
	const struct gps_fix *f = c->fix;
	if (only != GPS_SRC_NONE && f->source != only)
		return "not the configured source";
	if (!f->valid)
		return "no fix";
	uint64_t age_ms = age_us(f, now_us) / 1000;
	if (c->max_age_ms && age_ms >= c->max_age_ms) {
		snprintf(buf, len, "%llu s old (max %u s)", (unsigned long long)(age_ms / 1000),
			 c->max_age_ms / 1000);
		return buf;
	}
	return NULL;
}

static void describe(const struct gps_fix *f, uint64_t now_us, char *why, size_t len)
{
	const char *kind = f->mode == 3 ? "3D fix" : f->mode == 2 ? "2D fix" : "fix";
	add(why, len, "%s %s", gps_src_name(f->source), kind);
	if (isnan(f->accuracy_m))
		add(why, len, ", accuracy unknown");
	else
		add(why, len, ", \u00b1%.0f m", f->accuracy_m);
	if (f->satellites >= 0)
		add(why, len, ", %d satellites", f->satellites);
	add(why, len, ", %llu s old", (unsigned long long)(age_us(f, now_us) / 1000000));
}

int gps_select(const struct gps_candidate *c, size_t n, enum gps_src only, uint64_t now_us,
	       char *why, size_t whylen)
{
	char tmp[1], buf[48];
	if (!why || !whylen) {
		why = tmp;
		whylen = sizeof(tmp);
	}
	why[0] = '\0';
	int best = -1;
	for (size_t i = 0; i < n; i++) {
		if (c[i].fix && !unusable(&c[i], only, now_us, buf, sizeof(buf)) &&
		    (best < 0 || better(c[i].fix, c[best].fix, now_us)))
			best = (int)i;
	}
	if (best >= 0) {
		describe(c[best].fix, now_us, why, whylen);
		return best;
	}
	add(why, whylen, "no position");
	if (only != GPS_SRC_NONE)
		add(why, whylen, " from %s", gps_src_name(only));
	const char *sep = ": ";
	for (size_t i = 0; i < n; i++) {
		const char *r = c[i].fix ? unusable(&c[i], only, now_us, buf, sizeof(buf)) : NULL;
		if (r && (only == GPS_SRC_NONE || c[i].fix->source == only)) {
			add(why, whylen, "%s%s %s", sep, gps_src_name(c[i].fix->source), r);
			sep = "; ";
		}
	}
	return -1;
}

int gps_select_source_parse(const char *name)
{
	static const struct { const char *name; enum gps_src src; } map[] = {
		{ "auto", GPS_SRC_NONE }, { "gpsd", GPS_SRC_GPSD },
		{ "starlink", GPS_SRC_STARLINK }, { "modem", GPS_SRC_MODEM },
	};
	for (size_t i = 0; name && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(name, map[i].name) == 0)
			return (int)map[i].src;
	return -1;
}

/* ---- grid and distance ---------------------------------------------------- */

int gps_cell_id(double lat, double lon, double cell_m, char *out, size_t size)
{
	if (!isfinite(lat) || !isfinite(lon) || lat < -90 || lat > 90 || !(cell_m >= 1) ||
	    cell_m > 1e6 || !out)
		return -1;
	/* whole rows from pole to pole, so both caps are alike */
	double half_circ = M_PI * GPS_EARTH_RADIUS_M;
	long rows = lround(half_circ / cell_m);
	if (rows < 1)
		rows = 1;
	double row_deg = 180.0 / (double)rows;
	long row = (long)floor((lat + 90.0) / row_deg);
	if (row >= rows)
		row = rows - 1;         /* lat 90 belongs to the top row */
	long cols = 1;
	if (row > 0 && row < rows - 1) {
		double mid = -90.0 + ((double)row + 0.5) * row_deg;
		double circ = 2.0 * M_PI * GPS_EARTH_RADIUS_M * cos(mid * DEG2RAD);
		cols = (long)floor(circ / cell_m);
		if (cols < 1)
			cols = 1;
	}
	double x = fmod(lon + 180.0, 360.0);
	if (x < 0)
		x += 360.0;
	long col = (long)floor(x / 360.0 * (double)cols);
	if (col >= cols)
		col = cols - 1;
	int n = snprintf(out, size, "%gm:%ld:%ld", cell_m, row, col);
	return n < 0 || (size_t)n >= size ? -1 : n;
}

double gps_distance_m(double lat1, double lon1, double lat2, double lon2)
{
	double p1 = lat1 * DEG2RAD, p2 = lat2 * DEG2RAD;
	double dp = p2 - p1, dl = (lon2 - lon1) * DEG2RAD;
	double a = sin(dp / 2) * sin(dp / 2) + cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);
	if (a > 1)
		a = 1;  /* rounding, near antipodes */
	return 2.0 * GPS_EARTH_RADIUS_M * atan2(sqrt(a), sqrt(1.0 - a));
}
