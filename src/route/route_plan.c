/* route_plan: the state we want in the kernel, and the diff that gets it
 * there from what a dump found. Pure: no sockets, no clock. */
#include "route/route_int.h"

#include <stdlib.h>
#include <string.h>

#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>

/* ---- wanted state ------------------------------------------------------------ */

static uint32_t metric_for(const struct route_cfg *c, int family)
{
	if (family == AF_INET6 && c->metric < ROUTE_V6_MIN_METRIC)
		return ROUTE_V6_MIN_METRIC;
	return c->metric;
}

/* The member can carry this family: its device is up, it has an address
 * of the family (routes through it would be refused, or useless), and a
 * gateway is known. */
bool route_member_serves(const struct route_mstate *ms, int family)
{
	if (ms->down || ms->ifindex <= 0 || ms->gw[route_fam_idx(family)].source == ROUTE_GW_NONE)
		return false;
	for (size_t i = 0; i < ms->m.n_src; i++)
		if (ms->m.src[i].family == family)
			return true;
	return false;
}

/* A default route through member ms in table, if it serves the family. */
static int want_default(const struct route_want *w, int idx, int family, uint32_t table,
			struct route_objs *out)
{
	const struct route_mstate *ms = &w->ms[idx];
	const struct route_gw *gw = &ms->gw[route_fam_idx(family)];
	if (!route_member_serves(ms, family))
		return 0;
	struct route_obj o = { .kind = ROUTE_OBJ_ROUTE, .owned = true, .member = idx };
	struct route_rt *r = &o.rt;
	r->family = (uint8_t)family;
	r->protocol = w->cfg->protocol;
	r->type = RTN_UNICAST;
	r->scope = gw->family ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	r->table = table;
	r->metric = metric_for(w->cfg, family);
	r->n_nh = 1;
	r->nh[0].oif = ms->ifindex;
	r->nh[0].gw_family = gw->family;
	r->nh[0].gw = gw->gw;
	return route_objs_add(out, &o);
}

static bool is_owned_default(const struct route_obj *o, int family, uint32_t table)
{
	return o->kind == ROUTE_OBJ_ROUTE && o->owned && o->rt.family == family &&
	       o->rt.dst_len == 0 && o->rt.table == table;
}

static bool foreign_default_exists(const struct route_objs *have, int family, uint32_t table)
{
	for (size_t i = 0; i < have->n; i++) {
		const struct route_obj *o = &have->v[i];
		if (o->kind == ROUTE_OBJ_ROUTE && !o->owned && o->rt.family == family &&
		    o->rt.dst_len == 0 && o->rt.table == table && o->rt.type == RTN_UNICAST)
			return true;
	}
	return false;
}

/* Our default routes as they are (UNKNOWN: not ours to decide yet; RESTORE
 * without another default route: keep the router online). */
static int keep_defaults(const struct route_want *w, int family, const struct route_objs *have,
			 struct route_objs *out, unsigned *kept)
{
	for (size_t i = 0; i < have->n; i++) {
		if (!is_owned_default(&have->v[i], family, w->cfg->default_table))
			continue;
		if (route_objs_add(out, &have->v[i]) < 0)
			return -1;
		(*kept)++;
	}
	return 0;
}

static int want_defaults(const struct route_want *w, int family, const struct route_objs *have,
			 struct route_objs *out, unsigned *kept)
{
	switch (w->state) {
	case ROUTE_ST_ACTIVE:
		return want_default(w, w->active, family, w->cfg->default_table, out);
	case ROUTE_ST_UNKNOWN:
		return keep_defaults(w, family, have, out, kept);
	case ROUTE_ST_RESTORE:
		if (foreign_default_exists(have, family, w->cfg->main_table))
			return 0;
		return keep_defaults(w, family, have, out, kept);
	case ROUTE_ST_NONE:
		break;
	}
	return 0;
}

