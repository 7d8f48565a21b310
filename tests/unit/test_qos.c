/* qos: the plan from the configuration, the DSCP table, the wanted kernel
 * objects, the netlink messages (built, then parsed back as the kernel's
 * dump would carry them) and the comparison that decides what to send. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include "config/config.h"
#include "qos/qos_int.h"

static const uint8_t canon[QOS_N_CATS] = { 1, 2, 3, 4 };

static struct config *load(const char *text)
{
	struct cfg_diags dg = { 0 };
	struct config *c = config_load_buf("t", text, strlen(text), &dg);
	if (!c)
		for (size_t i = 0; i < dg.n; i++)
			print_error("%s\n", dg.v[i].msg);
	cfg_diags_free(&dg);
	assert_non_null(c);
	return c;
}

/* RFC 4594 / 8325 names → the category the filters give them. */
static void test_dscp_table(void **state)
{
	static const struct { uint8_t dscp; enum qos_cat cat; } want[] = {
		{ 46, QOS_CAT_VOICE }, { 44, QOS_CAT_VOICE }, { 40, QOS_CAT_VOICE },
		{ 48, QOS_CAT_VOICE }, { 56, QOS_CAT_VOICE },
		{ 32, QOS_CAT_VIDEO }, { 34, QOS_CAT_VIDEO }, { 36, QOS_CAT_VIDEO },
		{ 38, QOS_CAT_VIDEO }, { 24, QOS_CAT_VIDEO }, { 26, QOS_CAT_VIDEO },
		{ 28, QOS_CAT_VIDEO }, { 30, QOS_CAT_VIDEO }, { 16, QOS_CAT_VIDEO },
		{ 18, QOS_CAT_VIDEO }, { 20, QOS_CAT_VIDEO }, { 22, QOS_CAT_VIDEO },
		{ 0, QOS_CAT_DATA }, { 10, QOS_CAT_DATA }, { 12, QOS_CAT_DATA },
		{ 14, QOS_CAT_DATA }, { 2, QOS_CAT_DATA },
		{ 8, QOS_CAT_BULK }, { 1, QOS_CAT_BULK },
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		if (qos_dscp_category(want[i].dscp) != want[i].cat)
			fail_msg("DSCP %u (%s): %s, want %s", want[i].dscp,
				 qos_dscp_name(want[i].dscp) ? qos_dscp_name(want[i].dscp) : "?",
				 qos_cat_name(qos_dscp_category(want[i].dscp)),
				 qos_cat_name(want[i].cat));
	}
	assert_string_equal(qos_dscp_name(46), "EF");
	assert_null(qos_dscp_name(63));
	/* every value has exactly one category; the pools do not overlap */
	for (unsigned d = 0; d < 64; d++) {
		unsigned hits = 0;
		for (unsigned i = 0; i < qos_n_dscp_rules; i++)
			hits += (d & qos_dscp_rules[i].mask) == qos_dscp_rules[i].value;
		assert_true(hits <= 1);
	}
}

static void test_plan_default(void **state)
{
	struct config *c = load("config autonomy 'main'\n");
	struct qos_plan p;
	qos_plan_from_config(c, false, &p);
	assert_true(p.tiers_on);
	assert_int_equal(p.n_tiers, 4);
	assert_true(p.cake_ok);
	assert_int_equal(p.tier[0].queue, 1);
	assert_int_equal(p.tier[0].cats, 1u << QOS_CAT_VOICE);
	assert_int_equal(p.tier[0].ceil_pct, 25);
	assert_int_equal(p.default_tier, 2);
	assert_int_equal(p.probe_tier, 0);
	unsigned sum = 0;
	for (unsigned i = 0; i < p.n_tiers; i++) {
		assert_int_equal(p.tier[i].prio, i);
		sum += p.tier[i].rate_pct;
	}
	assert_int_equal(sum, 100);    /* assured shares never oversubscribe */
	assert_int_equal(qos_probe_priority(&p, false), 0xa1700011u);
	assert_int_equal(qos_probe_priority(&p, true), 0xa1700004u);
	config_free(c);
}

