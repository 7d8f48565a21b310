/* route_netlink: the backend that changes the kernel over rtnetlink.
 *
 * apply: the plan goes out as one mnl_nlmsg_batch in one sendmsg (more only
 * past ROUTE_BATCH_MAX_MSGS requests), every request with NLM_F_ACK; routes
 * with NLM_F_REPLACE, rules with NLM_F_EXCL (EEXIST: already there);
 * ENOENT/ESRCH on a delete means already gone. The acks are read back and
 * each refusal is attributed to its request.
 *
 * Events: a socket of its own on the loop, subscribed to link, route and
 * rule groups. Things that may need a repair schedule a run shortly after
 * (coalescing bursts): one of our routes or rules deleted, someone's default
 * route through a member device added or removed (the gateway may change),
 * a member device's up/carrier flags changed (an admin-down deletes IPv4
 * routes without a route event, and they never come back on up), and
 * anything on a member device while something is pending. ENOBUFS means
 * events were lost: the next run is a full resync. Runs that repaired
 * something are spaced out, so that fighting another daemon over a route
 * cannot spin the loop. While something stays pending (a device is down)
 * a timer retries too. */
#include "route/route_int.h"

#include "core/clock.h"
#include "core/log.h"
#include "core/nlwalk.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/event.h>
#include <linux/if.h>           /* IFF_LOWER_UP; after <net/if.h> (route.h) */
#include <linux/rtnetlink.h>

#define EV_RCVBUF               (2 * 1024 * 1024)
#define EV_READ_BUDGET          256     /* recv()s per wake-up */
#define EVENT_DELAY_MS          10      /* coalesce a burst of events */
#define REPAIR_GAP_MS           100     /* between runs that changed things */
#define RETRY_S                 2       /* while something is pending */
#define ROUTE_NL_MAX_LINKS      64

struct nl_priv {
	struct mnl_socket *ev;
	struct event *ev_read, *run_timer, *retry_timer;
	uint8_t *buf;
	uint8_t *batch;
	bool resync_wanted, run_armed;
	uint64_t run_at_us, not_before_us;
	struct { int ifindex; unsigned flags; } links[ROUTE_NL_MAX_LINKS];
	size_t n_links;
};

/* ---- apply ------------------------------------------------------------------ */

struct apply_ctx {
	struct route_plan *plan;
	size_t start;
	int refused;
};

static void on_ack(void *arg, size_t idx, int err, const char *extack)
{
	struct apply_ctx *c = arg;
	struct route_op *op = &c->plan->ops[c->start + idx];
	if (err == -EEXIST && op->kind == ROUTE_OP_ADD)
		err = 0;
	if ((err == -ENOENT || err == -ESRCH) && op->kind == ROUTE_OP_DEL)
		err = 0;
	op->err = err;
	if (err) {
		c->refused++;
		snprintf(op->extack, sizeof(op->extack), "%s", extack);
	}
}

static int nl_apply(struct route_backend *rb, struct route_plan *plan)
{
	struct nl_priv *p = rb->priv;
	struct apply_ctx c = { .plan = plan };
	size_t next = 0;
	for (size_t i = 0; i < plan->n; i++)
		plan->ops[i].err = 0;
	while (next < plan->n) {
		c.start = next;
		uint32_t seq = rb->nl.seq + 1;
		size_t len = route_plan_batch(plan, &next, p->batch, ROUTE_BATCH_BUF, seq);
		if (next == c.start) {
			errno = ENOMEM;
			return -1;
		}
		rb->nl.seq += (uint32_t)(next - c.start);
		if (route_nl_transact(&rb->nl, p->batch, len, seq, next - c.start, on_ack, &c,
				      ROUTE_NL_TIMEOUT_MS) < 0)
			return -1;
	}
	return c.refused;
}

/* ---- scheduling ----------------------------------------------------------------- */

static void schedule(struct route_backend *rb, unsigned delay_ms)
{
	struct nl_priv *p = rb->priv;
	uint64_t now = clock_mono_us(), at = now + delay_ms * 1000ull;
	if (!p->resync_wanted && at < p->not_before_us)
		at = p->not_before_us;
	if (p->run_armed && p->run_at_us <= at)
		return;
	struct timeval tv = { .tv_sec = (time_t)((at - now) / 1000000),
			      .tv_usec = (suseconds_t)((at - now) % 1000000) };
	p->run_armed = true;
	p->run_at_us = at;
	evtimer_add(p->run_timer, &tv);
}

