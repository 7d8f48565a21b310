/* linkmon: link and address state from rtnetlink (see linkmon.h).
 *
 * Two netlink sockets. "ev" is subscribed to the link and address groups and
 * only ever carries multicast events; "dump" only carries the replies to our
 * own dump requests. Keeping them apart means a dump reply is never taken for
 * an event (or the reverse), and the dump socket never sees ENOBUFS.
 *
 * Resync. After ENOBUFS the kernel has dropped events we will never see, so
 * the table may be wrong. We stop reading the event socket (the kernel keeps
 * queueing new events on it), dump links and then addresses into a shadow
 * table on the dump socket, apply the differences to the live table as
 * events, and resume the event socket: the events queued meanwhile are
 * applied on top, so the table converges on the kernel's state. Start-up
 * uses the same path (subscribe first, then dump), silently and
 * synchronously with a deadline. */
#include "link/linkmon.h"

#include "core/clock.h"
#include "core/log.h"
#include "core/nlwalk.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/event.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#define LINKMON_RCVBUF_DEFAULT  (2 * 1024 * 1024)
/* The kernel sizes dump skbs after our recv size, capped near 32 KiB; a
 * single event carrying many VFs can be larger. 64 KiB covers both. */
#define LINKMON_RECV_SIZE       (64 * 1024)
#define LINKMON_READ_BUDGET     4096    /* recv()s per wake-up: fairness guard */
#define DUMP_STARTUP_MS         3000
#define DUMP_TIMEOUT_S          5
#define DUMP_RETRY_S            1
#define DUMP_INTR_RESTARTS      3       /* then wait DUMP_RETRY_S between tries */

/* Address flags that change what a consumer can do with the address; other
 * flag changes (and lifetime refreshes on every IPv6 RA) are not events. */
#define ADDR_FLAGS_TRACKED      (IFA_F_TENTATIVE | IFA_F_DADFAILED | IFA_F_DEPRECATED)

struct ltable {
	struct link_info *v;    /* sorted by ifindex */
	size_t n, cap;
};

enum dump_state { DUMP_IDLE, DUMP_LINKS, DUMP_ADDRS, DUMP_MANUAL };

struct linkmon {
	linkmon_cb cb;
	void *arg;
	struct ltable tab;      /* live table: what callers see */
	struct ltable shadow;   /* filled by a dump, then diffed into tab */
	struct linkmon_stats stats;
	bool ready;             /* initial table loaded: changes are events now */
	bool resync_wanted;

	/* Sockets and events; all NULL for a detached linkmon. */
	struct event_base *base;
	struct mnl_socket *ev_nl, *dump_nl;
	struct event *ev_read, *dump_read, *dump_timer;
	enum dump_state dump;
	bool dump_intr;         /* NLM_F_DUMP_INTR seen: the dump is unreliable */
	bool dump_failed;       /* error reply or recv error: retry later */
	unsigned int dump_restarts; /* interrupted dumps redone at once */
	uint32_t dump_seq;
	unsigned int dump_portid;
	uint8_t *buf;           /* LINKMON_RECV_SIZE bytes, for recv() */
};

/* What a link message says; absent attributes leave the known value. */
struct link_msg {
	int ifindex;
	unsigned int flags;
	const char *name;
	bool has_mtu, has_oper;
	uint32_t mtu;
	uint8_t operstate;
};

struct addr_msg {
	int ifindex;
	struct link_addr a;
};

/* ---- table ------------------------------------------------------------ */

/* Index of the first entry with ifindex >= key. */
static size_t tab_lower(const struct ltable *t, int key)
{
	size_t lo = 0, hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->v[mid].ifindex < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct link_info *tab_get(const struct ltable *t, int ifindex)
{
	size_t i = tab_lower(t, ifindex);
	return i < t->n && t->v[i].ifindex == ifindex ? &t->v[i] : NULL;
}

static struct link_info *tab_insert(struct ltable *t, const struct link_info *li)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct link_info *v = realloc(t->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		t->v = v;
		t->cap = cap;
	}
	size_t i = tab_lower(t, li->ifindex);
	memmove(&t->v[i + 1], &t->v[i], (t->n - i) * sizeof(*t->v));
	t->v[i] = *li;
	t->n++;
	return &t->v[i];
}

static void tab_remove(struct ltable *t, struct link_info *li)
{
	size_t i = (size_t)(li - t->v);
	memmove(&t->v[i], &t->v[i + 1], (t->n - i - 1) * sizeof(*t->v));
	t->n--;
}

static void tab_free(struct ltable *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}

/* ---- events ----------------------------------------------------------- */

/* Only the live table produces events, and only once the initial state is
 * loaded: the shadow table of a dump is private. */
static void emit(struct linkmon *lm, const struct ltable *t, enum linkmon_event ev,
		 const struct link_info *old, const struct link_info *cur)
{
	if (t != &lm->tab || !lm->ready || !lm->cb)
		return;
	lm->cb(lm->arg, ev, old, cur);
}

