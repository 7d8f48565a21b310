/* route_ct: flush the conntrack entries NATed to a member's address, over
 * ctnetlink (NETLINK_NETFILTER, NFNL_SUBSYS_CTNETLINK) with libmnl.
 *
 * An entry masqueraded out of an uplink has that uplink's address as the
 * destination of its reply tuple, and IPS_SRC_NAT set. After a switch its
 * packets would keep the old source address on the new uplink and die at
 * the ISP (or come back through the old one); deleting the entry makes the
 * next packet take a fresh NAT decision on the new uplink, so the session
 * fails fast (TCP: a reset from the far end) and the application
 * reconnects at once. Entries of other uplinks are left alone, and so are
 * the router's own connections from that address (not NATed).
 *
 * How: a dump filtered by the kernel (CTA_FILTER on the reply tuple's
 * destination, kernel >= 5.9; older kernels ignore the filter) and checked
 * again here, then one delete per match — original tuple plus CTA_ID, so a
 * tuple reused meanwhile is not hit — packed into as few sendmsg calls as
 * fit, acks read back. The flush-with-filter shortcut of newer kernels is
 * not used: it cannot tell how many entries it removed.
 *
 * With flow marking (route_flows.c) a member's flows are also the entries
 * carrying its mark (a LAN flow that is not NATed, e.g. routed IPv6): one
 * more dump, filtered by the kernel on the mark, adds those.
 *
 * IPv6 is dumped unfiltered and filtered here only: the kernel's IPv6
 * address filter is inverted (ctnetlink_filter_match_tuple tests
 * `!ipv6_addr_cmp()`, which rejects *equal* addresses; seen on 6.18: a
 * filtered dump returned none of three matching entries). */
#include "route/route_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

/* The kernel's nf_internals.h: bit of CTA_IP_DST in CTA_FILTER_*_FLAGS. */
#define ROUTE_CT_FILTER_IP_DST  (1u << 1)
#define ROUTE_CT_MAX_DELETES    65536   /* per address and flush */

static struct nlmsghdr *ct_header(void *buf, uint8_t msg, uint16_t flags, int family,
				  uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | msg;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	struct nfgenmsg *nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = (uint8_t)family;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	return nlh;
}

struct nlmsghdr *route_ct_msg_dump(void *buf, int family, const union route_ip *addr,
				   uint32_t seq)
{
	struct nlmsghdr *nlh = ct_header(buf, IPCTNL_MSG_CT_GET, NLM_F_DUMP, family, seq);
	if (!addr || family != AF_INET)
		return nlh;
	struct nlattr *tuple = mnl_attr_nest_start(nlh, CTA_TUPLE_REPLY);
	struct nlattr *ip = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	mnl_attr_put(nlh, family == AF_INET6 ? CTA_IP_V6_DST : CTA_IP_V4_DST,
		     route_ip_len(family), addr);
	mnl_attr_nest_end(nlh, ip);
	mnl_attr_nest_end(nlh, tuple);
	struct nlattr *filter = mnl_attr_nest_start(nlh, CTA_FILTER);
	mnl_attr_put_u32(nlh, CTA_FILTER_ORIG_FLAGS, 0);
	mnl_attr_put_u32(nlh, CTA_FILTER_REPLY_FLAGS, ROUTE_CT_FILTER_IP_DST);
	mnl_attr_nest_end(nlh, filter);
	return nlh;
}

struct nlmsghdr *route_ct_msg_dump_mark(void *buf, uint32_t mark, uint32_t mask, uint32_t seq)
{
	struct nlmsghdr *nlh = ct_header(buf, IPCTNL_MSG_CT_GET, NLM_F_DUMP, AF_UNSPEC, seq);
	if (!mark)
		return nlh;
	mnl_attr_put_u32(nlh, CTA_MARK, htonl(mark));
	mnl_attr_put_u32(nlh, CTA_MARK_MASK, htonl(mask));
	return nlh;
}

