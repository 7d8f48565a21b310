/* Unit tests for the route backend's pure parts: the netlink batch it would
 * send (parsed back with libmnl, attribute by attribute), the plan (wanted
 * state diffed against synthetic dumps), gateway learning from synthetic
 * route dumps laid out as the kernel sends them, the protocol marker, and
 * the conntrack dump filter and delete requests. No sockets. */
#include "route/route_int.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/rtnetlink.h>

#define PROTO ROUTE_PROTO_DEFAULT

/* ---- helpers ----------------------------------------------------------------- */

static union route_ip ip(const char *s)
{
	union route_ip a;
	memset(&a, 0, sizeof(a));
	assert_int_equal(inet_pton(strchr(s, ':') ? AF_INET6 : AF_INET, s, &a), 1);
	return a;
}

static struct route_addr addr(const char *s)
{
	struct route_addr a;
	assert_int_equal(route_addr_parse(s, &a), 0);
	return a;
}

static const struct route_cfg CFG = {
	.metric = 0, .default_table = RT_TABLE_MAIN, .main_table = RT_TABLE_MAIN,
	.rule_pref = 1100, .protocol = PROTO, .ipv6 = true,
};

/* The lab's three members, device up, gateways learnt. */
static void lab_members(struct route_mstate *ms, int n)
{
	static const char *names[] = { "wan", "sl", "lte" };
	memset(ms, 0, (size_t)n * sizeof(*ms));
	for (int i = 0; i < n; i++) {
		char a4[32], a6[48], g4[32], g6[48];
		snprintf(ms[i].m.name, sizeof(ms[i].m.name), "%s", names[i]);
		snprintf(ms[i].m.device, sizeof(ms[i].m.device), "%s", names[i]);
		ms[i].m.table = 101 + (uint32_t)i;
		ms[i].ifindex = 2 + i;
		snprintf(a4, sizeof(a4), "10.%d.0.2/30", i + 1);
		snprintf(a6, sizeof(a6), "2001:db8:%d::2/64", i + 1);
		ms[i].m.src[0] = addr(a4);
		ms[i].m.src[1] = addr(a6);
		ms[i].m.n_src = 2;
		snprintf(g4, sizeof(g4), "10.%d.0.1", i + 1);
		snprintf(g6, sizeof(g6), "2001:db8:%d::1", i + 1);
		ms[i].gw[0] = (struct route_gw){ .source = ROUTE_GW_PEER, .family = AF_INET, .gw = ip(g4) };
		ms[i].gw[1] = (struct route_gw){ .source = ROUTE_GW_CONFIG, .family = AF_INET6,
						 .gw = ip(g6) };
	}
	ms[0].m.fwmark = 0x100;
	ms[0].m.fwmask = 0xff00;
}

#define LAB_MEMBERS(ms) lab_members(ms, (int)(sizeof(ms) / sizeof(ms[0])))

/* A route message laid out as the kernel dumps it (built by hand, not with
 * the code under test). gw may be NULL. */
static struct nlmsghdr *k_route(void *buf, int family, uint32_t table, uint8_t proto,
				const char *dst, uint8_t dst_len, const char *gw, int oif,
				uint32_t metric)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWROUTE;
	nlh->nlmsg_flags = NLM_F_MULTI;
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)family;
	rtm->rtm_dst_len = dst_len;
	rtm->rtm_table = table < 256 ? (uint8_t)table : RT_TABLE_COMPAT;
	rtm->rtm_protocol = proto;
	rtm->rtm_scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put_u32(nlh, RTA_TABLE, table);
	if (dst_len) {
		union route_ip d = ip(dst);
		mnl_attr_put(nlh, RTA_DST, route_ip_len(family), &d);
	}
	mnl_attr_put_u32(nlh, RTA_PRIORITY, metric);
	if (gw) {
		union route_ip g = ip(gw);
		mnl_attr_put(nlh, RTA_GATEWAY, route_ip_len(family), &g);
	}
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)oif);
	return nlh;
}

static void feed(struct route_objs *s, const struct nlmsghdr *nlh)
{
	assert_int_equal(route_objs_feed(s, nlh, PROTO), 0);
}

static void add_default(struct route_objs *s, int family, uint32_t table, uint8_t proto,
			const char *gw, int oif, uint32_t metric)
{
	char buf[512] __attribute__((aligned(8)));
	feed(s, k_route(buf, family, table, proto, NULL, 0, gw, oif, metric));
}

/* Turns every request of a batch into the dump message the kernel would
 * report for it, fed into have: what the kernel holds after the batch. */
static void batch_to_have(const void *buf, size_t len, struct route_objs *have)
{
	const struct nlmsghdr *nlh = buf;
	int left = (int)len;
	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		char copy[512] __attribute__((aligned(8)));
		memcpy(copy, nlh, nlh->nlmsg_len);
		struct nlmsghdr *c = (struct nlmsghdr *)copy;
		if (c->nlmsg_type == RTM_NEWROUTE || c->nlmsg_type == RTM_NEWRULE)
			feed(have, c);
	}
}

static size_t plan_batch(struct route_plan *p, void *buf, size_t size)
{
	size_t next = 0;
	size_t len = route_plan_batch(p, &next, buf, size, 1000);
	assert_int_equal(next, p->n);
	return len;
}

static void plan_for(struct route_mstate *ms, size_t n, enum route_act_state st, int active,
		     const struct route_objs *have, struct route_objs *want, struct route_plan *p)
{
	struct route_want w = { &CFG, ms, n, st, active };
	assert_int_equal(route_wanted(&w, have, want), 0);
	assert_int_equal(route_diff(want, have, p), 0);
}

/* ---- message building ----------------------------------------------------------- */

struct rt_attrs {
	const struct nlattr *tb[RTA_MAX + 1];
};

