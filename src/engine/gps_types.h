/* gps_types: a position fix, from gpsd (TPV), the Starlink dish
 * (get_location / get_diagnostics) or the replay's trace `gps` objects. */
#ifndef AUTONOMY_LINK_GPS_TYPES_H
#define AUTONOMY_LINK_GPS_TYPES_H

#include <stdbool.h>
#include <stdint.h>

enum gps_src { GPS_SRC_NONE = 0, GPS_SRC_GPSD, GPS_SRC_STARLINK, GPS_SRC_MODEM, GPS_SRC_TRACE };

struct gps_fix {
	enum gps_src source;
	bool valid;             /* a 2D or 3D fix */
	int mode;               /* gpsd: 0 unknown, 1 no fix, 2 2D, 3 3D */
	double lat, lon;        /* degrees */
	double alt_m;           /* NAN unknown */
	double speed_mps;       /* NAN unknown */
	double track_deg;       /* NAN unknown */
	double accuracy_m;      /* horizontal, 95 %-ish (gpsd eph, dish sigma_m); NAN unknown */
	int64_t time_s;         /* the fix's own UTC time, 0 unknown */
	uint64_t mono_us;       /* when it was received (monotonic) */
	int satellites;         /* used in the fix, -1 unknown */
};

/* A place is the grid cell of a position this wide (gps_cell_id), named by
 * a key of at most GPS_PLACE_MAX bytes: what location learning remembers. */
#define GPS_PLACE_CELL_M 250.0
#define GPS_PLACE_MAX 32

void gps_fix_init(struct gps_fix *f);
const char *gps_src_name(enum gps_src s);       /* "gpsd" "starlink" "modem" "trace" "none" */

#endif
