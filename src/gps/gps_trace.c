/* gps_trace: a trace's `gps` object (docs/replay-format.md) into a fix.
 * Unknown keys are ignored; a key of the wrong type is ignored. */
#include <math.h>

#include <json-c/json.h>

#include "core/jsonutil.h"

#include "gps/gps_select.h"
#include "gps/gps_trace.h"

void gps_trace_fix(json_object *o, struct gps_fix *f)
{
	gps_fix_init(f);
	f->source = GPS_SRC_TRACE;
	if (!o)
		return;
	f->lat = json_typed_num(o, "lat");
	f->lon = json_typed_num(o, "lon");
	f->speed_mps = json_typed_num(o, "speed_mps");
	f->accuracy_m = json_typed_num(o, "accuracy_m");
	f->valid = isfinite(f->lat) && isfinite(f->lon) && fabs(f->lat) <= 90 &&
		   fabs(f->lon) <= 180;
	f->mode = f->valid ? 2 : 1;
}

bool gps_trace_place(json_object *o, char *key, size_t size)
{
	struct gps_fix f;
	key[0] = '\0';
	/* Extension a recording daemon writes: the place key it used. */
	json_typed_str(o, "place", key, size);
	if (key[0])
		return true;
	gps_trace_fix(o, &f);
	return f.valid && gps_cell_id(f.lat, f.lon, GPS_PLACE_CELL_M, key, size) > 0;
}
