/* sw_kill: SIGTERM, grace, SIGKILL, followed through a pidfd (sw_kill.h). */
#include "starwatch/sw_kill.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define POLL_MS 100

/* Through syscall(): older C libraries have no wrappers. */
static int pidfd_open_(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

static int pidfd_signal(int pidfd, int sig)
{
#ifdef SYS_pidfd_send_signal
	return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
#else
	(void)pidfd; (void)sig;
	errno = ENOSYS;
	return -1;
#endif
}

bool sw_pid_alive(pid_t pid)
{
	char path[40], buf[256];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return kill(pid, 0) == 0 || errno == EPERM;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	/* "pid (comm) S ...": the state follows the last ')'. */
	const char *rp = strrchr(buf, ')');
	return !(rp && rp[1] == ' ' && (rp[2] == 'Z' || rp[2] == 'X'));
}

static void done(struct sw_kill *k, bool gone, const char *how)
{
	sw_loop_close(k->loop, &k->pidfd);
	k->phase = 0;
	sw_timer_cancel(&k->tick);
	k->cb(k->arg, gone, how);
}

static int send_sig(struct sw_kill *k, int sig)
{
	return k->pidfd >= 0 ? pidfd_signal(k->pidfd, sig) : kill(k->pid, sig);
}

static const char *phase_name(const struct sw_kill *k)
{
	return k->phase == 1 ? "SIGTERM" : "SIGKILL";
}

static void on_exit_seen(void *arg, int fd, short revents)
{
	struct sw_kill *k = arg;
	done(k, true, phase_name(k));
}

static void on_tick(void *arg)
{
	struct sw_kill *k = arg;
	uint64_t now = k->loop->now();
	if (k->pidfd < 0 && !sw_pid_alive(k->pid)) {
		done(k, true, phase_name(k));
		return;
	}
	if (now < k->phase_end_ms) {
		sw_timer_at(&k->tick, k->pidfd >= 0 ? k->phase_end_ms :
			    (now + POLL_MS < k->phase_end_ms ? now + POLL_MS : k->phase_end_ms));
		return;
	}
	if (k->phase == 2) {
		done(k, false, "still alive after SIGKILL (stuck in the kernel?)");
		return;
	}
	k->phase = 2;
	send_sig(k, SIGKILL);
	k->phase_end_ms = now + k->kill_ms;
	sw_timer_at(&k->tick, k->pidfd >= 0 ? k->phase_end_ms : now + POLL_MS);
}

int sw_kill_init(struct sw_kill *k, struct sw_loop *l, sw_kill_cb cb, void *arg)
{
	memset(k, 0, sizeof(*k));
	k->loop = l;
	k->pidfd = -1;
	k->cb = cb;
	k->arg = arg;
	return sw_timer_register(l, &k->tick, on_tick, k);
}

void sw_kill_start(struct sw_kill *k, pid_t pid, uint64_t term_ms, uint64_t kill_ms)
{
	k->pid = pid;
	k->kill_ms = kill_ms;
	k->phase = 1;
	k->pidfd = pidfd_open_(pid);
	if (k->pidfd < 0 && errno == ESRCH) {
		done(k, true, "already gone");
		return;
	}
	if (k->pidfd >= 0)
		fcntl(k->pidfd, F_SETFD, FD_CLOEXEC);
	if (send_sig(k, SIGTERM) < 0 && errno == ESRCH) {
		done(k, true, "already gone");
		return;
	}
	send_sig(k, SIGCONT);
	uint64_t now = k->loop->now();
	k->phase_end_ms = now + term_ms;
	if (k->pidfd >= 0 && sw_loop_watch(k->loop, k->pidfd, POLLIN, on_exit_seen, k) < 0) {
		close(k->pidfd);
		k->pidfd = -1;
	}
	sw_timer_at(&k->tick, k->pidfd >= 0 ? k->phase_end_ms : now + POLL_MS);
}

bool sw_kill_running(const struct sw_kill *k)
{
	return k->phase != 0;
}
