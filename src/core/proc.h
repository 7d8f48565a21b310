/* proc: run a program with argv (never a shell string) on the event loop,
 * with a timeout, and hand its output to a callback. Nothing blocks: the
 * child's stdout is read as it arrives, its exit is noticed from the loop,
 * and a child that outlives its timeout is killed (SIGKILL to its process
 * group) and reaped. stdin is /dev/null; stderr is kept (first bytes) for
 * error messages. Output beyond max_output is discarded and flagged. */
#ifndef AUTONOMY_CORE_PROC_H
#define AUTONOMY_CORE_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event_base;
struct proc;

enum proc_end {
	PROC_EXITED,            /* exit status in .status */
	PROC_SIGNALED,          /* killed by a signal (.status = signal number) */
	PROC_TIMEOUT,           /* ran past its timeout: killed */
	PROC_SPAWN_FAILED,      /* could not start (no such file, not executable): .err */
};

struct proc_result {
	enum proc_end end;
	int status;
	int err;                /* errno for PROC_SPAWN_FAILED */
	const char *out;        /* stdout, NUL-terminated (valid during the callback) */
	size_t out_len;
	bool out_truncated;
	const char *errout;     /* the first bytes of stderr, NUL-terminated */
	uint64_t took_us;
};

typedef void (*proc_cb)(void *arg, const struct proc_result *r);

struct proc_opts {
	unsigned timeout_ms;    /* 0 = 10 000 */
	size_t max_output;      /* 0 = 64 KiB */
};

/* Starts argv[0] (a path, or a name looked up on PATH) with argv. Returns a
 * handle, or NULL with errno when even the attempt failed (no memory, no
 * pipe). Exactly one callback follows for a non-NULL handle, from the loop,
 * never from inside proc_spawn; the handle is gone after it. */
struct proc *proc_spawn(struct event_base *base, char *const argv[],
			const struct proc_opts *o, proc_cb cb, void *arg);
/* The same with input (len bytes) as the child's stdin instead of /dev/null
 * (an alert hook reads its event there). */
struct proc *proc_spawn_input(struct event_base *base, char *const argv[],
			      const struct proc_opts *o, const char *input, size_t len,
			      proc_cb cb, void *arg);
/* Kills a running child and frees the handle without a callback. */
void proc_cancel(struct proc *p);
/* Children running now (for health). */
unsigned proc_running(void);
/* The full path of an executable on PATH (or the path itself if it contains
 * a '/' and is executable) into out; -1 if there is none. */
int proc_which(const char *name, char *out, size_t size);

#endif
