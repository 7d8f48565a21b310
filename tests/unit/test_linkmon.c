/* Unit tests for linkmon: netlink messages are built with libmnl exactly as
 * the kernel lays them out and fed through linkmon_feed (the same parser the
 * socket path uses); the callback sequence and old/new values are checked. */
/* linkmon.h first: it brings <net/if.h>, which must precede <linux/if.h>. */
#include "link/linkmon.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>
#include <event2/event.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

/* ---- recorder --------------------------------------------------------- */

#define MAX_REC 64

struct rec {
	enum linkmon_event ev;
	bool has_old;
	struct link_info old, cur;
};

static struct {
	struct rec r[MAX_REC];
	size_t n;               /* recorded (at most MAX_REC) */
	size_t total;           /* seen */
} g_rec;

static void record(void *arg, enum linkmon_event ev, const struct link_info *old,
		   const struct link_info *cur)
{
	g_rec.total++;
	if (g_rec.n == MAX_REC)
		return;
	struct rec *r = &g_rec.r[g_rec.n++];
	r->ev = ev;
	r->has_old = old != NULL;
	if (old)
		r->old = *old;
	r->cur = *cur;
}

static int setup(void **state)
{
	memset(&g_rec, 0, sizeof(g_rec));
	struct linkmon *lm = linkmon_new_detached(record, NULL);
	assert_non_null(lm);
	*state = lm;
	return 0;
}

static int teardown(void **state)
{
	linkmon_free(*state);
	return 0;
}

static void rec_reset(void) { g_rec.n = 0; g_rec.total = 0; }

static uint64_t stat_errors(struct linkmon *lm)
{
	struct linkmon_stats st;
	linkmon_get_stats(lm, &st);
	return st.errors;
}

/* ---- message builders ----------------------------------------------------- */

#define OPER_NONE (-1)

struct lmsg {
	uint16_t type;
	uint8_t family;
	int ifindex;
	const char *name;       /* NULL: no IFLA_IFNAME */
	unsigned int flags;
	int oper;               /* OPER_NONE: no IFLA_OPERSTATE */
	uint32_t mtu;           /* 0: no IFLA_MTU */
	bool wireless;
};

static char g_buf[16384] __attribute__((aligned(8)));

static struct nlmsghdr *put_link(char *buf, const struct lmsg *m)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = m->type;
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = m->family;
	ifi->ifi_index = m->ifindex;
	ifi->ifi_flags = m->flags;
	ifi->ifi_type = 1;
	if (m->name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, m->name);
	if (m->mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, m->mtu);
	if (m->oper != OPER_NONE)
		mnl_attr_put_u8(nlh, IFLA_OPERSTATE, (uint8_t)m->oper);
	if (m->wireless) {
		static const uint8_t iwe[8] = { 8, 0, 0x15, 0x8b, 0, 0, 0, 0 };
		mnl_attr_put(nlh, IFLA_WIRELESS, sizeof(iwe), iwe);
	}
	/* What the kernel always adds and we ignore: a nested attribute. */
	struct nlattr *nest = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

static void feed_link(struct linkmon *lm, const struct lmsg *m)
{
	struct nlmsghdr *nlh = put_link(g_buf, m);
	assert_int_equal(linkmon_feed(lm, nlh, nlh->nlmsg_len), 0);
}

#define UP_RUNNING (IFF_UP | IFF_BROADCAST | IFF_MULTICAST | IFF_RUNNING | IFF_LOWER_UP)
#define UP_NOCARRIER (IFF_UP | IFF_BROADCAST | IFF_MULTICAST)
#define ADMIN_DOWN (IFF_BROADCAST | IFF_MULTICAST)

static void newlink(struct linkmon *lm, int idx, const char *name, unsigned flags, int oper)
{
	struct lmsg m = { .type = RTM_NEWLINK, .ifindex = idx, .name = name,
			  .flags = flags, .oper = oper, .mtu = 1500 };
	feed_link(lm, &m);
}

struct amsg {
	uint16_t type;
	int family;
	int ifindex;
	const char *addr;       /* IFA_ADDRESS */
	const char *local;      /* IFA_LOCAL (NULL: none) */
	uint8_t prefixlen;
	uint8_t scope;
	uint32_t flags;         /* IFA_FLAGS */
};

static struct nlmsghdr *put_addr(char *buf, const struct amsg *m)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = m->type;
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)m->family;
	ifa->ifa_prefixlen = m->prefixlen;
	ifa->ifa_scope = m->scope;
	ifa->ifa_index = (uint32_t)m->ifindex;
	ifa->ifa_flags = (uint8_t)m->flags;
	uint8_t bin[16];
	size_t alen = m->family == AF_INET ? 4 : 16;
	if (m->addr) {
		assert_int_equal(inet_pton(m->family, m->addr, bin), 1);
		mnl_attr_put(nlh, IFA_ADDRESS, alen, bin);
	}
	if (m->local) {
		assert_int_equal(inet_pton(m->family, m->local, bin), 1);
		mnl_attr_put(nlh, IFA_LOCAL, alen, bin);
	}
	mnl_attr_put_u32(nlh, IFA_FLAGS, m->flags);
	return nlh;
}

static void feed_addr(struct linkmon *lm, const struct amsg *m)
{
	struct nlmsghdr *nlh = put_addr(g_buf, m);
	assert_int_equal(linkmon_feed(lm, nlh, nlh->nlmsg_len), 0);
}

static void addr4(struct linkmon *lm, uint16_t type, int idx, const char *a, uint8_t plen)
{
	struct amsg m = { .type = type, .family = AF_INET, .ifindex = idx, .addr = a,
			  .local = a, .prefixlen = plen, .scope = RT_SCOPE_UNIVERSE,
			  .flags = IFA_F_PERMANENT };
	feed_addr(lm, &m);
}

static void addr6(struct linkmon *lm, uint16_t type, int idx, const char *a, uint8_t scope,
		  uint32_t flags)
{
	struct amsg m = { .type = type, .family = AF_INET6, .ifindex = idx, .addr = a,
			  .prefixlen = 64, .scope = scope, .flags = flags };
	feed_addr(lm, &m);
}

