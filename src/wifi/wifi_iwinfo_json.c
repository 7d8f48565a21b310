/* wifi_iwinfo_json: `ubus call iwinfo info '{"device":"IF"}'` (see
 * wifi_parse.h). rpcd's iwinfo plugin leaves out what it cannot get and
 * reports signal and noise of 0 when there is no figure. */
#include "wifi/wifi_parse.h"

#include "wifi/wifi_text.h"

#include <json-c/json.h>
#include <math.h>
#include <string.h>

/* An integer-valued member, false when absent or not a number. */
static bool get_int(json_object *o, const char *key, long long *out)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !v)
		return false;
	if (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_double))
		return false;
	double d = json_object_get_double(v);
	if (!isfinite(d) || d < -1e12 || d > 1e12)
		return false;
	*out = (long long)d;
	return true;
}

static const char *get_str(json_object *o, const char *key)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static void fill_numbers(json_object *o, struct wifi_sample *s)
{
	long long n;
	if (get_int(o, "signal", &n) && n < 0)
		s->signal_dbm = (double)n;
	if (get_int(o, "noise", &n) && n < 0)
		s->noise_dbm = (double)n;
	if (get_int(o, "bitrate", &n) && n > 0)
		s->tx_bitrate_mbps = (double)n / 1000.0;
	if (get_int(o, "quality", &n) && n >= 0)
		s->link_quality = (double)n;
	if (get_int(o, "quality_max", &n) && n > 0)
		s->link_quality_max = (double)n;
	if (get_int(o, "frequency", &n) && n > 0 && n < 100000)
		s->freq_mhz = (int)n;
	if (get_int(o, "channel", &n) && n > 0 && n < 256)
		s->channel = (int)n;
	else if (s->freq_mhz > 0)
		s->channel = wifi_freq_to_channel(s->freq_mhz);
}

static void fill_strings(json_object *o, struct wifi_sample *s)
{
	const char *v = get_str(o, "ssid");
	if (v)
		wtext_ssid(s->ssid, (struct wtext){ v, strlen(v) }, false);
	v = get_str(o, "bssid");
	char mac[18];
	bool zero = false;
	if (v && wtext_mac((struct wtext){ v, strlen(v) }, mac, NULL)) {
		zero = strcmp(mac, "00:00:00:00:00:00") == 0;
		if (!zero)
			memcpy(s->bssid, mac, sizeof(mac));
	}
	v = get_str(o, "mode");
	if (v && strcmp(v, "Client") == 0)
		s->associated = s->bssid[0] ? 1 : 0;
}

int wifi_parse_iwinfo_json(const char *text, size_t len, struct wifi_sample *s)
{
	if (len > 1024 * 1024)
		return -1;
	struct json_tokener *tok = json_tokener_new();
	if (!tok)
		return -1;
	json_object *o = json_tokener_parse_ex(tok, text, (int)len);
	bool complete = json_tokener_get_error(tok) == json_tokener_success;
	json_tokener_free(tok);
	int rc = -1;
	/* Recognised: an object that has at least one of iwinfo's own keys. */
	if (complete && json_object_is_type(o, json_type_object) &&
	    (json_object_object_get_ex(o, "mode", NULL) || json_object_object_get_ex(o, "phy", NULL) ||
	     json_object_object_get_ex(o, "hwmodes", NULL))) {
		fill_numbers(o, s);
		fill_strings(o, s);
		rc = 0;
	}
	json_object_put(o);
	return rc;
}
