/* sock: every socket a prober opens is tied to its member three ways:
 * SO_BINDTODEVICE (the kernel never routes it out of another device), the
 * member's source address (so source-address rules pick the member's own
 * routing table, and replies come back to this uplink), and SO_MARK when the
 * member has a fwmark (mwan3-style policy routing). */
#include "probe/probe_internal.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <netinet/in.h>
#include <sys/socket.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

static int source_addr(const struct prober *p, int family, struct sockaddr_storage *ss,
		       socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET && p->have_src4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		sin->sin_family = AF_INET;
		sin->sin_addr = p->src4;
		*len = sizeof(*sin);
		return 0;
	}
	if (family == AF_INET6 && p->have_src6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = p->src6;
		/* a link-local source is only meaningful on its device */
		if (IN6_IS_ADDR_LINKLOCAL(&p->src6))
			sin6->sin6_scope_id = if_nametoindex(p->ifname);
		*len = sizeof(*sin6);
		return 0;
	}
	return -1;
}

/* A prober that follows the routing table (failover --test checks the
 * default route itself) binds nothing: the kernel picks device and source. */
static int open_unbound(struct prober *p, int family, int type, int proto)
{
	int fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	if (fd < 0)
		return -errno;
	p->st.sockets++;
	return fd;
}

int probe_sock_open(struct prober *p, int family, int type, int proto)
{
	struct sockaddr_storage src;
	socklen_t srclen;
	if (p->follow_routes)
		return open_unbound(p, family, type, proto);
	if (source_addr(p, family, &src, &srclen) < 0)
		return -EADDRNOTAVAIL;
	int fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	if (fd < 0)
		return -errno;
	int one = 1;
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, p->ifname, (socklen_t)strlen(p->ifname) + 1) < 0)
		goto fail;
	if (p->fwmark && setsockopt(fd, SOL_SOCKET, SO_MARK, &p->fwmark, sizeof(p->fwmark)) < 0)
		goto fail;
	/* Best effort: a priority the kernel refuses (no CAP_NET_ADMIN) only
	 * means the probes queue with everyone else. */
	if (p->priority)
		(void)setsockopt(fd, SOL_SOCKET, SO_PRIORITY, &p->priority, sizeof(p->priority));
	/* TCP: take the port at connect(), from the whole 4-tuple space, not at
	 * bind() from the ports free for any destination */
	if (type == SOCK_STREAM)
		(void)setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&src, srclen) < 0)
		goto fail;
	p->st.sockets++;
	return fd;
fail:;
	int e = errno;
	close(fd);
	return -e;
}

void probe_sock_close(struct prober *p, int fd)
{
	if (fd < 0)
		return;
	close(fd);
	p->st.sockets--;
}