static void test_plan_merged_queues(void **state)
{
	struct config *c = load("config autonomy 'qos'\n option priority_queues '2'\n"
				" option voice_priority '1'\n option video_priority '1'\n"
				" option data_priority '2'\n option bulk_priority '2'\n");
	struct qos_plan p;
	qos_plan_from_config(c, false, &p);
	assert_int_equal(p.n_tiers, 2);
	assert_false(p.cake_ok);        /* cake cannot merge tins */
	assert_int_equal(p.tier[0].cats, (1u << QOS_CAT_VOICE) | (1u << QOS_CAT_VIDEO));
	assert_int_equal(p.tier[0].rate_pct, 30);
	assert_int_equal(p.tier[0].ceil_pct, 50);
	assert_int_equal(p.tier[1].rate_pct, 70);
	assert_int_equal(p.tier[1].ceil_pct, 100);
	assert_int_equal(p.default_tier, 1);
	config_free(c);
}

static void test_plan_off_and_sharing(void **state)
{
	struct config *c = load("config autonomy 'qos'\n option enabled '0'\n");
	struct qos_plan p, q;
	qos_plan_from_config(c, true, &p);
	assert_false(p.tiers_on);
	/* one queue for all, and the probes' own lane */
	assert_int_equal(p.n_tiers, 2);
	assert_int_equal(p.tier[0].queue, 0);
	assert_int_equal(p.tier[0].cats, 0);
	assert_int_equal(p.default_tier, 1);
	assert_int_equal(qos_probe_priority(&p, false), 0xa1700010u);
	assert_int_equal(qos_probe_priority(&p, true), 0xa1700001u);
	assert_true(p.cake_ok);
	assert_true(p.download);
	config_free(c);
	/* bandwidth.qos_enabled '0' turns the tiers off as well */
	c = load("config autonomy 'bandwidth'\n option qos_enabled '0'\n");
	qos_plan_from_config(c, false, &q);
	assert_false(q.tiers_on);
	config_free(c);

	qos_plan_build(&p, true, QOS_SHARE_WEIGHTED, 4, canon, false);
	assert_false(p.cake_ok);
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(p.tier[i].prio, 0);
		assert_int_equal(p.tier[i].ceil_pct, 100);
	}
	qos_plan_build(&p, true, QOS_SHARE_PRIORITY, 4, canon, false);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(p.tier[i].prio, i);
	/* queue numbers out of range are clamped, never a tier 0 */
	uint8_t wild[QOS_N_CATS] = { 0, 9, 3, 3 };
	qos_plan_build(&p, true, QOS_SHARE_FAIR, 3, wild, false);
	assert_int_equal(p.tier[0].queue, 1);
	assert_int_equal(p.tier[p.n_tiers - 1].queue, 3);
}

static void test_want_htb(void **state)
{
	struct qos_plan p;
	struct qos_want w;
	qos_plan_build(&p, true, QOS_SHARE_FAIR, 4, canon, false);
	qos_want_build(&w, &p, QOS_KIND_HTB, QOS_LEAF_PFIFO, 20000);
	assert_int_equal(w.n_classes, 5);
	assert_int_equal(w.cls[0].classid, 0xa1700001u);
	assert_int_equal(w.cls[0].rate_kbit, 20000);
	assert_int_equal(w.cls[1].ceil_kbit, 5000);     /* voice: 25 % */
	assert_int_equal(w.default_minor, 0x13);
	/* 6 pools, none of them data: 5 non-default pools x 2 families... */
	assert_int_equal(w.n_filters, 12);
	/* EF (TOS 0xb8) matches the voice filter of IPv4 */
	bool ef = false;
	for (unsigned i = 0; i < w.n_filters; i++) {
		const struct qos_want_filter *f = &w.flt[i];
		if (f->protocol == ETH_P_IP && ((0xb8u << 16) & f->mask) == f->val) {
			assert_int_equal(f->classid, 0xa1700011u);
			ef = true;
		}
		assert_int_equal(f->pref, i + 1);
	}
	assert_true(ef);
	/* IPv6: traffic class 0xb8 in the first word */
	ef = false;
	for (unsigned i = 0; i < w.n_filters; i++) {
		const struct qos_want_filter *f = &w.flt[i];
		if (f->protocol == ETH_P_IPV6 && ((0x6b800000u) & f->mask) == f->val)
			ef = f->classid == 0xa1700011u;
	}
	assert_true(ef);
	/* QoS off: one class, no filters */
	qos_plan_build(&p, false, QOS_SHARE_FAIR, 4, canon, false);
	qos_want_build(&w, &p, QOS_KIND_HTB, QOS_LEAF_FQ_CODEL, 20000);
	assert_int_equal(w.n_classes, 3);
	assert_int_equal(w.default_minor, 0x11);
	assert_int_equal(w.n_filters, 0);
}