/* Nested attributes of a into tb[0..max]; -1 if malformed. */
static int nest_parse(const struct nlattr *a, const struct nlattr **tb, uint16_t max)
{
	memset(tb, 0, ((size_t)max + 1) * sizeof(*tb));
	const char *p = mnl_attr_get_payload(a);
	const char *end = p + mnl_attr_get_payload_len(a);
	while (p < end && mnl_attr_ok((const struct nlattr *)p, (int)(end - p))) {
		const struct nlattr *x = (const struct nlattr *)p;
		if (mnl_attr_get_type(x) <= max)
			tb[mnl_attr_get_type(x)] = x;
		p += NLMSG_ALIGN(x->nla_len);
	}
	return p < end ? -1 : 0;
}

static int top_parse(const struct nlmsghdr *nlh, const struct nlattr **tb)
{
	if (nlh->nlmsg_len < NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct nfgenmsg)))
		return -1;
	memset(tb, 0, (CTA_MAX + 1) * sizeof(*tb));
	const char *p = (const char *)nlh + NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct nfgenmsg));
	const char *end = (const char *)nlh + nlh->nlmsg_len;
	while (p < end && mnl_attr_ok((const struct nlattr *)p, (int)(end - p))) {
		const struct nlattr *x = (const struct nlattr *)p;
		if (mnl_attr_get_type(x) <= CTA_MAX)
			tb[mnl_attr_get_type(x)] = x;
		p += NLMSG_ALIGN(x->nla_len);
	}
	return p < end ? -1 : 0;
}

/* The reply tuple's destination, if it has one of our families. 0 or -1
 * when malformed. */
static int reply_dst(const struct nlattr *tuple, struct route_ct_entry *e)
{
	const struct nlattr *tt[CTA_TUPLE_MAX + 1], *ti[CTA_IP_MAX + 1];
	if (nest_parse(tuple, tt, CTA_TUPLE_MAX) < 0 || !tt[CTA_TUPLE_IP] ||
	    nest_parse(tt[CTA_TUPLE_IP], ti, CTA_IP_MAX) < 0)
		return -1;
	const struct nlattr *dst = ti[e->family == AF_INET6 ? CTA_IP_V6_DST : CTA_IP_V4_DST];
	if (!dst)
		return 0;       /* an entry of the other family */
	if (mnl_attr_get_payload_len(dst) != route_ip_len(e->family))
		return -1;
	memcpy(&e->reply_dst, mnl_attr_get_payload(dst), route_ip_len(e->family));
	e->has_reply_dst = true;
	return 0;
}

int route_ct_entry_parse(const struct nlmsghdr *nlh, struct route_ct_entry *e)
{
	const struct nlattr *tb[CTA_MAX + 1];
	memset(e, 0, sizeof(*e));
	if (nlh->nlmsg_type != ((NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW))
		return 1;
	if (top_parse(nlh, tb) < 0 || !tb[CTA_TUPLE_ORIG] || !tb[CTA_TUPLE_REPLY])
		return -1;
	const struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);
	e->family = nfg->nfgen_family;
	if (e->family != AF_INET && e->family != AF_INET6)
		return 1;
	if (reply_dst(tb[CTA_TUPLE_REPLY], e) < 0)
		return -1;
	if (tb[CTA_STATUS] && mnl_attr_get_payload_len(tb[CTA_STATUS]) == 4)
		e->status = ntohl(mnl_attr_get_u32(tb[CTA_STATUS]));
	e->tcp_state = -1;
	if (tb[CTA_PROTOINFO]) {
		const struct nlattr *pi[CTA_PROTOINFO_MAX + 1], *tcp[CTA_PROTOINFO_TCP_MAX + 1];
		if (nest_parse(tb[CTA_PROTOINFO], pi, CTA_PROTOINFO_MAX) < 0)
			return -1;
		if (pi[CTA_PROTOINFO_TCP] &&
		    nest_parse(pi[CTA_PROTOINFO_TCP], tcp, CTA_PROTOINFO_TCP_MAX) == 0 &&
		    tcp[CTA_PROTOINFO_TCP_STATE] &&
		    mnl_attr_get_payload_len(tcp[CTA_PROTOINFO_TCP_STATE]) == 1)
			e->tcp_state = mnl_attr_get_u8(tcp[CTA_PROTOINFO_TCP_STATE]);
	}
	if (tb[CTA_MARK] && mnl_attr_get_payload_len(tb[CTA_MARK]) == 4) {
		e->mark = ntohl(mnl_attr_get_u32(tb[CTA_MARK]));
		e->has_mark = true;
	}
	if (mnl_attr_get_payload_len(tb[CTA_TUPLE_ORIG]) > ROUTE_MSG_MAX - 64)
		return -1;
	e->orig = tb[CTA_TUPLE_ORIG];
	e->id = tb[CTA_ID];
	e->zone = tb[CTA_ZONE];
	return 0;
}

