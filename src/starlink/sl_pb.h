/* sl_pb: the dish's protobuf messages (dish.proto, C by protoc-c) to and
 * from the plain-C values of sl_types.h. Pure: no I/O, no globals; the gRPC
 * framing is sl_frame.h, the transport is the caller's. */
#ifndef AUTONOMY_LINK_SL_PB_H
#define AUTONOMY_LINK_SL_PB_H

#include <stddef.h>
#include <stdint.h>

#include "starlink/sl_types.h"

struct ProtobufCAllocator;

/* One decoded Response. ~8 KB (the history): callers heap-allocate it. */
struct sl_reply {
	enum sl_call call;              /* the Response oneof that was set; SL_CALL_NONE if none */
	uint64_t id, api_version;
	int status_code;                /* Response.status.code (0 when absent) */
	char status_message[128];
	struct sl_status status;        /* call == SL_CALL_STATUS */
	struct sl_history history;      /* SL_CALL_HISTORY */
	struct sl_device_info device_info;   /* SL_CALL_DEVICE_INFO (also filled from status.device_info) */
	struct sl_location location;    /* SL_CALL_LOCATION */
	struct sl_diag diag;            /* SL_CALL_DIAGNOSTICS */
};

/* The largest request sl_pb_encode_request writes (a 10-byte id varint, the
 * 3-byte oneof key, its length and a 2-byte body), with room to spare. */
#define SL_PB_REQUEST_MAX 24

/* Encodes Request{id, <call>{}} (stow: dish_stow{}; unstow: dish_stow{unstow:true};
 * location: get_location{source: AUTO}). Returns bytes written, 0 if buf is too
 * small or call is SL_CALL_NONE. id 0 is not on the wire (proto3 default). */
size_t sl_pb_encode_request(enum sl_call call, uint64_t id, uint8_t *buf, size_t size);

/* Decodes one Response message (no gRPC prefix). 0 ok; -1 with err on malformed
 * input (where and why: "dish_get_status.alerts: length 9 runs past the end
 * (4 bytes left) at byte 120"). *out is always reset first, so a failed
 * decode leaves proto3 defaults, never half a reply. Unknown fields are
 * skipped. The response to dish_stow{unstow} is SL_CALL_STOW: the wire does
 * not say which was asked; match the id. err may be NULL. */
int sl_pb_decode(const uint8_t *buf, size_t len, struct sl_reply *out, char *err, size_t errsz);

/* The same, with the allocator protobuf-c unpacks into (NULL: malloc); all
 * of it is freed before returning. Used to measure the decoder's heap use. */
int sl_pb_decode_with(const uint8_t *buf, size_t len, struct sl_reply *out,
		      struct ProtobufCAllocator *alloc, char *err, size_t errsz);

#endif
