/* http: HEAD PATH over a TCP connection through the member (TLS for
 * https), judged by the status line alone. On the wire: the handshake, one
 * request of about 90 bytes + path + host, the response's first segment(s),
 * then our RST: we stop reading once the status line is in.
 *
 * Outcomes: the expected status (default any 2xx/3xx) is a reply, with the
 * time from connect() to the status line (so 2 RTTs for http, 3-4 for
 * https, plus the server's time). Anything else that arrives — another
 * status (a captive portal's 302 for a 204 check), a malformed response, a
 * TLS failure, a close before the status — is a loss with err EPROTO and
 * the status seen, counted in bad_replies as well: the uplink carried
 * packets, but not the service the check asks for. A refused or
 * unreachable connect is a loss too (unlike a tcp probe: here the service
 * is the point). */
#include "probe/probe_internal.h"

#include "core/clock.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

static void http_bad(struct probe_conn *c, int err, int status)
{
	struct prober *p = c->p;
	p->st.bad_replies++;
	probe_finish(p, c->slot, PROBE_LOST, 0, err, status);
}

/* Connect finished: on to TLS or straight to the request. */
static bool http_connected(struct probe_conn *c)
{
	struct prober *p = c->p;
	int err = probe_conn_result(c);
	if (err == EINPROGRESS) {
		probe_conn_wait(c, false);
		return false;
	}
	if (err) {
		if (err != ECONNREFUSED)
			p->st.icmp_errors++;
		probe_finish(p, c->slot, PROBE_LOST, 0, err, 0);
		return false;
	}
	c->connected = true;
	if (probe_slot_target(p, c->slot)->kind == PROBE_HTTPS) {
		c->ssl = probe_tls_new(p, c->slot->target, c->fd);
		if (!c->ssl) {
			probe_finish(p, c->slot, PROBE_LOST, 0, ENOMEM, 0);
			return false;
		}
		c->phase = CONN_HANDSHAKE;
	} else {
		c->phase = CONN_WRITE;
	}
	return true;
}

static int io_write(struct probe_conn *c)
{
	const char *b = c->req + c->req_off;
	size_t n = (size_t)(c->req_len - c->req_off);
	if (c->ssl)
		return probe_tls_write(c->ssl, b, n);
	ssize_t r = send(c->fd, b, n, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (r >= 0)
		return (int)r;
	return errno == EAGAIN || errno == EWOULDBLOCK ? PROBE_IO_WANT_WRITE : PROBE_IO_ERR;
}

static int io_read(struct probe_conn *c)
{
	char *b = c->rx + c->rx_len;
	size_t n = sizeof(c->rx) - c->rx_len;
	if (c->ssl)
		return probe_tls_read(c->ssl, b, n);
	ssize_t r = recv(c->fd, b, n, MSG_DONTWAIT);
	if (r >= 0)
		return (int)r;
	return errno == EAGAIN || errno == EWOULDBLOCK ? PROBE_IO_WANT_READ : PROBE_IO_ERR;
}

/* Waits as the I/O result asks; false when it was a failure instead. */
static bool io_wait(struct probe_conn *c, int rc)
{
	if (rc == PROBE_IO_WANT_READ || rc == PROBE_IO_WANT_WRITE) {
		probe_conn_wait(c, rc == PROBE_IO_WANT_READ);
		return true;
	}
	return false;
}

/* Status line complete? Then the probe ends (and c is gone): true. */
static bool http_check(struct probe_conn *c)
{
	struct prober *p = c->p;
	struct probe_slot *s = c->slot;
	int status = 0;
	int n = probe_http_parse_response(c->rx, c->rx_len, &status);
	if (n == 0 && c->rx_len < sizeof(c->rx))
		return false;
	if (n <= 0) {
		http_bad(c, EPROTO, 0);
		return true;
	}
	if (!probe_http_status_ok(status, probe_slot_target(p, s)->expect_status)) {
		http_bad(c, EPROTO, status);
		return true;
	}
	c->tls_ok = true;
	probe_finish(p, s, PROBE_REPLY, (uint32_t)(clock_mono_us() - s->sent_us), 0, status);
	return true;
}

static void http_step(struct probe_conn *c)
{
	for (;;) {
		int rc;
		switch (c->phase) {
		case CONN_CONNECTING:
			if (!http_connected(c))
				return;
			break;
		case CONN_HANDSHAKE:
			rc = probe_tls_handshake(c->ssl);
			if (rc == 1) {
				c->phase = CONN_WRITE;
				break;
			}
			if (!io_wait(c, rc))
				http_bad(c, EPROTO, 0);
			return;
		case CONN_WRITE:
			rc = io_write(c);
			if (rc > 0) {
				c->req_off = (uint16_t)(c->req_off + rc);
				if (c->req_off == c->req_len)
					c->phase = CONN_READ;
				break;
			}
			if (!io_wait(c, rc))
				http_bad(c, EPROTO, 0);
			return;
		case CONN_READ:
			rc = io_read(c);
			if (rc > 0) {
				c->rx_len = (uint16_t)(c->rx_len + rc);
				if (http_check(c))
					return;
				break;
			}
			if (!io_wait(c, rc))
				http_bad(c, EPROTO, 0);
			return;
		}
	}
}

static int http_send(struct prober *p, struct probe_slot *s, const struct probe_target *t)
{
	char req[PROBE_HTTP_REQ_MAX];
	int n = probe_http_build_request(req, sizeof(req), t);
	if (n < 0)
		return EINVAL;
	int err = probe_conn_start(p, s, t, http_step);
	if (err)
		return err;
	memcpy(s->conn->req, req, (size_t)n);
	s->conn->req_len = (uint16_t)n;
	return 0;
}

const struct probe_kind_ops probe_http_ops = { .send = http_send, .late_ok = false };
