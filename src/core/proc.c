/* proc: programs run from the event loop (contract in proc.h).
 *
 * The parent watches four things per child on the loop: stdout, stderr, the
 * exec-error pipe (errno from a failed exec, EOF once exec succeeded) and the
 * exit (a pidfd on Linux >= 5.3, else the SIGCHLD handler below). One timer
 * per child serves in turn as the timeout, the linger after the exit (a
 * grandchild may still hold the pipes) and the wait for the reap after the
 * SIGKILL. The callback runs once all of it is in, or one of those timers
 * gives up. A child not yet reaped by then stays on the list, detached, until
 * its exit is seen: never a zombie, never a callback for it. */
#include "core/proc.h"
#include "core/proc_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>

#include "core/clock.h"

#define PROC_DEFAULT_TIMEOUT_MS 10000u
#define PROC_DEFAULT_MAX_OUTPUT (64u * 1024)
#define PROC_LINGER_MS 200      /* after the exit: EOF from grandchildren */
#define PROC_KILLWAIT_MS 1000   /* after SIGKILL: the reap (a D-state child) */

static struct proc *procs;
static bool pidfd_ok = true;            /* cleared on ENOSYS or by the tests */
static struct event *ev_sigchld;

void proc_use_pidfd(bool on) { pidfd_ok = on; }

unsigned proc_running(void)
{
	unsigned n = 0;
	for (struct proc *p = procs; p; p = p->next)
		n += p->pid > 0 && !p->reaped;
	return n;
}

static void arm(struct proc *p, unsigned ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
	evtimer_add(p->ev_tmr, &tv);
}

static void try_reap(struct proc *p)
{
	if (p->pid <= 0 || p->reaped)
		return;
	int st;
	pid_t r = waitpid(p->pid, &st, WNOHANG);
	if (r == p->pid) {
		p->reaped = true;
		p->wstatus = st;
	} else if (r < 0 && errno == ECHILD) {
		/* Reaped by someone else (the daemon has no other waiter). */
		p->reaped = true;
		p->wstatus = -1;
	}
}

/* ---- the SIGCHLD fallback: one handler for every pidfd-less child ---- */

static bool needs_sigchld(const struct proc *p)
{
	return p->pid > 0 && p->pidfd < 0 && !p->reaped;
}

static void on_sigchld(evutil_socket_t sig, short what, void *arg)
{
	/* Signals merge: look at every child. The exits are handled from their
	 * own events, so callbacks never run while this walks the list. */
	for (struct proc *p = procs; p; p = p->next) {
		if (!needs_sigchld(p))
			continue;
		try_reap(p);
		if (p->reaped)
			event_active(p->ev_exit, EV_READ, 1);
	}
}

