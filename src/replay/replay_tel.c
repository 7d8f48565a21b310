/* replay_tel: a member's link telemetry as the trace sets it: JSON objects
 * merged recursively (RFC 7386 merge patch). Recursion depth is bounded by
 * json-c's parser depth (32), so a hostile trace cannot exhaust the stack. */
#include <json-c/json.h>

#include "replay/replay.h"

/* patch is an object: its keys into state (an object). */
static void merge_into(json_object *state, json_object *patch)
{
	json_object_object_foreach(patch, key, val) {
		json_object *cur = NULL, *copy = NULL;
		if (!val) {
			json_object_object_del(state, key);
			continue;
		}
		if (json_object_is_type(val, json_type_object)) {
			if (json_object_object_get_ex(state, key, &cur) &&
			    json_object_is_type(cur, json_type_object)) {
				merge_into(cur, val);
				continue;
			}
			/* A new object: nulls inside it mean nothing (merge into {}). */
			copy = json_object_new_object();
			if (copy)
				merge_into(copy, val);
		} else if (json_object_deep_copy(val, &copy, NULL) != 0) {
			copy = NULL;
		}
		if (copy)
			json_object_object_add(state, key, copy);
	}
}

void replay_tel_apply(json_object **state, json_object *patch)
{
	if (!patch) {
		json_object_put(*state);
		*state = NULL;
		return;
	}
	if (!json_object_is_type(patch, json_type_object))
		return;         /* the parser allows only objects and null */
	if (!*state)
		*state = json_object_new_object();
	if (*state)
		merge_into(*state, patch);
}
