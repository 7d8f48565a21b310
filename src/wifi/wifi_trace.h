/* wifi_trace: the replay's `wifi` trace objects as radio samples. */
#ifndef AUTONOMY_WIFI_WIFI_TRACE_H
#define AUTONOMY_WIFI_WIFI_TRACE_H

#include <json-c/json.h>

#include "wifi/wifi_types.h"

/* o NULL = nothing reported: an empty sample. */
void wifi_trace_sample(json_object *o, struct wifi_sample *s);

#endif
