/* ctl_client: one request/reply exchange with the daemon's control socket,
 * bounded by a deadline from connect to the end of the reply (the CLI never
 * hangs on a stuck daemon: `watch autonomyctl members` keeps working). The
 * server must be root or the caller's own user (SO_PEERCRED): a socket
 * another user bound in a world-writable directory gets no request. */
#ifndef AUTONOMY_CTL_CLIENT_H
#define AUTONOMY_CTL_CLIENT_H

#include <stdbool.h>
#include <json-c/json.h>

#include "ctl/ctl_proto.h"

#define CTL_DEFAULT_SOCKET "/var/run/autonomy/autonomy.sock"
#define CTL_CLIENT_TIMEOUT_MS 5000
/* Actions may wait for the dish or a failover test before they answer. */
#define CTL_CLIENT_ACTION_TIMEOUT_MS 15000

/* The socket to use: explicit (if non-NULL), else $AUTONOMY_SOCKET, else the
 * default path. */
const char *ctl_client_socket(const char *explicit_path);

/* Sends {"cmd":cmd,"args":args} (args may be NULL; ownership is taken).
 * Returns the reply's data (caller owns), or NULL with err filled:
 * CTL_E_NOT_RUNNING when nothing accepts the connection, CTL_E_TIMEOUT when
 * the daemon did not answer within timeout_ms, CTL_E_UNTRUSTED when the
 * socket belongs to another user, CTL_E_TOO_LARGE for a request over
 * CTL_MAX_REQUEST (not sent), otherwise the daemon's error. */
json_object *ctl_client_call(const char *sock, const char *cmd, json_object *args,
			     int timeout_ms, struct ctl_error *err);

/* For streaming commands (monitor --continuous): cb gets the reply's data
 * first, then every event line; it returns < 0 to stop. The connection and
 * the first reply are bounded by timeout_ms like a call; the stream after
 * it is not. Returns 0 when the daemon closed the stream or cb stopped, -1
 * with err filled otherwise. */
typedef int (*ctl_stream_cb)(void *arg, json_object *msg, bool first);
int ctl_client_stream(const char *sock, const char *cmd, json_object *args, int timeout_ms,
		      ctl_stream_cb cb, void *arg, struct ctl_error *err);

#endif
