/* The daemon's state: one struct, owned by main, reached by the handlers. */
#ifndef AUTONOMY_DAEMON_H
#define AUTONOMY_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>

#include "config/config.h"
#include "core/selfhealth.h"
#include "ctl/ctl_proto.h"

struct event_base;
struct event;
struct linkmon;
struct ctl_server;
struct pidfile;

struct reload_result {
	int64_t wall_s;         /* when, Unix seconds; 0 = never reloaded */
	bool ok;
	char message[512];
	json_object *diags;     /* array of strings (errors and warnings) */
};

struct daemon {
	struct event_base *base;
	struct config *cfg;
	const char *config_path;
	char socket_path[108];  /* copies: the config they may come from is replaced on reload */
	char pid_path[4096];
	bool foreground;
	bool debug;              /* -d: keep debug logging across reloads */
	int64_t started_wall_s;

	struct linkmon *lm;
	struct ctl_server *ctl;
	struct pidfile *pf;
	struct selfhealth health;
	struct reload_result last_reload;
	struct event *sig_hup, *sig_term, *sig_int;
};

/* Re-reads the config file; swaps only when it has no errors. Fills err (for
 * the control reply) and returns -1 when the new config was rejected. */
int daemon_reload(struct daemon *d, struct ctl_error *err, json_object **warnings);

void daemon_apply_log_level(const struct config *cfg, bool debug);

/* The control command dispatcher (handlers.c). */
json_object *daemon_dispatch(void *ctx, const struct ctl_request *req);

/* JSON views of the daemon's state (views.c). */
json_object *view_status(struct daemon *d);
json_object *view_members(struct daemon *d);
json_object *view_health(struct daemon *d);

/* The kernel device a member's traffic uses. */
const char *member_device(const struct cfg_section *m);

#endif
