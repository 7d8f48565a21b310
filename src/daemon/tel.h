/* tel: the daemon's link telemetry — per member the source of its class
 * (the dish over gRPC, the modem through its tool, the radio over nl80211
 * or its tools), feeding the member's engine-side assessor (tel_member in
 * member_rt.tm); globally the position (gpsd, the dish) and data usage.
 * Sources produce samples; tel_changed() turns the assessor's verdict into
 * health penalties and decision inputs and runs the decision engine. */
#ifndef AUTONOMY_DAEMON_TEL_H
#define AUTONOMY_DAEMON_TEL_H

#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>

#include "ctl/ctl_proto.h"

struct daemon;
struct member_rt;
struct ctl_conn;

/* Per member (members.c calls these). */
int tel_member_start(struct member_rt *m);
void tel_member_stop(struct member_rt *m);
/* A reload kept the member: new parameters, sources restarted only when
 * what they talk to changed. */
void tel_member_reload(struct member_rt *m);
/* New verdict: evaluate, apply to the member's score and the engine. */
void tel_changed(struct member_rt *m);
/* The member's telemetry objects for `members` ("starlink", "cellular",
 * "wifi", "data_usage", "telemetry"). */
void tel_member_json(struct member_rt *m, json_object *o);

/* Starlink (tel_sl.c). */
int tel_sl_start(struct member_rt *m);
void tel_sl_stop(struct member_rt *m);
json_object *tel_sl_json(struct member_rt *m);
/* Polls the dish fast while the predictor finds the link suspect. */
void tel_sl_suspect(struct member_rt *m);
json_object *tel_sl_action(struct daemon *d, struct ctl_conn *c, const char *action,
			   json_object *args, struct ctl_error *err);
/* Cellular (tel_cell.c) and Wi-Fi (tel_wifi.c). */
int tel_cell_start(struct member_rt *m);
void tel_cell_stop(struct member_rt *m);
json_object *tel_cell_json(struct member_rt *m);
int tel_wifi_start(struct member_rt *m);
void tel_wifi_stop(struct member_rt *m);
json_object *tel_wifi_json(struct member_rt *m);
json_object *tel_health_json(struct daemon *d);
/* The members of a class as an array of {name, ...} objects, for the
 * `starlink`, `cellular` and `wifi` commands. */
json_object *tel_class_view(struct daemon *d, const char *cls, const char *member,
			    struct ctl_error *err);

/* Global: position (gps.c) and data usage (usage.c). */
int gps_start(struct daemon *d);
void gps_stop(struct daemon *d);
void gps_reload(struct daemon *d);
/* A position from the dish (get_location / diagnostics). */
struct gps_fix;
void gps_dish_fix(struct daemon *d, const struct gps_fix *f);
json_object *gps_json(struct daemon *d);
/* The place key of the current position for location learning. */
const char *gps_place(struct daemon *d);
json_object *gps_health_json(struct daemon *d);

int usage_start(struct daemon *d);
void usage_stop(struct daemon *d);
void usage_reload(struct daemon *d);
json_object *usage_member_json(struct daemon *d, const struct member_rt *m);

#endif
