/* route_flows_count: how many tracked connections each member carries.
 *
 * One conntrack dump of both families, every 10 s and on request (after a
 * switch, after member changes), read on the loop as the kernel fills the
 * socket: nothing blocks, whatever the table's size. Each entry goes to the
 * member whose flow mark it carries, else to the member it is NATed to (so
 * the count also works without marking, and in observe mode). Counts are
 * kept by member name: the member list may change while a dump runs. */
#include "route/route_flows_int.h"

#include "core/clock.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/event.h>

#define READ_BUDGET             64      /* recv()s per wake-up */

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
	if (route_ct_entry_parse(nlh, &e) != 0 || route_ct_closed(&e))
		return 0;
	f->tally_total++;
	int i = route_flows_owner(&e, f->mask, f->snap, f->n_snap);
	if (i >= 0)
		f->tally[i]++;
	return 0;
}

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
		route_flows_count_start(f);
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

void route_flows_count_start(struct route_flows *f)
{
	struct route_backend *rb = f->rb;
	char buf[64] __attribute__((aligned(8)));
	if (!f->ct.nl || !rb->members_set)
		return;
	if (f->counting) {
		if (clock_mono_us() - f->count_started_us < FLOWS_COUNT_TIMEOUT_US) {
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
	route_flows_count_start(arg);
}

void route_flows_refresh(struct route_backend *rb)
{
	if (rb->flows)
		route_flows_count_start(rb->flows);
}

long route_member_flows(const struct route_backend *rb, const char *member)
{
	const struct route_flows *f = rb->flows;
	for (size_t i = 0; f && i < f->n_counts; i++)
		if (strcmp(f->counts[i].name, member) == 0)
			return f->counts[i].flows;
	return -1;
}

int route_flows_count_events(struct route_backend *rb, struct route_flows *f)
{
	struct timeval tv = { FLOWS_COUNT_INTERVAL_S, 0 };
	f->count_timer = event_new(rb->base, -1, EV_PERSIST, on_count_timer, f);
	if (!f->count_timer || event_add(f->count_timer, &tv) < 0)
		return -1;
	if (!f->ct.nl)
		return 0;
	f->ct_read = event_new(rb->base, mnl_socket_get_fd(f->ct.nl), EV_READ | EV_PERSIST,
			       on_ct_readable, f);
	return f->ct_read && event_add(f->ct_read, NULL) == 0 ? 0 : -1;
}
