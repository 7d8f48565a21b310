#include "ctl/ctl_server.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "core/fsutil.h"
#include "core/log.h"

#define CTL_IDLE_TIMEOUT_S 60      /* a one-shot client that says nothing */
#define CTL_MAX_OUTPUT (4u << 20)  /* a client that stops reading is dropped */
#define CTL_MAX_SUB_BACKLOG (1u << 20)

struct ctl_conn {
	struct ctl_server *srv;
	struct bufferevent *bev;
	struct event *resume;   /* handles buffered requests after a deferred reply */
	struct ctl_peer peer;
	struct ctl_conn *next;
	bool closing;           /* flush the output, then close */
	bool subscribed;        /* receives published events */
	bool deferred;          /* a reply is owed later: no reading meanwhile */
	ctl_close_fn on_close;
	void *on_close_arg;
};

static char deferred_marker;     /* its address is the sentinel */
json_object *const CTL_REPLY_DEFERRED = (json_object *)&deferred_marker;

struct ctl_server {
	struct event_base *base;
	struct evconnlistener *lst;
	char *path;
	dev_t dev;              /* the socket file we made (removed at exit only if */
	ino_t ino;              /* it is still that one) */
	ctl_dispatch_fn fn;
	void *ctx;
	struct ctl_conn *conns;
	struct ctl_server_stats st;
};

static int fill_sockaddr(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sun->sun_path, path);
	return 0;
}

int ctl_socket_answers(const char *path)
{
	struct sockaddr_un sun;
	if (fill_sockaddr(&sun, path) < 0)
		return 0;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	int ok = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0;
	close(fd);
	return ok;
}

static void conn_free(struct ctl_conn *c)
{
	struct ctl_server *s = c->srv;
	for (struct ctl_conn **pp = &s->conns; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	if (c->on_close)
		c->on_close(c->on_close_arg);
	bufferevent_free(c->bev);
	if (c->resume)
		event_free(c->resume);
	ctl_peer_free(&c->peer);
	s->st.clients--;
	if (c->subscribed)
		s->st.subscribers--;
	free(c);
}

static void conn_send(struct ctl_conn *c, json_object *reply)
{
	size_t len;
	json_object *ok;
	if (json_object_object_get_ex(reply, "ok", &ok) && !json_object_get_boolean(ok))
		c->srv->st.errors++;
	const char *line = ctl_to_line(reply, &len);
	struct evbuffer *out = bufferevent_get_output(c->bev);
	evbuffer_add(out, line, len);
	evbuffer_add(out, "\n", 1);
	json_object_put(reply);
}

static void conn_send_error(struct ctl_conn *c, enum ctl_errcode code, const char *msg)
{
	struct ctl_error err = { .details = NULL };
	ctl_error_set(&err, code, "%s", msg);
	conn_send(c, ctl_reply_err(&err));
}

static void conn_handle_line(struct ctl_conn *c, const char *line, size_t len)
{
	struct ctl_request req;
	struct ctl_error err;
	c->srv->st.requests++;
	if (ctl_parse_request(line, len, &req, &err) < 0) {
		conn_send(c, ctl_reply_err(&err));
		return;
	}
	json_object *reply = c->srv->fn(c->srv->ctx, c, &req);
	ctl_request_free(&req);
	if (reply == CTL_REPLY_DEFERRED) {
		c->deferred = true;
		bufferevent_disable(c->bev, EV_READ);
		return;
	}
	conn_send(c, reply);
}

/* An oversized request has no findable end: answer once, then close after
 * the reply is flushed. */
static void conn_reject_oversized(struct ctl_conn *c)
{
	conn_send_error(c, CTL_E_TOO_LARGE, "request larger than 65536 bytes; closing");
	c->closing = true;
	bufferevent_disable(c->bev, EV_READ);
	evbuffer_drain(bufferevent_get_input(c->bev),
		       evbuffer_get_length(bufferevent_get_input(c->bev)));
}

static void conn_read_cb(struct bufferevent *bev, void *arg)
{
	struct ctl_conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	while (!c->closing && !c->deferred) {
		size_t len;
		char *line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF);
		if (!line) {
			if (evbuffer_get_length(in) > CTL_MAX_REQUEST)
				conn_reject_oversized(c);
			break;
		}
		if (len && line[len - 1] == '\r')
			len--;
		if (len > CTL_MAX_REQUEST)
			conn_reject_oversized(c);
		else if (len > 0)
			conn_handle_line(c, line, len);
		free(line);
		if (evbuffer_get_length(bufferevent_get_output(bev)) > CTL_MAX_OUTPUT) {
			log_warn("ctl: client does not read its replies; dropping it");
			conn_free(c);
			return;
		}
	}
}