static struct route_obj rule_base(const struct route_want *w, int family, uint32_t pref,
				  uint32_t table, int member)
{
	struct route_obj o = { .kind = ROUTE_OBJ_RULE, .owned = true, .member = member };
	struct route_rule *r = &o.rule;
	r->family = (uint8_t)family;
	r->action = FR_ACT_TO_TBL;
	r->protocol = w->cfg->protocol;
	r->priority = pref;
	r->has_priority = true;
	r->table = table;
	r->fwmask = UINT32_MAX;
	r->suppress_prefixlen = UINT32_MAX;
	return o;
}

static bool src_usable(const struct route_addr *a, int family)
{
	if (a->family != family)
		return false;
	if (family == AF_INET6)
		return !IN6_IS_ADDR_LINKLOCAL(&a->ip.v6);
	return (ntohl(a->ip.v4.s_addr) >> 16) != 0xa9fe;       /* 169.254/16 */
}

/* fwmark, from and oif rules into member idx's table. */
static int want_member_rules(const struct route_want *w, int idx, int family,
			     struct route_objs *out)
{
	const struct route_member *m = &w->ms[idx].m;
	uint32_t base = w->cfg->rule_pref;
	struct route_obj o;
	if (m->fwmark) {
		o = rule_base(w, family, base + 1, m->table, idx);
		o.rule.has_fwmark = true;
		o.rule.fwmark = m->fwmark;
		o.rule.fwmask = m->fwmask ? m->fwmask : UINT32_MAX;
		if (route_objs_add(out, &o) < 0)
			return -1;
	}
	for (size_t i = 0; i < m->n_src; i++) {
		if (!src_usable(&m->src[i], family))
			continue;
		o = rule_base(w, family, base + 2, m->table, idx);
		o.rule.src = m->src[i].ip;
		o.rule.src_len = (uint8_t)(route_ip_len(family) * 8);
		if (route_objs_add(out, &o) < 0)
			return -1;
	}
	if (!m->device[0])
		return 0;
	o = rule_base(w, family, base + 3, m->table, idx);
	strcpy(o.rule.oifname, m->device);
	return route_objs_add(out, &o);
}

static int want_rules(const struct route_want *w, int family, unsigned kept,
		      struct route_objs *out)
{
	const struct route_cfg *c = w->cfg;
	bool dedicated = c->default_table != c->main_table;
	bool tables = false;
	if (w->state != ROUTE_ST_RESTORE)
		for (size_t i = 0; i < w->n; i++)
			tables |= w->ms[i].m.table != 0;
	bool default_rule = dedicated && (w->state != ROUTE_ST_RESTORE || kept > 0);
	if (!tables && !default_rule)
		return 0;
	/* Specific routes of main (LAN, connected subnets) before any
	 * table of ours: only main's default routes are skipped. */
	struct route_obj o = rule_base(w, family, c->rule_pref, c->main_table, -1);
	o.rule.suppress_prefixlen = 0;
	if (route_objs_add(out, &o) < 0)
		return -1;
	for (size_t i = 0; tables && i < w->n; i++)
		if (w->ms[i].m.table && want_member_rules(w, (int)i, family, out) < 0)
			return -1;
	if (!default_rule)
		return 0;
	o = rule_base(w, family, c->rule_pref + 4, c->default_table, -1);
	return route_objs_add(out, &o);
}

int route_wanted(const struct route_want *w, const struct route_objs *have,
		 struct route_objs *out)
{
	route_objs_clear(out);
	for (int f = 0; f < (w->cfg->ipv6 ? 2 : 1); f++) {
		int family = f ? AF_INET6 : AF_INET;
		unsigned kept = 0;
		if (want_defaults(w, family, have, out, &kept) < 0)
			return -1;
		for (size_t i = 0; w->state != ROUTE_ST_RESTORE && i < w->n; i++)
			if (w->ms[i].m.table &&
			    want_default(w, (int)i, family, w->ms[i].m.table, out) < 0)
				return -1;
		if (want_rules(w, family, kept, out) < 0)
			return -1;
	}
	return 0;
}

/* ---- comparison ------------------------------------------------------------------ */

