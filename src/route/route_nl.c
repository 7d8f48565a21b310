/* route_nl: synchronous netlink transactions on a non-blocking socket,
 * each bounded by a deadline (the kernel answers locally in microseconds;
 * the deadline only guards against a wedged socket). */
#include "route/route_int.h"

#include "core/clock.h"
#include "core/nlwalk.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define DUMP_RCVBUF     (1024 * 1024)

static int sockopt_on(struct mnl_socket *nl, int opt)
{
	int one = 1;
	return mnl_socket_setsockopt(nl, opt, &one, sizeof(one));
}

int route_nl_open(struct route_nl *n, int bus)
{
	memset(n, 0, sizeof(*n));
	n->buf = malloc(ROUTE_NL_BUF);
	n->nl = n->buf ? mnl_socket_open2(bus, SOCK_NONBLOCK | SOCK_CLOEXEC) : NULL;
	if (!n->nl || mnl_socket_bind(n->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;
		route_nl_close(n);
		errno = e;
		return -1;
	}
	n->portid = mnl_socket_get_portid(n->nl);
	n->seq = (uint32_t)clock_mono_us();
	/* Acks without a copy of the request, with the kernel's reason. */
	sockopt_on(n->nl, NETLINK_CAP_ACK);
	sockopt_on(n->nl, NETLINK_EXT_ACK);
	int sz = DUMP_RCVBUF, fd = mnl_socket_get_fd(n->nl);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	return 0;
}

void route_nl_close(struct route_nl *n)
{
	if (n->nl)
		mnl_socket_close(n->nl);
	free(n->buf);
	memset(n, 0, sizeof(*n));
}

/* Waits for input until deadline (monotonic ms). 0, or -1 with errno. */
static int wait_readable(struct route_nl *n, uint64_t deadline)
{
	for (;;) {
		uint64_t now = clock_mono_ms();
		if (now >= deadline) {
			errno = ETIMEDOUT;
			return -1;
		}
		struct pollfd pfd = { .fd = mnl_socket_get_fd(n->nl), .events = POLLIN };
		int rc = poll(&pfd, 1, (int)(deadline - now));
		if (rc > 0)
			return 0;
		if (rc < 0 && errno != EINTR)
			return -1;
	}
}

/* One recv; 0 when nothing is queued yet. */
static ssize_t nl_recv(struct route_nl *n, uint64_t deadline)
{
	for (;;) {
		ssize_t len = recv(mnl_socket_get_fd(n->nl), n->buf, ROUTE_NL_BUF, 0);
		if (len > 0)
			return len;
		if (len == 0) {
			errno = EPIPE;
			return -1;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		if (wait_readable(n, deadline) < 0)
			return -1;
	}
}

/* The error code of NLMSG_ERROR / NLMSG_DONE (0 for an ack or a bare DONE). */
static int msg_error(const struct nlmsghdr *nlh)
{
	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(int))
		return nlh->nlmsg_type == NLMSG_DONE ? 0 : -EBADMSG;
	int err;
	memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	return err;
}

/* NLMSGERR_ATTR_MSG from an extended ack, or "". With NETLINK_CAP_ACK the
 * request is not echoed, so the attributes follow the bare header. */
static const char *extack_msg(const struct nlmsghdr *nlh)
{
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) ||
	    nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(struct nlmsgerr))
		return "";
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t off = sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	if (NLMSG_HDRLEN + off >= nlh->nlmsg_len)
		return "";
	const struct nlattr *tb[NLMSGERR_ATTR_MSG + 1];
	nlwalk_index((const char *)e + off, nlh->nlmsg_len - NLMSG_HDRLEN - off, tb,
		     NLMSGERR_ATTR_MSG);
	const struct nlattr *a = tb[NLMSGERR_ATTR_MSG];
	return a && mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0 ? mnl_attr_get_str(a) : "";
}

struct dump_ctx {
	struct route_nl *n;
	uint32_t seq;
	route_nl_msg_fn fn;
	void *arg;
	bool intr, done;
	int err;
};

static void dump_walk(struct dump_ctx *d, size_t len)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)d->n->buf;
	size_t left = len;
	for (; nlwalk_msg_ok(nlh, left); nlh = nlwalk_msg_next(nlh, &left)) {
		if (nlh->nlmsg_seq != d->seq || nlh->nlmsg_pid != d->n->portid)
			continue;       /* a late reply to an abandoned request */
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			d->intr = true;
		if (nlh->nlmsg_type == NLMSG_DONE || nlh->nlmsg_type == NLMSG_ERROR) {
			int err = msg_error(nlh);
			if (err < 0 && !d->err)
				d->err = err;
			d->done = true;
			return;
		}
		if (!d->err && d->fn(nlh, d->arg) < 0)
			d->err = -EBADMSG;
	}
}

int route_nl_dump(struct route_nl *n, struct nlmsghdr *req, route_nl_msg_fn fn, void *arg,
		  int timeout_ms)
{
	struct dump_ctx d = { .n = n, .seq = ++n->seq, .fn = fn, .arg = arg };
	req->nlmsg_seq = d.seq;
	if (mnl_socket_sendto(n->nl, req, req->nlmsg_len) < 0)
		return -1;
	uint64_t deadline = clock_mono_ms() + (uint64_t)timeout_ms;
	while (!d.done) {
		ssize_t len = nl_recv(n, deadline);
		if (len < 0)
			return -1;
		dump_walk(&d, (size_t)len);
	}
	if (d.err) {
		errno = -d.err;
		return -1;
	}
	if (d.intr) {
		errno = EINTR;
		return -1;
	}
	return 0;
}

struct ack_ctx {
	uint32_t first;
	size_t count, got;
	route_nl_ack_fn ack;
	void *arg;
};

static void ack_walk(struct route_nl *n, struct ack_ctx *a, size_t len)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)n->buf;
	size_t left = len;
	for (; nlwalk_msg_ok(nlh, left); nlh = nlwalk_msg_next(nlh, &left)) {
		uint32_t idx = nlh->nlmsg_seq - a->first;
		if (nlh->nlmsg_type != NLMSG_ERROR || nlh->nlmsg_pid != n->portid ||
		    idx >= a->count)
			continue;
		a->got++;
		if (a->ack)
			a->ack(a->arg, idx, msg_error(nlh), extack_msg(nlh));
	}
}

int route_nl_transact(struct route_nl *n, const void *buf, size_t len, uint32_t first_seq,
		      size_t count, route_nl_ack_fn ack, void *arg, int timeout_ms)
{
	struct ack_ctx a = { .first = first_seq, .count = count, .ack = ack, .arg = arg };
	if (mnl_socket_sendto(n->nl, buf, len) < 0)
		return -1;
	uint64_t deadline = clock_mono_ms() + (uint64_t)timeout_ms;
	while (a.got < count) {
		ssize_t r = nl_recv(n, deadline);
		if (r < 0)
			return -1;
		ack_walk(n, &a, (size_t)r);
	}
	return 0;
}
