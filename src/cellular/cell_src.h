/* cell_src: one cellular member's modem, read through the tool that owns it,
 * on the event loop (src/core/proc.h: argv, never a shell; a timeout per
 * command). A poll cycle runs its commands one after another and merges
 * their output into one struct cell_sample; one callback per cycle.
 *
 * Detection, at the first poll and again after 3 cycles in which every
 * command failed: the first tool that works wins, in this order —
 *   mmcli   ModemManager: -L -J (unless a modem index is configured),
 *           -m N -J, --signal-get -J (and --signal-setup=5 once if the
 *           extended signal reports nothing), -b B for the bearer's byte
 *           counters while connected, and the vendor's serving-cell AT
 *           command through --command (which ModemManager only allows in
 *           debug mode: the first failure ends those attempts);
 *   uqmi    with a qmi_device: --get-signal-info, --get-serving-system;
 *   qmicli  with a qmi_device: -p --nas-get-signal-info;
 *   gsmctl  RutOS: -A 'AT+CSQ', 'AT+COPS?', 'AT+CEREG?' (or 'AT+CREG?'
 *           once CEREG is refused), then the vendor's commands: Quectel
 *           +QENG="servingcell" and +QNWINFO, Sierra !GSTATUS?, SIMCom
 *           +CPSI?, Fibocom +XLEC?/+RSRP?/+RSRQ?. The vendor is taken from
 *           ModemManager's manufacturer when known, else each vendor's
 *           command is tried once and an ERROR remembered.
 * No tty is ever opened here: AT goes through the tool that owns the port.
 * A command that exits non-zero, is killed at its timeout, prints nothing
 * or prints what its parser does not recognise has failed: the info says
 * which and why, and the sample keeps what the other commands gave. A
 * timeout also ends the tool's cycle, so a hanging tool costs one timeout
 * per cycle (one per candidate while detecting). */
#ifndef AUTONOMY_LINK_CELL_SRC_H
#define AUTONOMY_LINK_CELL_SRC_H

#include "cellular/cell_types.h"

#include <stdbool.h>
#include <stdint.h>

struct event_base;
struct cell_src;

struct cell_src_opts {
	const char *member;                 /* for messages */
	const char *mmcli, *uqmi, *qmicli, *gsmctl;   /* configured paths; NULL/"" = look up on PATH */
	int modem;                          /* ModemManager index; -1 = the first modem mmcli lists */
	const char *qmi_device;             /* "/dev/cdc-wdm0"; NULL = not given */
	unsigned timeout_ms;                /* per command, default 5000 */
};

struct cell_src_info {
	const char *tool;       /* "mmcli", "uqmi", "qmicli", "gsmctl"; "none" if none works */
	bool ok;                /* a command worked: the sample holds this cycle's data */
	char error[160];        /* the first failure, also when ok (some command
				 * failed, the others' figures are in the sample):
				 * "mmcli -m 0 --signal-get -J: exit 1: ..." */
	unsigned commands;      /* commands run in the cycle */
	unsigned failed;        /* of them, failed (refusals that are normal not counted) */
	uint64_t took_us;       /* the cycle's duration */
};

typedef void (*cell_src_cb)(void *arg, const struct cell_sample *s,
			    const struct cell_src_info *info);

/* NULL on bad options (no member) or no memory. */
struct cell_src *cell_src_new(struct event_base *base, const struct cell_src_opts *o,
			      cell_src_cb cb, void *arg);
/* Starts one poll cycle: 0, and the callback follows from the loop (never
 * from inside this call); 1 if a cycle is running already. */
int cell_src_poll(struct cell_src *c);
/* Cancels a running child (killed, reaped by proc); no callback after. */
void cell_src_free(struct cell_src *c);
/* The tool in use, NULL before detection (or after it found none). */
const char *cell_src_tool(const struct cell_src *c);

#endif
