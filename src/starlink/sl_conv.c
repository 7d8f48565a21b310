/* sl_conv: protobuf-c message structs -> the plain values of sl_types.h.
 * The sl_types enums carry the dish's numbers, so enum fields are copied as
 * they are (a value newer than our tables stays visible as its number); the
 * static asserts keep the two definitions from drifting apart. */
#include "starlink/sl_internal.h"

#include <string.h>

#include "starlink/sl_text.h"

#define SAME(a, b) _Static_assert((int)(a) == (int)(b), #a " != " #b)
SAME(SL_CAUSE_OBSTRUCTED, SPACE_X__API__DEVICE__DISH_OUTAGE__CAUSE__OBSTRUCTED);
SAME(SL_CAUSE_INHIBIT_RF, SPACE_X__API__DEVICE__DISH_OUTAGE__CAUSE__INHIBIT_RF);
SAME(SL_SWU_REBOOT_REQUIRED, SPACE_X__API__DEVICE__SOFTWARE_UPDATE_STATE__REBOOT_REQUIRED);
SAME(SL_SWU_FAULTED, SPACE_X__API__DEVICE__SOFTWARE_UPDATE_STATE__FAULTED);
SAME(SL_DIS_OKAY, SPACE_X__API__DEVICE__UT_DISABLEMENT_CODE__OKAY);
SAME(SL_DIS_BLOCKED_AREA, SPACE_X__API__DEVICE__UT_DISABLEMENT_CODE__BLOCKED_AREA);
SAME(SL_MOB_MOBILE, SPACE_X__API__DEVICE__USER_MOBILITY_CLASS__MOBILE);
SAME(SL_POS_GPS, SPACE_X__API__DEVICE__POSITION_SOURCE__GPS);
SAME(SL_POS_STARLINK, SPACE_X__API__DEVICE__POSITION_SOURCE__STARLINK);

#define COPY_STR(dst, src) sl_text_copy((dst), sizeof(dst), (src), (src) ? strlen(src) : 0)

/* A message of bools (alerts, ready states) as a bit set: bit (number -
 * first) for each true field, from the generated descriptor, so an alert
 * added to dish.proto needs no code here. */
static uint32_t bool_bits(const ProtobufCMessage *m, unsigned first)
{
	uint32_t bits = 0;

	if (!m)
		return 0;
	for (unsigned i = 0; i < m->descriptor->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &m->descriptor->fields[i];
		unsigned bit = f->id - first;

		if (f->type == PROTOBUF_C_TYPE_BOOL && f->label != PROTOBUF_C_LABEL_REPEATED &&
		    f->id >= first && bit < 32 &&
		    *(const protobuf_c_boolean *)((const char *)m + f->offset))
			bits |= 1u << bit;
	}
	return bits;
}

void sl_conv_device_info(const SlPbDeviceInfo *m, struct sl_device_info *d)
{
	memset(d, 0, sizeof(*d));
	if (!m)
		return;
	COPY_STR(d->id, m->id);
	COPY_STR(d->hardware_version, m->hardware_version);
	COPY_STR(d->software_version, m->software_version);
	COPY_STR(d->country_code, m->country_code);
	d->utc_offset_s = m->utc_offset_s;
	d->bootcount = m->bootcount;
	d->generation_number = m->generation_number;
}

void sl_conv_outage(const SlPbOutage *m, struct sl_outage *o)
{
	memset(o, 0, sizeof(*o));
	if (!m)
		return;
	o->cause = (enum sl_cause)m->cause;
	o->start_ns = m->start_timestamp_ns;
	o->duration_ns = m->duration_ns;
	o->did_switch = m->did_switch;
}

static void conv_obstruction(const SpaceX__API__Device__DishObstructionStats *m, struct sl_status *st)
{
	if (!m)
		return;
	st->fraction_obstructed = m->fraction_obstructed;
	st->obstruction_valid_s = m->valid_s;
	st->currently_obstructed = m->currently_obstructed;
	st->avg_prolonged_obstruction_duration_s = m->avg_prolonged_obstruction_duration_s;
	st->avg_prolonged_obstruction_interval_s = m->avg_prolonged_obstruction_interval_s;
	st->avg_prolonged_obstruction_valid = m->avg_prolonged_obstruction_valid;
	st->time_obstructed = m->time_obstructed;
	st->patches_valid = m->patches_valid;
}

