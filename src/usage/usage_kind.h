/* usage_kind: data usage as a telemetry kind (engine/tel_kind.h):
 * router-wide (the kernel's byte counters of every member, one timer), with
 * the data-cap rule (usage_assess) on every member. */
#ifndef AUTONOMY_USAGE_USAGE_KIND_H
#define AUTONOMY_USAGE_USAGE_KIND_H

#include <json-c/json.h>

#include "engine/tel_kind.h"

struct daemon;
struct member_rt;

extern const struct tel_kind tel_kind_usage;

/* usage_tel.c */
int usage_start(struct daemon *d);
void usage_stop(struct daemon *d);
void usage_reload(struct daemon *d);
json_object *usage_member_json(struct member_rt *m);

#endif