static int rt_attr_cb(const struct nlattr *a, void *data)
{
	struct rt_attrs *r = data;
	if (mnl_attr_type_valid(a, RTA_MAX) > 0)
		r->tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

static void test_msg_route_default(void **state)
{
	char buf[ROUTE_MSG_MAX] __attribute__((aligned(8)));
	struct route_rt r = {
		.family = AF_INET, .protocol = PROTO, .type = RTN_UNICAST, .table = 101, .metric = 7,
		.n_nh = 1, .nh = { { .oif = 3, .gw_family = AF_INET, .gw = ip("10.1.0.1") } },
	};
	struct nlmsghdr *nlh = route_msg_route(buf, RTM_NEWROUTE,
					       NLM_F_CREATE | NLM_F_REPLACE | NLM_F_ACK, 42, &r);
	assert_int_equal(nlh->nlmsg_type, RTM_NEWROUTE);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE | NLM_F_ACK);
	assert_int_equal(nlh->nlmsg_seq, 42);
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(rtm->rtm_family, AF_INET);
	assert_int_equal(rtm->rtm_dst_len, 0);
	assert_int_equal(rtm->rtm_table, 101);
	assert_int_equal(rtm->rtm_protocol, 0xa5);
	assert_int_equal(rtm->rtm_type, RTN_UNICAST);
	assert_int_equal(rtm->rtm_scope, RT_SCOPE_UNIVERSE);
	struct rt_attrs a = { 0 };
	assert_int_equal(mnl_attr_parse(nlh, sizeof(*rtm), rt_attr_cb, &a), MNL_CB_OK);
	assert_int_equal(mnl_attr_get_u32(a.tb[RTA_TABLE]), 101);
	assert_int_equal(mnl_attr_get_u32(a.tb[RTA_OIF]), 3);
	assert_int_equal(mnl_attr_get_u32(a.tb[RTA_PRIORITY]), 7);
	assert_int_equal(mnl_attr_get_payload_len(a.tb[RTA_GATEWAY]), 4);
	union route_ip gw = ip("10.1.0.1");
	assert_memory_equal(mnl_attr_get_payload(a.tb[RTA_GATEWAY]), &gw, 4);
	assert_null(a.tb[RTA_DST]);
}

/* Tables past 255 only fit RTA_TABLE; a device route has no gateway. */
static void test_msg_route_big_table_device(void **state)
{
	char buf[ROUTE_MSG_MAX] __attribute__((aligned(8)));
	struct route_rt r = {
		.family = AF_INET6, .protocol = PROTO, .type = RTN_UNICAST, .scope = RT_SCOPE_LINK,
		.table = 1000, .metric = 1, .n_nh = 1, .nh = { { .oif = 9 } },
	};
	struct nlmsghdr *nlh = route_msg_route(buf, RTM_NEWROUTE, 0, 1, &r);
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(rtm->rtm_table, RT_TABLE_UNSPEC);
	struct rt_attrs a = { 0 };
	assert_int_equal(mnl_attr_parse(nlh, sizeof(*rtm), rt_attr_cb, &a), MNL_CB_OK);
	assert_int_equal(mnl_attr_get_u32(a.tb[RTA_TABLE]), 1000);
	assert_null(a.tb[RTA_GATEWAY]);
	assert_int_equal(mnl_attr_get_u32(a.tb[RTA_OIF]), 9);
	/* and it parses back to the same route */
	struct route_rt back;
	assert_int_equal(route_msg_parse_route(nlh, &back), 0);
	assert_true(route_rt_equal(&r, &back));
}

struct rule_attrs {
	const struct nlattr *tb[FRA_MAX + 1];
};

static int rule_attr_cb(const struct nlattr *a, void *data)
{
	struct rule_attrs *r = data;
	if (mnl_attr_type_valid(a, FRA_MAX) > 0)
		r->tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

static void test_msg_rules(void **state)
{
	char buf[ROUTE_MSG_MAX] __attribute__((aligned(8)));
	struct route_rule r = {
		.family = AF_INET6, .action = FR_ACT_TO_TBL, .protocol = PROTO, .priority = 1102,
		.table = 102, .src_len = 128, .src = ip("2001:db8:2::2"), .fwmask = UINT32_MAX,
		.suppress_prefixlen = UINT32_MAX,
	};
	struct nlmsghdr *nlh = route_msg_rule(buf, RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL, 5, &r);
	const struct fib_rule_hdr *frh = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(frh->family, AF_INET6);
	assert_int_equal(frh->src_len, 128);
	assert_int_equal(frh->action, FR_ACT_TO_TBL);
	assert_int_equal(frh->table, 102);
	struct rule_attrs a = { 0 };
	assert_int_equal(mnl_attr_parse(nlh, sizeof(*frh), rule_attr_cb, &a), MNL_CB_OK);
	assert_int_equal(mnl_attr_get_u32(a.tb[FRA_PRIORITY]), 1102);
	assert_int_equal(mnl_attr_get_u32(a.tb[FRA_TABLE]), 102);
	assert_int_equal(mnl_attr_get_u8(a.tb[FRA_PROTOCOL]), 0xa5);
	assert_memory_equal(mnl_attr_get_payload(a.tb[FRA_SRC]), &r.src, 16);
	assert_null(a.tb[FRA_FWMARK]);
	assert_null(a.tb[FRA_SUPPRESS_PREFIXLEN]);

	/* fwmark + mask, oif, suppress */
	memset(&r, 0, sizeof(r));
	r = (struct route_rule){ .family = AF_INET, .action = FR_ACT_TO_TBL, .protocol = PROTO,
				 .priority = 1101, .table = 101, .has_fwmark = true,
				 .fwmark = 0x100, .fwmask = 0xff00, .suppress_prefixlen = 0 };
	strcpy(r.oifname, "wan");
	nlh = route_msg_rule(buf, RTM_NEWRULE, 0, 6, &r);
	memset(&a, 0, sizeof(a));
	assert_int_equal(mnl_attr_parse(nlh, sizeof(*frh), rule_attr_cb, &a), MNL_CB_OK);
	assert_int_equal(mnl_attr_get_u32(a.tb[FRA_FWMARK]), 0x100);
	assert_int_equal(mnl_attr_get_u32(a.tb[FRA_FWMASK]), 0xff00);
	assert_string_equal(mnl_attr_get_str(a.tb[FRA_OIFNAME]), "wan");
	assert_int_equal(mnl_attr_get_u32(a.tb[FRA_SUPPRESS_PREFIXLEN]), 0);
	struct route_rule back;
	assert_int_equal(route_msg_parse_rule(nlh, &back), 0);
	assert_true(route_rule_equal(&r, &back));
	assert_false(back.extra);
}

/* ---- the batch ---------------------------------------------------------------------- */

struct seen {
	unsigned routes, rules, dels;
	bool main_v4_first;
};

static void check_batch(const void *buf, size_t len, struct seen *s)
{
	const struct nlmsghdr *nlh = buf;
	int left = (int)len;
	uint32_t seq = 1000;
	memset(s, 0, sizeof(*s));
	for (int i = 0; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left), i++) {
		assert_int_equal(nlh->nlmsg_seq, seq++);
		assert_true(nlh->nlmsg_flags & NLM_F_ACK);
		assert_true(nlh->nlmsg_flags & NLM_F_REQUEST);
		if (nlh->nlmsg_type == RTM_NEWROUTE) {
			assert_int_equal(nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_REPLACE),
					 NLM_F_CREATE | NLM_F_REPLACE);
			struct route_rt r;
			assert_int_equal(route_msg_parse_route(nlh, &r), 0);
			assert_int_equal(r.protocol, PROTO);
			if (i == 0)
				s->main_v4_first = r.table == RT_TABLE_MAIN && r.family == AF_INET;
			s->routes++;
		} else if (nlh->nlmsg_type == RTM_NEWRULE) {
			assert_int_equal(nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL),
					 NLM_F_CREATE | NLM_F_EXCL);
			struct route_rule r;
			assert_int_equal(route_msg_parse_rule(nlh, &r), 0);
			assert_int_equal(r.protocol, PROTO);
			s->rules++;
		} else {
			s->dels++;
		}
	}
	assert_int_equal(left, 0);
}

