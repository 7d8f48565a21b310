/* cell_src_int: the state of a cellular source, shared by its run loop
 * (cell_src.c: cycles, children, detection, the callback) and its plans
 * (cell_src_plan.c: which command each tool runs next and what its output
 * means). Internal to src/cellular/cell_src*. */
#ifndef AUTONOMY_LINK_CELL_SRC_INT_H
#define AUTONOMY_LINK_CELL_SRC_INT_H

#include "cellular/cell_parse.h"
#include "cellular/cell_src.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cell_tool { CT_NONE = -1, CT_MMCLI, CT_UQMI, CT_QMICLI, CT_GSMCTL, CT_N };

#define CELL_ARGS 8
#define CELL_ARG_MAX 64
#define CELL_PATH_MAX 256

struct cell_src;

/* A command's output -> NULL if it worked (merged into s), else why not. */
typedef const char *(*cell_parse_cb)(struct cell_src *c, const char *out, size_t len,
				     struct cell_sample *s);

struct cell_cmd {
	int step;               /* the plan's step id */
	char args[CELL_ARGS][CELL_ARG_MAX];
	char *argv[CELL_ARGS + 1];
	size_t argc;
	cell_parse_cb parse;
	bool optional;          /* failing is normal for it: not an error */
	bool gate;              /* failing ends the tool's commands this cycle */
};

struct cell_src {
	struct event_base *base;
	struct event *ev_done;
	struct proc *child;
	cell_src_cb cb;
	void *arg;

	/* options */
	char member[32];
	char path[CT_N][CELL_PATH_MAX];         /* "" = not available */
	char qmi_device[64];
	int modem_opt;
	unsigned timeout_ms;

	/* what detection found; reset when detecting again */
	int tool;                       /* enum cell_tool */
	int modem;                      /* ModemManager index in use, -1 unknown */
	struct cell_modem_id id;
	int vendor;                     /* index in the vendor table, -1 unknown */
	unsigned vendor_bad;            /* vendors whose command was refused */
	bool setup_done;                /* --signal-setup was sent */
	bool signal_off;                /* --signal-get failed 3 times running */
	bool mm_at_bad;                 /* mmcli --command refused (not debug) */
	bool creg_only;                 /* +CEREG? refused: +CREG? instead */
	int signal_strikes;
	int failed_cycles;              /* in a row, every command failed */

	/* the cycle */
	bool running;
	int cand;                       /* tool tried during detection */
	bool detecting;
	int step;                       /* the plan's last step, 0 = start */
	int vstep;                      /* next vendor command */
	bool signal_empty;              /* --signal-get reported no figure */
	unsigned ok_cmds, failed_cmds;
	struct cell_cmd cmd;            /* the command running */
	struct cell_sample sample;
	struct cell_src_info info;
	char detect_err[160];
	uint64_t t0;
};

/* ---- plans (cell_src_plan.c) ---- */
extern const char *const cell_tool_names[CT_N];
/* Fills c->cmd with the current tool's next command after c->step; false
 * when the tool has nothing more to run this cycle. */
bool cell_plan_next(struct cell_src *c);
/* After c->cmd ran: ok or not (the plan remembers refusals). */
void cell_plan_done(struct cell_src *c, bool ok);
/* Vendor from ModemManager's manufacturer: index or -1. */
int cell_vendor_of(const char *manufacturer);
const char *cell_vendor_name(int vendor);

#endif
