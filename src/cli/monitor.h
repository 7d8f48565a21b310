#ifndef AUTONOMY_CLI_MONITOR_H
#define AUTONOMY_CLI_MONITOR_H

#include <stdbool.h>
#include <json-c/json.h>

#include "ctl/ctl_proto.h"

/* Streams `monitor --continuous` until the daemon goes away or the user
 * interrupts. args is consumed. Returns 0, or -1 with err filled. */
int cli_monitor(const char *sock, json_object *args, bool json, struct ctl_error *err);

#endif