const char *linkmon_event_name(enum linkmon_event ev)
{
	switch (ev) {
	case LINKMON_NEW: return "NEW";
	case LINKMON_DEL: return "DEL";
	case LINKMON_CHANGE: return "CHANGE";
	case LINKMON_ADDR: return "ADDR";
	}
	return "?";
}

/* ---- link state --------------------------------------------------------- */

/* IFF_LOWER_UP is only reported while the device is admin-up, so carrier
 * implies admin_up. IF_OPER_UNKNOWN is what drivers without operstate
 * support (loopback, tun, many Wi-Fi/modem drivers) report: trust carrier. */
static void link_derive(struct link_info *li)
{
	li->admin_up = (li->flags & IFF_UP) != 0;
	li->carrier = (li->flags & IFF_LOWER_UP) != 0;
	li->oper_up = li->admin_up && (li->operstate == IF_OPER_UP ||
		(li->operstate == IF_OPER_UNKNOWN && li->carrier));
}

static bool link_state_differs(const struct link_info *a, const struct link_info *b)
{
	return a->flags != b->flags || a->operstate != b->operstate || a->mtu != b->mtu;
}

static void link_copy_state(struct link_info *dst, const struct link_info *src)
{
	dst->flags = src->flags;
	dst->operstate = src->operstate;
	dst->mtu = src->mtu;
	link_derive(dst);
}

/* A rename keeps the ifindex; consumers key on names (config names
 * devices), so it is the old name going away and a new one appearing. */
static void link_rename(struct linkmon *lm, struct ltable *t, struct link_info *li,
			const struct link_info *nw)
{
	struct link_info old = *li;
	*li = *nw;
	li->changed_us = clock_mono_us();
	emit(lm, t, LINKMON_DEL, &old, &old);
	emit(lm, t, LINKMON_NEW, NULL, li);
}

/* Applies a link's new state to t: NEW, rename (DEL+NEW) or CHANGE. For a
 * known device with the same name the addresses are left alone (callers
 * handle them separately); a new or renamed entry takes nw whole. */
static int link_upsert(struct linkmon *lm, struct ltable *t, const struct link_info *nw)
{
	struct link_info *li = tab_get(t, nw->ifindex);
	if (!li) {
		li = tab_insert(t, nw);
		if (!li)
			return -1;
		li->changed_us = clock_mono_us();
		emit(lm, t, LINKMON_NEW, NULL, li);
		return 0;
	}
	if (strcmp(li->name, nw->name) != 0) {
		link_rename(lm, t, li, nw);
		return 0;
	}
	/* Nothing we track changed: the common case for Wi-Fi's IFLA_WIRELESS
	 * messages and stats-only updates, and no event. */
	if (!link_state_differs(li, nw))
		return 0;
	struct link_info old = *li;
	link_copy_state(li, nw);
	li->changed_us = clock_mono_us();
	emit(lm, t, LINKMON_CHANGE, &old, li);
	return 0;
}

static void link_delete(struct linkmon *lm, struct ltable *t, struct link_info *li)
{
	struct link_info old = *li;
	tab_remove(t, li);
	emit(lm, t, LINKMON_DEL, &old, &old);
}

/* ---- addresses ------------------------------------------------------------ */

static size_t addr_len(int family)
{
	return family == AF_INET ? sizeof(struct in_addr) : sizeof(struct in6_addr);
}

/* The kernel's identity of an address: family, address, prefix length. */
static bool addr_same(const struct link_addr *a, const struct link_addr *b)
{
	return a->family == b->family && a->prefixlen == b->prefixlen &&
	       memcmp(&a->addr, &b->addr, addr_len(a->family)) == 0;
}

/* Same address and nothing a consumer cares about differs. */
static bool addr_equal(const struct link_addr *a, const struct link_addr *b)
{
	return addr_same(a, b) && a->scope == b->scope &&
	       ((a->flags ^ b->flags) & ADDR_FLAGS_TRACKED) == 0;
}

static int addr_find(const struct link_info *li, const struct link_addr *a)
{
	for (int i = 0; i < li->n_addrs; i++)
		if (addr_same(&li->addrs[i], a))
			return i;
	return -1;
}

/* Lower is more useful as a source address: global before site, link and
 * host scope; usable before tentative, deprecated or failed. */
static int addr_rank(const struct link_addr *a)
{
	return a->scope + ((a->flags & ADDR_FLAGS_TRACKED) ? 256 : 0);
}

/* Slot for a new address on a full entry (the least useful one, if the new
 * address is more useful), or -1 to drop the new one. */
static int addr_evict_slot(const struct link_info *li, const struct link_addr *a)
{
	int worst = 0;
	for (int i = 1; i < li->n_addrs; i++)
		if (addr_rank(&li->addrs[i]) > addr_rank(&li->addrs[worst]))
			worst = i;
	return addr_rank(a) < addr_rank(&li->addrs[worst]) ? worst : -1;
}

