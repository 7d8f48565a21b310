#include "ctl/ctl_peer.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* SO_PEERGROUPS (Linux 4.13) says ERANGE with the size it needs when the
 * buffer is short; kernels without it leave the primary group only. */
static void read_groups(int fd, struct ctl_peer *p)
{
	socklen_t len = 32 * sizeof(gid_t);
	for (int tries = 0; tries < 2; tries++) {
		gid_t *g = malloc(len ? len : sizeof(gid_t));
		if (!g)
			return;
		socklen_t got = len;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, g, &got) == 0) {
			p->groups = g;
			p->n_groups = got / sizeof(gid_t);
			return;
		}
		free(g);
		if (errno != ERANGE || got <= len)
			return;
		len = got;
	}
}

int ctl_peer_read(int fd, struct ctl_peer *p)
{
	struct ucred uc;
	socklen_t len = sizeof(uc);
	memset(p, 0, sizeof(*p));
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) < 0 || len != sizeof(uc))
		return -1;
	p->uid = uc.uid;
	p->gid = uc.gid;
	p->pid = uc.pid;
	read_groups(fd, p);
	return 0;
}

void ctl_peer_free(struct ctl_peer *p)
{
	free(p->groups);
	p->groups = NULL;
	p->n_groups = 0;
}

bool ctl_peer_in_group(const struct ctl_peer *p, gid_t g)
{
	if (p->gid == g)
		return true;
	for (unsigned i = 0; i < p->n_groups; i++)
		if (p->groups[i] == g)
			return true;
	return false;
}

void ctl_peer_describe(const struct ctl_peer *p, char *buf, size_t size)
{
	struct passwd pw, *res = NULL;
	char tmp[1024];
	if (getpwuid_r(p->uid, &pw, tmp, sizeof(tmp), &res) != 0)
		res = NULL;
	snprintf(buf, size, "uid %u (%.32s) pid %d", (unsigned)p->uid, res ? res->pw_name : "?",
		 (int)p->pid);
}
