/* h2_test_server: an HTTP/2 (h2c) server for unit tests, living in the
 * test's own event loop on a loopback TCP port: nghttp2's server session,
 * one client connection at a time. The test decides how each request is
 * answered (srv.respond) with the helpers below, or leaves the connection
 * silent. Header-only (static functions) so that each test binary includes
 * its own copy; used by test_sl_grpc.c and test_sl_client.c. */
#ifndef AUTONOMY_TESTS_H2_TEST_SERVER_H
#define AUTONOMY_TESTS_H2_TEST_SERVER_H

#include "starlink/sl_frame.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>
#include <nghttp2/nghttp2.h>

#define SRV_STREAMS 64
#define SRV_REQ_MAX 64

/* one response body per stream: streams are answered concurrently */
struct srv_body {
	uint8_t *b;
	size_t len, off;
	const char *grpc_status;        /* trailers after the body; NULL: end with the DATA */
};

static struct srv {
	struct event_base *base;
	int lfd, cfd;
	uint16_t port;
	struct event *lev, *cev;
	nghttp2_session *s;
	unsigned accepts, requests;
	bool silent;                    /* read, never answer, not even SETTINGS */
	bool close_on_request;          /* drop the connection when a request is complete */
	bool split;                     /* bodies in 3-byte DATA frames */
	/* the test's answer; req is the request's DATA (the gRPC frame) */
	void (*respond)(int32_t id, const uint8_t *req, size_t len);
	char path[128], te[32], timeout[32], ctype[64];
	struct { int32_t id; uint8_t b[SRV_REQ_MAX]; size_t len; } req[SRV_STREAMS];
	struct srv_body *bodies[SRV_STREAMS];   /* unsent ones are freed with the connection */
} srv;

static void srv_flush(void)
{
	const uint8_t *d;
	ssize_t n;
	while (srv.s && (n = nghttp2_session_mem_send(srv.s, &d)) > 0) {
		ssize_t w = send(srv.cfd, d, (size_t)n, MSG_NOSIGNAL);
		(void)w;        /* loopback: the socket buffer takes it */
	}
}

static void srv_body_free(struct srv_body *bd)
{
	for (size_t i = 0; i < SRV_STREAMS; i++)
		if (srv.bodies[i] == bd)
			srv.bodies[i] = NULL;
	free(bd->b);
	free(bd);
}

static void srv_drop(void)
{
	for (size_t i = 0; i < SRV_STREAMS; i++)
		if (srv.bodies[i])
			srv_body_free(srv.bodies[i]);
	if (srv.cev)
		event_free(srv.cev);
	if (srv.s)
		nghttp2_session_del(srv.s);
	if (srv.cfd >= 0)
		close(srv.cfd);
	srv.cev = NULL;
	srv.s = NULL;
	srv.cfd = -1;
}

static ssize_t srv_read_body(nghttp2_session *s, int32_t id, uint8_t *buf, size_t len,
			     uint32_t *flags, nghttp2_data_source *src, void *ud)
{
	struct srv_body *bd = src->ptr;
	size_t n = bd->len - bd->off;
	if (srv.split && n > 3)
		n = 3;
	if (n > len)
		n = len;
	memcpy(buf, bd->b + bd->off, n);
	bd->off += n;
	if (bd->off == bd->len) {
		*flags |= NGHTTP2_DATA_FLAG_EOF;
		if (bd->grpc_status) {
			nghttp2_nv tr = { (uint8_t *)"grpc-status", (uint8_t *)bd->grpc_status, 11,
					  strlen(bd->grpc_status), 0 };
			*flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
			nghttp2_submit_trailer(s, id, &tr, 1);
		}
		srv_body_free(bd);
	}
	return (ssize_t)n;
}

#define SNV(n, v) { (uint8_t *)(n), (uint8_t *)(v), sizeof(n) - 1, sizeof(v) - 1, 0 }

/* HEADERS hdrs, then DATA = body (as given: frame it with srv_frame), then
 * trailers grpc-status (NULL: none). */
static void srv_reply(int32_t id, const nghttp2_nv *hdrs, size_t nh, const uint8_t *body,
		      size_t blen, const char *grpc_status)
{
	struct srv_body *bd = calloc(1, sizeof(*bd));
	bd->b = malloc(blen ? blen : 1);
	memcpy(bd->b, body, blen);
	bd->len = blen;
	bd->grpc_status = grpc_status;
	for (size_t i = 0; i < SRV_STREAMS; i++)
		if (!srv.bodies[i]) {
			srv.bodies[i] = bd;
			break;
		}
	nghttp2_data_provider prd = { .source.ptr = bd, .read_callback = srv_read_body };
	nghttp2_submit_response(srv.s, id, hdrs, nh, &prd);
}

/* A normal unary gRPC answer: msg framed, grpc-status 0. */
static void srv_reply_grpc(int32_t id, const uint8_t *msg, size_t len)
{
	const nghttp2_nv ok[] = { SNV(":status", "200"), SNV("content-type", "application/grpc") };
	uint8_t *f = malloc(len + 5);
	size_t n = sl_frame_encode(msg, len, f, len + 5);
	srv_reply(id, ok, 2, f, n, "0");
	free(f);
}