static void on_run_timer(evutil_socket_t fd, short what, void *arg)
{
	struct route_backend *rb = arg;
	struct nl_priv *p = rb->priv;
	struct route_result res;
	bool resync = p->resync_wanted;
	p->run_armed = false;
	p->resync_wanted = false;
	if (resync) {
		rb->stats.resyncs++;
		route_sync_event(rb, ROUTE_EV_RESYNC, NULL, "netlink events were lost: full re-dump");
	}
	route_sync_run(rb, resync ? ROUTE_WHY_RESYNC : ROUTE_WHY_EVENT, &res);
	if (res.changes > 0)
		p->not_before_us = clock_mono_us() + REPAIR_GAP_MS * 1000ull;
}

static void on_retry_timer(evutil_socket_t fd, short what, void *arg)
{
	route_sync_run(arg, ROUTE_WHY_PERIODIC, NULL);
}

static void nl_after_sync(struct route_backend *rb, bool pending)
{
	struct nl_priv *p = rb->priv;
	if (!p->retry_timer)
		return;
	if (!pending) {
		evtimer_del(p->retry_timer);
		return;
	}
	if (!evtimer_pending(p->retry_timer, NULL)) {
		struct timeval tv = { .tv_sec = RETRY_S };
		evtimer_add(p->retry_timer, &tv);
	}
}

/* ---- events ------------------------------------------------------------------------- */

static bool member_device(const struct route_backend *rb, int ifindex, const char *name)
{
	if (route_sync_member_by_ifindex(rb, ifindex) >= 0)
		return true;
	for (size_t i = 0; name && i < rb->n_ms; i++)
		if (strcmp(rb->ms[i].m.device, name) == 0)
			return true;
	return false;
}

/* A member device's up/carrier flags changed (or it is new to us). */
static bool link_changed(struct nl_priv *p, int ifindex, unsigned flags, bool gone)
{
	const unsigned tracked = IFF_UP | IFF_LOWER_UP | IFF_RUNNING;
	for (size_t i = 0; i < p->n_links; i++) {
		if (p->links[i].ifindex != ifindex)
			continue;
		bool changed = gone || ((p->links[i].flags ^ flags) & tracked);
		p->links[i].flags = flags;
		if (gone)
			p->links[i] = p->links[--p->n_links];
		return changed;
	}
	if (!gone && p->n_links < ROUTE_NL_MAX_LINKS)
		p->links[p->n_links++] = (typeof(p->links[0])){ ifindex, flags };
	return true;
}

static bool link_event(struct route_backend *rb, const struct nlmsghdr *nlh)
{
	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(struct ifinfomsg))
		return false;
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFLA_IFNAME + 1], *a;
	nlwalk_index_msg(nlh, sizeof(*ifi), tb, IFLA_IFNAME);
	const char *name = (a = tb[IFLA_IFNAME]) && mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0 ?
			   mnl_attr_get_str(a) : NULL;
	if (ifi->ifi_family != AF_UNSPEC || !member_device(rb, ifi->ifi_index, name))
		return false;
	return link_changed(rb->priv, ifi->ifi_index, ifi->ifi_flags,
			    nlh->nlmsg_type == RTM_DELLINK);
}

static bool route_event(struct route_backend *rb, const struct nlmsghdr *nlh)
{
	struct route_rt r;
	if (route_msg_parse_route(nlh, &r) != 0)
		return false;
	bool owned = r.protocol == rb->cfg.protocol;
	if (owned)
		return nlh->nlmsg_type == RTM_DELROUTE;
	bool on_member = false;
	for (uint8_t i = 0; i < r.n_nh; i++)
		on_member |= route_sync_member_by_ifindex(rb, r.nh[i].oif) >= 0;
	if (!on_member)
		return false;
	/* Default routes teach gateways; a connected route appearing may be
	 * what a pending change was waiting for. */
	return r.dst_len == 0 || rb->pending.n > 0;
}

static bool rule_event(struct route_backend *rb, const struct nlmsghdr *nlh)
{
	struct route_rule r;
	return nlh->nlmsg_type == RTM_DELRULE && route_msg_parse_rule(nlh, &r) == 0 &&
	       r.protocol == rb->cfg.protocol;
}

static bool interesting(struct route_backend *rb, const struct nlmsghdr *nlh)
{
	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		return link_event(rb, nlh);
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		return route_event(rb, nlh);
	case RTM_NEWRULE:
	case RTM_DELRULE:
		return rule_event(rb, nlh);
	}
	return false;
}

