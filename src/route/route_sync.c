/* route_sync: the engine both backends share. One run:
 *   dump     what is in the kernel: our routes and rules (by protocol
 *            marker) and everyone's default routes (for learning)
 *   learn    each member's gateway (route_learn.c)
 *   adopt    once: our default route from a previous run names the active
 *            member
 *   plan     wanted state, diffed against the dump (route_plan.c)
 *   apply    one batch (the backend's apply; "none" stops before it)
 *   verify   dump again and diff: empty means done; otherwise apply the
 *            rest once more, unless the kernel refused something (then a
 *            retry now would only fail again: events and timers retry).
 * Every trigger — members, activation, events, the periodic timer, ENOBUFS
 * — runs the same thing, so there is one way the kernel gets changed. */
#include "route/route_int.h"

#include "core/clock.h"
#include "core/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/rtnetlink.h>

#define DUMP_TRIES 3

/* ---- dump ------------------------------------------------------------------ */

struct dump_arg {
	struct route_backend *rb;
	unsigned bad;
};

static int on_dump_msg(const struct nlmsghdr *nlh, void *arg)
{
	struct dump_arg *d = arg;
	int rc = route_objs_feed(&d->rb->have, nlh, d->rb->cfg.protocol);
	d->bad += rc > 0;
	return rc < 0 ? -1 : 0;
}

/* A kernel without IPv6 (or without IPv6 policy routing) refuses the
 * IPv6 dumps: manage IPv4 only rather than fail. */
static bool no_ipv6(struct route_backend *rb, int family)
{
	if (family != AF_INET6 || (errno != EAFNOSUPPORT && errno != EOPNOTSUPP &&
				   errno != EPROTONOSUPPORT))
		return false;
	log_warn("route: no IPv6 routing in this kernel (%s): IPv4 only", strerror(errno));
	rb->cfg.ipv6 = false;
	return true;
}

static int dump_all(struct route_backend *rb, struct dump_arg *d)
{
	static const uint16_t types[] = { RTM_GETROUTE, RTM_GETRULE };
	char buf[64] __attribute__((aligned(8)));
	for (int f = 0; f < (rb->cfg.ipv6 ? 2 : 1); f++) {
		int family = f ? AF_INET6 : AF_INET;
		for (size_t t = 0; t < 2; t++) {
			struct nlmsghdr *req = route_msg_dump(buf, types[t], family, 0);
			if (route_nl_dump(&rb->nl, req, on_dump_msg, d, ROUTE_NL_TIMEOUT_MS) == 0)
				continue;
			return no_ipv6(rb, family) ? 0 : -1;
		}
	}
	return 0;
}

int route_sync_dump(struct route_backend *rb)
{
	/* Deletes in the plan borrow their message from the old dump. */
	route_plan_clear(&rb->pending);
	for (int i = 0; i < DUMP_TRIES; i++) {
		struct dump_arg d = { rb, 0 };
		route_objs_clear(&rb->have);
		if (dump_all(rb, &d) == 0) {
			if (d.bad)
				log_warn("route: %u malformed messages in a dump", d.bad);
			return 0;
		}
		if (errno != EINTR)     /* interrupted: the tables changed, again */
			return -1;
	}
	return -1;
}

/* ---- learn, adopt ------------------------------------------------------------ */

int route_sync_member_by_ifindex(const struct route_backend *rb, int ifindex)
{
	for (size_t i = 0; ifindex > 0 && i < rb->n_ms; i++)
		if (rb->ms[i].ifindex == ifindex)
			return (int)i;
	return -1;
}

static bool gw_same(const struct route_gw *a, const struct route_gw *b)
{
	return a->source == b->source && a->family == b->family &&
	       (!a->family || route_ip_eq(a->family, &a->gw, &b->gw));
}

