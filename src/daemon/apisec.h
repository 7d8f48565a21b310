/* apisec: the daemon's side of src/security — the listener guard the
 * exporters' HTTP listener asks, the API keys on disk (state_dir/api_keys,
 * 0600) and their commands, expiry warnings as events, bans from intrusion
 * detection, and the firewall table of the listeners (sec_fw). */
#ifndef AUTONOMY_DAEMON_APISEC_H
#define AUTONOMY_DAEMON_APISEC_H

#include <json-c/json.h>

struct daemon;
struct ctl_error;
struct sec_guard;

/* Warning events start this long before a key expires. */
#define APISEC_WARN_DAYS 14

int apisec_start(struct daemon *d);
/* The config changed: new guard settings, the firewall table again. */
void apisec_reload(struct daemon *d);
void apisec_stop(struct daemon *d);
struct sec_guard *apisec_guard(struct daemon *d);
/* For `health`: the guard's counters and bans, the keys, the firewall. */
json_object *apisec_view(struct daemon *d);

/* `security key create|list|revoke` (handlers). */
json_object *apisec_key_create(struct daemon *d, json_object *args, struct ctl_error *err);
json_object *apisec_key_list(struct daemon *d, json_object *args, struct ctl_error *err);
json_object *apisec_key_revoke(struct daemon *d, json_object *args, struct ctl_error *err);

#endif
