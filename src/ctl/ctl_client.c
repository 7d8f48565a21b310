#include "ctl/ctl_client.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/clock.h"
#include "ctl/ctl_peer.h"

#define CTL_MAX_REPLY (16u << 20)
#define CONNECT_RETRY_MS 20

const char *ctl_client_socket(const char *explicit_path)
{
	if (explicit_path && *explicit_path)
		return explicit_path;
	const char *env = getenv("AUTONOMY_SOCKET");
	return env && *env ? env : CTL_DEFAULT_SOCKET;
}

/* Waits for events until deadline_ms (UINT64_MAX: forever); 0 at the
 * deadline. */
static int wait_fd(int fd, short events, uint64_t deadline_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int r;
	do {
		uint64_t now = clock_mono_ms();
		if (now >= deadline_ms)
			return 0;
		uint64_t left = deadline_ms - now;
		r = poll(&p, 1, deadline_ms == UINT64_MAX ? -1 : left > INT_MAX ? INT_MAX : (int)left);
	} while (r < 0 && errno == EINTR);
	return r;
}

/* Only root or our own user may be the server: a socket file another user
 * bound in a world-writable directory must not receive our request (the
 * rpcd plugin runs as root and would hand it `starlink_reboot`). */
static int check_server(int fd, const char *sock, struct ctl_error *err)
{
	struct ctl_peer p;
	if (ctl_peer_read(fd, &p) < 0) {
		ctl_error_set(err, CTL_E_UNTRUSTED, "%s: cannot tell who serves it: %s", sock,
			      strerror(errno));
		return -1;
	}
	ctl_peer_free(&p);
	if (p.uid != 0 && p.uid != geteuid()) {
		ctl_error_set(err, CTL_E_UNTRUSTED, "%s is served by uid %u, not root: "
			      "refusing to talk to it", sock, (unsigned)p.uid);
		return -1;
	}
	return 0;
}

/* A Unix socket whose backlog is full (a daemon that stopped accepting)
 * makes a blocking connect wait forever; non-blocking, it says EAGAIN at
 * once, so retry until the deadline. */
