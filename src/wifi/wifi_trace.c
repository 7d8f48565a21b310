/* wifi_trace: a trace's `wifi` object (shared/spec/replay.md) into the
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
}