static void conv_gps(const SpaceX__API__Device__DishGpsStats *m, struct sl_status *st)
{
	if (!m)
		return;
	st->gps_valid = m->gps_valid;
	st->gps_sats = m->gps_sats;
	st->gps_no_sats_after_ttff = m->no_sats_after_ttff;
	st->gps_inhibit = m->inhibit_gps;
}

static void conv_swu(const SpaceX__API__Device__SoftwareUpdateStats *m, struct sl_status *st)
{
	if (!m)
		return;
	st->swu_state = (enum sl_swu_state)m->software_update_state;
	st->swu_progress = m->software_update_progress;
	st->swu_requires_reboot = m->update_requires_reboot;
	st->reboot_scheduled_utc = m->reboot_scheduled_utc_time;
}

static void conv_alignment(const SpaceX__API__Device__AlignmentStats *m, struct sl_status *st)
{
	if (!m)
		return;
	st->tilt_angle_deg = m->tilt_angle_deg;
	st->desired_azimuth_deg = m->desired_boresight_azimuth_deg;
	st->desired_elevation_deg = m->desired_boresight_elevation_deg;
}

static void conv_scalars(const SlPbStatus *m, struct sl_status *st)
{
	st->uptime_s = m->device_state ? m->device_state->uptime_s : 0;
	st->seconds_to_first_nonempty_slot = m->seconds_to_first_nonempty_slot;
	st->pop_ping_drop_rate = m->pop_ping_drop_rate;
	st->pop_ping_latency_ms = m->pop_ping_latency_ms;
	st->downlink_bps = m->downlink_throughput_bps;
	st->uplink_bps = m->uplink_throughput_bps;
	st->stow_requested = m->stow_requested;
	st->boresight_azimuth_deg = m->boresight_azimuth_deg;
	st->boresight_elevation_deg = m->boresight_elevation_deg;
	st->eth_speed_mbps = m->eth_speed_mbps;
	st->mobility_class = (enum sl_mobility)m->mobility_class;
	st->is_snr_above_noise_floor = m->is_snr_above_noise_floor;
	st->is_snr_persistently_low = m->is_snr_persistently_low;
	st->software_update_state = (enum sl_swu_state)m->software_update_state;
	st->disablement_code = (enum sl_disablement)m->disablement_code;
	st->swupdate_reboot_ready = m->swupdate_reboot_ready;
	st->seconds_until_swupdate_reboot_possible = m->seconds_until_swupdate_reboot_possible;
	st->dl_restricted_reason = m->dl_bandwidth_restricted_reason;
	st->ul_restricted_reason = m->ul_bandwidth_restricted_reason;
}

void sl_conv_status(const SlPbStatus *m, struct sl_status *st)
{
	memset(st, 0, sizeof(*st));
	if (!m)
		return;
	sl_conv_device_info(m->device_info, &st->info);
	conv_scalars(m, st);
	conv_obstruction(m->obstruction_stats, st);
	st->alerts = bool_bits((const ProtobufCMessage *)m->alerts, 0);
	/* The dish sends `outage` only while it is not connected; an empty
	 * one still means "not connected, cause unknown". */
	st->has_outage = m->outage != NULL;
	sl_conv_outage(m->outage, &st->outage);
	conv_gps(m->gps_stats, st);
	st->has_ready_states = m->ready_states != NULL;
	st->ready_states = (uint8_t)bool_bits((const ProtobufCMessage *)m->ready_states, 1);
	conv_swu(m->software_update_stats, st);
	conv_alignment(m->alignment_stats, st);
}