static int connect_to(const char *sock, uint64_t deadline, int timeout_ms,
		      struct ctl_error *err)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	if (strlen(sock) >= sizeof(sun.sun_path)) {
		ctl_error_set(err, CTL_E_NOT_RUNNING, "socket path too long: %s", sock);
		return -1;
	}
	strcpy(sun.sun_path, sock);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		ctl_error_set(err, CTL_E_INTERNAL, "socket: %s", strerror(errno));
		return -1;
	}
	int rc;
	while ((rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun))) < 0 &&
	       (errno == EAGAIN || errno == EINTR) && clock_mono_ms() < deadline)
		poll(NULL, 0, CONNECT_RETRY_MS);
	if (rc < 0) {
		if (errno == EAGAIN)
			ctl_error_set(err, CTL_E_TIMEOUT, "autonomyd did not accept a connection on "
				      "%s within %d ms (it is stuck or overloaded)", sock, timeout_ms);
		else
			ctl_error_set(err, CTL_E_NOT_RUNNING, "autonomyd is not running (%s: %s)",
				      sock, strerror(errno));
		close(fd);
		return -1;
	}
	if (check_server(fd, sock, err) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int send_all(int fd, const char *buf, size_t len, uint64_t deadline)
{
	while (len) {
		if (wait_fd(fd, POLLOUT, deadline) <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		ssize_t w = send(fd, buf, len, MSG_NOSIGNAL);
		if (w < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (w <= 0)
			return -1;
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Buffered line reader for replies and events. */
struct line_reader {
	int fd;
	char *buf;
	size_t len, cap;
	bool timed_out;
};

/* The next line (malloc'd, without '\n'), or NULL at EOF, on an error, or
 * at the deadline (timed_out set); deadline 0: none. */
static char *next_line(struct line_reader *r, uint64_t deadline)
{
	for (;;) {
		char *nl = r->len ? memchr(r->buf, '\n', r->len) : NULL;
		if (nl) {
			size_t n = (size_t)(nl - r->buf);
			char *line = strndup(r->buf, n);
			memmove(r->buf, nl + 1, r->len - n - 1);
			r->len -= n + 1;
			return line;
		}
		if (r->len == r->cap) {
			size_t ncap = r->cap ? r->cap * 2 : 65536;
			char *nb = ncap <= CTL_MAX_REPLY ? realloc(r->buf, ncap) : NULL;
			if (!nb)
				return NULL;
			r->buf = nb;
			r->cap = ncap;
		}
		int w = wait_fd(r->fd, POLLIN, deadline ? deadline : UINT64_MAX);
		if (w == 0) {
			r->timed_out = true;
			return NULL;
		}
		ssize_t got = w < 0 ? -1 : recv(r->fd, r->buf + r->len, r->cap - r->len, 0);
		if (got < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (got <= 0)
			return NULL;
		r->len += (size_t)got;
	}
}

static json_object *parse_reply(const char *line, struct ctl_error *err)
{
	enum json_tokener_error jerr;
	json_object *root = json_tokener_parse_verbose(line, &jerr);
	json_object *ok, *data = NULL, *e;
	if (!root || !json_object_object_get_ex(root, "ok", &ok)) {
		ctl_error_set(err, CTL_E_INTERNAL, "malformed reply from autonomyd");
		json_object_put(root);
		return NULL;
	}
	if (json_object_get_boolean(ok)) {
		if (!json_object_object_get_ex(root, "data", &data) || !data)
			data = json_object_new_object();
		else
			data = json_object_get(data);
	} else if (!json_object_object_get_ex(root, "error", &e)) {
		ctl_error_set(err, CTL_E_INTERNAL, "reply from autonomyd has no error object");
	} else {
		json_object *c, *m, *det;
		json_object_object_get_ex(e, "code", &c);
		json_object_object_get_ex(e, "message", &m);
		ctl_error_set(err, ctl_errcode_parse(json_object_get_string(c)), "%s",
			      m ? json_object_get_string(m) : "(no message)");
		if (json_object_object_get_ex(e, "details", &det))
			err->details = json_object_get(det);
	}
	json_object_put(root);
	return data;
}

/* Connects, sends the request and reads the first reply line within the
 * deadline. Returns the connected fd with the reply's data in *data, or -1
 * with err filled. */
static int exchange(const char *sock, const char *cmd, json_object *args, int timeout_ms,
		    struct line_reader *r, json_object **data, struct ctl_error *err)
{
	json_object *req = json_object_new_object();
	json_object_object_add(req, "cmd", json_object_new_string(cmd));
	json_object_object_add(req, "args", args ? args : json_object_new_object());
	size_t len;
	const char *line = ctl_to_line(req, &len);
	uint64_t deadline = clock_mono_ms() + (uint64_t)timeout_ms;
	int fd = -1;
	*data = NULL;
	if (len > CTL_MAX_REQUEST)
		ctl_error_set(err, CTL_E_TOO_LARGE, "request of %zu bytes is larger than the "
			      "daemon takes (%d)", len, CTL_MAX_REQUEST);
	else
		fd = connect_to(sock, deadline, timeout_ms, err);
	if (fd >= 0) {
		r->fd = fd;
		/* A send cut short may still have an answer waiting (the daemon
		 * refuses and closes): read it before judging. */
		int sent = send_all(fd, line, len, deadline) == 0 &&
			   send_all(fd, "\n", 1, deadline) == 0 ? 0 : errno;
		char *reply = next_line(r, deadline);
		if (reply)
			*data = parse_reply(reply, err);
		else if (r->timed_out)
			ctl_error_set(err, CTL_E_TIMEOUT, "autonomyd accepted the connection on %s "
				      "but did not answer within %d ms", sock, timeout_ms);
		else
			ctl_error_set(err, CTL_E_NOT_RUNNING, "autonomyd closed the connection on %s "
				      "without an answer%s%s", sock, sent ? ": " : "",
				      sent ? strerror(sent) : "");
		free(reply);
		if (!*data) {
			close(fd);
			fd = -1;
		}
	}
	json_object_put(req);
	return fd;
}

json_object *ctl_client_call(const char *sock, const char *cmd, json_object *args,
			     int timeout_ms, struct ctl_error *err)
{
	struct line_reader r = { .fd = -1 };
	json_object *data;
	err->details = NULL;
	int fd = exchange(sock, cmd, args, timeout_ms, &r, &data, err);
	if (fd >= 0)
		close(fd);
	free(r.buf);
	return data;
}

int ctl_client_stream(const char *sock, const char *cmd, json_object *args, int timeout_ms,
		      ctl_stream_cb cb, void *arg, struct ctl_error *err)
{
	struct line_reader r = { .fd = -1 };
	json_object *data;
	err->details = NULL;
	err->message[0] = '\0';
	int fd = exchange(sock, cmd, args, timeout_ms, &r, &data, err);
	if (fd < 0) {
		free(r.buf);
		return -1;
	}
	int rc = cb(arg, data, true);
	json_object_put(data);
	char *line;
	while (rc >= 0 && (line = next_line(&r, 0)) != NULL) {
		enum json_tokener_error jerr;
		json_object *ev = json_tokener_parse_verbose(line, &jerr);
		free(line);
		if (ev)
			rc = cb(arg, ev, false);
		json_object_put(ev);
	}
	free(r.buf);
	close(fd);
	return 0;
}
