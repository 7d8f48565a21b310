/* route_msg: rtnetlink route and rule messages (see route_int.h). Building
 * and parsing sit together so that the unit tests can parse back exactly
 * what the backend would send, with the parser the dump path uses. */
#include "route/route_int.h"

#include "core/nlwalk.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>

/* ---- addresses ------------------------------------------------------------- */

size_t route_ip_len(int family)
{
	return family == AF_INET6 ? sizeof(struct in6_addr) : sizeof(struct in_addr);
}

bool route_ip_eq(int family, const union route_ip *a, const union route_ip *b)
{
	return memcmp(a, b, route_ip_len(family)) == 0;
}

const char *route_ip_str(int family, const union route_ip *ip, char *buf, size_t size)
{
	if (!inet_ntop(family, ip, buf, (socklen_t)size))
		snprintf(buf, size, "?");
	return buf;
}

/* ---- building ---------------------------------------------------------------- */

/* RTA_TABLE carries the full id; rtm_table only fits ids below 256. */
static uint8_t table_small(uint32_t table)
{
	return table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
}

static void put_nh(struct nlmsghdr *nlh, int family, const struct route_nh *nh)
{
	if (nh->gw_family == family)
		mnl_attr_put(nlh, RTA_GATEWAY, route_ip_len(family), &nh->gw);
	if (nh->oif > 0)
		mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)nh->oif);
}

struct nlmsghdr *route_msg_route(void *buf, uint16_t type, uint16_t flags, uint32_t seq,
				 const struct route_rt *r)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = r->family;
	rtm->rtm_dst_len = r->dst_len;
	rtm->rtm_tos = r->tos;
	rtm->rtm_table = table_small(r->table);
	rtm->rtm_protocol = r->protocol;
	rtm->rtm_scope = r->scope;
	rtm->rtm_type = r->type;
	mnl_attr_put_u32(nlh, RTA_TABLE, r->table);
	if (r->dst_len)
		mnl_attr_put(nlh, RTA_DST, route_ip_len(r->family), &r->dst);
	mnl_attr_put_u32(nlh, RTA_PRIORITY, r->metric);
	if (r->n_nh > 0)
		put_nh(nlh, r->family, &r->nh[0]);
	return nlh;
}

struct nlmsghdr *route_msg_rule(void *buf, uint16_t type, uint16_t flags, uint32_t seq,
				const struct route_rule *r)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	struct fib_rule_hdr *frh = mnl_nlmsg_put_extra_header(nlh, sizeof(*frh));
	frh->family = r->family;
	frh->src_len = r->src_len;
	frh->tos = r->tos;
	frh->table = table_small(r->table);
	frh->action = r->action;
	frh->flags = r->flags;
	mnl_attr_put_u32(nlh, FRA_PRIORITY, r->priority);
	mnl_attr_put_u32(nlh, FRA_TABLE, r->table);
	if (r->src_len)
		mnl_attr_put(nlh, FRA_SRC, route_ip_len(r->family), &r->src);
	if (r->has_fwmark) {
		mnl_attr_put_u32(nlh, FRA_FWMARK, r->fwmark);
		mnl_attr_put_u32(nlh, FRA_FWMASK, r->fwmask);
	}
	if (r->oifname[0])
		mnl_attr_put_strz(nlh, FRA_OIFNAME, r->oifname);
	if (r->suppress_prefixlen != UINT32_MAX)
		mnl_attr_put_u32(nlh, FRA_SUPPRESS_PREFIXLEN, r->suppress_prefixlen);
	mnl_attr_put_u8(nlh, FRA_PROTOCOL, r->protocol);
	return nlh;
}

struct nlmsghdr *route_msg_dump(void *buf, uint16_t type, int family, uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	if (type == RTM_GETRULE) {
		struct fib_rule_hdr *frh = mnl_nlmsg_put_extra_header(nlh, sizeof(*frh));
		frh->family = (uint8_t)family;
	} else {
		struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
		rtm->rtm_family = (uint8_t)family;
	}
	return nlh;
}

/* ---- parsing ------------------------------------------------------------------- */

static int get_ip(const struct nlattr *a, int family, union route_ip *ip)
{
	if (mnl_attr_get_payload_len(a) != route_ip_len(family))
		return -1;
	memcpy(ip, mnl_attr_get_payload(a), route_ip_len(family));
	return 0;
}

static int get_u32(const struct nlattr *a, uint32_t *v)
{
	if (mnl_attr_get_payload_len(a) < sizeof(uint32_t))
		return -1;
	*v = mnl_attr_get_u32(a);
	return 0;
}