static void learn_one(struct route_backend *rb, struct route_mstate *ms, int family)
{
	struct route_gw *cur = &ms->gw[route_fam_idx(family)], g;
	route_learn_gateway(&ms->m, ms->ifindex, family, rb->cfg.main_table, &rb->have, cur, &g);
	if (gw_same(&g, cur))
		return;
	char a[INET6_ADDRSTRLEN] = "-";
	if (g.family)
		route_ip_str(g.family, &g.gw, a, sizeof(a));
	log_info("route: %s: IPv%c gateway %s (%s)", ms->m.name, family == AF_INET ? '4' : '6',
		 g.source == ROUTE_GW_NONE ? "unknown" : g.family ? a : "none, device route",
		 route_gw_source_name(g.source));
	*cur = g;
}

/* Devices are looked up by name each run: a PPP or wwan device that was
 * recreated has a new ifindex. An admin-down device has lost its routes
 * and takes no new ones; its up event brings them back (carrier loss does
 * not count: the kernel keeps and uses "linkdown" routes). */
static void resolve_device(struct route_backend *rb, struct route_mstate *ms)
{
	int fd = mnl_socket_get_fd(rb->nl.nl);  /* any socket serves these ioctls */
	struct ifreq ifr = { 0 };
	ms->ifindex = 0;
	ms->down = true;
	if (ms->m.device[0]) {
		memcpy(ifr.ifr_name, ms->m.device, sizeof(ifr.ifr_name));
		if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0)
			return;
		ms->ifindex = ifr.ifr_ifindex;
	} else {
		ms->ifindex = ms->m.ifindex;
		if (!if_indextoname((unsigned)ms->ifindex, ifr.ifr_name))
			return;
	}
	ms->down = ioctl(fd, SIOCGIFFLAGS, &ifr) < 0 || !(ifr.ifr_flags & IFF_UP);
}

static void learn(struct route_backend *rb)
{
	for (size_t i = 0; i < rb->n_ms; i++) {
		struct route_mstate *ms = &rb->ms[i];
		resolve_device(rb, ms);
		learn_one(rb, ms, AF_INET);
		if (rb->cfg.ipv6)
			learn_one(rb, ms, AF_INET6);
	}
}

/* Our default route from a previous run, through a member's device, makes
 * that member the active one: a restart must not blip the default route. */
static void adopt(struct route_backend *rb)
{
	if (rb->adopt_done || !rb->members_set || rb->state != ROUTE_ST_UNKNOWN)
		return;
	rb->adopt_done = true;
	for (size_t i = 0; i < rb->have.n; i++) {
		const struct route_obj *o = &rb->have.v[i];
		if (o->kind != ROUTE_OBJ_ROUTE || !o->owned || o->rt.dst_len ||
		    o->rt.table != rb->cfg.default_table || o->rt.n_nh < 1)
			continue;
		int idx = route_sync_member_by_ifindex(rb, o->rt.nh[0].oif);
		if (idx < 0)
			continue;
		char what[160];
		route_fmt_rt(&o->rt, what, sizeof(what));
		rb->state = ROUTE_ST_ACTIVE;
		rb->active = idx;
		rb->adopted = true;
		route_sync_event(rb, ROUTE_EV_ADOPTED, rb->ms[idx].m.name, "adopted %s", what);
		return;
	}
}

/* ---- plan, apply, verify -------------------------------------------------------- */

static int plan_now(struct route_backend *rb)
{
	struct route_want w = { &rb->cfg, rb->ms, rb->n_ms, rb->state, rb->active };
	if (route_wanted(&w, &rb->have, &rb->want) < 0)
		return -1;
	return route_diff(&rb->want, &rb->have, &rb->pending);
}

static const char *op_verb(enum route_op_kind k)
{
	return k == ROUTE_OP_DEL ? "delete" : k == ROUTE_OP_ADD ? "add" : "replace";
}

