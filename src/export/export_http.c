/* export_http: the exporters' HTTP listener. We bind the socket ourselves
 * (so a bind error names its errno) and hand it to evhttp; requests are
 * bounded (headers 8 KiB, body 1 KiB, 10 s to send one) and dispatched by exact
 * path after export_http_admit(). */
#include "export/export_http.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/http.h>

#include "config/config.h"

struct export_http {
	struct evhttp *http;
	const struct export_http_route *routes;
	size_t n;
	void *arg;
	struct export_http_stats st;
};

/* Access rules go here, for every request of every route: today the
 * listener's bind address is the only rule (loopback by default). Returns
 * true to serve the request; a refusal has been answered. */
static bool export_http_admit(struct export_http *h, struct evhttp_request *req)
{
	(void)h;
	(void)req;
	return true;
}

static void on_request(struct evhttp_request *req, void *arg)
{
	struct export_http *h = arg;
	h->st.requests++;
	if (!export_http_admit(h, req)) {
		h->st.refused++;
		return;
	}
	const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	for (size_t i = 0; path && i < h->n; i++)
		if (strcmp(path, h->routes[i].path) == 0) {
			h->routes[i].fn(req, h->arg);
			return;
		}
	h->st.not_found++;
	evhttp_send_error(req, HTTP_NOTFOUND, NULL);
}

static int listen_socket(const char *listen_addr, char *why, size_t why_size)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1;
	if (cfg_parse_listen(listen_addr, &ss, &len) < 0) {
		snprintf(why, why_size, "listen '%s' is not ADDRESS:PORT", listen_addr);
		return -1;
	}
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(why, why_size, "socket: %s", strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 16) < 0) {
		snprintf(why, why_size, "cannot listen on %s: %s", listen_addr, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

struct export_http *export_http_new(struct event_base *base, const char *listen_addr,
				    const struct export_http_route *routes, size_t n, void *arg,
				    char *why, size_t why_size)
{
	struct export_http *h = calloc(1, sizeof(*h));
	int fd = listen_socket(listen_addr, why, why_size);
	if (!h || fd < 0 || !(h->http = evhttp_new(base))) {
		if (fd >= 0)
			close(fd);
		if (h && !h->http && fd >= 0)
			snprintf(why, why_size, "out of memory");
		free(h);
		return NULL;
	}
	h->routes = routes;
	h->n = n;
	h->arg = arg;
	evhttp_set_allowed_methods(h->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
	evhttp_set_max_headers_size(h->http, 8192);
	evhttp_set_max_body_size(h->http, 1024);
	evhttp_set_timeout(h->http, 10);
	evhttp_set_gencb(h->http, on_request, h);
	if (!evhttp_accept_socket_with_handle(h->http, fd)) {
		snprintf(why, why_size, "evhttp refused the listening socket");
		close(fd);
		evhttp_free(h->http);
		free(h);
		return NULL;
	}
	return h;
}

void export_http_free(struct export_http *h)
{
	if (!h)
		return;
	evhttp_free(h->http);   /* closes the listening socket and the connections */
	free(h);
}

void export_http_get_stats(const struct export_http *h, struct export_http_stats *out)
{
	*out = h->st;
}
