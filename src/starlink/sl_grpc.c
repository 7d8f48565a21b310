/* sl_grpc: calls, deadlines, result delivery and backoff. The socket and
 * the HTTP/2 session are in sl_grpc_conn.c.
 *
 * Results are never handed to the caller from where they arise (inside an
 * nghttp2 callback, inside sl_grpc_call): a finished call moves to the done
 * list and a zero-delay event delivers it from a fresh loop callback, so a
 * callback may start new calls or free the client without anything of ours
 * on the stack. */
#include "starlink/sl_grpc_int.h"

#include "core/clock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#define SLG_MAX_REQUEST (64 * 1024)

static const char *const local_names[] = {
	[1] = "deadline", [2] = "connect", [3] = "reset", [4] = "protocol",
};

const char *sl_grpc_code_name(int status)
{
	if (status >= 0)
		return sl_grpc_status_name(status);
	if (-status < (int)(sizeof(local_names) / sizeof(local_names[0])))
		return local_names[-status];
	return "unknown";
}

unsigned sl_grpc_backoff_next(unsigned cur_ms, unsigned min_ms, unsigned max_ms)
{
	if (min_ms == 0)
		min_ms = 1;
	if (max_ms < min_ms)
		max_ms = min_ms;
	if (cur_ms < min_ms)
		return min_ms;
	if (cur_ms >= max_ms / 2)
		return max_ms;
	return cur_ms * 2;
}

size_t sl_grpc_timeout_header(unsigned deadline_ms, char *buf, size_t size)
{
	/* gRPC allows at most 8 digits per unit. */
	int n = deadline_ms < 100000000u
		? snprintf(buf, size, "%um", deadline_ms)
		: snprintf(buf, size, "%uS", deadline_ms / 1000);
	return n < 0 ? 0 : (size_t)n;
}

/* ---- call list ------------------------------------------------------------ */

static void list_remove(struct sl_call **head, struct sl_call *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		*head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->prev = c->next = NULL;
}

static void call_free(struct sl_call *c)
{
	if (c->timer)
		event_free(c->timer);
	sl_frame_dec_free(&c->dec);
	free(c->body);
	free(c);
}

struct sl_call *slg_call_of_stream(struct sl_grpc *g, int32_t stream_id)
{
	for (struct sl_call *c = g->calls; c; c = c->next)
		if (c->stream_id == stream_id)
			return c;
	return NULL;
}

static void note_error(struct sl_grpc *g, int status, const char *msg)
{
	snprintf(g->last_error, sizeof(g->last_error), "%s: %.140s", sl_grpc_code_name(status), msg);
}

/* Ends a live call: the result is fixed now (took_us measured here) and
 * delivered from the loop. */
void slg_call_finish(struct sl_call *c, int status, const char *fmt, ...)
{
	struct sl_grpc *g = c->g;
	struct sl_grpc_result *r = &c->res;

	if (c->stream_id > 0 && g->sess)
		nghttp2_session_set_stream_user_data(g->sess, c->stream_id, NULL);
	evtimer_del(c->timer);
	list_remove(&g->calls, c);

	r->status = status;
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(r->message, sizeof(r->message), fmt, ap);
		va_end(ap);
	}
	r->took_us = clock_mono_us() - c->t0_us;
	r->bytes_out = c->bytes_out;
	r->bytes_in = c->bytes_in;
	if (status == 0) {
		r->msg = c->msg;
		r->len = c->msg_len;
		g->n_ok++;
	} else {
		g->n_errors++;
		if (status == SL_GRPC_E_DEADLINE)
			g->n_deadlines++;
		note_error(g, status, r->message);
	}
	if (status >= 0)        /* the dish answered: it is reachable again */
		g->backoff_ms = 0;

	c->prev = g->done_tail;
	c->next = NULL;
	if (g->done_tail)
		g->done_tail->next = c;
	else
		g->done = c;
	g->done_tail = c;
	event_active(g->ev_deliver, EV_TIMEOUT, 0);
}

void slg_fail_all(struct sl_grpc *g, bool submitted_only, int status, const char *msg)
{
	struct sl_call *c = g->calls, *next;
	for (; c; c = next) {
		next = c->next;
		if (!submitted_only || c->stream_id > 0)
			slg_call_finish(c, status, "%s", msg);
	}
}

void slg_submit_pending(struct sl_grpc *g)
{
	struct sl_call *c = g->calls, *next;
	for (; c && g->state == SLG_CONNECTED && !g->goaway; c = next) {
		next = c->next;
		if (c->stream_id == 0 && slg_conn_submit(g, c) < 0)
			slg_call_finish(c, SL_GRPC_E_PROTOCOL, "HTTP/2 submit failed");
	}
}

