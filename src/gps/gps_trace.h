/* gps_trace: the replay's `gps` trace objects as position fixes. */
#ifndef AUTONOMY_GPS_GPS_TRACE_H
#define AUTONOMY_GPS_GPS_TRACE_H

#include <json-c/json.h>

#include "engine/gps_types.h"

/* o NULL = nothing reported: an invalid fix. */
void gps_trace_fix(json_object *o, struct gps_fix *f);

#endif
