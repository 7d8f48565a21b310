/* sl_record: what the dish answered, back as the JSON the replay reads (a
 * trace's `starlink` object: DishGetStatusResponse field names, enums as
 * numbers, alerts and ready states by field name from the generated
 * descriptors), so that a recording daemon's trace gives the predictor the
 * same values in the replay (sl_json -> the same structs; the round trip is
 * tested on the captures). Pure. */
#include "starlink/sl_record.h"

#include <math.h>
#include <stdio.h>

#include "core/jsonutil.h"
#include "starlink/sl_internal.h"

static void num(json_object *o, const char *k, double v)
{
	if (v == 0 && !signbit(v))
		return;                 /* proto3 default */
	if (isnan(v) || isinf(v))       /* proto3 JSON spells them as strings */
		json_object_object_add(o, k, json_object_new_string(
			isnan(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity"));
	else
		json_add_exact(o, k, v);
}

static void i64(json_object *o, const char *k, long long v)
{
	if (v)
		json_object_object_add(o, k, json_object_new_int64(v));
}

static void u64(json_object *o, const char *k, unsigned long long v)
{
	char buf[24];
	if (!v)
		return;
	/* proto3 JSON: 64-bit integers as strings (json-c's int64 is signed). */
	snprintf(buf, sizeof(buf), "%llu", v);
	json_object_object_add(o, k, json_object_new_string(buf));
}

static void flag(json_object *o, const char *k, bool v)
{
	if (v)
		json_object_object_add(o, k, json_object_new_boolean(1));
}

static void str(json_object *o, const char *k, const char *v)
{
	if (v[0])
		json_object_object_add(o, k, json_object_new_string(v));
}

/* Set bits of a bool message (bit = field number - first) by field name. */
static json_object *bits_json(const ProtobufCMessageDescriptor *d, uint32_t bits, unsigned first)
{
	json_object *o = json_object_new_object();
	for (unsigned i = 0; i < d->n_fields; i++) {
		unsigned bit = d->fields[i].id - first;
		if (d->fields[i].id >= first && bit < 32 && (bits & (1u << bit)))
			flag(o, d->fields[i].name, true);
	}
	return o;
}

static void add(json_object *o, const char *k, json_object *v)
{
	if (json_object_object_length(v) > 0)
		json_object_object_add(o, k, v);
	else
		json_object_put(v);
}

static json_object *device_info(const struct sl_device_info *d)
{
	json_object *o = json_object_new_object();
	str(o, "id", d->id);
	str(o, "hardware_version", d->hardware_version);
	str(o, "software_version", d->software_version);
	str(o, "country_code", d->country_code);
	i64(o, "utc_offset_s", d->utc_offset_s);
	i64(o, "bootcount", d->bootcount);
	i64(o, "generation_number", d->generation_number);
	return o;
}

static json_object *outage(const struct sl_outage *x)
{
	json_object *o = json_object_new_object();
	i64(o, "cause", x->cause);
	i64(o, "start_timestamp_ns", x->start_ns);
	u64(o, "duration_ns", x->duration_ns);
	flag(o, "did_switch", x->did_switch);
	return o;
}

static json_object *obstruction(const struct sl_status *st)
{
	json_object *o = json_object_new_object();
	num(o, "fraction_obstructed", st->fraction_obstructed);
	num(o, "valid_s", st->obstruction_valid_s);
	flag(o, "currently_obstructed", st->currently_obstructed);
	num(o, "avg_prolonged_obstruction_duration_s", st->avg_prolonged_obstruction_duration_s);
	num(o, "avg_prolonged_obstruction_interval_s", st->avg_prolonged_obstruction_interval_s);
	flag(o, "avg_prolonged_obstruction_valid", st->avg_prolonged_obstruction_valid);
	num(o, "time_obstructed", st->time_obstructed);
	i64(o, "patches_valid", st->patches_valid);
	return o;
}

static json_object *sub_messages(const struct sl_status *st, json_object *o)
{
	json_object *x = json_object_new_object();
	u64(x, "uptime_s", st->uptime_s);
	add(o, "device_state", x);
	add(o, "obstruction_stats", obstruction(st));
	add(o, "alerts", bits_json(&SL_PB_DESC(dish_alerts), st->alerts, 0));
	if (st->has_outage)     /* present, even empty, means not connected */
		json_object_object_add(o, "outage", outage(&st->outage));
	x = json_object_new_object();
	flag(x, "gps_valid", st->gps_valid);
	i64(x, "gps_sats", st->gps_sats);
	flag(x, "no_sats_after_ttff", st->gps_no_sats_after_ttff);
	flag(x, "inhibit_gps", st->gps_inhibit);
	add(o, "gps_stats", x);
	if (st->has_ready_states)
		json_object_object_add(o, "ready_states",
				       bits_json(&SL_PB_DESC(dish_ready_states), st->ready_states, 1));
	x = json_object_new_object();
	i64(x, "software_update_state", st->swu_state);
	num(x, "software_update_progress", st->swu_progress);
	flag(x, "update_requires_reboot", st->swu_requires_reboot);
	i64(x, "reboot_scheduled_utc_time", st->reboot_scheduled_utc);
	add(o, "software_update_stats", x);
	x = json_object_new_object();
	num(x, "tilt_angle_deg", st->tilt_angle_deg);
	num(x, "desired_boresight_azimuth_deg", st->desired_azimuth_deg);
	num(x, "desired_boresight_elevation_deg", st->desired_elevation_deg);
	add(o, "alignment_stats", x);
	return o;
}

json_object *sl_status_json(const struct sl_status *st)
{
	json_object *o = json_object_new_object();
	add(o, "device_info", device_info(&st->info));
	num(o, "seconds_to_first_nonempty_slot", st->seconds_to_first_nonempty_slot);
	num(o, "pop_ping_drop_rate", st->pop_ping_drop_rate);
	num(o, "pop_ping_latency_ms", st->pop_ping_latency_ms);
	num(o, "downlink_throughput_bps", st->downlink_bps);
	num(o, "uplink_throughput_bps", st->uplink_bps);
	flag(o, "stow_requested", st->stow_requested);
	num(o, "boresight_azimuth_deg", st->boresight_azimuth_deg);
	num(o, "boresight_elevation_deg", st->boresight_elevation_deg);
	i64(o, "eth_speed_mbps", st->eth_speed_mbps);
	i64(o, "mobility_class", st->mobility_class);
	flag(o, "is_snr_above_noise_floor", st->is_snr_above_noise_floor);
	flag(o, "is_snr_persistently_low", st->is_snr_persistently_low);
	i64(o, "software_update_state", st->software_update_state);
	i64(o, "disablement_code", st->disablement_code);
	flag(o, "swupdate_reboot_ready", st->swupdate_reboot_ready);
	i64(o, "seconds_until_swupdate_reboot_possible", st->seconds_until_swupdate_reboot_possible);
	i64(o, "dl_bandwidth_restricted_reason", st->dl_restricted_reason);
	i64(o, "ul_bandwidth_restricted_reason", st->ul_restricted_reason);
	return sub_messages(st, o);
}

static json_object *floats(const float *v, unsigned n, unsigned k, uint64_t current)
{
	json_object *a = json_object_new_array_ext((int)k);
	for (unsigned j = 0; j < k; j++)
		json_object_array_add(a, NULL);
	/* A ring of k entries holding the newest k samples, laid out as the
	 * dish lays its own out: sample j (oldest first) at (current - k + j) % k. */
	for (unsigned j = 0; j < k; j++) {
		char buf[24];
		double x = v[n - k + j];
		snprintf(buf, sizeof(buf), "%.9g", x);
		json_object_array_put_idx(a, (size_t)((current - k + j) % k),
					  isnan(x) ? json_object_new_string("NaN") :
					  json_object_new_double_s(x, buf));
	}
	return a;
}

json_object *sl_history_json(const struct sl_history *h, unsigned newest)
{
	json_object *o = json_object_new_object();
	unsigned k = h->n < newest ? h->n : newest;
	u64(o, "current", h->current);
	if (k) {
		json_object_object_add(o, "pop_ping_drop_rate", floats(h->drop, h->n, k, h->current));
		json_object_object_add(o, "pop_ping_latency_ms",
				       floats(h->latency_ms, h->n, k, h->current));
	}
	json_object *a = json_object_new_array();
	for (unsigned i = 0; i < h->n_outages; i++)
		json_object_array_add(a, outage(&h->outages[i]));
	json_object_object_add(o, "outages", a);
	return o;
}
