/* gps_trace: the replay's `gps` trace objects as position fixes. */
#ifndef AUTONOMY_GPS_GPS_TRACE_H
#define AUTONOMY_GPS_GPS_TRACE_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "engine/gps_types.h"

/* o NULL = nothing reported: an invalid fix. */
void gps_trace_fix(json_object *o, struct gps_fix *f);
/* The place key of a trace `gps` object: its `place` (what a recording
 * daemon used), else the grid cell of its position. false: none. */
bool gps_trace_place(json_object *o, char *key, size_t size);

#endif