static void assert_addr(const struct link_addr *la, const char *text, uint8_t plen)
{
	char got[INET6_ADDRSTRLEN];
	assert_non_null(inet_ntop(la->family, &la->addr, got, sizeof(got)));
	assert_string_equal(got, text);
	assert_int_equal(la->prefixlen, plen);
}

/* ---- link events ------------------------------------------------------------ */

static void test_new_link(void **state)
{
	struct linkmon *lm = *state;
	newlink(lm, 7, "wan0", UP_RUNNING, IF_OPER_UP);

	assert_int_equal(g_rec.n, 1);
	struct rec *r = &g_rec.r[0];
	assert_int_equal(r->ev, LINKMON_NEW);
	assert_false(r->has_old);
	assert_string_equal(r->cur.name, "wan0");
	assert_int_equal(r->cur.ifindex, 7);
	assert_true(r->cur.admin_up);
	assert_true(r->cur.carrier);
	assert_true(r->cur.oper_up);
	assert_int_equal(r->cur.operstate, IF_OPER_UP);
	assert_int_equal(r->cur.mtu, 1500);
	assert_int_equal(r->cur.flags, UP_RUNNING);
	assert_int_equal(r->cur.n_addrs, 0);
	assert_true(r->cur.changed_us > 0);

	const struct link_info *li = linkmon_find(lm, "wan0");
	assert_non_null(li);
	assert_ptr_equal(li, linkmon_find_index(lm, 7));
	assert_ptr_equal(li, linkmon_at(lm, 0));
	assert_null(linkmon_at(lm, 1));
	assert_null(linkmon_find(lm, "wan1"));

	struct linkmon_stats st;
	linkmon_get_stats(lm, &st);
	assert_int_equal(st.events, 1);
	assert_int_equal(st.errors, 0);
}

static void test_carrier_loss_and_back(void **state)
{
	struct linkmon *lm = *state;
	newlink(lm, 7, "wan0", UP_RUNNING, IF_OPER_UP);
	uint64_t t0 = linkmon_find(lm, "wan0")->changed_us;
	rec_reset();

	/* What the kernel sends when the far end of a veth goes down. */
	newlink(lm, 7, "wan0", UP_NOCARRIER, IF_OPER_LOWERLAYERDOWN);
	assert_int_equal(g_rec.n, 1);
	struct rec *r = &g_rec.r[0];
	assert_int_equal(r->ev, LINKMON_CHANGE);
	assert_true(r->has_old);
	assert_true(r->old.carrier);
	assert_true(r->old.oper_up);
	assert_false(r->cur.carrier);
	assert_false(r->cur.oper_up);
	assert_true(r->cur.admin_up);
	assert_int_equal(r->cur.operstate, IF_OPER_LOWERLAYERDOWN);
	assert_true(r->cur.changed_us >= t0);

	/* Plain DOWN operstate (LAB.md saw this one) too. */
	newlink(lm, 7, "wan0", UP_NOCARRIER, IF_OPER_DOWN);
	assert_int_equal(g_rec.n, 2);
	assert_int_equal(g_rec.r[1].ev, LINKMON_CHANGE);
	assert_int_equal(g_rec.r[1].old.operstate, IF_OPER_LOWERLAYERDOWN);
	assert_int_equal(g_rec.r[1].cur.operstate, IF_OPER_DOWN);

	newlink(lm, 7, "wan0", UP_RUNNING, IF_OPER_UP);
	assert_int_equal(g_rec.n, 3);
	r = &g_rec.r[2];
	assert_int_equal(r->ev, LINKMON_CHANGE);
	assert_false(r->old.carrier);
	assert_true(r->cur.carrier);
	assert_true(r->cur.oper_up);
}

static void test_no_event_without_change(void **state)
{
	struct linkmon *lm = *state;
	newlink(lm, 3, "wlan0", UP_RUNNING, IF_OPER_UP);
	rec_reset();

	/* Same state again, and Wi-Fi's wireless-extension events, which carry
	 * the whole link state: nothing changed, nothing reported. */
	newlink(lm, 3, "wlan0", UP_RUNNING, IF_OPER_UP);
	struct lmsg w = { .type = RTM_NEWLINK, .ifindex = 3, .name = "wlan0",
			  .flags = UP_RUNNING, .oper = IF_OPER_UP, .mtu = 1500, .wireless = true };
	for (int i = 0; i < 100; i++)
		feed_link(lm, &w);
	assert_int_equal(g_rec.n, 0);

	/* A wireless message that does carry a change is reported. */
	w.flags = UP_NOCARRIER;
	w.oper = IF_OPER_DORMANT;
	feed_link(lm, &w);
	assert_int_equal(g_rec.n, 1);
	assert_int_equal(g_rec.r[0].ev, LINKMON_CHANGE);
	assert_int_equal(g_rec.r[0].cur.operstate, IF_OPER_DORMANT);

	/* A message without IFLA_OPERSTATE/MTU keeps the known values. */
	struct lmsg bare = { .type = RTM_NEWLINK, .ifindex = 3, .flags = UP_NOCARRIER,
			     .oper = OPER_NONE };
	feed_link(lm, &bare);
	assert_int_equal(g_rec.n, 1);
	assert_int_equal(linkmon_find(lm, "wlan0")->mtu, 1500);
	assert_int_equal(linkmon_find(lm, "wlan0")->operstate, IF_OPER_DORMANT);
}

static void test_mtu_change(void **state)
{
	struct linkmon *lm = *state;
	newlink(lm, 4, "eth1", UP_RUNNING, IF_OPER_UP);
	rec_reset();
	struct lmsg m = { .type = RTM_NEWLINK, .ifindex = 4, .name = "eth1",
			  .flags = UP_RUNNING, .oper = IF_OPER_UP, .mtu = 1400 };
	feed_link(lm, &m);
	assert_int_equal(g_rec.n, 1);
	assert_int_equal(g_rec.r[0].ev, LINKMON_CHANGE);
	assert_int_equal(g_rec.r[0].old.mtu, 1500);
	assert_int_equal(g_rec.r[0].cur.mtu, 1400);
}