/* Stores a into li; false if nothing a consumer could see changed. */
static bool addr_store(struct linkmon *lm, struct link_info *li, const struct link_addr *a)
{
	int i = addr_find(li, a);
	if (i >= 0) {
		bool same = addr_equal(&li->addrs[i], a);
		li->addrs[i] = *a;
		return !same;
	}
	if (li->n_addrs < LINKMON_MAX_ADDRS) {
		li->addrs[li->n_addrs++] = *a;
		return true;
	}
	li->addrs_truncated = true;
	lm->stats.addrs_dropped++;
	i = addr_evict_slot(li, a);
	if (i < 0)
		return false;
	li->addrs[i] = *a;
	return true;
}

static void addr_add(struct linkmon *lm, struct ltable *t, struct link_info *li,
		     const struct link_addr *a)
{
	struct link_info old = *li;
	if (!addr_store(lm, li, a))
		return;
	li->changed_us = clock_mono_us();
	emit(lm, t, LINKMON_ADDR, &old, li);
}

static void addr_del(struct linkmon *lm, struct ltable *t, struct link_info *li,
		     const struct link_addr *a)
{
	int i = addr_find(li, a);
	if (i < 0)
		return;
	struct link_info old = *li;
	memmove(&li->addrs[i], &li->addrs[i + 1],
		(size_t)(li->n_addrs - i - 1) * sizeof(li->addrs[0]));
	li->n_addrs--;
	li->changed_us = clock_mono_us();
	emit(lm, t, LINKMON_ADDR, &old, li);
	/* An address we had to drop may fit now; only a dump can tell. */
	if (li->addrs_truncated && t == &lm->tab)
		lm->resync_wanted = true;
}

static bool addrs_equal(const struct link_info *a, const struct link_info *b)
{
	if (a->n_addrs != b->n_addrs)
		return false;
	for (int i = 0; i < a->n_addrs; i++) {
		int j = addr_find(b, &a->addrs[i]);
		if (j < 0 || !addr_equal(&a->addrs[i], &b->addrs[j]))
			return false;
	}
	return true;
}

/* Resync: replace li's addresses with the dumped set, one ADDR event if a
 * consumer could see the difference. */
static void addrs_replace(struct linkmon *lm, struct link_info *li, const struct link_info *src)
{
	bool same = addrs_equal(li, src);
	struct link_info old = *li;
	li->n_addrs = src->n_addrs;
	li->addrs_truncated = src->addrs_truncated;
	memcpy(li->addrs, src->addrs, sizeof(li->addrs));
	if (same)
		return;
	li->changed_us = clock_mono_us();
	emit(lm, &lm->tab, LINKMON_ADDR, &old, li);
}

/* ---- message parsing ---------------------------------------------------- */

/* Indexes the attributes after a fixed header of hdrlen bytes into tb and
 * checks the known ones against policy (mnl_attr_validate: exact length for
 * integers, NUL-terminated strings). The walk is bounded by nlmsg_len, not
 * its aligned value, which may run past the end of a hand-made buffer.
 * Leftover bytes that are not a whole attribute make the message malformed:
 * a truncated message must not be half-applied. */
struct policy_ctx {
	const enum mnl_attr_data_type *policy;
	uint16_t maxtype;
	const struct nlattr **tb;
};

static int attr_check(const struct nlattr *a, void *arg)
{
	struct policy_ctx *c = arg;
	uint16_t type = mnl_attr_get_type(a);
	if (type > c->maxtype)
		return 0;
	if (c->policy[type] != MNL_TYPE_UNSPEC && mnl_attr_validate(a, c->policy[type]) < 0)
		return -1;
	c->tb[type] = a;
	return 0;
}

static int attrs_parse(const struct nlmsghdr *nlh, size_t hdrlen,
		       const enum mnl_attr_data_type *policy, uint16_t maxtype,
		       const struct nlattr **tb)
{
	struct policy_ctx c = { policy, maxtype, tb };
	memset(tb, 0, ((size_t)maxtype + 1) * sizeof(*tb));
	return nlwalk_attrs_msg(nlh, hdrlen, attr_check, &c) == 0 ? 0 : -1;
}

static bool payload_fits(const struct nlmsghdr *nlh, size_t hdrlen)
{
	return nlh->nlmsg_len >= NLMSG_HDRLEN + hdrlen;
}

