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
 *   counts   a conntrack dump every 10 s (and on request) on the loop,
 *            asynchronously, attributes every entry to the member whose
 *            mark it carries, else to the member it is NATed to.
 * Without nftables nothing is marked (today's behaviour) and the status
 * says why; counting needs only ctnetlink. */
#include "route/route_int.h"
#include "route/route_nft.h"

#include "core/clock.h"
#include "core/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/event.h>
#include <linux/netfilter/nfnetlink.h>

#define COUNT_INTERVAL_S        10
#define COUNT_TIMEOUT_US        (5 * 1000000ull)
#define REPAIR_DELAY_MS         10      /* coalesce a burst of nftables events */
#define READ_BUDGET             64      /* recv()s per wake-up */

struct flow_mark {
	char name[ROUTE_NAME_MAX];
	uint32_t mark;
};

struct flow_count {
	char name[ROUTE_NAME_MAX];
	long flows;
};

struct route_flows {
	struct route_backend *rb;
	uint32_t mask;
	unsigned shift;
	uint32_t values;                /* marks the mask can hold */
	char mask_error[ROUTE_ERR_MAX];
	struct route_nft *nft;          /* NULL: marking off */
	struct flow_mark marks[ROUTE_MAX_MEMBERS];
	size_t n_marks;
	bool assigned;
	unsigned unmarked;              /* members the mask had no room for */
	struct event *repair_timer;

	struct route_nl ct;             /* the count's dump socket */
	struct event *ct_read, *count_timer;
	bool counting, again;
	uint32_t count_seq;
	uint64_t count_started_us;
	struct route_member snap[ROUTE_MAX_MEMBERS];    /* members at the count's start */
	size_t n_snap;
	long tally[ROUTE_MAX_MEMBERS], tally_total;
	struct flow_count counts[ROUTE_MAX_MEMBERS];
	size_t n_counts;
	long total;                     /* entries at the last count; -1 none yet */
	int64_t counted_wall_ms;
	uint64_t count_took_us, counts_done;
	char count_error[ROUTE_ERR_MAX];
};

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

static bool marking(const struct route_flows *f)
{
	return f && f->nft && route_nft_state(f->nft)->available;
}

void route_flows_assign(struct route_backend *rb, struct route_mstate *ms, size_t n)
{
	struct route_flows *f = rb->flows;
	if (!marking(f))
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
	return marking(rb->flows) ? rb->flows->mask : 0;
}

bool route_flows_sticky(const struct route_backend *rb)
{
	return marking(rb->flows) && route_nft_state(rb->flows->nft)->verified &&
	       !rb->ops->read_only;
}

/* ---- the table ------------------------------------------------------------------------ */

void route_flows_sync(struct route_backend *rb, bool repair)
{
	struct route_flows *f = rb->flows;
	struct route_nft_member m[ROUTE_MAX_MEMBERS];
	size_t k = 0;
	if (!marking(f) || !rb->members_set)
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

/* ---- counting ----------------------------------------------------------------------------- */

int route_flows_owner(const struct route_ct_entry *e, uint32_t mask,
		      const struct route_member *m, size_t n)
{
	if (mask && e->has_mark && (e->mark & mask))
		for (size_t i = 0; i < n; i++)
			if (m[i].fwmark && (m[i].fwmark & mask) == (e->mark & mask))
				return (int)i;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < m[i].n_src; j++)
			if (route_ct_natted_to(e, m[i].src[j].family, &m[i].src[j].ip))
				return (int)i;
	return -1;
}

static int on_count_entry(const struct nlmsghdr *nlh, void *arg)
{
	struct route_flows *f = arg;
	struct route_ct_entry e;
	if (route_ct_entry_parse(nlh, &e) != 0)
		return 0;
	f->tally_total++;
	int i = route_flows_owner(&e, f->mask, f->snap, f->n_snap);
	if (i >= 0)
		f->tally[i]++;
	return 0;
}

static void count_start(struct route_flows *f);

static void count_done(struct route_flows *f, int err)
{
	f->counting = false;
	if (err) {
		snprintf(f->count_error, sizeof(f->count_error), "conntrack count: %s", strerror(err));
	} else {
		f->count_error[0] = '\0';
		for (size_t i = 0; i < f->n_snap; i++) {
			snprintf(f->counts[i].name, sizeof(f->counts[i].name), "%s", f->snap[i].name);
			f->counts[i].flows = f->tally[i];
		}
		f->n_counts = f->n_snap;
		f->total = f->tally_total;
		f->counted_wall_ms = clock_wall_ms();
		f->count_took_us = clock_mono_us() - f->count_started_us;
		f->counts_done++;
		if (f->rb->params.flows_cb)
			f->rb->params.flows_cb(f->rb->params.cb_arg);
	}
	if (f->again) {
		f->again = false;
		count_start(f);
	}
}

/* The messages of one recv: entries, then NLMSG_DONE (or an error). */
static void count_feed(struct route_flows *f, size_t len)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)f->ct.buf;
	int left = (int)len;
	for (; f->counting && mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		if (nlh->nlmsg_seq != f->count_seq || nlh->nlmsg_pid != f->ct.portid)
			continue;       /* a late reply to an abandoned count */
		if (nlh->nlmsg_type == NLMSG_DONE || nlh->nlmsg_type == NLMSG_ERROR) {
			int err = 0;
			if (nlh->nlmsg_type == NLMSG_ERROR &&
			    nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(int))
				memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
			count_done(f, -err);
			return;
		}
		on_count_entry(nlh, f);
	}
}

