/* Unit tests for sticky flows: the mark mask option, the nftables rules as
 * libnftnl prints them (what sync compares with the kernel's), conntrack
 * entries with marks (parse, attribution to a member, the mark-filtered
 * dump request), and the fallback when nftables refuses: a child without
 * CAP_NET_ADMIN gets exactly what a kernel without nf_tables gives (an
 * error from nfnetlink), through the real backend. */
#include "config/config.h"
#include "route/route_int.h"
#include "route/route_nft.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <libnftnl/rule.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#define MASK 0x3f000000u

static union route_ip ip(const char *s)
{
	union route_ip a;
	assert_int_equal(inet_pton(strchr(s, ':') ? AF_INET6 : AF_INET, s, &a), 1);
	return a;
}

/* ---- the option ------------------------------------------------------------ */

static void test_mark_mask_option(void **state)
{
	uint32_t m = 0;
	assert_true(cfg_mark_mask_parse("0x3f000000", &m));
	assert_int_equal(m, MASK);
	assert_true(cfg_mark_mask_parse("255", &m));
	assert_int_equal(m, 0xff);
	assert_true(cfg_mark_mask_parse("0x80000000", &m));
	static const char *const bad[] = {
		"", "0", "0x0", "0x3f00f000", "0x5", "-1", "+8", "0x100000000", "0x3f000000 ",
		"abc", "0xff0000zz",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (cfg_mark_mask_parse(bad[i], &m))
			fail_msg("accepted \"%s\"", bad[i]);
	const char *conf = "config autonomy 'main'\n\toption flow_mark_mask '0xf0f0'\n";
	struct cfg_diags d = { 0 };
	struct config *cfg = config_load_buf("t.conf", conf, strlen(conf), &d);
	assert_null(cfg);
	assert_true(d.n >= 1);
	assert_non_null(strstr(d.v[0].msg, "main.flow_mark_mask: '0xf0f0' must be one run of contiguous bits"));
	cfg_diags_free(&d);
}

/* ---- the rules --------------------------------------------------------------- */

static void test_nft_rules(void **state)
{
	struct route_nft_member m[2] = { { "wan", 0x01000000 }, { "wwan0", 0x02000000 } };
	struct nftnl_rule *r[8];
	char text[1024];
	/* prerouting: unmarked packets leave at the first rule; then a restore
	 * per member */
	assert_int_equal(route_nft_rules("autonomy", MASK, m, 2, 0, r, 8), 3);
	route_nft_rule_text(r[0], text, sizeof(text));
	assert_string_equal(text,
		"inet autonomy prerouting\n"
		"  [ ct load mark => reg 1 ]\n"
		"  [ bitwise reg 1 = ( reg 1 & 0x3f000000 ) ^ 0x00000000 ]\n"
		"  [ cmp eq reg 1 0x00000000 ]\n"
		"  [ immediate reg 0 accept ]\n");
	route_nft_rule_text(r[2], text, sizeof(text));
	assert_string_equal(text,
		"inet autonomy prerouting\n"
		"  [ ct load mark => reg 1 ]\n"
		"  [ bitwise reg 1 = ( reg 1 & 0x3f000000 ) ^ 0x00000000 ]\n"
		"  [ cmp eq reg 1 0x02000000 ]\n"
		"  [ meta load mark => reg 1 ]\n"
		"  [ bitwise reg 1 = ( reg 1 & 0xc0ffffff ) ^ 0x02000000 ]\n"
		"  [ meta set mark with reg 1 ]\n"
		"  [ immediate reg 0 accept ]\n");
	for (int i = 0; i < 3; i++)
		nftnl_rule_free(r[i]);
	/* forward: marked packets leave at once; new flows are marked by their
	 * output interface, or their input interface (port forwards) */
	assert_int_equal(route_nft_rules("autonomy", MASK, m, 2, 1, r, 8), 5);
	route_nft_rule_text(r[0], text, sizeof(text));
	assert_non_null(strstr(text, "[ cmp neq reg 1 0x00000000 ]\n  [ immediate reg 0 accept ]"));
	route_nft_rule_text(r[4], text, sizeof(text));
	assert_string_equal(text,
		"inet autonomy forward\n"
		"  [ ct load direction => reg 1 ]\n"
		"  [ cmp eq reg 1 0x00000000 ]\n"
		"  [ meta load iifname => reg 1 ]\n"
		"  [ cmp eq reg 1 0x6e617777 0x00000030 0x00000000 0x00000000 ]\n"
		"  [ ct load mark => reg 1 ]\n"
		"  [ bitwise reg 1 = ( reg 1 & 0xc0ffffff ) ^ 0x02000000 ]\n"
		"  [ ct set mark with reg 1 ]\n"
		"  [ immediate reg 0 accept ]\n");
	route_nft_rule_text(r[1], text, sizeof(text));
	assert_non_null(strstr(text, "[ meta load oifname => reg 1 ]"));
	for (int i = 0; i < 5; i++)
		nftnl_rule_free(r[i]);
	/* no room: refused, nothing leaked; no members: no rules */
	assert_int_equal(route_nft_rules("autonomy", MASK, m, 2, 1, r, 4), -1);
	assert_int_equal(route_nft_rules("autonomy", MASK, m, 0, 1, r, 0), 0);
}

/* ---- conntrack entries --------------------------------------------------------- */

static void put_tuple(struct nlmsghdr *nlh, uint16_t type, int family, const char *src,
		      const char *dst)
{
	struct nlattr *t = mnl_attr_nest_start(nlh, type);
	struct nlattr *i = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	union route_ip s = ip(src), d = ip(dst);
	bool v6 = family == AF_INET6;
	mnl_attr_put(nlh, v6 ? CTA_IP_V6_SRC : CTA_IP_V4_SRC, route_ip_len(family), &s);
	mnl_attr_put(nlh, v6 ? CTA_IP_V6_DST : CTA_IP_V4_DST, route_ip_len(family), &d);
	mnl_attr_nest_end(nlh, i);
	mnl_attr_nest_end(nlh, t);
}

/* A dumped entry: client -> server, the reply to reply_dst, with a mark. */
static struct nlmsghdr *entry(void *buf, int family, const char *client, const char *server,
			      const char *reply_dst, uint32_t status, uint32_t mark)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW;
	struct nfgenmsg *nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = (uint8_t)family;
	put_tuple(nlh, CTA_TUPLE_ORIG, family, client, server);
	put_tuple(nlh, CTA_TUPLE_REPLY, family, server, reply_dst);
	mnl_attr_put_u32(nlh, CTA_STATUS, htonl(status));
	mnl_attr_put_u32(nlh, CTA_MARK, htonl(mark));
	return nlh;
}