/* The kernel's identity of a route: a replace overwrites what is here. */
bool route_rt_same_slot(const struct route_rt *a, const struct route_rt *b)
{
	return a->family == b->family && a->table == b->table && a->dst_len == b->dst_len &&
	       a->tos == b->tos && a->metric == b->metric &&
	       (a->dst_len == 0 || route_ip_eq(a->family, &a->dst, &b->dst));
}

static bool nh_equal(const struct route_nh *a, const struct route_nh *b)
{
	return a->oif == b->oif && a->gw_family == b->gw_family &&
	       (a->gw_family == 0 || route_ip_eq(a->gw_family, &a->gw, &b->gw));
}

bool route_rt_equal(const struct route_rt *a, const struct route_rt *b)
{
	if (!route_rt_same_slot(a, b) || a->type != b->type || a->protocol != b->protocol)
		return false;
	if (a->multipath || b->multipath || a->nh_id || b->nh_id || a->extra || b->extra)
		return false;
	return a->n_nh == 1 && b->n_nh == 1 && nh_equal(&a->nh[0], &b->nh[0]);
}

bool route_rule_equal(const struct route_rule *a, const struct route_rule *b)
{
	if (a->extra || b->extra || a->family != b->family || a->priority != b->priority ||
	    a->table != b->table || a->action != b->action || a->protocol != b->protocol ||
	    ((a->flags ^ b->flags) & FIB_RULE_INVERT) || a->src_len != b->src_len ||
	    a->has_fwmark != b->has_fwmark || a->suppress_prefixlen != b->suppress_prefixlen ||
	    strcmp(a->oifname, b->oifname) != 0)
		return false;
	if (a->src_len && !route_ip_eq(a->family, &a->src, &b->src))
		return false;
	return !a->has_fwmark || (a->fwmark == b->fwmark && a->fwmask == b->fwmask);
}

static bool obj_equal(const struct route_obj *a, const struct route_obj *b)
{
	if (a->kind != b->kind)
		return false;
	if (a->kind == ROUTE_OBJ_ROUTE)
		return route_rt_equal(&a->rt, &b->rt);
	return route_rule_equal(&a->rule, &b->rule);
}

/* ---- diff ---------------------------------------------------------------------------- */

static int plan_add(struct route_plan *p, enum route_op_kind kind, const struct route_obj *o)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		struct route_op *v = realloc(p->ops, cap * sizeof(*v));
		if (!v)
			return -1;
		p->ops = v;
		p->cap = cap;
	}
	struct route_op *op = &p->ops[p->n++];
	memset(op, 0, sizeof(*op));
	op->kind = kind;
	op->obj = *o;
	return 0;
}

/* have[i] equal to o that no earlier wanted object claimed; -1 if none. */
static int find_equal(const struct route_objs *have, const struct route_obj *o, bool *claimed)
{
	for (size_t i = 0; i < have->n; i++)
		if (!claimed[i] && have->v[i].owned && obj_equal(&have->v[i], o))
			return (int)i;
	return -1;
}

static bool slot_taken_by_foreign(const struct route_objs *have, const struct route_rt *r)
{
	for (size_t i = 0; i < have->n; i++) {
		const struct route_obj *h = &have->v[i];
		if (h->kind == ROUTE_OBJ_ROUTE && !h->owned && route_rt_same_slot(&h->rt, r))
			return true;
	}
	return false;
}

/* An owned route whose slot a replace in the plan overwrites: deleting it
 * as well could delete the replacement. */
static bool slot_replaced(const struct route_plan *p, size_t n_adds, const struct route_obj *h)
{
	if (h->kind != ROUTE_OBJ_ROUTE)
		return false;
	for (size_t i = 0; i < n_adds; i++)
		if (p->ops[i].kind == ROUTE_OP_REPLACE && route_rt_same_slot(&p->ops[i].obj.rt, &h->rt))
			return true;
	return false;
}

