/* route: the public interface (route.h) over the shared engine
 * (route_sync.c) and the backends' operations. */
#include "route/route_int.h"

#include "core/clock.h"
#include "core/log.h"
#include "link/linkmon.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#define VERIFY_INTERVAL_DEFAULT_S 30

/* ---- names -------------------------------------------------------------------- */

const char *route_kind_name(enum route_kind kind)
{
	switch (kind) {
	case ROUTE_KIND_NETLINK: return "netlink";
	case ROUTE_KIND_NONE: return "none";
	}
	return "?";
}

int route_kind_parse(const char *name)
{
	if (strcmp(name, "netlink") == 0)
		return ROUTE_KIND_NETLINK;
	if (strcmp(name, "none") == 0)
		return ROUTE_KIND_NONE;
	return -1;
}

const char *route_event_name(enum route_event ev)
{
	switch (ev) {
	case ROUTE_EV_CHANGED: return "changed";
	case ROUTE_EV_REPAIRED: return "repaired";
	case ROUTE_EV_ADOPTED: return "adopted";
	case ROUTE_EV_ERROR: return "error";
	case ROUTE_EV_RESYNC: return "resync";
	}
	return "?";
}

int route_addr_parse(const char *text, struct route_addr *a)
{
	char buf[INET6_ADDRSTRLEN + 8];
	memset(a, 0, sizeof(*a));
	if (snprintf(buf, sizeof(buf), "%s", text) >= (int)sizeof(buf))
		return -1;
	char *slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	a->family = strchr(buf, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(a->family, buf, &a->ip) != 1)
		return -1;
	unsigned max = (unsigned)route_ip_len(a->family) * 8;
	char *end = NULL;
	unsigned long len = slash ? strtoul(slash, &end, 10) : max;
	if ((slash && (*slash == '\0' || *end != '\0')) || len > max)
		return -1;
	a->prefixlen = (uint8_t)len;
	return 0;
}

void route_member_set_link(struct route_member *m, const struct link_info *li)
{
	m->n_src = 0;
	if (!li) {              /* device missing: no routes until it appears */
		m->ifindex = 0;
		m->pointopoint = false;
		return;
	}
	snprintf(m->device, sizeof(m->device), "%s", li->name);
	m->ifindex = li->ifindex;
	m->pointopoint = (li->flags & IFF_POINTOPOINT) != 0;
	for (size_t i = 0; i < li->n_addrs && m->n_src < ROUTE_MAX_SRC; i++) {
		const struct link_addr *a = &li->addrs[i];
		if (a->scope >= RT_SCOPE_LINK || (a->flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)))
			continue;
		struct route_addr *s = &m->src[m->n_src++];
		s->family = a->family;
		s->prefixlen = a->prefixlen;
		memcpy(&s->ip, &a->addr, route_ip_len(a->family));
	}
}

/* ---- life cycle ------------------------------------------------------------------- */

static void cfg_from_params(struct route_backend *rb, const struct route_params *p)
{
	if (p)
		rb->params = *p;
	struct route_cfg *c = &rb->cfg;
	c->metric = rb->params.metric;
	c->main_table = RT_TABLE_MAIN;
	c->default_table = rb->params.default_table ? rb->params.default_table : RT_TABLE_MAIN;
	c->rule_pref = rb->params.rule_pref ? rb->params.rule_pref : ROUTE_RULE_PREF_DEFAULT;
	c->protocol = rb->params.protocol ? rb->params.protocol : ROUTE_PROTO_DEFAULT;
	c->ipv6 = !rb->params.no_ipv6;
	if (!rb->params.verify_interval_s)
		rb->params.verify_interval_s = VERIFY_INTERVAL_DEFAULT_S;
}

static void on_periodic(evutil_socket_t fd, short what, void *arg)
{
	route_sync_run(arg, ROUTE_WHY_PERIODIC, NULL);
	route_flows_sync(arg, true);
}

static int start_periodic(struct route_backend *rb)
{
	if (!rb->base || rb->params.verify_interval_s < 0)
		return 0;
	rb->periodic = event_new(rb->base, -1, EV_PERSIST, on_periodic, rb);
	struct timeval tv = { .tv_sec = rb->params.verify_interval_s };
	if (!rb->periodic || event_add(rb->periodic, &tv) < 0) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

static const struct route_ops *ops_for(enum route_kind kind)
{
	switch (kind) {
	case ROUTE_KIND_NETLINK: return &route_netlink_ops;
	case ROUTE_KIND_NONE: return &route_none_ops;
	}
	return NULL;
}

static size_t count_owned(const struct route_objs *s)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++)
		n += s->v[i].owned;
	return n;
}