static void test_admin_down(void **state)
{
	struct linkmon *lm = *state;
	newlink(lm, 7, "wan0", UP_RUNNING, IF_OPER_UP);
	rec_reset();
	newlink(lm, 7, "wan0", ADMIN_DOWN, IF_OPER_DOWN);
	assert_int_equal(g_rec.n, 1);
	struct rec *r = &g_rec.r[0];
	assert_int_equal(r->ev, LINKMON_CHANGE);
	assert_true(r->old.admin_up);
	assert_false(r->cur.admin_up);
	assert_false(r->cur.carrier);
	assert_false(r->cur.oper_up);
	assert_int_equal(r->cur.flags, ADMIN_DOWN);
}

static void test_oper_unknown_with_carrier(void **state)
{
	struct linkmon *lm = *state;
	/* Loopback, tun and many modem drivers never set an operstate. */
	newlink(lm, 1, "lo", IFF_UP | IFF_LOOPBACK | IFF_RUNNING | IFF_LOWER_UP, IF_OPER_UNKNOWN);
	newlink(lm, 9, "tun0", IFF_UP | IFF_POINTOPOINT, IF_OPER_UNKNOWN);
	assert_true(linkmon_find(lm, "lo")->oper_up);
	assert_false(linkmon_find(lm, "tun0")->oper_up);
}

static void test_rename(void **state)
{
	struct linkmon *lm = *state;
	newlink(lm, 7, "eth0", UP_RUNNING, IF_OPER_UP);
	addr4(lm, RTM_NEWADDR, 7, "192.0.2.10", 24);
	rec_reset();

	newlink(lm, 7, "wan", ADMIN_DOWN, IF_OPER_DOWN);
	assert_int_equal(g_rec.n, 2);
	struct rec *del = &g_rec.r[0], *nw = &g_rec.r[1];
	assert_int_equal(del->ev, LINKMON_DEL);
	assert_true(del->has_old);
	assert_string_equal(del->old.name, "eth0");
	assert_string_equal(del->cur.name, "eth0");
	assert_true(del->cur.admin_up);
	assert_int_equal(nw->ev, LINKMON_NEW);
	assert_false(nw->has_old);
	assert_string_equal(nw->cur.name, "wan");
	assert_int_equal(nw->cur.ifindex, 7);
	assert_false(nw->cur.admin_up);
	/* The device kept its address through the rename. */
	assert_int_equal(nw->cur.n_addrs, 1);
	assert_addr(&nw->cur.addrs[0], "192.0.2.10", 24);

	assert_null(linkmon_find(lm, "eth0"));
	assert_non_null(linkmon_find(lm, "wan"));
	assert_null(linkmon_at(lm, 1));
}

static void test_delete(void **state)
{
	struct linkmon *lm = *state;
	newlink(lm, 5, "a", UP_RUNNING, IF_OPER_UP);
	newlink(lm, 6, "b", UP_RUNNING, IF_OPER_UP);
	rec_reset();

	struct lmsg m = { .type = RTM_DELLINK, .ifindex = 5, .name = "a",
			  .flags = ADMIN_DOWN, .oper = IF_OPER_DOWN };
	feed_link(lm, &m);
	assert_int_equal(g_rec.n, 1);
	assert_int_equal(g_rec.r[0].ev, LINKMON_DEL);
	assert_string_equal(g_rec.r[0].cur.name, "a");
	/* DEL reports the last known state, not the message's. */
	assert_true(g_rec.r[0].cur.admin_up);
	assert_null(linkmon_find(lm, "a"));
	assert_string_equal(linkmon_at(lm, 0)->name, "b");

	/* Unknown device, twice deleted: no event. */
	feed_link(lm, &m);
	assert_int_equal(g_rec.n, 1);
	assert_int_equal(stat_errors(lm), 0);
}

static void test_bridge_family_ignored(void **state)
{
	struct linkmon *lm = *state;
	newlink(lm, 5, "lan1", UP_RUNNING, IF_OPER_UP);
	rec_reset();
	/* A port leaving a bridge: AF_BRIDGE DELLINK, the device stays. */
	struct lmsg m = { .type = RTM_DELLINK, .family = AF_BRIDGE, .ifindex = 5,
			  .name = "lan1", .flags = UP_RUNNING, .oper = IF_OPER_UP };
	feed_link(lm, &m);
	m.type = RTM_NEWLINK;
	m.flags = ADMIN_DOWN;
	feed_link(lm, &m);
	assert_int_equal(g_rec.n, 0);
	assert_non_null(linkmon_find(lm, "lan1"));
	assert_true(linkmon_find(lm, "lan1")->admin_up);
	assert_int_equal(stat_errors(lm), 0);
}

static void test_many_links_in_one_buffer(void **state)
{
	struct linkmon *lm = *state;
	/* A dump-sized buffer of messages, indices out of order, more links
	 * than any fixed limit would allow. */
	static char big[2000 * 128] __attribute__((aligned(8)));
	size_t off = 0;
	for (int i = 0; i < 2000; i++) {
		char name[IF_NAMESIZE];
		int idx = (i * 7919) % 2000 + 1;
		snprintf(name, sizeof(name), "if%d", idx);
		struct lmsg m = { .type = RTM_NEWLINK, .ifindex = idx, .name = name,
				  .flags = UP_RUNNING, .oper = IF_OPER_UP, .mtu = 1500 };
		struct nlmsghdr *nlh = put_link(big + off, &m);
		off += NLMSG_ALIGN(nlh->nlmsg_len);
		assert_true(off < sizeof(big) - 128);
	}
	assert_int_equal(linkmon_feed(lm, big, off), 0);
	assert_int_equal(g_rec.total, 2000);
	for (size_t i = 0; i < 2000; i++) {
		const struct link_info *li = linkmon_at(lm, i);
		assert_non_null(li);
		assert_int_equal(li->ifindex, (int)i + 1);
	}
	assert_null(linkmon_at(lm, 2000));
	assert_string_equal(linkmon_find_index(lm, 1234)->name, "if1234");
	assert_int_equal(linkmon_find(lm, "if77")->ifindex, 77);
}

/* ---- addresses ------------------------------------------------------------- */

