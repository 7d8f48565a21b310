/* decide_prec_json: the decision engine's precursor records as JSON, for
 * state_dir/precursors.json (format in decide_prec_json.c). */
#ifndef AUTONOMY_ENGINE_DECIDE_PREC_JSON_H
#define AUTONOMY_ENGINE_DECIDE_PREC_JSON_H

#include <json-c/json.h>

#include "engine/decide.h"

#include <stdbool.h>

json_object *decide_prec_to_json(const struct decide *d);
/* One member's records as an array: with view, for `members` (kind,
 * alarms, hits, moves, move_hits, precision or null, bar, checking); else
 * as stored (the counts and the decayed weights). */
json_object *decide_prec_member_json(const struct decide *d, const char *name, bool view);
/* Puts the records of o back into d; returns how many, or -1 when o is not
 * a precursors document (d unchanged). Unsound entries are skipped. */
int decide_prec_from_json(struct decide *d, json_object *o);
/* The same from the bytes of a file (any bytes: -1 when they are not a
 * precursors document). */
int decide_prec_load(struct decide *d, const char *buf, size_t len);

#endif
