/* gpsd_parse: gpsd JSON reports (see gpsd_parse.h). Field names follow
 * gpsd's JSON protocol (gpsd_json(5)); values are type-checked here, never
 * coerced: json-c would read "lat":"x" as 0, a position off the coast of
 * Africa. */
#include "gps/gpsd_parse.h"

#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* gpsd nests three deep (SKY.satellites[].PRN); anything deeper is not
 * gpsd, and a small limit bounds json-c's work on hostile input. */
#define GPSD_JSON_DEPTH 8

static json_object *member(json_object *o, const char *key)
{
	json_object *v = NULL;
	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

/* A JSON number (int or double), else NAN. */
static double num(json_object *o, const char *key)
{
	json_object *v = member(o, key);
	if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int))
		return NAN;
	double d = json_object_get_double(v);
	return isfinite(d) ? d : NAN;
}

/* num() limited to [lo, hi]; NAN outside. */
static double num_in(json_object *o, const char *key, double lo, double hi)
{
	double d = num(o, key);
	return d >= lo && d <= hi ? d : NAN;
}

static int int_in(json_object *o, const char *key, int lo, int hi, int dflt)
{
	double d = num(o, key);
	return d >= lo && d <= hi ? (int)d : dflt;
}

static const char *str(json_object *o, const char *key)
{
	json_object *v = member(o, key);
	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static void copy_str(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

static int bool_or(json_object *o, const char *key, bool dflt)
{
	json_object *v = member(o, key);
	return json_object_is_type(v, json_type_boolean) ? json_object_get_boolean(v) : dflt;
}

/* ---- time ---------------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil). */
static int64_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* n decimal digits at s into *v; 0 or -1. */
static int digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

int gpsd_parse_time(const char *s, int64_t *unix_s)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h, mi, sec;
	if (!s || strlen(s) < 20 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) ||
	    s[7] != '-' || digits(s + 8, 2, &d) || s[10] != 'T' || digits(s + 11, 2, &h) ||
	    s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':' || digits(s + 17, 2, &sec))
		return -1;
	const char *p = s + 19;
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9')
			return -1;
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	}
	if (strcmp(p, "Z") != 0)
		return -1;
	/* sec 60: a leap second, as UTC prints it */
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 ||
	    sec > 60)
		return -1;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (mo == 2 && d == 29 && !leap)
		return -1;
	*unix_s = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	return 0;
}

/* ---- classes --------------------------------------------------------------- */

static double tpv_alt_msl(json_object *o)
{
	double a = num(o, "altMSL");
	if (isnan(a))
		a = num(o, "alt");
	if (isnan(a))
		a = num(o, "altHAE") - num(o, "geoidSep");     /* NAN if either is */
	return a;
}

static double tpv_accuracy(json_object *o)
{
	double eph = num_in(o, "eph", 0, 1e7);
	if (!isnan(eph))
		return eph;
	double x = num_in(o, "epx", 0, 1e7), y = num_in(o, "epy", 0, 1e7);
	return sqrt(x * x + y * y);     /* NAN if either is */
}

static int64_t tpv_time(json_object *o)
{
	int64_t t;
	if (gpsd_parse_time(str(o, "time"), &t) == 0)
		return t;
	double d = num_in(o, "time", 1, 1e11);  /* pre-3.10 gpsd: Unix seconds */
	return isnan(d) ? 0 : (int64_t)d;
}

static void parse_tpv(json_object *o, struct gpsd_report *r)
{
	struct gps_fix *f = &r->fix;
	f->source = GPS_SRC_GPSD;
	f->mode = int_in(o, "mode", 0, 3, 0);
	f->lat = num_in(o, "lat", -90, 90);
	f->lon = num_in(o, "lon", -180, 180);
	f->valid = f->mode >= 2 && !isnan(f->lat) && !isnan(f->lon);
	f->alt_m = tpv_alt_msl(o);
	f->speed_mps = num_in(o, "speed", 0, 1e5);
	f->track_deg = num_in(o, "track", 0, 360);
	f->accuracy_m = tpv_accuracy(o);
	f->time_s = tpv_time(o);
	r->ept_s = num_in(o, "ept", 0, 1e7);
}

static void parse_sky(json_object *o, struct gpsd_report *r)
{
	r->sat_used = int_in(o, "uSat", 0, 10000, -1);
	r->sat_seen = int_in(o, "nSat", 0, 10000, -1);
	json_object *sats = member(o, "satellites");
	if (!json_object_is_type(sats, json_type_array))
		return;
	size_t n = json_object_array_length(sats), used = 0;
	for (size_t i = 0; i < n; i++) {
		json_object *s = json_object_array_get_idx(sats, i);
		if (json_object_is_type(s, json_type_object) && bool_or(s, "used", false))
			used++;
	}
	if (r->sat_used < 0)
		r->sat_used = used > 10000 ? 10000 : (int)used;
	if (r->sat_seen < 0)
		r->sat_seen = n > 10000 ? 10000 : (int)n;
}

/* "activated": an ISO time in gpsd 3.x, a number (0 = closed) in older ones
 * and in gpsd's "device closed" notice. */
