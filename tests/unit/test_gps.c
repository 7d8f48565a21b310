/* Unit tests for the GPS pure code: gps_types, gpsd_parse on gpsd's own
 * regression output for the BU-353-S4 capture and on a live gpspipe from
 * gpsd 3.16 (tests/data/gps/), hostile input, gps_select, grid cells
 * and distances. */
#include "gps/gps_select.h"
#include "engine/gps_types.h"
#include "gps/gpsd_parse.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHK TEST_DATA "/gps/gpsd-json.globalsat-bu353s4.regression-output.chk"
#define PIPE TEST_DATA "/gps/gpspipe-w-n5.gpsd-3.16.sirf.latlon-masked-by-poster.txt"

static int parse_str(const char *s, struct gpsd_report *r)
{
	char err[96];
	return gpsd_parse(s, strlen(s), r, err, sizeof(err));
}

/* ==== gps_types ========================================================= */

static void test_fix_init(void **state)
{
	struct gps_fix f;
	memset(&f, 0x5a, sizeof(f));
	gps_fix_init(&f);
	assert_int_equal(f.source, GPS_SRC_NONE);
	assert_false(f.valid);
	assert_int_equal(f.mode, 0);
	assert_true(isnan(f.lat) && isnan(f.lon) && isnan(f.alt_m) && isnan(f.speed_mps) &&
		    isnan(f.track_deg) && isnan(f.accuracy_m));
	assert_int_equal(f.time_s, 0);
	assert_int_equal(f.mono_us, 0);
	assert_int_equal(f.satellites, -1);
	assert_string_equal(gps_src_name(GPS_SRC_GPSD), "gpsd");
	assert_string_equal(gps_src_name(GPS_SRC_STARLINK), "starlink");
	assert_string_equal(gps_src_name(GPS_SRC_MODEM), "modem");
	assert_string_equal(gps_src_name(GPS_SRC_TRACE), "trace");
	assert_string_equal(gps_src_name(GPS_SRC_NONE), "none");
	assert_string_equal(gps_src_name((enum gps_src)42), "none");
}

/* ==== gpsd_parse: the regression output ================================= */