struct route_backend *route_new(enum route_kind kind, struct event_base *base,
				const struct route_params *p)
{
	const struct route_ops *ops = ops_for(kind);
	if (!ops) {
		errno = EINVAL;
		return NULL;
	}
	struct route_backend *rb = calloc(1, sizeof(*rb));
	if (!rb)
		return NULL;
	rb->ops = ops;
	rb->kind = kind;
	rb->base = base;
	rb->state = ROUTE_ST_UNKNOWN;
	rb->active = -1;
	cfg_from_params(rb, p);
	/* Subscribe (init) before the first dump: nothing falls in between. */
	if (route_nl_open(&rb->nl, NETLINK_ROUTE) < 0 || ops->init(rb) < 0 ||
	    route_sync_dump(rb) < 0 || start_periodic(rb) < 0 || !route_flows_new(rb)) {
		int e = errno;
		log_errno(LOG_LVL_ERR, "route: %s backend", ops->name);
		route_free(rb, ROUTE_HANDOVER);  /* a failed start changes nothing */
		errno = e;
		return NULL;
	}
	route_ct_probe(&rb->ct);
	if (!rb->ct.available)
		log_warn("route: conntrack flush unavailable: %s", rb->ct.error);
	log_info("route: %s backend, protocol %u, %zu routes/rules of ours found", ops->name,
		 rb->cfg.protocol, count_owned(&rb->have));
	return rb;
}

void route_free(struct route_backend *rb, enum route_shutdown how)
{
	if (!rb)
		return;
	if (how == ROUTE_RESTORE && !rb->ops->read_only && rb->nl.nl) {
		rb->state = ROUTE_ST_RESTORE;
		if (route_sync_run(rb, ROUTE_WHY_RESTORE, NULL) == 0)
			log_info("route: restored: %zu routes/rules of ours left", count_owned(&rb->have));
	}
	route_flows_free(rb, how != ROUTE_HANDOVER);
	if (rb->periodic)
		event_free(rb->periodic);
	if (rb->ops->fini)
		rb->ops->fini(rb);
	route_nl_close(&rb->nl);
	route_objs_free(&rb->have);
	route_objs_free(&rb->want);
	route_plan_free(&rb->pending);
	free(rb->ms);
	free(rb);
}

/* ---- members ------------------------------------------------------------------------ */

static int find_member(const struct route_backend *rb, const char *name)
{
	for (size_t i = 0; i < rb->n_ms; i++)
		if (strcmp(rb->ms[i].m.name, name) == 0)
			return (int)i;
	return -1;
}

/* Tables 0 and 253-255 are the kernel's; a member table equal to the
 * default table would mix the active default with a member's. */
static bool table_ok(const struct route_backend *rb, uint32_t t)
{
	return t == 0 || (t < RT_TABLE_COMPAT && t != rb->cfg.default_table) ||
	       (t > RT_TABLE_LOCAL && t != rb->cfg.default_table);
}

static int check_members(const struct route_backend *rb, const struct route_member *m, size_t n)
{
	if (n > ROUTE_MAX_MEMBERS)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!m[i].name[0] || strnlen(m[i].name, ROUTE_NAME_MAX) == ROUTE_NAME_MAX ||
		    strnlen(m[i].device, IF_NAMESIZE) == IF_NAMESIZE ||
		    (!m[i].device[0] && m[i].ifindex <= 0) || m[i].n_src > ROUTE_MAX_SRC ||
		    !table_ok(rb, m[i].table)) {
			log_err("route: member %zu (%.*s): invalid", i, ROUTE_NAME_MAX, m[i].name);
			return -1;
		}
		for (size_t j = 0; j < i; j++)
			if (strcmp(m[i].name, m[j].name) == 0 ||
			    (m[i].table && m[i].table == m[j].table)) {
				log_err("route: members %s and %s: same name or table", m[j].name,
					m[i].name);
				return -1;
			}
	}
	return 0;
}

