/* sw_nl: minimal rtnetlink over a raw socket (sw_nl.h). */
#include "starwatch/sw_nl.h"

#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#define RX_BUF 32768
#define TIMEOUT_S 2

/* --- parsers ----------------------------------------------------------- */

/* The attributes after a fixed header of hdr bytes, if the message holds it. */
static const struct rtattr *first_attr(const void *msg, size_t len, size_t hdr, int *alen)
{
	const struct nlmsghdr *h = msg;
	if (len < NLMSG_HDRLEN || h->nlmsg_len > len || h->nlmsg_len < NLMSG_LENGTH(hdr))
		return NULL;
	*alen = (int)(h->nlmsg_len - NLMSG_LENGTH(NLMSG_ALIGN(hdr)));
	if (*alen < 0)
		*alen = 0;
	return (const struct rtattr *)((const char *)NLMSG_DATA(h) + NLMSG_ALIGN(hdr));
}

static bool attr_u32(const struct rtattr *a, uint32_t *v)
{
	if (RTA_PAYLOAD(a) < sizeof(*v))
		return false;
	memcpy(v, RTA_DATA(a), sizeof(*v));
	return true;
}

int sw_nl_parse_link(const void *msg, size_t len, struct sw_link *out)
{
	const struct nlmsghdr *h = msg;
	int alen;
	if (len < NLMSG_HDRLEN || h->nlmsg_type != RTM_NEWLINK)
		return 0;
	const struct rtattr *a = first_attr(msg, len, sizeof(struct ifinfomsg), &alen);
	if (!a)
		return -1;
	const struct ifinfomsg *ifi = NLMSG_DATA(h);
	memset(out, 0, sizeof(*out));
	out->ifindex = ifi->ifi_index;
	out->flags = ifi->ifi_flags;
	for (; RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
		if (a->rta_type != IFLA_IFNAME)
			continue;
		size_t n = RTA_PAYLOAD(a);
		const char *s = RTA_DATA(a);
		size_t l = strnlen(s, n);
		if (l == 0 || l >= sizeof(out->name))
			return -1;
		memcpy(out->name, s, l);
	}
	return out->ifindex > 0 ? 1 : -1;
}

int sw_nl_parse_addr4(const void *msg, size_t len, struct sw_addr4 *out)
{
	const struct nlmsghdr *h = msg;
	int alen;
	if (len < NLMSG_HDRLEN || h->nlmsg_type != RTM_NEWADDR)
		return 0;
	const struct rtattr *a = first_attr(msg, len, sizeof(struct ifaddrmsg), &alen);
	if (!a)
		return -1;
	const struct ifaddrmsg *ifa = NLMSG_DATA(h);
	if (ifa->ifa_family != AF_INET)
		return 0;
	memset(out, 0, sizeof(*out));
	out->ifindex = (int)ifa->ifa_index;
	out->prefixlen = ifa->ifa_prefixlen;
	out->scope = ifa->ifa_scope;
	bool have = false;
	for (; RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
		/* IFA_LOCAL is our address on point-to-point links, where
		 * IFA_ADDRESS is the peer's; elsewhere they are the same. */
		if ((a->rta_type == IFA_LOCAL || (a->rta_type == IFA_ADDRESS && !have)) &&
		    RTA_PAYLOAD(a) >= sizeof(out->addr)) {
			memcpy(&out->addr, RTA_DATA(a), sizeof(out->addr));
			have = true;
		}
	}
	return have && out->prefixlen <= 32 ? 1 : -1;
}

static void route_attr(const struct rtattr *a, struct sw_rt *out)
{
	uint32_t v;
	switch (a->rta_type) {
	case RTA_TABLE:
		if (attr_u32(a, &v))
			out->table = v;
		break;
	case RTA_PRIORITY:
		if (attr_u32(a, &v))
			out->metric = v;
		break;
	case RTA_OIF:
		if (attr_u32(a, &v))
			out->oif = (int)v;
		break;
	case RTA_GATEWAY:
		if (RTA_PAYLOAD(a) >= sizeof(out->gw)) {
			memcpy(&out->gw, RTA_DATA(a), sizeof(out->gw));
			out->has_gw = true;
		}
		break;
	}
}

