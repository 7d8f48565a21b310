/* ctl_history: the history commands (CTL_CMD_HISTORY rows of ctl_cmds) as
 * autonomyctl answers them — for the CLI and for ubus through the rpcd
 * plugin — by reading the history store itself, read-only. The daemon's
 * loop never runs a month-long query: it only says where its store is.
 *
 * Which store: --store FILE (or $AUTONOMY_STORE); else the running daemon's
 * working copy (from `status`); else, with no daemon, the working copy the
 * config names if it is there, else the durable copy in state_dir (read as
 * an immutable file: nothing is created next to it on flash). */
#ifndef AUTONOMY_CTL_CTL_HISTORY_H
#define AUTONOMY_CTL_CTL_HISTORY_H

#include <stdbool.h>
#include <stdio.h>
#include <json-c/json.h>

#include "ctl/ctl_cmds.h"
#include "ctl/ctl_proto.h"

/* The reply was written to `out` by the command itself (an export, an HTML
 * page): nothing left to print. */
#define CTL_HIST_PRINTED ((json_object *)1)

/* Runs a history command. rpcd: the caller needs one JSON object (pages and
 * CSV come wrapped: {"format":"html","html":"..."}). Takes ownership of
 * args. Returns the data to print, CTL_HIST_PRINTED, or NULL with err. */
json_object *ctl_history_run(const char *sock, const char *store, const struct ctl_cmd_desc *cmd,
			     json_object *args, bool rpcd, FILE *out, struct ctl_error *err);

#endif
