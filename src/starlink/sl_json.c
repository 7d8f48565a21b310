/* sl_json: JSON -> sl_types values, via a protobuf-c message built from the
 * JSON (sl_json_pb.c) and the protobuf path's conversion (sl_conv.c). */
#include "starlink/sl_json.h"

#include <string.h>

#include "starlink/sl_internal.h"

typedef void (*conv_fn)(const void *msg, void *out);

/* out (size bytes) is reset; then JSON -> message of type d -> conv. */
static int json_conv(json_object *o, const ProtobufCMessageDescriptor *d, conv_fn conv,
		     void *out, size_t size, unsigned *bad)
{
	ProtobufCMessage *m = sl_json_to_pb(o, d, bad);

	memset(out, 0, size);
	if (!m)
		return -1;
	conv(m, out);
	protobuf_c_message_free_unpacked(m, NULL);
	return 0;
}

/* Each conversion with a generic signature, checked against its real one. */
#define CONV(name, pbtype, outtype)                                             \
	static void name##_any(const void *m, void *out)                        \
	{                                                                       \
		void (*fn)(const pbtype *, outtype *) = sl_conv_##name;         \
		fn(m, out);                                                     \
	}
CONV(status, SlPbStatus, struct sl_status)
CONV(history, SlPbHistory, struct sl_history)
CONV(location, SlPbLocation, struct sl_location)
CONV(device_info, SlPbDeviceInfo, struct sl_device_info)
CONV(diag, SlPbDiag, struct sl_diag)
CONV(reply, SlPbResponse, struct sl_reply)

int sl_json_status(json_object *o, struct sl_status *st, unsigned *bad)
{
	return json_conv(o, &SL_PB_DESC(dish_get_status_response), status_any, st, sizeof(*st), bad);
}

int sl_json_history(json_object *o, struct sl_history *h, unsigned *bad)
{
	return json_conv(o, &SL_PB_DESC(dish_get_history_response), history_any, h, sizeof(*h), bad);
}

int sl_json_location(json_object *o, struct sl_location *l, unsigned *bad)
{
	return json_conv(o, &SL_PB_DESC(get_location_response), location_any, l, sizeof(*l), bad);
}

int sl_json_device_info(json_object *o, struct sl_device_info *d, unsigned *bad)
{
	return json_conv(o, &SL_PB_DESC(device_info), device_info_any, d, sizeof(*d), bad);
}

int sl_json_diag(json_object *o, struct sl_diag *g, unsigned *bad)
{
	return json_conv(o, &SL_PB_DESC(dish_get_diagnostics_response), diag_any, g, sizeof(*g), bad);
}

int sl_json_reply(json_object *o, struct sl_reply *r, unsigned *bad)
{
	return json_conv(o, &SL_PB_DESC(response), reply_any, r, sizeof(*r), bad);
}
