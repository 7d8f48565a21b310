/* route_flows: sticky flows — each forwarded connection keeps the uplink it
 * started on while that uplink works (docs/route-backend.md, "Sticky
 * flows").
 *
 *   marks    each member gets a value inside params.flow_mask, kept by name
 *            for the daemon's life and, at the first member list, adopted
 *            from our fwmark rules of a previous run (they outlive a restart
 *            with the routes), so a restart marks as before;
 *   rules    the backend's fwmark rule sends a member's marked packets
 *            through its table; route_nft keeps the nftables table that
 *            marks new flows and restores the mark on their packets;
 *   counts   route_flows_count.c.
 * Without nftables nothing is marked (today's behaviour) and the status
 * says why; counting needs only ctnetlink. */
#include "route/route_flows_int.h"

#include "core/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#define REPAIR_DELAY_MS         10      /* coalesce a burst of nftables events */

/* ---- marks ------------------------------------------------------------------------- */

/* One run of contiguous bits. */
static bool mask_ok(uint32_t mask)
{
	uint32_t low = mask & -mask;
	return mask && ((mask + low) & mask) == 0;
}

static uint32_t mark_of(const struct route_flows *f, const char *name)
{
	for (size_t i = 0; i < f->n_marks; i++)
		if (strcmp(f->marks[i].name, name) == 0)
			return f->marks[i].mark;
	return 0;
}

/* Our fwmark rule of a previous run into this member's table. */
static uint32_t adopt_mark(const struct route_backend *rb, uint32_t table, uint32_t mask)
{
	for (size_t i = 0; table && i < rb->have.n; i++) {
		const struct route_obj *o = &rb->have.v[i];
		if (o->kind == ROUTE_OBJ_RULE && o->owned && o->rule.has_fwmark &&
		    o->rule.table == table && o->rule.fwmask == mask && o->rule.fwmark &&
		    !(o->rule.fwmark & ~mask))
			return o->rule.fwmark;
	}
	return 0;
}

static bool mark_used(const struct route_mstate *ms, size_t n, uint32_t mark)
{
	for (size_t i = 0; i < n; i++)
		if (ms[i].m.fwmark == mark)
			return true;
	return false;
}

static uint32_t lowest_free(const struct route_flows *f, const struct route_mstate *ms, size_t n)
{
	for (uint32_t v = 1; v <= f->values; v++)
		if (!mark_used(ms, n, v << f->shift))
			return v << f->shift;
	return 0;
}

bool route_flows_marking(const struct route_flows *f)
{
	return f && f->nft && route_nft_state(f->nft)->available;
}

void route_flows_assign(struct route_backend *rb, struct route_mstate *ms, size_t n)
{
	struct route_flows *f = rb->flows;
	if (!route_flows_marking(f))
		return;
	for (size_t i = 0; i < n; i++) {
		uint32_t m = mark_of(f, ms[i].m.name);
		if (!m && !f->assigned)
			m = adopt_mark(rb, ms[i].m.table, f->mask);
		ms[i].m.fwmark = m && !mark_used(ms, i, m) ? m : 0;
	}
	f->unmarked = 0;
	f->n_marks = 0;
	for (size_t i = 0; i < n; i++) {
		if (!ms[i].m.fwmark)
			ms[i].m.fwmark = lowest_free(f, ms, n);
		if (!ms[i].m.fwmark || !ms[i].m.table) {
			ms[i].m.fwmark = 0;     /* no room, or no table to route it */
			f->unmarked++;
			continue;
		}
		ms[i].m.fwmask = f->mask;
		struct flow_mark *k = &f->marks[f->n_marks++];
		snprintf(k->name, sizeof(k->name), "%s", ms[i].m.name);
		k->mark = ms[i].m.fwmark;
	}
	f->assigned = true;
}

uint32_t route_flows_mask(const struct route_backend *rb)
{
	return route_flows_marking(rb->flows) ? rb->flows->mask : 0;
}

bool route_flows_sticky(const struct route_backend *rb)
{
	return route_flows_marking(rb->flows) && route_nft_state(rb->flows->nft)->verified &&
	       !rb->ops->read_only;
}

/* ---- the table ------------------------------------------------------------------------ */

