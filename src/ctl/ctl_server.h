/* ctl_server: the daemon's control socket. A Unix stream socket (mode 0660,
 * its directory created), newline-delimited JSON requests answered in order.
 * Malformed input gets an error reply; only an oversized request closes the
 * connection (there is no way to find the next request boundary in it). */
#ifndef AUTONOMY_CTL_SERVER_H
#define AUTONOMY_CTL_SERVER_H

#include <stdint.h>
#include <json-c/json.h>

#include "ctl/ctl_proto.h"

struct event_base;
struct ctl_server;
struct ctl_conn;

/* Returns a full reply object (ctl_reply_ok / ctl_reply_err). */
typedef json_object *(*ctl_dispatch_fn)(void *ctx, struct ctl_conn *c,
					const struct ctl_request *req);

struct ctl_server_stats {
	uint64_t connections;   /* accepted since start */
	uint64_t requests;
	uint64_t errors;        /* error replies sent */
	unsigned clients;       /* connected now */
	unsigned subscribers;   /* of those, streaming events (monitor) */
	uint64_t published;     /* events published */
};

#define CTL_MAX_CLIENTS 32

/* Binds path (replacing a stale socket file nobody answers on). Returns NULL
 * with errno set; EADDRINUSE when another process answers on path. */
struct ctl_server *ctl_server_new(struct event_base *base, const char *path,
				  ctl_dispatch_fn fn, void *ctx);
/* Closes all clients and removes the socket file. */
void ctl_server_free(struct ctl_server *s);
/* A handler that answers later returns CTL_REPLY_DEFERRED; the connection
 * reads no further request until ctl_conn_reply() sends the answer. If the
 * client goes away first, the close callback runs (and the conn is gone). */
extern json_object *const CTL_REPLY_DEFERRED;
typedef void (*ctl_close_fn)(void *arg);
void ctl_conn_on_close(struct ctl_conn *c, ctl_close_fn fn, void *arg);
void ctl_conn_reply(struct ctl_conn *c, json_object *reply);

/* From now on (after the reply being built) the connection also receives
 * every published event as a line; it no longer idles out. */
void ctl_conn_subscribe(struct ctl_conn *c);
/* Sends ev (not consumed) to every subscribed connection. A subscriber that
 * does not keep up is dropped rather than buffered without bound. */
void ctl_server_publish(struct ctl_server *s, json_object *ev);
void ctl_server_get_stats(const struct ctl_server *s, struct ctl_server_stats *out);

/* 1 if some process accepts connections on path, 0 if not. */
int ctl_socket_answers(const char *path);

#endif