/* From nothing: 2 defaults in main + 3 members x 2 families of table
 * defaults; rules per family: suppress, 1 fwmark, 3 from, 3 oif. */
static void test_plan_initial_batch(void **state)
{
	struct route_mstate ms[3];
	struct route_objs have = { 0 }, want = { 0 };
	struct route_plan p = { 0 };
	char buf[ROUTE_BATCH_BUF] __attribute__((aligned(8)));
	struct seen s;
	LAB_MEMBERS(ms);
	plan_for(ms, 3, ROUTE_ST_ACTIVE, 0, &have, &want, &p);
	size_t len = plan_batch(&p, buf, sizeof(buf));
	check_batch(buf, len, &s);
	assert_int_equal(s.routes, 8);
	assert_int_equal(s.rules, 16);
	assert_int_equal(s.dels, 0);
	assert_true(s.main_v4_first);

	/* The kernel now holds it: the same plan again is empty. */
	batch_to_have(buf, len, &have);
	plan_for(ms, 3, ROUTE_ST_ACTIVE, 0, &have, &want, &p);
	assert_int_equal(p.n, 0);
	route_objs_free(&have);
	route_objs_free(&want);
	route_plan_free(&p);
}

/* A switch is two replaces (v4 and v6 default in main), nothing deleted:
 * no moment without a default route. */
static void test_plan_switch(void **state)
{
	struct route_mstate ms[3];
	struct route_objs have = { 0 }, want = { 0 };
	struct route_plan p = { 0 };
	char buf[ROUTE_BATCH_BUF] __attribute__((aligned(8)));
	LAB_MEMBERS(ms);
	plan_for(ms, 3, ROUTE_ST_ACTIVE, 0, &have, &want, &p);
	batch_to_have(buf, plan_batch(&p, buf, sizeof(buf)), &have);
	plan_for(ms, 3, ROUTE_ST_ACTIVE, 1, &have, &want, &p);
	assert_int_equal(p.n, 2);
	for (size_t i = 0; i < p.n; i++) {
		assert_int_equal(p.ops[i].kind, ROUTE_OP_REPLACE);
		assert_int_equal(p.ops[i].obj.rt.table, RT_TABLE_MAIN);
		assert_int_equal(p.ops[i].obj.rt.nh[0].oif, 3);
	}
	assert_int_equal(p.ops[1].obj.rt.metric, 1);        /* IPv6: at least 1 */
	route_objs_free(&have);
	route_objs_free(&want);
	route_plan_free(&p);
}

/* A member that goes away: its table route and rules are deleted by
 * sending back what the dump said, as RTM_DEL*. */
static void test_plan_stale_deleted_raw(void **state)
{
	struct route_mstate ms[3];
	struct route_objs have = { 0 }, want = { 0 };
	struct route_plan p = { 0 };
	char buf[ROUTE_BATCH_BUF] __attribute__((aligned(8)));
	struct seen s;
	LAB_MEMBERS(ms);
	plan_for(ms, 3, ROUTE_ST_ACTIVE, 0, &have, &want, &p);
	batch_to_have(buf, plan_batch(&p, buf, sizeof(buf)), &have);
	plan_for(ms, 2, ROUTE_ST_ACTIVE, 0, &have, &want, &p);  /* lte gone */
	/* 2 table routes, per family a from and an oif rule */
	assert_int_equal(p.n, 6);
	size_t len = plan_batch(&p, buf, sizeof(buf));
	check_batch(buf, len, &s);
	assert_int_equal(s.dels, 6);
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	assert_true(nlh->nlmsg_type == RTM_DELROUTE || nlh->nlmsg_type == RTM_DELRULE);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	route_objs_free(&have);
	route_objs_free(&want);
	route_plan_free(&p);
}

/* Undecided: our default route from before stays as it is. */
static void test_plan_unknown_keeps_default(void **state)
{
	struct route_mstate ms[3];
	struct route_objs have = { 0 }, want = { 0 };
	struct route_plan p = { 0 };
	LAB_MEMBERS(ms);
	add_default(&have, AF_INET, RT_TABLE_MAIN, PROTO, "10.3.0.1", 4, 0);
	plan_for(ms, 3, ROUTE_ST_UNKNOWN, -1, &have, &want, &p);
	for (size_t i = 0; i < p.n; i++)
		assert_int_not_equal(p.ops[i].kind, ROUTE_OP_DEL);
	/* NONE withdraws it */
	plan_for(ms, 3, ROUTE_ST_NONE, -1, &have, &want, &p);
	bool deleted = false;
	for (size_t i = 0; i < p.n; i++)
		deleted |= p.ops[i].kind == ROUTE_OP_DEL && p.ops[i].obj.rt.table == RT_TABLE_MAIN;
	assert_true(deleted);
	route_objs_free(&have);
	route_objs_free(&want);
	route_plan_free(&p);
}

/* Shutdown with RESTORE: rules and member tables go; our default route
 * stays unless another default route (netifd's) takes over. */
static void test_plan_restore(void **state)
{
	struct route_mstate ms[3];
	struct route_objs have = { 0 }, want = { 0 };
	struct route_plan p = { 0 };
	char buf[ROUTE_BATCH_BUF] __attribute__((aligned(8)));
	LAB_MEMBERS(ms);
	plan_for(ms, 3, ROUTE_ST_ACTIVE, 0, &have, &want, &p);
	batch_to_have(buf, plan_batch(&p, buf, sizeof(buf)), &have);
	plan_for(ms, 3, ROUTE_ST_RESTORE, -1, &have, &want, &p);
	assert_int_equal(p.n, 6 + 16);  /* table routes and rules, not the defaults */
	for (size_t i = 0; i < p.n; i++) {
		assert_int_equal(p.ops[i].kind, ROUTE_OP_DEL);
		if (p.ops[i].obj.kind == ROUTE_OBJ_ROUTE)
			assert_int_not_equal(p.ops[i].obj.rt.table, RT_TABLE_MAIN);
	}
	add_default(&have, AF_INET, RT_TABLE_MAIN, RTPROT_STATIC, "10.2.0.1", 3, 10);
	plan_for(ms, 3, ROUTE_ST_RESTORE, -1, &have, &want, &p);
	assert_int_equal(p.n, 6 + 16 + 1);      /* the IPv4 one goes too now */
	route_objs_free(&have);
	route_objs_free(&want);
	route_plan_free(&p);
}

