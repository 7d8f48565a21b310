/* export_http: a small HTTP listener on the daemon's loop (libevent's
 * evhttp) for read-only endpoints such as /metrics. Every request passes
 * export_http_admit() first: the one place where access rules hook in —
 * the listener guard (src/security/sec_guard.h: allow-list, per-source
 * token buckets, API keys, bans). A listener reachable from other hosts
 * serves HTTPS only when security.api_encryption asks for it. */
#ifndef AUTONOMY_EXPORT_EXPORT_HTTP_H
#define AUTONOMY_EXPORT_EXPORT_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event_base;
struct evhttp_request;
struct sec_guard;

typedef void (*export_http_fn)(struct evhttp_request *req, void *arg);

struct export_http_route {
	const char *path;
	export_http_fn fn;
};

struct export_http_stats {
	uint64_t requests, refused, not_found;
	bool tls;
};

struct export_http_opts {
	const char *listen;             /* "127.0.0.1:9612", "[::]:9612" */
	struct sec_guard *guard;        /* NULL: every request is served */
	/* HTTPS with these PEM files; NULL: plain HTTP */
	const char *tls_cert, *tls_key;
};

struct export_http;

/* Binds o->listen and serves GET and HEAD of the routes (borrowed; they,
 * the guard and arg outlive the listener). NULL with why filled when the
 * address is bad, the bind fails or the certificate does not load. */
struct export_http *export_http_new(struct event_base *base, const struct export_http_opts *o,
				    const struct export_http_route *routes, size_t n, void *arg,
				    char *why, size_t why_size);
void export_http_free(struct export_http *h);
void export_http_get_stats(const struct export_http *h, struct export_http_stats *out);
bool export_http_tls(const struct export_http *h);

/* ---- HTTPS (export_tls.c; export_tls_off.c in builds without OpenSSL) ---- */

struct evhttp;
/* Makes h serve TLS with the certificate and key: 0, or -1 with why. */
void *export_tls_new(struct evhttp *http, const char *cert, const char *key, char *why,
		     size_t why_size);
void export_tls_free(void *tls);

#endif