static void conn_write_cb(struct bufferevent *bev, void *arg)
{
	struct ctl_conn *c = arg;
	if (c->closing && evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		conn_free(c);
}

static void conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct ctl_conn *c = arg;
	/* A client may half-close after its last request (`nc -N`): its replies
	 * are still owed, so flush them before closing. */
	if ((what & BEV_EVENT_EOF) && !(what & BEV_EVENT_ERROR) &&
	    evbuffer_get_length(bufferevent_get_output(bev)) > 0) {
		c->closing = true;
		bufferevent_disable(bev, EV_READ);
		return;
	}
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT))
		conn_free(c);
}

static void conn_resume(evutil_socket_t fd, short what, void *arg);

/* A slot is free when fewer than CTL_MAX_CLIENTS non-streaming clients are
 * connected; followers have their own cap (ctl_conn_subscribe). */
static void accept_cb(struct evconnlistener *l, evutil_socket_t fd,
		      struct sockaddr *sa, int socklen, void *arg)
{
	(void)l; (void)sa; (void)socklen;
	struct ctl_server *s = arg;
	struct bufferevent *bev = bufferevent_socket_new(s->base, fd, BEV_OPT_CLOSE_ON_FREE);
	struct ctl_conn *c = bev ? calloc(1, sizeof(*c)) : NULL;
	if (c)
		c->resume = event_new(s->base, -1, 0, conn_resume, c);
	if (!c || !c->resume || ctl_peer_read(fd, &c->peer) < 0) {
		if (c && c->resume)
			event_free(c->resume);
		free(c);
		if (bev)
			bufferevent_free(bev);
		else
			close(fd);
		return;
	}
	c->srv = s;
	c->bev = bev;
	c->next = s->conns;
	s->conns = c;
	s->st.clients++;
	s->st.connections++;
	bufferevent_setcb(bev, conn_read_cb, conn_write_cb, conn_event_cb, c);
	struct timeval idle = { CTL_IDLE_TIMEOUT_S, 0 };
	bufferevent_set_timeouts(bev, &idle, &idle);
	if (s->st.clients - s->st.subscribers > CTL_MAX_CLIENTS) {
		conn_send_error(c, CTL_E_BUSY, "too many control clients");
		c->closing = true;
		bufferevent_enable(bev, EV_WRITE);
		return;
	}
	bufferevent_enable(bev, EV_READ | EV_WRITE);
}

/* A socket file nobody answers on is left over from a crash: replace it.
 * One somebody answers on belongs to a running daemon: refuse. Anything
 * else at the path (`-s` pointed at a file) is not ours to delete. */
