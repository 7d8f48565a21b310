/* gps_kind: the router's position as a telemetry kind (engine/tel_kind.h):
 * router-wide (gpsd, and the fixes other kinds' sources see), no assessor;
 * its place key feeds location learning. */
#ifndef AUTONOMY_GPS_GPS_KIND_H
#define AUTONOMY_GPS_GPS_KIND_H

#include <json-c/json.h>

#include "engine/gps_types.h"
#include "engine/tel_kind.h"

struct daemon;

extern const struct tel_kind tel_kind_gps;

/* gps.c */
int gps_start(struct daemon *d);
void gps_stop(struct daemon *d);
void gps_reload(struct daemon *d);
/* A position from another kind's source (the dish). */
void gps_dish_fix(struct daemon *d, const struct gps_fix *f);
json_object *gps_json(struct daemon *d);
json_object *gps_health_json(struct daemon *d);
/* The place key of the best position, NULL without one. */
const char *gps_place(struct daemon *d);

#endif
