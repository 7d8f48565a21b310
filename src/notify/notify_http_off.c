/* notify_http_off: stands in for notify_http.c in a build without libcurl
 * (WITH_ALERTS=OFF): channels that need the network report why they cannot
 * send, from the loop, as a transfer would; the hook still runs. */
#include "notify/notify_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

struct nt_http {
	struct event_base *base;
	struct nt_xfer *xfers;
};

struct nt_xfer {
	struct nt_xfer *prev, *next;
	struct nt_http *t;
	struct event *ev;
	nt_done_fn cb;
	void *arg;
};

static void xfer_free(struct nt_xfer *x)
{
	if (x->prev)
		x->prev->next = x->next;
	else
		x->t->xfers = x->next;
	if (x->next)
		x->next->prev = x->prev;
	event_free(x->ev);
	free(x);
}

static void on_due(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	struct nt_xfer *x = arg;
	struct notify_reply r = { .err = NRE_OTHER };
	snprintf(r.error, sizeof(r.error), "this autonomyd was built without WITH_ALERTS (libcurl)");
	nt_done_fn cb = x->cb;
	void *cb_arg = x->arg;
	xfer_free(x);
	cb(cb_arg, &r, 0);
}

struct nt_http *nt_http_new(struct event_base *base)
{
	struct nt_http *t = calloc(1, sizeof(*t));
	if (t)
		t->base = base;
	return t;
}

void nt_http_free(struct nt_http *t)
{
	if (!t)
		return;
	while (t->xfers)
		xfer_free(t->xfers);
	free(t);
}

struct nt_xfer *nt_http_send(struct nt_http *t, const struct notify_req *rq,
			     const struct nt_bind *b, unsigned connect_ms, unsigned total_ms,
			     nt_done_fn cb, void *arg)
{
	(void)rq; (void)b; (void)connect_ms; (void)total_ms;
	struct nt_xfer *x = calloc(1, sizeof(*x));
	if (!x)
		return NULL;
	x->t = t;
	x->cb = cb;
	x->arg = arg;
	x->ev = evtimer_new(t->base, on_due, x);
	struct timeval now = { 0, 0 };
	if (!x->ev || evtimer_add(x->ev, &now) < 0) {
		if (x->ev)
			event_free(x->ev);
		free(x);
		return NULL;
	}
	x->next = t->xfers;
	if (t->xfers)
		t->xfers->prev = x;
	t->xfers = x;
	return x;
}

void nt_xfer_cancel(struct nt_xfer *x)
{
	if (x)
		xfer_free(x);
}

const char *nt_http_version(void)
{
	return "none (built without WITH_ALERTS)";
}

bool nt_http_available(void)
{
	return false;
}

