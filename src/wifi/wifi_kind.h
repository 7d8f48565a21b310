/* wifi_kind: the Wi-Fi client radio as a telemetry kind (engine/tel_kind.h);
 * the state of a wifi member's source in the daemon, shared by tel_wifi.c
 * and wifi_kind.c. */
#ifndef AUTONOMY_WIFI_WIFI_KIND_H
#define AUTONOMY_WIFI_WIFI_KIND_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "engine/tel_kind.h"
#include "wifi/wifi_types.h"

struct wifi_src;
struct event;
struct member_rt;

struct tel_wifi {
	struct wifi_src *src;
	struct event *poll_timer, *scan_timer;
	struct wifi_sample s;
	bool have;
	uint64_t s_us, polls, failures, scans;
	char source[16];
	char error[160];
	unsigned scan_seen, neighbours;
	double strongest_dbm, busy_pct;
	int suggest_channel, scan_channel;
	uint64_t scan_us;
};

extern const struct tel_kind tel_kind_wifi;

/* tel_wifi.c */
int tel_wifi_start(struct member_rt *m);
void tel_wifi_stop(struct member_rt *m);
json_object *tel_wifi_json(struct member_rt *m);
bool tel_wifi_answering(const struct member_rt *m);

#endif
