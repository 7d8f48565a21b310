/* cell_kind: the modem as a telemetry kind (engine/tel_kind.h); the state
 * of a cellular member's source in the daemon, shared by tel_cell.c and
 * cell_kind.c. */
#ifndef AUTONOMY_CELLULAR_CELL_KIND_H
#define AUTONOMY_CELLULAR_CELL_KIND_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "cellular/cell_types.h"
#include "engine/tel_kind.h"

struct cell_src;
struct event;
struct member_rt;

struct tel_cell {
	struct cell_src *src;
	struct event *timer;
	struct cell_sample s;
	bool have;
	uint64_t s_us, polls, failures;
	char tool[16];
	char error[160];
};

extern const struct tel_kind tel_kind_cellular;

/* tel_cell.c */
int tel_cell_start(struct member_rt *m);
void tel_cell_stop(struct member_rt *m);
json_object *tel_cell_json(struct member_rt *m);
bool tel_cell_answering(const struct member_rt *m);

#endif