/* Someone else's route in the very slot of ours gets replaced: counted so
 * the status can say so. */
static void test_plan_foreign_slot(void **state)
{
	struct route_mstate ms[1];
	struct route_objs have = { 0 }, want = { 0 };
	struct route_plan p = { 0 };
	LAB_MEMBERS(ms);
	ms[0].m.table = 0;
	add_default(&have, AF_INET, RT_TABLE_MAIN, RTPROT_STATIC, "10.1.0.1", 2, 0);
	plan_for(ms, 1, ROUTE_ST_ACTIVE, 0, &have, &want, &p);
	assert_int_equal(p.foreign_replaced, 1);
	assert_int_equal(p.n, 2);
	route_objs_free(&have);
	route_objs_free(&want);
	route_plan_free(&p);
}

/* A down device, a family without an address or gateway: no routes. */
static void test_plan_member_not_serving(void **state)
{
	struct route_mstate ms[3];
	struct route_objs have = { 0 }, want = { 0 };
	struct route_plan p = { 0 };
	LAB_MEMBERS(ms);
	ms[0].down = true;
	ms[1].m.n_src = 1;                      /* sl: no IPv6 address */
	ms[2].gw[1].source = ROUTE_GW_NONE;     /* lte: no IPv6 gateway */
	assert_false(route_member_serves(&ms[0], AF_INET));
	assert_false(route_member_serves(&ms[1], AF_INET6));
	assert_true(route_member_serves(&ms[1], AF_INET));
	plan_for(ms, 3, ROUTE_ST_ACTIVE, 0, &have, &want, &p);
	unsigned routes = 0;
	for (size_t i = 0; i < p.n; i++)
		routes += p.ops[i].obj.kind == ROUTE_OBJ_ROUTE;
	assert_int_equal(routes, 2);            /* sl and lte table defaults, IPv4 */
	route_objs_free(&have);
	route_objs_free(&want);
	route_plan_free(&p);
}

/* A dedicated default table gets its rule after the suppress rule. */
static void test_plan_dedicated_table(void **state)
{
	struct route_mstate ms[1];
	struct route_objs have = { 0 }, want = { 0 };
	struct route_plan p = { 0 };
	struct route_cfg cfg = CFG;
	cfg.default_table = 99;
	cfg.ipv6 = false;
	LAB_MEMBERS(ms);
	ms[0].m.table = 0;
	struct route_want w = { &cfg, ms, 1, ROUTE_ST_ACTIVE, 0 };
	assert_int_equal(route_wanted(&w, &have, &want), 0);
	assert_int_equal(want.n, 3);            /* default in 99, suppress, lookup 99 */
	assert_int_equal(want.v[0].rt.table, 99);
	assert_int_equal(want.v[1].rule.suppress_prefixlen, 0);
	assert_int_equal(want.v[2].rule.priority, 1104);
	assert_int_equal(want.v[2].rule.table, 99);
	route_objs_free(&have);
	route_objs_free(&want);
	route_plan_free(&p);
}

/* ---- gateway learning ---------------------------------------------------------------------- */

static struct route_member member(const char *a4)
{
	struct route_member m;
	memset(&m, 0, sizeof(m));
	strcpy(m.name, "wan");
	strcpy(m.device, "wan");
	if (a4) {
		m.src[0] = addr(a4);
		m.n_src = 1;
	}
	return m;
}

static void assert_gw(const struct route_gw *g, enum route_gw_source src, const char *via)
{
	assert_int_equal(g->source, src);
	if (!via) {
		assert_int_equal(g->family, 0);
		return;
	}
	union route_ip want = ip(via);
	assert_true(route_ip_eq(g->family, &g->gw, &want));
}

/* Someone's default via the device: main first, then lowest metric. */
static void test_learn_from_routes(void **state)
{
	struct route_objs have = { 0 };
	struct route_member m = member("192.0.2.10/24");
	struct route_gw g;
	add_default(&have, AF_INET, 200, RTPROT_STATIC, "192.0.2.9", 3, 0);
	add_default(&have, AF_INET, RT_TABLE_MAIN, RTPROT_DHCP, "192.0.2.2", 3, 20);
	add_default(&have, AF_INET, RT_TABLE_MAIN, RTPROT_DHCP, "192.0.2.1", 3, 10);
	add_default(&have, AF_INET, RT_TABLE_MAIN, RTPROT_DHCP, "198.51.100.1", 7, 0);
	route_learn_gateway(&m, 3, AF_INET, RT_TABLE_MAIN, &have, NULL, &g);
	assert_gw(&g, ROUTE_GW_ROUTE, "192.0.2.1");
	assert_int_equal(g.table, RT_TABLE_MAIN);
	assert_int_equal(g.protocol, RTPROT_DHCP);
	/* only the table-200 one left */
	route_objs_clear(&have);
	add_default(&have, AF_INET, 200, RTPROT_STATIC, "192.0.2.9", 3, 0);
	route_learn_gateway(&m, 3, AF_INET, RT_TABLE_MAIN, &have, NULL, &g);
	assert_gw(&g, ROUTE_GW_ROUTE, "192.0.2.9");
	assert_int_equal(g.table, 200);
	/* IPv6 from an RA, link-local gateway */
	add_default(&have, AF_INET6, RT_TABLE_MAIN, RTPROT_RA, "fe80::1", 3, 1024);
	route_learn_gateway(&m, 3, AF_INET6, RT_TABLE_MAIN, &have, NULL, &g);
	assert_gw(&g, ROUTE_GW_ROUTE, "fe80::1");
	route_objs_free(&have);
}