/* 0: parsed; 1: not for us (ignore); -1: malformed. */
static int parse_link(const struct nlmsghdr *nlh, struct link_msg *m)
{
	static const enum mnl_attr_data_type policy[IFLA_MAX + 1] = {
		[IFLA_IFNAME] = MNL_TYPE_NUL_STRING,
		[IFLA_MTU] = MNL_TYPE_U32,
		[IFLA_OPERSTATE] = MNL_TYPE_U8,
	};
	const struct nlattr *tb[IFLA_MAX + 1];

	if (!payload_fits(nlh, sizeof(struct ifinfomsg)))
		return -1;
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	/* The bridge reports port state as AF_BRIDGE RTM_NEWLINK/DELLINK on
	 * the same group: a port leaving a bridge is an AF_BRIDGE DELLINK, not
	 * the device going away. Only AF_UNSPEC messages describe devices. */
	if (ifi->ifi_family != AF_UNSPEC)
		return 1;
	if (ifi->ifi_index <= 0 || attrs_parse(nlh, sizeof(*ifi), policy, IFLA_MAX, tb) < 0)
		return -1;

	memset(m, 0, sizeof(*m));
	m->ifindex = ifi->ifi_index;
	m->flags = ifi->ifi_flags;
	if (tb[IFLA_IFNAME]) {
		m->name = mnl_attr_get_str(tb[IFLA_IFNAME]);
		size_t len = strnlen(m->name, IF_NAMESIZE);
		if (len == 0 || len >= IF_NAMESIZE)
			return -1;
	}
	if (tb[IFLA_MTU]) {
		m->has_mtu = true;
		m->mtu = mnl_attr_get_u32(tb[IFLA_MTU]);
	}
	if (tb[IFLA_OPERSTATE]) {
		m->has_oper = true;
		m->operstate = mnl_attr_get_u8(tb[IFLA_OPERSTATE]);
	}
	return 0;
}

/* The address itself: IFA_LOCAL when present. For IPv4 point-to-point
 * IFA_ADDRESS is the peer and IFA_LOCAL ours; IPv6 with a peer does the
 * same; otherwise the kernel sends only IFA_ADDRESS (v6) or both equal. */
static int parse_addr_value(const struct nlattr **tb, struct link_addr *a)
{
	const struct nlattr *attr = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!attr || mnl_attr_get_payload_len(attr) != addr_len(a->family))
		return -1;
	memcpy(&a->addr, mnl_attr_get_payload(attr), addr_len(a->family));
	return 0;
}

/* 0: parsed; 1: not for us (ignore); -1: malformed. */
static int parse_addr(const struct nlmsghdr *nlh, struct addr_msg *m)
{
	static const enum mnl_attr_data_type policy[IFA_MAX + 1] = {
		[IFA_ADDRESS] = MNL_TYPE_BINARY,
		[IFA_LOCAL] = MNL_TYPE_BINARY,
		[IFA_FLAGS] = MNL_TYPE_U32,
	};
	const struct nlattr *tb[IFA_MAX + 1];

	if (!payload_fits(nlh, sizeof(struct ifaddrmsg)))
		return -1;
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return 1;
	if (ifa->ifa_index == 0 || ifa->ifa_index > INT32_MAX ||
	    ifa->ifa_prefixlen > 8 * addr_len(ifa->ifa_family) ||
	    attrs_parse(nlh, sizeof(*ifa), policy, IFA_MAX, tb) < 0)
		return -1;

	memset(m, 0, sizeof(*m));
	m->ifindex = (int)ifa->ifa_index;
	m->a.family = ifa->ifa_family;
	m->a.prefixlen = ifa->ifa_prefixlen;
	m->a.scope = ifa->ifa_scope;
	/* ifa_flags is 8 bits; IFA_FLAGS carries all 32 when present. */
	m->a.flags = tb[IFA_FLAGS] ? mnl_attr_get_u32(tb[IFA_FLAGS]) : ifa->ifa_flags;
	return parse_addr_value(tb, &m->a);
}

/* ---- message handlers ---------------------------------------------------- */

static int on_newlink(struct linkmon *lm, struct ltable *t, const struct nlmsghdr *nlh)
{
	struct link_msg m;
	int rc = parse_link(nlh, &m);
	if (rc != 0)
		return rc;

	struct link_info nw;
	const struct link_info *cur = tab_get(t, m.ifindex);
	if (cur) {
		nw = *cur;
	} else {
		/* A device we have never seen must tell us its name. */
		if (!m.name)
			return -1;
		memset(&nw, 0, sizeof(nw));
		nw.ifindex = m.ifindex;
		nw.operstate = IF_OPER_UNKNOWN;
	}
	if (m.name)
		memcpy(nw.name, m.name, strlen(m.name) + 1);
	nw.flags = m.flags;
	if (m.has_mtu)
		nw.mtu = m.mtu;
	if (m.has_oper)
		nw.operstate = m.operstate;
	link_derive(&nw);
	if (link_upsert(lm, t, &nw) < 0) {
		log_err("linkmon: out of memory for link %s", nw.name);
		lm->resync_wanted = true;
	}
	return 0;
}

static int on_dellink(struct linkmon *lm, struct ltable *t, const struct nlmsghdr *nlh)
{
	struct link_msg m;
	int rc = parse_link(nlh, &m);
	if (rc != 0)
		return rc;
	struct link_info *li = tab_get(t, m.ifindex);
	if (li)
		link_delete(lm, t, li);
	return 0;
}

