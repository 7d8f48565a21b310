/* wifi_trace: the replay's `wifi` trace objects as radio samples. */
#ifndef AUTONOMY_WIFI_WIFI_TRACE_H
#define AUTONOMY_WIFI_WIFI_TRACE_H

#include <json-c/json.h>

#include <stdbool.h>

#include "wifi/wifi_assess.h"
#include "wifi/wifi_types.h"

/* o NULL = nothing reported: an empty sample. */
void wifi_trace_sample(json_object *o, struct wifi_sample *s);
/* What a recording daemon writes for a sample and for a scan; the readers
 * give back every figure the assessor reads. */
json_object *wifi_trace_object(const struct wifi_sample *s);
json_object *wifi_trace_scan_object(const struct wifi_scan_view *v);
/* A recorded scan ({"scan":{...}}): true with *v filled. */
bool wifi_trace_scan(json_object *o, struct wifi_scan_view *v);

#endif