/* A multipath default with one nexthop on the member's device. */
static void test_learn_multipath(void **state)
{
	char buf[512] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWROUTE;
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put_u32(nlh, RTA_TABLE, RT_TABLE_MAIN);
	struct nlattr *mp = mnl_attr_nest_start(nlh, RTA_MULTIPATH);
	const char *gws[] = { "10.9.0.1", "10.1.0.1" };
	for (int i = 0; i < 2; i++) {
		struct rtnexthop *nh = mnl_nlmsg_get_payload_tail(nlh);
		nlh->nlmsg_len += RTNH_ALIGN(sizeof(*nh));
		memset(nh, 0, sizeof(*nh));
		nh->rtnh_ifindex = i == 0 ? 9 : 3;
		union route_ip g = ip(gws[i]);
		mnl_attr_put(nlh, RTA_GATEWAY, 4, &g);
		nh->rtnh_len = (unsigned short)((char *)mnl_nlmsg_get_payload_tail(nlh) - (char *)nh);
	}
	mnl_attr_nest_end(nlh, mp);
	struct route_objs have = { 0 };
	feed(&have, nlh);
	assert_int_equal(have.n, 1);
	assert_true(have.v[0].rt.multipath);
	assert_int_equal(have.v[0].rt.n_nh, 2);
	struct route_member m = member("10.1.0.2/24");
	struct route_gw g;
	route_learn_gateway(&m, 3, AF_INET, RT_TABLE_MAIN, &have, NULL, &g);
	assert_gw(&g, ROUTE_GW_ROUTE, "10.1.0.1");
	route_objs_free(&have);
}

static void test_learn_peer(void **state)
{
	struct route_objs have = { 0 };
	struct route_gw g;
	struct route_member m = member("10.1.0.2/30");
	route_learn_gateway(&m, 3, AF_INET, RT_TABLE_MAIN, &have, NULL, &g);
	assert_gw(&g, ROUTE_GW_PEER, "10.1.0.1");
	m = member("10.1.0.1/30");
	route_learn_gateway(&m, 3, AF_INET, RT_TABLE_MAIN, &have, NULL, &g);
	assert_gw(&g, ROUTE_GW_PEER, "10.1.0.2");
	m = member("10.1.0.3/30");              /* the broadcast address: no */
	route_learn_gateway(&m, 3, AF_INET, RT_TABLE_MAIN, &have, NULL, &g);
	assert_int_equal(g.source, ROUTE_GW_NONE);
	m = member("100.64.0.6/31");
	route_learn_gateway(&m, 3, AF_INET, RT_TABLE_MAIN, &have, NULL, &g);
	assert_gw(&g, ROUTE_GW_PEER, "100.64.0.7");
	m = member("2001:db8::a/127");
	route_learn_gateway(&m, 3, AF_INET6, RT_TABLE_MAIN, &have, NULL, &g);
	assert_gw(&g, ROUTE_GW_PEER, "2001:db8::b");
	m = member("10.1.0.2/24");              /* a LAN-sized subnet: no guess */
	route_learn_gateway(&m, 3, AF_INET, RT_TABLE_MAIN, &have, NULL, &g);
	assert_int_equal(g.source, ROUTE_GW_NONE);
	/* a foreign default route beats the peer */
	m = member("10.1.0.2/30");
	add_default(&have, AF_INET, RT_TABLE_MAIN, RTPROT_BOOT, "10.1.0.1", 3, 5);
	route_learn_gateway(&m, 3, AF_INET, RT_TABLE_MAIN, &have, NULL, &g);
	assert_int_equal(g.source, ROUTE_GW_ROUTE);
	route_objs_free(&have);
}

/* Our own route from a previous run, if it fits the member's subnet. */
static void test_learn_own_and_cached(void **state)
{
	struct route_objs have = { 0 };
	struct route_gw g, prev;
	struct route_member m = member("192.0.2.10/24");
	add_default(&have, AF_INET, 101, PROTO, "192.0.2.1", 3, 0);
	assert_true(have.v[0].owned);
	route_learn_gateway(&m, 3, AF_INET, RT_TABLE_MAIN, &have, NULL, &g);
	assert_gw(&g, ROUTE_GW_OWN, "192.0.2.1");
	/* the member moved to another subnet: our old gateway is stale */
	m = member("198.51.100.10/24");
	route_learn_gateway(&m, 3, AF_INET, RT_TABLE_MAIN, &have, NULL, &g);
	assert_int_equal(g.source, ROUTE_GW_NONE);
	/* nothing in the kernel any more (admin-down): the last answer */
	route_objs_clear(&have);
	m = member("192.0.2.10/24");
	prev = (struct route_gw){ .source = ROUTE_GW_ROUTE, .family = AF_INET, .gw = ip("192.0.2.1") };
	route_learn_gateway(&m, 3, AF_INET, RT_TABLE_MAIN, &have, &prev, &g);
	assert_gw(&g, ROUTE_GW_CACHED, "192.0.2.1");
	m = member("198.51.100.10/24");
	route_learn_gateway(&m, 3, AF_INET, RT_TABLE_MAIN, &have, &prev, &g);
	assert_int_equal(g.source, ROUTE_GW_NONE);
	/* a configured gateway is not remembered once the config drops it */
	prev.source = ROUTE_GW_CONFIG;
	m = member("192.0.2.10/24");
	route_learn_gateway(&m, 3, AF_INET, RT_TABLE_MAIN, &have, &prev, &g);
	assert_int_equal(g.source, ROUTE_GW_NONE);
	route_objs_free(&have);
}

static void test_learn_config_device_nhid(void **state)
{
	struct route_objs have = { 0 };
	struct route_gw g;
	struct route_member m = member("10.1.0.2/30");
	m.gw4 = addr("10.1.0.5");
	add_default(&have, AF_INET, RT_TABLE_MAIN, RTPROT_DHCP, "10.1.0.1", 3, 0);
	route_learn_gateway(&m, 3, AF_INET, RT_TABLE_MAIN, &have, NULL, &g);
	assert_gw(&g, ROUTE_GW_CONFIG, "10.1.0.5");
	/* a point-to-point device: a device route */
	route_objs_clear(&have);
	m = member("10.64.1.2/32");
	m.pointopoint = true;
	route_learn_gateway(&m, 3, AF_INET, RT_TABLE_MAIN, &have, NULL, &g);
	assert_gw(&g, ROUTE_GW_DEVICE, NULL);
	/* someone's "default dev wwan0" teaches the same */
	m.pointopoint = false;
	add_default(&have, AF_INET, RT_TABLE_MAIN, RTPROT_STATIC, NULL, 3, 0);
	route_learn_gateway(&m, 3, AF_INET, RT_TABLE_MAIN, &have, NULL, &g);
	assert_gw(&g, ROUTE_GW_DEVICE, NULL);
	/* routes through nexthop objects are not read */
	route_objs_clear(&have);
	char buf[512] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = k_route(buf, AF_INET, RT_TABLE_MAIN, RTPROT_STATIC, NULL, 0,
				       "10.64.1.1", 3, 0);
	mnl_attr_put_u32(nlh, RTA_NH_ID, 7);
	feed(&have, nlh);
	route_learn_gateway(&m, 3, AF_INET, RT_TABLE_MAIN, &have, NULL, &g);
	assert_int_equal(g.source, ROUTE_GW_NONE);
	route_objs_free(&have);
}

