/* loclearn: where obstruction outages happen. A small table of places (grid
 * cells of a position, or one "here" cell when no position is known) with the
 * time spent there and the start times of the Starlink obstruction outages
 * seen there. When outages recur at the current place, the Starlink
 * predictor prefers the backup early (sl_predict.h). Bounded: LOCLEARN_CELLS
 * places, the least recently visited forgotten first; LOCLEARN_OUTAGES start
 * times per place. Pure (times are passed in); persisted by the daemon as
 * JSON (loclearn_to_json / loclearn_from_json). */
#ifndef AUTONOMY_ENGINE_LOCLEARN_H
#define AUTONOMY_ENGINE_LOCLEARN_H

#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>

#include "engine/gps_types.h"

#define LOCLEARN_CELLS 64
#define LOCLEARN_OUTAGES 24
#define LOCLEARN_KEY_MAX GPS_PLACE_MAX
#define LOCLEARN_CELL_M GPS_PLACE_CELL_M        /* a place is a grid cell this wide */

struct loclearn_cell {
	char key[LOCLEARN_KEY_MAX];
	int64_t first_s, last_s;        /* first and last time seen here (Unix s) */
	uint64_t observed_s;            /* time spent here with the dish reporting */
	uint32_t outages;               /* obstruction outages counted here, ever */
	unsigned n_times, head;         /* ring of recent outage start times */
	int64_t times[LOCLEARN_OUTAGES];
};

struct loclearn {
	unsigned n;
	struct loclearn_cell c[LOCLEARN_CELLS];
	int64_t last_outage_s;          /* newest outage counted (dedup across polls) */
	bool dirty;                     /* changed since the last save */
};

struct loclearn_verdict {
	bool recurring;                 /* outages recur here */
	unsigned recent;                /* outages here within the window */
	double per_hour;                /* their rate over the time observed in the window */
	uint64_t window_s;
};

void loclearn_init(struct loclearn *l);
/* Time spent at key from `from_s` to `to_s` (the dish answered throughout). */
void loclearn_observe(struct loclearn *l, const char *key, int64_t from_s, int64_t to_s);
/* An obstruction outage that started at start_s at key. Outages at or before
 * the newest one already counted are ignored (history repeats them).
 * Returns true when it was new. */
bool loclearn_outage(struct loclearn *l, const char *key, int64_t start_s);
/* Does the pattern recur at key, as of now_s? Outages within the last
 * window_s (2 h) count; "recurring" needs at least min_n (3) of them and a
 * rate of at least min_rate_h (1.5) per observed hour there. */
void loclearn_judge(const struct loclearn *l, const char *key, int64_t now_s,
		    struct loclearn_verdict *out);
const struct loclearn_cell *loclearn_find(const struct loclearn *l, const char *key);

json_object *loclearn_to_json(const struct loclearn *l);
/* Replaces l with the places in o; bad entries are skipped. -1 if o is not
 * a loclearn document (l is then left empty). */
int loclearn_from_json(struct loclearn *l, json_object *o);

#endif
