/* sl_grpc_conn: the dish connection — a non-blocking TCP socket (bound to
 * the Starlink device when asked) carrying one nghttp2 client session.
 * libevent tells us when the socket is readable/writable; nghttp2 never
 * touches the socket itself: received bytes go through
 * nghttp2_session_mem_recv, bytes to send come from nghttp2_session_mem_send
 * and whatever the socket does not take waits in obuf for EV_WRITE. */
#include "starlink/sl_grpc_int.h"

#include "core/clock.h"

#include <errno.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#define SLG_RECV_WINDOW (1 << 20)       /* a whole get_history fits: no WINDOW_UPDATE wait */

static void conn_failed(struct sl_grpc *g, const char *what, int err);

/* ---- nghttp2 callbacks ------------------------------------------------------ */

static struct sl_call *stream_call(nghttp2_session *s, int32_t id)
{
	return id > 0 ? nghttp2_session_get_stream_user_data(s, id) : NULL;
}

static void call_protocol_error(struct sl_call *c, const char *why, const char *detail)
{
	if (c->fail)
		return;
	c->fail = SL_GRPC_E_PROTOCOL;
	snprintf(c->fail_msg, sizeof(c->fail_msg), "%s%s", why, detail);
}

static int on_header(nghttp2_session *s, const nghttp2_frame *f, const uint8_t *name,
		     size_t namelen, const uint8_t *value, size_t valuelen, uint8_t flags,
		     void *ud)
{
	struct sl_call *c = stream_call(s, f->hd.stream_id);
	if (!c || f->hd.type != NGHTTP2_HEADERS)
		return 0;
	const char *n = (const char *)name, *v = (const char *)value;
	if (namelen == 7 && !memcmp(n, ":status", 7)) {
		int st = 0;
		for (size_t i = 0; i < valuelen && i < 3; i++)
			st = st * 10 + (v[i] >= '0' && v[i] <= '9' ? v[i] - '0' : 0);
		c->http_status = valuelen == 3 ? st : -1;
	} else if (namelen == 12 && !memcmp(n, "content-type", 12)) {
		if (valuelen < 16 || memcmp(v, "application/grpc", 16) != 0 ||
		    (valuelen > 16 && v[16] != '+' && v[16] != ';'))
			call_protocol_error(c, "content-type is not gRPC", "");
	} else if (namelen == 11 && !memcmp(n, "grpc-status", 11)) {
		c->grpc_status = sl_grpc_status_parse(v, valuelen);
		if (c->grpc_status < 0)
			call_protocol_error(c, "bad grpc-status", "");
	} else if (namelen == 12 && !memcmp(n, "grpc-message", 12)) {
		sl_grpc_message_decode(v, valuelen, c->grpc_message, sizeof(c->grpc_message));
	}
	return 0;
}

static int on_data_chunk(nghttp2_session *s, uint8_t flags, int32_t id, const uint8_t *data,
			 size_t len, void *ud)
{
	struct sl_call *c = stream_call(s, id);
	if (!c || c->fail)
		return 0;
	const uint8_t *msg;
	size_t mlen;
	int r = sl_frame_dec_feed(&c->dec, data, len, &msg, &mlen);
	if (r < 0) {
		call_protocol_error(c, "bad gRPC message: ", c->dec.error);
	} else if (r == 1) {
		c->msg = msg;
		c->msg_len = mlen;
		c->have_msg = true;
	}
	return 0;
}

static void finish_stream(struct sl_call *c, uint32_t error_code)
{
	if (c->http_status && c->http_status != 200) {   /* says more than its content-type */
		slg_call_finish(c, SL_GRPC_E_PROTOCOL, "HTTP status %d", c->http_status);
	} else if (c->fail) {
		slg_call_finish(c, c->fail, "%s", c->fail_msg);
	} else if (c->grpc_status > 0) {
		slg_call_finish(c, c->grpc_status, "%s", c->grpc_message);
	} else if (c->grpc_status == 0) {
		int r = c->have_msg ? 1 : sl_frame_dec_finish(&c->dec, &c->msg, &c->msg_len);
		if (r == 1)
			slg_call_finish(c, 0, NULL);
		else
			slg_call_finish(c, SL_GRPC_E_PROTOCOL, "OK without a %s response message",
					r == 0 ? "" : "complete");
	} else if (error_code != NGHTTP2_NO_ERROR) {
		slg_call_finish(c, SL_GRPC_E_RESET, "stream reset by the dish (%s)",
				nghttp2_http2_strerror(error_code));
	} else {
		slg_call_finish(c, SL_GRPC_E_PROTOCOL, "response ended without grpc-status");
	}
}