/* Keeps what was learnt about members that stay on the same device. */
static void carry_state(const struct route_backend *rb, struct route_mstate *ms)
{
	int old = find_member(rb, ms->m.name);
	if (old >= 0 && strcmp(rb->ms[old].m.device, ms->m.device) == 0)
		memcpy(ms->gw, rb->ms[old].gw, sizeof(ms->gw));
}

int route_set_members(struct route_backend *rb, const struct route_member *m, size_t n)
{
	if (check_members(rb, m, n) < 0) {
		errno = EINVAL;
		return -1;
	}
	struct route_mstate *ms = calloc(n ? n : 1, sizeof(*ms));
	if (!ms)
		return -1;
	for (size_t i = 0; i < n; i++) {
		ms[i].m = m[i];
		carry_state(rb, &ms[i]);
	}
	route_flows_assign(rb, ms, n);
	const char *active = route_active(rb);
	int idx = active ? -1 : rb->active;
	for (size_t i = 0; active && i < n; i++)
		if (strcmp(ms[i].m.name, active) == 0)
			idx = (int)i;
	if (active && idx < 0) {
		/* Its default route stays until the next decision. */
		log_warn("route: active member %s is gone", active);
		rb->state = ROUTE_ST_UNKNOWN;
	}
	free(rb->ms);
	rb->ms = ms;
	rb->n_ms = n;
	rb->active = idx;
	rb->members_set = true;
	int rc = route_sync_run(rb, ROUTE_WHY_MEMBERS, NULL);
	int e = errno;
	route_flows_sync(rb, false);
	route_flows_refresh(rb);        /* counts per member follow the new list */
	errno = e;
	return rc;
}

/* ---- decisions ------------------------------------------------------------------------- */

static void record_change(struct route_backend *rb, int prev, const struct route_result *res)
{
	rb->last_change.wall_ms = clock_wall_ms();
	snprintf(rb->last_change.member, sizeof(rb->last_change.member), "%s",
		 rb->active >= 0 ? rb->ms[rb->active].m.name : "");
	snprintf(rb->last_change.from, sizeof(rb->last_change.from), "%s",
		 prev >= 0 ? rb->ms[prev].m.name : "");
	rb->last_change.res = *res;
}

static void flush_old(struct route_backend *rb, int prev, struct route_result *res)
{
	struct route_result ct;
	if (route_conntrack_flush(rb, rb->ms[prev].m.name, &ct) < 0 && !res->error[0])
		snprintf(res->error, sizeof(res->error), "%s", rb->ct.error);
	res->ct_matched = ct.ct_matched;
	res->ct_deleted = ct.ct_deleted;
	res->ct_flows = ct.ct_flows;
	res->ct_took_us = ct.ct_took_us;
}

/* Why the active member got no default route at all ("" if it got one). */
static const char *why_unserved(const struct route_backend *rb, const struct route_mstate *ms)
{
	if (route_member_serves(ms, AF_INET) || (rb->cfg.ipv6 && route_member_serves(ms, AF_INET6)))
		return "";
	if (ms->down)
		return "its device is missing or down";
	if (ms->m.n_src == 0)
		return "it has no address";
	return "no gateway is known";
}

int route_activate(struct route_backend *rb, const char *member, unsigned flags,
		   struct route_result *res)
{
	struct route_result local;
	if (!res)
		res = &local;
	int idx = member ? find_member(rb, member) : -1;
	if (member && idx < 0) {
		memset(res, 0, sizeof(*res));
		snprintf(res->error, sizeof(res->error), "no member %s", member);
		errno = ENOENT;
		return -1;
	}
	int prev = rb->state == ROUTE_ST_ACTIVE ? rb->active : -1;
	rb->stats.activations++;
	rb->stats.switches += prev != idx;
	rb->state = idx >= 0 ? ROUTE_ST_ACTIVE : ROUTE_ST_NONE;
	rb->active = idx;
	rb->adopt_done = true;          /* a decision beats adoption */
	int rc = route_sync_run(rb, ROUTE_WHY_ACTIVATE, res);
	int e = errno;
	const char *why = idx >= 0 ? why_unserved(rb, &rb->ms[idx]) : "";
	if (rc == 0 && why[0]) {
		/* The state is kept: the route appears when the member can
		 * carry it (its up event); the caller should pick another. */
		route_sync_error(rb, member, "no default route: %s", why);
		snprintf(res->error, sizeof(res->error), "%s: no default route: %s", member, why);
		rc = -1;
		e = ENETUNREACH;
	}
	rb->stats.last_took_us = res->took_us;
	if (res->took_us > rb->stats.max_took_us)
		rb->stats.max_took_us = res->took_us;
	if (rc == 0 && (flags & ROUTE_ACT_FLUSH_OLD) && prev >= 0 && prev != idx)
		flush_old(rb, prev, res);
	if (prev != idx || res->changes > 0) {
		record_change(rb, prev, res);
		route_sync_event(rb, ROUTE_EV_CHANGED, member, "active %s (was %s): %u change%s%s in %.3f ms%s",
				 member ? member : "none", prev >= 0 ? rb->ms[prev].m.name : "none",
				 res->changes, res->changes == 1 ? "" : "s",
				 res->dry_run ? " (dry run, not sent)" : "", res->took_us / 1000.0,
				 rc == 0 ? "" : ", FAILED");
	}
	errno = e;
	return rc;
}

