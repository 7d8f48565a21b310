/* cell_trace: the replay's `cellular` trace objects as modem samples. */
#ifndef AUTONOMY_CELLULAR_CELL_TRACE_H
#define AUTONOMY_CELLULAR_CELL_TRACE_H

#include <json-c/json.h>

#include "cellular/cell_types.h"

/* o NULL = nothing reported: an empty sample. */
void cell_trace_sample(json_object *o, struct cell_sample *s);

#endif