static int prepare_path(const char *path, char *why, size_t size)
{
	struct stat st;
	if (fs_prepare_dir_of(path, 0755, why, size) < 0) {
		errno = EPERM;
		return -1;
	}
	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(why, size, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(why, size, "%s exists and is not a socket; not replacing it", path);
		errno = EEXIST;
		return -1;
	}
	if (ctl_socket_answers(path)) {
		snprintf(why, size, "another process answers on %s", path);
		errno = EADDRINUSE;
		return -1;
	}
	if (unlink(path) < 0) {
		snprintf(why, size, "cannot remove the stale socket %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Created with no group/other access, then given its group and opened to
 * it: there is never a moment where others could connect. */
static evutil_socket_t bind_socket(const char *path, gid_t group, char *why, size_t size)
{
	struct sockaddr_un sun;
	if (fill_sockaddr(&sun, path) < 0) {
		snprintf(why, size, "socket path too long: %s", path);
		return -1;
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		snprintf(why, size, "socket: %s", strerror(errno));
		return -1;
	}
	mode_t old = umask(0177);
	int rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (rc < 0 || (group != (gid_t)-1 && chown(path, (uid_t)-1, group) < 0) ||
	    chmod(path, 0660) < 0) {
		int e = errno;
		snprintf(why, size, "%s: %s", path, strerror(e));
		if (rc == 0)
			unlink(path);
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

struct ctl_server *ctl_server_new(struct event_base *base, const char *path, gid_t group,
				  ctl_dispatch_fn fn, void *ctx, char *why, size_t size)
{
	if (prepare_path(path, why, size) < 0)
		return NULL;
	evutil_socket_t fd = bind_socket(path, group, why, size);
	if (fd < 0)
		return NULL;
	struct ctl_server *s = calloc(1, sizeof(*s));
	if (!s || !(s->path = strdup(path)))
		goto fail;
	struct stat st;
	if (stat(path, &st) == 0) {
		s->dev = st.st_dev;
		s->ino = st.st_ino;
	}
	s->base = base;
	s->fn = fn;
	s->ctx = ctx;
	s->lst = evconnlistener_new(base, accept_cb, s, LEV_OPT_CLOSE_ON_FREE, 16, fd);
	if (!s->lst)
		goto fail;
	return s;
fail:
	if (s)
		free(s->path);
	free(s);
	close(fd);
	unlink(path);
	snprintf(why, size, "out of memory");
	errno = ENOMEM;
	return NULL;
}

void ctl_server_free(struct ctl_server *s)
{
	if (!s)
		return;
	while (s->conns)
		conn_free(s->conns);
	evconnlistener_free(s->lst);
	struct stat st;
	if (lstat(s->path, &st) == 0 && st.st_dev == s->dev && st.st_ino == s->ino)
		unlink(s->path);
	free(s->path);
	free(s);
}

void ctl_conn_on_close(struct ctl_conn *c, ctl_close_fn fn, void *arg)
{
	c->on_close = fn;
	c->on_close_arg = arg;
}

/* The reply goes out now; requests that arrived meanwhile wait in the
 * input buffer and are handled from the loop (conn_resume), not from here:
 * a reply is often sent from deep inside another subsystem's callback
 * (the dish answered), and a pipelined `reload` run right there would free
 * what that callback still uses. */
void ctl_conn_reply(struct ctl_conn *c, json_object *reply)
{
	c->on_close = NULL;
	c->deferred = false;
	conn_send(c, reply);
	bufferevent_enable(c->bev, EV_READ);
	event_active(c->resume, 0, 0);
}

static void conn_resume(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	struct ctl_conn *c = arg;
	conn_read_cb(c->bev, c);
}

int ctl_conn_subscribe(struct ctl_conn *c)
{
	if (c->subscribed)
		return 0;
	if (c->srv->st.subscribers >= CTL_MAX_SUBSCRIBERS)
		return -1;
	c->subscribed = true;
	c->srv->st.subscribers++;
	bufferevent_set_timeouts(c->bev, NULL, NULL);
	return 0;
}

const struct ctl_peer *ctl_conn_peer(const struct ctl_conn *c)
{
	return &c->peer;
}

void ctl_server_publish(struct ctl_server *s, json_object *ev)
{
	size_t len;
	const char *line = ctl_to_line(ev, &len);
	struct ctl_conn *next;
	s->st.published++;
	for (struct ctl_conn *c = s->conns; c; c = next) {
		next = c->next;
		if (!c->subscribed || c->closing)
			continue;
		struct evbuffer *out = bufferevent_get_output(c->bev);
		if (evbuffer_get_length(out) > CTL_MAX_SUB_BACKLOG) {
			log_warn("ctl: monitor client does not keep up; dropping it");
			conn_free(c);
			continue;
		}
		evbuffer_add(out, line, len);
		evbuffer_add(out, "\n", 1);
	}
}

void ctl_server_get_stats(const struct ctl_server *s, struct ctl_server_stats *out)
{
	*out = s->st;
}