static void test_htb_arithmetic(void **state)
{
	assert_int_equal(qos_htb_burst(125), 2 * QOS_MTU);
	assert_int_equal(qos_htb_burst(125000000), 125000);    /* 1 Gbit/s: 1 ms */
	assert_int_equal(qos_htb_quantum(1000), QOS_MTU);
	assert_int_equal(qos_htb_quantum(1250000), 125000);
	assert_int_equal(qos_htb_quantum(125000000), 200000);
	assert_int_equal(qos_pfifo_limit(100), 16);
	assert_int_equal(qos_pfifo_limit(100000), 247);
	assert_int_equal(qos_pfifo_limit(10000000), 1000);
}

/* A request turned into what a dump would carry: same attributes, type
 * RTM_NEW*, the kernel's dump flags. */
static int as_dump(struct nlmsghdr *nlh, uint16_t type)
{
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_MULTI;
	return 0;
}

static void parse_ok(struct nlmsghdr *nlh, struct qos_kobj *o)
{
	assert_int_equal(qos_parse(nlh, nlh->nlmsg_len, o), 0);
}

static void test_msg_roundtrip(void **state)
{
	uint8_t buf[QOS_MSG_MAX];
	struct qos_kobj o;

	struct nlmsghdr *nlh = qos_msg_htb_root(buf, 7, 3, QOS_OP_REPLACE, 0x13);
	assert_int_equal(nlh->nlmsg_type, RTM_NEWQDISC);
	assert_int_equal(nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_REPLACE),
			 NLM_F_CREATE | NLM_F_REPLACE);
	parse_ok(nlh, &o);
	assert_string_equal(o.kind, "htb");
	assert_int_equal(o.handle, 0xa1700000u);
	assert_int_equal(o.parent, TC_H_ROOT);
	assert_int_equal(o.htb_defcls, 0x13);

	nlh = qos_msg_htb_class(buf, 8, 3, QOS_OP_CHANGE, 0xa1700011u, 0xa1700001u, 2000, 5000, 0);
	assert_int_equal(nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL | NLM_F_REPLACE), 0);
	as_dump(nlh, RTM_NEWTCLASS);
	parse_ok(nlh, &o);
	assert_true(qos_rate_matches(o.rate_Bps, 2000));
	assert_true(qos_rate_matches(o.ceil_Bps, 5000));
	assert_int_equal(o.quantum, qos_htb_quantum(250000));

	/* 40 Gbit/s does not fit tc_ratespec's 32 bits: RATE64 carries it */
	nlh = qos_msg_htb_class(buf, 9, 3, QOS_OP_CREATE, 0xa1700001u, 0xa1700000u,
				40000000, 40000000, 0);
	parse_ok(nlh, &o);
	assert_true(qos_rate_matches(o.rate_Bps, 40000000));

	nlh = qos_msg_cake_root(buf, 10, 3, QOS_OP_REPLACE, 100000, true, true);
	parse_ok(nlh, &o);
	assert_string_equal(o.kind, "cake");
	assert_true(qos_rate_matches(o.rate_Bps, 100000));
	assert_int_equal(o.cake_diffserv, 1);
	assert_true(o.cake_ingress);

	nlh = qos_msg_leaf(buf, 11, 3, 0xa1700011u, 0xa1710000u, QOS_LEAF_PFIFO, 42);
	parse_ok(nlh, &o);
	assert_string_equal(o.kind, "pfifo");
	assert_int_equal(o.fifo_limit, 42);
	assert_int_equal(o.parent, 0xa1700011u);

	nlh = qos_msg_u32(buf, 12, 3, 5, ETH_P_IPV6, 46u << 22, 0x3fu << 22, 0xa1700011u);
	as_dump(nlh, RTM_NEWTFILTER);
	parse_ok(nlh, &o);
	assert_true(o.u32_sel);
	assert_int_equal(o.u32_classid, 0xa1700011u);
	assert_int_equal(o.u32_val, 46u << 22);
	assert_int_equal(o.u32_mask, 0x3fu << 22);
	assert_int_equal(o.info >> 16, 5);
	assert_int_equal(ntohs((uint16_t)o.info), ETH_P_IPV6);

	nlh = qos_msg_del_root(buf, 13, 3);
	assert_int_equal(nlh->nlmsg_type, RTM_DELQDISC);
	assert_int_equal(qos_parse(nlh, nlh->nlmsg_len, &o), 1);   /* not a dump object */
}

