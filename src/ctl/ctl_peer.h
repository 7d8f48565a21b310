/* ctl_peer: who is on the other end of a Unix stream socket, as the kernel
 * says (SO_PEERCRED: uid, gid, pid at connect time; SO_PEERGROUPS: the
 * supplementary groups). The daemon authorises control commands by it; the
 * client checks that the server is who it should be. */
#ifndef AUTONOMY_CTL_PEER_H
#define AUTONOMY_CTL_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct ctl_peer {
	uid_t uid;
	gid_t gid;
	pid_t pid;
	gid_t *groups;          /* supplementary groups, malloc'd */
	unsigned n_groups;
};

/* 0, or -1 (errno) when the kernel would not say. */
int ctl_peer_read(int fd, struct ctl_peer *p);
void ctl_peer_free(struct ctl_peer *p);
/* The primary or a supplementary group is g. */
bool ctl_peer_in_group(const struct ctl_peer *p, gid_t g);
/* "uid 1000 (alice) pid 4242", for the log and the decisions. */
void ctl_peer_describe(const struct ctl_peer *p, char *buf, size_t size);

#endif