/* ---- the protocol marker and dump parsing --------------------------------------------------- */

static void test_dump_marker(void **state)
{
	char buf[512] __attribute__((aligned(8)));
	struct route_objs have = { 0 };
	/* ours (any prefix, raw kept), others' defaults only */
	feed(&have, k_route(buf, AF_INET, 101, PROTO, "203.0.113.0", 24, "10.1.0.1", 3, 0));
	feed(&have, k_route(buf, AF_INET, RT_TABLE_MAIN, RTPROT_KERNEL, "10.1.0.0", 30, NULL, 3, 0));
	feed(&have, k_route(buf, AF_INET, RT_TABLE_LOCAL, RTPROT_KERNEL, NULL, 0, NULL, 1, 0));
	feed(&have, k_route(buf, AF_INET, RT_TABLE_MAIN, RTPROT_STATIC, NULL, 0, "10.1.0.1", 3, 0));
	assert_int_equal(have.n, 2);
	assert_true(have.v[0].owned);
	assert_non_null(have.v[0].raw);
	assert_false(have.v[1].owned);
	assert_null(have.v[1].raw);
	/* rules: ours only */
	struct route_rule r = { .family = AF_INET, .action = FR_ACT_TO_TBL, .protocol = PROTO,
				.priority = 1100, .table = 254, .fwmask = UINT32_MAX,
				.suppress_prefixlen = 0 };
	struct nlmsghdr *nlh = route_msg_rule(buf, RTM_NEWRULE, 0, 0, &r);
	feed(&have, nlh);
	r.protocol = RTPROT_KERNEL;
	feed(&have, route_msg_rule(buf, RTM_NEWRULE, 0, 0, &r));
	assert_int_equal(have.n, 3);
	assert_int_equal(have.v[2].kind, ROUTE_OBJ_RULE);
	/* malformed: counted, not kept */
	nlh = k_route(buf, AF_INET, 101, PROTO, NULL, 0, "10.1.0.1", 3, 0);
	nlh->nlmsg_len -= 2;
	assert_int_equal(route_objs_feed(&have, nlh, PROTO), 1);
	assert_int_equal(have.n, 3);
	route_objs_free(&have);
}

/* Selectors we never install make a rule someone else's kind of rule. */
static void test_rule_extra(void **state)
{
	char buf[512] __attribute__((aligned(8)));
	struct route_rule r = { .family = AF_INET, .action = FR_ACT_TO_TBL, .protocol = PROTO,
				.priority = 1102, .table = 101, .fwmask = UINT32_MAX,
				.suppress_prefixlen = UINT32_MAX };
	struct nlmsghdr *nlh = route_msg_rule(buf, RTM_NEWRULE, 0, 0, &r);
	mnl_attr_put_strz(nlh, FRA_IIFNAME, "lan");
	struct route_rule back;
	assert_int_equal(route_msg_parse_rule(nlh, &back), 0);
	assert_true(back.extra);
	assert_false(route_rule_equal(&r, &back));
	assert_int_equal(back.fwmask, UINT32_MAX);
}

static void test_fmt(void **state)
{
	char text[200];
	struct route_rt r = {
		.family = AF_INET, .protocol = PROTO, .type = RTN_UNICAST, .table = RT_TABLE_MAIN,
		.n_nh = 1, .nh = { { .oif = 999999, .gw_family = AF_INET, .gw = ip("10.1.0.1") } },
	};
	route_fmt_rt(&r, text, sizeof(text));
	assert_string_equal(text, "default via 10.1.0.1 dev if999999 table main metric 0 proto 165");
	struct route_rule u = { .family = AF_INET6, .priority = 1102, .table = 102, .protocol = PROTO,
				.src_len = 128, .src = ip("2001:db8:2::2"),
				.suppress_prefixlen = UINT32_MAX };
	route_fmt_rule(&u, text, sizeof(text));
	assert_string_equal(text, "-6 1102: from 2001:db8:2::2/128 lookup 102 proto 165");
}

static void test_addr_parse(void **state)
{
	struct route_addr a;
	assert_int_equal(route_addr_parse("10.1.0.2/30", &a), 0);
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(a.prefixlen, 30);
	assert_int_equal(route_addr_parse("2001:db8::1", &a), 0);
	assert_int_equal(a.prefixlen, 128);
	assert_int_equal(route_addr_parse("10.1.0.2/33", &a), -1);
	assert_int_equal(route_addr_parse("10.1.0.2/", &a), -1);
	assert_int_equal(route_addr_parse("nonsense", &a), -1);
}

/* ---- conntrack -------------------------------------------------------------------------------- */

struct ct_attrs {
	const struct nlattr *tb[CTA_MAX + 1];
};

static int ct_attr_cb(const struct nlattr *a, void *data)
{
	struct ct_attrs *c = data;
	if (mnl_attr_type_valid(a, CTA_MAX) > 0)
		c->tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

static const struct nlattr *nested(const struct nlattr *a, uint16_t type)
{
	const struct nlattr *x;
	mnl_attr_for_each_nested(x, a)
		if (mnl_attr_get_type(x) == type)
			return x;
	return NULL;
}

static void test_ct_dump_filter(void **state)
{
	char buf[ROUTE_MSG_MAX] __attribute__((aligned(8)));
	union route_ip a = ip("10.1.0.2");
	struct nlmsghdr *nlh = route_ct_msg_dump(buf, AF_INET, &a, 9);
	assert_int_equal(nlh->nlmsg_type, (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	const struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(nfg->nfgen_family, AF_INET);
	assert_int_equal(nfg->version, NFNETLINK_V0);
	struct ct_attrs c = { 0 };
	assert_int_equal(mnl_attr_parse(nlh, sizeof(*nfg), ct_attr_cb, &c), MNL_CB_OK);
	const struct nlattr *tip = nested(c.tb[CTA_TUPLE_REPLY], CTA_TUPLE_IP);
	assert_non_null(tip);
	const struct nlattr *dst = nested(tip, CTA_IP_V4_DST);
	assert_non_null(dst);
	assert_memory_equal(mnl_attr_get_payload(dst), &a, 4);
	assert_null(nested(tip, CTA_IP_V4_SRC));
	assert_int_equal(mnl_attr_get_u32(nested(c.tb[CTA_FILTER], CTA_FILTER_REPLY_FLAGS)), 1u << 1);
	assert_int_equal(mnl_attr_get_u32(nested(c.tb[CTA_FILTER], CTA_FILTER_ORIG_FLAGS)), 0);
	assert_null(c.tb[CTA_TUPLE_ORIG]);
	/* IPv6: the kernel's filter is inverted, so none is asked for */
	union route_ip a6 = ip("2001:db8:1::2");
	nlh = route_ct_msg_dump(buf, AF_INET6, &a6, 9);
	assert_int_equal(nlh->nlmsg_len, NLMSG_HDRLEN + sizeof(struct nfgenmsg));
}

static void put_tuple(struct nlmsghdr *nlh, uint16_t type, int family, const char *src,
		      const char *dst, uint16_t sport, uint16_t dport)
{
	struct nlattr *t = mnl_attr_nest_start(nlh, type);
	struct nlattr *i = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	union route_ip s = ip(src), d = ip(dst);
	bool v6 = family == AF_INET6;
	mnl_attr_put(nlh, v6 ? CTA_IP_V6_SRC : CTA_IP_V4_SRC, route_ip_len(family), &s);
	mnl_attr_put(nlh, v6 ? CTA_IP_V6_DST : CTA_IP_V4_DST, route_ip_len(family), &d);
	mnl_attr_nest_end(nlh, i);
	struct nlattr *p = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, IPPROTO_TCP);
	mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, htons(sport));
	mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, htons(dport));
	mnl_attr_nest_end(nlh, p);
	mnl_attr_nest_end(nlh, t);
}

