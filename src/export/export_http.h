/* export_http: a small HTTP listener on the daemon's loop (libevent's
 * evhttp) for read-only endpoints such as /metrics. Every request passes
 * export_http_admit() first: the one place where access rules (address
 * allow-lists, rate limits, keys) hook in. */
#ifndef AUTONOMY_EXPORT_EXPORT_HTTP_H
#define AUTONOMY_EXPORT_EXPORT_HTTP_H

#include <stddef.h>
#include <stdint.h>

struct event_base;
struct evhttp_request;

typedef void (*export_http_fn)(struct evhttp_request *req, void *arg);

struct export_http_route {
	const char *path;
	export_http_fn fn;
};

struct export_http_stats {
	uint64_t requests, refused, not_found;
};

struct export_http;

/* Binds listen ("127.0.0.1:9612", "[::1]:9612") and serves GET and HEAD of
 * the routes (borrowed; they and arg outlive the listener). NULL with why
 * filled when the address is bad or the bind fails. */
struct export_http *export_http_new(struct event_base *base, const char *listen,
				    const struct export_http_route *routes, size_t n, void *arg,
				    char *why, size_t why_size);
void export_http_free(struct export_http *h);
void export_http_get_stats(const struct export_http *h, struct export_http_stats *out);

#endif
