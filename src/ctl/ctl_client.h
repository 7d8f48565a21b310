/* ctl_client: one request/reply exchange with the daemon's control socket,
 * bounded by a timeout (the CLI never hangs on a stuck daemon). */
#ifndef AUTONOMY_CTL_CLIENT_H
#define AUTONOMY_CTL_CLIENT_H

#include <stdbool.h>
#include <json-c/json.h>

#include "ctl/ctl_proto.h"

#define CTL_DEFAULT_SOCKET "/var/run/autonomy/autonomy.sock"
#define CTL_CLIENT_TIMEOUT_MS 10000

/* The socket to use: explicit (if non-NULL), else $AUTONOMY_SOCKET, else the
 * default path. */
const char *ctl_client_socket(const char *explicit_path);

/* Sends {"cmd":cmd,"args":args} (args may be NULL; ownership is taken).
 * Returns the reply's data (caller owns), or NULL with err filled:
 * CTL_E_NOT_RUNNING when nothing answers, otherwise the daemon's error. */
json_object *ctl_client_call(const char *sock, const char *cmd, json_object *args,
			     int timeout_ms, struct ctl_error *err);

/* For streaming commands (monitor --continuous): cb gets the reply's data
 * first, then every event line; it returns < 0 to stop. Returns 0 when the
 * daemon closed the stream or cb stopped, -1 with err filled otherwise. */
typedef int (*ctl_stream_cb)(void *arg, json_object *msg, bool first);
int ctl_client_stream(const char *sock, const char *cmd, json_object *args,
		      ctl_stream_cb cb, void *arg, struct ctl_error *err);

#endif
