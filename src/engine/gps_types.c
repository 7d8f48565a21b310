/* gps_types: the empty fix and source names (see gps_types.h). */
#include "engine/gps_types.h"

#include <math.h>
#include <string.h>

void gps_fix_init(struct gps_fix *f)
{
	memset(f, 0, sizeof(*f));
	f->source = GPS_SRC_NONE;
	f->lat = NAN;
	f->lon = NAN;
	f->alt_m = NAN;
	f->speed_mps = NAN;
	f->track_deg = NAN;
	f->accuracy_m = NAN;
	f->satellites = -1;
}

const char *gps_src_name(enum gps_src s)
{
	static const char *const names[] = {
		[GPS_SRC_NONE] = "none",
		[GPS_SRC_GPSD] = "gpsd",
		[GPS_SRC_STARLINK] = "starlink",
		[GPS_SRC_MODEM] = "modem",
		[GPS_SRC_TRACE] = "trace",
	};
	if ((unsigned)s >= sizeof(names) / sizeof(names[0]) || !names[s])
		return "none";
	return names[s];
}
