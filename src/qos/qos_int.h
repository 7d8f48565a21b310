/* Internals of the shaper, shared by its files, the unit tests and the
 * fuzz target.
 *
 *   qos_plan.c   configuration → plan (pure)
 *   qos_dscp.c   DSCP pools → categories (pure)
 *   qos_rate.c   the adaptive rate (pure)
 *   qos_msg.c    rtnetlink tc messages: build qdiscs, classes, u32 filters
 *   qos_parse.c  rtnetlink tc messages: parse dumps (kernel input: fuzzed)
 *   qos_want.c   the objects a plan needs at a rate, and the comparison
 *                with what the kernel has (pure)
 *   qos_apply.c  apply / verify / change rate / remove over netlink */
#ifndef AUTONOMY_QOS_INT_H
#define AUTONOMY_QOS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>

#include "qos/qos_plan.h"

#define QOS_MSG_MAX     512     /* one request */
#define QOS_MAX_FILTERS 16      /* u32 filters: pools x families */
#define QOS_MTU         1514

enum qos_kind { QOS_KIND_HTB, QOS_KIND_CAKE };
enum qos_leaf { QOS_LEAF_FQ_CODEL, QOS_LEAF_SFQ, QOS_LEAF_PFIFO, QOS_N_LEAVES };

const char *qos_kind_name(enum qos_kind k);
const char *qos_leaf_name(enum qos_leaf l);

/* ---- messages (qos_msg.c) ----------------------------------------------------- */

/* nlmsg flags of a change: create (NLM_F_CREATE|NLM_F_EXCL), replace
 * (NLM_F_CREATE|NLM_F_REPLACE) or change in place (0). */
enum qos_op { QOS_OP_CREATE, QOS_OP_REPLACE, QOS_OP_CHANGE };

struct nlmsghdr *qos_msg_htb_root(void *buf, uint32_t seq, int ifindex, enum qos_op op,
				  uint32_t default_minor);
struct nlmsghdr *qos_msg_cake_root(void *buf, uint32_t seq, int ifindex, enum qos_op op,
				   uint32_t rate_kbit, bool diffserv4, bool ingress);
struct nlmsghdr *qos_msg_htb_class(void *buf, uint32_t seq, int ifindex, enum qos_op op,
				   uint32_t classid, uint32_t parent, uint64_t rate_kbit,
				   uint64_t ceil_kbit, uint32_t prio);
struct nlmsghdr *qos_msg_leaf(void *buf, uint32_t seq, int ifindex, uint32_t parent,
			      uint32_t handle, enum qos_leaf leaf, uint32_t pfifo_limit);
/* A u32 filter on our root: packets of protocol (ETH_P_IP / ETH_P_IPV6) whose
 * first header word & mask == val go to classid. pref orders filters. */
struct nlmsghdr *qos_msg_u32(void *buf, uint32_t seq, int ifindex, uint16_t pref,
			     uint16_t protocol, uint32_t val, uint32_t mask, uint32_t classid);
/* Deletes the root qdisc of ifindex whose handle is ours. */
struct nlmsghdr *qos_msg_del_root(void *buf, uint32_t seq, int ifindex);
/* Dump request: RTM_GETQDISC, RTM_GETTCLASS or RTM_GETTFILTER (of our root). */
struct nlmsghdr *qos_msg_dump(void *buf, uint32_t seq, uint16_t type, int ifindex);

/* HTB class arithmetic, exposed for the tests: burst (bytes) allowed at a
 * rate, and the DRR quantum. */
uint32_t qos_htb_burst(uint64_t rate_Bps);
uint32_t qos_htb_quantum(uint64_t rate_Bps);
/* pfifo leaf limit (packets) for a class with this ceiling. */
uint32_t qos_pfifo_limit(uint64_t ceil_kbit);

/* ---- parsed dump objects (qos_parse.c) ------------------------------------- */

struct qos_kobj {
	uint16_t type;          /* RTM_NEWQDISC / RTM_NEWTCLASS / RTM_NEWTFILTER */
	int ifindex;
	uint32_t handle, parent, info;
	char kind[16];
	uint32_t htb_defcls;                    /* htb qdisc */
	uint64_t rate_Bps, ceil_Bps;            /* htb class; cake base rate (rate) */
	uint32_t prio, quantum;                 /* htb class */
	int32_t cake_diffserv;                  /* -1 absent */
	bool cake_ingress;
	uint32_t fifo_limit;                    /* pfifo */
	bool u32_sel;                           /* a u32 match (not a hash table) */
	uint32_t u32_classid, u32_val, u32_mask;
	int32_t u32_off;
	unsigned u32_nkeys;
	bool has_stats;
	uint64_t bytes, packets;
	uint32_t drops, backlog, qlen, overlimits;
};

/* One message of a tc dump. 0 parsed, 1 not a tc object (skip), -1
 * malformed. len: the bytes available at nlh. */
int qos_parse(const struct nlmsghdr *nlh, size_t len, struct qos_kobj *o);

/* ---- wanted objects and the comparison (qos_want.c) ------------------------ */

struct qos_want_class {
	uint32_t classid, parent, prio;
	uint64_t rate_kbit, ceil_kbit;
};

struct qos_want_filter {
	uint16_t pref, protocol;
	uint32_t val, mask, classid;
};

struct qos_want {
	enum qos_kind kind;
	enum qos_leaf leaf;
	uint32_t rate_kbit;
	bool diffserv4, ingress;                /* cake */
	uint32_t default_minor;                 /* htb */
	unsigned n_classes;                     /* link class + tiers */
	struct qos_want_class cls[1 + QOS_MAX_TIERS];
	unsigned n_filters;
	struct qos_want_filter flt[QOS_MAX_FILTERS];
};

void qos_want_build(struct qos_want *w, const struct qos_plan *p, enum qos_kind kind,
		    enum qos_leaf leaf, uint32_t rate_kbit);

/* What the kernel has of ours on one device (from dumps). */
struct qos_have {
	bool root_ours;
	char root_kind[16];
	uint32_t root_handle;           /* the root qdisc's handle, ours or not */
	bool root_found;
	struct qos_kobj root;
	unsigned n_classes, n_leaves, n_filters;
	struct qos_kobj cls[1 + QOS_MAX_TIERS];
	struct qos_kobj leaves[QOS_MAX_TIERS];
	struct qos_kobj flt[QOS_MAX_FILTERS];
	bool overflow;                  /* more objects than we make: not ours alone */
};

enum qos_diff {
	QOS_SAME,               /* nothing to do */
	QOS_RATE_ONLY,          /* same structure, other rates: change in place */
	QOS_REBUILD,            /* ours, but another shape: delete and build */
	QOS_ABSENT,             /* a default root qdisc (handle 0): build */
	QOS_FOREIGN,            /* someone else's root qdisc: leave it */
};

void qos_have_add(struct qos_have *h, const struct qos_kobj *o, int ifindex);
enum qos_diff qos_compare(const struct qos_want *w, const struct qos_have *h);
const char *qos_diff_name(enum qos_diff d);
/* A configured rate as the kernel reports it back (bytes/s, rounded the
 * kernel's way) matches the wanted kbit/s. */
bool qos_rate_matches(uint64_t have_Bps, uint64_t want_kbit);

#endif