/* RTA_VIA: a gateway of the other family (IPv4 route via an IPv6 nexthop). */
static int get_via(const struct nlattr *a, struct route_nh *nh)
{
	const struct rtvia *via = mnl_attr_get_payload(a);
	size_t len = mnl_attr_get_payload_len(a);
	if (len < sizeof(*via))
		return -1;
	int fam = via->rtvia_family;
	if ((fam != AF_INET && fam != AF_INET6) || len < sizeof(*via) + route_ip_len(fam))
		return -1;
	memcpy(&nh->gw, via->rtvia_addr, route_ip_len(fam));
	nh->gw_family = fam;
	return 0;
}

/* A nexthop's gateway: RTA_GATEWAY of the route's family, or RTA_VIA. */
static int get_gateway(const struct nlattr **tb, int family, struct route_nh *nh)
{
	if (tb[RTA_GATEWAY]) {
		if (get_ip(tb[RTA_GATEWAY], family, &nh->gw) < 0)
			return -1;
		nh->gw_family = family;
	}
	if (tb[RTA_VIA] && get_via(tb[RTA_VIA], nh) < 0)
		return -1;
	return 0;
}

/* One nexthop of RTA_MULTIPATH: struct rtnexthop and its own attributes
 * (rtnh_len is checked against the payload by the caller). */
static int parse_rtnh(const struct rtnexthop *rtnh, int family, struct route_nh *nh)
{
	const struct nlattr *tb[RTA_MAX + 1];
	memset(nh, 0, sizeof(*nh));
	nh->oif = rtnh->rtnh_ifindex;
	if (nlwalk_index(RTNH_DATA(rtnh), rtnh->rtnh_len - RTNH_LENGTH(0), tb, RTA_MAX) < 0)
		return -1;
	return get_gateway(tb, family, nh);
}

static int parse_multipath(const struct nlattr *a, struct route_rt *r)
{
	const char *p = mnl_attr_get_payload(a);
	int left = (int)mnl_attr_get_payload_len(a);
	r->multipath = true;
	r->n_nh = 0;
	while (left >= (int)sizeof(struct rtnexthop)) {
		const struct rtnexthop *rtnh = (const struct rtnexthop *)p;
		if (rtnh->rtnh_len < sizeof(*rtnh) || rtnh->rtnh_len > left)
			return -1;
		if (r->n_nh < ROUTE_MAX_NH) {
			if (parse_rtnh(rtnh, r->family, &r->nh[r->n_nh]) < 0)
				return -1;
			r->n_nh++;
		} else {
			r->extra = true;
		}
		left -= RTNH_ALIGN(rtnh->rtnh_len);
		p += RTNH_ALIGN(rtnh->rtnh_len);
	}
	return 0;
}

static int parse_rt_attrs(const struct nlattr **tb, struct route_rt *r)
{
	struct route_nh *nh = &r->nh[0];
	uint32_t v;
	if (tb[RTA_TABLE] && get_u32(tb[RTA_TABLE], &r->table) < 0)
		return -1;
	if (tb[RTA_DST] && get_ip(tb[RTA_DST], r->family, &r->dst) < 0)
		return -1;
	if (tb[RTA_PRIORITY] && get_u32(tb[RTA_PRIORITY], &r->metric) < 0)
		return -1;
	if (tb[RTA_OIF]) {
		if (get_u32(tb[RTA_OIF], &v) < 0)
			return -1;
		nh->oif = (int)v;
	}
	if (get_gateway(tb, r->family, nh) < 0)
		return -1;
	r->n_nh = 1;
	r->nh_id = tb[RTA_NH_ID] != NULL;
	/* Source-specific (v6 "from") or realm routes are not ours to model. */
	if (tb[RTA_SRC] || tb[RTA_FLOW] || tb[RTA_ENCAP] || tb[RTA_IIF])
		r->extra = true;
	if (tb[RTA_MULTIPATH])
		return parse_multipath(tb[RTA_MULTIPATH], r);
	return 0;
}

int route_msg_parse_route(const struct nlmsghdr *nlh, struct route_rt *out)
{
	const struct nlattr *tb[RTA_MAX + 1];
	if (nlh->nlmsg_type != RTM_NEWROUTE && nlh->nlmsg_type != RTM_DELROUTE)
		return 1;
	if (nlwalk_index_msg(nlh, sizeof(struct rtmsg), tb, RTA_MAX) < 0)
		return -1;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	if (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6)
		return 1;
	memset(out, 0, sizeof(*out));
	out->family = rtm->rtm_family;
	out->dst_len = rtm->rtm_dst_len;
	out->tos = rtm->rtm_tos;
	out->protocol = rtm->rtm_protocol;
	out->type = rtm->rtm_type;
	out->scope = rtm->rtm_scope;
	out->table = rtm->rtm_table;
	out->flags = rtm->rtm_flags;
	if (out->dst_len > route_ip_len(out->family) * 8)
		return -1;
	return parse_rt_attrs(tb, out);
}

