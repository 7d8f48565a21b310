/* qos_want: the kernel objects a plan needs at a rate, and how what a
 * device has compares with them (pure). */
#include "qos/qos_int.h"

#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

static uint64_t pct_of(uint32_t rate_kbit, unsigned pct)
{
	uint64_t v = (uint64_t)rate_kbit * pct / 100u;
	return v ? v : 1;
}

static void add_filters(struct qos_want *w, const struct qos_plan *p)
{
	static const uint16_t protos[2] = { ETH_P_IP, ETH_P_IPV6 };
	uint16_t pref = 1;
	for (unsigned f = 0; f < 2; f++) {
		for (unsigned i = 0; i < qos_n_dscp_rules; i++) {
			const struct qos_dscp_rule *r = &qos_dscp_rules[i];
			unsigned q = p->queue_of[r->cat], tier = 0;
			while (tier < p->n_tiers && p->tier[tier].queue != q)
				tier++;
			/* Unclassified traffic lands in the default tier anyway. */
			if (tier >= p->n_tiers || tier == p->default_tier ||
			    w->n_filters >= QOS_MAX_FILTERS)
				continue;
			struct qos_want_filter *x = &w->flt[w->n_filters++];
			x->pref = pref++;
			x->protocol = protos[f];
			/* IPv4: the TOS byte is the second of the first word;
			 * IPv6: the traffic class sits 4 bits into it. DSCP is
			 * its upper six bits (ECN is left out of the mask). */
			unsigned shift = f == 0 ? 18 : 22;
			x->val = (uint32_t)r->value << shift;
			x->mask = (uint32_t)r->mask << shift;
			x->classid = qos_tier_classid(p, tier);
		}
	}
}

void qos_want_build(struct qos_want *w, const struct qos_plan *p, enum qos_kind kind,
		    enum qos_leaf leaf, uint32_t rate_kbit)
{
	memset(w, 0, sizeof(*w));
	w->kind = kind;
	w->leaf = leaf;
	w->rate_kbit = rate_kbit;
	w->diffserv4 = p->tiers_on;
	w->ingress = p->download;
	if (kind == QOS_KIND_CAKE)
		return;
	w->default_minor = QOS_TIER_MINOR(p->tier[p->default_tier].queue);
	w->cls[w->n_classes++] = (struct qos_want_class){
		.classid = qos_link_classid(), .parent = QOS_HANDLE_MAJ << 16,
		.rate_kbit = rate_kbit, .ceil_kbit = rate_kbit,
	};
	for (unsigned i = 0; i < p->n_tiers; i++) {
		const struct qos_tier *t = &p->tier[i];
		w->cls[w->n_classes++] = (struct qos_want_class){
			.classid = qos_tier_classid(p, i), .parent = qos_link_classid(),
			.prio = t->prio, .rate_kbit = pct_of(rate_kbit, t->rate_pct),
			.ceil_kbit = pct_of(rate_kbit, t->ceil_pct),
		};
	}
	if (p->tiers_on)
		add_filters(w, p);
}

bool qos_rate_matches(uint64_t have_Bps, uint64_t want_kbit)
{
	return have_Bps == want_kbit * 125u;
}

void qos_have_add(struct qos_have *h, const struct qos_kobj *o, int ifindex)
{
	if (o->ifindex != ifindex)
		return;
	bool ours = (o->handle >> 16) == QOS_HANDLE_MAJ;
	if (o->type == RTM_NEWQDISC && o->parent == TC_H_ROOT) {
		h->root_found = true;
		h->root_handle = o->handle;
		h->root_ours = ours;
		snprintf(h->root_kind, sizeof(h->root_kind), "%s", o->kind);
		h->root = *o;
	} else if (o->type == RTM_NEWQDISC && (o->parent >> 16) == QOS_HANDLE_MAJ) {
		if (h->n_leaves < QOS_MAX_TIERS)
			h->leaves[h->n_leaves++] = *o;
		else
			h->overflow = true;
	} else if (o->type == RTM_NEWTCLASS && ours && strcmp(o->kind, "htb") == 0) {
		if (h->n_classes < 1 + QOS_MAX_TIERS)
			h->cls[h->n_classes++] = *o;
		else
			h->overflow = true;
	} else if (o->type == RTM_NEWTFILTER && (o->parent >> 16) == QOS_HANDLE_MAJ &&
		   o->u32_sel) {
		if (h->n_filters < QOS_MAX_FILTERS)
			h->flt[h->n_filters++] = *o;
		else
			h->overflow = true;
	}
}

