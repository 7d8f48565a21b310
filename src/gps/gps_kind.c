/* gps_kind: the router's position as a telemetry kind (engine/tel_kind.h).
 * In the replay, a member's `gps` object is what the dish's or the modem's
 * GPS reports: its place goes to the member's location learning. */
#include "gps/gps_kind.h"

#include "engine/tel_member.h"
#include "gps/gps_trace.h"

static void trace_feed(struct tel_member *t, void *a, const void *peer, unsigned poll,
		       json_object *seen, const struct tel_clock *c)
{
	char key[GPS_PLACE_MAX];
	if (gps_trace_place(seen, key, sizeof(key)))
		tel_member_place(t, key);
}

const struct tel_kind tel_kind_gps = {
	.name = "gps",
	.trace_key = "gps", .trace_classes = "starlink cellular",
	.polls = { { "starlink", "gps_update_interval", 300000 } },
	.n_polls = 1,
	.trace_feed = trace_feed,
	.d_start = gps_start, .d_stop = gps_stop, .d_reload = gps_reload,
	.status_key = "position", .status_view = gps_json,
	.health_key = "gps", .health_view = gps_health_json,
	.position = gps_dish_fix, .where = gps_place,
};