/* A trailers-only error, as the dish sends PermissionDenied. */
static void srv_reply_error(int32_t id, const char *code, const char *message)
{
	const nghttp2_nv hdrs[] = { SNV(":status", "200"), SNV("content-type", "application/grpc"),
		{ (uint8_t *)"grpc-status", (uint8_t *)code, 11, strlen(code), 0 },
		{ (uint8_t *)"grpc-message", (uint8_t *)message, 12, strlen(message), 0 } };
	nghttp2_submit_response(srv.s, id, hdrs, 4, NULL);
}

static int srv_on_header(nghttp2_session *s, const nghttp2_frame *f, const uint8_t *name,
			 size_t nl, const uint8_t *value, size_t vl, uint8_t flags, void *ud)
{
	static const struct { const char *name; size_t off, cap; } keep[] = {
		{ ":path", offsetof(struct srv, path), sizeof(srv.path) },
		{ "te", offsetof(struct srv, te), sizeof(srv.te) },
		{ "grpc-timeout", offsetof(struct srv, timeout), sizeof(srv.timeout) },
		{ "content-type", offsetof(struct srv, ctype), sizeof(srv.ctype) },
	};
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		if (nl == strlen(keep[i].name) && !memcmp(name, keep[i].name, nl))
			snprintf((char *)&srv + keep[i].off, keep[i].cap, "%.*s", (int)vl,
				 (const char *)value);
	return 0;
}

static int srv_on_data(nghttp2_session *s, uint8_t flags, int32_t id, const uint8_t *data,
		       size_t len, void *ud)
{
	__typeof__(srv.req[0]) *r = &srv.req[id % SRV_STREAMS];
	if (r->id != id) {
		r->id = id;
		r->len = 0;
	}
	if (len > SRV_REQ_MAX - r->len)
		len = SRV_REQ_MAX - r->len;
	memcpy(r->b + r->len, data, len);
	r->len += len;
	return 0;
}

static int srv_on_frame(nghttp2_session *s, const nghttp2_frame *f, void *ud)
{
	if ((f->hd.type == NGHTTP2_DATA || f->hd.type == NGHTTP2_HEADERS) &&
	    (f->hd.flags & NGHTTP2_FLAG_END_STREAM)) {
		int32_t id = f->hd.stream_id;
		__typeof__(srv.req[0]) *r = &srv.req[id % SRV_STREAMS];
		srv.requests++;
		if (srv.close_on_request)
			return NGHTTP2_ERR_CALLBACK_FAILURE;    /* srv_on_read closes */
		srv.respond(id, r->id == id ? r->b : NULL, r->id == id ? r->len : 0);
	}
	return 0;
}

static void srv_on_read(evutil_socket_t fd, short what, void *arg)
{
	uint8_t buf[16384];
	ssize_t n = recv(srv.cfd, buf, sizeof(buf), 0);
	if (n <= 0) {
		srv_drop();
		return;
	}
	if (srv.silent)
		return;
	if (nghttp2_session_mem_recv(srv.s, buf, (size_t)n) < 0 || srv.close_on_request) {
		srv_drop();
		return;
	}
	srv_flush();
}

static void srv_on_accept(evutil_socket_t fd, short what, void *arg)
{
	int c = accept4(srv.lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (c < 0)
		return;
	srv_drop();             /* one client at a time */
	srv.cfd = c;
	srv.accepts++;
	memset(srv.req, 0, sizeof(srv.req));
	nghttp2_session_callbacks *cbs;
	nghttp2_session_callbacks_new(&cbs);
	nghttp2_session_callbacks_set_on_header_callback(cbs, srv_on_header);
	nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, srv_on_data);
	nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, srv_on_frame);
	nghttp2_session_server_new(&srv.s, cbs, NULL);
	nghttp2_session_callbacks_del(cbs);
	if (!srv.silent) {
		nghttp2_submit_settings(srv.s, NGHTTP2_FLAG_NONE, NULL, 0);
		srv_flush();
	}
	srv.cev = event_new(srv.base, c, EV_READ | EV_PERSIST, srv_on_read, NULL);
	event_add(srv.cev, NULL);
}

/* 0, or -1 when the listening socket cannot be made. */
static int srv_start(struct event_base *base)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	memset(&srv, 0, sizeof(srv));
	srv.base = base;
	srv.cfd = -1;
	srv.lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (srv.lfd < 0 || bind(srv.lfd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(srv.lfd, 8) < 0 || getsockname(srv.lfd, (struct sockaddr *)&a, &len) < 0)
		return -1;
	srv.port = ntohs(a.sin_port);
	srv.lev = event_new(base, srv.lfd, EV_READ | EV_PERSIST, srv_on_accept, NULL);
	event_add(srv.lev, NULL);
	return 0;
}

static void srv_stop(void)
{
	srv_drop();
	event_free(srv.lev);
	close(srv.lfd);
}

#endif