static int on_stream_close(nghttp2_session *s, int32_t id, uint32_t error_code, void *ud)
{
	struct sl_call *c = stream_call(s, id);
	if (c)
		finish_stream(c, error_code);
	return 0;
}

/* Per-stream byte counts: the frames of a call as they cross the wire
 * (9-byte frame header + payload). Connection-level frames (SETTINGS,
 * WINDOW_UPDATE, PING, GOAWAY) are in the connection totals only. */
static int on_begin_frame(nghttp2_session *s, const nghttp2_frame_hd *hd, void *ud)
{
	struct sl_call *c = stream_call(s, hd->stream_id);
	if (c)
		c->bytes_in += 9 + hd->length;
	return 0;
}

static int on_frame_send(nghttp2_session *s, const nghttp2_frame *f, void *ud)
{
	struct sl_call *c = stream_call(s, f->hd.stream_id);
	if (c)
		c->bytes_out += 9 + f->hd.length;
	return 0;
}

static int on_frame_recv(nghttp2_session *s, const nghttp2_frame *f, void *ud)
{
	struct sl_grpc *g = ud;
	if (f->hd.type == NGHTTP2_GOAWAY) {
		/* streams above last_stream_id are closed by nghttp2 (REFUSED_STREAM);
		 * the rest may still finish. New calls wait for a new connection. */
		g->goaway = true;
	}
	return 0;
}

static ssize_t read_body(nghttp2_session *s, int32_t id, uint8_t *buf, size_t len,
			 uint32_t *flags, nghttp2_data_source *src, void *ud)
{
	struct sl_call *c = stream_call(s, id);
	if (!c) {               /* cancelled before its body went out */
		*flags |= NGHTTP2_DATA_FLAG_EOF;
		return 0;
	}
	size_t n = c->body_len - c->body_off;
	if (n > len)
		n = len;
	memcpy(buf, c->body + c->body_off, n);
	c->body_off += n;
	if (c->body_off == c->body_len)
		*flags |= NGHTTP2_DATA_FLAG_EOF;
	return (ssize_t)n;
}

static nghttp2_session_callbacks *callbacks(void)
{
	static nghttp2_session_callbacks *cbs;
	if (cbs)
		return cbs;
	if (nghttp2_session_callbacks_new(&cbs) != 0)
		return NULL;
	nghttp2_session_callbacks_set_on_header_callback(cbs, on_header);
	nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, on_data_chunk);
	nghttp2_session_callbacks_set_on_stream_close_callback(cbs, on_stream_close);
	nghttp2_session_callbacks_set_on_begin_frame_callback(cbs, on_begin_frame);
	nghttp2_session_callbacks_set_on_frame_send_callback(cbs, on_frame_send);
	nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, on_frame_recv);
	return cbs;
}

/* ---- requests ---------------------------------------------------------------- */

#define NV(n, v, vl) { (uint8_t *)(n), (uint8_t *)(v), sizeof(n) - 1, (vl), \
		       NGHTTP2_NV_FLAG_NO_COPY_NAME }

int slg_conn_submit(struct sl_grpc *g, struct sl_call *c)
{
	uint64_t spent_ms = (clock_mono_us() - c->t0_us) / 1000;
	unsigned left = spent_ms < c->deadline_ms ? c->deadline_ms - (unsigned)spent_ms : 1;
	char tmo[16];
	size_t tlen = sl_grpc_timeout_header(left, tmo, sizeof(tmo));
	const nghttp2_nv nva[] = {
		NV(":method", "POST", 4),
		NV(":scheme", "http", 4),
		NV(":path", c->path, strlen(c->path)),
		NV(":authority", g->authority, strlen(g->authority)),
		NV("content-type", "application/grpc", 16),
		NV("te", "trailers", 8),
		NV("grpc-timeout", tmo, tlen),
	};
	nghttp2_data_provider prd = { .read_callback = read_body };
	int32_t id = nghttp2_submit_request(g->sess, NULL, nva, sizeof(nva) / sizeof(nva[0]),
					    &prd, c);
	if (id < 0)
		return -1;
	c->stream_id = id;
	c->bytes_in_mark = g->bytes_in;
	return 0;
}

