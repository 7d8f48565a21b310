#include "daemon/access.h"

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "core/log.h"
#include "ctl/ctl_peer.h"

/* A group by name (NSS: /etc/group on OpenWrt) or number. */
static int group_id(const char *name, gid_t *gid)
{
	char *end, buf[4096];
	struct group gr, *res = NULL;
	unsigned long v = strtoul(name, &end, 10);
	if (*name && !*end && v < ACCESS_NO_GROUP) {
		*gid = (gid_t)v;
		return 0;
	}
	if (getgrnam_r(name, &gr, buf, sizeof(buf), &res) != 0 || !res)
		return -1;
	*gid = res->gr_gid;
	return 0;
}

void access_configure(struct access *a, const struct config *cfg)
{
	const char *g = cfg_str(config_section(cfg, "main"), "admin_group");
	a->admin_gid = ACCESS_NO_GROUP;
	a->admin_name[0] = '\0';
	if (!g || !*g)
		return;
	if (group_id(g, &a->admin_gid) < 0) {
		log_warn("main.admin_group '%s': no such group; only root may act on the "
			 "control socket", g);
		a->admin_gid = ACCESS_NO_GROUP;
		return;
	}
	snprintf(a->admin_name, sizeof(a->admin_name), "%s", g);
}

int access_socket_group(const struct config *cfg, gid_t *gid)
{
	const struct cfg_section *m = config_section(cfg, "main");
	const char *g = cfg_str(m, "socket_group");
	const char *opt = "socket_group";
	if (!g || !*g) {
		g = cfg_str(m, "admin_group");
		opt = "admin_group";
	}
	*gid = ACCESS_NO_GROUP;
	if (!g || !*g)
		return 0;
	if (group_id(g, gid) < 0) {
		log_err("main.%s '%s': no such group", opt, g);
		return -1;
	}
	return 0;
}

bool access_may_act(const struct access *a, const struct ctl_peer *p)
{
	return p->uid == 0 || p->uid == geteuid() ||
	       (a->admin_gid != ACCESS_NO_GROUP && ctl_peer_in_group(p, a->admin_gid));
}

const char *access_who_may(const struct access *a, char *buf, size_t size)
{
	if (a->admin_gid == ACCESS_NO_GROUP)
		snprintf(buf, size, "root");
	else
		snprintf(buf, size, "root or group '%s' (main.admin_group)", a->admin_name);
	return buf;
}