static int on_addr(struct linkmon *lm, struct ltable *t, const struct nlmsghdr *nlh, bool add)
{
	struct addr_msg m;
	int rc = parse_addr(nlh, &m);
	if (rc != 0)
		return rc;
	/* Unknown device: the kernel removes addresses while unregistering,
	 * sometimes after our DELLINK; and a dump may race a device away. */
	struct link_info *li = tab_get(t, m.ifindex);
	if (!li)
		return 0;
	if (add)
		addr_add(lm, t, li, &m.a);
	else
		addr_del(lm, t, li, &m.a);
	return 0;
}

/* One message into table t; counts it. Returns -1 if it was malformed. */
static int handle_msg(struct linkmon *lm, struct ltable *t, const struct nlmsghdr *nlh)
{
	int rc;
	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK: rc = on_newlink(lm, t, nlh); break;
	case RTM_DELLINK: rc = on_dellink(lm, t, nlh); break;
	case RTM_NEWADDR: rc = on_addr(lm, t, nlh, true); break;
	case RTM_DELADDR: rc = on_addr(lm, t, nlh, false); break;
	default: return 0;      /* NOOP, DONE, ERROR, other families' types */
	}
	if (rc < 0) {
		lm->stats.errors++;
		log_debug("linkmon: malformed netlink message type %u len %u",
			  nlh->nlmsg_type, nlh->nlmsg_len);
		return -1;
	}
	if (rc == 0)
		lm->stats.events++;
	return 0;
}

typedef int (*msg_fn)(struct linkmon *lm, const struct nlmsghdr *nlh);

/* Walks a buffer of netlink messages, calling fn on each whole one. A
 * header that claims more than the buffer holds ends the walk (the rest
 * cannot be framed) and counts as an error, like trailing garbage. Returns
 * the number of malformed messages. */
static int walk_msgs(struct linkmon *lm, const uint8_t *p, size_t len, msg_fn fn)
{
	int bad = 0;
	while (len >= NLMSG_HDRLEN) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)p;
		if (nlh->nlmsg_len < NLMSG_HDRLEN || nlh->nlmsg_len > len)
			break;
		if (fn(lm, nlh) < 0)
			bad++;
		size_t step = NLMSG_ALIGN(nlh->nlmsg_len);
		if (step >= len)
			return bad;
		p += step;
		len -= step;
	}
	if (len > 0) {
		lm->stats.errors++;
		bad++;
	}
	return bad;
}

/* nlmsghdr needs 4-byte alignment; a caller's buffer might not have it. */
static int walk_buffer(struct linkmon *lm, const void *buf, size_t len, msg_fn fn)
{
	if (len == 0 || ((uintptr_t)buf & 3) == 0)
		return walk_msgs(lm, buf, len, fn);
	void *copy = malloc(len);
	if (!copy) {
		lm->stats.errors++;
		return 1;
	}
	memcpy(copy, buf, len);
	int bad = walk_msgs(lm, copy, len, fn);
	free(copy);
	return bad;
}

static int live_msg(struct linkmon *lm, const struct nlmsghdr *nlh)
{
	return handle_msg(lm, &lm->tab, nlh);
}

static int shadow_msg(struct linkmon *lm, const struct nlmsghdr *nlh)
{
	return handle_msg(lm, &lm->shadow, nlh);
}

/* ---- resync diff ---------------------------------------------------------- */

/* Applies the dumped shadow table to the live one, emitting what changed:
 * DEL for devices gone, NEW / rename / CHANGE, then ADDR for address sets
 * that differ. The first dump (start-up) is taken silently. */
static void dump_apply(struct linkmon *lm)
{
	if (!lm->ready) {
		struct ltable tmp = lm->tab;
		lm->tab = lm->shadow;
		lm->shadow = tmp;
		lm->shadow.n = 0;
		lm->ready = true;
		return;
	}
	for (size_t i = lm->tab.n; i-- > 0;)
		if (!tab_get(&lm->shadow, lm->tab.v[i].ifindex))
			link_delete(lm, &lm->tab, &lm->tab.v[i]);
	for (size_t i = 0; i < lm->shadow.n; i++) {
		const struct link_info *s = &lm->shadow.v[i];
		if (link_upsert(lm, &lm->tab, s) < 0) {
			log_err("linkmon: out of memory for link %s", s->name);
			lm->resync_wanted = true;
			continue;
		}
		addrs_replace(lm, tab_get(&lm->tab, s->ifindex), s);
	}
	lm->shadow.n = 0;
}

void linkmon_dump_begin(struct linkmon *lm)
{
	lm->shadow.n = 0;
	lm->dump = DUMP_MANUAL;
}

int linkmon_dump_feed(struct linkmon *lm, const void *buf, size_t len)
{
	if (walk_buffer(lm, buf, len, shadow_msg) > 0) {
		errno = EBADMSG;
		return -1;
	}
	return 0;
}

void linkmon_dump_end(struct linkmon *lm)
{
	dump_apply(lm);
	lm->dump = DUMP_IDLE;
}

/* ---- sockets -------------------------------------------------------------- */

/* recvmsg that only accepts the kernel as sender and reports truncation
 * (a message cut short is a lost event) as EMSGSIZE. */
