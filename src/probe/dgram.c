/* dgram: the shared datagram sockets (ICMP and DNS, one per family per
 * member). Opened on first use, read on the event loop until EAGAIN (with a
 * budget, for fairness), and carrying the ICMP errors for earlier probes:
 * with IP_RECVERR the kernel queues each one, with the part of our packet
 * it quotes, on the socket's error queue, so an unreachable destination
 * ends its probe at once instead of at the loss timeout.
 *
 * A queued error is announced three ways, and we must catch each: the next
 * recvmsg() fails once with it (sk_err), poll reports POLLERR while the
 * queue is not empty, and the next sendto() may fail with it instead of
 * sending. */
#include "probe/probe_internal.h"

#include "core/clock.h"
#include "core/log.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include <linux/errqueue.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <event2/event.h>

#define READ_BUDGET     64      /* datagrams per wake-up */
#define RX_MAX          1500

/* Unprivileged ping sockets need the group in net.ipv4.ping_group_range;
 * without it socket() says EACCES, and a raw socket (root, CAP_NET_RAW)
 * does the same job if we filter what it hears. */
static bool ping_refused(int err)
{
	return err == EACCES || err == EPERM || err == EPROTONOSUPPORT;
}

/* A raw socket hears every ICMP message on its device: pass only echo
 * replies (errors arrive on the error queue). */
static int raw_filter(int fd, int family)
{
	if (family == AF_INET) {
		struct icmp_filter f = { .data = ~(1u << ICMP_ECHOREPLY) };
		return setsockopt(fd, SOL_RAW, ICMP_FILTER, &f, sizeof(f));
	}
	struct icmp6_filter f;
	memset(&f, 0xff, sizeof(f));    /* block all ... */
	f.data[ICMPV6_ECHO_REPLY >> 5] &= ~(1u << (ICMPV6_ECHO_REPLY & 31)); /* ... but replies */
	return setsockopt(fd, IPPROTO_ICMPV6, ICMPV6_FILTER, &f, sizeof(f));
}

static int open_fd(struct prober *p, int family, int proto, bool *raw)
{
	*raw = false;
	if (proto == IPPROTO_UDP)
		return probe_sock_open(p, family, SOCK_DGRAM, IPPROTO_UDP);
	int fd = probe_sock_open(p, family, SOCK_DGRAM, proto);
	if (fd >= 0 || !ping_refused(-fd))
		return fd;
	fd = probe_sock_open(p, family, SOCK_RAW, proto);
	if (fd < 0)
		return fd;
	*raw = true;
	if (raw_filter(fd, family) < 0) {
		int e = errno;
		probe_sock_close(p, fd);
		return -e;
	}
	return fd;
}

static void dgram_readable(evutil_socket_t fd, short what, void *arg);

int probe_dgram_ensure(struct prober *p, struct probe_dgram *d, int family, int proto)
{
	if (d->fd >= 0)
		return 0;
	bool raw;
	int fd = open_fd(p, family, proto, &raw);
	if (fd < 0)
		return -fd;
	int one = 1;
	int lvl = family == AF_INET ? SOL_IP : SOL_IPV6;
	int opt = family == AF_INET ? IP_RECVERR : IPV6_RECVERR;
	if (setsockopt(fd, lvl, opt, &one, sizeof(one)) < 0)
		goto fail;
	/* Kernel receive timestamps make the RTT exact; without them (qemu-user
	 * refuses the option) the RTT is taken when the reply is read. */
	if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one)) < 0 &&
	    errno != ENOPROTOOPT)
		goto fail;
	d->ev = event_new(p->base, fd, EV_READ | EV_PERSIST, dgram_readable, d);
	if (!d->ev || event_add(d->ev, NULL) < 0)
		goto fail;
	d->fd = fd;
	d->raw = raw;
	d->l4hdr = proto == IPPROTO_UDP ? 8 : 0;
	d->id = (uint16_t)probe_rand64(p);
	return 0;
fail:;
	int e = errno ? errno : ENOMEM;
	if (d->ev)
		event_free(d->ev);
	d->ev = NULL;
	probe_sock_close(p, fd);
	return e;
}

void probe_dgram_close(struct prober *p, struct probe_dgram *d)
{
	if (d->fd < 0)
		return;
	event_free(d->ev);
	d->ev = NULL;
	probe_sock_close(p, d->fd);
	d->fd = -1;
}

static const struct sock_extended_err *find_ee(struct msghdr *msg)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		if ((c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) ||
		    (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR))
			return (const struct sock_extended_err *)CMSG_DATA(c);
	}
	return NULL;
}

