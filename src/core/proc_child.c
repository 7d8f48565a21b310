/* proc: the child's side, between fork and exec. Only async-signal-safe
 * calls here: the parent is a libevent process whose state is not ours. */
#include "core/proc_int.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* The kernel's getdents64 record (not in every libc's headers). */
struct proc_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* Marks every fd in /proc/self/fd above 2 close-on-exec; -1 without /proc. */
static int cloexec_by_proc(void)
{
	int dfd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -1;
	_Alignas(8) char buf[2048];
	long n;
	while ((n = syscall(SYS_getdents64, dfd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct proc_dirent64 *d = (struct proc_dirent64 *)(buf + off);
			int fd = 0;
			const char *c = d->d_name;
			for (; *c >= '0' && *c <= '9'; c++)
				fd = fd * 10 + (*c - '0');
			if (*c == '\0' && c != d->d_name && fd > 2 && fd != dfd)
				fcntl(fd, F_SETFD, FD_CLOEXEC);
			off += d->d_reclen;
		}
	}
	close(dfd);
	return 0;
}

/* Why mark every fd rather than trust O_CLOEXEC: the daemon's own fds are
 * all O_CLOEXEC, but libraries are not ours to audit (libmnl's plain
 * mnl_socket_open, a resolver, OpenSSL's engines), and a netlink or control
 * socket leaking into a modem tool would outlive a daemon restart. Marking
 * (not closing) keeps the exec-error pipe open until exec itself. One
 * close_range(2) call on Linux >= 5.11; the /proc walk on older kernels
 * (OpenWrt 21.02/22.03 run 5.4/5.10); a bounded sweep without /proc. */
static void cloexec_above_2(int max_fd)
{
#ifdef SYS_close_range
	if (syscall(SYS_close_range, 3u, ~0u, CLOSE_RANGE_CLOEXEC) == 0)
		return;
#endif
	if (cloexec_by_proc() == 0)
		return;
	for (int fd = 3; fd < max_fd; fd++)
		fcntl(fd, F_SETFD, FD_CLOEXEC);
}

static int child_setup(int in_fd, int out_w, int err_w, int max_fd)
{
	/* Handled signals are reset by exec anyway; ignored ones (the daemon
	 * ignores SIGPIPE) would be inherited. SIGKILL/SIGSTOP and libc's
	 * reserved signals fail harmlessly. */
	struct sigaction sa = { .sa_handler = SIG_DFL };
	for (int s = 1; s < NSIG; s++)
		sigaction(s, &sa, NULL);
	/* The parent does the same; whichever runs first wins the race. */
	if (setpgid(0, 0) < 0)
		return errno;
	int nul = in_fd >= 0 ? in_fd : open("/dev/null", O_RDONLY);
	if (nul < 0)
		return errno;
	if (dup2(nul, 0) < 0 || dup2(out_w, 1) < 0 || dup2(err_w, 2) < 0)
		return errno;
	cloexec_above_2(max_fd);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	return 0;
}

char *const *proc_child_env(void)
{
	static char path[4096 + 6];
	static char *env[] = { path, "LC_ALL=C", "LANG=C", "HOME=/", NULL };
	const char *p = getenv("PATH");
	snprintf(path, sizeof(path), "PATH=%s", p && *p ? p : PROC_DEFAULT_PATH);
	return env;
}

void proc_child_exec(const char *path, char *const argv[], char *const envp[], int in_fd,
		     int out_w, int err_w, int ep_w, int max_fd)
{
	int e = child_setup(in_fd, out_w, err_w, max_fd);
	if (e == 0) {
		execve(path, argv, envp);
		e = errno;
	}
	while (write(ep_w, &e, sizeof(e)) < 0 && errno == EINTR)
		;
	_exit(127);
}
