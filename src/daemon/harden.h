/* harden: the daemon's start-up hardening (harden.c). */
#ifndef AUTONOMY_DAEMON_HARDEN_H
#define AUTONOMY_DAEMON_HARDEN_H

#include <stddef.h>
#include <json-c/json.h>

struct daemon;

/* A relative *path becomes cwd/path in buf (the daemon chdirs to /). */
int harden_abs_path(const char **path, char *buf, size_t size);
/* main.state_dir and run_dir created and checked (fs_dir_check); -1 logged. */
int harden_state_dir(struct daemon *d);
/* Keeps only the capabilities the daemon needs (CAP_NET_BIND_SERVICE too
 * when a configured listener has a port below 1024); logs which. */
void harden_drop_privileges(struct daemon *d);
/* After a reload: says when the new config wants a capability dropped at
 * start (a listener moved below port 1024). */
void harden_reload_check(struct daemon *d);
/* {"dropped","capabilities":[...],"no_new_privs","note"} for `health`. */
json_object *harden_privs_json(const struct daemon *d);

#endif