static int diff_wanted(const struct route_objs *want, const struct route_objs *have,
		       bool *claimed, struct route_plan *plan)
{
	for (size_t i = 0; i < want->n; i++) {
		const struct route_obj *w = &want->v[i];
		int j = find_equal(have, w, claimed);
		if (j >= 0) {
			claimed[j] = true;
			continue;
		}
		bool route = w->kind == ROUTE_OBJ_ROUTE;
		if (route && slot_taken_by_foreign(have, &w->rt))
			plan->foreign_replaced++;
		if (plan_add(plan, route ? ROUTE_OP_REPLACE : ROUTE_OP_ADD, w) < 0)
			return -1;
	}
	return 0;
}

int route_diff(const struct route_objs *want, const struct route_objs *have,
	       struct route_plan *plan)
{
	route_plan_clear(plan);
	bool *claimed = calloc(have->n ? have->n : 1, sizeof(*claimed));
	if (!claimed)
		return -1;
	int rc = diff_wanted(want, have, claimed, plan);
	size_t n_adds = plan->n;
	for (size_t i = 0; rc == 0 && i < have->n; i++) {
		const struct route_obj *h = &have->v[i];
		if (!h->owned || claimed[i] || slot_replaced(plan, n_adds, h))
			continue;
		rc = plan_add(plan, ROUTE_OP_DEL, h);
		if (rc == 0)
			plan->ops[plan->n - 1].obj.raw = h->raw;  /* borrowed */
	}
	free(claimed);
	return rc;
}

void route_plan_clear(struct route_plan *p)
{
	p->n = 0;
	p->foreign_replaced = 0;
}

void route_plan_free(struct route_plan *p)
{
	free(p->ops);
	memset(p, 0, sizeof(*p));
}

/* ---- batch ------------------------------------------------------------------------------ */

static void put_op(const struct route_op *op, void *buf, uint32_t seq)
{
	const struct route_obj *o = &op->obj;
	bool route = o->kind == ROUTE_OBJ_ROUTE;
	if (op->kind == ROUTE_OP_DEL && o->raw) {
		/* Send back what the kernel reported, as a delete. */
		struct nlmsghdr *nlh = buf;
		memcpy(buf, o->raw, o->raw_len);
		nlh->nlmsg_type = route ? RTM_DELROUTE : RTM_DELRULE;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
		nlh->nlmsg_seq = seq;
		nlh->nlmsg_pid = 0;
		return;
	}
	uint16_t type, flags = NLM_F_ACK;
	if (op->kind == ROUTE_OP_DEL)
		type = route ? RTM_DELROUTE : RTM_DELRULE;
	else if (route)
		type = RTM_NEWROUTE, flags |= NLM_F_CREATE | NLM_F_REPLACE;
	else    /* rules have no replace: exclusive create, EEXIST is fine */
		type = RTM_NEWRULE, flags |= NLM_F_CREATE | NLM_F_EXCL;
	if (route)
		route_msg_route(buf, type, flags, seq, &o->rt);
	else
		route_msg_rule(buf, type, flags, seq, &o->rule);
}

static size_t op_size(const struct route_op *op)
{
	return op->kind == ROUTE_OP_DEL && op->obj.raw ? op->obj.raw_len : ROUTE_MSG_MAX;
}

size_t route_plan_batch(struct route_plan *p, size_t *next, void *buf, size_t size,
			uint32_t seq)
{
	struct mnl_nlmsg_batch *b = mnl_nlmsg_batch_start(buf, size);
	if (!b)
		return 0;
	size_t start = *next;
	while (*next < p->n && *next - start < ROUTE_BATCH_MAX_MSGS) {
		const struct route_op *op = &p->ops[*next];
		/* Room for the whole message, whatever mnl_nlmsg_batch_next
		 * would say after the fact. */
		if (mnl_nlmsg_batch_size(b) + op_size(op) > size)
			break;
		put_op(op, mnl_nlmsg_batch_current(b), seq + (uint32_t)(*next - start));
		mnl_nlmsg_batch_next(b);
		(*next)++;
	}
	size_t len = mnl_nlmsg_batch_size(b);
	mnl_nlmsg_batch_stop(b);
	return len;
}