static int sigchld_arm(struct event_base *base)
{
	if (ev_sigchld)
		return event_get_base(ev_sigchld) == base ? 0 : (errno = EBUSY, -1);
	ev_sigchld = evsignal_new(base, SIGCHLD, on_sigchld, NULL);
	if (!ev_sigchld || evsignal_add(ev_sigchld, NULL) < 0) {
		event_free(ev_sigchld);
		ev_sigchld = NULL;
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/* Drops the handler (and libevent's sigaction) when no child needs it. */
static void sigchld_release(void)
{
	for (struct proc *p = procs; p; p = p->next)
		if (needs_sigchld(p))
			return;
	if (ev_sigchld) {
		event_free(ev_sigchld);
		ev_sigchld = NULL;
	}
}

/* ---- the end ---- */

static void proc_free(struct proc *p)
{
	for (int i = 0; i < PIPE_N; i++)
		proc_pipe_close(&p->pipes[i]);
	if (p->ev_exit)
		event_free(p->ev_exit);
	if (p->ev_tmr)
		event_free(p->ev_tmr);
	if (p->pidfd >= 0)
		close(p->pidfd);
	if (p->prev)
		p->prev->next = p->next;
	else if (procs == p)
		procs = p->next;
	if (p->next)
		p->next->prev = p->prev;
	free(p->out);
	free(p);
	sigchld_release();
}

/* After the callback or a cancel: gone, or detached until its reap. */
static void release(struct proc *p)
{
	if (p->pid <= 0 || p->reaped) {
		proc_free(p);
		return;
	}
	for (int i = 0; i < PIPE_N; i++)
		proc_pipe_close(&p->pipes[i]);
	event_del(p->ev_tmr);
	free(p->out);
	p->out = NULL;
	p->cb = NULL;
	p->phase = P_DETACHED;
}

static void fill_result(const struct proc *p, struct proc_result *r)
{
	memset(r, 0, sizeof(*r));
	int st = p->wstatus;
	if (p->spawn_err || p->ep_len == sizeof(int)) {
		r->end = PROC_SPAWN_FAILED;
		if (p->spawn_err)
			r->err = p->spawn_err;
		else
			memcpy(&r->err, p->ep_buf, sizeof(int));
	} else if (p->timed_out) {
		r->end = PROC_TIMEOUT;
		r->status = SIGKILL;
	} else if (p->reaped && st != -1 && WIFSIGNALED(st)) {
		r->end = PROC_SIGNALED;
		r->status = WTERMSIG(st);
	} else {
		r->end = PROC_EXITED;
		r->status = st == -1 ? -1 : WEXITSTATUS(st);
	}
	r->out = p->out ? p->out : "";
	r->out_len = p->out_len;
	r->out_truncated = p->out_trunc;
	r->errout = p->errout;
	r->took_us = clock_mono_us() - p->t0;
}

static void finish(struct proc *p)
{
	for (int i = 0; i < PIPE_N; i++)
		proc_pipe_drain(p, i);
	for (int i = 0; i < PIPE_N; i++)
		proc_pipe_close(&p->pipes[i]);
	event_del(p->ev_tmr);
	if (p->out)
		p->out[p->out_len] = '\0';
	p->errout[p->err_len] = '\0';
	struct proc_result r;
	fill_result(p, &r);
	p->in_cb = true;
	p->cb(p->arg, &r);
	p->in_cb = false;
	release(p);
}

static bool pipes_done(const struct proc *p)
{
	for (int i = 0; i < PIPE_N; i++)
		if (p->pipes[i].fd >= 0)
			return false;
	return true;
}

/* Called after every bit of progress: ends the child when all is in. */
static void check(struct proc *p)
{
	if (!p->reaped || p->phase == P_DETACHED)
		return;
	if (pipes_done(p) || p->phase == P_KILLWAIT) {
		finish(p);
	} else if (p->phase == P_RUN) {
		p->phase = P_LINGER;
		arm(p, PROC_LINGER_MS);
	}
}

static void on_pipe(evutil_socket_t fd, short what, void *arg)
{
	struct proc_pipe *pp = arg;
	proc_pipe_drain(pp->p, pp->which);
	check(pp->p);
}

static void on_exit_event(evutil_socket_t fd, short what, void *arg)
{
	struct proc *p = arg;
	try_reap(p);
	if (!p->reaped) {
		if (p->pidfd >= 0)
			event_add(p->ev_exit, NULL);    /* spurious: keep waiting */
		return;
	}
	if (p->phase == P_DETACHED) {
		proc_free(p);
		return;
	}
	sigchld_release();
	check(p);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct proc *p = arg;
	if (p->phase == P_RUN && !p->reaped) {
		p->timed_out = true;
		kill(-p->pid, SIGKILL);         /* the group: scripts have children */
		try_reap(p);
		if (!p->reaped) {
			p->phase = P_KILLWAIT;
			arm(p, PROC_KILLWAIT_MS);
			return;
		}
	}
	finish(p);
}

/* ---- the start ---- */

static struct proc *proc_new(struct event_base *base, const struct proc_opts *o,
			     proc_cb cb, void *arg)
{
	struct proc *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->base = base;
	p->pid = -1;
	p->pidfd = -1;
	p->cb = cb;
	p->arg = arg;
	p->out_max = o && o->max_output ? o->max_output : PROC_DEFAULT_MAX_OUTPUT;
	p->t0 = clock_mono_us();
	for (int i = 0; i < PIPE_N; i++)
		p->pipes[i] = (struct proc_pipe){ p, i, -1, NULL };
	p->ev_tmr = evtimer_new(base, on_timer, p);
	p->ev_exit = event_new(base, -1, 0, on_exit_event, p);
	if (!p->ev_tmr || !p->ev_exit) {
		proc_free(p);
		errno = ENOMEM;
		return NULL;
	}
	p->next = procs;
	if (procs)
		procs->prev = p;
	procs = p;
	return p;
}

/* Parent ends of the pipes are above 2 (a daemon that closed its stdio must
 * not have the child's dup2 onto 0-2 clobber them) and close-on-exec; only
 * the read end is non-blocking: the child writes as tools expect. */
static int make_pipe(int fds[2])
{
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	for (int i = 0; i < 2; i++) {
		if (fds[i] > 2)
			continue;
		int hi = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
		close(fds[i]);
		fds[i] = hi;
	}
	if (fds[0] < 0 || fds[1] < 0 || fcntl(fds[0], F_SETFL, O_NONBLOCK) < 0) {
		int e = errno;
		if (fds[0] >= 0)
			close(fds[0]);
		if (fds[1] >= 0)
			close(fds[1]);
		errno = e;
		return -1;
	}
	return 0;
}

static int open_pipes(struct proc *p, int wr[PIPE_N])
{
	for (int i = 0; i < PIPE_N; i++) {
		int fds[2];
		if (make_pipe(fds) < 0)
			return -1;
		p->pipes[i].fd = fds[0];
		wr[i] = fds[1];
		p->pipes[i].ev = event_new(p->base, fds[0], EV_READ | EV_PERSIST, on_pipe,
					   &p->pipes[i]);
		if (!p->pipes[i].ev || event_add(p->pipes[i].ev, NULL) < 0) {
			errno = ENOMEM;
			return -1;
		}
	}
	return 0;
}

static int max_fd(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur > INT_MAX)
		return 65536;
	return (int)rl.rlim_cur;
}

static int open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
	if (pidfd_ok) {
		int fd = (int)syscall(SYS_pidfd_open, pid, 0);  /* always CLOEXEC */
		if (fd >= 0 || errno != ENOSYS)
			return fd;
	}
#endif
	pidfd_ok = false;
	errno = ENOSYS;
	return -1;
}

