/* wifi_trace: a trace's `wifi` object (docs/replay-format.md) into the
 * sample struct the radio source produces, so the assessor sees the same
 * input in the replay as in the daemon. Unknown keys are ignored; a key of
 * the wrong type is ignored. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "core/jsonutil.h"
#include "wifi/wifi_trace.h"

void wifi_trace_sample(json_object *o, struct wifi_sample *s)
{
	wifi_sample_init(s);
	snprintf(s->source, sizeof(s->source), "trace");
	if (!o)
		return;
	s->signal_dbm = json_typed_num(o, "signal_dbm");
	s->noise_dbm = json_typed_num(o, "noise_dbm");
	s->tx_bitrate_mbps = json_typed_num(o, "bitrate_mbps");
	s->associated = json_typed_bool(o, "associated");
	json_typed_str(o, "ssid", s->ssid, sizeof(s->ssid));
	double f = json_typed_num(o, "freq_mhz");
	if (isfinite(f)) {
		s->freq_mhz = (int)f;
		s->channel = wifi_freq_to_channel(s->freq_mhz);
	}
	/* Extensions a recording daemon writes (other readers ignore them). */
	s->signal_avg_dbm = json_typed_num(o, "signal_avg_dbm");
	s->relative_units = json_typed_bool(o, "relative_units") == 1;
}

json_object *wifi_trace_object(const struct wifi_sample *s)
{
	json_object *o = json_object_new_object();
	json_add_exact(o, "signal_dbm", s->signal_dbm);
	json_add_exact(o, "noise_dbm", s->noise_dbm);
	json_add_exact(o, "bitrate_mbps", s->tx_bitrate_mbps);
	if (s->associated >= 0)
		json_object_object_add(o, "associated", json_object_new_boolean(s->associated));
	json_add_str(o, "ssid", s->ssid);
	if (s->freq_mhz > 0)
		json_object_object_add(o, "freq_mhz", json_object_new_int(s->freq_mhz));
	json_add_exact(o, "signal_avg_dbm", s->signal_avg_dbm);
	if (s->relative_units)
		json_object_object_add(o, "relative_units", json_object_new_boolean(1));
	return o;
}

json_object *wifi_trace_scan_object(const struct wifi_scan_view *v)
{
	json_object *o = json_object_new_object(), *x = json_object_new_object();
	json_object_object_add(x, "neighbours", json_object_new_int((int)v->neighbours));
	json_add_exact(x, "strongest_dbm", v->strongest_dbm);
	json_add_exact(x, "busy_pct", v->busy_pct);
	json_object_object_add(x, "suggest_channel", json_object_new_int(v->suggest_channel));
	json_object_object_add(o, "scan", x);
	return o;
}

bool wifi_trace_scan(json_object *o, struct wifi_scan_view *v)
{
	json_object *x;
	double n, c;
	if (!o || !json_object_object_get_ex(o, "scan", &x) || !json_object_is_type(x, json_type_object))
		return false;
	n = json_typed_num(x, "neighbours");
	c = json_typed_num(x, "suggest_channel");
	v->neighbours = isfinite(n) && n >= 0 && n < 1e6 ? (unsigned)n : 0;
	v->strongest_dbm = json_typed_num(x, "strongest_dbm");
	v->busy_pct = json_typed_num(x, "busy_pct");
	v->suggest_channel = isfinite(c) && c >= -1 && c < 1000 ? (int)c : -1;
	return true;
}