static ssize_t nl_recv(struct mnl_socket *nl, void *buf, size_t size)
{
	struct sockaddr_nl from;
	struct iovec iov = { .iov_base = buf, .iov_len = size };
	struct msghdr msg = {
		.msg_name = &from, .msg_namelen = sizeof(from),
		.msg_iov = &iov, .msg_iovlen = 1,
	};
	for (;;) {
		ssize_t n = recvmsg(mnl_socket_get_fd(nl), &msg, 0);
		if (n < 0)
			return -1;
		if (msg.msg_flags & MSG_TRUNC) {
			errno = EMSGSIZE;
			return -1;
		}
		if (msg.msg_namelen == sizeof(from) && from.nl_pid == 0)
			return n;
		/* Another process wrote to us: not the kernel, drop it. */
		msg.msg_namelen = sizeof(from);
	}
}

static struct mnl_socket *nl_open(void)
{
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!nl)
		return NULL;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;
		mnl_socket_close(nl);
		errno = e;
		return NULL;
	}
	return nl;
}

static int nl_subscribe(struct mnl_socket *nl)
{
	static const unsigned int groups[] = {
		RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR,
	};
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		unsigned int group = groups[i];     /* libmnl wants a non-const buffer */
		if (mnl_socket_setsockopt(nl, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group)) < 0)
			return -1;
	}
	return 0;
}

int linkmon_set_rcvbuf(struct linkmon *lm, int bytes)
{
	if (!lm->ev_nl) {
		errno = ENOTCONN;
		return -1;
	}
	int fd = mnl_socket_get_fd(lm->ev_nl);
	/* SO_RCVBUFFORCE passes net.core.rmem_max but needs CAP_NET_ADMIN. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) == 0)
		return 0;
	return setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes));
}

/* Sends a dump request of type (RTM_GETLINK / RTM_GETADDR) for all families. */
static int dump_request(struct linkmon *lm, uint16_t type)
{
	char buf[256] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++lm->dump_seq;
	if (type == RTM_GETLINK) {
		struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
		ifi->ifi_family = AF_UNSPEC;
		/* Counters are half of every link message and we ignore them. */
		mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	} else {
		struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
		ifa->ifa_family = AF_UNSPEC;
	}
	if (mnl_socket_sendto(lm->dump_nl, nlh, nlh->nlmsg_len) < 0) {
		log_errno(LOG_LVL_WARN, "linkmon: dump request");
		return -1;
	}
	return 0;
}

static int dump_start(struct linkmon *lm)
{
	lm->shadow.n = 0;
	lm->dump_intr = false;
	lm->dump_failed = false;
	lm->dump = DUMP_LINKS;
	if (dump_request(lm, RTM_GETLINK) < 0) {
		lm->dump_failed = true;
		return -1;
	}
	return 0;
}

/* NLMSG_DONE of the current dump: addresses after links (an address needs
 * its device in the shadow table), then the diff. An interrupted dump (the
 * kernel's tables changed while it walked them) may have skipped a device,
 * which the diff would report as deleted: dump again instead. */
static void dump_done(struct linkmon *lm)
{
	if (lm->dump_intr) {
		/* Under a storm of changes every dump may be interrupted:
		 * after a few immediate retries, pace them with the timer. */
		log_debug("linkmon: dump interrupted, restarting");
		if (lm->dump_restarts++ < DUMP_INTR_RESTARTS)
			dump_start(lm);
		else
			lm->dump_failed = true;
		return;
	}
	if (lm->dump == DUMP_LINKS) {
		lm->dump = DUMP_ADDRS;
		if (dump_request(lm, RTM_GETADDR) < 0)
			lm->dump_failed = true;
		return;
	}
	dump_apply(lm);
	lm->dump = DUMP_IDLE;
	lm->dump_restarts = 0;
}

/* NLMSG_DONE and NLMSG_ERROR carry an int error code (0: fine; an
 * NLMSG_ERROR with 0 is an ACK). A bare NLMSG_DONE counts as success:
 * failing it would make every dump fail and retry forever. */
static int ctl_error(const struct nlmsghdr *nlh)
{
	if (!payload_fits(nlh, sizeof(int)))
		return nlh->nlmsg_type == NLMSG_DONE ? 0 : -EBADMSG;
	int err;
	memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	return err;
}

static int dump_msg(struct linkmon *lm, const struct nlmsghdr *nlh)
{
	/* A reply to a dump we abandoned (timeout, restart): not ours. */
	if (nlh->nlmsg_seq != lm->dump_seq || nlh->nlmsg_pid != lm->dump_portid ||
	    lm->dump_failed ||
	    (lm->dump != DUMP_LINKS && lm->dump != DUMP_ADDRS))
		return 0;
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		lm->dump_intr = true;
	if (nlh->nlmsg_type == NLMSG_ERROR || nlh->nlmsg_type == NLMSG_DONE) {
		int err = ctl_error(nlh);
		if (err < 0) {
			errno = -err;
			log_errno(LOG_LVL_WARN, "linkmon: dump failed");
			lm->stats.errors++;
			lm->dump_failed = true;
		} else if (nlh->nlmsg_type == NLMSG_DONE) {
			dump_done(lm);
		}
		return 0;
	}
	return handle_msg(lm, &lm->shadow, nlh);
}

/* Reads the dump socket until EAGAIN or the dump completes. Replies of a
 * failed or abandoned dump are read and dropped (dump_msg ignores them):
 * left queued, they would keep the level-triggered event firing. Returns
 * -1 on a socket error. */
static int dump_read(struct linkmon *lm)
{
	for (int i = 0; i < LINKMON_READ_BUDGET; i++) {
		ssize_t n = nl_recv(lm->dump_nl, lm->buf, LINKMON_RECV_SIZE);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			log_errno(LOG_LVL_WARN, "linkmon: dump recv");
			lm->stats.errors++;
			lm->dump_failed = true;
			return -1;
		}
		walk_msgs(lm, lm->buf, (size_t)n, dump_msg);
		if (lm->dump == DUMP_IDLE)
			return 0;
	}
	return 0;
}

