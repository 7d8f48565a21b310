/* ctl_server: the daemon's control socket. A Unix stream socket (mode 0660,
 * optionally of a configured group, in a directory only root can write),
 * newline-delimited JSON requests answered in order. Malformed input gets an
 * error reply; only an oversized request closes the connection (there is no
 * way to find the next request boundary in it). Every connection carries
 * its peer's credentials (SO_PEERCRED, SO_PEERGROUPS) for the dispatcher's
 * authorisation. Requests are handled from the loop, never from inside
 * another request's reply (ctl_conn_reply only schedules the next one). */
#ifndef AUTONOMY_CTL_SERVER_H
#define AUTONOMY_CTL_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <json-c/json.h>

#include "ctl/ctl_peer.h"
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

/* One-shot clients (the CLI, LuCI through rpcd) and streaming ones
 * (monitor --continuous) have slots of their own: followers can never lock
 * out a query. */
#define CTL_MAX_CLIENTS 32
#define CTL_MAX_SUBSCRIBERS 16

/* Binds path: its directory is created and must be one only root can write
 * to (fs_dir_check); a stale socket file nobody answers on is replaced, any
 * other file there is refused, never deleted. group (or (gid_t)-1) becomes
 * the socket's group. Returns NULL with the reason in why; errno EADDRINUSE
 * when another process answers on path. */
struct ctl_server *ctl_server_new(struct event_base *base, const char *path, gid_t group,
				  ctl_dispatch_fn fn, void *ctx, char *why, size_t size);
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
 * every published event as a line; it no longer idles out. -1 when
 * CTL_MAX_SUBSCRIBERS connections already follow. */
int ctl_conn_subscribe(struct ctl_conn *c);
const struct ctl_peer *ctl_conn_peer(const struct ctl_conn *c);
/* Sends ev (not consumed) to every subscribed connection. A subscriber that
 * does not keep up is dropped rather than buffered without bound. */
void ctl_server_publish(struct ctl_server *s, json_object *ev);
void ctl_server_get_stats(const struct ctl_server *s, struct ctl_server_stats *out);

/* 1 if some process accepts connections on path, 0 if not. */
int ctl_socket_answers(const char *path);

#endif