void slg_conn_cancel(struct sl_grpc *g, struct sl_call *c)
{
	if (!g->sess || c->stream_id <= 0)
		return;
	nghttp2_session_set_stream_user_data(g->sess, c->stream_id, NULL);
	nghttp2_submit_rst_stream(g->sess, NGHTTP2_FLAG_NONE, c->stream_id, NGHTTP2_CANCEL);
}

/* ---- socket I/O --------------------------------------------------------------- */

static int obuf_keep(struct sl_grpc *g, const uint8_t *p, size_t n)
{
	if (g->obuf_len + n > g->obuf_cap) {
		size_t cap = g->obuf_cap ? g->obuf_cap : 4096;
		while (cap < g->obuf_len + n)
			cap *= 2;
		uint8_t *nb = realloc(g->obuf, cap);
		if (!nb)
			return -1;
		g->obuf = nb;
		g->obuf_cap = cap;
	}
	memcpy(g->obuf + g->obuf_len, p, n);
	g->obuf_len += n;
	return 0;
}

/* Writes what it can; -1 after closing the connection on a socket error. */
static int sock_write(struct sl_grpc *g, const uint8_t *p, size_t n, size_t *written)
{
	ssize_t w = send(g->fd, p, n, MSG_NOSIGNAL);
	if (w < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
			*written = 0;
			return 0;
		}
		char why[96];
		snprintf(why, sizeof(why), "send: %s", strerror(errno));
		slg_conn_close(g, false, SL_GRPC_E_RESET, why);
		return -1;
	}
	g->bytes_out += (uint64_t)w;
	*written = (size_t)w;
	return 0;
}

void slg_conn_flush(struct sl_grpc *g)
{
	size_t w;
	if (g->state != SLG_CONNECTED)
		return;
	if (g->obuf_len) {
		if (sock_write(g, g->obuf, g->obuf_len, &w) < 0)
			return;
		memmove(g->obuf, g->obuf + w, g->obuf_len - w);
		g->obuf_len -= w;
	}
	while (g->obuf_len == 0) {
		const uint8_t *data;
		ssize_t n = nghttp2_session_mem_send(g->sess, &data);
		if (n < 0) {
			slg_conn_close(g, false, SL_GRPC_E_PROTOCOL, nghttp2_strerror((int)n));
			return;
		}
		if (n == 0)
			break;
		if (sock_write(g, data, (size_t)n, &w) < 0)
			return;
		if (w < (size_t)n && obuf_keep(g, data + w, (size_t)n - w) < 0) {
			slg_conn_close(g, false, SL_GRPC_E_RESET, "out of memory");
			return;
		}
	}
	if (g->obuf_len)
		event_add(g->ev_write, NULL);
	else
		event_del(g->ev_write);
	if (!nghttp2_session_want_read(g->sess) && !nghttp2_session_want_write(g->sess) &&
	    g->obuf_len == 0) {
		/* after GOAWAY, once every stream is done; calls that wait get a
		 * new connection (slg_conn_close starts it) */
		slg_conn_close(g, false, SL_GRPC_E_RESET, "connection finished (GOAWAY)");
	}
}

static void on_writable(evutil_socket_t fd, short what, void *arg)
{
	slg_conn_flush(arg);
}

static void on_readable(evutil_socket_t fd, short what, void *arg)
{
	struct sl_grpc *g = arg;
	uint8_t buf[16384];

	for (int i = 0; i < 8; i++) {
		ssize_t n = recv(g->fd, buf, sizeof(buf), 0);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			break;
		if (n <= 0) {
			char why[96];
			snprintf(why, sizeof(why), "%s", n == 0 ? "connection closed by the dish"
				 : strerror(errno));
			slg_conn_close(g, false, SL_GRPC_E_RESET, why);
			return;
		}
		g->bytes_in += (uint64_t)n;
		ssize_t r = nghttp2_session_mem_recv(g->sess, buf, (size_t)n);
		if (r < 0) {
			char why[96];
			snprintf(why, sizeof(why), "HTTP/2: %s", nghttp2_strerror((int)r));
			slg_conn_close(g, false, SL_GRPC_E_PROTOCOL, why);
			return;
		}
		if ((size_t)n < sizeof(buf))
			break;
	}
	slg_conn_flush(g);
}

/* ---- connection lifecycle --------------------------------------------------- */