int sw_nl_parse_route4(const void *msg, size_t len, struct sw_rt *out)
{
	const struct nlmsghdr *h = msg;
	int alen;
	if (len < NLMSG_HDRLEN || h->nlmsg_type != RTM_NEWROUTE)
		return 0;
	const struct rtattr *a = first_attr(msg, len, sizeof(struct rtmsg), &alen);
	if (!a)
		return -1;
	const struct rtmsg *rt = NLMSG_DATA(h);
	if (rt->rtm_family != AF_INET)
		return 0;
	if (rt->rtm_dst_len > 32)
		return -1;
	memset(out, 0, offsetof(struct sw_rt, raw));
	out->table = rt->rtm_table;
	out->protocol = rt->rtm_protocol;
	out->type = rt->rtm_type;
	out->scope = rt->rtm_scope;
	out->dst_len = rt->rtm_dst_len;
	out->tos = rt->rtm_tos;
	for (; RTA_OK(a, alen); a = RTA_NEXT(a, alen))
		route_attr(a, out);
	out->raw_len = h->nlmsg_len <= sizeof(out->raw) ? h->nlmsg_len : 0;
	memcpy(out->raw, msg, out->raw_len);
	return 1;
}

int sw_nl_walk(const void *buf, size_t len, uint32_t seq,
	       void (*cb)(void *arg, const void *msg, size_t len), void *arg)
{
	const char *p = buf;
	while (len >= NLMSG_HDRLEN) {
		const struct nlmsghdr *h = (const struct nlmsghdr *)p;
		if (h->nlmsg_len < NLMSG_HDRLEN || h->nlmsg_len > len)
			return -EBADMSG;
		if (h->nlmsg_seq == seq) {
			if (h->nlmsg_type == NLMSG_DONE)
				return 1;
			if (h->nlmsg_type == NLMSG_ERROR) {
				if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr)))
					return -EBADMSG;
				const struct nlmsgerr *e = NLMSG_DATA(h);
				return e->error == 0 ? 1 : e->error < 0 ? e->error : -EBADMSG;
			}
			if (cb)
				cb(arg, h, h->nlmsg_len);
		}
		size_t step = NLMSG_ALIGN(h->nlmsg_len);
		if (step >= len)
			break;
		p += step;
		len -= step;
	}
	return 0;
}

/* --- requests ---------------------------------------------------------- */

static unsigned char rx[RX_BUF] __attribute__((aligned(4)));

