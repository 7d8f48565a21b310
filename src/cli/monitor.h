#ifndef AUTONOMY_CLI_MONITOR_H
#define AUTONOMY_CLI_MONITOR_H

#include <stdbool.h>
#include <json-c/json.h>

#include "ctl/ctl_proto.h"

/* Streams `monitor --continuous` until the daemon goes away or the user
 * interrupts; the connection and the first reply within timeout_ms. args is
 * consumed. Returns 0, or -1 with err filled. */
int cli_monitor(const char *sock, json_object *args, bool json, int timeout_ms,
		struct ctl_error *err);

#endif
