/* tel: the daemon's link telemetry, kind by kind (engine/tel_kind.h): per
 * member the source of the kind of its class (the dish over gRPC, the modem
 * through its tool, the radio over nl80211 or its tools) feeding the
 * member's assessors (tel_member in member_rt.tm); router-wide the kinds
 * without a class (position, data usage). Sources produce samples;
 * tel_changed() turns the verdict into health penalties and decision inputs
 * and runs the decision engine. Nothing here names a kind. */
#ifndef AUTONOMY_DAEMON_TEL_H
#define AUTONOMY_DAEMON_TEL_H

#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>

#include "ctl/ctl_proto.h"
#include "engine/tel_kind.h"

struct daemon;
struct member_rt;
struct ctl_conn;
struct gps_fix;

/* Per member (members.c calls these). */
int tel_member_start(struct member_rt *m);
void tel_member_stop(struct member_rt *m);
/* A reload kept the member: new parameters, sources restarted only when
 * what they talk to changed. */
void tel_member_reload(struct member_rt *m);
/* New verdict: evaluate, apply to the member's score and the engine. */
void tel_changed(struct member_rt *m);
/* The member's telemetry objects for `members` (each kind's view_key, and
 * "telemetry": the verdict). */
void tel_member_json(struct member_rt *m, json_object *o);
/* The state of the member's source (its kind's src_size bytes, zeroed at
 * start; kept while the member is), NULL when its class has no kind. */
void *tel_source(const struct member_rt *m);

/* Router-wide (main.c, handlers.c, views.c). tel_shared_start before the
 * members start (their assessors use the kinds' shared state), tel_start
 * after (router-wide sources that need the member list); stops in reverse. */
int tel_shared_start(struct daemon *d);
int tel_start(struct daemon *d);
void tel_stop(struct daemon *d);
void tel_shared_stop(struct daemon *d);
/* After a reload's members_sync. */
void tel_reload(struct daemon *d);
/* The kinds' objects in `status` and `health` ("position"; "gps",
 * "telemetry"). */
void tel_status_json(struct daemon *d, json_object *o);
void tel_health_json(struct daemon *d, json_object *o);
/* A kind's control command: KIND (its members as an array of {name, ...}
 * objects; args.member picks one) or KIND_ACTION (the kind's action, e.g.
 * starlink_reboot). *served is false when cmd is no kind's command; a kind
 * this program was built without answers that it is not built in. */
json_object *tel_command(struct daemon *d, struct ctl_conn *c, const char *cmd,
			 json_object *args, struct ctl_error *err, bool *served);

/* Between kinds: a position one kind's source saw (the dish), and the place
 * key of where the router is ("here" without a position). */
void tel_position(struct daemon *d, const struct gps_fix *f);
const char *tel_place(struct daemon *d);
/* A kind's router-wide state slot, and its shared assessor state. */
void **tel_kind_state(struct daemon *d, const struct tel_kind *k);
void *tel_kind_shared(struct daemon *d, const struct tel_kind *k);
/* The kind's config section into a reload signature. */
void tel_sig_section(const struct config *cfg, const char *section, json_object *sig);

#endif