static int session_open(struct sl_grpc *g)
{
	nghttp2_session_callbacks *cbs = callbacks();
	if (!cbs || nghttp2_session_client_new(&g->sess, cbs, g) != 0)
		return -1;
	const nghttp2_settings_entry iv[] = {
		{ NGHTTP2_SETTINGS_ENABLE_PUSH, 0 },
		{ NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100 },
		{ NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, SLG_RECV_WINDOW },
	};
	if (nghttp2_submit_settings(g->sess, NGHTTP2_FLAG_NONE, iv, 3) != 0 ||
	    nghttp2_session_set_local_window_size(g->sess, NGHTTP2_FLAG_NONE, 0,
						  SLG_RECV_WINDOW) != 0)
		return -1;
	return 0;
}

static void connected(struct sl_grpc *g)
{
	event_free(g->ev_conn);
	g->ev_conn = NULL;
	g->ev_read = event_new(g->base, g->fd, EV_READ | EV_PERSIST, on_readable, g);
	g->ev_write = event_new(g->base, g->fd, EV_WRITE, on_writable, g);
	if (!g->ev_read || !g->ev_write || session_open(g) < 0) {
		conn_failed(g, "session", ENOMEM);
		return;
	}
	g->connects++;
	g->state = SLG_CONNECTED;
	g->goaway = false;
	event_add(g->ev_read, NULL);
	slg_submit_pending(g);
	slg_conn_flush(g);
}

static void on_connect(evutil_socket_t fd, short what, void *arg)
{
	struct sl_grpc *g = arg;
	int err = 0;
	socklen_t len = sizeof(err);

	if (what & EV_TIMEOUT) {
		conn_failed(g, "connect", ETIMEDOUT);
		return;
	}
	if (getsockopt(g->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err)
		conn_failed(g, "connect", err);
	else
		connected(g);
}

static int sock_open(struct sl_grpc *g, const char **what)
{
	int one = 1;
	int fd = socket(g->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	*what = "socket";
	if (fd < 0)
		return -1;
	g->fd = fd;
	if (g->o.ifname) {
		*what = "SO_BINDTODEVICE";
		if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, g->ifname,
			       (socklen_t)strlen(g->ifname) + 1) < 0)
			return -1;
	}
	/* requests are tiny and latency-bound: never wait for Nagle */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	*what = "connect";
	if (connect(fd, (struct sockaddr *)&g->addr, g->addrlen) < 0 && errno != EINPROGRESS)
		return -1;
	return 0;
}

void slg_conn_start(struct sl_grpc *g)
{
	const char *what;
	evtimer_del(g->ev_backoff);
	g->state = SLG_CONNECTING;
	if (sock_open(g, &what) < 0) {
		conn_failed(g, what, errno);
		return;
	}
	struct timeval tv = { (time_t)(g->o.connect_timeout_ms / 1000),
			      (suseconds_t)(g->o.connect_timeout_ms % 1000) * 1000 };
	g->ev_conn = event_new(g->base, g->fd, EV_WRITE, on_connect, g);
	if (!g->ev_conn) {
		conn_failed(g, "event", ENOMEM);
		return;
	}
	event_add(g->ev_conn, &tv);
}

static void conn_release(struct sl_grpc *g)
{
	if (g->ev_conn)
		event_free(g->ev_conn);
	if (g->ev_read)
		event_free(g->ev_read);
	if (g->ev_write)
		event_free(g->ev_write);
	g->ev_conn = g->ev_read = g->ev_write = NULL;
	if (g->sess)
		nghttp2_session_del(g->sess);
	g->sess = NULL;
	if (g->fd >= 0)
		close(g->fd);
	g->fd = -1;
	g->obuf_len = 0;
	g->goaway = false;
}

static void conn_failed(struct sl_grpc *g, const char *what, int err)
{
	char why[128];
	snprintf(why, sizeof(why), "%s %s%s%s: %s", what, g->authority,
		 g->o.ifname ? " via " : "", g->o.ifname ? g->o.ifname : "", strerror(err));
	g->connect_failures++;
	/* calls first: they detach from the session before it goes */
	slg_fail_all(g, false, SL_GRPC_E_CONNECT, why);
	conn_release(g);
	slg_backoff_enter(g, why);
}

void slg_conn_close(struct sl_grpc *g, bool backoff, int status, const char *why)
{
	slg_fail_all(g, true, status, why);
	conn_release(g);
	if (backoff) {
		slg_backoff_enter(g, why);
	} else {
		g->state = SLG_IDLE;
		/* queued calls (not yet on a stream) get a fresh connection */
		if (g->calls && !g->free_requested)
			slg_conn_start(g);
	}
}
