/* libFuzzer target for gpsd_parse: what gpsd (or whatever answers on its
 * port) sends the client, split into lines the way gpsd_client splits them,
 * each line in a buffer of exactly its size (ASan sees any read past it).
 *
 * Checks on every report that parses: a valid TPV is a position on Earth
 * with mode 2 or 3, and its grid cell and distance are computable; figures
 * are unknown (NAN / -1) or in range; strings are terminated. The ISO time
 * parser also gets each line as a string.
 *
 * Build: -DAUTONOMY_FUZZ=ON (CMake), corpus in tests/fuzz/corpus/gpsd. */
#include "gps/gps_select.h"
#include "gps/gpsd_parse.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void check_str(const char *s, size_t size)
{
	if (!memchr(s, '\0', size))
		abort();
}

static void check_tpv(const struct gpsd_report *r)
{
	const struct gps_fix *f = &r->fix;
	if (f->source != GPS_SRC_GPSD || f->mode < 0 || f->mode > 3 || f->satellites != -1)
		abort();
	if (!(isnan(f->accuracy_m) || f->accuracy_m >= 0) || !(isnan(f->speed_mps) ||
	    f->speed_mps >= 0) || !(isnan(f->track_deg) || (f->track_deg >= 0 && f->track_deg <= 360)))
		abort();
	if (!(isnan(r->ept_s) || r->ept_s >= 0) || f->time_s < 0)
		abort();
	if (!f->valid)
		return;
	if (f->mode < 2 || !(f->lat >= -90 && f->lat <= 90 && f->lon >= -180 && f->lon <= 180))
		abort();
	char key[64];
	if (gps_cell_id(f->lat, f->lon, 500, key, sizeof(key)) <= 0)
		abort();
	double d = gps_distance_m(f->lat, f->lon, -f->lat, f->lon + 180);
	if (!(d >= 0 && d <= M_PI * GPS_EARTH_RADIUS_M + 1))
		abort();
}

static void check(const struct gpsd_report *r)
{
	check_str(r->class_name, sizeof(r->class_name));
	check_str(r->device, sizeof(r->device));
	check_str(r->release, sizeof(r->release));
	check_str(r->message, sizeof(r->message));
	for (unsigned i = 0; i < r->n_devices && i < GPSD_DEVICES_MAX; i++)
		check_str(r->devices[i].path, sizeof(r->devices[i].path));
	if (r->cls == GPSD_CLASS_TPV)
		check_tpv(r);
	else if (r->fix.valid)
		abort();
	if (r->cls == GPSD_CLASS_SKY && r->sat_used >= 0 && r->sat_seen >= 0 &&
	    r->sat_used > 10000)
		abort();
	if (r->cls == GPSD_CLASS_DEVICE && r->n_devices != 1)
		abort();
}

static void one_line(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1);
	if (!buf)
		return;
	memcpy(buf, data, size);
	struct gpsd_report r;
	char err[96];
	int rc = gpsd_parse(buf, size, &r, err, sizeof(err));
	check_str(err, sizeof(err));
	if (rc == 0)
		check(&r);
	else if (rc != -1 || !err[0] || r.fix.valid)
		abort();
	free(buf);

	char *s = malloc(size + 1);
	if (!s)
		return;
	memcpy(s, data, size);
	s[size] = '\0';
	int64_t t;
	if (gpsd_parse_time(s, &t) == 0 && (t < 0 || t > 253402300800))
		abort();
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t start = 0;
	for (size_t i = 0; i < size; i++) {
		if (data[i] == '\n') {
			one_line(data + start, i - start);
			start = i + 1;
		}
	}
	one_line(data + start, size - start);
	return 0;
}
