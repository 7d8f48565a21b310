/* mqtt_msg: topics and retained payloads of the MQTT exporter. Payloads are
 * small on purpose — fleet telemetry often rides a metered uplink — and
 * carry the keys of the `status` and `members` views they come from. */
#include "export/mqtt_msg.h"

#include <stdio.h>
#include <string.h>

#include "export/export_int.h"

static void clean_level(char *s)
{
	for (; *s; s++)
		if (*s == '+' || *s == '#' || *s == '/')
			*s = '_';
}

void mqtt_prefix(char *out, size_t size, const char *configured, const char *host)
{
	if (configured && *configured) {
		snprintf(out, size, "%s", configured);
		return;
	}
	char h[128];
	snprintf(h, sizeof(h), "%s", host && *host ? host : "router");
	clean_level(h);
	snprintf(out, size, "autonomy/%s", h);
}

void mqtt_client_id(char *out, size_t size, const char *configured, const char *host)
{
	if (configured && *configured)
		snprintf(out, size, "%s", configured);
	else
		snprintf(out, size, "autonomy-%s", host && *host ? host : "router");
}

int mqtt_topic(char *out, size_t size, const char *prefix, const char *suffix)
{
	int n = snprintf(out, size, "%s/%s", prefix, suffix);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* Copies key from src to dst as it is (JSON null when missing). */
static void copy(json_object *dst, json_object *src, const char *key)
{
	json_object *v = export_path(src, key);
	const char *k = strrchr(key, '.');
	json_object_object_add(dst, k ? k + 1 : key, json_object_get(v));
}

json_object *mqtt_status_payload(json_object *status, long long now_s)
{
	static const char *const keys[] = {
		"version", "uptime_s", "active_member", "pinned", "members", "mode", "backend",
	};
	json_object *o = json_object_new_object();
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		copy(o, status, keys[i]);
	json_object *ls = export_path(status, "last_switch"), *l = NULL;
	if (ls) {
		l = json_object_new_object();
		copy(l, ls, "time");
		copy(l, ls, "from");
		copy(l, ls, "to");
		copy(l, ls, "reason");
	}
	json_object_object_add(o, "last_switch", l);
	json_object_object_add(o, "ts", json_object_new_int64(now_s));
	return o;
}

/* The figures an operator's fleet view needs, per class where the link's
 * hardware reports them; the full object is `autonomyctl members`. */
json_object *mqtt_member_payload(json_object *m, long long now_s)
{
	static const char *const keys[] = {
		"name", "device", "class", "priority", "enabled", "state", "active", "carrier",
		"health_score", "latency_ms", "p95_ms", "jitter_ms", "loss_pct", "reason",
	};
	static const char *const extra[] = {
		"starlink.state", "starlink.obstruction.fraction_obstructed",
		"starlink.pop_ping_latency_ms", "cellular.registration", "cellular.technology",
		"cellular.rsrp_dbm", "cellular.sinr_db", "wifi.signal_dbm", "wifi.ssid",
		"data_usage.total_bytes", "data_usage.used_pct",
	};
	json_object *o = json_object_new_object();
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		copy(o, m, keys[i]);
	for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
		json_object *v = export_path(m, extra[i]);
		if (!v)
			continue;
		/* "starlink.state" → {"starlink":{"state":...}} */
		char sec[32];
		const char *dot = strchr(extra[i], '.');
		snprintf(sec, sizeof(sec), "%.*s", (int)(dot - extra[i]), extra[i]);
		json_object *s;
		if (!json_object_object_get_ex(o, sec, &s)) {
			s = json_object_new_object();
			json_object_object_add(o, sec, s);
		}
		const char *last = strrchr(extra[i], '.') + 1;
		json_object_object_add(s, last, json_object_get(v));
	}
	json_object_object_add(o, "ts", json_object_new_int64(now_s));
	return o;
}
