#include "ctl/ctl_client.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/clock.h"

#define CTL_MAX_REPLY (16u << 20)

const char *ctl_client_socket(const char *explicit_path)
{
	if (explicit_path && *explicit_path)
		return explicit_path;
	const char *env = getenv("AUTONOMY_SOCKET");
	return env && *env ? env : CTL_DEFAULT_SOCKET;
}

static int connect_to(const char *sock, struct ctl_error *err)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	if (strlen(sock) >= sizeof(sun.sun_path)) {
		ctl_error_set(err, CTL_E_NOT_RUNNING, "socket path too long: %s", sock);
		return -1;
	}
	strcpy(sun.sun_path, sock);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		ctl_error_set(err, CTL_E_NOT_RUNNING, "autonomyd is not running (%s: %s)",
			      sock, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int wait_fd(int fd, short events, uint64_t deadline_ms)
{
	uint64_t now = clock_mono_ms();
	if (now >= deadline_ms)
		return 0;
	struct pollfd p = { .fd = fd, .events = events };
	int r;
	do
		r = poll(&p, 1, (int)(deadline_ms - now));
	while (r < 0 && errno == EINTR);
	return r;
}

static int send_all(int fd, const char *buf, size_t len, uint64_t deadline)
{
	while (len) {
		if (wait_fd(fd, POLLOUT, deadline) <= 0)
			return -1;
		ssize_t w = send(fd, buf, len, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Reads up to the first newline. */
static char *recv_line(int fd, uint64_t deadline, size_t *len)
{
	size_t cap = 8192, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		if (wait_fd(fd, POLLIN, deadline) <= 0)
			break;
		if (n == cap) {
			char *nb = cap < CTL_MAX_REPLY ? realloc(buf, cap * 2) : NULL;
			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		ssize_t r = recv(fd, buf + n, cap - n, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		char *nl = memchr(buf + n, '\n', (size_t)r);
		n += (size_t)r;
		if (nl) {
			*nl = '\0';
			*len = (size_t)(nl - buf);
			return buf;
		}
	}
	free(buf);
	return NULL;
}

static json_object *parse_reply(const char *line, size_t len, struct ctl_error *err)
{
	enum json_tokener_error jerr;
	json_object *root = json_tokener_parse_verbose(line, &jerr);
	json_object *ok, *data = NULL, *e;
	(void)len;
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

json_object *ctl_client_call(const char *sock, const char *cmd, json_object *args,
			     int timeout_ms, struct ctl_error *err)
{
	err->details = NULL;
	json_object *req = json_object_new_object();
	json_object_object_add(req, "cmd", json_object_new_string(cmd));
	json_object_object_add(req, "args", args ? args : json_object_new_object());
	int fd = connect_to(sock, err);
	if (fd < 0) {
		json_object_put(req);
		return NULL;
	}
	uint64_t deadline = clock_mono_ms() + (uint64_t)timeout_ms;
	size_t len;
	const char *line = ctl_to_line(req, &len);
	json_object *data = NULL;
	char *reply = NULL;
	if (send_all(fd, line, len, deadline) < 0 || send_all(fd, "\n", 1, deadline) < 0)
		ctl_error_set(err, CTL_E_NOT_RUNNING, "autonomyd is not answering on %s", sock);
	else if (!(reply = recv_line(fd, deadline, &len)))
		ctl_error_set(err, CTL_E_NOT_RUNNING,
			      "autonomyd did not answer on %s within %d ms", sock, timeout_ms);
	else
		data = parse_reply(reply, len, err);
	free(reply);
	close(fd);
	json_object_put(req);
	return data;
}

/* Buffered line reader for a stream of replies and events. */
struct line_reader {
	int fd;
	char *buf;
	size_t len, cap;
};

static char *next_line(struct line_reader *r)
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
		ssize_t got = recv(r->fd, r->buf + r->len, r->cap - r->len, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return NULL;
		r->len += (size_t)got;
	}
}

static int stream_loop(struct line_reader *r, ctl_stream_cb cb, void *arg,
		       struct ctl_error *err)
{
	char *line = next_line(r);
	json_object *data = line ? parse_reply(line, strlen(line), err) : NULL;
	free(line);
	if (!data) {
		if (!line && !err->message[0])
			ctl_error_set(err, CTL_E_NOT_RUNNING, "autonomyd closed the connection");
		return -1;
	}
	int rc = cb(arg, data, true);
	json_object_put(data);
	while (rc >= 0 && (line = next_line(r)) != NULL) {
		enum json_tokener_error jerr;
		json_object *ev = json_tokener_parse_verbose(line, &jerr);
		free(line);
		if (ev)
			rc = cb(arg, ev, false);
		json_object_put(ev);
	}
	return 0;
}

int ctl_client_stream(const char *sock, const char *cmd, json_object *args,
		      ctl_stream_cb cb, void *arg, struct ctl_error *err)
{
	err->details = NULL;
	err->message[0] = '\0';
	json_object *req = json_object_new_object();
	json_object_object_add(req, "cmd", json_object_new_string(cmd));
	json_object_object_add(req, "args", args ? args : json_object_new_object());
	int fd = connect_to(sock, err);
	int rc = -1;
	if (fd >= 0) {
		size_t len;
		const char *line = ctl_to_line(req, &len);
		uint64_t deadline = clock_mono_ms() + CTL_CLIENT_TIMEOUT_MS;
		struct line_reader r = { .fd = fd };
		if (send_all(fd, line, len, deadline) < 0 || send_all(fd, "\n", 1, deadline) < 0)
			ctl_error_set(err, CTL_E_NOT_RUNNING, "autonomyd is not answering on %s", sock);
		else
			rc = stream_loop(&r, cb, arg, err);
		free(r.buf);
		close(fd);
	}
	json_object_put(req);
	return rc;
}