static void test_chk_file(void **state)
{
	FILE *f = fopen(CHK, "r");
	assert_non_null(f);
	char line[8192];
	int tpv = 0, sky = 0, other = 0, nmea = 0, timed = 0;
	int64_t prev_t = 0;
	struct gpsd_report r, first, third;
	memset(&first, 0, sizeof(first));
	memset(&third, 0, sizeof(third));
	int sky_used[8], sky_seen[8];
	while (fgets(line, sizeof(line), f)) {
		char err[96];
		int rc = gpsd_parse(line, strlen(line), &r, err, sizeof(err));
		if (line[0] == '$') {           /* the NMEA that produced the objects */
			assert_int_equal(rc, -1);
			assert_non_null(strstr(err, "not JSON"));
			nmea++;
			continue;
		}
		assert_int_equal(rc, 0);
		if (r.cls == GPSD_CLASS_TPV) {
			if (tpv == 0)
				first = r;
			if (tpv == 2)
				third = r;
			tpv++;
			assert_true(r.fix.valid);
			assert_int_equal(r.fix.mode, 3);
			assert_int_equal(r.fix.source, GPS_SRC_GPSD);
			/* a parked receiver: every fix within ~2 m */
			assert_true(fabs(r.fix.lat - -37.78479) < 2e-5);
			assert_true(fabs(r.fix.lon - 175.31490) < 2e-5);
			assert_true(r.fix.alt_m > 59 && r.fix.alt_m < 61);
			assert_true(fabs(r.fix.accuracy_m - 20.9) < 1e-9);    /* eph */
			if (r.fix.time_s) {
				assert_true(r.fix.time_s > prev_t);
				prev_t = r.fix.time_s;
				timed++;
			}
		} else if (r.cls == GPSD_CLASS_SKY) {
			sky_used[sky] = r.sat_used;
			sky_seen[sky] = r.sat_seen;
			sky++;
		} else {
			other++;
		}
	}
	fclose(f);
	assert_int_equal(tpv, 27);
	assert_int_equal(sky, 5);
	assert_int_equal(other, 0);
	assert_int_equal(nmea, 122 - 27 - 5);
	assert_int_equal(timed, 25);    /* the first two come before the RMC */

	assert_true(fabs(first.fix.lat - -37.784788333) < 1e-12);
	assert_true(fabs(first.fix.lon - 175.314896667) < 1e-12);
	assert_true(fabs(first.fix.alt_m - 59.9) < 1e-9);     /* altMSL, not altHAE 83.6 */
	assert_int_equal(first.fix.time_s, 0);
	assert_true(isnan(first.fix.speed_mps) && isnan(first.fix.track_deg));
	assert_true(isnan(first.ept_s));
	assert_int_equal(first.fix.satellites, -1);
	assert_string_equal(first.device, "");
	/* What gpsd printed, 2034 included (SOURCES.md: a rollover artefact of
	 * the regression run; gpsd 3.22 live prints the same for this log). */
	assert_int_equal(third.fix.time_s, 2039310439);         /* 2034-08-16T03:07:19Z */
	assert_true(fabs(third.fix.speed_mps - 0.355) < 1e-9);
	assert_true(fabs(third.fix.track_deg - 181.39) < 1e-9);
	assert_true(fabs(third.ept_s - 0.005) < 1e-12);
	assert_int_equal(prev_t, 2039310439 + 24);             /* ...03:07:43Z */

	/* 8 used of 12, then 7 (satellite 13 dropped out of the fix) */
	static const int used[] = { 8, 8, 7, 7, 7 };
	for (int i = 0; i < 5; i++) {
		assert_int_equal(sky_used[i], used[i]);
		assert_int_equal(sky_seen[i], 12);
	}
}

/* ==== gpsd_parse: live gpsd 3.16 ======================================== */