/* A dumped entry: LAN client → server, masqueraded to nat_addr. */
static struct nlmsghdr *ct_entry(void *buf, int family, const char *client, const char *server,
				 const char *nat_addr, uint32_t status)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW;
	nlh->nlmsg_flags = NLM_F_MULTI;
	struct nfgenmsg *nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = (uint8_t)family;
	put_tuple(nlh, CTA_TUPLE_ORIG, family, client, server, 40000, 7);
	put_tuple(nlh, CTA_TUPLE_REPLY, family, server, nat_addr, 7, 40000);
	mnl_attr_put_u32(nlh, CTA_STATUS, htonl(status));
	mnl_attr_put_u32(nlh, CTA_TIMEOUT, htonl(120));
	mnl_attr_put_u32(nlh, CTA_ID, htonl(0x1234abcd));
	mnl_attr_put_u16(nlh, CTA_ZONE, htons(0));
	return nlh;
}

static void test_ct_match_and_delete(void **state)
{
	char buf[1024] __attribute__((aligned(8))), del[ROUTE_MSG_MAX] __attribute__((aligned(8)));
	union route_ip wan = ip("10.1.0.2");
	uint32_t nat = IPS_SRC_NAT | IPS_SRC_NAT_DONE | IPS_CONFIRMED | IPS_ASSURED;
	struct nlmsghdr *e = ct_entry(buf, AF_INET, "192.168.50.2", "198.51.100.1", "10.1.0.2", nat);
	assert_int_equal(route_ct_match(e, AF_INET, &wan, del, 77), 1);
	struct nlmsghdr *d = (struct nlmsghdr *)del;
	assert_int_equal(d->nlmsg_type, (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_DELETE);
	assert_int_equal(d->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	assert_int_equal(d->nlmsg_seq, 77);
	struct ct_attrs ce = { 0 }, cd = { 0 };
	assert_int_equal(mnl_attr_parse(e, sizeof(struct nfgenmsg), ct_attr_cb, &ce), MNL_CB_OK);
	assert_int_equal(mnl_attr_parse(d, sizeof(struct nfgenmsg), ct_attr_cb, &cd), MNL_CB_OK);
	/* the original tuple verbatim, the id, the zone; nothing else */
	assert_int_equal(cd.tb[CTA_TUPLE_ORIG]->nla_len, ce.tb[CTA_TUPLE_ORIG]->nla_len);
	assert_memory_equal(cd.tb[CTA_TUPLE_ORIG], ce.tb[CTA_TUPLE_ORIG],
			    ce.tb[CTA_TUPLE_ORIG]->nla_len);
	assert_int_equal(ntohl(mnl_attr_get_u32(cd.tb[CTA_ID])), 0x1234abcd);
	assert_non_null(cd.tb[CTA_ZONE]);
	assert_null(cd.tb[CTA_TUPLE_REPLY]);
	assert_null(cd.tb[CTA_STATUS]);

	/* another uplink's entry, the router's own (not NATed), a v6 entry */
	e = ct_entry(buf, AF_INET, "192.168.50.2", "198.51.100.1", "10.3.0.2", nat);
	assert_int_equal(route_ct_match(e, AF_INET, &wan, NULL, 0), 0);
	e = ct_entry(buf, AF_INET, "10.1.0.2", "198.51.100.1", "10.1.0.2", IPS_CONFIRMED);
	assert_int_equal(route_ct_match(e, AF_INET, &wan, NULL, 0), 0);
	union route_ip wan6 = ip("2001:db8:1::2");
	e = ct_entry(buf, AF_INET6, "fd50:50:50::2", "2001:db8:ffff::1", "2001:db8:1::2", nat);
	assert_int_equal(route_ct_match(e, AF_INET6, &wan6, del, 1), 1);
	assert_int_equal(route_ct_match(e, AF_INET, &wan, NULL, 0), 0);    /* family */
	/* truncated inside the reply tuple */
	e = ct_entry(buf, AF_INET, "192.168.50.2", "198.51.100.1", "10.1.0.2", nat);
	struct ct_attrs c = { 0 };
	mnl_attr_parse(e, sizeof(struct nfgenmsg), ct_attr_cb, &c);
	((struct nlattr *)c.tb[CTA_TUPLE_REPLY])->nla_len = 12;
	assert_int_equal(route_ct_match(e, AF_INET, &wan, NULL, 0), -1);
}

#define FLOW_MASK 0x3f000000u

/* ---- conntrack entries with flow marks --------------------------------------------------------- */

/* ct_entry with a conntrack mark (sticky flows). */
static struct nlmsghdr *entry(void *buf, int family, const char *client, const char *server,
			      const char *reply_dst, uint32_t status, uint32_t mark)
{
	struct nlmsghdr *nlh = ct_entry(buf, family, client, server, reply_dst, status);
	mnl_attr_put_u32(nlh, CTA_MARK, htonl(mark));
	return nlh;
}

static void flow_member(struct route_member *m, const char *name, uint32_t mark, const char *a4,
		   const char *a6)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->name, sizeof(m->name), "%s", name);
	m->fwmark = mark;
	m->fwmask = FLOW_MASK;
	assert_int_equal(route_addr_parse(a4, &m->src[m->n_src++]), 0);
	assert_int_equal(route_addr_parse(a6, &m->src[m->n_src++]), 0);
}