static void test_addr_v4(void **state)
{
	struct linkmon *lm = *state;
	newlink(lm, 7, "wan0", UP_RUNNING, IF_OPER_UP);
	rec_reset();

	addr4(lm, RTM_NEWADDR, 7, "192.0.2.10", 24);
	assert_int_equal(g_rec.n, 1);
	struct rec *r = &g_rec.r[0];
	assert_int_equal(r->ev, LINKMON_ADDR);
	assert_int_equal(r->old.n_addrs, 0);
	assert_int_equal(r->cur.n_addrs, 1);
	assert_int_equal(r->cur.addrs[0].family, AF_INET);
	assert_int_equal(r->cur.addrs[0].scope, RT_SCOPE_UNIVERSE);
	assert_addr(&r->cur.addrs[0], "192.0.2.10", 24);

	/* Duplicate NEWADDR (the kernel re-announces): no duplicate, no event. */
	addr4(lm, RTM_NEWADDR, 7, "192.0.2.10", 24);
	assert_int_equal(g_rec.n, 1);
	assert_int_equal(linkmon_find(lm, "wan0")->n_addrs, 1);

	/* Same address, other prefix length: a different kernel address. */
	addr4(lm, RTM_NEWADDR, 7, "192.0.2.10", 16);
	assert_int_equal(g_rec.n, 2);
	assert_int_equal(linkmon_find(lm, "wan0")->n_addrs, 2);

	addr4(lm, RTM_DELADDR, 7, "192.0.2.10", 24);
	assert_int_equal(g_rec.n, 3);
	r = &g_rec.r[2];
	assert_int_equal(r->ev, LINKMON_ADDR);
	assert_int_equal(r->old.n_addrs, 2);
	assert_int_equal(r->cur.n_addrs, 1);
	assert_addr(&r->cur.addrs[0], "192.0.2.10", 16);

	/* Deleting what is not there: nothing. */
	addr4(lm, RTM_DELADDR, 7, "192.0.2.99", 24);
	assert_int_equal(g_rec.n, 3);
	assert_int_equal(stat_errors(lm), 0);
}

static void test_addr_v4_ptp_prefers_local(void **state)
{
	struct linkmon *lm = *state;
	newlink(lm, 8, "ppp0", IFF_UP | IFF_POINTOPOINT | IFF_LOWER_UP, IF_OPER_UNKNOWN);
	rec_reset();
	/* ip addr add 10.64.0.5 peer 10.64.0.1 dev ppp0: IFA_ADDRESS is the
	 * peer, IFA_LOCAL ours. */
	struct amsg m = { .type = RTM_NEWADDR, .family = AF_INET, .ifindex = 8,
			  .addr = "10.64.0.1", .local = "10.64.0.5", .prefixlen = 32 };
	feed_addr(lm, &m);
	assert_int_equal(g_rec.n, 1);
	assert_addr(&g_rec.r[0].cur.addrs[0], "10.64.0.5", 32);

	/* IFA_LOCAL alone (no IFA_ADDRESS) is enough too. */
	struct amsg only_local = { .type = RTM_DELADDR, .family = AF_INET, .ifindex = 8,
				   .local = "10.64.0.5", .prefixlen = 32 };
	feed_addr(lm, &only_local);
	assert_int_equal(g_rec.n, 2);
	assert_int_equal(g_rec.r[1].cur.n_addrs, 0);
}

static void test_addr_v6(void **state)
{
	struct linkmon *lm = *state;
	newlink(lm, 7, "wan0", UP_RUNNING, IF_OPER_UP);
	rec_reset();

	addr6(lm, RTM_NEWADDR, 7, "fe80::1", RT_SCOPE_LINK, IFA_F_PERMANENT);
	addr6(lm, RTM_NEWADDR, 7, "2001:db8::5", RT_SCOPE_UNIVERSE, IFA_F_TENTATIVE);
	assert_int_equal(g_rec.n, 2);
	struct rec *r = &g_rec.r[1];
	assert_int_equal(r->ev, LINKMON_ADDR);
	assert_int_equal(r->cur.n_addrs, 2);
	assert_int_equal(r->cur.addrs[1].family, AF_INET6);
	assert_int_equal(r->cur.addrs[1].scope, RT_SCOPE_UNIVERSE);
	assert_true(r->cur.addrs[1].flags & IFA_F_TENTATIVE);
	assert_addr(&r->cur.addrs[1], "2001:db8::5", 64);
	assert_addr(&r->cur.addrs[0], "fe80::1", 64);
	assert_int_equal(r->cur.addrs[0].scope, RT_SCOPE_LINK);

	/* DAD finished: the address becomes usable, an event. */
	addr6(lm, RTM_NEWADDR, 7, "2001:db8::5", RT_SCOPE_UNIVERSE, 0);
	assert_int_equal(g_rec.n, 3);
	r = &g_rec.r[2];
	assert_int_equal(r->ev, LINKMON_ADDR);
	assert_true(r->old.addrs[1].flags & IFA_F_TENTATIVE);
	assert_false(r->cur.addrs[1].flags & IFA_F_TENTATIVE);
	assert_int_equal(r->cur.n_addrs, 2);

	/* A router advertisement refreshes lifetimes: NEWADDR again, same
	 * address, an untracked flag changed: no event. */
	addr6(lm, RTM_NEWADDR, 7, "2001:db8::5", RT_SCOPE_UNIVERSE, IFA_F_MANAGETEMPADDR);
	assert_int_equal(g_rec.n, 3);
	assert_int_equal(linkmon_find(lm, "wan0")->addrs[1].flags, IFA_F_MANAGETEMPADDR);

	addr6(lm, RTM_DELADDR, 7, "2001:db8::5", RT_SCOPE_UNIVERSE, 0);
	assert_int_equal(g_rec.n, 4);
	assert_int_equal(g_rec.r[3].cur.n_addrs, 1);
	assert_addr(&g_rec.r[3].cur.addrs[0], "fe80::1", 64);
}

static void test_addr_unknown_link(void **state)
{
	struct linkmon *lm = *state;
	/* The kernel deletes addresses while unregistering a device, and
	 * these can arrive after the DELLINK: quietly ignored. */
	addr4(lm, RTM_DELADDR, 42, "192.0.2.1", 24);
	addr4(lm, RTM_NEWADDR, 42, "192.0.2.1", 24);
	assert_int_equal(g_rec.n, 0);
	assert_int_equal(stat_errors(lm), 0);
	assert_null(linkmon_at(lm, 0));
}