static uint32_t hash_str(const char *s)
{
	uint32_t h = 2166136261u;       /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

/* A refusal the previous run saw too (a retry while a gateway is still
 * unreachable) is recorded but not logged or reported again. */
static bool refusal_is_new(struct route_backend *rb, const char *msg)
{
	uint32_t h = hash_str(msg);
	if (rb->n_err_cur < sizeof(rb->err_cur) / sizeof(rb->err_cur[0]))
		rb->err_cur[rb->n_err_cur++] = h;
	for (size_t i = 0; i < rb->n_err_prev; i++)
		if (rb->err_prev[i] == h)
			return false;
	return true;
}

static void refusals_done(struct route_backend *rb)
{
	memcpy(rb->err_prev, rb->err_cur, sizeof(rb->err_prev));
	rb->n_err_prev = rb->n_err_cur;
	rb->n_err_cur = 0;
}

static void report_refusal(struct route_backend *rb, struct route_mstate *ms, const char *msg)
{
	if (refusal_is_new(rb, msg)) {
		route_sync_error(rb, ms ? ms->m.name : NULL, "%s", msg);
		return;
	}
	snprintf(rb->last_error, sizeof(rb->last_error), "%s", msg);
	log_debug("route: still: %s", msg);
}

/* Attributes refusals to members (status) and reports each once. */
static void note_errors(struct route_backend *rb, const struct route_plan *p)
{
	for (size_t i = 0; i < rb->n_ms; i++) {
		rb->ms[i].errors = 0;
		rb->ms[i].error[0] = '\0';
	}
	for (size_t i = 0; i < p->n; i++) {
		const struct route_op *op = &p->ops[i];
		if (!op->err)
			continue;
		char what[160], msg[ROUTE_ERR_MAX];
		route_fmt_obj(&op->obj, what, sizeof(what));
		if (snprintf(msg, sizeof(msg), "%s %s: %s%s%s", op_verb(op->kind), what,
			     strerror(-op->err), op->extack[0] ? ": " : "", op->extack) < 0)
			continue;       /* (a long message is cut, which is fine) */
		struct route_mstate *ms = op->obj.member >= 0 ? &rb->ms[op->obj.member] : NULL;
		if (ms && ms->errors++ == 0)
			snprintf(ms->error, sizeof(ms->error), "%s", msg);
		report_refusal(rb, ms, msg);
	}
	refusals_done(rb);
}

static unsigned count_ok(const struct route_plan *p)
{
	unsigned n = 0;
	for (size_t i = 0; i < p->n; i++)
		n += p->ops[i].err == 0;
	return n;
}

static void first_diffs(const struct route_plan *p, char *buf, size_t size)
{
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < p->n && i < 3 && len < size; i++) {
		char what[160];
		route_fmt_obj(&p->ops[i].obj, what, sizeof(what));
		len += (size_t)snprintf(buf + len, size - len, "%s%s %s", i ? "; " : "",
					op_verb(p->ops[i].kind), what);
	}
}

static int apply_and_verify(struct route_backend *rb, struct route_result *res, unsigned *ok)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		uint64_t t = clock_mono_us();
		int refused = rb->ops->apply(rb, &rb->pending);
		res->apply_us += clock_mono_us() - t;
		res->changes += (unsigned)rb->pending.n;
		rb->stats.changes += rb->pending.n;
		if (refused < 0) {
			snprintf(res->error, sizeof(res->error), "netlink: %s", strerror(errno));
			return -1;
		}
		res->errors += (unsigned)refused;
		rb->stats.change_errors += (unsigned)refused;
		*ok += count_ok(&rb->pending);
		note_errors(rb, &rb->pending);
		if (route_sync_dump(rb) < 0 || plan_now(rb) < 0) {
			snprintf(res->error, sizeof(res->error), "read back: %s", strerror(errno));
			return -1;
		}
		if (rb->pending.n == 0) {
			res->verified = true;
			if (refused == 0)
				rb->err_seen[0] = '\0';
			return 0;
		}
		if (refused > 0) {
			snprintf(res->error, sizeof(res->error), "%s", rb->last_error);
			return -1;
		}
	}
	rb->stats.verify_failures++;
	char diffs[ROUTE_ERR_MAX - 32];
	first_diffs(&rb->pending, diffs, sizeof(diffs));
	snprintf(res->error, sizeof(res->error), "verify: %zu left: %s", rb->pending.n, diffs);
	route_sync_error(rb, NULL, "%s", res->error);
	return -1;
}

