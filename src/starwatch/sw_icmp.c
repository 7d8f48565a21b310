/* sw_icmp: ICMP echo through the routing table (sw_icmp.h). */
#include "starwatch/sw_icmp.h"

#include <errno.h>
#include <netinet/ip.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/icmp.h>

static uint16_t checksum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

bool sw_ping_is_reply(const void *buf, size_t len, bool raw, uint16_t id, uint16_t seq0,
		      size_t n_seq)
{
	const uint8_t *p = buf;
	if (raw) {
		if (len < sizeof(struct iphdr))
			return false;
		size_t ihl = (size_t)(p[0] & 0x0f) * 4;
		if ((p[0] >> 4) != 4 || ihl < sizeof(struct iphdr) || ihl > len)
			return false;
		p += ihl;
		len -= ihl;
	}
	if (len < 8)
		return false;
	struct icmphdr h;
	memcpy(&h, p, sizeof(h));
	uint16_t seq = ntohs(h.un.echo.sequence);
	/* A ping socket's kernel rewrites the id to its own port: only a raw
	 * socket can (and must) check it. */
	return h.type == ICMP_ECHOREPLY && h.code == 0 && (!raw || ntohs(h.un.echo.id) == id) &&
	       (uint16_t)(seq - seq0) < n_seq;
}

static void finish(struct sw_ping *p, bool reached, const char *why)
{
	sw_ping_cancel(p);
	p->cb(p->arg, reached, why);
}

/* Echo requests to targets [from, to). */
static void send_range(struct sw_ping *p, size_t from, size_t to)
{
	for (size_t i = from; i < to && i < p->n_targets; i++) {
		struct {
			struct icmphdr h;
			char payload[8];
		} m = { .h = { .type = ICMP_ECHO } };
		memcpy(m.payload, "starwtch", sizeof(m.payload));
		m.h.un.echo.id = htons(p->id);
		m.h.un.echo.sequence = htons((uint16_t)(p->seq0 + i));
		m.h.checksum = checksum(&m, sizeof(m));
		struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr = p->targets[i] };
		/* A send error (no route, unreachable) is an answer of sorts:
		 * the deadline reports the failure. */
		if (sendto(p->fd, &m, sizeof(m), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			continue;
	}
}

static void on_timer(void *arg)
{
	struct sw_ping *p = arg;
	uint64_t now = p->loop->now();
	if (now >= p->deadline_ms) {
		finish(p, false, "no echo reply");
		return;
	}
	if (!p->resent) {
		p->resent = true;
		send_range(p, 0, p->n_targets);
	}
	sw_timer_at(&p->timer, p->deadline_ms);
}

static void on_readable(void *arg, int fd, short revents)
{
	struct sw_ping *p = arg;
	unsigned char buf[256];
	ssize_t n;
	while ((n = recv(fd, buf, sizeof(buf), 0)) >= 0 || errno == EINTR) {
		if (n >= 0 && sw_ping_is_reply(buf, (size_t)n, p->raw, p->id, p->seq0,
					       p->n_targets)) {
			finish(p, true, "echo reply");
			return;
		}
	}
}

int sw_ping_init(struct sw_ping *p, struct sw_loop *l, sw_ping_cb cb, void *arg)
{
	memset(p, 0, sizeof(*p));
	p->loop = l;
	p->fd = -1;
	p->cb = cb;
	p->arg = arg;
	return sw_timer_register(l, &p->timer, on_timer, p);
}

static int open_socket(struct sw_ping *p)
{
	p->raw = false;
	p->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
	if (p->fd >= 0)
		return 0;
	if (errno != EACCES && errno != EPERM && errno != EPROTONOSUPPORT)
		return -1;
	p->raw = true;
	p->fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
	if (p->fd < 0)
		return -1;
	struct icmp_filter f = { .data = ~(1u << ICMP_ECHOREPLY) };
	setsockopt(p->fd, SOL_RAW, ICMP_FILTER, &f, sizeof(f));
	return 0;
}

void sw_ping_start(struct sw_ping *p, const struct in_addr *targets, size_t n,
		   uint64_t timeout_ms)
{
	static uint16_t counter;
	sw_ping_cancel(p);
	p->running = true;
	p->n_targets = n < SW_PING_MAX_TARGETS ? n : SW_PING_MAX_TARGETS;
	memcpy(p->targets, targets, p->n_targets * sizeof(*targets));
	if (!p->n_targets) {
		finish(p, false, "no target");
		return;
	}
	if (open_socket(p) < 0) {
		char why[96];
		snprintf(why, sizeof(why), "ICMP socket: %s", strerror(errno));
		finish(p, false, why);
		return;
	}
	p->id = (uint16_t)(getpid() ^ 0x5357);
	p->seq0 = counter;
	counter = (uint16_t)(counter + SW_PING_MAX_TARGETS);
	p->resent = false;
	p->deadline_ms = p->loop->now() + timeout_ms;
	/* One echo first: on a working (maybe metered) link that is all it
	 * costs; the others only when it stays unanswered. */
	send_range(p, 0, 1);
	sw_timer_at(&p->timer, p->loop->now() + timeout_ms / 2);
	if (sw_loop_watch(p->loop, p->fd, POLLIN, on_readable, p) < 0)
		finish(p, false, "loop full");
}

void sw_ping_cancel(struct sw_ping *p)
{
	sw_loop_close(p->loop, &p->fd);
	p->running = false;
	sw_timer_cancel(&p->timer);
}