static int nl_open(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	struct timeval tv = { TIMEOUT_S, 0 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

/* Sends req and reads until the ACK / NLMSG_DONE of its sequence number. */
static int nl_transact(struct nlmsghdr *req, void (*cb)(void *, const void *, size_t), void *arg)
{
	static uint32_t seq;
	int fd = nl_open();
	if (fd < 0)
		return fd;
	req->nlmsg_seq = ++seq ? seq : ++seq;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int rc = 0;
	if (sendto(fd, req, req->nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		rc = -errno;
	while (rc == 0) {
		ssize_t n = recv(fd, rx, sizeof(rx), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			break;
		}
		rc = sw_nl_walk(rx, (size_t)n, req->nlmsg_seq, cb, arg);
	}
	close(fd);
	return rc == 1 ? 0 : rc;
}

static void add_attr(struct nlmsghdr *h, size_t cap, unsigned short type, const void *d,
		     size_t n)
{
	struct rtattr *a = (struct rtattr *)((char *)h + NLMSG_ALIGN(h->nlmsg_len));
	size_t need = NLMSG_ALIGN(h->nlmsg_len) + RTA_LENGTH(n);
	if (need > cap)
		return;     /* our requests are sized for their attributes */
	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(n);
	memcpy(RTA_DATA(a), d, n);
	h->nlmsg_len = (uint32_t)NLMSG_ALIGN(h->nlmsg_len) + RTA_ALIGN(a->rta_len);
}

struct collect {
	void *out;
	size_t max, n, size;
	int (*parse)(const void *, size_t, void *);
	int only_ifindex;
};

static void collect_cb(void *arg, const void *msg, size_t len)
{
	struct collect *c = arg;
	if (c->n >= c->max)
		return;
	void *slot = (char *)c->out + c->n * c->size;
	if (c->parse(msg, len, slot) == 1)
		c->n++;
}

static int parse_link_v(const void *m, size_t l, void *o) { return sw_nl_parse_link(m, l, o); }
static int parse_addr_v(const void *m, size_t l, void *o) { return sw_nl_parse_addr4(m, l, o); }

/* Default routes only: what starwatch looks at. */
static int parse_default_v(const void *m, size_t l, void *o)
{
	int r = sw_nl_parse_route4(m, l, o);
	return r == 1 && ((struct sw_rt *)o)->dst_len == 0 ? 1 : 0;
}

int sw_nl_get_link(const char *name, struct sw_link *out)
{
	struct {
		struct nlmsghdr h;
		struct ifinfomsg i;
		char attrs[64];
	} req = { .h = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
			 .nlmsg_type = RTM_GETLINK,
			 .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK },
		  .i = { .ifi_family = AF_UNSPEC } };
	if (strlen(name) >= IFNAMSIZ)
		return -EINVAL;
	add_attr(&req.h, sizeof(req), IFLA_IFNAME, name, strlen(name) + 1);
	struct collect c = { out, 1, 0, sizeof(*out), parse_link_v, 0 };
	int rc = nl_transact(&req.h, collect_cb, &c);
	return rc < 0 ? rc : c.n == 1 ? 0 : -ENODEV;
}

static int dump(int type, size_t hdr, int family, struct collect *c)
{
	struct {
		struct nlmsghdr h;
		char body[64];
	} req = { .h = { .nlmsg_len = (uint32_t)NLMSG_LENGTH(hdr), .nlmsg_type = (uint16_t)type,
			 .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP } };
	/* Every dump request starts with the family byte. */
	req.body[0] = (char)family;
	int rc = nl_transact(&req.h, collect_cb, c);
	return rc < 0 ? rc : 0;
}

int sw_nl_addrs4(struct sw_addr4 *out, size_t max, size_t *n)
{
	struct collect c = { out, max, 0, sizeof(*out), parse_addr_v, 0 };
	int rc = dump(RTM_GETADDR, sizeof(struct ifaddrmsg), AF_INET, &c);
	*n = c.n;
	return rc;
}

int sw_nl_routes4(struct sw_rt *out, size_t max, size_t *n)
{
	struct collect c = { out, max, 0, sizeof(*out), parse_default_v, 0 };
	int rc = dump(RTM_GETROUTE, sizeof(struct rtmsg), AF_INET, &c);
	*n = c.n;
	return rc;
}

static int default_route(int type, unsigned flags, int oif, const struct in_addr *gw)
{
	struct {
		struct nlmsghdr h;
		struct rtmsg r;
		char attrs[64];
	} req = { .h = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg)), .nlmsg_type = (uint16_t)type,
			 .nlmsg_flags = (uint16_t)(NLM_F_REQUEST | NLM_F_ACK | flags) },
		  .r = { .rtm_family = AF_INET, .rtm_table = RT_TABLE_MAIN,
			 .rtm_protocol = SW_RTPROT, .rtm_type = RTN_UNICAST,
			 .rtm_scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK } };
	uint32_t metric = 0, table = RT_TABLE_MAIN;
	add_attr(&req.h, sizeof(req), RTA_TABLE, &table, sizeof(table));
	add_attr(&req.h, sizeof(req), RTA_PRIORITY, &metric, sizeof(metric));
	if (type == RTM_NEWROUTE) {
		uint32_t o = (uint32_t)oif;
		add_attr(&req.h, sizeof(req), RTA_OIF, &o, sizeof(o));
		if (gw)
			add_attr(&req.h, sizeof(req), RTA_GATEWAY, gw, sizeof(*gw));
	} else {
		req.r.rtm_scope = RT_SCOPE_NOWHERE;     /* delete: match any scope */
	}
	return nl_transact(&req.h, NULL, NULL);
}

int sw_nl_default_replace(int oif, const struct in_addr *gw)
{
	return default_route(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, oif, gw);
}

int sw_nl_default_delete(void)
{
	/* The kernel deletes only a route of our protocol (it matches
	 * rtm_protocol when it is given): never someone else's. */
	return default_route(RTM_DELROUTE, 0, 0, NULL);
}

int sw_nl_route_restore(const struct sw_rt *r)
{
	union {
		struct nlmsghdr h;
		unsigned char b[SW_RT_RAW_MAX];
	} req;
	if (!r->raw_len || r->raw_len > sizeof(req))
		return -EINVAL;
	memcpy(req.b, r->raw, r->raw_len);
	req.h.nlmsg_type = RTM_NEWROUTE;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE;
	req.h.nlmsg_pid = 0;
	return nl_transact(&req.h, NULL, NULL);
}

int sw_nl_link_set_up(int ifindex, bool up)
{
	struct {
		struct nlmsghdr h;
		struct ifinfomsg i;
	} req = { .h = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
			 .nlmsg_type = RTM_NEWLINK, .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK },
		  .i = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex, .ifi_change = IFF_UP,
			 .ifi_flags = up ? IFF_UP : 0 } };
	return nl_transact(&req.h, NULL, NULL);
}