void route_flows_sync(struct route_backend *rb, bool repair)
{
	struct route_flows *f = rb->flows;
	struct route_nft_member m[ROUTE_MAX_MEMBERS];
	size_t k = 0;
	if (!route_flows_marking(f) || !rb->members_set)
		return;
	for (size_t i = 0; i < rb->n_ms; i++) {
		const struct route_member *rm = &rb->ms[i].m;
		if (!rm->fwmark || !rm->device[0])
			continue;
		snprintf(m[k].device, sizeof(m[k].device), "%s", rm->device);
		m[k++].mark = rm->fwmark;
	}
	const struct route_nft_state *st = route_nft_state(f->nft);
	unsigned before = st->replaced;
	bool was_verified = st->verified;
	if (route_nft_sync(f->nft, m, k, rb->ops->read_only) < 0 && !rb->ops->read_only)
		route_sync_error(rb, NULL, "flow marking: %s", st->error[0] ? st->error : st->differs);
	if (repair && st->replaced > before && was_verified)
		route_sync_event(rb, ROUTE_EV_REPAIRED, NULL, "repaired: table inet %s rebuilt (%s)",
				 route_nft_table(f->nft), st->differs);
}

static void on_repair_timer(evutil_socket_t fd, short what, void *arg)
{
	route_flows_sync(arg, true);
}

/* Someone changed our table: look again shortly (a burst is one look). */
static void on_nft_event(void *arg)
{
	struct route_backend *rb = arg;
	struct timeval tv = { 0, REPAIR_DELAY_MS * 1000 };
	if (!evtimer_pending(rb->flows->repair_timer, NULL))
		evtimer_add(rb->flows->repair_timer, &tv);
}

/* ---- life cycle --------------------------------------------------------------------------- */

static int start_events(struct route_backend *rb, struct route_flows *f)
{
	f->repair_timer = evtimer_new(rb->base, on_repair_timer, rb);
	if (!f->repair_timer || route_flows_count_events(rb, f) < 0)
		return -1;
	/* The none backend looks again on the periodic check only. */
	if (f->nft && !rb->ops->read_only &&
	    route_nft_watch(f->nft, rb->base, on_nft_event, rb) < 0)
		log_errno(LOG_LVL_WARN, "route: nftables events");
	return 0;
}

static void open_marking(struct route_backend *rb, struct route_flows *f)
{
	f->mask = rb->params.flow_mask;
	if (!f->mask)
		return;
	if (!mask_ok(f->mask)) {
		snprintf(f->mask_error, sizeof(f->mask_error),
			 "flow mask 0x%x is not one run of contiguous bits: flows not marked", f->mask);
		log_err("route: %s", f->mask_error);
		return;
	}
	f->shift = (unsigned)__builtin_ctz(f->mask);
	f->values = f->mask >> f->shift;
	f->nft = route_nft_new(rb->params.flow_table, f->mask);
	if (f->nft && !route_nft_state(f->nft)->available)
		log_warn("route: %s: connections will not keep their uplink",
			 route_nft_state(f->nft)->error);
}

struct route_flows *route_flows_new(struct route_backend *rb)
{
	struct route_flows *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->rb = rb;
	f->total = -1;
	open_marking(rb, f);
	if (f->mask && mask_ok(f->mask) && !f->nft) {
		free(f);
		return NULL;
	}
	if (route_nl_open(&f->ct, NETLINK_NETFILTER) < 0)
		snprintf(f->count_error, sizeof(f->count_error), "no conntrack socket: %s",
			 strerror(errno));
	rb->flows = f;
	if (rb->base && start_events(rb, f) < 0) {
		route_flows_free(rb, false);
		errno = ENOMEM;
		return NULL;
	}
	return f;
}

void route_flows_free(struct route_backend *rb, bool remove)
{
	struct route_flows *f = rb->flows;
	if (!f)
		return;
	if (remove && route_flows_marking(f) && !rb->ops->read_only)
		route_nft_remove(f->nft, false);        /* (it logs what it did) */
	if (f->repair_timer)
		event_free(f->repair_timer);
	if (f->count_timer)
		event_free(f->count_timer);
	if (f->ct_read)
		event_free(f->ct_read);
	route_nl_close(&f->ct);
	route_nft_free(f->nft);
	free(f);
	rb->flows = NULL;
}

