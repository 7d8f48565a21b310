/* qos_msg: the rtnetlink traffic-control requests the shaper sends, built
 * the way tc builds them, but without rate tables: a rate spec with
 * linklayer ethernet tells the kernel (>= 3.11) to compute the packet times
 * itself, so no 1 KiB table per class is needed. */
#include "qos/qos_int.h"

#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <arpa/inet.h>

/* Added in Linux 4.19 (cake); older headers lack the diffserv modes. */
#ifndef TCA_CAKE_MAX
#define TCA_CAKE_BASE_RATE64    2
#define TCA_CAKE_DIFFSERV_MODE  3
#define TCA_CAKE_NAT            10
#define TCA_CAKE_INGRESS        15
#endif
#define QOS_CAKE_DIFFSERV4      1       /* enum CAKE_DIFFSERV_DIFFSERV4 */
#define QOS_CAKE_BESTEFFORT     3       /* enum CAKE_DIFFSERV_BESTEFFORT */

/* HTB keeps times in 64 ns "ticks" (PSCHED_SHIFT 6) since Linux 2.6.31. */
#define PSCHED_SHIFT_NS         6
/* A class may burst this long at its rate: enough to ride over a timer
 * that fires late, short enough not to build a queue downstream. */
#define BURST_US                1000u

static uint16_t op_flags(enum qos_op op)
{
	switch (op) {
	case QOS_OP_CREATE:  return NLM_F_CREATE | NLM_F_EXCL;
	case QOS_OP_REPLACE: return NLM_F_CREATE | NLM_F_REPLACE;
	case QOS_OP_CHANGE:  break;
	}
	return 0;
}

static struct nlmsghdr *tc_header(void *buf, uint32_t seq, uint16_t type, uint16_t flags,
				  int ifindex, uint32_t handle, uint32_t parent, uint32_t info)
{
	memset(buf, 0, QOS_MSG_MAX);
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = seq;
	struct tcmsg *tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = ifindex;
	tcm->tcm_handle = handle;
	tcm->tcm_parent = parent;
	tcm->tcm_info = info;
	return nlh;
}

uint32_t qos_htb_burst(uint64_t rate_Bps)
{
	uint64_t b = rate_Bps * BURST_US / 1000000u;
	return b < 2 * QOS_MTU ? 2 * QOS_MTU : b > (1u << 24) ? (1u << 24) : (uint32_t)b;
}

/* HTB warns below 1000 and above 200000 bytes; within that, proportional to
 * the rate, so that classes borrowing at the same prio share by rate. */
uint32_t qos_htb_quantum(uint64_t rate_Bps)
{
	uint64_t q = rate_Bps / 10u;
	return q < QOS_MTU ? QOS_MTU : q > 200000u ? 200000u : (uint32_t)q;
}

/* About 30 ms of full-size packets at the class's ceiling: a pfifo has no
 * AQM and no flow isolation, so the tier's own queue must stay short; at
 * least 16 packets. (Packets that GRO/GSO merged count as one: the time
 * can be longer. fq_codel, where the kernel has it, does not need this.) */
uint32_t qos_pfifo_limit(uint64_t ceil_kbit)
{
	uint64_t pkts = ceil_kbit * 125u * 3u / 100u / QOS_MTU;
	return pkts < 16 ? 16 : pkts > 1000 ? 1000 : (uint32_t)pkts;
}

struct nlmsghdr *qos_msg_htb_root(void *buf, uint32_t seq, int ifindex, enum qos_op op,
				  uint32_t default_minor)
{
	struct nlmsghdr *nlh = tc_header(buf, seq, RTM_NEWQDISC, op_flags(op), ifindex,
					 QOS_HANDLE_MAJ << 16, TC_H_ROOT, 0);
	struct tc_htb_glob g = { .version = 3, .rate2quantum = 10, .defcls = default_minor };
	mnl_attr_put_strz(nlh, TCA_KIND, "htb");
	struct nlattr *opt = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	mnl_attr_put(nlh, TCA_HTB_INIT, sizeof(g), &g);
	mnl_attr_nest_end(nlh, opt);
	return nlh;
}

struct nlmsghdr *qos_msg_cake_root(void *buf, uint32_t seq, int ifindex, enum qos_op op,
				   uint32_t rate_kbit, bool diffserv4, bool ingress)
{
	struct nlmsghdr *nlh = tc_header(buf, seq, RTM_NEWQDISC, op_flags(op), ifindex,
					 QOS_HANDLE_MAJ << 16, TC_H_ROOT, 0);
	mnl_attr_put_strz(nlh, TCA_KIND, "cake");
	struct nlattr *opt = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	mnl_attr_put_u64(nlh, TCA_CAKE_BASE_RATE64, (uint64_t)rate_kbit * 125u);
	mnl_attr_put_u32(nlh, TCA_CAKE_DIFFSERV_MODE,
			 diffserv4 ? QOS_CAKE_DIFFSERV4 : QOS_CAKE_BESTEFFORT);
	/* Behind our own NAT: fairness per LAN host, as sqm sets it. */
	mnl_attr_put_u32(nlh, TCA_CAKE_NAT, 1);
	mnl_attr_put_u32(nlh, TCA_CAKE_INGRESS, ingress ? 1 : 0);
	mnl_attr_nest_end(nlh, opt);
	return nlh;
}