/* ---- the loop ------------------------------------------------------------- */

static void timer_arm(struct linkmon *lm, int seconds)
{
	struct timeval tv = { .tv_sec = seconds };
	evtimer_add(lm->dump_timer, &tv);
}

/* The event socket stays paused while a dump runs: its events queue in the
 * kernel and are applied on top of the dumped state afterwards. */
static void resync_begin(struct linkmon *lm)
{
	lm->resync_wanted = false;
	lm->stats.resyncs++;
	lm->dump_restarts = 0;
	event_del(lm->ev_read);
	event_add(lm->dump_read, NULL);
	dump_start(lm);
	timer_arm(lm, lm->dump_failed ? DUMP_RETRY_S : DUMP_TIMEOUT_S);
}

static void resync_end(struct linkmon *lm)
{
	event_del(lm->dump_read);
	event_del(lm->dump_timer);
	event_add(lm->ev_read, NULL);
	/* A callback or an overfull address list may have asked again. */
	if (lm->resync_wanted)
		event_active(lm->ev_read, EV_READ, 0);
}

static void on_dump_readable(evutil_socket_t fd, short what, void *arg)
{
	struct linkmon *lm = arg;
	bool was_failed = lm->dump_failed;
	dump_read(lm);
	if (lm->dump == DUMP_IDLE) {
		resync_end(lm);
		return;
	}
	/* Failed just now: retry after a pause (the timer restarts it).
	 * Still running: the timeout counts from the last sign of progress. */
	if (lm->dump_failed) {
		if (!was_failed)
			timer_arm(lm, DUMP_RETRY_S);
		return;
	}
	timer_arm(lm, DUMP_TIMEOUT_S);
}

/* Timeout of a dump, or the retry delay after a failed one. */
static void on_dump_timer(evutil_socket_t fd, short what, void *arg)
{
	struct linkmon *lm = arg;
	if (!lm->dump_failed) {
		log_warn("linkmon: dump timed out, restarting");
		lm->stats.errors++;
	}
	dump_start(lm);
	timer_arm(lm, lm->dump_failed ? DUMP_RETRY_S : DUMP_TIMEOUT_S);
}

/* One recv error on the event socket. Returns false to stop reading. */
static bool ev_recv_error(struct linkmon *lm)
{
	switch (errno) {
	case EAGAIN:
#if EWOULDBLOCK != EAGAIN
	case EWOULDBLOCK:
#endif
		return false;
	case EINTR:
		return true;
	case ENOBUFS:
		/* The kernel dropped events for us: only a dump can recover. */
		lm->stats.enobufs++;
		lm->resync_wanted = true;
		log_warn("linkmon: netlink receive buffer overrun, resyncing");
		return true;
	case EMSGSIZE:
		lm->stats.errors++;
		lm->resync_wanted = true;
		log_warn("linkmon: truncated netlink event, resyncing");
		return true;
	default:
		lm->stats.errors++;
		log_errno(LOG_LVL_ERR, "linkmon: netlink recv");
		return false;
	}
}

/* Reads events until EAGAIN, then starts a resync if one is due: events
 * already queued predate the loss and are applied first, which keeps the
 * replay after the dump short. */
static void on_ev_readable(evutil_socket_t fd, short what, void *arg)
{
	struct linkmon *lm = arg;
	for (int i = 0; i < LINKMON_READ_BUDGET; i++) {
		ssize_t n = nl_recv(lm->ev_nl, lm->buf, LINKMON_RECV_SIZE);
		if (n < 0) {
			if (!ev_recv_error(lm))
				break;
			continue;
		}
		walk_msgs(lm, lm->buf, (size_t)n, live_msg);
	}
	if (lm->resync_wanted && lm->dump == DUMP_IDLE)
		resync_begin(lm);
}

