/* qos_parse: tc objects out of rtnetlink dump messages. The input is the
 * kernel's, but it is parsed as if it were anyone's (fuzz_qos): every
 * length is checked before it is trusted. libmnl's walkers run to the
 * aligned end of a message, so a message must fit the buffer aligned. */
#include "qos/qos_int.h"

#include <stdio.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/gen_stats.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <arpa/inet.h>

#ifndef TCA_CAKE_MAX
#define TCA_CAKE_BASE_RATE64    2
#define TCA_CAKE_DIFFSERV_MODE  3
#define TCA_CAKE_INGRESS        15
#define TCA_CAKE_MAX            18
#endif

struct attrs {
	const struct nlattr *tb[32];
	unsigned max;
};

static int collect(const struct nlattr *a, void *arg)
{
	struct attrs *t = arg;
	unsigned type = mnl_attr_get_type(a);
	if (type <= t->max && type < 32)
		t->tb[type] = a;
	return MNL_CB_OK;
}

static int parse_nested(const struct nlattr *nest, struct attrs *t, unsigned max)
{
	memset(t, 0, sizeof(*t));
	t->max = max;
	return mnl_attr_parse_nested(nest, collect, t) == MNL_CB_OK ? 0 : -1;
}

static bool payload_at_least(const struct nlattr *a, size_t n)
{
	return a && mnl_attr_get_payload_len(a) >= n;
}

static void get_u64(const struct nlattr *a, uint64_t *out)
{
	if (payload_at_least(a, sizeof(uint64_t)))
		memcpy(out, mnl_attr_get_payload(a), sizeof(*out));
}

static void get_u32(const struct nlattr *a, uint32_t *out)
{
	if (payload_at_least(a, sizeof(uint32_t)))
		memcpy(out, mnl_attr_get_payload(a), sizeof(*out));
}

static int parse_stats(const struct nlattr *st, struct qos_kobj *o)
{
	struct attrs t;
	if (parse_nested(st, &t, TCA_STATS_MAX) < 0)
		return -1;
	if (payload_at_least(t.tb[TCA_STATS_BASIC], sizeof(struct gnet_stats_basic))) {
		struct gnet_stats_basic b;
		memcpy(&b, mnl_attr_get_payload(t.tb[TCA_STATS_BASIC]), sizeof(b));
		o->bytes = b.bytes;
		o->packets = b.packets;
		o->has_stats = true;
	}
	if (payload_at_least(t.tb[TCA_STATS_QUEUE], sizeof(struct gnet_stats_queue))) {
		struct gnet_stats_queue q;
		memcpy(&q, mnl_attr_get_payload(t.tb[TCA_STATS_QUEUE]), sizeof(q));
		o->drops = q.drops;
		o->backlog = q.backlog;
		o->qlen = q.qlen;
		o->overlimits = q.overlimits;
		o->has_stats = true;
	}
	return 0;
}

static int parse_htb(const struct nlattr *opts, struct qos_kobj *o)
{
	struct attrs t;
	if (parse_nested(opts, &t, TCA_HTB_MAX) < 0)
		return -1;
	if (payload_at_least(t.tb[TCA_HTB_INIT], sizeof(struct tc_htb_glob))) {
		struct tc_htb_glob g;
		memcpy(&g, mnl_attr_get_payload(t.tb[TCA_HTB_INIT]), sizeof(g));
		o->htb_defcls = g.defcls;
	}
	if (payload_at_least(t.tb[TCA_HTB_PARMS], sizeof(struct tc_htb_opt))) {
		struct tc_htb_opt h;
		memcpy(&h, mnl_attr_get_payload(t.tb[TCA_HTB_PARMS]), sizeof(h));
		o->rate_Bps = h.rate.rate;
		o->ceil_Bps = h.ceil.rate;
		o->prio = h.prio;
		o->quantum = h.quantum;
	}
	get_u64(t.tb[TCA_HTB_RATE64], &o->rate_Bps);
	get_u64(t.tb[TCA_HTB_CEIL64], &o->ceil_Bps);
	return 0;
}

