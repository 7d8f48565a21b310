/* proc internals shared by proc.c, proc_pipe.c, proc_child.c and the unit
 * tests. A child's life is described at the top of proc.c. */
#ifndef AUTONOMY_CORE_PROC_INT_H
#define AUTONOMY_CORE_PROC_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/proc.h"

struct event;
struct event_base;

#define PROC_ERROUT_MAX 512

/* RUN: the timer is the timeout. LINGER: reaped, waiting for EOF. KILLWAIT:
 * killed at the timeout, waiting for the reap. DETACHED: called back (or
 * cancelled) but not reaped yet: only the exit watch is left. */
enum proc_phase { P_RUN, P_LINGER, P_KILLWAIT, P_DETACHED };
enum { PIPE_OUT, PIPE_ERR, PIPE_EXEC, PIPE_N };

struct proc_pipe {
	struct proc *p;
	int which;
	int fd;
	struct event *ev;
};

struct proc {
	struct proc *prev, *next;
	struct event_base *base;
	pid_t pid;                      /* -1: never forked (lookup failed) */
	int pidfd;                      /* -1: the SIGCHLD handler reaps it */
	struct event *ev_exit, *ev_tmr;
	struct proc_pipe pipes[PIPE_N];
	enum proc_phase phase;
	bool reaped, timed_out, in_cb;
	int wstatus;
	int spawn_err;
	unsigned char ep_buf[sizeof(int)];
	size_t ep_len;
	char *out;
	size_t out_len, out_cap, out_max;
	bool out_trunc;
	char errout[PROC_ERROUT_MAX + 1];
	size_t err_len;
	uint64_t t0;
	proc_cb cb;
	void *arg;
};

/* Reads what a pipe has now (bounded per call); closes it at EOF. */
void proc_pipe_drain(struct proc *p, int which);
void proc_pipe_close(struct proc_pipe *pp);

/* Runs in the child between fork and exec (async-signal-safe calls only):
 * stdin from in_fd (-1: /dev/null), stdout/stderr onto out_w/err_w, its own process
 * group, default signal dispositions, an empty mask, every fd above 2 marked
 * close-on-exec; then execs path with envp. On failure writes errno (an int)
 * to ep_w and exits 127. max_fd bounds the last-resort fd sweep (from
 * RLIMIT_NOFILE, read by the parent: getrlimit is not on the
 * async-signal-safe list). */
void proc_child_exec(const char *path, char *const argv[], char *const envp[], int in_fd,
		     int out_w, int err_w, int ep_w, int max_fd) __attribute__((noreturn));
/* The environment every child gets (built by the parent, before fork):
 * PATH (the daemon's, else PROC_DEFAULT_PATH), LC_ALL=C and LANG=C (the
 * parsers read the C locale's output), HOME=/. Nothing else of the
 * daemon's environment reaches a tool. */
#define PROC_DEFAULT_PATH "/usr/sbin:/usr/bin:/sbin:/bin"
char *const *proc_child_env(void);

/* Tests only: false makes children spawned from now on use the SIGCHLD
 * fallback (as on kernels before 5.3) instead of pidfd_open. */
void proc_use_pidfd(bool on);

#endif
