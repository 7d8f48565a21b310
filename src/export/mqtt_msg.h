/* mqtt_msg: what the MQTT exporter publishes, pure (no broker, no loop).
 *
 *   PREFIX/availability     "online" / "offline" (the last will), retained
 *   PREFIX/status           the daemon's summary, retained
 *   PREFIX/members/NAME     one member's figures, retained
 *   PREFIX/events           every event as it happens (the bus's JSON)
 *
 * PREFIX is mqtt.topic_prefix, else autonomy/HOSTNAME. */
#ifndef AUTONOMY_EXPORT_MQTT_MSG_H
#define AUTONOMY_EXPORT_MQTT_MSG_H

#include <stddef.h>
#include <json-c/json.h>

/* The prefix: configured, else "autonomy/" + host with the characters a
 * topic level cannot hold (+ # /) replaced by '_'. */
void mqtt_prefix(char *out, size_t size, const char *configured, const char *host);
/* The client id: configured, else "autonomy-" + host. */
void mqtt_client_id(char *out, size_t size, const char *configured, const char *host);
/* prefix + "/" + suffix; -1 if it does not fit. */
int mqtt_topic(char *out, size_t size, const char *prefix, const char *suffix);

/* Retained payloads built from the views (new objects). now_s: Unix time. */
json_object *mqtt_status_payload(json_object *status, long long now_s);
json_object *mqtt_member_payload(json_object *member, long long now_s);

#endif
