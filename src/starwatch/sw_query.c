/* sw_query: the progress query on the control socket (sw_query.h). */
#include "starwatch/sw_query.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <json-c/json.h>

#include "starwatch/sw_json.h"

static const char request[] = "{\"cmd\":\"ping\",\"args\":{}}\n";

static void finish(struct sw_query *q, struct sw_answer *a)
{
	sw_query_cancel(q);
	if (a->answered && !a->pid)
		a->pid = q->peer_pid;
	q->cb(q->arg, a);
}

static void fail(struct sw_query *q, const char *why)
{
	struct sw_answer a = { 0 };
	snprintf(a.why, sizeof(a.why), "%s", why);
	finish(q, &a);
}

static void on_deadline(void *arg)
{
	fail(arg, "no reply before the deadline");
}

int sw_query_init(struct sw_query *q, struct sw_loop *l, sw_query_cb cb, void *arg)
{
	memset(q, 0, sizeof(*q));
	q->loop = l;
	q->fd = -1;
	q->cb = cb;
	q->arg = arg;
	return sw_timer_register(l, &q->deadline, on_deadline, q);
}

static int get_int(json_object *o, const char *k, int64_t max, int64_t *out)
{
	json_object *v;
	if (!json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_int))
		return -1;
	errno = 0;
	*out = json_object_get_int64(v);
	return errno || *out < 0 || *out > max ? -1 : 0;
}

int sw_query_parse_reply(const char *line, size_t len, struct sw_answer *a)
{
	memset(a, 0, sizeof(*a));
	char err[64];
	json_object *o = sw_json_parse_object(line, len, err, sizeof(err)), *ok, *data;
	if (!o || !json_object_object_get_ex(o, "ok", &ok) ||
	    !json_object_is_type(ok, json_type_boolean)) {
		snprintf(a->why, sizeof(a->why), "not a control reply%s%s", o ? "" : ": ",
			 o ? "" : err);
		json_object_put(o);
		return -1;
	}
	/* Any reply means the daemon's loop ran (a "busy" refusal or an older
	 * daemon without `ping` included); only a counter shows progress in
	 * detail. */
	a->answered = true;
	int64_t ticks, pid;
	if (json_object_get_boolean(ok) && json_object_object_get_ex(o, "data", &data) &&
	    json_object_is_type(data, json_type_object) &&
	    get_int(data, "loop_ticks", INT64_MAX, &ticks) == 0) {
		a->has_counter = true;
		a->counter = (uint64_t)ticks;
		if (get_int(data, "pid", 0x7fffffff, &pid) == 0)
			a->pid = (uint32_t)pid;
	}
	json_object_put(o);
	return 0;
}

static void on_readable(void *arg, int fd, short revents)
{
	struct sw_query *q = arg;
	ssize_t r = read(fd, q->buf + q->len, sizeof(q->buf) - q->len);
	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (r <= 0) {
		fail(q, r == 0 ? "connection closed without a reply" : strerror(errno));
		return;
	}
	q->len += (size_t)r;
	char *nl = memchr(q->buf, '\n', q->len);
	if (!nl) {
		if (q->len == sizeof(q->buf))
			fail(q, "reply too long");
		return;
	}
	struct sw_answer a;
	sw_query_parse_reply(q->buf, (size_t)(nl - q->buf), &a);
	finish(q, &a);
}

/* The server must be root's or ours: anyone else could fake progress. */
static int check_peer(struct sw_query *q)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);
	if (getsockopt(q->fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0)
		return -1;
	q->peer_pid = (uint32_t)cr.pid;
	return cr.uid == 0 || cr.uid == geteuid() ? 0 : -1;
}

void sw_query_start(struct sw_query *q, const char *sock_path, uint64_t timeout_ms)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	sw_query_cancel(q);
	q->len = 0;
	q->peer_pid = 0;
	q->running = true;
	if (strlen(sock_path) >= sizeof(sa.sun_path)) {
		fail(q, "socket path too long");
		return;
	}
	strcpy(sa.sun_path, sock_path);
	q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (q->fd < 0) {
		fail(q, strerror(errno));
		return;
	}
	/* A Unix connect completes at once or fails (EAGAIN: backlog full). */
	if (connect(q->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		char why[96];
		snprintf(why, sizeof(why), "connect: %s", strerror(errno));
		fail(q, why);
		return;
	}
	if (check_peer(q) < 0) {
		fail(q, "the socket's server is neither root nor starwatch's user");
		return;
	}
	/* The request is far smaller than any socket buffer. */
	if (send(q->fd, request, sizeof(request) - 1, MSG_NOSIGNAL) != sizeof(request) - 1) {
		fail(q, "cannot send the request");
		return;
	}
	sw_timer_in(q->loop, &q->deadline, timeout_ms);
	if (sw_loop_watch(q->loop, q->fd, POLLIN, on_readable, q) < 0)
		fail(q, "loop full");
}

void sw_query_cancel(struct sw_query *q)
{
	sw_loop_close(q->loop, &q->fd);
	q->running = false;
	sw_timer_cancel(&q->deadline);
}