static int parse_rule_attrs(const struct nlattr **tb, struct route_rule *r)
{
	if (tb[FRA_TABLE] && get_u32(tb[FRA_TABLE], &r->table) < 0)
		return -1;
	if (tb[FRA_PRIORITY]) {
		if (get_u32(tb[FRA_PRIORITY], &r->priority) < 0)
			return -1;
		r->has_priority = true;
	}
	if (tb[FRA_SRC] && get_ip(tb[FRA_SRC], r->family, &r->src) < 0)
		return -1;
	if (tb[FRA_FWMARK]) {
		if (get_u32(tb[FRA_FWMARK], &r->fwmark) < 0)
			return -1;
		r->has_fwmark = true;
	}
	if (tb[FRA_FWMASK] && get_u32(tb[FRA_FWMASK], &r->fwmask) < 0)
		return -1;
	if (tb[FRA_SUPPRESS_PREFIXLEN] &&
	    get_u32(tb[FRA_SUPPRESS_PREFIXLEN], &r->suppress_prefixlen) < 0)
		return -1;
	if (tb[FRA_PROTOCOL])
		r->protocol = mnl_attr_get_u8(tb[FRA_PROTOCOL]);
	if (tb[FRA_OIFNAME]) {
		size_t len = strnlen(mnl_attr_get_payload(tb[FRA_OIFNAME]),
				     mnl_attr_get_payload_len(tb[FRA_OIFNAME]));
		if (len >= IF_NAMESIZE)
			return -1;
		memcpy(r->oifname, mnl_attr_get_payload(tb[FRA_OIFNAME]), len);
	}
	return 0;
}

/* Selectors we never install: a rule that has one is not one of ours. */
static bool rule_has_extra(const struct nlattr **tb, const struct fib_rule_hdr *frh)
{
	static const uint16_t other[] = {
		FRA_DST, FRA_IIFNAME, FRA_GOTO, FRA_FLOW, FRA_TUN_ID, FRA_SUPPRESS_IFGROUP,
		FRA_L3MDEV, FRA_UID_RANGE, FRA_IP_PROTO, FRA_SPORT_RANGE, FRA_DPORT_RANGE,
	};
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		if (tb[other[i]])
			return true;
	return frh->dst_len != 0 || frh->tos != 0 || frh->action != FR_ACT_TO_TBL;
}

int route_msg_parse_rule(const struct nlmsghdr *nlh, struct route_rule *out)
{
	const struct nlattr *tb[FRA_MAX + 1];
	if (nlh->nlmsg_type != RTM_NEWRULE && nlh->nlmsg_type != RTM_DELRULE)
		return 1;
	if (nlwalk_index_msg(nlh, sizeof(struct fib_rule_hdr), tb, FRA_MAX) < 0)
		return -1;
	const struct fib_rule_hdr *frh = mnl_nlmsg_get_payload(nlh);
	if (frh->family != AF_INET && frh->family != AF_INET6)
		return 1;
	memset(out, 0, sizeof(*out));
	out->family = frh->family;
	out->src_len = frh->src_len;
	out->dst_len = frh->dst_len;
	out->tos = frh->tos;
	out->action = frh->action;
	out->flags = frh->flags;
	out->table = frh->table;
	out->fwmask = UINT32_MAX;
	out->suppress_prefixlen = UINT32_MAX;
	if (out->src_len > route_ip_len(out->family) * 8)
		return -1;
	if (parse_rule_attrs(tb, out) < 0)
		return -1;
	out->extra = rule_has_extra(tb, frh);
	return 0;
}

/* ---- formatting ---------------------------------------------------------------- */

static const char *table_name(uint32_t table, char *buf, size_t size)
{
	switch (table) {
	case RT_TABLE_MAIN: return "main";
	case RT_TABLE_LOCAL: return "local";
	case RT_TABLE_DEFAULT: return "default";
	}
	snprintf(buf, size, "%u", table);
	return buf;
}

static const char *dev_name(int ifindex, char *buf)
{
	if (!if_indextoname((unsigned)ifindex, buf))
		snprintf(buf, IF_NAMESIZE, "if%d", ifindex);
	return buf;
}

