/* sl_record: decoded dish answers back as trace JSON (see sl_record.c). */
#ifndef AUTONOMY_STARLINK_SL_RECORD_H
#define AUTONOMY_STARLINK_SL_RECORD_H

#include <json-c/json.h>

#include "starlink/sl_types.h"

/* A DishGetStatusResponse object: sl_json_status() of it gives *st back. */
json_object *sl_status_json(const struct sl_status *st);
/* A DishGetHistoryResponse object with only the newest `newest` samples of
 * each ring (what the predictor reads: its newest minute) and every outage:
 * sl_json_history() of it gives those samples and outages back. */
json_object *sl_history_json(const struct sl_history *h, unsigned newest);

#endif
