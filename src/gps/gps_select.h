/* gps_select: which of several positions to believe, and position
 * arithmetic for location learning. Pure.
 *
 * Ranking among the candidates that have a valid fix, fresher than their
 * source's max age and allowed by the configured source:
 *   1. known horizontal accuracy before unknown, smaller before larger;
 *   2. the fixed source preference gpsd > starlink > modem > trace (a
 *      dedicated receiver reporting every second beats the dish's position,
 *      read every few minutes, which beats a modem's weaker GNSS);
 *   3. the younger fix. */
#ifndef AUTONOMY_LINK_GPS_SELECT_H
#define AUTONOMY_LINK_GPS_SELECT_H

#include <stddef.h>
#include <stdint.h>

#include "engine/gps_types.h"

struct gps_candidate {
	const struct gps_fix *fix;      /* NULL: the source has nothing */
	unsigned max_age_ms;            /* fresh while younger; 0 = any age */
};

/* Earth's mean radius (IUGG), the sphere both functions below assume. */
#define GPS_EARTH_RADIUS_M 6371008.8

/* The index of the best candidate, or -1. only: GPS_SRC_NONE = any source
 * ("auto"), else just that one. why (may be NULL) gets a short reason:
 * "gpsd 3D fix, ±21 m, 8 satellites, 1 s old", or why nothing was chosen:
 * "no position: gpsd no fix; starlink 420 s old (max 300 s)". */
int gps_select(const struct gps_candidate *c, size_t n, enum gps_src only, uint64_t now_us,
	       char *why, size_t whylen);

/* The config's `gps.source` ("auto", "gpsd", "starlink", "modem") as the
 * `only` argument above; -1 if unknown. */
int gps_select_source_parse(const char *name);

/* Grid cell key for location learning: points in the same cell share it.
 * Rows are cell_m of latitude; each row is split into a whole number of
 * columns about cell_m wide at the row's middle (so cells are roughly equal
 * in area and the antimeridian is always a column edge); the row at each
 * pole is a single cap. Key: "<cell_m>m:<row>:<col>" (cell_m as %g) (row 0 at the south
 * pole, col 0 at 180 W), e.g. "500m:11612:62450" (Hamilton, NZ). lon is normalised to
 * [-180, 180). Returns the key's length, or -1 (lat outside [-90, 90], not
 * finite, cell_m outside [1, 1000000], or out too small). */
int gps_cell_id(double lat, double lon, double cell_m, char *out, size_t size);

/* Great-circle distance in metres (haversine); NAN if an input is. */
double gps_distance_m(double lat1, double lon1, double lat2, double lon2);

#endif
