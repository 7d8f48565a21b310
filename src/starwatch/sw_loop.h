/* sw_loop: starwatch's event loop — poll() over a handful of descriptors and
 * one-shot timers on the monotonic clock. Signals arrive through a signalfd
 * as an ordinary descriptor, so every handler runs on the loop. No
 * allocation after setup: the tables are fixed and small. */
#ifndef AUTONOMY_SW_LOOP_H
#define AUTONOMY_SW_LOOP_H

#include <stdbool.h>
#include <stdint.h>

#define SW_LOOP_MAX_FDS 16
#define SW_LOOP_MAX_TIMERS 16

typedef void (*sw_fd_cb)(void *arg, int fd, short revents);
typedef void (*sw_timer_cb)(void *arg);

struct sw_timer {
	uint64_t due_ms;
	bool armed;
	sw_timer_cb cb;
	void *arg;
};

struct sw_loop_fd {
	int fd;
	short events;
	sw_fd_cb cb;
	void *arg;
};

struct sw_loop {
	struct sw_loop_fd fds[SW_LOOP_MAX_FDS];
	int n_fds;
	struct sw_timer *timers[SW_LOOP_MAX_TIMERS];
	int n_timers;
	bool stop;
	uint64_t (*now)(void);      /* clock_mono_ms; replaceable in tests */
};

void sw_loop_init(struct sw_loop *l);
/* Watches fd for events (POLLIN/POLLOUT); replaces an earlier watch of fd. */
int sw_loop_watch(struct sw_loop *l, int fd, short events, sw_fd_cb cb, void *arg);
void sw_loop_unwatch(struct sw_loop *l, int fd);
/* Unwatches and closes *fd (if open) and sets it to -1. */
void sw_loop_close(struct sw_loop *l, int *fd);
/* A timer belongs to its owner; it is registered once and then armed and
 * disarmed at will. */
int sw_timer_register(struct sw_loop *l, struct sw_timer *t, sw_timer_cb cb, void *arg);
void sw_timer_at(struct sw_timer *t, uint64_t due_ms);
void sw_timer_in(struct sw_loop *l, struct sw_timer *t, uint64_t delay_ms);
void sw_timer_cancel(struct sw_timer *t);
/* One round: waits for the first fd or timer (at most max_wait_ms), runs
 * what is due. Returns -1 on a poll error other than EINTR. */
int sw_loop_once(struct sw_loop *l, int max_wait_ms);
/* Rounds until sw_loop->stop is set. */
int sw_loop_run(struct sw_loop *l);

#endif
