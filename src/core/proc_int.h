/* proc internals shared by proc.c, proc_child.c and the unit tests. */
#ifndef AUTONOMY_CORE_PROC_INT_H
#define AUTONOMY_CORE_PROC_INT_H

#include <stdbool.h>

/* Runs in the child between fork and exec (async-signal-safe calls only):
 * stdin from /dev/null, stdout/stderr onto out_w/err_w, its own process
 * group, default signal dispositions, an empty mask, every fd above 2 marked
 * close-on-exec; then execs path. On failure writes errno (an int) to ep_w and
 * exits 127. max_fd bounds the last-resort fd sweep (from RLIMIT_NOFILE, read
 * by the parent: getrlimit is not on the async-signal-safe list). */
void proc_child_exec(const char *path, char *const argv[], int out_w, int err_w,
		     int ep_w, int max_fd) __attribute__((noreturn));

/* Tests only: false makes children spawned from now on use the SIGCHLD
 * fallback (as on kernels before 5.3) instead of pidfd_open. */
void proc_use_pidfd(bool on);

#endif