void linkmon_resync(struct linkmon *lm)
{
	if (!lm->base)
		return;
	lm->resync_wanted = true;
	if (lm->dump == DUMP_IDLE)
		event_active(lm->ev_read, EV_READ, 0);
}

/* Start-up: the one synchronous dump, bounded by a deadline. A failed or
 * repeatedly interrupted dump is retried (after a short pause) until then. */
static int initial_dump(struct linkmon *lm)
{
	uint64_t deadline = clock_mono_ms() + DUMP_STARTUP_MS;
	dump_start(lm);
	while (lm->dump != DUMP_IDLE) {
		uint64_t now = clock_mono_ms();
		if (now >= deadline) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (lm->dump_failed) {
			poll(NULL, 0, 20);
			lm->dump_restarts = 0;
			dump_start(lm);
			continue;
		}
		struct pollfd pfd = { .fd = mnl_socket_get_fd(lm->dump_nl), .events = POLLIN };
		if (poll(&pfd, 1, (int)(deadline - now)) < 0 && errno != EINTR)
			return -1;
		dump_read(lm);
	}
	return 0;
}

static int open_sockets(struct linkmon *lm)
{
	/* malloc: aligned for nlmsghdr. */
	lm->buf = malloc(LINKMON_RECV_SIZE);
	if (!lm->buf)
		return -1;
	lm->ev_nl = nl_open();
	lm->dump_nl = lm->ev_nl ? nl_open() : NULL;
	if (!lm->dump_nl)
		return -1;
	lm->dump_portid = mnl_socket_get_portid(lm->dump_nl);
	if (linkmon_set_rcvbuf(lm, LINKMON_RCVBUF_DEFAULT) < 0)
		log_errno(LOG_LVL_WARN, "linkmon: receive buffer");
	/* Subscribe before dumping, so no change can fall between the two. */
	return nl_subscribe(lm->ev_nl);
}

static int add_events(struct linkmon *lm, struct event_base *base)
{
	lm->base = base;
	lm->ev_read = event_new(base, mnl_socket_get_fd(lm->ev_nl), EV_READ | EV_PERSIST,
				on_ev_readable, lm);
	lm->dump_read = event_new(base, mnl_socket_get_fd(lm->dump_nl), EV_READ | EV_PERSIST,
				  on_dump_readable, lm);
	lm->dump_timer = evtimer_new(base, on_dump_timer, lm);
	if (!lm->ev_read || !lm->dump_read || !lm->dump_timer) {
		errno = ENOMEM;
		return -1;
	}
	return event_add(lm->ev_read, NULL);
}

struct linkmon *linkmon_new(struct event_base *base, linkmon_cb cb, void *arg)
{
	struct linkmon *lm = calloc(1, sizeof(*lm));
	if (!lm)
		return NULL;
	lm->cb = cb;
	lm->arg = arg;
	if (open_sockets(lm) < 0 || initial_dump(lm) < 0 || add_events(lm, base) < 0) {
		int e = errno;
		log_errno(LOG_LVL_ERR, "linkmon: start");
		linkmon_free(lm);
		errno = e;
		return NULL;
	}
	log_debug("linkmon: %zu links at start", lm->tab.n);
	return lm;
}

struct linkmon *linkmon_new_detached(linkmon_cb cb, void *arg)
{
	struct linkmon *lm = calloc(1, sizeof(*lm));
	if (!lm)
		return NULL;
	lm->cb = cb;
	lm->arg = arg;
	lm->ready = true;
	return lm;
}

void linkmon_free(struct linkmon *lm)
{
	if (!lm)
		return;
	if (lm->ev_read)
		event_free(lm->ev_read);
	if (lm->dump_read)
		event_free(lm->dump_read);
	if (lm->dump_timer)
		event_free(lm->dump_timer);
	if (lm->ev_nl)
		mnl_socket_close(lm->ev_nl);
	if (lm->dump_nl)
		mnl_socket_close(lm->dump_nl);
	tab_free(&lm->tab);
	tab_free(&lm->shadow);
	free(lm->buf);
	free(lm);
}

/* ---- queries -------------------------------------------------------------- */

int linkmon_feed(struct linkmon *lm, const void *buf, size_t len)
{
	if (walk_buffer(lm, buf, len, live_msg) > 0) {
		errno = EBADMSG;
		return -1;
	}
	return 0;
}

const struct link_info *linkmon_find(const struct linkmon *lm, const char *name)
{
	for (size_t i = 0; i < lm->tab.n; i++)
		if (strcmp(lm->tab.v[i].name, name) == 0)
			return &lm->tab.v[i];
	return NULL;
}

const struct link_info *linkmon_find_index(const struct linkmon *lm, int ifindex)
{
	return tab_get(&lm->tab, ifindex);
}

const struct link_info *linkmon_at(const struct linkmon *lm, size_t i)
{
	return i < lm->tab.n ? &lm->tab.v[i] : NULL;
}

void linkmon_get_stats(const struct linkmon *lm, struct linkmon_stats *out)
{
	*out = lm->stats;
}
