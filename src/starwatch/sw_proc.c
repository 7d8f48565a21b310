/* sw_proc: child processes with argv, a deadline and captured output
 * (sw_proc.h). */
#include "starwatch/sw_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define STDIN_MAX 4096

static void on_deadline(void *arg);

int sw_procs_init(struct sw_procs *ps, struct sw_loop *l)
{
	memset(ps, 0, sizeof(*ps));
	ps->loop = l;
	for (int i = 0; i < SW_PROC_MAX; i++) {
		ps->p[i].out_fd = -1;
		ps->p[i].owner = ps;
		if (sw_timer_register(l, &ps->p[i].deadline, on_deadline, &ps->p[i]) < 0)
			return -1;
	}
	return 0;
}

static void on_deadline(void *arg)
{
	struct sw_proc *p = arg;
	if (!p->used)
		return;
	p->timed_out = true;
	kill(-p->pid, SIGKILL);     /* the group: a stuck grandchild goes too */
}

static void drain(struct sw_proc *p)
{
	char tmp[512];
	ssize_t r;
	while ((r = read(p->out_fd, tmp, sizeof(tmp))) > 0 || (r < 0 && errno == EINTR)) {
		size_t room = SW_PROC_OUT_MAX - p->out_len;
		size_t n = r > 0 && (size_t)r < room ? (size_t)r : (r > 0 ? room : 0);
		memcpy(p->out + p->out_len, tmp, n);
		p->out_len += n;
	}
	p->out[p->out_len] = '\0';
	if (r == 0)             /* EOF: nobody holds the write end any more */
		sw_loop_close(p->owner->loop, &p->out_fd);
}

static void on_output(void *arg, int fd, short revents)
{
	drain(arg);
}

/* In the child: from here on only async-signal-safe calls. */
static void __attribute__((noreturn))
child(char *const argv[], int in_fd, int out_fd)
{
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	setpgid(0, 0);
	if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0)
		_exit(127);
	execvp(argv[0], argv);
	const char *e = strerror(errno);
	if (write(1, "exec ", 5) < 0 || write(1, argv[0], strlen(argv[0])) < 0 ||
	    write(1, ": ", 2) < 0 || write(1, e, strlen(e)) < 0)
		_exit(127);
	_exit(127);
}

static int stdin_fd(const char *text)
{
	if (!text)
		return open("/dev/null", O_RDONLY | O_CLOEXEC);
	int p[2];
	size_t n = strlen(text);
	if (n > STDIN_MAX) {
		errno = E2BIG;
		return -1;
	}
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	/* Fits in the pipe's buffer: the write cannot block. */
	if (write(p[1], text, n) != (ssize_t)n) {
		close(p[0]);
		close(p[1]);
		errno = EIO;
		return -1;
	}
	close(p[1]);
	return p[0];
}

pid_t sw_proc_spawn(struct sw_procs *ps, char *const argv[], const char *stdin_text,
		    uint64_t timeout_ms, sw_proc_cb cb, void *arg)
{
	struct sw_proc *p = NULL;
	for (int i = 0; i < SW_PROC_MAX && !p; i++)
		if (!ps->p[i].used)
			p = &ps->p[i];
	if (!p) {
		errno = EAGAIN;
		return -1;
	}
	int out[2], in = stdin_fd(stdin_text);
	if (in < 0)
		return -1;
	if (pipe2(out, O_CLOEXEC) < 0) {
		close(in);
		return -1;
	}
	pid_t pid = fork();
	if (pid == 0)
		child(argv, in, out[1]);
	int e = errno;
	close(in);
	close(out[1]);
	if (pid < 0) {
		close(out[0]);
		errno = e;
		return -1;
	}
	setpgid(pid, pid);      /* also here: no window where a kill misses it */
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	p->used = true;
	p->timed_out = false;
	p->pid = pid;
	p->out_fd = out[0];
	p->out_len = 0;
	p->out[0] = '\0';
	p->cb = cb;
	p->arg = arg;
	sw_timer_in(ps->loop, &p->deadline, timeout_ms);
	sw_loop_watch(ps->loop, out[0], POLLIN, on_output, p);
	return pid;
}

void sw_procs_reap(struct sw_procs *ps)
{
	for (int i = 0; i < SW_PROC_MAX; i++) {
		struct sw_proc *p = &ps->p[i];
		int st;
		if (!p->used || waitpid(p->pid, &st, WNOHANG) != p->pid)
			continue;
		if (p->out_fd >= 0)
			drain(p);
		/* A daemonised grandchild may hold the pipe open forever. */
		sw_loop_close(ps->loop, &p->out_fd);
		sw_timer_cancel(&p->deadline);
		p->used = false;
		/* The callback may start the next program in this very slot. */
		char out[SW_PROC_OUT_MAX + 1];
		memcpy(out, p->out, p->out_len + 1);
		p->cb(p->arg, st, p->timed_out, out);
	}
}

int sw_procs_running(const struct sw_procs *ps)
{
	int n = 0;
	for (int i = 0; i < SW_PROC_MAX; i++)
		n += ps->p[i].used;
	return n;
}

bool sw_proc_find(const char *name, char *out, size_t size)
{
	if (!name || !*name)
		return false;
	if (strchr(name, '/')) {
		snprintf(out, size, "%s", name);
		return access(name, X_OK) == 0;
	}
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/sbin:/usr/bin:/sbin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");
		int w = snprintf(out, size, "%.*s/%s", (int)n, path, name);
		if (n && w > 0 && (size_t)w < size && access(out, X_OK) == 0)
			return true;
		path += n + (path[n] == ':');
	}
	return false;
}

const char *sw_proc_status_text(int status, bool timed_out, char *buf, size_t size)
{
	if (timed_out)
		snprintf(buf, size, "timed out (killed)");
	else if (WIFEXITED(status))
		snprintf(buf, size, "exit %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "killed by signal %d", WTERMSIG(status));
	else
		snprintf(buf, size, "status %d", status);
	return buf;
}
