/* route_learn: which gateway a member's default route goes through.
 *
 * The rule, first match wins (docs/route-backend.md explains why):
 *   1. the member's explicit gateway (config);
 *   2. someone else's default route through the member's device, in any
 *      table — what netifd/DHCP/odhcp6c/RA installed. Main table first, then
 *      the lowest metric, then a route with a gateway over one without,
 *      then the lowest table id. A nexthop of a multipath route counts;
 *      routes using nexthop objects do not (their gateway is elsewhere);
 *   3. the other end of the member's on-link /30 or /31 (IPv6 /127): the
 *      only other host there;
 *   4. our own default route through the device from before (a restart:
 *      the last gateway we knew survives in the kernel), if it still lies
 *      in one of the member's subnets;
 *   5. a point-to-point device: a device route without a gateway;
 *   6. the previous answer (2-4), as long as it still fits the member's
 *      addresses: an admin-down deletes the DHCP route along with ours, and
 *      the router should come back up on the gateway it had.
 * Nothing found: the member does not serve that family. */
#include "route/route_int.h"

#include <string.h>

#include <linux/rtnetlink.h>

const char *route_gw_source_name(enum route_gw_source s)
{
	switch (s) {
	case ROUTE_GW_NONE: return "none";
	case ROUTE_GW_CONFIG: return "config";
	case ROUTE_GW_ROUTE: return "route";
	case ROUTE_GW_OWN: return "own";
	case ROUTE_GW_PEER: return "peer";
	case ROUTE_GW_DEVICE: return "device";
	case ROUTE_GW_CACHED: return "cached";
	}
	return "?";
}

struct cand {
	const struct route_rt *rt;
	const struct route_nh *nh;
};

/* Lower sorts first: main table, metric, gateway over none, table id. */
static bool cand_better(const struct cand *a, const struct cand *b, uint32_t main_table)
{
	bool am = a->rt->table == main_table, bm = b->rt->table == main_table;
	if (am != bm)
		return am;
	if (a->rt->metric != b->rt->metric)
		return a->rt->metric < b->rt->metric;
	bool ag = a->nh->gw_family != 0, bg = b->nh->gw_family != 0;
	if (ag != bg)
		return ag;
	return a->rt->table < b->rt->table;
}

static bool rt_usable(const struct route_rt *r, int family, bool own, bool is_owned)
{
	if (is_owned != own || r->family != family || r->dst_len != 0 || r->nh_id)
		return false;
	return r->type == RTN_UNICAST && r->table != RT_TABLE_LOCAL;
}

/* Best default route via ifindex among have's routes (owned or foreign). */
static bool learn_from_routes(const struct route_objs *have, int ifindex, int family,
			      uint32_t main_table, bool own, struct route_gw *out)
{
	struct cand best = { 0 };
	for (size_t i = 0; i < have->n; i++) {
		const struct route_obj *o = &have->v[i];
		if (o->kind != ROUTE_OBJ_ROUTE || !rt_usable(&o->rt, family, own, o->owned))
			continue;
		for (uint8_t k = 0; k < o->rt.n_nh; k++) {
			const struct route_nh *nh = &o->rt.nh[k];
			/* A gateway of the other family (RTA_VIA) is not one
			 * we could install in this family's table. */
			if (nh->oif != ifindex || (nh->gw_family && nh->gw_family != family))
				continue;
			struct cand c = { &o->rt, nh };
			if (!best.rt || cand_better(&c, &best, main_table))
				best = c;
		}
	}
	if (!best.rt)
		return false;
	out->source = own ? ROUTE_GW_OWN : ROUTE_GW_ROUTE;
	out->family = best.nh->gw_family;
	out->gw = best.nh->gw;
	out->table = best.rt->table;
	out->protocol = best.rt->protocol;
	if (!out->family && !own)
		out->source = ROUTE_GW_DEVICE;
	return true;
}

/* The other usable address of a /30 (hosts .1 and .2), a /31 (either) or
 * an IPv6 /127. */
static bool peer_of(const struct route_addr *a, union route_ip *peer)
{
	*peer = a->ip;
	if (a->family == AF_INET) {
		uint8_t *last = (uint8_t *)&peer->v4 + 3;
		if (a->prefixlen == 31) {
			*last ^= 1;
			return true;
		}
		if (a->prefixlen != 30 || (*last & 3) == 0 || (*last & 3) == 3)
			return false;
		*last ^= 3;     /* .1 <-> .2 */
		return true;
	}
	if (a->prefixlen != 127)
		return false;
	peer->v6.s6_addr[15] ^= 1;
	return true;
}

static bool learn_peer(const struct route_member *m, int family, struct route_gw *out)
{
	for (size_t i = 0; i < m->n_src; i++) {
		if (m->src[i].family != family || !peer_of(&m->src[i], &out->gw))
			continue;
		out->source = ROUTE_GW_PEER;
		out->family = family;
		return true;
	}
	return false;
}

static bool prefix_contains(const struct route_addr *a, const union route_ip *ip)
{
	const uint8_t *p = (const uint8_t *)&a->ip, *q = (const uint8_t *)ip;
	unsigned bits = a->prefixlen;
	for (unsigned i = 0; bits > 0; i++, bits = bits > 8 ? bits - 8 : 0) {
		uint8_t mask = bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));
		if ((p[i] & mask) != (q[i] & mask))
			return false;
	}
	return true;
}

/* A remembered gateway is still believable while it lies in one of the
 * member's subnets (or is IPv6 link-local), or while the member has no
 * address of that family to judge by. */
static bool gw_plausible(const struct route_member *m, const struct route_gw *g)
{
	if (g->family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(&g->gw.v6))
		return true;
	bool any = false;
	for (size_t i = 0; i < m->n_src; i++) {
		const struct route_addr *a = &m->src[i];
		if (a->family != g->family)
			continue;
		any = true;
		if (a->prefixlen < route_ip_len(a->family) * 8 && prefix_contains(a, &g->gw))
			return true;
	}
	return !any;
}

static bool cacheable(const struct route_gw *g)
{
	return g->family && (g->source == ROUTE_GW_ROUTE || g->source == ROUTE_GW_OWN ||
			     g->source == ROUTE_GW_PEER || g->source == ROUTE_GW_CACHED);
}

void route_learn_gateway(const struct route_member *m, int ifindex, int family,
			 uint32_t main_table, const struct route_objs *have,
			 const struct route_gw *prev, struct route_gw *out)
{
	memset(out, 0, sizeof(*out));
	const struct route_addr *cfg = family == AF_INET ? &m->gw4 : &m->gw6;
	if (cfg->family == family) {
		out->source = ROUTE_GW_CONFIG;
		out->family = family;
		out->gw = cfg->ip;
		return;
	}
	if (ifindex > 0 && learn_from_routes(have, ifindex, family, main_table, false, out))
		return;
	if (learn_peer(m, family, out))
		return;
	if (ifindex > 0 && learn_from_routes(have, ifindex, family, main_table, true, out)) {
		if (gw_plausible(m, out))
			return;
		memset(out, 0, sizeof(*out));
	}
	if (m->pointopoint) {
		out->source = ROUTE_GW_DEVICE;
		return;
	}
	if (prev && prev->family == family && cacheable(prev) && gw_plausible(m, prev)) {
		*out = *prev;
		out->source = ROUTE_GW_CACHED;
	}
}