static void on_ct_readable(evutil_socket_t fd, short what, void *arg)
{
	struct route_flows *f = arg;
	for (int i = 0; i < READ_BUDGET && f->counting; i++) {
		ssize_t len = recv(fd, f->ct.buf, ROUTE_NL_BUF, 0);
		if (len > 0) {
			count_feed(f, (size_t)len);
		} else if (len < 0 && errno == EINTR) {
			continue;
		} else {
			if (len == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
				count_done(f, len == 0 ? EPIPE : errno);
			break;
		}
	}
}

static void count_start(struct route_flows *f)
{
	struct route_backend *rb = f->rb;
	char buf[64] __attribute__((aligned(8)));
	if (!f->ct.nl || !rb->members_set)
		return;
	if (f->counting) {
		if (clock_mono_us() - f->count_started_us < COUNT_TIMEOUT_US) {
			f->again = true;
			return;
		}
		count_done(f, ETIMEDOUT);       /* its replies are ignored (seq) */
	}
	f->n_snap = rb->n_ms;
	for (size_t i = 0; i < rb->n_ms; i++)
		f->snap[i] = rb->ms[i].m;
	memset(f->tally, 0, sizeof(f->tally));
	f->tally_total = 0;
	f->count_started_us = clock_mono_us();
	f->counting = true;
	if (!rb->base) {        /* no loop (tests): the same dump, synchronously */
		int rc = route_nl_dump(&f->ct, route_ct_msg_dump_mark(buf, 0, 0, 0), on_count_entry,
				       f, ROUTE_NL_TIMEOUT_MS);
		count_done(f, rc < 0 ? errno : 0);
		return;
	}
	struct nlmsghdr *req = route_ct_msg_dump_mark(buf, 0, 0, 0);
	req->nlmsg_seq = f->count_seq = ++f->ct.seq;
	if (mnl_socket_sendto(f->ct.nl, req, req->nlmsg_len) < 0)
		count_done(f, errno);
}

static void on_count_timer(evutil_socket_t fd, short what, void *arg)
{
	count_start(arg);
}

void route_flows_refresh(struct route_backend *rb)
{
	if (rb->flows)
		count_start(rb->flows);
}

long route_member_flows(const struct route_backend *rb, const char *member)
{
	const struct route_flows *f = rb->flows;
	for (size_t i = 0; f && i < f->n_counts; i++)
		if (strcmp(f->counts[i].name, member) == 0)
			return f->counts[i].flows;
	return -1;
}

/* ---- life cycle --------------------------------------------------------------------------- */

static int start_events(struct route_backend *rb, struct route_flows *f)
{
	struct timeval tv = { COUNT_INTERVAL_S, 0 };
	f->repair_timer = evtimer_new(rb->base, on_repair_timer, rb);
	f->count_timer = event_new(rb->base, -1, EV_PERSIST, on_count_timer, f);
	if (!f->repair_timer || !f->count_timer || event_add(f->count_timer, &tv) < 0)
		return -1;
	if (f->ct.nl) {
		f->ct_read = event_new(rb->base, mnl_socket_get_fd(f->ct.nl), EV_READ | EV_PERSIST,
				       on_ct_readable, f);
		if (!f->ct_read || event_add(f->ct_read, NULL) < 0)
			return -1;
	}
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
	if (remove && marking(f) && !rb->ops->read_only)
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

/* ---- status ------------------------------------------------------------------------------ */

static void add_str(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, v && v[0] ? json_object_new_string(v) : NULL);
}

static json_object *members_json(const struct route_flows *f)
{
	json_object *o = json_object_new_object();
	char mark[16];
	for (size_t i = 0; i < f->n_marks; i++) {
		json_object *m = json_object_new_object();
		snprintf(mark, sizeof(mark), "0x%x", f->marks[i].mark);
		json_object_object_add(m, "mark", json_object_new_string(mark));
		json_object_object_add(o, f->marks[i].name, m);
	}
	for (size_t i = 0; i < f->n_counts; i++) {
		json_object *m = NULL;
		if (!json_object_object_get_ex(o, f->counts[i].name, &m)) {
			m = json_object_new_object();
			json_object_object_add(o, f->counts[i].name, m);
		}
		json_object_object_add(m, "flows", json_object_new_int64(f->counts[i].flows));
	}
	return o;
}

static void nft_json(const struct route_flows *f, json_object *o)
{
	const struct route_nft_state *st = route_nft_state(f->nft);
	char t[ROUTE_NFT_NAME_MAX + 8];
	snprintf(t, sizeof(t), "inet %s", route_nft_table(f->nft));
	json_object_object_add(o, "table", json_object_new_string(t));
	json_object_object_add(o, "available", json_object_new_boolean(st->available));
	json_object_object_add(o, "present", json_object_new_boolean(st->present));
	json_object_object_add(o, "verified", json_object_new_boolean(st->verified));
	json_object_object_add(o, "rules", json_object_new_int((int)st->rules));
	json_object_object_add(o, "rebuilt", json_object_new_int((int)st->replaced));
	json_object_object_add(o, "sync_us", json_object_new_int64((int64_t)st->last_took_us));
	add_str(o, "pending", st->verified ? NULL : st->differs);
	add_str(o, "error", st->error);
}

void route_flows_status(const struct route_backend *rb, json_object *o, json_object *warnings)
{
	const struct route_flows *f = rb->flows;
	json_object *j = json_object_new_object();
	char mask[16];
	json_object_object_add(o, "flows", j);
	if (!f)
		return;
	snprintf(mask, sizeof(mask), "0x%08x", f->mask);
	json_object_object_add(j, "sticky", json_object_new_boolean(route_flows_sticky(rb)));
	add_str(j, "mask", f->mask ? mask : NULL);
	if (f->nft)
		nft_json(f, j);
	else
		add_str(j, "error", f->mask_error[0] ? f->mask_error : NULL);
	json_object_object_add(j, "unmarked_members", json_object_new_int((int)f->unmarked));
	json_object_object_add(j, "members", members_json(f));
	json_object_object_add(j, "conntrack_entries", f->total >= 0 ?
			       json_object_new_int64(f->total) : NULL);
	json_object_object_add(j, "counted_wall_ms", f->counted_wall_ms ?
			       json_object_new_int64(f->counted_wall_ms) : NULL);
	json_object_object_add(j, "count_us", json_object_new_int64((int64_t)f->count_took_us));
	json_object_object_add(j, "counts", json_object_new_int64((int64_t)f->counts_done));
	add_str(j, "count_error", f->count_error);
	char w[ROUTE_ERR_MAX + 96];
	if (f->mask && !marking(f)) {
		snprintf(w, sizeof(w), "sticky flows unavailable (%s): a switch moves existing "
			 "connections too", f->nft ? route_nft_state(f->nft)->error : f->mask_error);
		json_object_array_add(warnings, json_object_new_string(w));
	}
	if (f->unmarked) {
		snprintf(w, sizeof(w), "%u member(s) without a flow mark (mask 0x%x too small, "
			 "or no member table)", f->unmarked, f->mask);
		json_object_array_add(warnings, json_object_new_string(w));
	}
}