static bool why_repairs(enum route_why why)
{
	return why == ROUTE_WHY_EVENT || why == ROUTE_WHY_PERIODIC || why == ROUTE_WHY_RESYNC;
}

static void report_repair(struct route_backend *rb, unsigned ok, const struct route_result *res)
{
	rb->stats.repairs++;
	route_sync_event(rb, ROUTE_EV_REPAIRED, NULL, "repaired: %u change%s applied%s", ok,
			 ok == 1 ? "" : "s", res->verified ? ", verified" : "");
}

static void count_foreign(struct route_backend *rb)
{
	if (rb->ops->read_only)
		rb->foreign_replaced = rb->pending.foreign_replaced;     /* would */
	else
		rb->foreign_replaced += rb->pending.foreign_replaced;
}

static int run_steps(struct route_backend *rb, struct route_result *res, unsigned *ok)
{
	if (route_sync_dump(rb) < 0) {
		snprintf(res->error, sizeof(res->error), "dump: %s", strerror(errno));
		route_sync_error(rb, NULL, "%s", res->error);
		return -1;
	}
	learn(rb);
	adopt(rb);
	if (plan_now(rb) < 0) {
		snprintf(res->error, sizeof(res->error), "plan: %s", strerror(errno));
		return -1;
	}
	count_foreign(rb);
	if (rb->pending.n == 0) {
		res->verified = true;
		note_errors(rb, &rb->pending);          /* clears members' errors */
		rb->err_seen[0] = '\0';
		return 0;
	}
	if (rb->ops->read_only) {
		res->dry_run = true;
		res->changes = (unsigned)rb->pending.n;
		return 0;
	}
	return apply_and_verify(rb, res, ok);
}

int route_sync_run(struct route_backend *rb, enum route_why why, struct route_result *res)
{
	struct route_result local;
	if (!res)
		res = &local;
	memset(res, 0, sizeof(*res));
	res->ct_matched = res->ct_deleted = res->ct_flows = -1;
	if (rb->running) {
		/* An event callback called back in: the caller's run is
		 * still using the dump and the plan. */
		snprintf(res->error, sizeof(res->error), "called from a route callback");
		errno = EBUSY;
		return -1;
	}
	uint64_t t0 = clock_mono_us();
	unsigned ok = 0;
	rb->running = true;
	rb->stats.reconciles++;
	int rc = run_steps(rb, res, &ok);
	int e = errno;
	res->took_us = clock_mono_us() - t0;
	rb->running = false;
	if (why_repairs(why) && ok > 0)
		report_repair(rb, ok, res);
	if (rb->ops->after_sync)
		rb->ops->after_sync(rb, rb->pending.n > 0 || rc < 0);
	errno = e;
	return rc;
}

/* ---- reporting ------------------------------------------------------------------ */

void route_sync_event(struct route_backend *rb, enum route_event ev, const char *member,
		      const char *fmt, ...)
{
	char text[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (ev != ROUTE_EV_ERROR)
		log_info("route: %s%s%s", member ? member : "", member ? ": " : "", text);
	if (rb->params.cb)
		rb->params.cb(rb->params.cb_arg, ev, member, text);
}

/* A repeated error (a retry while a device is down) is logged once. */
void route_sync_error(struct route_backend *rb, const char *member, const char *fmt, ...)
{
	char msg[ROUTE_ERR_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	bool repeat = strcmp(msg, rb->err_seen) == 0;
	snprintf(rb->last_error, sizeof(rb->last_error), "%s", msg);
	snprintf(rb->err_seen, sizeof(rb->err_seen), "%s", msg);
	rb->last_error_wall_ms = clock_wall_ms();
	if (repeat) {
		log_debug("route: %s", msg);
		return;
	}
	log_warn("route: %s%s%s", member ? member : "", member ? ": " : "", msg);
	route_sync_event(rb, ROUTE_EV_ERROR, member, "%s", msg);
}