static void test_parse_rejects(void **state)
{
	uint8_t buf[QOS_MSG_MAX];
	struct qos_kobj o;
	struct nlmsghdr *nlh = qos_msg_htb_root(buf, 7, 3, QOS_OP_REPLACE, 0x13);
	/* cut short, or claiming more than there is */
	assert_int_equal(qos_parse(nlh, nlh->nlmsg_len - 4, &o), -1);
	assert_int_equal(qos_parse(nlh, 8, &o), -1);
	uint32_t len = nlh->nlmsg_len;
	nlh->nlmsg_len = 0xffffffffu;
	assert_int_equal(qos_parse(nlh, len, &o), -1);
	nlh->nlmsg_len = len;
	/* a u32 selector that claims more keys than it carries */
	nlh = qos_msg_u32(buf, 12, 3, 5, ETH_P_IP, 0, 0, 1);
	as_dump(nlh, RTM_NEWTFILTER);
	struct nlattr *a;
	mnl_attr_for_each(a, nlh, sizeof(struct tcmsg)) {
		if (mnl_attr_get_type(a) != TCA_OPTIONS)
			continue;
		struct nlattr *b;
		mnl_attr_for_each_nested(b, a)
			if (mnl_attr_get_type(b) == TCA_U32_SEL)
				((struct tc_u32_sel *)mnl_attr_get_payload(b))->nkeys = 9;
	}
	assert_int_equal(qos_parse(nlh, nlh->nlmsg_len, &o), -1);
}

/* What compare says for what the kernel has. */
static void have_from_want(struct qos_have *h, const struct qos_want *w, const char *leaf)
{
	uint8_t buf[QOS_MSG_MAX];
	struct qos_kobj o;
	memset(h, 0, sizeof(*h));
	struct nlmsghdr *nlh = w->kind == QOS_KIND_CAKE ?
		qos_msg_cake_root(buf, 1, 3, QOS_OP_REPLACE, w->rate_kbit, w->diffserv4, w->ingress) :
		qos_msg_htb_root(buf, 1, 3, QOS_OP_REPLACE, w->default_minor);
	parse_ok(nlh, &o);
	qos_have_add(h, &o, 3);
	for (unsigned i = 0; i < w->n_classes; i++) {
		nlh = qos_msg_htb_class(buf, 1, 3, QOS_OP_CREATE, w->cls[i].classid,
					i ? w->cls[i].parent : TC_H_ROOT, w->cls[i].rate_kbit,
					w->cls[i].ceil_kbit, w->cls[i].prio);
		parse_ok(nlh, &o);
		o.type = RTM_NEWTCLASS;
		qos_have_add(h, &o, 3);
		if (!i)
			continue;
		nlh = qos_msg_leaf(buf, 1, 3, w->cls[i].classid, (0xa171u + i) << 16,
				   QOS_LEAF_PFIFO, 10);
		parse_ok(nlh, &o);
		snprintf(o.kind, sizeof(o.kind), "%s", leaf);
		qos_have_add(h, &o, 3);
	}
	for (unsigned i = 0; i < w->n_filters; i++) {
		const struct qos_want_filter *f = &w->flt[i];
		nlh = qos_msg_u32(buf, 1, 3, f->pref, f->protocol, f->val, f->mask, f->classid);
		parse_ok(nlh, &o);
		o.type = RTM_NEWTFILTER;
		qos_have_add(h, &o, 3);
	}
}

