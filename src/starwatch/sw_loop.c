/* sw_loop: poll() loop with fixed-size fd and timer tables (sw_loop.h). */
#include "starwatch/sw_loop.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"

void sw_loop_init(struct sw_loop *l)
{
	memset(l, 0, sizeof(*l));
	l->now = clock_mono_ms;
}

int sw_loop_watch(struct sw_loop *l, int fd, short events, sw_fd_cb cb, void *arg)
{
	for (int i = 0; i < l->n_fds; i++) {
		if (l->fds[i].fd == fd) {
			l->fds[i] = (struct sw_loop_fd){ fd, events, cb, arg };
			return 0;
		}
	}
	if (l->n_fds == SW_LOOP_MAX_FDS) {
		errno = ENOSPC;
		return -1;
	}
	l->fds[l->n_fds++] = (struct sw_loop_fd){ fd, events, cb, arg };
	return 0;
}

void sw_loop_unwatch(struct sw_loop *l, int fd)
{
	for (int i = 0; i < l->n_fds; i++) {
		if (l->fds[i].fd == fd) {
			l->fds[i] = l->fds[--l->n_fds];
			return;
		}
	}
}

void sw_loop_close(struct sw_loop *l, int *fd)
{
	if (*fd < 0)
		return;
	sw_loop_unwatch(l, *fd);
	close(*fd);
	*fd = -1;
}

int sw_timer_register(struct sw_loop *l, struct sw_timer *t, sw_timer_cb cb, void *arg)
{
	if (l->n_timers == SW_LOOP_MAX_TIMERS) {
		errno = ENOSPC;
		return -1;
	}
	*t = (struct sw_timer){ .cb = cb, .arg = arg };
	l->timers[l->n_timers++] = t;
	return 0;
}

void sw_timer_at(struct sw_timer *t, uint64_t due_ms)
{
	t->due_ms = due_ms;
	t->armed = true;
}

void sw_timer_in(struct sw_loop *l, struct sw_timer *t, uint64_t delay_ms)
{
	sw_timer_at(t, l->now() + delay_ms);
}

void sw_timer_cancel(struct sw_timer *t)
{
	t->armed = false;
}

static int next_wait(struct sw_loop *l, int max_wait_ms)
{
	uint64_t now = l->now();
	int64_t wait = max_wait_ms;
	for (int i = 0; i < l->n_timers; i++) {
		if (!l->timers[i]->armed)
			continue;
		int64_t d = l->timers[i]->due_ms > now ? (int64_t)(l->timers[i]->due_ms - now) : 0;
		if (wait < 0 || d < wait)
			wait = d;
	}
	return (int)wait;
}

static void run_timers(struct sw_loop *l)
{
	uint64_t now = l->now();
	/* A callback may arm timers (even its own): each due timer runs once
	 * per round, and one armed again for "now" waits for the next round. */
	bool due[SW_LOOP_MAX_TIMERS];
	for (int i = 0; i < l->n_timers; i++)
		due[i] = l->timers[i]->armed && l->timers[i]->due_ms <= now;
	for (int i = 0; i < l->n_timers; i++) {
		if (!due[i] || !l->timers[i]->armed)
			continue;
		l->timers[i]->armed = false;
		l->timers[i]->cb(l->timers[i]->arg);
	}
}

int sw_loop_once(struct sw_loop *l, int max_wait_ms)
{
	struct pollfd p[SW_LOOP_MAX_FDS];
	struct sw_loop_fd snap[SW_LOOP_MAX_FDS];
	int n = l->n_fds;
	memcpy(snap, l->fds, sizeof(snap[0]) * (size_t)n);
	for (int i = 0; i < n; i++)
		p[i] = (struct pollfd){ .fd = snap[i].fd, .events = snap[i].events };
	int r = poll(p, (nfds_t)n, next_wait(l, max_wait_ms));
	if (r < 0 && errno != EINTR)
		return -1;
	for (int i = 0; r > 0 && i < n; i++) {
		if (!p[i].revents)
			continue;
		/* A callback may have unwatched this or another fd meanwhile. */
		bool still = false;
		for (int k = 0; k < l->n_fds && !still; k++)
			still = l->fds[k].fd == snap[i].fd && l->fds[k].cb == snap[i].cb &&
				l->fds[k].arg == snap[i].arg;
		if (still)
			snap[i].cb(snap[i].arg, snap[i].fd, p[i].revents);
	}
	run_timers(l);
	return 0;
}

int sw_loop_run(struct sw_loop *l)
{
	while (!l->stop)
		if (sw_loop_once(l, -1) < 0)
			return -1;
	return 0;
}
