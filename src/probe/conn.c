/* conn: what TCP and HTTP(S) probes share: a socket per probe, bound to the
 * member, connecting without blocking; its events; and its end. A probe's
 * connection is closed the moment its outcome is known, with SO_LINGER 0:
 * an RST instead of FIN and TIME_WAIT, so frequent probes leave no sockets
 * behind on the router (nor on the target). */
#include "probe/probe_internal.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <linux/tcp.h>
#include <sys/socket.h>

#include <event2/event.h>

static void conn_event(evutil_socket_t fd, short what, void *arg)
{
	struct probe_conn *c = arg;
	c->step(c);
}

int probe_conn_start(struct prober *p, struct probe_slot *s, const struct probe_target *t,
		     void (*step)(struct probe_conn *c))
{
	int fd = probe_sock_open(p, t->family, SOCK_STREAM, IPPROTO_TCP);
	if (fd < 0)
		return -fd;
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	struct probe_conn *c = calloc(1, sizeof(*c));
	if (!c || setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) < 0) {
		int e = c ? errno : ENOMEM;
		free(c);
		probe_sock_close(p, fd);
		return e;
	}
	c->p = p;
	c->slot = s;
	c->fd = fd;
	c->family = t->family;
	c->step = step;
	s->conn = c;    /* from here on probe_conn_close cleans up */
	c->ev = event_new(p->base, fd, EV_WRITE, conn_event, c);
	if (!c->ev)
		return ENOMEM;
	probe_stamp(s);
	if (connect(fd, (const struct sockaddr *)&t->addr, t->addrlen) == 0)
		c->sync_err = 1;
	else if (errno == ECONNREFUSED)
		c->sync_err = ECONNREFUSED + 1;
	else if (errno != EINPROGRESS)
		return errno;
	event_add(c->ev, NULL);
	/* finished already: report from the loop, never from inside send */
	if (c->sync_err)
		event_active(c->ev, EV_WRITE, 1);
	return 0;
}

int probe_conn_result(struct probe_conn *c)
{
	if (c->sync_err) {
		int e = c->sync_err - 1;
		c->sync_err = 0;
		return e;
	}
	int err = 0;
	socklen_t len = sizeof(err);
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		return errno;
	return err;
}

void probe_conn_wait(struct probe_conn *c, bool read)
{
	event_del(c->ev);
	event_assign(c->ev, c->p->base, c->fd, read ? EV_READ : EV_WRITE, conn_event, c);
	event_add(c->ev, NULL);
}

/* Bytes on the wire, estimated from the kernel's segment counts: headers
 * are IP + 20 bytes of TCP + 12 of timestamps when negotiated; SYN and
 * SYN-ACK carry 20 bytes of options; closing a connected socket with
 * linger 0 sends one RST. Payload (TLS included) is counted exactly. */
static void conn_account(struct prober *p, struct probe_conn *c)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	memset(&ti, 0, sizeof(ti));
	/* A tcp_info without segment counts (a pre-4.2 kernel; qemu-user
	 * returns an int) cannot be accounted: count nothing, not garbage. */
	if (getsockopt(c->fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0 ||
	    len < offsetof(struct tcp_info, tcpi_segs_in) + sizeof(ti.tcpi_segs_in))
		return;
	uint64_t ip = probe_iphdr_len(c->family);
	if (!c->connected) {
		/* SYNs out (with their options), at most an RST back */
		p->st.bytes_sent += ti.tcpi_segs_out * (ip + 40);
		p->st.bytes_received += ti.tcpi_segs_in * (ip + 20);
		return;
	}
	uint64_t ts = ti.tcpi_options & TCPI_OPT_TIMESTAMPS ? 12 : 0;
	uint64_t hdr = ip + 20 + ts;
	uint64_t out = len >= offsetof(struct tcp_info, tcpi_bytes_sent) + sizeof(ti.tcpi_bytes_sent) ?
		       ti.tcpi_bytes_sent : ti.tcpi_bytes_acked;
	p->st.bytes_sent += ti.tcpi_segs_out * hdr + (20 - ts) + out + hdr;
	p->st.bytes_received += ti.tcpi_segs_in * hdr + (20 - ts) + ti.tcpi_bytes_received;
}

void probe_conn_close(struct prober *p, struct probe_slot *s)
{
	struct probe_conn *c = s->conn;
	if (!c)
		return;
	s->conn = NULL;
	conn_account(p, c);
	if (c->ev)
		event_free(c->ev);
	if (c->ssl)
		probe_tls_free(c->ssl, c->tls_ok);
	probe_sock_close(p, c->fd);
	free(c);
}
