/* sl_names: the dish's names for its enum values and alerts. The tables are
 * the descriptors protoc-c generates from dish.proto, so a name and its
 * number are written down once (in the .proto, as the dish spells them) and
 * the JSON reader (sl_json_pb.c) resolves names from the same tables. */
#include "starlink/sl_types.h"

#include <stddef.h>

#include "dish.pb-c.h"
#include "starlink/sl_text.h"

#define PB(x) space_x__api__device__##x##__descriptor

static const char *enum_name(const ProtobufCEnumDescriptor *d, int v)
{
	const ProtobufCEnumValue *e = protobuf_c_enum_descriptor_get_value(d, v);
	return e ? e->name : "UNKNOWN";
}

static int enum_parse(const ProtobufCEnumDescriptor *d, const char *s)
{
	const ProtobufCEnumValue *e = s ? protobuf_c_enum_descriptor_get_value_by_name(d, s) : NULL;
	return e ? e->value : -1;
}

const char *sl_cause_name(int cause) { return enum_name(&PB(dish_outage__cause), cause); }
const char *sl_swu_state_name(int st) { return enum_name(&PB(software_update_state), st); }
const char *sl_disablement_name(int code) { return enum_name(&PB(ut_disablement_code), code); }
const char *sl_mobility_name(int m) { return enum_name(&PB(user_mobility_class), m); }

int sl_cause_parse(const char *s) { return enum_parse(&PB(dish_outage__cause), s); }
int sl_swu_state_parse(const char *s) { return enum_parse(&PB(software_update_state), s); }
int sl_disablement_parse(const char *s) { return enum_parse(&PB(ut_disablement_code), s); }
int sl_mobility_parse(const char *s) { return enum_parse(&PB(user_mobility_class), s); }

/* DishAlerts: one bool per alert, the field number is the alert's bit. */
const char *sl_alert_name(unsigned field)
{
	const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field(&PB(dish_alerts), field);
	return f ? f->name : NULL;
}

int sl_alert_parse(const char *snake_or_camel)
{
	const ProtobufCMessageDescriptor *d = &PB(dish_alerts);

	if (!snake_or_camel)
		return -1;
	for (unsigned i = 0; i < d->n_fields; i++)
		if (sl_text_name_eq(d->fields[i].name, snake_or_camel))
			return (int)d->fields[i].id;
	return -1;
}

/* The request each call sends (its name in Request's oneof). */
static const char *const call_names[] = {
	[SL_CALL_NONE] = "none",
	[SL_CALL_STATUS] = "get_status",
	[SL_CALL_HISTORY] = "get_history",
	[SL_CALL_DEVICE_INFO] = "get_device_info",
	[SL_CALL_LOCATION] = "get_location",
	[SL_CALL_DIAGNOSTICS] = "get_diagnostics",
	[SL_CALL_REBOOT] = "reboot",
	[SL_CALL_STOW] = "dish_stow",
	[SL_CALL_UNSTOW] = "dish_unstow",
};

const char *sl_call_name(enum sl_call c)
{
	if ((unsigned)c >= sizeof(call_names) / sizeof(call_names[0]) || !call_names[c])
		return "UNKNOWN";
	return call_names[c];
}

/* GPS time started 1980-01-06T00:00:00Z (Unix 315964800) and has not
 * applied leap seconds since: it is 18 s ahead of UTC since 2017-01-01.
 * Whole seconds are converted as integers so that the double keeps the
 * sub-second part of a 2020s timestamp. */
#define SL_GPS_EPOCH_UNIX 315964800
#define SL_GPS_LEAP_S 18

double sl_gps_ns_to_unix(int64_t gps_ns)
{
	int64_t s = gps_ns / 1000000000;
	int64_t ns = gps_ns % 1000000000;

	return (double)(s + SL_GPS_EPOCH_UNIX - SL_GPS_LEAP_S) + (double)ns / 1e9;
}