void route_fmt_rt(const struct route_rt *r, char *buf, size_t size)
{
	char dst[INET6_ADDRSTRLEN + 8] = "default", gw[INET6_ADDRSTRLEN + 8] = "";
	char dev[IF_NAMESIZE + 8] = "", tb[16], a[INET6_ADDRSTRLEN], d[IF_NAMESIZE];
	if (r->dst_len)
		snprintf(dst, sizeof(dst), "%s/%u", route_ip_str(r->family, &r->dst, a, sizeof(a)),
			 r->dst_len);
	const struct route_nh *nh = &r->nh[0];
	if (r->n_nh && nh->gw_family)
		snprintf(gw, sizeof(gw), " via %s", route_ip_str(nh->gw_family, &nh->gw, a, sizeof(a)));
	if (r->n_nh && nh->oif > 0)
		snprintf(dev, sizeof(dev), " dev %s", dev_name(nh->oif, d));
	snprintf(buf, size, "%s%s%s%s table %s metric %u proto %u", r->family == AF_INET6 ? "-6 " : "",
		 dst, gw, dev, table_name(r->table, tb, sizeof(tb)), r->metric, r->protocol);
}

void route_fmt_rule(const struct route_rule *r, char *buf, size_t size)
{
	char sel[INET6_ADDRSTRLEN + 64] = "", a[INET6_ADDRSTRLEN], tb[16];
	size_t n = 0;
	if (r->src_len)
		n += (size_t)snprintf(sel + n, sizeof(sel) - n, " from %s/%u",
				      route_ip_str(r->family, &r->src, a, sizeof(a)), r->src_len);
	if (r->has_fwmark && n < sizeof(sel))
		n += (size_t)snprintf(sel + n, sizeof(sel) - n, " fwmark 0x%x/0x%x", r->fwmark, r->fwmask);
	if (r->oifname[0] && n < sizeof(sel))
		n += (size_t)snprintf(sel + n, sizeof(sel) - n, " oif %s", r->oifname);
	if (r->suppress_prefixlen != UINT32_MAX && n < sizeof(sel))
		snprintf(sel + n, sizeof(sel) - n, " suppress_prefixlength %u", r->suppress_prefixlen);
	snprintf(buf, size, "%s%u:%s%s lookup %s proto %u", r->family == AF_INET6 ? "-6 " : "",
		 r->priority, r->src_len || r->has_fwmark || r->oifname[0] ? "" : " from all",
		 sel, table_name(r->table, tb, sizeof(tb)), r->protocol);
}

void route_fmt_obj(const struct route_obj *o, char *buf, size_t size)
{
	if (o->kind == ROUTE_OBJ_ROUTE)
		route_fmt_rt(&o->rt, buf, size);
	else
		route_fmt_rule(&o->rule, buf, size);
}

/* ---- object sets ------------------------------------------------------------------ */

int route_objs_add(struct route_objs *s, const struct route_obj *o)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 32;
		struct route_obj *v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return -1;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n] = *o;
	s->v[s->n].raw = NULL;
	s->v[s->n].raw_len = 0;
	s->n++;
	return 0;
}

int route_objs_set_raw(struct route_objs *s, const struct nlmsghdr *nlh)
{
	struct route_obj *o = &s->v[s->n - 1];
	if (nlh->nlmsg_len > ROUTE_MSG_MAX * 4)
		return -1;
	o->raw = malloc(nlh->nlmsg_len);
	if (!o->raw)
		return -1;
	memcpy(o->raw, nlh, nlh->nlmsg_len);
	o->raw_len = (uint16_t)nlh->nlmsg_len;
	return 0;
}

void route_objs_clear(struct route_objs *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].raw);
	s->n = 0;
}

void route_objs_free(struct route_objs *s)
{
	route_objs_clear(s);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* Keep our own objects (with the raw message, to delete them exactly) and
 * other protocols' default routes (for learning and conflict reports). */
int route_objs_feed(struct route_objs *s, const struct nlmsghdr *nlh, uint8_t proto)
{
	struct route_obj o = { .member = -1 };
	int rc = 1;
	if (nlh->nlmsg_type == RTM_NEWROUTE) {
		o.kind = ROUTE_OBJ_ROUTE;
		rc = route_msg_parse_route(nlh, &o.rt);
		o.owned = rc == 0 && o.rt.protocol == proto;
		if (rc == 0 && !o.owned && (o.rt.dst_len || o.rt.table == RT_TABLE_LOCAL))
			return 0;
	} else if (nlh->nlmsg_type == RTM_NEWRULE) {
		o.kind = ROUTE_OBJ_RULE;
		rc = route_msg_parse_rule(nlh, &o.rule);
		o.owned = rc == 0 && o.rule.protocol == proto;
		if (rc == 0 && !o.owned)
			return 0;
	}
	if (rc != 0)
		return rc < 0 ? 1 : 0;
	if (route_objs_add(s, &o) < 0)
		return -1;
	return o.owned ? route_objs_set_raw(s, nlh) : 0;
}