/* One recv error; false to stop reading. */
static bool ev_recv_error(struct route_backend *rb)
{
	struct nl_priv *p = rb->priv;
	switch (errno) {
	case EINTR:
		return true;
	case ENOBUFS:
		rb->stats.enobufs++;
		p->resync_wanted = true;
		log_warn("route: netlink event buffer overrun, resyncing");
		return true;
	case EAGAIN:
		return false;
	default:
		log_errno(LOG_LVL_ERR, "route: netlink events");
		return false;
	}
}

static void on_ev_readable(evutil_socket_t fd, short what, void *arg)
{
	struct route_backend *rb = arg;
	struct nl_priv *p = rb->priv;
	bool want = false;
	for (int i = 0; i < EV_READ_BUDGET; i++) {
		struct sockaddr_nl from;
		socklen_t flen = sizeof(from);
		ssize_t n = recvfrom(fd, p->buf, ROUTE_NL_BUF, 0, (struct sockaddr *)&from, &flen);
		if (n < 0) {
			if (!ev_recv_error(rb))
				break;
			continue;
		}
		if (flen != sizeof(from) || from.nl_pid != 0)
			continue;       /* only the kernel speaks here */
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)p->buf;
		size_t left = (size_t)n;
		for (; nlwalk_msg_ok(nlh, left); nlh = nlwalk_msg_next(nlh, &left)) {
			rb->stats.events++;
			want |= interesting(rb, nlh);
		}
	}
	if (p->resync_wanted)
		schedule(rb, 0);
	else if (want)
		schedule(rb, EVENT_DELAY_MS);
}

/* ---- setup ---------------------------------------------------------------------------- */

static int subscribe(struct mnl_socket *nl)
{
	static const unsigned int groups[] = {
		RTNLGRP_LINK, RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE,
		RTNLGRP_IPV4_RULE, RTNLGRP_IPV6_RULE,
	};
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		unsigned int g = groups[i];
		if (mnl_socket_setsockopt(nl, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g)) < 0)
			return -1;
	}
	return 0;
}

static int nl_set_rcvbuf(struct route_backend *rb, int bytes)
{
	struct nl_priv *p = rb->priv;
	if (!p || !p->ev) {
		errno = ENOTCONN;
		return -1;
	}
	int fd = mnl_socket_get_fd(p->ev);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) == 0)
		return 0;
	return setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes));
}

static int open_events(struct route_backend *rb, struct nl_priv *p)
{
	p->ev = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!p->ev || mnl_socket_bind(p->ev, 0, MNL_SOCKET_AUTOPID) < 0 || subscribe(p->ev) < 0)
		return -1;
	if (nl_set_rcvbuf(rb, EV_RCVBUF) < 0)
		log_errno(LOG_LVL_WARN, "route: event receive buffer");
	p->ev_read = event_new(rb->base, mnl_socket_get_fd(p->ev), EV_READ | EV_PERSIST,
			       on_ev_readable, rb);
	p->run_timer = evtimer_new(rb->base, on_run_timer, rb);
	p->retry_timer = evtimer_new(rb->base, on_retry_timer, rb);
	if (!p->ev_read || !p->run_timer || !p->retry_timer) {
		errno = ENOMEM;
		return -1;
	}
	return event_add(p->ev_read, NULL);
}

static void nl_fini(struct route_backend *rb)
{
	struct nl_priv *p = rb->priv;
	if (!p)
		return;
	if (p->ev_read)
		event_free(p->ev_read);
	if (p->run_timer)
		event_free(p->run_timer);
	if (p->retry_timer)
		event_free(p->retry_timer);
	if (p->ev)
		mnl_socket_close(p->ev);
	free(p->buf);
	free(p->batch);
	free(p);
	rb->priv = NULL;
}

static int nl_init(struct route_backend *rb)
{
	struct nl_priv *p = calloc(1, sizeof(*p));
	if (!p)
		return -1;
	rb->priv = p;
	p->buf = malloc(ROUTE_NL_BUF);
	p->batch = malloc(ROUTE_BATCH_BUF);
	if (!p->buf || !p->batch) {
		errno = ENOMEM;
		return -1;
	}
	/* Without a loop (tests) there are no events: runs happen on calls. */
	return rb->base ? open_events(rb, p) : 0;
}

static void nl_status(struct route_backend *rb, json_object *o)
{
	struct nl_priv *p = rb->priv;
	json_object_object_add(o, "events", json_object_new_boolean(p && p->ev));
}

const struct route_ops route_netlink_ops = {
	.name = "netlink",
	.read_only = false,
	.init = nl_init,
	.apply = nl_apply,
	.after_sync = nl_after_sync,
	.fini = nl_fini,
	.set_rcvbuf = nl_set_rcvbuf,
	.status = nl_status,
};