static void test_ct_owner(void **state)
{
	char buf[1024] __attribute__((aligned(8)));
	struct route_member m[2];
	struct route_ct_entry e;
	uint32_t nat = IPS_SRC_NAT | IPS_CONFIRMED;
	flow_member(&m[0], "wan", 0x01000000, "10.1.0.2/30", "2001:db8:1::2/64");
	flow_member(&m[1], "lte", 0x02000000, "10.3.0.2/30", "2001:db8:3::2/64");
	/* pinned to lte by its mark (other bits of the mark are someone else's) */
	entry(buf, AF_INET, "192.168.50.2", "198.51.100.1", "10.3.0.2", nat, 0x02000042);
	assert_int_equal(route_ct_entry_parse((struct nlmsghdr *)buf, &e), 0);
	assert_true(e.has_mark);
	assert_int_equal(e.mark, 0x02000042);
	assert_int_equal(route_flows_owner(&e, FLOW_MASK, m, 2), 1);
	/* unmarked (from before the table), NATed to wan */
	entry(buf, AF_INET, "192.168.50.2", "198.51.100.1", "10.1.0.2", nat, 0x42);
	route_ct_entry_parse((struct nlmsghdr *)buf, &e);
	assert_int_equal(route_flows_owner(&e, FLOW_MASK, m, 2), 0);
	assert_int_equal(route_flows_owner(&e, 0, m, 2), 0);
	/* IPv6, marked for wan but not NATed (a routed prefix) */
	entry(buf, AF_INET6, "2001:db8:50::2", "2001:db8:ffff::1", "2001:db8:50::2",
	      IPS_CONFIRMED, 0x01000000);
	route_ct_entry_parse((struct nlmsghdr *)buf, &e);
	assert_int_equal(route_flows_owner(&e, FLOW_MASK, m, 2), 0);
	assert_int_equal(route_flows_owner(&e, 0, m, 2), -1);  /* marking off */
	/* the router's own connection: neither */
	entry(buf, AF_INET, "10.1.0.2", "198.51.100.1", "10.1.0.2", IPS_CONFIRMED, 0);
	route_ct_entry_parse((struct nlmsghdr *)buf, &e);
	assert_int_equal(route_flows_owner(&e, FLOW_MASK, m, 2), -1);
	/* a stale mark of a member that is gone, NATed to lte */
	entry(buf, AF_INET, "192.168.50.2", "198.51.100.1", "10.3.0.2", nat, 0x07000000);
	route_ct_entry_parse((struct nlmsghdr *)buf, &e);
	assert_int_equal(route_flows_owner(&e, FLOW_MASK, m, 2), 1);
	assert_false(route_ct_closed(&e));      /* no protocol info: not TCP */
	/* a TCP connection that is over: neither a flow nor worth a delete */
	struct nlmsghdr *t = entry(buf, AF_INET, "192.168.50.2", "198.51.100.1", "10.3.0.2", nat,
				   0x02000000);
	struct nlattr *pi = mnl_attr_nest_start(t, CTA_PROTOINFO);
	struct nlattr *tcp = mnl_attr_nest_start(t, CTA_PROTOINFO_TCP);
	mnl_attr_put_u8(t, CTA_PROTOINFO_TCP_STATE, TCP_CONNTRACK_TIME_WAIT);
	mnl_attr_nest_end(t, tcp);
	mnl_attr_nest_end(t, pi);
	assert_int_equal(route_ct_entry_parse(t, &e), 0);
	assert_int_equal(e.tcp_state, TCP_CONNTRACK_TIME_WAIT);
	assert_true(route_ct_closed(&e));
	/* not an entry; another family */
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	nlh->nlmsg_type = NLMSG_DONE;
	assert_int_equal(route_ct_entry_parse(nlh, &e), 1);
}

static void test_ct_dump_by_mark(void **state)
{
	char buf[ROUTE_MSG_MAX] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = route_ct_msg_dump_mark(buf, 0x02000000, FLOW_MASK, 5);
	const struct nfgenmsg *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	uint32_t mark = 0, mask = 0;
	assert_int_equal(nlh->nlmsg_type, (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	assert_int_equal(g->nfgen_family, AF_UNSPEC);  /* both families in one walk */
	mnl_attr_for_each(a, nlh, sizeof(*g)) {
		if (mnl_attr_get_type(a) == CTA_MARK)
			mark = ntohl(mnl_attr_get_u32(a));
		if (mnl_attr_get_type(a) == CTA_MARK_MASK)
			mask = ntohl(mnl_attr_get_u32(a));
	}
	assert_int_equal(mark, 0x02000000);
	assert_int_equal(mask, FLOW_MASK);
	nlh = route_ct_msg_dump_mark(buf, 0, 0, 5);
	assert_int_equal(nlh->nlmsg_len, NLMSG_HDRLEN + sizeof(struct nfgenmsg));
}

/* ---- the observe backend ---------------------------------------------------------------------- */

static void test_none_is_read_only(void **state)
{
	struct route_plan p = { 0 };
	assert_true(route_none_ops.read_only);
	assert_false(route_netlink_ops.read_only);
	errno = 0;
	assert_int_equal(route_none_ops.apply(NULL, &p), -1);
	assert_int_equal(errno, EPERM);
	assert_int_equal(route_kind_parse("none"), ROUTE_KIND_NONE);
	assert_int_equal(route_kind_parse("netlink"), ROUTE_KIND_NETLINK);
	assert_int_equal(route_kind_parse("mwan3"), -1);
	assert_string_equal(route_gw_source_name(ROUTE_GW_PEER), "peer");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_msg_route_default),
		cmocka_unit_test(test_msg_route_big_table_device),
		cmocka_unit_test(test_msg_rules),
		cmocka_unit_test(test_plan_initial_batch),
		cmocka_unit_test(test_plan_switch),
		cmocka_unit_test(test_plan_stale_deleted_raw),
		cmocka_unit_test(test_plan_unknown_keeps_default),
		cmocka_unit_test(test_plan_restore),
		cmocka_unit_test(test_plan_foreign_slot),
		cmocka_unit_test(test_plan_member_not_serving),
		cmocka_unit_test(test_plan_dedicated_table),
		cmocka_unit_test(test_learn_from_routes),
		cmocka_unit_test(test_learn_multipath),
		cmocka_unit_test(test_learn_peer),
		cmocka_unit_test(test_learn_own_and_cached),
		cmocka_unit_test(test_learn_config_device_nhid),
		cmocka_unit_test(test_dump_marker),
		cmocka_unit_test(test_rule_extra),
		cmocka_unit_test(test_fmt),
		cmocka_unit_test(test_addr_parse),
		cmocka_unit_test(test_ct_dump_filter),
		cmocka_unit_test(test_ct_match_and_delete),
		cmocka_unit_test(test_ct_owner),
		cmocka_unit_test(test_ct_dump_by_mark),
		cmocka_unit_test(test_none_is_read_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