bool route_ct_closed(const struct route_ct_entry *e)
{
	return e->tcp_state == TCP_CONNTRACK_TIME_WAIT || e->tcp_state == TCP_CONNTRACK_CLOSE;
}

bool route_ct_natted_to(const struct route_ct_entry *e, int family, const union route_ip *addr)
{
	return e->family == family && e->has_reply_dst && (e->status & IPS_SRC_NAT) &&
	       memcmp(&e->reply_dst, addr, route_ip_len(family)) == 0;
}

/* Appends attribute a unchanged (type flags such as NLA_F_NESTED too). */
static void put_raw_attr(struct nlmsghdr *nlh, const struct nlattr *a)
{
	memcpy((char *)nlh + NLMSG_ALIGN(nlh->nlmsg_len), a, a->nla_len);
	nlh->nlmsg_len = NLMSG_ALIGN(nlh->nlmsg_len) + NLMSG_ALIGN(a->nla_len);
}

void route_ct_msg_delete(void *buf, const struct route_ct_entry *e, uint32_t seq)
{
	struct nlmsghdr *d = ct_header(buf, IPCTNL_MSG_CT_DELETE, NLM_F_ACK, e->family, seq);
	put_raw_attr(d, e->orig);
	if (e->id)
		put_raw_attr(d, e->id);
	if (e->zone)
		put_raw_attr(d, e->zone);
}

int route_ct_match(const struct nlmsghdr *nlh, int family, const union route_ip *addr,
		   void *del, uint32_t seq)
{
	struct route_ct_entry e;
	int rc = route_ct_entry_parse(nlh, &e);
	if (rc != 0)
		return rc > 0 ? 0 : -1;
	if (!route_ct_natted_to(&e, family, addr))
		return 0;       /* another uplink's, the router's own (not NATed) */
	if (del)
		route_ct_msg_delete(del, &e, seq);
	return 1;
}

/* ---- probe --------------------------------------------------------------- */

static int on_stats(const struct nlmsghdr *nlh, void *arg)
{
	long *entries = arg;
	const struct nlattr *tb[CTA_STATS_GLOBAL_MAX + 1] = { 0 };
	const char *p = (const char *)nlh + NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct nfgenmsg));
	const char *end = (const char *)nlh + nlh->nlmsg_len;
	while (p < end && mnl_attr_ok((const struct nlattr *)p, (int)(end - p))) {
		const struct nlattr *x = (const struct nlattr *)p;
		if (mnl_attr_get_type(x) <= CTA_STATS_GLOBAL_MAX)
			tb[mnl_attr_get_type(x)] = x;
		p += NLMSG_ALIGN(x->nla_len);
	}
	const struct nlattr *e = tb[CTA_STATS_GLOBAL_ENTRIES];
	if (e && mnl_attr_get_payload_len(e) == 4)
		*entries = (long)ntohl(mnl_attr_get_u32(e));
	return 0;
}

