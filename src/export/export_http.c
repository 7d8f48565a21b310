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

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "config/config.h"
#include "core/clock.h"
#include "security/sec_guard.h"

struct export_http {
	struct evhttp *http;
	const struct export_http_route *routes;
	size_t n;
	void *arg;
	char listen[64];
	struct sec_guard *guard;
	void *tls;
	struct export_http_stats st;
};

static void answer_refusal(struct evhttp_request *req, const struct sec_verdict *v)
{
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);
	struct evbuffer *b = evbuffer_new();
	char retry[24];
	const char *phrase = v->status == 401 ? "Unauthorized" : v->status == 403 ? "Forbidden" :
			     v->status == 429 ? "Too Many Requests" : "Service Unavailable";
	if (v->status == 401)
		evhttp_add_header(out, "WWW-Authenticate", "Bearer realm=\"autonomy\"");
	if (v->status == 429 || v->status == 503) {
		snprintf(retry, sizeof(retry), "%d", (int)(v->retry_after_s + 0.999));
		evhttp_add_header(out, "Retry-After", retry);
	}
	evhttp_add_header(out, "Content-Type", "text/plain; charset=utf-8");
	evhttp_add_header(out, "Connection", "close");
	if (b)
		evbuffer_add_printf(b, "%d %s: %s\n", v->status, phrase, v->reason);
	evhttp_send_reply(req, v->status, phrase, b);
	if (b)
		evbuffer_free(b);
}

/* Every request of every route passes here: the guard's verdict, answered
 * when it is a refusal. Returns true to serve the request. */
static bool export_http_admit(struct export_http *h, struct evhttp_request *req)
{
	if (!h->guard)
		return true;
	struct evhttp_connection *c = evhttp_request_get_connection(req);
	struct evkeyvalq *in = evhttp_request_get_input_headers(req);
	struct sec_request r = {
		.peer = c ? evhttp_connection_get_addr(c) : NULL,
		.listener = h->listen,
		.path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req)),
		.authorization = evhttp_find_header(in, "Authorization"),
		.api_key = evhttp_find_header(in, "X-API-Key"),
	};
	struct sec_verdict v;
	sec_guard_admit(h->guard, &r, clock_mono_ms(), clock_wall_ms() / 1000, &v);
	if (!v.status)
		return true;
	answer_refusal(req, &v);
	return false;
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

struct export_http *export_http_new(struct event_base *base, const struct export_http_opts *o,
				    const struct export_http_route *routes, size_t n, void *arg,
				    char *why, size_t why_size)
{
	struct export_http *h = calloc(1, sizeof(*h));
	if (!h || !(h->http = evhttp_new(base))) {
		snprintf(why, why_size, "out of memory");
		free(h);
		return NULL;
	}
	if (o->tls_cert && !(h->tls = export_tls_new(h->http, o->tls_cert, o->tls_key, why,
						     why_size))) {
		export_http_free(h);
		return NULL;
	}
	int fd = listen_socket(o->listen, why, why_size);
	if (fd < 0) {
		export_http_free(h);
		return NULL;
	}
	snprintf(h->listen, sizeof(h->listen), "%s", o->listen);
	h->routes = routes;
	h->n = n;
	h->arg = arg;
	h->guard = o->guard;
	h->st.tls = h->tls != NULL;
	evhttp_set_allowed_methods(h->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
	evhttp_set_max_headers_size(h->http, 8192);
	evhttp_set_max_body_size(h->http, 1024);
	evhttp_set_timeout(h->http, 10);
	evhttp_set_gencb(h->http, on_request, h);
	if (!evhttp_accept_socket_with_handle(h->http, fd)) {
		snprintf(why, why_size, "evhttp refused the listening socket");
		close(fd);
		export_http_free(h);
		return NULL;
	}
	return h;
}

void export_http_free(struct export_http *h)
{
	if (!h)
		return;
	if (h->http)
		evhttp_free(h->http);   /* closes the listening socket and the connections */
	export_tls_free(h->tls);
	free(h);
}

void export_http_get_stats(const struct export_http *h, struct export_http_stats *out)
{
	*out = h->st;
}

bool export_http_tls(const struct export_http *h)
{
	return h->tls != NULL;
}
