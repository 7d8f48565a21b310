#include "core/selfhealth.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <event2/event.h>

#include "core/clock.h"

#define CPU_WINDOW_US 5000000u
#define LAG_WINDOW_US 60000000u

long selfhealth_rss_kb(void)
{
	FILE *f = fopen("/proc/self/statm", "re");
	long size = 0, resident = 0;
	if (!f)
		return 0;
	if (fscanf(f, "%ld %ld", &size, &resident) != 2)
		resident = 0;
	fclose(f);
	return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* VmHWM from /proc/self/status: the same accounting as the resident figure
 * (getrusage's ru_maxrss is updated lazily and can read below it). */
long selfhealth_peak_rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	long kb = 0;
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

uint64_t selfhealth_cpu_us(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return 0;
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000u +
	       (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

double selfhealth_uptime_s(const struct selfhealth *h)
{
	return (double)(clock_mono_us() - h->start_us) / 1e6;
}

unsigned selfhealth_system_load_pct(void)
{
	FILE *f = fopen("/proc/loadavg", "re");
	double l1 = 0;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (!f)
		return 0;
	if (fscanf(f, "%lf", &l1) != 1)
		l1 = 0;
	fclose(f);
	double pct = 100.0 * l1 / (double)(cpus > 0 ? cpus : 1);
	return pct > 1000 ? 1000u : (unsigned)pct;
}

static void record_lag(struct selfhealth *h, uint64_t now)
{
	uint64_t lag = now > h->next_tick_us ? now - h->next_tick_us : 0;
	h->lag_last_us = lag;
	h->lag_sum_us += lag;
	h->lag_n++;
	/* The reported maximum covers the last one-to-two minutes, so one hiccup
	 * at start-up does not stay in the figure forever. */
	if (now - h->lag_window_start_us > LAG_WINDOW_US) {
		h->lag_max_us = h->lag_window_max_us;
		h->lag_window_max_us = 0;
		h->lag_window_start_us = now;
	}
	if (lag > h->lag_window_max_us)
		h->lag_window_max_us = lag;
	if (lag > h->lag_max_us)
		h->lag_max_us = lag;
}

static void sample_cpu(struct selfhealth *h, uint64_t now)
{
	if (now - h->cpu_prev_mono_us < CPU_WINDOW_US)
		return;
	uint64_t cpu = selfhealth_cpu_us();
	h->cpu_pct = 100.0 * (double)(cpu - h->cpu_prev_us) /
		     (double)(now - h->cpu_prev_mono_us);
	h->cpu_prev_us = cpu;
	h->cpu_prev_mono_us = now;
	h->sys_load_pct = selfhealth_system_load_pct();
}

static void tick_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	struct selfhealth *h = arg;
	uint64_t now = clock_mono_us();
	h->ticks++;
	record_lag(h, now);
	sample_cpu(h, now);
	h->next_tick_us = now + SELFHEALTH_TICK_MS * 1000u;
	struct timeval tv = { 0, SELFHEALTH_TICK_MS * 1000 };
	event_add(h->ev, &tv);
}

int selfhealth_start(struct selfhealth *h, struct event_base *base)
{
	memset(h, 0, sizeof(*h));
	uint64_t now = clock_mono_us();
	h->start_us = now;
	h->lag_window_start_us = now;
	h->cpu_prev_us = selfhealth_cpu_us();
	h->cpu_prev_mono_us = now;
	h->sys_load_pct = selfhealth_system_load_pct();
	h->ev = event_new(base, -1, 0, tick_cb, h);
	if (!h->ev)
		return -1;
	h->next_tick_us = now + SELFHEALTH_TICK_MS * 1000u;
	struct timeval tv = { 0, SELFHEALTH_TICK_MS * 1000 };
	return event_add(h->ev, &tv);
}

void selfhealth_stop(struct selfhealth *h)
{
	if (h->ev)
		event_free(h->ev);
	h->ev = NULL;
}
