/* sl_pb: Request encoding and Response decoding with protobuf-c; the
 * conversion to sl_types values is sl_conv.c / sl_hist.c. */
#include "starlink/sl_pb.h"

#include <stdio.h>
#include <string.h>

#include "starlink/sl_internal.h"

/* The Request oneof member each call sets (the field number is the case). */
static const struct {
	enum sl_call call;
	SpaceX__API__Device__Request__RequestCase field;
} request_fields[] = {
	{ SL_CALL_STATUS, SPACE_X__API__DEVICE__REQUEST__REQUEST_GET_STATUS },
	{ SL_CALL_HISTORY, SPACE_X__API__DEVICE__REQUEST__REQUEST_GET_HISTORY },
	{ SL_CALL_DEVICE_INFO, SPACE_X__API__DEVICE__REQUEST__REQUEST_GET_DEVICE_INFO },
	{ SL_CALL_LOCATION, SPACE_X__API__DEVICE__REQUEST__REQUEST_GET_LOCATION },
	{ SL_CALL_DIAGNOSTICS, SPACE_X__API__DEVICE__REQUEST__REQUEST_GET_DIAGNOSTICS },
	{ SL_CALL_REBOOT, SPACE_X__API__DEVICE__REQUEST__REQUEST_REBOOT },
	{ SL_CALL_STOW, SPACE_X__API__DEVICE__REQUEST__REQUEST_DISH_STOW },
	{ SL_CALL_UNSTOW, SPACE_X__API__DEVICE__REQUEST__REQUEST_DISH_STOW },
};

size_t sl_pb_encode_request(enum sl_call call, uint64_t id, uint8_t *buf, size_t size)
{
	SpaceX__API__Device__Request rq = SPACE_X__API__DEVICE__REQUEST__INIT;
	union {                         /* room for any request body */
		ProtobufCMessage base;
		SpaceX__API__Device__GetLocationRequest location;
		SpaceX__API__Device__DishStowRequest stow;
	} body;
	const ProtobufCFieldDescriptor *f = NULL;

	for (size_t i = 0; i < sizeof(request_fields) / sizeof(request_fields[0]); i++)
		if (request_fields[i].call == call)
			f = protobuf_c_message_descriptor_get_field(&SL_PB_DESC(request),
								    (unsigned)request_fields[i].field);
	if (!f || ((const ProtobufCMessageDescriptor *)f->descriptor)->sizeof_message > sizeof(body))
		return 0;
	/* Every body is empty but unstow's; location's source AUTO is the
	 * proto3 default and so not on the wire either. */
	protobuf_c_message_init(f->descriptor, &body);
	if (call == SL_CALL_UNSTOW)
		body.stow.unstow = 1;
	rq.id = id;
	rq.request_case = (SpaceX__API__Device__Request__RequestCase)f->id;
	*(ProtobufCMessage **)((char *)&rq + f->offset) = &body.base;
	if (!buf || protobuf_c_message_get_packed_size(&rq.base) > size)
		return 0;
	return protobuf_c_message_pack(&rq.base, buf);
}

int sl_pb_decode_with(const uint8_t *buf, size_t len, struct sl_reply *out,
		      struct ProtobufCAllocator *alloc, char *err, size_t errsz)
{
	SlPbResponse *m;

	memset(out, 0, sizeof(*out));
	if (err && errsz)
		err[0] = '\0';
	m = space_x__api__device__response__unpack(alloc, len, len ? buf : (const uint8_t *)"");
	if (!m) {
		/* protobuf-c says only "no"; find out where and why. */
		if (sl_pb_check(buf, len, &SL_PB_DESC(response), err, errsz) == 0 && err && errsz)
			snprintf(err, errsz, "protobuf-c could not unpack the %zu-byte response "
				 "(out of memory?)", len);
		return -1;
	}
	sl_conv_reply(m, out);
	space_x__api__device__response__free_unpacked(m, alloc);
	return 0;
}

int sl_pb_decode(const uint8_t *buf, size_t len, struct sl_reply *out, char *err, size_t errsz)
{
	return sl_pb_decode_with(buf, len, out, NULL, err, errsz);
}
