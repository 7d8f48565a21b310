/* ctl_cmds: the one table of control commands. The daemon binds handlers to
 * these names, the CLI binds formatters, the rpcd plugin lists them as ubus
 * methods. Adding a command is a row here plus its handler and formatter. */
#ifndef AUTONOMY_CTL_CMDS_H
#define AUTONOMY_CTL_CMDS_H

#include <stdbool.h>
#include <stddef.h>

enum ctl_arg_type { CTL_ARG_STRING, CTL_ARG_INT, CTL_ARG_BOOL };

struct ctl_arg_def {
	const char *name;
	enum ctl_arg_type type;
	bool required;
	const char *help;
};

enum ctl_cmd_flags {
	CTL_CMD_QUERY   = 1u << 0, /* read-only; exposed as a ubus method */
	CTL_CMD_ACTION  = 1u << 1, /* changes daemon state; exposed on ubus too */
	CTL_CMD_LOCAL   = 1u << 2, /* handled by the CLI itself, no daemon needed */
	CTL_CMD_HISTORY = 1u << 3, /* answered by autonomyctl from the history store */
};

struct ctl_cmd_desc {
	const char *name;          /* wire name, also the ubus method name */
	const char *cli;           /* how it is typed: "config show" */
	const char *usage;         /* argument synopsis for help */
	const char *summary;
	unsigned flags;
	const struct ctl_arg_def *args;
	size_t n_args;
};

extern const struct ctl_cmd_desc ctl_cmds[];
extern const size_t ctl_n_cmds;

const struct ctl_cmd_desc *ctl_cmd_find(const char *name);
const struct ctl_arg_def *ctl_cmd_arg(const struct ctl_cmd_desc *cmd, const char *name);

#endif
