/* selfhealth: the daemon's own vital signs — resident memory, CPU share,
 * event-loop lag and uptime. A periodic timer on the loop measures how late
 * it fires (lag) and samples CPU time; everything uses monotonic time. */
#ifndef AUTONOMY_CORE_SELFHEALTH_H
#define AUTONOMY_CORE_SELFHEALTH_H

#include <stdint.h>

struct event_base;

/* Every wake-up costs CPU on a small router: one a second is enough to
 * see loop lag (any stall longer than that shows) and to sample CPU. */
#define SELFHEALTH_TICK_MS 1000

struct selfhealth {
	uint64_t start_us;
	/* loop lag: how much later than scheduled the tick ran */
	uint64_t lag_last_us, lag_max_us;    /* max over the last minute */
	uint64_t lag_sum_us, lag_n;          /* for the mean since start */
	uint64_t lag_window_max_us, lag_window_start_us;
	/* CPU: user+sys over the last sample window (about 5 s) */
	double cpu_pct;
	/* System load: 1-minute load average per CPU, in percent (polling
	 * backs off standby probing above polling.load_threshold). */
	unsigned sys_load_pct;
	uint64_t cpu_prev_us, cpu_prev_mono_us;
	uint64_t next_tick_us;
	/* Ticks run so far: the loop's progress counter that starwatch reads
	 * (`ping`); it stops advancing when the loop is stuck. */
	uint64_t ticks;
	struct event *ev;
};

int selfhealth_start(struct selfhealth *h, struct event_base *base);
void selfhealth_stop(struct selfhealth *h);

/* Resident set size in KiB from /proc/self/statm (0 if unknown). */
long selfhealth_rss_kb(void);
/* Peak RSS (VmHWM) in KiB. */
long selfhealth_peak_rss_kb(void);
uint64_t selfhealth_cpu_us(void);
/* 1-minute load average / CPUs x 100, from /proc/loadavg (0 if unknown). */
unsigned selfhealth_system_load_pct(void);
double selfhealth_uptime_s(const struct selfhealth *h);

#endif
