/* sw_kill: ends a hung daemon without blocking: SIGTERM (with SIGCONT, so a
 * stopped process can act on it), a grace period, then SIGKILL. The
 * process is followed through a pidfd taken before the first signal, so a
 * reused pid is never signalled; without pidfd_open (Linux < 5.3) its
 * /proc entry is polled. */
#ifndef AUTONOMY_SW_KILL_H
#define AUTONOMY_SW_KILL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "starwatch/sw_loop.h"

/* gone: the process has exited; how: "SIGTERM", "SIGKILL" or why not. */
typedef void (*sw_kill_cb)(void *arg, bool gone, const char *how);

struct sw_kill {
	struct sw_loop *loop;
	pid_t pid;
	int pidfd;
	int phase;              /* 0 idle, 1 after SIGTERM, 2 after SIGKILL */
	uint64_t phase_end_ms, kill_ms;
	struct sw_timer tick;
	sw_kill_cb cb;
	void *arg;
};

int sw_kill_init(struct sw_kill *k, struct sw_loop *l, sw_kill_cb cb, void *arg);
/* Starts ending pid: term_ms of grace after SIGTERM, kill_ms after SIGKILL.
 * cb runs once (maybe before this returns, when pid is already gone). */
void sw_kill_start(struct sw_kill *k, pid_t pid, uint64_t term_ms, uint64_t kill_ms);
bool sw_kill_running(const struct sw_kill *k);
/* True while pid exists and is not a zombie. */
bool sw_pid_alive(pid_t pid);

#endif
