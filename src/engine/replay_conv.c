/* replay_conv: trace telemetry objects (docs/replay-format.md: `cellular`,
 * `wifi`, `gps`) into the sample structs the link sources produce, so the
 * assessors see the same input in the replay as in the daemon. Starlink
 * objects use the dish's own field names and go through sl_json. Unknown
 * keys are ignored; a key of the wrong type is ignored. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "core/jsonutil.h"
#include "engine/replay_internal.h"

static double num(json_object *o, const char *k)
{
	json_object *v;
	if (!json_object_object_get_ex(o, k, &v) ||
	    !(json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)))
		return NAN;
	return json_object_get_double(v);
}

/* -1 absent or not a boolean, else 0/1. */
static int flag(json_object *o, const char *k)
{
	json_object *v;
	if (!json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_boolean))
		return -1;
	return json_object_get_boolean(v);
}

static void str(json_object *o, const char *k, char *out, size_t size)
{
	json_object *v;
	if (json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string))
		snprintf(out, size, "%s", json_object_get_string(v));
}

void replay_cell_sample(json_object *o, struct cell_sample *s)
{
	int reg, roam;

	cell_sample_init(s);
	snprintf(s->source, sizeof(s->source), "trace");
	if (!o)
		return;
	s->rsrp_dbm = num(o, "rsrp_dbm");
	s->rsrq_db = num(o, "rsrq_db");
	s->sinr_db = num(o, "sinr_db");
	s->rssi_dbm = num(o, "rssi_dbm");
	s->rscp_dbm = num(o, "rscp_dbm");
	s->nr_rsrp_dbm = num(o, "nr_rsrp_dbm");
	str(o, "technology", s->tech_text, sizeof(s->tech_text));
	if (s->tech_text[0])
		s->tech = cell_tech_parse(s->tech_text);
	str(o, "operator", s->operator_name, sizeof(s->operator_name));
	str(o, "cell_id", s->cell_id, sizeof(s->cell_id));
	roam = flag(o, "roaming");
	reg = flag(o, "registered");
	if (roam >= 0)
		s->roaming = roam;
	if (reg == 1)
		s->reg = roam == 1 ? CELL_REG_ROAMING : CELL_REG_HOME;
	else if (reg == 0)
		s->reg = CELL_REG_SEARCHING;
}

void replay_wifi_sample(json_object *o, struct wifi_sample *s)
{
	wifi_sample_init(s);
	snprintf(s->source, sizeof(s->source), "trace");
	if (!o)
		return;
	s->signal_dbm = num(o, "signal_dbm");
	s->noise_dbm = num(o, "noise_dbm");
	s->tx_bitrate_mbps = num(o, "bitrate_mbps");
	s->associated = flag(o, "associated");
	str(o, "ssid", s->ssid, sizeof(s->ssid));
	double f = num(o, "freq_mhz");
	if (isfinite(f)) {
		s->freq_mhz = (int)f;
		s->channel = wifi_freq_to_channel(s->freq_mhz);
	}
}

void replay_gps_fix(json_object *o, struct gps_fix *f)
{
	gps_fix_init(f);
	f->source = GPS_SRC_TRACE;
	if (!o)
		return;
	f->lat = num(o, "lat");
	f->lon = num(o, "lon");
	f->speed_mps = num(o, "speed_mps");
	f->accuracy_m = num(o, "accuracy_m");
	f->valid = isfinite(f->lat) && isfinite(f->lon) && fabs(f->lat) <= 90 &&
		   fabs(f->lon) <= 180;
	f->mode = f->valid ? 2 : 1;
}