void route_ct_probe(struct route_ct_stats *st)
{
	struct route_nl n;
	char buf[128] __attribute__((aligned(8)));
	st->probed = true;
	st->available = false;
	st->entries = -1;
	if (route_nl_open(&n, NETLINK_NETFILTER) < 0) {
		snprintf(st->error, sizeof(st->error), "no nfnetlink socket: %s", strerror(errno));
		return;
	}
	struct nlmsghdr *req = ct_header(buf, IPCTNL_MSG_CT_GET_STATS, NLM_F_ACK, AF_UNSPEC, 0);
	if (route_nl_dump(&n, req, on_stats, &st->entries, ROUTE_NL_TIMEOUT_MS) < 0) {
		snprintf(st->error, sizeof(st->error), "ctnetlink unavailable: %s%s", strerror(errno),
			 errno == EOPNOTSUPP ? " (kernel without nf_conntrack_netlink?)" : "");
	} else {
		st->available = true;
		st->error[0] = '\0';
	}
	route_nl_close(&n);
}

/* ---- flush ----------------------------------------------------------------- */

/* Delete requests collected during a dump, sent after it. */
struct dels {
	char *buf;
	size_t len, cap;
	size_t count;
};

/* One dump: entries NATed to addr, or (addr NULL) entries carrying the
 * member's flow mark that no address dump of it matched. */
struct ct_dump {
	int family;
	const union route_ip *addr;
	const struct route_member *m;
	uint32_t mark, mask;
	bool dry_run;
	int matched, live, bad;         /* live: not a TCP connection that is over */
	struct dels *dels;
};

static int dels_reserve(struct dels *d)
{
	if (d->cap - d->len >= ROUTE_MSG_MAX)
		return 0;
	size_t cap = d->cap ? d->cap * 2 : 16 * 1024;
	char *b = realloc(d->buf, cap);
	if (!b)
		return -1;
	d->buf = b;
	d->cap = cap;
	return 0;
}

static bool natted_to_member(const struct route_ct_entry *e, const struct route_member *m)
{
	for (size_t i = 0; i < m->n_src; i++)
		if (route_ct_natted_to(e, m->src[i].family, &m->src[i].ip))
			return true;
	return false;
}

static bool dump_matches(const struct ct_dump *c, const struct route_ct_entry *e)
{
	if (c->addr)
		return route_ct_natted_to(e, c->family, c->addr);
	return e->has_mark && (e->mark & c->mask) == c->mark && !natted_to_member(e, c->m);
}

static int on_entry(const struct nlmsghdr *nlh, void *arg)
{
	struct ct_dump *c = arg;
	struct route_ct_entry e;
	bool keep = !c->dry_run && c->dels->count < ROUTE_CT_MAX_DELETES;
	if (keep && dels_reserve(c->dels) < 0)
		return -1;
	void *del = keep ? c->dels->buf + c->dels->len : NULL;
	int rc = route_ct_entry_parse(nlh, &e);
	if (rc < 0) {
		c->bad++;
		return 0;
	}
	if (rc > 0 || !dump_matches(c, &e))
		return 0;
	if (del)
		route_ct_msg_delete(del, &e, 0);
	c->matched++;
	c->live += !route_ct_closed(&e);
	if (del) {
		c->dels->len += NLMSG_ALIGN(((struct nlmsghdr *)del)->nlmsg_len);
		c->dels->count++;
	}
	return 0;
}

/* One address (or the mark): filtered dump; a kernel that rejects the
 * filter gets an unfiltered one (every entry is checked here anyway). */
static int ct_dump_addr(struct route_nl *n, struct ct_dump *c)
{
	char buf[ROUTE_MSG_MAX] __attribute__((aligned(8)));
	size_t mark = c->dels->len, count = c->dels->count;
	for (int filtered = 1; filtered >= 0; filtered--) {
		for (int tries = 0; tries < 3; tries++) {
			c->matched = c->live = 0;
			c->dels->len = mark;
			c->dels->count = count;
			struct nlmsghdr *req = c->addr ?
				route_ct_msg_dump(buf, c->family, filtered ? c->addr : NULL, 0) :
				route_ct_msg_dump_mark(buf, filtered ? c->mark : 0, c->mask, 0);
			if (route_nl_dump(n, req, on_entry, c, ROUTE_NL_TIMEOUT_MS) == 0)
				return 0;
			if (errno != EINTR)
				break;
		}
		if (errno != EINVAL && errno != EOPNOTSUPP)
			return -1;
	}
	return -1;
}