void sl_conv_location(const SlPbLocation *m, struct sl_location *l)
{
	memset(l, 0, sizeof(*l));
	if (!m)
		return;
	if (m->lla) {
		l->lat = m->lla->lat;
		l->lon = m->lla->lon;
		l->alt_m = m->lla->alt;
	}
	l->source = (int)m->source;
	l->sigma_m = m->sigma_m;
	l->h_speed_mps = m->horizontal_speed_mps;
	l->v_speed_mps = m->vertical_speed_mps;
}

void sl_conv_diag(const SlPbDiag *m, struct sl_diag *g)
{
	memset(g, 0, sizeof(*g));
	if (!m)
		return;
	COPY_STR(g->id, m->id);
	COPY_STR(g->hardware_version, m->hardware_version);
	COPY_STR(g->software_version, m->software_version);
	g->utc_offset_s = m->utc_offset_s;
	g->alerts = bool_bits((const ProtobufCMessage *)m->alerts, 0);
	g->disablement_code = (enum sl_disablement)m->disablement_code;
	g->hardware_self_test = (int)m->hardware_self_test;
	g->stowed = m->stowed;
	if (m->location) {
		g->loc_enabled = m->location->enabled;
		g->lat = m->location->latitude;
		g->lon = m->location->longitude;
		g->alt_m = m->location->altitude_meters;
		g->loc_uncertainty_valid = m->location->uncertainty_meters_valid;
		g->uncertainty_m = m->location->uncertainty_meters;
		g->gps_time_s = m->location->gps_time_s;
	}
}

/* Response oneof case -> the call it answers. */
static const struct {
	SpaceX__API__Device__Response__ResponseCase pb;
	enum sl_call call;
} response_calls[] = {
	{ SPACE_X__API__DEVICE__RESPONSE__RESPONSE_DISH_GET_STATUS, SL_CALL_STATUS },
	{ SPACE_X__API__DEVICE__RESPONSE__RESPONSE_DISH_GET_HISTORY, SL_CALL_HISTORY },
	{ SPACE_X__API__DEVICE__RESPONSE__RESPONSE_GET_DEVICE_INFO, SL_CALL_DEVICE_INFO },
	{ SPACE_X__API__DEVICE__RESPONSE__RESPONSE_GET_LOCATION, SL_CALL_LOCATION },
	{ SPACE_X__API__DEVICE__RESPONSE__RESPONSE_DISH_GET_DIAGNOSTICS, SL_CALL_DIAGNOSTICS },
	{ SPACE_X__API__DEVICE__RESPONSE__RESPONSE_REBOOT, SL_CALL_REBOOT },
	{ SPACE_X__API__DEVICE__RESPONSE__RESPONSE_DISH_STOW, SL_CALL_STOW },
};

static enum sl_call call_of(SpaceX__API__Device__Response__ResponseCase c)
{
	for (size_t i = 0; i < sizeof(response_calls) / sizeof(response_calls[0]); i++)
		if (response_calls[i].pb == c)
			return response_calls[i].call;
	return SL_CALL_NONE;
}

void sl_conv_reply(const SlPbResponse *m, struct sl_reply *r)
{
	memset(r, 0, sizeof(*r));
	if (!m)
		return;
	r->id = m->id;
	r->api_version = m->api_version;
	if (m->status) {
		r->status_code = m->status->code;
		COPY_STR(r->status_message, m->status->message);
	}
	r->call = call_of(m->response_case);
	switch (r->call) {
	case SL_CALL_STATUS:
		sl_conv_status(m->dish_get_status, &r->status);
		r->device_info = r->status.info;
		break;
	case SL_CALL_HISTORY:
		sl_conv_history(m->dish_get_history, &r->history);
		break;
	case SL_CALL_DEVICE_INFO:
		sl_conv_device_info(m->get_device_info ? m->get_device_info->device_info : NULL,
				    &r->device_info);
		break;
	case SL_CALL_LOCATION:
		sl_conv_location(m->get_location, &r->location);
		break;
	case SL_CALL_DIAGNOSTICS:
		sl_conv_diag(m->dish_get_diagnostics, &r->diag);
		break;
	default:        /* reboot, stow: empty bodies */
		break;
	}
}