static void parse_device(json_object *o, struct gpsd_device *d)
{
	copy_str(d->path, sizeof(d->path), str(o, "path"));
	json_object *a = member(o, "activated");
	if (json_object_is_type(a, json_type_string))
		d->activated = json_object_get_string_len(a) > 0;
	else
		d->activated = num(o, "activated") > 0;
}

static void parse_devices(json_object *o, struct gpsd_report *r)
{
	json_object *devs = member(o, "devices");
	if (!json_object_is_type(devs, json_type_array))
		return;
	size_t n = json_object_array_length(devs);
	for (size_t i = 0; i < n; i++) {
		json_object *d = json_object_array_get_idx(devs, i);
		if (!json_object_is_type(d, json_type_object))
			continue;
		if (r->n_devices < GPSD_DEVICES_MAX)
			parse_device(d, &r->devices[r->n_devices]);
		r->n_devices++;
	}
}

static void parse_version(json_object *o, struct gpsd_report *r)
{
	copy_str(r->release, sizeof(r->release), str(o, "release"));
	r->proto_major = int_in(o, "proto_major", 0, 1000, -1);
	r->proto_minor = int_in(o, "proto_minor", 0, 1000, -1);
}

static void parse_watch(json_object *o, struct gpsd_report *r)
{
	r->watch_enable = bool_or(o, "enable", false);
	r->watch_json = bool_or(o, "json", false);
}

static void parse_error(json_object *o, struct gpsd_report *r)
{
	copy_str(r->message, sizeof(r->message), str(o, "message"));
}

static void parse_device_one(json_object *o, struct gpsd_report *r)
{
	parse_device(o, &r->devices[0]);
	r->n_devices = 1;
}

static const struct {
	const char *name;
	enum gpsd_class cls;
	void (*parse)(json_object *o, struct gpsd_report *r);
} classes[] = {
	{ "TPV", GPSD_CLASS_TPV, parse_tpv },
	{ "SKY", GPSD_CLASS_SKY, parse_sky },
	{ "VERSION", GPSD_CLASS_VERSION, parse_version },
	{ "DEVICES", GPSD_CLASS_DEVICES, parse_devices },
	{ "DEVICE", GPSD_CLASS_DEVICE, parse_device_one },
	{ "WATCH", GPSD_CLASS_WATCH, parse_watch },
	{ "ERROR", GPSD_CLASS_ERROR, parse_error },
};

const char *gpsd_class_name(enum gpsd_class c)
{
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		if (classes[i].cls == c)
			return classes[i].name;
	return "OTHER";
}

/* ---- entry ---------------------------------------------------------------- */

static void report_init(struct gpsd_report *r)
{
	memset(r, 0, sizeof(*r));
	gps_fix_init(&r->fix);
	r->ept_s = NAN;
	r->sat_used = r->sat_seen = -1;
	r->proto_major = r->proto_minor = -1;
}

static int fail(char *err, size_t errlen, const char *msg)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", msg);
	return -1;
}

/* The line as one JSON object, or NULL with a reason. */
static json_object *parse_object(const char *line, size_t len, char *err, size_t errlen)
{
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r' || line[len - 1] == ' ' ||
		       line[len - 1] == '\t'))
		len--;
	if (len == 0)
		return fail(err, errlen, "empty line"), NULL;
	/* json-c would stop at a NUL inside the length it is given */
	if (memchr(line, '\0', len) || len > 0x7fffffff)
		return fail(err, errlen, "NUL byte in report"), NULL;
	struct json_tokener *tok = json_tokener_new_ex(GPSD_JSON_DEPTH);
	if (!tok)
		return fail(err, errlen, "out of memory"), NULL;
	json_object *o = json_tokener_parse_ex(tok, line, (int)len);
	enum json_tokener_error je = json_tokener_get_error(tok);
	size_t end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	char msg[96];
	if (!o) {
		snprintf(msg, sizeof(msg), "not JSON: %s at byte %zu",
			 je == json_tokener_continue ? "truncated" : json_tokener_error_desc(je), end);
		return fail(err, errlen, msg), NULL;
	}
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return fail(err, errlen, "not a JSON object"), NULL;
	}
	if (end < len) {
		json_object_put(o);
		snprintf(msg, sizeof(msg), "trailing bytes after the object at byte %zu", end);
		return fail(err, errlen, msg), NULL;
	}
	return o;
}

int gpsd_parse(const char *line, size_t len, struct gpsd_report *r, char *err, size_t errlen)
{
	report_init(r);
	if (err && errlen)
		err[0] = '\0';
	json_object *o = parse_object(line, len, err, errlen);
	if (!o)
		return -1;
	const char *cls = str(o, "class");
	if (!cls) {
		json_object_put(o);
		return fail(err, errlen, "no class");
	}
	copy_str(r->class_name, sizeof(r->class_name), cls);
	copy_str(r->device, sizeof(r->device), str(o, "device"));
	r->cls = GPSD_CLASS_OTHER;
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		if (strcmp(cls, classes[i].name) == 0) {
			r->cls = classes[i].cls;
			classes[i].parse(o, r);
			break;
		}
	}
	json_object_put(o);
	return 0;
}