static void test_addr_overflow(void **state)
{
	struct linkmon *lm = *state;
	newlink(lm, 7, "wan0", UP_RUNNING, IF_OPER_UP);
	for (int i = 1; i < LINKMON_MAX_ADDRS; i++) {
		char a[32];
		snprintf(a, sizeof(a), "10.0.%d.1", i);
		addr4(lm, RTM_NEWADDR, 7, a, 24);
	}
	addr6(lm, RTM_NEWADDR, 7, "fe80::1", RT_SCOPE_LINK, IFA_F_PERMANENT);
	const struct link_info *li = linkmon_find(lm, "wan0");
	assert_int_equal(li->n_addrs, LINKMON_MAX_ADDRS);
	assert_false(li->addrs_truncated);
	rec_reset();

	/* Full: a global address replaces the link-local one... */
	addr6(lm, RTM_NEWADDR, 7, "2001:db8::9", RT_SCOPE_UNIVERSE, 0);
	assert_int_equal(g_rec.n, 1);
	li = linkmon_find(lm, "wan0");
	assert_int_equal(li->n_addrs, LINKMON_MAX_ADDRS);
	assert_true(li->addrs_truncated);
	assert_addr(&li->addrs[LINKMON_MAX_ADDRS - 1], "2001:db8::9", 64);
	assert_addr(&g_rec.r[0].old.addrs[LINKMON_MAX_ADDRS - 1], "fe80::1", 64);

	/* ... a link-scope one does not replace a global one. */
	addr6(lm, RTM_NEWADDR, 7, "fe80::2", RT_SCOPE_LINK, 0);
	assert_int_equal(g_rec.n, 1);
	struct linkmon_stats st;
	linkmon_get_stats(lm, &st);
	assert_int_equal(st.addrs_dropped, 2);
	assert_int_equal(st.errors, 0);
}

/* ---- malformed input ----------------------------------------------------- */

static void test_truncated_messages(void **state)
{
	struct linkmon *lm = *state;
	newlink(lm, 7, "wan0", UP_RUNNING, IF_OPER_UP);
	addr6(lm, RTM_NEWADDR, 7, "2001:db8::1", RT_SCOPE_UNIVERSE, 0);
	rec_reset();

	/* A state change, cut at every length: never half-applied. */
	static char msg[512] __attribute__((aligned(8)));
	struct lmsg m = { .type = RTM_NEWLINK, .ifindex = 7, .name = "renamed0",
			  .flags = ADMIN_DOWN, .oper = IF_OPER_DOWN, .mtu = 1280 };
	struct nlmsghdr *nlh = put_link(msg, &m);
	uint32_t full = nlh->nlmsg_len;
	for (uint32_t cut = 0; cut < full; cut++) {
		/* (a) buffer shorter than the header claims */
		char *copy = malloc(cut ? cut : 1);
		memcpy(copy, msg, cut);
		uint64_t before = stat_errors(lm);
		int rc = linkmon_feed(lm, copy, cut);
		if (cut > 0) {
			assert_int_equal(rc, -1);
			assert_int_equal(stat_errors(lm), before + 1);
		}
		free(copy);
		/* (b) header that agrees with the short length */
		if (cut >= NLMSG_HDRLEN) {
			nlh->nlmsg_len = cut;
			before = stat_errors(lm);
			linkmon_feed(lm, msg, cut);
			nlh->nlmsg_len = full;
			/* Cuts on an attribute boundary are whole messages
			 * that lack attributes; the rest must be errors. */
			if (stat_errors(lm) == before)
				assert_true(cut >= NLMSG_HDRLEN + sizeof(struct ifinfomsg));
		}
	}
	const struct link_info *li = linkmon_find_index(lm, 7);
	/* Some whole-attribute cuts are valid messages (flags, maybe the
	 * name): what must never happen is a torn name or a crash. */
	assert_non_null(li);
	assert_true(strcmp(li->name, "wan0") == 0 || strcmp(li->name, "renamed0") == 0);
	assert_true(li->mtu == 1500 || li->mtu == 1280);

	/* Same for addresses. */
	struct amsg am = { .type = RTM_NEWADDR, .family = AF_INET6, .ifindex = 7,
			   .addr = "2001:db8::77", .prefixlen = 64 };
	nlh = put_addr(msg, &am);
	full = nlh->nlmsg_len;
	for (uint32_t cut = NLMSG_HDRLEN; cut < full; cut++) {
		nlh->nlmsg_len = cut;
		uint64_t before = stat_errors(lm);
		if (linkmon_feed(lm, msg, cut) == 0) {
			/* Only a cut between whole attributes (here: before
			 * IFA_FLAGS) leaves a valid message. */
			assert_int_equal(cut % 4, 0);
			assert_int_equal(stat_errors(lm), before);
		} else {
			assert_int_equal(stat_errors(lm), before + 1);
		}
	}
	li = linkmon_find_index(lm, 7);
	assert_true(li->n_addrs == 1 || li->n_addrs == 2);
	assert_addr(&li->addrs[0], "2001:db8::1", 64);
}