static void really_free(struct sl_grpc *g)
{
	struct sl_call *c, *next;
	g->free_requested = true;       /* no reconnect from the close below */
	if (g->fd >= 0 || g->sess)
		slg_conn_close(g, false, SL_GRPC_E_RESET, "client freed");
	for (c = g->calls; c; c = next) {
		next = c->next;
		call_free(c);
	}
	for (c = g->done; c; c = next) {
		next = c->next;
		call_free(c);
	}
	event_free(g->ev_deliver);
	event_free(g->ev_backoff);
	free(g->obuf);
	free(g);
}

static void on_deliver(evutil_socket_t fd, short what, void *arg)
{
	struct sl_grpc *g = arg;
	struct sl_call *c;

	g->delivering = true;
	while ((c = g->done) != NULL && !g->free_requested) {
		g->done = c->next;
		if (!g->done)
			g->done_tail = NULL;
		c->cb(c->arg, &c->res);
		call_free(c);
	}
	g->delivering = false;
	if (g->free_requested)
		really_free(g);
}

/* ---- deadlines and backoff -------------------------------------------------- */

static void on_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct sl_call *c = arg;
	struct sl_grpc *g = c->g;

	if (c->stream_id == 0) {
		slg_call_finish(c, SL_GRPC_E_DEADLINE, "no answer within %u ms (%s)", c->deadline_ms,
				g->state == SLG_CONNECTING ? "still connecting" : "not sent");
		return;
	}
	bool silent = g->bytes_in == c->bytes_in_mark;
	slg_conn_cancel(g, c);
	slg_call_finish(c, SL_GRPC_E_DEADLINE, "no answer within %u ms%s", c->deadline_ms,
			silent ? " (dish silent: reconnecting)" : "");
	if (silent) {
		/* TCP accepted, nothing came back: a wedged dish. A new connection
		 * is the only way to find out whether it recovered. */
		slg_conn_close(g, true, SL_GRPC_E_RESET, "connection silent after a deadline");
	} else {
		slg_conn_flush(g);
	}
}

void slg_backoff_enter(struct sl_grpc *g, const char *why)
{
	g->backoff_ms = sl_grpc_backoff_next(g->backoff_ms, g->o.backoff_min_ms, g->o.backoff_max_ms);
	g->backoff_until_us = clock_mono_us() + (uint64_t)g->backoff_ms * 1000;
	g->state = SLG_BACKOFF;
	snprintf(g->conn_error, sizeof(g->conn_error), "%s", why);
}

static void on_backoff_end(evutil_socket_t fd, short what, void *arg)
{
	struct sl_grpc *g = arg;
	if (g->state == SLG_BACKOFF && g->calls)
		slg_conn_start(g);
}

/* A call in backoff: wait if the backoff ends within the first half of its
 * deadline (the other half is for connecting and the answer), else fail now
 * (the dish was unreachable a moment ago; asking again this early only adds
 * load, and a call that could only time out is better failed at once). */
static void backoff_call(struct sl_grpc *g, struct sl_call *c)
{
	uint64_t now = clock_mono_us();
	if (now >= g->backoff_until_us) {
		slg_conn_start(g);
		return;
	}
	uint64_t left = g->backoff_until_us - now;
	if (left <= (uint64_t)c->deadline_ms * 500) {
		struct timeval tv = { (time_t)(left / 1000000), (suseconds_t)(left % 1000000) };
		if (!evtimer_pending(g->ev_backoff, NULL))
			evtimer_add(g->ev_backoff, &tv);
		return;
	}
	slg_call_finish(c, SL_GRPC_E_CONNECT, "in backoff for %llu ms more after: %s",
			(unsigned long long)(left / 1000), g->conn_error);
}

/* ---- public API ------------------------------------------------------------- */

