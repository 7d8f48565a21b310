/* sw_proc: programs run by starwatch (the restart command, the webhook
 * client, ifup, reboot) — argv only, never a shell, each with a deadline
 * after which its whole process group is killed. The child gets its own
 * process group, default signal handling, an empty signal mask, /dev/null
 * or a small text on stdin, and one pipe for stdout+stderr whose first
 * bytes are kept for the log. Exits are seen through SIGCHLD (the caller's
 * signalfd calls sw_procs_reap). */
#ifndef AUTONOMY_SW_PROC_H
#define AUTONOMY_SW_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "starwatch/sw_loop.h"

#define SW_PROC_MAX 4
#define SW_PROC_OUT_MAX 400

/* status: the wait status (WIFEXITED...), timed_out: killed at its deadline,
 * out: what it printed (truncated, NUL-terminated). */
typedef void (*sw_proc_cb)(void *arg, int status, bool timed_out, const char *out);

struct sw_proc {
	bool used;
	bool timed_out;
	pid_t pid;
	int out_fd;
	size_t out_len;
	char out[SW_PROC_OUT_MAX + 1];
	struct sw_timer deadline;
	sw_proc_cb cb;
	void *arg;
	struct sw_procs *owner;
};

struct sw_procs {
	struct sw_loop *loop;
	struct sw_proc p[SW_PROC_MAX];
};

int sw_procs_init(struct sw_procs *ps, struct sw_loop *l);
/* Starts argv[0] (searched on PATH when it has no '/'). stdin_text may be
 * NULL (/dev/null) or a text of at most 4 KiB. Returns the child's pid, or
 * -1 with errno (EAGAIN: every slot busy). An exec failure shows as exit
 * status 127 with the reason in out. */
pid_t sw_proc_spawn(struct sw_procs *ps, char *const argv[], const char *stdin_text,
		    uint64_t timeout_ms, sw_proc_cb cb, void *arg);
/* Collects exited children and runs their callbacks. */
void sw_procs_reap(struct sw_procs *ps);
/* Number of children still running. */
int sw_procs_running(const struct sw_procs *ps);
/* Finds an executable: a path with '/' as is, else on $PATH (or the usual
 * system directories when PATH is unset, as under procd). */
bool sw_proc_find(const char *name, char *out, size_t size);
/* "exit 1", "killed by signal 9", "timed out": for messages. */
const char *sw_proc_status_text(int status, bool timed_out, char *buf, size_t size);

#endif