static const struct qos_kobj *find_class(const struct qos_have *h, uint32_t classid)
{
	for (unsigned i = 0; i < h->n_classes; i++)
		if (h->cls[i].handle == classid)
			return &h->cls[i];
	return NULL;
}

static const struct qos_kobj *find_leaf(const struct qos_have *h, uint32_t parent)
{
	for (unsigned i = 0; i < h->n_leaves; i++)
		if (h->leaves[i].parent == parent)
			return &h->leaves[i];
	return NULL;
}

static bool filter_present(const struct qos_have *h, const struct qos_want_filter *f)
{
	for (unsigned i = 0; i < h->n_filters; i++) {
		const struct qos_kobj *o = &h->flt[i];
		if (o->info >> 16 == f->pref && (uint16_t)ntohs((uint16_t)o->info) == f->protocol &&
		    o->u32_classid == f->classid && o->u32_nkeys == 1 && o->u32_off == 0 &&
		    o->u32_val == f->val && o->u32_mask == f->mask)
			return true;
	}
	return false;
}

/* HTB: every class with its parent and prio, a leaf of the wanted kind on
 * each tier, exactly the wanted filters. Rates are compared apart. */
static enum qos_diff compare_htb(const struct qos_want *w, const struct qos_have *h)
{
	bool rates = true;
	if (h->root.htb_defcls != w->default_minor || h->n_classes != w->n_classes ||
	    h->n_filters != w->n_filters || h->n_leaves != w->n_classes - 1)
		return QOS_REBUILD;
	for (unsigned i = 0; i < w->n_classes; i++) {
		const struct qos_want_class *c = &w->cls[i];
		const struct qos_kobj *o = find_class(h, c->classid);
		/* HTB reports a top-level class's parent as the root */
		uint32_t parent = i == 0 && o && o->parent == TC_H_ROOT ? c->parent :
				  o ? o->parent : 0;
		if (!o || parent != c->parent || o->prio != c->prio)
			return QOS_REBUILD;
		if (i > 0) {
			const struct qos_kobj *l = find_leaf(h, c->classid);
			if (!l || strcmp(l->kind, qos_leaf_name(w->leaf)) != 0)
				return QOS_REBUILD;
		}
		if (!qos_rate_matches(o->rate_Bps, c->rate_kbit) ||
		    !qos_rate_matches(o->ceil_Bps, c->ceil_kbit))
			rates = false;
	}
	for (unsigned i = 0; i < w->n_filters; i++)
		if (!filter_present(h, &w->flt[i]))
			return QOS_REBUILD;
	return rates ? QOS_SAME : QOS_RATE_ONLY;
}

enum qos_diff qos_compare(const struct qos_want *w, const struct qos_have *h)
{
	if (!h->root_found || (!h->root_ours && (h->root_handle >> 16) == 0))
		return QOS_ABSENT;
	if (!h->root_ours)
		return QOS_FOREIGN;
	if (h->overflow || strcmp(h->root_kind, qos_kind_name(w->kind)) != 0)
		return QOS_REBUILD;
	if (w->kind == QOS_KIND_CAKE) {
		if (h->root.cake_diffserv != (w->diffserv4 ? 1 : 3) ||
		    h->root.cake_ingress != w->ingress)
			return QOS_REBUILD;
		return qos_rate_matches(h->root.rate_Bps, w->rate_kbit) ? QOS_SAME : QOS_RATE_ONLY;
	}
	return compare_htb(w, h);
}

const char *qos_diff_name(enum qos_diff d)
{
	static const char *const n[] = { "same", "rate", "rebuild", "absent", "foreign" };
	return (unsigned)d < 5 ? n[d] : "?";
}
