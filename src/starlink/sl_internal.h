/* sl_internal: what the Starlink codec's files share. protobuf-c message
 * structs (from protobuf unpack in sl_pb.c, or built from JSON in
 * sl_json_pb.c) are converted to sl_types.h values by one set of functions,
 * so both inputs give the same structs by construction. */
#ifndef AUTONOMY_LINK_SL_INTERNAL_H
#define AUTONOMY_LINK_SL_INTERNAL_H

#include <json-c/json.h>

#include "dish.pb-c.h"
#include "starlink/sl_pb.h"

typedef SpaceX__API__Device__Response SlPbResponse;
typedef SpaceX__API__Device__DishGetStatusResponse SlPbStatus;
typedef SpaceX__API__Device__DishGetHistoryResponse SlPbHistory;
typedef SpaceX__API__Device__DeviceInfo SlPbDeviceInfo;
typedef SpaceX__API__Device__GetLocationResponse SlPbLocation;
typedef SpaceX__API__Device__DishGetDiagnosticsResponse SlPbDiag;
typedef SpaceX__API__Device__DishOutage SlPbOutage;

#define SL_PB_DESC(x) space_x__api__device__##x##__descriptor

/* sl_conv.c: message -> values. Each resets its output first; a NULL
 * message (sub-message absent on the wire) gives proto3 defaults. */
void sl_conv_device_info(const SlPbDeviceInfo *m, struct sl_device_info *d);
void sl_conv_outage(const SlPbOutage *m, struct sl_outage *o);
void sl_conv_status(const SlPbStatus *m, struct sl_status *st);
void sl_conv_location(const SlPbLocation *m, struct sl_location *l);
void sl_conv_diag(const SlPbDiag *m, struct sl_diag *g);
void sl_conv_reply(const SlPbResponse *m, struct sl_reply *r);
/* sl_hist.c: the ring buffers in time order, the newest outages. */
void sl_conv_history(const SlPbHistory *m, struct sl_history *h);

/* sl_pb_check.c: why protobuf-c refused buf as a message of type d (0 when
 * the wire format looks sound, -1 with a reason). */
int sl_pb_check(const uint8_t *buf, size_t len, const ProtobufCMessageDescriptor *d,
		char *err, size_t errsz);

/* sl_json_pb.c: a message of type d built from a JSON object (proto3 JSON
 * mapping, either field spelling), with malloc; free it with
 * protobuf_c_message_free_unpacked(m, NULL). Keys of the wrong type are
 * skipped and counted in *bad. NULL when o is not an object or out of memory. */
ProtobufCMessage *sl_json_to_pb(json_object *o, const ProtobufCMessageDescriptor *d, unsigned *bad);

#endif