static void test_gpspipe(void **state)
{
	FILE *f = fopen(PIPE, "r");
	assert_non_null(f);
	char lines[4][2048];
	for (int i = 0; i < 4; i++)
		assert_non_null(fgets(lines[i], sizeof(lines[i]), f));
	fclose(f);
	struct gpsd_report r;

	assert_int_equal(parse_str(lines[0], &r), 0);
	assert_int_equal(r.cls, GPSD_CLASS_VERSION);
	assert_string_equal(r.release, "3.16");
	assert_int_equal(r.proto_major, 3);
	assert_int_equal(r.proto_minor, 11);

	assert_int_equal(parse_str(lines[1], &r), 0);
	assert_int_equal(r.cls, GPSD_CLASS_DEVICES);
	assert_int_equal(r.n_devices, 1);
	assert_string_equal(r.devices[0].path, "/dev/ttyUSB0");
	assert_true(r.devices[0].activated);

	assert_int_equal(parse_str(lines[2], &r), 0);
	assert_int_equal(r.cls, GPSD_CLASS_WATCH);
	assert_true(r.watch_enable && r.watch_json);

	/* the poster's "lat":45.xxxxxxxxx: an error, no fix, no crash */
	char err[96];
	assert_int_equal(gpsd_parse(lines[3], strlen(lines[3]), &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not JSON"));
	assert_false(r.fix.valid);
	assert_int_equal(r.cls, GPSD_CLASS_OTHER);

	/* the same line with numbers where the mask was: gpsd 3.16 has no eph */
	char fixed[2048];
	char *p = strstr(lines[3], "45.xxxxxxxxx");
	assert_non_null(p);
	memcpy(p, "45.500000000", 12);
	p = strstr(lines[3], "73.xxxxxxxxx");
	assert_non_null(p);
	memcpy(p, "73.600000000", 12);
	snprintf(fixed, sizeof(fixed), "%s", lines[3]);
	assert_int_equal(parse_str(fixed, &r), 0);
	assert_int_equal(r.cls, GPSD_CLASS_TPV);
	assert_true(r.fix.valid);
	assert_string_equal(r.device, "/dev/ttyUSB0");
	assert_true(fabs(r.fix.lat - 45.5) < 1e-12 && fabs(r.fix.lon - -73.6) < 1e-12);
	assert_true(fabs(r.fix.alt_m - 42.11) < 1e-9);        /* 3.16 "alt" */
	assert_true(fabs(r.fix.accuracy_m - 16.82767) < 1e-4);  /* hypot(epx, epy) */
	assert_int_equal(r.fix.time_s, 1558276479);             /* 2019-05-19T14:34:39Z */
	assert_true(r.fix.speed_mps == 0 && r.fix.track_deg == 0);
}

/* ==== gpsd_parse: fields and hostile input =============================== */

static void test_tpv_fields(void **state)
{
	struct gpsd_report r;
	/* altHAE only, with the geoid separation: MSL derived */
	assert_int_equal(parse_str("{\"class\":\"TPV\",\"mode\":2,\"lat\":1,\"lon\":2,"
				   "\"altHAE\":83.6,\"geoidSep\":23.7}", &r), 0);
	assert_true(r.fix.valid);
	assert_int_equal(r.fix.mode, 2);
	assert_true(fabs(r.fix.alt_m - 59.9) < 1e-9);
	/* altHAE alone: datum unknown, altitude unknown */
	assert_int_equal(parse_str("{\"class\":\"TPV\",\"mode\":3,\"lat\":1,\"lon\":2,\"altHAE\":8}",
				   &r), 0);
	assert_true(isnan(r.fix.alt_m));
	assert_true(isnan(r.fix.accuracy_m));
	/* mode 1 (no fix) and mode 0 with a position are not fixes */
	assert_int_equal(parse_str("{\"class\":\"TPV\",\"mode\":1}", &r), 0);
	assert_false(r.fix.valid);
	assert_int_equal(r.fix.mode, 1);
	assert_int_equal(parse_str("{\"class\":\"TPV\",\"lat\":1,\"lon\":2}", &r), 0);
	assert_false(r.fix.valid);
	/* wrong types are unknown, never 0 */
	assert_int_equal(parse_str("{\"class\":\"TPV\",\"mode\":\"3\",\"lat\":\"x\",\"lon\":null,"
				   "\"speed\":true,\"time\":12}", &r), 0);
	assert_int_equal(r.fix.mode, 0);
	assert_true(isnan(r.fix.lat) && isnan(r.fix.lon) && isnan(r.fix.speed_mps));
	assert_int_equal(r.fix.time_s, 12);     /* pre-3.10: Unix seconds */
	/* out of range: a position that cannot be */
	assert_int_equal(parse_str("{\"class\":\"TPV\",\"mode\":3,\"lat\":91,\"lon\":2}", &r), 0);
	assert_false(r.fix.valid);
	assert_int_equal(parse_str("{\"class\":\"TPV\",\"mode\":3,\"lat\":1,\"lon\":-181}", &r), 0);
	assert_false(r.fix.valid);
	assert_int_equal(parse_str("{\"class\":\"TPV\",\"mode\":9,\"lat\":1,\"lon\":2,"
				   "\"track\":361,\"speed\":-1,\"eph\":-3}", &r), 0);
	assert_false(r.fix.valid);
	assert_int_equal(r.fix.mode, 0);
	assert_true(isnan(r.fix.track_deg) && isnan(r.fix.speed_mps) && isnan(r.fix.accuracy_m));
	/* json-c reads NaN and Infinity literals: never a fix */
	assert_int_equal(parse_str("{\"class\":\"TPV\",\"mode\":3,\"lat\":NaN,\"lon\":Infinity}",
				   &r), 0);
	assert_false(r.fix.valid);
}

static void test_other_classes(void **state)
{
	struct gpsd_report r;
	assert_int_equal(parse_str("{\"class\":\"DEVICE\",\"path\":\"tcp://127.0.0.1:1\","
				   "\"activated\":\"2026-12-02T15:52:49.169Z\"}", &r), 0);
	assert_int_equal(r.cls, GPSD_CLASS_DEVICE);
	assert_int_equal(r.n_devices, 1);
	assert_true(r.devices[0].activated);
	assert_string_equal(r.devices[0].path, "tcp://127.0.0.1:1");
	/* gpsd's "device closed" notice */
	assert_int_equal(parse_str("{\"class\":\"DEVICE\",\"path\":\"/dev/ttyUSB0\",\"activated\":0}",
				   &r), 0);
	assert_false(r.devices[0].activated);
	assert_int_equal(parse_str("{\"class\":\"DEVICES\",\"devices\":[]}", &r), 0);
	assert_int_equal(r.n_devices, 0);
	/* more devices than kept: all counted, junk entries skipped */
	assert_int_equal(parse_str("{\"class\":\"DEVICES\",\"devices\":[{\"path\":\"a\","
				   "\"activated\":1},3,{\"path\":\"b\"},{},{},{\"path\":\"f\"}]}", &r), 0);
	assert_int_equal(r.n_devices, 5);
	assert_true(r.devices[0].activated);
	assert_false(r.devices[1].activated);
	assert_string_equal(r.devices[1].path, "b");
	assert_int_equal(parse_str("{\"class\":\"ERROR\",\"message\":\"Unrecognized request 'X'\"}",
				   &r), 0);
	assert_int_equal(r.cls, GPSD_CLASS_ERROR);
	assert_string_equal(r.message, "Unrecognized request 'X'");
	/* newer gpsd: nSat/uSat win over counting */
	assert_int_equal(parse_str("{\"class\":\"SKY\",\"nSat\":12,\"uSat\":8,\"satellites\":"
				   "[{\"used\":true}]}", &r), 0);
	assert_int_equal(r.sat_used, 8);
	assert_int_equal(r.sat_seen, 12);
	assert_int_equal(parse_str("{\"class\":\"SKY\"}", &r), 0);
	assert_int_equal(r.sat_used, -1);
	/* a class from the future, and a long one */
	assert_int_equal(parse_str("{\"class\":\"GST\",\"device\":\"/dev/gps0\",\"rms\":1}", &r), 0);
	assert_int_equal(r.cls, GPSD_CLASS_OTHER);
	assert_string_equal(r.class_name, "GST");
	assert_string_equal(gpsd_class_name(r.cls), "OTHER");
	assert_string_equal(gpsd_class_name(GPSD_CLASS_SKY), "SKY");
	assert_int_equal(parse_str("{\"class\":\"ABCDEFGHIJKLMNOPQRSTUVWXYZ\"}", &r), 0);
	assert_int_equal(strlen(r.class_name), sizeof(r.class_name) - 1);
}

static void test_garbage(void **state)
{
	static const char *const bad[] = {
		"", "\r\n", "   ", "{}", "[]", "null", "42", "\"TPV\"", "{\"class\":5}",
		"{\"class\":null}", "{\"class\":\"TPV\"", "{\"class\":\"TPV\",}x",
		"{\"class\":\"TPV\"}x", "{\"class\":\"TPV\"}{\"class\":\"SKY\"}",
		"?WATCH={\"enable\":true};", "$GPGGA,030719.000,3747.0873,S,17518.8938,E*7D",
		"{\"class\":\"TPV\",\"a\":[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]}", "\xff\xfe{",
	};
	struct gpsd_report r;
	char err[96];
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(gpsd_parse(bad[i], strlen(bad[i]), &r, err, sizeof(err)), -1);
		assert_true(err[0] != '\0');
		assert_false(r.fix.valid);
	}
	/* a NUL inside */
	static const char nul[] = "{\"class\":\"TPV\"\0}";
	assert_int_equal(gpsd_parse(nul, sizeof(nul) - 1, &r, err, sizeof(err)), -1);
	assert_string_equal(err, "NUL byte in report");
	/* only len bytes are read: a valid object cut short is truncated */
	static const char obj[] = "{\"class\":\"VERSION\",\"release\":\"3.22\"}";
	assert_int_equal(gpsd_parse(obj, sizeof(obj) - 3, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "truncated"));
	assert_int_equal(gpsd_parse(obj, sizeof(obj) - 1, &r, NULL, 0), 0);
	/* CR LF and blanks after the object are fine */
	assert_int_equal(parse_str("{\"class\":\"WATCH\",\"enable\":true} \t\r\n", &r), 0);
	assert_int_equal(r.cls, GPSD_CLASS_WATCH);
	/* a tiny error buffer is still terminated */
	char tiny[4];
	assert_int_equal(gpsd_parse("x", 1, &r, tiny, sizeof(tiny)), -1);
	assert_int_equal(strlen(tiny), 3);
}

static void test_time(void **state)
{
	int64_t t;
	assert_int_equal(gpsd_parse_time("1970-01-01T00:00:00Z", &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(gpsd_parse_time("2034-08-16T03:07:19.000Z", &t), 0);
	assert_int_equal(t, 2039310439);
	assert_int_equal(gpsd_parse_time("2024-02-29T23:59:59.123456789Z", &t), 0);
	assert_int_equal(t, 1709251199);
	assert_int_equal(gpsd_parse_time("2016-12-31T23:59:60Z", &t), 0);      /* leap second */
	assert_int_equal(t, 1483228800);
	assert_int_equal(gpsd_parse_time("9999-12-31T23:59:59Z", &t), 0);
	assert_int_equal(t, 253402300799);
	static const char *const bad[] = {
		"2023-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2024-13-01T00:00:00Z",
		"2024-04-31T00:00:00Z", "2024-01-01T24:00:00Z", "2024-01-01T00:60:00Z",
		"2024-01-01T00:00:61Z", "2024-01-01T00:00:00", "2024-01-01T00:00:00.Z",
		"2024-01-01T00:00:00+00:00", "2024-01-01 00:00:00Z", "1969-12-31T23:59:59Z",
		"2024-1-01T00:00:00Z", "2024-01-01T00:00:00ZZ", "", "x",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(gpsd_parse_time(bad[i], &t), -1);
	assert_int_equal(gpsd_parse_time(NULL, &t), -1);
}

/* ==== gps_select ======================================================== */

#define NOW 1000000000000ull    /* µs */

static struct gps_fix mk(enum gps_src src, double acc, unsigned age_s)
{
	struct gps_fix f;
	gps_fix_init(&f);
	f.source = src;
	f.valid = true;
	f.mode = 3;
	f.lat = -37.78;
	f.lon = 175.31;
	f.accuracy_m = acc;
	f.mono_us = NOW - (uint64_t)age_s * 1000000;
	return f;
}

static void test_select_rank(void **state)
{
	char why[128];
	struct gps_fix g = mk(GPS_SRC_GPSD, 20.9, 1), s = mk(GPS_SRC_STARLINK, 5, 30),
		       m = mk(GPS_SRC_MODEM, NAN, 2);
	g.satellites = 8;
	struct gps_candidate c[] = { { &g, 5000 }, { &s, 300000 }, { &m, 10000 } };
	/* the smallest accuracy wins, whatever the source */
	assert_int_equal(gps_select(c, 3, GPS_SRC_NONE, NOW, why, sizeof(why)), 1);
	assert_string_equal(why, "starlink 3D fix, \u00b15 m, 30 s old");
	/* restricted to gpsd */
	assert_int_equal(gps_select(c, 3, GPS_SRC_GPSD, NOW, why, sizeof(why)), 0);
	assert_string_equal(why, "gpsd 3D fix, \u00b121 m, 8 satellites, 1 s old");
	/* known accuracy ranks before unknown */
	s.valid = false;
	assert_int_equal(gps_select(c, 3, GPS_SRC_NONE, NOW, why, sizeof(why)), 0);
	g.accuracy_m = NAN;
	/* both unknown: the source preference, gpsd first */
	assert_int_equal(gps_select(c, 3, GPS_SRC_NONE, NOW, why, sizeof(why)), 0);
	assert_string_equal(why, "gpsd 3D fix, accuracy unknown, 8 satellites, 1 s old");
	/* equal accuracy: preference again, regardless of order */
	g.accuracy_m = m.accuracy_m = 10;
	struct gps_candidate rev[] = { { &m, 0 }, { &g, 0 } };
	assert_int_equal(gps_select(rev, 2, GPS_SRC_NONE, NOW, why, sizeof(why)), 1);
	/* same source and accuracy: the younger one */
	struct gps_fix g2 = mk(GPS_SRC_GPSD, 10, 0);
	struct gps_candidate two[] = { { &g, 0 }, { &g2, 0 } };
	assert_int_equal(gps_select(two, 2, GPS_SRC_NONE, NOW, why, sizeof(why)), 1);
	/* 2D and unknown modes are described as such */
	g2.mode = 2;
	assert_int_equal(gps_select(&two[1], 1, GPS_SRC_NONE, NOW, why, sizeof(why)), 0);
	assert_string_equal(why, "gpsd 2D fix, \u00b110 m, 0 s old");
	g2.mode = 0;
	assert_int_equal(gps_select(&two[1], 1, GPS_SRC_NONE, NOW, why, sizeof(why)), 0);
	assert_string_equal(why, "gpsd fix, \u00b110 m, 0 s old");
}

static void test_select_none(void **state)
{
	char why[160];
	struct gps_fix g = mk(GPS_SRC_GPSD, 3, 0), s = mk(GPS_SRC_STARLINK, 5, 420);
	g.valid = false;
	struct gps_candidate c[] = { { &g, 5000 }, { &s, 300000 }, { NULL, 0 } };
	assert_int_equal(gps_select(c, 3, GPS_SRC_NONE, NOW, why, sizeof(why)), -1);
	assert_string_equal(why, "no position: gpsd no fix; starlink 420 s old (max 300 s)");
	assert_int_equal(gps_select(c, 3, GPS_SRC_STARLINK, NOW, why, sizeof(why)), -1);
	assert_string_equal(why, "no position from starlink: starlink 420 s old (max 300 s)");
	assert_int_equal(gps_select(c, 3, GPS_SRC_MODEM, NOW, why, sizeof(why)), -1);
	assert_string_equal(why, "no position from modem");
	assert_int_equal(gps_select(NULL, 0, GPS_SRC_NONE, NOW, why, sizeof(why)), -1);
	assert_string_equal(why, "no position");
	/* max age 0: any age will do; an age exactly at the limit is too old */
	c[1].max_age_ms = 0;
	assert_int_equal(gps_select(c, 3, GPS_SRC_NONE, NOW, NULL, 0), 1);
	c[1].max_age_ms = 420000;
	assert_int_equal(gps_select(c, 3, GPS_SRC_NONE, NOW, why, sizeof(why)), -1);
	/* a fix stamped after "now" is 0 s old, not 584000 years */
	s.mono_us = NOW + 5000000;
	assert_int_equal(gps_select(c, 3, GPS_SRC_NONE, NOW, why, sizeof(why)), 1);
	assert_string_equal(why, "starlink 3D fix, \u00b15 m, 0 s old");
	/* a short buffer truncates, terminated */
	char small[12];
	assert_int_equal(gps_select(c, 3, GPS_SRC_NONE, NOW, small, sizeof(small)), 1);
	assert_int_equal(strlen(small), sizeof(small) - 1);

	assert_int_equal(gps_select_source_parse("auto"), GPS_SRC_NONE);
	assert_int_equal(gps_select_source_parse("gpsd"), GPS_SRC_GPSD);
	assert_int_equal(gps_select_source_parse("starlink"), GPS_SRC_STARLINK);
	assert_int_equal(gps_select_source_parse("modem"), GPS_SRC_MODEM);
	assert_int_equal(gps_select_source_parse("trace"), -1);
	assert_int_equal(gps_select_source_parse(NULL), -1);
}

/* ==== grid cells ========================================================= */

static void cell(double lat, double lon, double m, long *row, long *col)
{
	char key[64];
	double mm;
	assert_true(gps_cell_id(lat, lon, m, key, sizeof(key)) > 0);
	assert_int_equal(sscanf(key, "%lfm:%ld:%ld", &mm, row, col), 3);
	assert_true(mm == m);
}

static int same_cell(double la1, double lo1, double la2, double lo2, double m)
{
	char a[64], b[64];
	assert_true(gps_cell_id(la1, lo1, m, a, sizeof(a)) > 0);
	assert_true(gps_cell_id(la2, lo2, m, b, sizeof(b)) > 0);
	return strcmp(a, b) == 0;
}

/* Walking 100 steps of cell_m/10 east or north crosses ~10 cell edges:
 * cells are about cell_m wide and high at every latitude. */
static int edges_crossed(double lat, double lon, double dlat, double dlon, double m)
{
	char prev[64], key[64];
	int n = 0;
	gps_cell_id(lat, lon, m, prev, sizeof(prev));
	for (int i = 1; i <= 100; i++) {
		gps_cell_id(lat + dlat * i, lon + dlon * i, m, key, sizeof(key));
		n += strcmp(prev, key) != 0;
		strcpy(prev, key);
	}
	return n;
}

static void test_cell_id(void **state)
{
	char key[64];
	const double m = 500, deg = GPS_EARTH_RADIUS_M * M_PI / 180;    /* m per degree */
	int n = gps_cell_id(-37.784788333, 175.314896667, m, key, sizeof(key));
	assert_int_equal(n, (int)strlen(key));
	assert_string_equal(key, "500m:11612:62450");
	/* the capture's 27 fixes, ~2 m apart: one cell */
	assert_true(same_cell(-37.784788333, 175.314896667, -37.784798333, 175.314888333, m));
	for (double lat = -80; lat <= 80; lat += 20) {
		int ns = edges_crossed(lat, 10, m / 10 / deg, 0, m);
		int ew = edges_crossed(lat, 10, 0, m / 10 / deg / cos(lat * M_PI / 180), m);
		assert_in_range(ns, 9, 11);
		assert_in_range(ew, 9, 11);
	}
	/* neighbours: the next row up and the next column east */
	long r1, c1, r2, c2;
	cell(10, 20, m, &r1, &c1);
	cell(10 + 1.05 * m / deg, 20, m, &r2, &c2);
	assert_int_equal(r2, r1 + 1);
	cell(10, 20 + 1.05 * m / deg / cos(10 * M_PI / 180), m, &r2, &c2);
	assert_int_equal(r2, r1);
	assert_int_equal(c2, c1 + 1);
}

static void test_cell_edges(void **state)
{
	const double m = 500;
	long r1, c1, r2, c2;
	/* each pole is one cap: every longitude, and the cap's width, share it */
	assert_true(same_cell(90, 0, 90, 170, m));
	assert_true(same_cell(90, 0, 89.998, -120, m));
	assert_true(same_cell(-90, 0, -90, -45, m));
	cell(-90, 77, m, &r1, &c1);
	assert_int_equal(r1, 0);
	assert_int_equal(c1, 0);
	cell(90, 77, m, &r2, &c2);
	assert_int_equal(r2, lround(M_PI * GPS_EARTH_RADIUS_M / m) - 1);
	assert_int_equal(c2, 0);
	assert_false(same_cell(90, 0, -90, 0, m));
	/* the antimeridian is a column edge: 180 E is 180 W (column 0); the
	 * columns either side are the last and the first */
	assert_true(same_cell(0, 180, 0, -180, m));
	cell(0, -179.9999, m, &r1, &c1);
	cell(0, 179.9999, m, &r2, &c2);
	assert_int_equal(r1, r2);
	assert_int_equal(c1, 0);
	double row_deg = 180.0 / (double)lround(M_PI * GPS_EARTH_RADIUS_M / m);
	double mid = -90 + (r1 + 0.5) * row_deg;
	long cols = (long)floor(2 * M_PI * GPS_EARTH_RADIUS_M * cos(mid * M_PI / 180) / m);
	assert_int_equal(c2, cols - 1);
	/* longitudes outside [-180, 180) wrap */
	assert_true(same_cell(45, 190, 45, -170, m));
	assert_true(same_cell(45, -190, 45, 170, m));
	assert_true(same_cell(45, 540, 45, -180, m));
	/* a cell size as big as a hemisphere still works */
	char key[64];
	assert_true(gps_cell_id(0, 0, 1e6, key, sizeof(key)) > 0);
	assert_string_equal(key, "1e+06m:10:19");
	/* rejected */
	assert_int_equal(gps_cell_id(90.0001, 0, m, key, sizeof(key)), -1);
	assert_int_equal(gps_cell_id(-91, 0, m, key, sizeof(key)), -1);
	assert_int_equal(gps_cell_id(NAN, 0, m, key, sizeof(key)), -1);
	assert_int_equal(gps_cell_id(0, INFINITY, m, key, sizeof(key)), -1);
	assert_int_equal(gps_cell_id(0, 0, 0.5, key, sizeof(key)), -1);
	assert_int_equal(gps_cell_id(0, 0, NAN, key, sizeof(key)), -1);
	assert_int_equal(gps_cell_id(0, 0, 2e6, key, sizeof(key)), -1);
	assert_int_equal(gps_cell_id(0, 0, m, key, 8), -1);
	assert_int_equal(gps_cell_id(0, 0, m, NULL, 0), -1);
}

static void test_distance(void **state)
{
	const double deg = GPS_EARTH_RADIUS_M * M_PI / 180;
	assert_true(gps_distance_m(0, 0, 0, 0) == 0);
	assert_true(fabs(gps_distance_m(0, 0, 0, 1) - deg) < 1e-6);
	assert_true(fabs(gps_distance_m(0, 0, 1, 0) - deg) < 1e-6);
	assert_true(fabs(gps_distance_m(0, 0, 90, 0) - M_PI / 2 * GPS_EARTH_RADIUS_M) < 1e-3);
	assert_true(fabs(gps_distance_m(0, 0, 0, 180) - M_PI * GPS_EARTH_RADIUS_M) < 1e-3);
	assert_true(fabs(gps_distance_m(90, 0, -90, 0) - M_PI * GPS_EARTH_RADIUS_M) < 1e-3);
	/* across the antimeridian: 0.001 degree, not 359.999 */
	assert_true(fabs(gps_distance_m(0, 179.9995, 0, -179.9995) - deg / 1000) < 1e-6);
	/* at a pole longitude means nothing */
	assert_true(gps_distance_m(90, 0, 90, 123) < 1e-6);
	/* the capture's spread: ~1.5 m */
	double d = gps_distance_m(-37.784788333, 175.314896667, -37.784798333, 175.314888333);
	assert_true(d > 1 && d < 2);
	/* symmetric */
	assert_true(gps_distance_m(10, 20, -30, 40) == gps_distance_m(-30, 40, 10, 20));
	assert_true(isnan(gps_distance_m(NAN, 0, 0, 0)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fix_init),
		cmocka_unit_test(test_chk_file),
		cmocka_unit_test(test_gpspipe),
		cmocka_unit_test(test_tpv_fields),
		cmocka_unit_test(test_other_classes),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_select_rank),
		cmocka_unit_test(test_select_none),
		cmocka_unit_test(test_cell_id),
		cmocka_unit_test(test_cell_edges),
		cmocka_unit_test(test_distance),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