static void put_rate(struct tc_ratespec *r, uint64_t Bps)
{
	r->linklayer = TC_LINKLAYER_ETHERNET;
	r->rate = Bps >= UINT32_MAX ? UINT32_MAX : (uint32_t)Bps;
}

static uint32_t ticks(uint32_t burst, uint64_t Bps)
{
	uint64_t ns = Bps ? (uint64_t)burst * 1000000000u / Bps : 0;
	ns >>= PSCHED_SHIFT_NS;
	return ns > UINT32_MAX ? UINT32_MAX : (uint32_t)ns;
}

struct nlmsghdr *qos_msg_htb_class(void *buf, uint32_t seq, int ifindex, enum qos_op op,
				   uint32_t classid, uint32_t parent, uint64_t rate_kbit,
				   uint64_t ceil_kbit, uint32_t prio)
{
	struct nlmsghdr *nlh = tc_header(buf, seq, RTM_NEWTCLASS, op_flags(op), ifindex,
					 classid, parent, 0);
	uint64_t rate = rate_kbit * 125u, ceil = ceil_kbit * 125u;
	struct tc_htb_opt o = { .prio = prio, .quantum = qos_htb_quantum(rate) };
	put_rate(&o.rate, rate);
	put_rate(&o.ceil, ceil);
	o.buffer = ticks(qos_htb_burst(rate), rate);
	o.cbuffer = ticks(qos_htb_burst(ceil), ceil);
	mnl_attr_put_strz(nlh, TCA_KIND, "htb");
	struct nlattr *opt = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	mnl_attr_put(nlh, TCA_HTB_PARMS, sizeof(o), &o);
	if (rate >= UINT32_MAX)
		mnl_attr_put_u64(nlh, TCA_HTB_RATE64, rate);
	if (ceil >= UINT32_MAX)
		mnl_attr_put_u64(nlh, TCA_HTB_CEIL64, ceil);
	mnl_attr_nest_end(nlh, opt);
	return nlh;
}

struct nlmsghdr *qos_msg_leaf(void *buf, uint32_t seq, int ifindex, uint32_t parent,
			      uint32_t handle, enum qos_leaf leaf, uint32_t pfifo_limit)
{
	struct nlmsghdr *nlh = tc_header(buf, seq, RTM_NEWQDISC, op_flags(QOS_OP_REPLACE),
					 ifindex, handle, parent, 0);
	mnl_attr_put_strz(nlh, TCA_KIND, qos_leaf_name(leaf));
	/* fq_codel and sfq: their defaults (no TCA_OPTIONS); pfifo takes a
	 * bare struct, not nested attributes. */
	if (leaf == QOS_LEAF_PFIFO) {
		struct tc_fifo_qopt f = { .limit = pfifo_limit };
		mnl_attr_put(nlh, TCA_OPTIONS, sizeof(f), &f);
	}
	return nlh;
}

struct nlmsghdr *qos_msg_u32(void *buf, uint32_t seq, int ifindex, uint16_t pref,
			     uint16_t protocol, uint32_t val, uint32_t mask, uint32_t classid)
{
	struct nlmsghdr *nlh = tc_header(buf, seq, RTM_NEWTFILTER, op_flags(QOS_OP_CREATE),
					 ifindex, 0, QOS_HANDLE_MAJ << 16,
					 TC_H_MAKE((uint32_t)pref << 16, htons(protocol)));
	/* the selector with its one key right behind it, as the kernel reads it */
	uint8_t sel[sizeof(struct tc_u32_sel) + sizeof(struct tc_u32_key)];
	struct tc_u32_sel hdr = { .flags = TC_U32_TERMINAL, .nkeys = 1 };
	struct tc_u32_key key = { .val = htonl(val & mask), .mask = htonl(mask), .off = 0 };
	memcpy(sel, &hdr, sizeof(hdr));
	memcpy(sel + sizeof(hdr), &key, sizeof(key));  /* off 0: the network header's first word */
	mnl_attr_put_strz(nlh, TCA_KIND, "u32");
	struct nlattr *opt = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	mnl_attr_put_u32(nlh, TCA_U32_CLASSID, classid);
	mnl_attr_put(nlh, TCA_U32_SEL, sizeof(sel), sel);
	mnl_attr_nest_end(nlh, opt);
	return nlh;
}

struct nlmsghdr *qos_msg_del_root(void *buf, uint32_t seq, int ifindex)
{
	return tc_header(buf, seq, RTM_DELQDISC, 0, ifindex, QOS_HANDLE_MAJ << 16, TC_H_ROOT, 0);
}

struct nlmsghdr *qos_msg_dump(void *buf, uint32_t seq, uint16_t type, int ifindex)
{
	uint32_t parent = type == RTM_GETTFILTER ? QOS_HANDLE_MAJ << 16 : 0;
	struct nlmsghdr *nlh = tc_header(buf, seq, type, NLM_F_DUMP, ifindex, 0, parent, 0);
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	return nlh;
}

const char *qos_kind_name(enum qos_kind k)
{
	return k == QOS_KIND_CAKE ? "cake" : "htb";
}

const char *qos_leaf_name(enum qos_leaf l)
{
	static const char *const n[] = { "fq_codel", "sfq", "pfifo" };
	return (unsigned)l < QOS_N_LEAVES ? n[l] : "?";
}