static int parse_cake(const struct nlattr *opts, struct qos_kobj *o)
{
	struct attrs t;
	uint32_t v = 0;
	if (parse_nested(opts, &t, TCA_CAKE_MAX < 31 ? TCA_CAKE_MAX : 31) < 0)
		return -1;
	get_u64(t.tb[TCA_CAKE_BASE_RATE64], &o->rate_Bps);
	if (payload_at_least(t.tb[TCA_CAKE_DIFFSERV_MODE], sizeof(uint32_t))) {
		get_u32(t.tb[TCA_CAKE_DIFFSERV_MODE], &v);
		o->cake_diffserv = (int32_t)(v & 0x7fffffff);
	}
	v = 0;
	get_u32(t.tb[TCA_CAKE_INGRESS], &v);
	o->cake_ingress = v != 0;
	return 0;
}

static int parse_u32(const struct nlattr *opts, struct qos_kobj *o)
{
	struct attrs t;
	if (parse_nested(opts, &t, TCA_U32_MAX) < 0)
		return -1;
	get_u32(t.tb[TCA_U32_CLASSID], &o->u32_classid);
	const struct nlattr *sel = t.tb[TCA_U32_SEL];
	if (!payload_at_least(sel, sizeof(struct tc_u32_sel)))
		return 0;       /* a hash table node, not a match */
	struct tc_u32_sel s;
	size_t len = mnl_attr_get_payload_len(sel);
	memcpy(&s, mnl_attr_get_payload(sel), sizeof(s));
	o->u32_sel = true;
	o->u32_nkeys = s.nkeys;
	/* the keys follow the selector; nkeys must fit in what was sent */
	if ((size_t)s.nkeys * sizeof(struct tc_u32_key) > len - sizeof(s))
		return -1;
	if (s.nkeys >= 1) {
		struct tc_u32_key k;
		memcpy(&k, (const uint8_t *)mnl_attr_get_payload(sel) + sizeof(s), sizeof(k));
		o->u32_val = ntohl(k.val);
		o->u32_mask = ntohl(k.mask);
		o->u32_off = k.off;
	}
	return 0;
}

static int parse_options(const struct nlattr *opts, struct qos_kobj *o)
{
	if (!opts)
		return 0;
	if (strcmp(o->kind, "htb") == 0)
		return parse_htb(opts, o);
	if (strcmp(o->kind, "cake") == 0)
		return parse_cake(opts, o);
	if (strcmp(o->kind, "u32") == 0)
		return parse_u32(opts, o);
	if (strcmp(o->kind, "pfifo") == 0 || strcmp(o->kind, "bfifo") == 0) {
		if (payload_at_least(opts, sizeof(struct tc_fifo_qopt)))
			get_u32(opts, &o->fifo_limit);
	}
	return 0;
}

int qos_parse(const struct nlmsghdr *nlh, size_t len, struct qos_kobj *o)
{
	memset(o, 0, sizeof(*o));
	o->cake_diffserv = -1;
	if (len < sizeof(*nlh) || nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(struct tcmsg) ||
	    nlh->nlmsg_len > len || NLMSG_ALIGN(nlh->nlmsg_len) > len)
		return -1;
	if (nlh->nlmsg_type != RTM_NEWQDISC && nlh->nlmsg_type != RTM_NEWTCLASS &&
	    nlh->nlmsg_type != RTM_NEWTFILTER)
		return 1;
	const struct tcmsg *tcm = mnl_nlmsg_get_payload(nlh);
	o->type = nlh->nlmsg_type;
	o->ifindex = tcm->tcm_ifindex;
	o->handle = tcm->tcm_handle;
	o->parent = tcm->tcm_parent;
	o->info = tcm->tcm_info;
	struct attrs t = { .max = TCA_MAX < 31 ? TCA_MAX : 31 };
	if (mnl_attr_parse(nlh, sizeof(*tcm), collect, &t) != MNL_CB_OK)
		return -1;
	const struct nlattr *k = t.tb[TCA_KIND];
	if (!k || mnl_attr_validate(k, MNL_TYPE_NUL_STRING) < 0)
		return -1;
	snprintf(o->kind, sizeof(o->kind), "%s", mnl_attr_get_str(k));
	if (parse_options(t.tb[TCA_OPTIONS], o) < 0)
		return -1;
	if (t.tb[TCA_STATS2] && parse_stats(t.tb[TCA_STATS2], o) < 0)
		return -1;
	return 0;
}