static void member(struct route_member *m, const char *name, uint32_t mark, const char *a4,
		   const char *a6)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->name, sizeof(m->name), "%s", name);
	m->fwmark = mark;
	m->fwmask = MASK;
	assert_int_equal(route_addr_parse(a4, &m->src[m->n_src++]), 0);
	assert_int_equal(route_addr_parse(a6, &m->src[m->n_src++]), 0);
}

static void test_ct_owner(void **state)
{
	char buf[1024] __attribute__((aligned(8)));
	struct route_member m[2];
	struct route_ct_entry e;
	uint32_t nat = IPS_SRC_NAT | IPS_CONFIRMED;
	member(&m[0], "wan", 0x01000000, "10.1.0.2/30", "2001:db8:1::2/64");
	member(&m[1], "lte", 0x02000000, "10.3.0.2/30", "2001:db8:3::2/64");
	/* pinned to lte by its mark (other bits of the mark are someone else's) */
	entry(buf, AF_INET, "192.168.50.2", "198.51.100.1", "10.3.0.2", nat, 0x02000042);
	assert_int_equal(route_ct_entry_parse((struct nlmsghdr *)buf, &e), 0);
	assert_true(e.has_mark);
	assert_int_equal(e.mark, 0x02000042);
	assert_int_equal(route_flows_owner(&e, MASK, m, 2), 1);
	/* unmarked (from before the table), NATed to wan */
	entry(buf, AF_INET, "192.168.50.2", "198.51.100.1", "10.1.0.2", nat, 0x42);
	route_ct_entry_parse((struct nlmsghdr *)buf, &e);
	assert_int_equal(route_flows_owner(&e, MASK, m, 2), 0);
	assert_int_equal(route_flows_owner(&e, 0, m, 2), 0);
	/* IPv6, marked for wan but not NATed (a routed prefix) */
	entry(buf, AF_INET6, "2001:db8:50::2", "2001:db8:ffff::1", "2001:db8:50::2",
	      IPS_CONFIRMED, 0x01000000);
	route_ct_entry_parse((struct nlmsghdr *)buf, &e);
	assert_int_equal(route_flows_owner(&e, MASK, m, 2), 0);
	assert_int_equal(route_flows_owner(&e, 0, m, 2), -1);  /* marking off */
	/* the router's own connection: neither */
	entry(buf, AF_INET, "10.1.0.2", "198.51.100.1", "10.1.0.2", IPS_CONFIRMED, 0);
	route_ct_entry_parse((struct nlmsghdr *)buf, &e);
	assert_int_equal(route_flows_owner(&e, MASK, m, 2), -1);
	/* a stale mark of a member that is gone, NATed to lte */
	entry(buf, AF_INET, "192.168.50.2", "198.51.100.1", "10.3.0.2", nat, 0x07000000);
	route_ct_entry_parse((struct nlmsghdr *)buf, &e);
	assert_int_equal(route_flows_owner(&e, MASK, m, 2), 1);
	/* not an entry; another family */
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	nlh->nlmsg_type = NLMSG_DONE;
	assert_int_equal(route_ct_entry_parse(nlh, &e), 1);
}

