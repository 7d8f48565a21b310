/* sl_json: the dish's messages as JSON (json-c) to the structs of
 * sl_types.h / sl_pb.h. Two spellings are read: the replay traces'
 * `starlink` objects (snake_case names as in dish.proto, enum names, numbers)
 * and grpcurl's output (lowerCamelCase, int64 as strings, floats "NaN", enum
 * names). Numeric enum values are accepted too. The result is the same as
 * the protobuf decode of the same content (same conversion code). */
#ifndef AUTONOMY_LINK_SL_JSON_H
#define AUTONOMY_LINK_SL_JSON_H

#include <json-c/json.h>

#include "starlink/sl_pb.h"
#include "starlink/sl_types.h"

/* o is a DishGetStatusResponse-shaped object (either naming). Unknown keys are
 * ignored; a key of the wrong type (or an enum name we do not know) is ignored
 * and counted: *bad is set to that count (bad may be NULL). Absent keys and
 * JSON null leave proto3 defaults (memset 0; NaN for the obstruction interval
 * only when given as NaN). "outage" present (even {}) means not connected.
 * Returns 0, -1 if o is not an object (or out of memory); *st is reset either way. */
int sl_json_status(json_object *o, struct sl_status *st, unsigned *bad);
/* DishGetHistoryResponse: the same ring and outage rules as sl_pb_decode. */
int sl_json_history(json_object *o, struct sl_history *h, unsigned *bad);
/* GetLocationResponse. */
int sl_json_location(json_object *o, struct sl_location *l, unsigned *bad);
/* A DeviceInfo object. */
int sl_json_device_info(json_object *o, struct sl_device_info *d, unsigned *bad);
/* DishGetDiagnosticsResponse. */
int sl_json_diag(json_object *o, struct sl_diag *g, unsigned *bad);
/* A whole grpcurl Response ({"apiVersion":..,"dishGetStatus":{..}} etc.) -> sl_reply;
 * a second response member (two of the oneof) is counted in *bad and ignored. */
int sl_json_reply(json_object *o, struct sl_reply *r, unsigned *bad);

#endif