struct del_ack {
	int deleted, failed, first_err;
};

static void on_del_ack(void *arg, size_t idx, int err, const char *extack)
{
	struct del_ack *a = arg;
	if (err == 0)
		a->deleted++;
	else if (err != -ENOENT) {     /* gone meanwhile: fine */
		a->failed++;
		if (!a->first_err)
			a->first_err = -err;
	}
}

/* Sends the collected deletes in chunks that fit one sendmsg each. */
static int ct_send_dels(struct route_nl *n, struct dels *d, struct del_ack *a)
{
	size_t off = 0;
	while (off < d->len) {
		size_t start = off, count = 0;
		uint32_t seq = n->seq + 1;
		/* Every ack is an skb of its own, all queued before we read:
		 * keep a chunk's acks well within the receive buffer. */
		while (off < d->len && count < ROUTE_BATCH_MAX_MSGS) {
			struct nlmsghdr *nlh = (struct nlmsghdr *)(d->buf + off);
			nlh->nlmsg_seq = seq + (uint32_t)count++;
			off += NLMSG_ALIGN(nlh->nlmsg_len);
		}
		n->seq += (uint32_t)count;
		if (route_nl_transact(n, d->buf + start, off - start, seq, count, on_del_ack, a,
				      ROUTE_NL_TIMEOUT_MS) < 0)
			return -1;
	}
	return 0;
}

static int ct_flush_open(struct route_nl *n, struct route_ct_stats *st)
{
	if (route_nl_open(n, NETLINK_NETFILTER) == 0)
		return 0;
	st->available = false;
	snprintf(st->error, sizeof(st->error), "no nfnetlink socket: %s", strerror(errno));
	errno = EOPNOTSUPP;
	return -1;
}

int route_ct_flush(const struct route_member *m, uint32_t mask, bool dry_run, int *matched,
		   int *live, int *deleted, struct route_ct_stats *st)
{
	struct route_nl n;
	struct dels d = { 0 };
	struct del_ack a = { 0 };
	int rc = 0;
	*matched = *live = *deleted = 0;
	if (ct_flush_open(&n, st) < 0)
		return -1;
	for (size_t i = 0; rc == 0 && i < m->n_src; i++) {
		const struct route_addr *s = &m->src[i];
		if (s->family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(&s->ip.v6))
			continue;
		struct ct_dump c = { .family = s->family, .addr = &s->ip, .dry_run = dry_run,
				     .dels = &d };
		rc = ct_dump_addr(&n, &c);
		*matched += c.matched;
		*live += c.live;
	}
	if (rc == 0 && m->fwmark && mask) {
		struct ct_dump c = { .family = AF_UNSPEC, .m = m, .mark = m->fwmark & mask,
				     .mask = mask, .dry_run = dry_run, .dels = &d };
		rc = ct_dump_addr(&n, &c);
		*matched += c.matched;
		*live += c.live;
	}
	if (rc == 0 && !dry_run)
		rc = ct_send_dels(&n, &d, &a);
	*deleted = a.deleted;
	if (rc < 0) {
		snprintf(st->error, sizeof(st->error), "conntrack flush: %s", strerror(errno));
		if (errno == EOPNOTSUPP)
			st->available = false;
	} else if (a.failed) {
		snprintf(st->error, sizeof(st->error), "conntrack delete refused for %d entries: %s",
			 a.failed, strerror(a.first_err));
		errno = a.first_err;
		rc = -1;
	}
	int e = errno;
	free(d.buf);
	route_nl_close(&n);
	errno = e;
	return rc;
}