/* Reads the error queue dry, handing each error to the kind. */
static void drain_errors(struct probe_dgram *d)
{
	uint8_t buf[RX_MAX];
	union { char b[512]; struct cmsghdr align; } cbuf;
	for (int n = 0; n < READ_BUDGET && d->fd >= 0; n++) {
		struct sockaddr_storage from;
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr msg = {
			.msg_name = &from, .msg_namelen = sizeof(from),
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = cbuf.b, .msg_controllen = sizeof(cbuf.b),
		};
		ssize_t r = recvmsg(d->fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT);
		if (r < 0)
			return;
		const struct sock_extended_err *ee = find_ee(&msg);
		if (ee && d->on_error)
			d->on_error(d, ee, buf, (size_t)r, (const struct sockaddr *)&from);
	}
}

static void dgram_readable(evutil_socket_t fd, short what, void *arg)
{
	struct probe_dgram *d = arg;
	struct prober *p = d->p;
	uint8_t buf[RX_MAX];
	union { char b[256]; struct cmsghdr align; } cbuf;
	for (int n = 0; n < READ_BUDGET && d->fd >= 0; n++) {
		struct sockaddr_storage from;
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr msg = {
			.msg_name = &from, .msg_namelen = sizeof(from),
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = cbuf.b, .msg_controllen = sizeof(cbuf.b),
		};
		ssize_t r = recvmsg(d->fd, &msg, MSG_DONTWAIT);
		if (r < 0) {
			int e = errno;
			bool empty = e == EAGAIN || e == EWOULDBLOCK;
			if (e == EINTR)
				continue;
			if (empty && n > 0)
				return;
			/* a pending error (sk_err), or a wake-up with nothing to
			 * read at all: POLLERR for a queued error */
			drain_errors(d);
			if (empty)
				return;
			continue;
		}
		/* raw IPv4 sockets include the IP header; the others do not */
		p->st.bytes_received += (uint64_t)r + d->l4hdr +
			(d->raw && d->family == AF_INET ? 0 : probe_iphdr_len(d->family));
		if (msg.msg_flags & MSG_TRUNC) {
			p->st.ignored++;
			continue;
		}
		d->on_data(d, buf, (size_t)r, &msg, clock_mono_us());
	}
}

static bool maybe_async_error(int e)
{
	return e == EHOSTUNREACH || e == ENETUNREACH || e == ECONNREFUSED || e == EHOSTDOWN ||
	       e == EPROTO || e == EACCES || e == ENOPROTOOPT || e == EMSGSIZE;
}

int probe_dgram_send(struct probe_dgram *d, const void *buf, size_t len,
		     const struct sockaddr *to, socklen_t tolen)
{
	bool retried = false;
	for (;;) {
		if (sendto(d->fd, buf, len, MSG_DONTWAIT, to, tolen) >= 0)
			return 0;
		int e = errno;
		if (e == EINTR)
			continue;
		/* perhaps an earlier probe's error, handed to this send */
		if (!retried && maybe_async_error(e)) {
			retried = true;
			drain_errors(d);
			if (d->fd >= 0)
				continue;
		}
		return e;
	}
}

uint32_t probe_dgram_rtt(const struct probe_slot *s, const struct msghdr *msg,
			 uint64_t now_us)
{
	uint64_t mono = now_us > s->sent_us ? now_us - s->sent_us : 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR((struct msghdr *)msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPNS)
			continue;
		struct timespec ts;
		memcpy(&ts, CMSG_DATA(c), sizeof(ts));
		uint64_t rx = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
		if (rx < s->sent_rt_ns)
			break;          /* the wall clock stepped back */
		uint64_t k = (rx - s->sent_rt_ns) / 1000u;
		if (k <= mono + 1000)   /* else it stepped forward */
			mono = k;
		break;
	}
	return mono > UINT32_MAX ? UINT32_MAX : (uint32_t)mono;
}

bool probe_dgram_error_is_loss(const struct sock_extended_err *ee)
{
	switch (ee->ee_origin) {
	case SO_EE_ORIGIN_ICMP:
		/* fragmentation needed: a path MTU signal, not unreachability */
		return ee->ee_type != ICMP_DEST_UNREACH || ee->ee_code != ICMP_FRAG_NEEDED;
	case SO_EE_ORIGIN_ICMP6:
		return ee->ee_type != ICMPV6_PKT_TOOBIG;
	case SO_EE_ORIGIN_LOCAL:
		return ee->ee_errno != EMSGSIZE;
	default:
		return false;
	}
}