static void test_bad_attributes(void **state)
{
	struct linkmon *lm = *state;
	newlink(lm, 7, "wan0", UP_RUNNING, IF_OPER_UP);
	rec_reset();
	uint64_t errs = stat_errors(lm);

	/* IFLA_MTU of 2 bytes. */
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(g_buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = 7;
	mnl_attr_put_u16(nlh, IFLA_MTU, 9000);
	assert_int_equal(linkmon_feed(lm, nlh, nlh->nlmsg_len), -1);
	assert_int_equal(stat_errors(lm), ++errs);

	/* IFLA_IFNAME without its NUL, and one too long for IF_NAMESIZE. */
	nlh = mnl_nlmsg_put_header(g_buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = 8;
	mnl_attr_put(nlh, IFLA_IFNAME, 4, "eth9");
	assert_int_equal(linkmon_feed(lm, nlh, nlh->nlmsg_len), -1);
	nlh = mnl_nlmsg_put_header(g_buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = 8;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "a-name-of-16-chr");
	assert_int_equal(linkmon_feed(lm, nlh, nlh->nlmsg_len), -1);
	/* Empty name. */
	nlh = mnl_nlmsg_put_header(g_buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = 8;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "");
	assert_int_equal(linkmon_feed(lm, nlh, nlh->nlmsg_len), -1);
	errs += 3;

	/* Unknown device without a name; ifindex 0 and negative. */
	struct lmsg noname = { .type = RTM_NEWLINK, .ifindex = 9, .oper = OPER_NONE };
	nlh = put_link(g_buf, &noname);
	assert_int_equal(linkmon_feed(lm, nlh, nlh->nlmsg_len), -1);
	struct lmsg zero = { .type = RTM_NEWLINK, .ifindex = 0, .name = "x", .oper = OPER_NONE };
	nlh = put_link(g_buf, &zero);
	assert_int_equal(linkmon_feed(lm, nlh, nlh->nlmsg_len), -1);
	zero.ifindex = -5;
	nlh = put_link(g_buf, &zero);
	assert_int_equal(linkmon_feed(lm, nlh, nlh->nlmsg_len), -1);
	errs += 3;

	/* An IPv4 address of 16 bytes; a prefix length of 33; no address. */
	struct amsg v4as6 = { .type = RTM_NEWADDR, .family = AF_INET6, .ifindex = 7,
			      .addr = "::1", .prefixlen = 24 };
	nlh = put_addr(g_buf, &v4as6);
	((struct ifaddrmsg *)mnl_nlmsg_get_payload(nlh))->ifa_family = AF_INET;
	assert_int_equal(linkmon_feed(lm, nlh, nlh->nlmsg_len), -1);
	struct amsg plen = { .type = RTM_NEWADDR, .family = AF_INET, .ifindex = 7,
			     .addr = "192.0.2.1", .prefixlen = 33 };
	nlh = put_addr(g_buf, &plen);
	assert_int_equal(linkmon_feed(lm, nlh, nlh->nlmsg_len), -1);
	struct amsg none = { .type = RTM_NEWADDR, .family = AF_INET, .ifindex = 7, .prefixlen = 24 };
	nlh = put_addr(g_buf, &none);
	assert_int_equal(linkmon_feed(lm, nlh, nlh->nlmsg_len), -1);
	errs += 3;

	/* An attribute whose length runs past the message. */
	struct lmsg ok = { .type = RTM_NEWLINK, .ifindex = 7, .name = "wan0",
			   .flags = ADMIN_DOWN, .oper = IF_OPER_DOWN, .mtu = 1500 };
	nlh = put_link(g_buf, &ok);
	struct nlattr *first = (struct nlattr *)((char *)mnl_nlmsg_get_payload(nlh) +
						 sizeof(struct ifinfomsg));
	first->nla_len = 400;
	assert_int_equal(linkmon_feed(lm, nlh, nlh->nlmsg_len), -1);
	first->nla_len = 2;
	assert_int_equal(linkmon_feed(lm, nlh, nlh->nlmsg_len), -1);
	errs += 2;

	assert_int_equal(stat_errors(lm), errs);
	assert_int_equal(g_rec.n, 0);
	const struct link_info *li = linkmon_find(lm, "wan0");
	assert_true(li->admin_up);
	assert_int_equal(li->mtu, 1500);
	assert_null(linkmon_at(lm, 1));
}

static void test_garbage(void **state)
{
	struct linkmon *lm = *state;
	static uint8_t junk[4096] __attribute__((aligned(8)));
	srand(12345);
	for (int round = 0; round < 2000; round++) {
		size_t len = (size_t)rand() % sizeof(junk);
		for (size_t i = 0; i < len; i++)
			junk[i] = (uint8_t)rand();
		/* Make some of it look like headers so the parsers run. */
		if (len >= 32) {
			struct nlmsghdr *nlh = (struct nlmsghdr *)junk;
			nlh->nlmsg_len = (uint32_t)(NLMSG_HDRLEN + (size_t)rand() % (len - 16));
			nlh->nlmsg_type = (uint16_t)(RTM_NEWLINK + rand() % 8);
		}
		linkmon_feed(lm, junk, len);
	}
	/* Feeding from an odd address works (the data is copied). */
	static char odd[1024] __attribute__((aligned(8)));
	struct lmsg m = { .type = RTM_NEWLINK, .ifindex = 100000, .name = "odd0",
			  .flags = UP_RUNNING, .oper = IF_OPER_UP };
	uint32_t len = put_link(odd + 8, &m)->nlmsg_len;
	memmove(odd + 1, odd + 8, len);
	assert_int_equal(linkmon_feed(lm, odd + 1, len), 0);
	assert_non_null(linkmon_find(lm, "odd0"));
	struct linkmon_stats st;
	linkmon_get_stats(lm, &st);
	assert_true(st.errors > 0);

	/* Control messages are not state and not errors. */
	uint64_t errs = st.errors;
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(g_buf);
	nlh->nlmsg_type = NLMSG_NOOP;
	assert_int_equal(linkmon_feed(lm, nlh, nlh->nlmsg_len), 0);
	nlh->nlmsg_type = NLMSG_DONE;
	assert_int_equal(linkmon_feed(lm, nlh, nlh->nlmsg_len), 0);
	assert_int_equal(stat_errors(lm), errs);
}

static void test_sequence_in_one_buffer(void **state)
{
	struct linkmon *lm = *state;
	size_t off = 0;
	struct lmsg a = { .type = RTM_NEWLINK, .ifindex = 2, .name = "veth0",
			  .flags = UP_RUNNING, .oper = IF_OPER_UP, .mtu = 1500 };
	off += NLMSG_ALIGN(put_link(g_buf + off, &a)->nlmsg_len);
	struct amsg ad = { .type = RTM_NEWADDR, .family = AF_INET, .ifindex = 2,
			   .addr = "198.51.100.2", .local = "198.51.100.2", .prefixlen = 24 };
	off += NLMSG_ALIGN(put_addr(g_buf + off, &ad)->nlmsg_len);
	a.flags = UP_NOCARRIER;
	a.oper = IF_OPER_LOWERLAYERDOWN;
	off += NLMSG_ALIGN(put_link(g_buf + off, &a)->nlmsg_len);
	a.type = RTM_DELLINK;
	off += NLMSG_ALIGN(put_link(g_buf + off, &a)->nlmsg_len);
	assert_int_equal(linkmon_feed(lm, g_buf, off), 0);

	static const enum linkmon_event want[] = {
		LINKMON_NEW, LINKMON_ADDR, LINKMON_CHANGE, LINKMON_DEL,
	};
	assert_int_equal(g_rec.n, 4);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(g_rec.r[i].ev, want[i]);
	assert_int_equal(g_rec.r[3].cur.n_addrs, 1);
	assert_null(linkmon_at(lm, 0));
	struct linkmon_stats st;
	linkmon_get_stats(lm, &st);
	assert_int_equal(st.events, 4);

	/* A good message after trailing garbage still counts the garbage. */
	uint64_t errs = stat_errors(lm);
	assert_int_equal(linkmon_feed(lm, g_buf, off + 3), -1);
	assert_int_equal(stat_errors(lm), errs + 1);
}

/* ---- resync ---------------------------------------------------------------- */

/* Builds a dump buffer: links then addresses, as the kernel sends them. */
static size_t dump_link(char *buf, size_t off, int idx, const char *name, unsigned flags, int oper)
{
	struct lmsg m = { .type = RTM_NEWLINK, .ifindex = idx, .name = name,
			  .flags = flags, .oper = oper, .mtu = 1500 };
	return off + NLMSG_ALIGN(put_link(buf + off, &m)->nlmsg_len);
}

static size_t dump_addr4(char *buf, size_t off, int idx, const char *a)
{
	struct amsg m = { .type = RTM_NEWADDR, .family = AF_INET, .ifindex = idx,
			  .addr = a, .local = a, .prefixlen = 24 };
	return off + NLMSG_ALIGN(put_addr(buf + off, &m)->nlmsg_len);
}

static void test_resync_diff(void **state)
{
	struct linkmon *lm = *state;
	newlink(lm, 1, "lo", IFF_UP | IFF_LOOPBACK | IFF_RUNNING | IFF_LOWER_UP, IF_OPER_UNKNOWN);
	newlink(lm, 2, "wan0", UP_RUNNING, IF_OPER_UP);
	newlink(lm, 3, "gone0", UP_RUNNING, IF_OPER_UP);
	newlink(lm, 4, "eth0", UP_RUNNING, IF_OPER_UP);
	addr4(lm, RTM_NEWADDR, 2, "192.0.2.2", 24);
	addr4(lm, RTM_NEWADDR, 4, "192.0.2.4", 24);
	rec_reset();

	/* While events were lost: wan0 lost carrier and its address changed,
	 * gone0 was deleted, eth0 was renamed to lan0, wwan0 appeared with an
	 * address; lo is unchanged. */
	static char dump[8192] __attribute__((aligned(8)));
	size_t off = 0;
	off = dump_link(dump, off, 1, "lo", IFF_UP | IFF_LOOPBACK | IFF_RUNNING | IFF_LOWER_UP,
			IF_OPER_UNKNOWN);
	off = dump_link(dump, off, 2, "wan0", UP_NOCARRIER, IF_OPER_DOWN);
	off = dump_link(dump, off, 4, "lan0", UP_RUNNING, IF_OPER_UP);
	off = dump_link(dump, off, 5, "wwan0", UP_RUNNING, IF_OPER_UP);
	off = dump_addr4(dump, off, 2, "192.0.2.22");
	off = dump_addr4(dump, off, 4, "192.0.2.4");
	off = dump_addr4(dump, off, 5, "100.64.0.5");

	linkmon_dump_begin(lm);
	/* Fed in two pieces (after the first message), as two recv()s. */
	size_t half = NLMSG_ALIGN(((struct nlmsghdr *)dump)->nlmsg_len);
	assert_int_equal(linkmon_dump_feed(lm, dump, half), 0);
	assert_int_equal(linkmon_dump_feed(lm, dump + half, off - half), 0);
	assert_int_equal(g_rec.n, 0);           /* nothing until the end */
	linkmon_dump_end(lm);

	struct { enum linkmon_event ev; const char *name; } want[] = {
		{ LINKMON_DEL, "gone0" },
		{ LINKMON_CHANGE, "wan0" },
		{ LINKMON_ADDR, "wan0" },
		{ LINKMON_DEL, "eth0" },
		{ LINKMON_NEW, "lan0" },
		{ LINKMON_NEW, "wwan0" },
	};
	size_t nwant = sizeof(want) / sizeof(want[0]);
	assert_int_equal(g_rec.n, nwant);
	for (size_t i = 0; i < nwant; i++) {
		assert_int_equal(g_rec.r[i].ev, want[i].ev);
		assert_string_equal(g_rec.r[i].cur.name, want[i].name);
	}
	struct rec *chg = &g_rec.r[1], *adr = &g_rec.r[2], *wwan = &g_rec.r[5];
	assert_true(chg->old.carrier);
	assert_false(chg->cur.carrier);
	assert_addr(&adr->old.addrs[0], "192.0.2.2", 24);
	assert_addr(&adr->cur.addrs[0], "192.0.2.22", 24);
	/* NEW after a resync carries the addresses. */
	assert_int_equal(wwan->cur.n_addrs, 1);
	assert_addr(&wwan->cur.addrs[0], "100.64.0.5", 24);
	assert_int_equal(g_rec.r[4].cur.n_addrs, 1);

	/* Table equals the dump. */
	static const int idx[] = { 1, 2, 4, 5 };
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(linkmon_at(lm, i)->ifindex, idx[i]);
	assert_null(linkmon_at(lm, 4));

	/* The same dump again: no differences, no events. */
	rec_reset();
	linkmon_dump_begin(lm);
	assert_int_equal(linkmon_dump_feed(lm, dump, off), 0);
	linkmon_dump_end(lm);
	assert_int_equal(g_rec.n, 0);

	/* A malformed dump message is counted and skipped, like an event. */
	static const uint8_t junk[8] __attribute__((aligned(8))) = { 5, 0, 0, 0, 16, 0, 0, 0 };
	uint64_t errs = stat_errors(lm);
	linkmon_dump_begin(lm);
	assert_int_equal(linkmon_dump_feed(lm, dump, off), 0);
	assert_int_equal(linkmon_dump_feed(lm, junk, sizeof(junk)), -1);
	linkmon_dump_end(lm);
	assert_int_equal(g_rec.n, 0);
	assert_int_equal(stat_errors(lm), errs + 1);

	/* An empty dump deletes everything. */
	linkmon_dump_begin(lm);
	linkmon_dump_end(lm);
	assert_int_equal(g_rec.n, 4);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(g_rec.r[i].ev, LINKMON_DEL);
	assert_null(linkmon_at(lm, 0));
}

static void test_event_names(void **state)
{
	assert_string_equal(linkmon_event_name(LINKMON_NEW), "NEW");
	assert_string_equal(linkmon_event_name(LINKMON_DEL), "DEL");
	assert_string_equal(linkmon_event_name(LINKMON_CHANGE), "CHANGE");
	assert_string_equal(linkmon_event_name(LINKMON_ADDR), "ADDR");
	assert_string_equal(linkmon_event_name((enum linkmon_event)99), "?");
}

/* ---- callback view of the table ---------------------------------------------- */

static struct linkmon *g_lm;
static int g_seen;

/* During a callback the table already reflects the event. */
static void check_table(void *arg, enum linkmon_event ev, const struct link_info *old,
			const struct link_info *cur)
{
	const struct link_info *li = linkmon_find(g_lm, cur->name);
	switch (ev) {
	case LINKMON_NEW:
	case LINKMON_CHANGE:
	case LINKMON_ADDR:
		assert_non_null(li);
		assert_int_equal(li->flags, cur->flags);
		assert_int_equal(li->n_addrs, cur->n_addrs);
		break;
	case LINKMON_DEL:
		assert_null(li);
		break;
	}
	g_seen++;
}

static void test_callback_sees_table(void **state)
{
	struct linkmon *lm = linkmon_new_detached(check_table, NULL);
	g_lm = lm;
	g_seen = 0;
	newlink(lm, 2, "a", UP_RUNNING, IF_OPER_UP);
	addr4(lm, RTM_NEWADDR, 2, "192.0.2.1", 24);
	newlink(lm, 2, "a", UP_NOCARRIER, IF_OPER_DOWN);
	newlink(lm, 2, "b", UP_NOCARRIER, IF_OPER_DOWN);        /* rename */
	struct lmsg del = { .type = RTM_DELLINK, .ifindex = 2, .name = "b", .oper = OPER_NONE };
	feed_link(lm, &del);
	assert_int_equal(g_seen, 6);
	linkmon_free(lm);
}

/* ---- the socket path, against this machine's kernel ----------------------- */

static void test_live_socket(void **state)
{
	/* qemu-user 7.2 converts every rtnetlink attribute of a dump to the
	 * guest's byte order except a last one without payload (its walk stops
	 * at len > 4): on a big-endian guest the kernel's messages arrive
	 * corrupt. The parser's byte-order handling is covered by the
	 * hand-made messages above; the live kernel is tested natively. */
	if (getenv("AUTONOMY_QEMU_CROSS_ENDIAN")) {
		print_message("rtnetlink through qemu-user is not faithful: skipped\n");
		skip();
	}
	struct event_base *base = event_base_new();
	assert_non_null(base);
	rec_reset();
	struct linkmon *lm = linkmon_new(base, record, NULL);
	if (!lm && (errno == EPERM || errno == EACCES || errno == EAFNOSUPPORT)) {
		event_base_free(base);
		skip();
	}
	assert_non_null(lm);
	/* The initial table is loaded silently; every namespace has lo. */
	assert_int_equal(g_rec.n, 0);
	const struct link_info *lo = linkmon_find(lm, "lo");
	assert_non_null(lo);
	assert_true(lo->flags & IFF_LOOPBACK);
	int lo_index = lo->ifindex;

	/* A requested resync runs on the loop: dump, diff, resume. */
	linkmon_resync(lm);
	struct timeval tv = { .tv_sec = 0, .tv_usec = 300 * 1000 };
	event_base_loopexit(base, &tv);
	assert_int_equal(event_base_dispatch(base), 0);

	struct linkmon_stats st;
	linkmon_get_stats(lm, &st);
	assert_int_equal(st.resyncs, 1);
	assert_int_equal(st.errors, 0);
	assert_true(st.events >= 2);    /* lo's link and address messages, twice */
	/* Nothing changed that should have: lo was not reported deleted. */
	for (size_t i = 0; i < g_rec.n; i++)
		assert_false(g_rec.r[i].ev == LINKMON_DEL && g_rec.r[i].cur.ifindex == lo_index);
	assert_non_null(linkmon_find_index(lm, lo_index));
	assert_int_equal(linkmon_set_rcvbuf(lm, 1 << 20), 0);

	linkmon_free(lm);
	event_base_free(base);
}

static void test_detached_socket_calls(void **state)
{
	struct linkmon *lm = *state;
	errno = 0;
	assert_int_equal(linkmon_set_rcvbuf(lm, 4096), -1);
	assert_int_equal(errno, ENOTCONN);
	linkmon_resync(lm);     /* no-op, no crash */
	struct linkmon_stats st;
	linkmon_get_stats(lm, &st);
	assert_int_equal(st.resyncs, 0);
	linkmon_free(NULL);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_new_link),
		T(test_carrier_loss_and_back),
		T(test_no_event_without_change),
		T(test_mtu_change),
		T(test_admin_down),
		T(test_oper_unknown_with_carrier),
		T(test_rename),
		T(test_delete),
		T(test_bridge_family_ignored),
		T(test_many_links_in_one_buffer),
		T(test_addr_v4),
		T(test_addr_v4_ptp_prefers_local),
		T(test_addr_v6),
		T(test_addr_unknown_link),
		T(test_addr_overflow),
		T(test_truncated_messages),
		T(test_bad_attributes),
		T(test_garbage),
		T(test_sequence_in_one_buffer),
		T(test_resync_diff),
		T(test_callback_sees_table),
		cmocka_unit_test(test_event_names),
		cmocka_unit_test(test_live_socket),
		T(test_detached_socket_calls),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