static void test_compare(void **state)
{
	struct qos_plan p;
	struct qos_want w, w2;
	struct qos_have h;
	qos_plan_build(&p, true, QOS_SHARE_FAIR, 4, canon, false);
	qos_want_build(&w, &p, QOS_KIND_HTB, QOS_LEAF_PFIFO, 20000);

	memset(&h, 0, sizeof(h));
	assert_int_equal(qos_compare(&w, &h), QOS_ABSENT);

	have_from_want(&h, &w, "pfifo");
	assert_int_equal(qos_compare(&w, &h), QOS_SAME);
	/* another device's objects are not ours to compare */
	struct qos_kobj other = h.cls[0];
	other.ifindex = 4;
	qos_have_add(&h, &other, 3);
	assert_int_equal(qos_compare(&w, &h), QOS_SAME);

	qos_want_build(&w2, &p, QOS_KIND_HTB, QOS_LEAF_PFIFO, 15000);
	assert_int_equal(qos_compare(&w2, &h), QOS_RATE_ONLY);

	have_from_want(&h, &w, "fq_codel");     /* a leaf of another kind */
	assert_int_equal(qos_compare(&w, &h), QOS_REBUILD);

	have_from_want(&h, &w, "pfifo");
	h.n_filters--;                          /* a filter deleted behind our back */
	assert_int_equal(qos_compare(&w, &h), QOS_REBUILD);

	have_from_want(&h, &w, "pfifo");
	h.cls[2].prio = 7;                      /* a class changed */
	assert_int_equal(qos_compare(&w, &h), QOS_REBUILD);

	/* someone else's root: left alone; the kernel's default (0:): ours goes in */
	have_from_want(&h, &w, "pfifo");
	h.root_ours = false;
	h.root_handle = 0x10000;
	assert_int_equal(qos_compare(&w, &h), QOS_FOREIGN);
	h.root_handle = 0;
	assert_int_equal(qos_compare(&w, &h), QOS_ABSENT);

	/* cake: same / rate / another mode */
	qos_want_build(&w, &p, QOS_KIND_CAKE, QOS_LEAF_PFIFO, 50000);
	have_from_want(&h, &w, "pfifo");
	assert_int_equal(qos_compare(&w, &h), QOS_SAME);
	qos_want_build(&w2, &p, QOS_KIND_CAKE, QOS_LEAF_PFIFO, 40000);
	assert_int_equal(qos_compare(&w2, &h), QOS_RATE_ONLY);
	qos_plan_build(&p, false, QOS_SHARE_FAIR, 4, canon, false);
	qos_want_build(&w2, &p, QOS_KIND_CAKE, QOS_LEAF_PFIFO, 50000);
	assert_int_equal(qos_compare(&w2, &h), QOS_REBUILD);
	qos_want_build(&w2, &p, QOS_KIND_HTB, QOS_LEAF_PFIFO, 50000);
	assert_int_equal(qos_compare(&w2, &h), QOS_REBUILD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dscp_table),
		cmocka_unit_test(test_plan_default),
		cmocka_unit_test(test_plan_merged_queues),
		cmocka_unit_test(test_plan_off_and_sharing),
		cmocka_unit_test(test_want_htb),
		cmocka_unit_test(test_htb_arithmetic),
		cmocka_unit_test(test_msg_roundtrip),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_compare),
	};
	return cmocka_run_group_tests_name("qos", tests, NULL, NULL);
}