static int parse_addr(struct sl_grpc *g)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)&g->addr;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&g->addr;

	memset(&g->addr, 0, sizeof(g->addr));
	if (inet_pton(AF_INET, g->host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(g->o.port);
		g->addrlen = sizeof(*a4);
		snprintf(g->authority, sizeof(g->authority), "%s:%u", g->host, g->o.port);
		return 0;
	}
	if (inet_pton(AF_INET6, g->host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(g->o.port);
		g->addrlen = sizeof(*a6);
		snprintf(g->authority, sizeof(g->authority), "[%s]:%u", g->host, g->o.port);
		return 0;
	}
	return -1;
}

struct sl_grpc *sl_grpc_new(struct event_base *base, const struct sl_grpc_opts *o)
{
	if (!base || !o || !o->host || o->port == 0 || strlen(o->host) >= 64 ||
	    (o->ifname && strlen(o->ifname) >= 16)) {
		errno = EINVAL;
		return NULL;
	}
	struct sl_grpc *g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->base = base;
	g->o = *o;
	g->fd = -1;
	snprintf(g->host, sizeof(g->host), "%s", o->host);
	if (o->ifname)
		snprintf(g->ifname, sizeof(g->ifname), "%s", o->ifname);
	g->o.host = g->host;
	g->o.ifname = o->ifname && *o->ifname ? g->ifname : NULL;
	if (!g->o.connect_timeout_ms)
		g->o.connect_timeout_ms = 2000;
	if (!g->o.backoff_min_ms)
		g->o.backoff_min_ms = 1000;
	if (!g->o.backoff_max_ms)
		g->o.backoff_max_ms = 60000;
	if (!g->o.max_message)
		g->o.max_message = 4u << 20;
	if (parse_addr(g) < 0) {
		free(g);
		errno = EINVAL;
		return NULL;
	}
	g->ev_deliver = event_new(base, -1, 0, on_deliver, g);
	g->ev_backoff = evtimer_new(base, on_backoff_end, g);
	if (!g->ev_deliver || !g->ev_backoff) {
		if (g->ev_deliver)
			event_free(g->ev_deliver);
		free(g);
		errno = ENOMEM;
		return NULL;
	}
	return g;
}

void sl_grpc_free(struct sl_grpc *g)
{
	if (!g)
		return;
	if (g->delivering) {
		g->free_requested = true;
		return;
	}
	really_free(g);
}

static struct sl_call *call_new(struct sl_grpc *g, const char *path, const uint8_t *msg,
				size_t len, unsigned deadline_ms)
{
	struct sl_call *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->g = g;
	c->grpc_status = -1;
	c->deadline_ms = deadline_ms;
	snprintf(c->path, sizeof(c->path), "%s", path);
	c->body = malloc(len + 5);
	c->timer = evtimer_new(g->base, on_deadline, c);
	if (!c->body || !c->timer) {
		call_free(c);
		return NULL;
	}
	c->body_len = sl_frame_encode(msg, len, c->body, len + 5);
	sl_frame_dec_init(&c->dec, g->o.max_message);
	return c;
}

int sl_grpc_call(struct sl_grpc *g, const char *path, const uint8_t *msg, size_t len,
		 unsigned deadline_ms, sl_grpc_cb cb, void *arg)
{
	if (!g || g->free_requested || !path || path[0] != '/' || strlen(path) >= 96 ||
	    (!msg && len) || !cb || deadline_ms == 0) {
		errno = EINVAL;
		return -1;
	}
	if (len > SLG_MAX_REQUEST) {
		errno = EMSGSIZE;
		return -1;
	}
	struct sl_call *c = call_new(g, path, msg ? msg : (const uint8_t *)"", len, deadline_ms);
	if (!c) {
		errno = ENOMEM;
		return -1;
	}
	c->cb = cb;
	c->arg = arg;
	c->t0_us = clock_mono_us();
	struct timeval tv = { (time_t)(deadline_ms / 1000), (suseconds_t)(deadline_ms % 1000) * 1000 };
	evtimer_add(c->timer, &tv);

	/* append: calls go out in the order they were made */
	struct sl_call **pp = &g->calls, *last = NULL;
	while (*pp) {
		last = *pp;
		pp = &(*pp)->next;
	}
	*pp = c;
	c->prev = last;
	g->n_calls++;

	switch (g->state) {
	case SLG_IDLE:
		slg_conn_start(g);
		break;
	case SLG_CONNECTING:
		break;
	case SLG_CONNECTED:
		slg_submit_pending(g);
		slg_conn_flush(g);
		break;
	case SLG_BACKOFF:
		backoff_call(g, c);
		break;
	}
	return 0;
}

static const char *const state_names[] = {
	[SLG_IDLE] = "idle", [SLG_CONNECTING] = "connecting",
	[SLG_CONNECTED] = "connected", [SLG_BACKOFF] = "backoff",
};

void sl_grpc_stats(const struct sl_grpc *g, struct sl_grpc_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->state = state_names[g->state];
	st->connects = g->connects;
	st->connect_failures = g->connect_failures;
	st->calls = g->n_calls;
	st->ok = g->n_ok;
	st->errors = g->n_errors;
	st->deadlines = g->n_deadlines;
	st->bytes_out = g->bytes_out;
	st->bytes_in = g->bytes_in;
	for (const struct sl_call *c = g->calls; c; c = c->next)
		st->in_flight++;
	snprintf(st->last_error, sizeof(st->last_error), "%s", g->last_error);
	st->backoff_ms = g->backoff_ms;
	uint64_t now = clock_mono_us();
	if (g->state == SLG_BACKOFF && g->backoff_until_us > now)
		st->backoff_left_ms = (g->backoff_until_us - now) / 1000;
}