static void test_ct_dump_by_mark(void **state)
{
	char buf[ROUTE_MSG_MAX] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = route_ct_msg_dump_mark(buf, 0x02000000, MASK, 5);
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
	assert_int_equal(mask, MASK);
	nlh = route_ct_msg_dump_mark(buf, 0, 0, 5);
	assert_int_equal(nlh->nlmsg_len, NLMSG_HDRLEN + sizeof(struct nfgenmsg));
}

/* ---- without nftables ------------------------------------------------------------- */

static int drop_net_admin(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d) < 0)
		return -1;
	d[CAP_NET_ADMIN / 32].effective &= ~(1u << (CAP_NET_ADMIN % 32));
	d[CAP_NET_ADMIN / 32].permitted &= ~(1u << (CAP_NET_ADMIN % 32));
	return (int)syscall(SYS_capset, &h, d);
}

/* In the child: 0 when the backend fell back as documented. */
static int fallback_child(void)
{
	struct route_params p = { .flow_mask = MASK, .verify_interval_s = -1 };
	struct route_member m = { .name = "lo", .device = "lo", .table = 201 };
	if (drop_net_admin() < 0)
		return 10;
	struct route_backend *rb = route_new(ROUTE_KIND_NONE, NULL, &p);
	if (!rb)
		return 11;
	route_set_members(rb, &m, 1);
	json_object *st = route_status_json(rb), *f = NULL, *w = NULL;
	json_object_object_get_ex(st, "flows", &f);
	json_object_object_get_ex(st, "warnings", &w);
	const char *text = json_object_to_json_string(st);
	int rc = 0;
	if (route_flows_sticky(rb) || route_flows_mask(rb) || rb->ms[0].m.fwmark)
		rc = 12;        /* nothing may be marked */
	else if (!f || !strstr(json_object_to_json_string(f), "needs CAP_NET_ADMIN"))
		rc = 13;        /* the status says why */
	else if (!w || !strstr(json_object_to_json_string(w), "sticky flows unavailable"))
		rc = 14;
	if (rc)
		fprintf(stderr, "status: %s\n", text);
	json_object_put(st);
	route_free(rb, ROUTE_KEEP);
	return rc;
}

static void test_fallback_without_nftables(void **state)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(fallback_child());
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mark_mask_option),
		cmocka_unit_test(test_nft_rules),
		cmocka_unit_test(test_ct_owner),
		cmocka_unit_test(test_ct_dump_by_mark),
		cmocka_unit_test(test_fallback_without_nftables),
	};
	return cmocka_run_group_tests_name("route_flows", tests, NULL, NULL);
}
