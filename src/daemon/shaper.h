/* shaper: the daemon's side of the traffic shaper (qos/). It keeps one
 * shaper on the uplink that carries the traffic — moved with every switch,
 * removed from the old one — at the member's limit, adapts its rate to the
 * delay the probes see under load (qos.latency_optimization), shapes the
 * downloads on the LAN devices' egress (qos.ingress), re-verifies every
 * 30 s and removes everything of ours at a clean exit. Only the routing
 * (netlink) backend moves traffic, so only then is anything shaped; in
 * observe mode the view says what would be. */
#ifndef AUTONOMY_DAEMON_SHAPER_H
#define AUTONOMY_DAEMON_SHAPER_H

#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

struct daemon;
struct member_rt;
struct probe_result;

int shaper_start(struct daemon *d);
/* Removes our qdiscs from every device (clean exit). */
void shaper_stop(struct daemon *d);
/* The config changed: new plans, limits, LAN devices; applied at once. */
void shaper_reload(struct daemon *d);
/* The traffic may have moved (after every decision): follow it. */
void shaper_follow(struct daemon *d);
/* A probe outcome of member m: replies (late ones too: they are the delay
 * it most needs to see) and losses feed the adaptive rate. */
void shaper_probe(struct daemon *d, const struct member_rt *m, const struct probe_result *r);

json_object *shaper_view(struct daemon *d);
/* {"upload_mbps","download_mbps","shaped"} of one member. */
json_object *shaper_member_view(struct daemon *d, const struct member_rt *m);

#endif