int route_verify(struct route_backend *rb, char *text, size_t size)
{
	struct route_result res;
	if (text && size)
		text[0] = '\0';
	/* A read-only run: the "none" ops never apply; for netlink, borrow
	 * them for one run. */
	const struct route_ops *ops = rb->ops;
	struct route_ops ro = *ops;
	ro.read_only = true;
	ro.after_sync = NULL;
	rb->ops = &ro;
	int rc = route_sync_run(rb, ROUTE_WHY_PERIODIC, &res);
	rb->ops = ops;
	if (rc < 0)
		return -1;
	if (text && size) {
		size_t len = 0;
		for (size_t i = 0; i < rb->pending.n && i < 4 && len < size; i++) {
			char what[160];
			const struct route_op *op = &rb->pending.ops[i];
			route_fmt_obj(&op->obj, what, sizeof(what));
			len += (size_t)snprintf(text + len, size - len, "%s%s %s", i ? "; " : "",
						op->kind == ROUTE_OP_DEL ? "extra" : "missing", what);
		}
	}
	return (int)rb->pending.n;
}

int route_resync(struct route_backend *rb)
{
	rb->stats.resyncs++;
	int rc = route_sync_run(rb, ROUTE_WHY_RESYNC, NULL);
	int e = errno;
	route_flows_sync(rb, true);
	errno = e;
	return rc;
}

int route_conntrack_flush(struct route_backend *rb, const char *member, struct route_result *res)
{
	struct route_result local;
	if (!res)
		res = &local;
	memset(res, 0, sizeof(*res));
	res->ct_matched = res->ct_deleted = res->ct_flows = -1;
	int idx = find_member(rb, member);
	if (idx < 0) {
		errno = ENOENT;
		return -1;
	}
	uint64_t t0 = clock_mono_us();
	int rc = route_ct_flush(&rb->ms[idx].m, route_flows_mask(rb), rb->ops->read_only,
				&res->ct_matched, &res->ct_flows, &res->ct_deleted, &rb->ct);
	int e = errno;
	res->ct_took_us = clock_mono_us() - t0;
	res->dry_run = rb->ops->read_only;
	rb->stats.ct_flushes++;
	rb->stats.ct_deleted += (uint64_t)res->ct_deleted;
	if (rc < 0) {
		rb->stats.ct_errors++;
		snprintf(res->error, sizeof(res->error), "%s", rb->ct.error);
		route_sync_error(rb, member, "%s", rb->ct.error);
	} else {
		log_info("route: %s: conntrack: %d entries of its flows (%d live), %d deleted%s "
			 "(%.3f ms)", member, res->ct_matched, res->ct_flows, res->ct_deleted,
			 res->dry_run ? " (dry run)" : "",
			 res->ct_took_us / 1000.0);
	}
	errno = e;
	return rc;
}

/* ---- queries ---------------------------------------------------------------------------- */

const char *route_active(const struct route_backend *rb)
{
	return rb->state == ROUTE_ST_ACTIVE && rb->active >= 0 ? rb->ms[rb->active].m.name : NULL;
}

bool route_adopted(const struct route_backend *rb)
{
	return rb->adopted;
}

void route_get_stats(const struct route_backend *rb, struct route_stats *out)
{
	*out = rb->stats;
}

int route_set_rcvbuf(struct route_backend *rb, int bytes)
{
	if (!rb->ops->set_rcvbuf) {
		errno = EOPNOTSUPP;
		return -1;
	}
	return rb->ops->set_rcvbuf(rb, bytes);
}