/* The exit watch, after fork. Nothing here may leave a child unwatched: with
 * neither a pidfd nor the SIGCHLD handler (no memory at all), the just-forked
 * child is killed and reaped on the spot (bounded: it cannot have blocked
 * on anything yet). */
static int watch_exit(struct proc *p)
{
	p->pidfd = open_pidfd(p->pid);
	if (p->pidfd >= 0) {
		event_assign(p->ev_exit, p->base, p->pidfd, EV_READ, on_exit_event, p);
		return event_add(p->ev_exit, NULL);
	}
	if (sigchld_arm(p->base) == 0) {
		try_reap(p);            /* it may have exited before the handler */
		if (p->reaped)
			event_active(p->ev_exit, EV_READ, 1);
		return 0;
	}
	int e = errno;
	kill(-p->pid, SIGKILL);
	while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR)
		;
	p->pid = -1;
	errno = e;
	return -1;
}

static void close_all(int fds[PIPE_N])
{
	for (int i = 0; i < PIPE_N; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* The child's stdin as a memfd holding input, rewound: the child reads it at
 * its own pace and the loop never feeds a pipe. -1 with errno. */
static int input_fd(const char *input, size_t len)
{
	int fd = memfd_create("proc-stdin", MFD_CLOEXEC);
	if (fd < 0)
		return -1;
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, input + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? errno : EIO;
			close(fd);
			errno = e;
			return -1;
		}
		off += (size_t)n;
	}
	if (lseek(fd, 0, SEEK_SET) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static int start_child(struct proc *p, const char *path, char *const argv[],
		       const char *input, size_t input_len)
{
	int wr[PIPE_N] = { -1, -1, -1 };
	int lim = max_fd();
	char *const *env = proc_child_env();
	int in = input ? input_fd(input, input_len) : -1;
	if (input && in < 0)
		return -1;
	/* Without pidfd the handler must be in place before the child can exit. */
	if (open_pipes(p, wr) < 0 || (!pidfd_ok && sigchld_arm(p->base) < 0)) {
		int e = errno;
		close_all(wr);
		if (in >= 0)
			close(in);
		errno = e;
		return -1;
	}
	/* All signals blocked across fork: a libevent handler running in the
	 * child before its reset would write into the parent's signal pipe. */
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid_t pid = fork();
	if (pid == 0)
		proc_child_exec(path, argv, env, in, wr[PIPE_OUT], wr[PIPE_ERR], wr[PIPE_EXEC], lim);
	int e = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	close_all(wr);
	if (in >= 0)
		close(in);
	if (pid < 0) {
		errno = e;
		return -1;
	}
	setpgid(pid, pid);      /* fails harmlessly once the child has exec'd */
	p->pid = pid;
	return watch_exit(p);
}

struct proc *proc_spawn(struct event_base *base, char *const argv[],
			const struct proc_opts *o, proc_cb cb, void *arg)
{
	return proc_spawn_input(base, argv, o, NULL, 0, cb, arg);
}

struct proc *proc_spawn_input(struct event_base *base, char *const argv[],
			      const struct proc_opts *o, const char *input, size_t len,
			      proc_cb cb, void *arg)
{
	if (!base || !argv || !argv[0] || !argv[0][0] || !cb) {
		errno = EINVAL;
		return NULL;
	}
	struct proc *p = proc_new(base, o, cb, arg);
	if (!p)
		return NULL;
	char path[PATH_MAX];
	const char *exe = argv[0];
	if (!strchr(exe, '/')) {
		if (proc_which(exe, path, sizeof(path)) < 0) {
			/* Reported like a failed exec, from the loop. */
			p->spawn_err = ENOENT;
			p->reaped = true;
			arm(p, 0);
			return p;
		}
		exe = path;
	}
	if (start_child(p, exe, argv, input, len) < 0) {
		int e = errno;
		proc_free(p);
		errno = e;
		return NULL;
	}
	arm(p, o && o->timeout_ms ? o->timeout_ms : PROC_DEFAULT_TIMEOUT_MS);
	return p;
}

void proc_cancel(struct proc *p)
{
	if (!p || p->in_cb || p->phase == P_DETACHED)
		return;
	if (p->pid > 0 && !p->reaped) {
		kill(-p->pid, SIGKILL);
		try_reap(p);
	}
	release(p);
}
