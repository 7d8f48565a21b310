/* gpsd_parse: one line of gpsd's JSON watch stream (a "report") into plain C
 * values. Pure: no I/O, no clock, no global state.
 *
 * Classes understood: TPV (the fix), SKY (satellites), VERSION, DEVICES,
 * DEVICE, WATCH, ERROR. Every other class (GST, PPS, TOFF, ATT, POLL, what
 * future gpsd adds) parses as GPSD_CLASS_OTHER and is meant to be ignored.
 * A field that is absent, null or of the wrong type is "unknown"; unknown
 * fields are ignored. Only what is not a JSON object with a string "class"
 * is an error (e.g. the poster-masked `"lat":45.xxxxxxxxx` capture line).
 *
 * TPV choices (gpsd 3.16 and 3.22 both checked against real output):
 *   - altitude is MSL: altMSL, else alt (MSL in every gpsd version; 3.20+
 *     deprecates it as a copy of altMSL), else altHAE - geoidSep. An altHAE
 *     without geoidSep stays unknown rather than mixing datums (they differ
 *     by up to ~100 m; 23.7 m in the BU-353-S4 capture).
 *   - horizontal accuracy is eph (3.20+), else sqrt(epx^2 + epy^2): gpsd
 *     3.16 only gives the per-axis 95 % errors, and their root sum square is
 *     the conservative radius.
 *   - time is ISO 8601 UTC ("2034-08-16T03:07:19.000Z", fraction dropped)
 *     or, from pre-3.10 gpsd, a number of Unix seconds. It is what gpsd
 *     printed: no plausibility fix-up (the capture's 2034 stays 2034).
 *   - valid = mode 2 or 3 with a finite lat in [-90, 90] and lon in
 *     [-180, 180]. */
#ifndef AUTONOMY_LINK_GPSD_PARSE_H
#define AUTONOMY_LINK_GPSD_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/gps_types.h"

enum gpsd_class {
	GPSD_CLASS_OTHER = 0,   /* a class this parser does not read */
	GPSD_CLASS_TPV,
	GPSD_CLASS_SKY,
	GPSD_CLASS_VERSION,
	GPSD_CLASS_DEVICES,
	GPSD_CLASS_DEVICE,
	GPSD_CLASS_WATCH,
	GPSD_CLASS_ERROR,
};

#define GPSD_PATH_MAX 64        /* device paths longer than this are truncated */
#define GPSD_DEVICES_MAX 4      /* DEVICES entries kept; the rest are counted */

struct gpsd_device {
	char path[GPSD_PATH_MAX];
	bool activated;         /* "activated" is a time (or a non-zero number) */
};

struct gpsd_report {
	enum gpsd_class cls;
	char class_name[16];    /* as sent, truncated (useful for OTHER) */
	char device[GPSD_PATH_MAX];     /* TPV, SKY: "device", "" if absent */

	/* TPV: source GPSD, mono_us 0 (the receiver stamps it), satellites -1
	 * (gpsd puts them in SKY). */
	struct gps_fix fix;
	double ept_s;           /* TPV: time error estimate, NAN unknown */

	int sat_used, sat_seen; /* SKY: uSat/nSat, else counted; -1 unknown */

	char release[32];       /* VERSION, "" unknown */
	int proto_major, proto_minor;   /* VERSION, -1 unknown */

	/* DEVICES: the first GPSD_DEVICES_MAX entries, n_devices of all;
	 * DEVICE: devices[0], n_devices 1. */
	unsigned n_devices;
	struct gpsd_device devices[GPSD_DEVICES_MAX];

	bool watch_enable, watch_json;  /* WATCH */
	char message[128];      /* ERROR */
};

/* Parses line[0..len) (trailing CR/LF and blanks allowed). Returns 0 and
 * fills *r, or -1 with a reason in err ("not JSON: ...", "no class"). *r is
 * always initialised, so a caller may read it either way. */
int gpsd_parse(const char *line, size_t len, struct gpsd_report *r, char *err, size_t errlen);

/* "YYYY-MM-DDTHH:MM:SS[.fff...]Z" (years 1970..9999) to Unix seconds.
 * Returns 0, or -1 for anything else. */
int gpsd_parse_time(const char *s, int64_t *unix_s);

const char *gpsd_class_name(enum gpsd_class c);

#endif
