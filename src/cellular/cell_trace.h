/* cell_trace: the replay's `cellular` trace objects as modem samples. */
#ifndef AUTONOMY_CELLULAR_CELL_TRACE_H
#define AUTONOMY_CELLULAR_CELL_TRACE_H

#include <json-c/json.h>

#include "cellular/cell_types.h"

/* o NULL = nothing reported: an empty sample. */
void cell_trace_sample(json_object *o, struct cell_sample *s);
/* What a recording daemon writes for a sample the modem gave: the trace's
 * keys plus exact extensions; cell_trace_sample() of it gives back every
 * figure the assessor reads. */
json_object *cell_trace_object(const struct cell_sample *s);

#endif
