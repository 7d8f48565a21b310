/* access: who may do what on the control socket. Whoever can connect (root
 * and the socket's group: file permissions) may query; commands that change
 * state or reveal secrets (CTL_CMD_PRIVILEGED: failover, reload, the dish
 * actions, config_reveal, config_validate of another file) need uid 0, the
 * daemon's own uid, or main.admin_group — judged by the credentials the
 * kernel gives for the connection (SO_PEERCRED), never by what the client
 * says. Who asked is logged and kept with the decisions it caused. */
#ifndef AUTONOMY_DAEMON_ACCESS_H
#define AUTONOMY_DAEMON_ACCESS_H

#include <stdbool.h>
#include <sys/types.h>

struct config;
struct ctl_peer;

#define ACCESS_NO_GROUP ((gid_t)-1)

struct access {
	gid_t admin_gid;        /* ACCESS_NO_GROUP: root only */
	char admin_name[32];
};

/* main.admin_group of cfg into a (a name or a number); a group that does not
 * exist is logged and leaves root alone allowed. */
void access_configure(struct access *a, const struct config *cfg);
/* main.socket_group, else main.admin_group, as a gid; ACCESS_NO_GROUP when
 * neither is set (the socket keeps the daemon's group). -1 with a log line
 * when one is set but does not exist. */
int access_socket_group(const struct config *cfg, gid_t *gid);
bool access_may_act(const struct access *a, const struct ctl_peer *p);
/* "root or group 'netadmin'" */
const char *access_who_may(const struct access *a, char *buf, size_t size);

#endif
