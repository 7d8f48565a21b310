/* replay_dish: the virtual dish behind a starlink member in the replay (the
 * starlink kind's replay peer, see engine/tel_kind.h): what its 1 Hz history
 * ring and its outage list would hold, reconstructed from the trace's
 * `starlink` changes. Pure. */
#ifndef AUTONOMY_STARLINK_REPLAY_DISH_H
#define AUTONOMY_STARLINK_REPLAY_DISH_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "engine/tel_kind.h"
#include "starlink/sl_types.h"

#define REPLAY_DISH_POINTS 2048
#define REPLAY_DISH_OUTAGES 32
struct replay_dish_point {
	uint64_t t;
	float drop, latency;
	bool out;
};
struct replay_dish {
	struct replay_dish_point *pts;  /* ring */
	unsigned head, n;
	bool out;
	uint8_t cause;
	uint64_t out_since;
	struct { uint64_t start, dur; uint8_t cause; } outs[REPLAY_DISH_OUTAGES];
	unsigned ohead, on;
};

void *replay_dish_new(void);
void replay_dish_free(void *d);
/* The trace's starlink object (the dish's status) changed at c->now_us. */
void replay_dish_note(void *d, json_object *status, const struct tel_clock *c);
/* The history ring as the dish would answer get_history now. */
void replay_dish_history(const struct replay_dish *d, const struct tel_clock *c,
			 struct sl_history *h);
/* GPS-epoch ns of when the current outage began (0 when connected). */
int64_t replay_dish_outage_ns(const struct replay_dish *d, const struct tel_clock *c);

#endif
