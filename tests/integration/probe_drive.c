/* probe_drive: runs one prober per member on a libevent loop and prints
 * one JSON line per outcome, then a summary line with each prober's stats
 * and the process's CPU time and RSS (getrusage). Used by
 * tests/integration/probe_lab_test.sh and bench/probe_cost.sh.
 *
 *   probe_drive [-T timeout_ms] [-L late_ms] [-i interval_ms] [-c rounds | -d seconds]
 *               [-w wait_ms] [-q] [-V] [-b] [-n]
 *               -m DEV [-4 SRC4] [-6 SRC6] [-M FWMARK] -t TARGET [-t TARGET...]
 *               [-m DEV ...]
 *
 * Every interval one round: each member sends to each of its targets once,
 * spread evenly over the interval, or all at once with -b (burst: one
 * wake-up per round, as a scheduler that sends every member's probes on
 * one timer would). After the last round it waits -w ms
 * (default: timeout + late window + 100) for outcomes, then exits.
 * -q prints only the summary; -V verifies HTTPS certificates; -n ticks
 * without sending (the driver's own cost, for benchmarks to subtract). */
#include "core/clock.h"
#include "core/log.h"
#include "probe/probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <event2/event.h>

#define MAX_MEMBERS 8
#define MAX_TARGETS 16

struct member {
	const char *dev;
	const char *src4, *src6;
	uint32_t mark;
	struct probe_target targets[MAX_TARGETS];
	size_t n_targets;
	struct prober *p;
};

static struct {
	struct member m[MAX_MEMBERS];
	size_t n;
	uint32_t timeout_ms, late_ms, interval_ms, wait_ms;
	long rounds;            /* -1: by duration */
	double duration_s;
	bool quiet, verify, burst, dry;
	struct event_base *base;
	struct event *tick, *stop;
	long round;
	size_t next;            /* position within a round: member * targets */
	uint64_t t0_us;
	uint64_t outcomes;
} g = { .timeout_ms = 1000, .interval_ms = 100, .rounds = 10 };

static void on_result(void *arg, const struct probe_result *r)
{
	struct member *m = arg;
	g.outcomes++;
	if (g.quiet)
		return;
	printf("{\"dev\":\"%s\",\"target\":\"%s\",\"kind\":\"%s\",\"outcome\":\"%s\","
	       "\"rtt_us\":%u,\"err\":%d,\"errstr\":\"%s\",\"status\":%d,\"t_ms\":%llu}\n",
	       m->dev, m->targets[r->target].label, probe_kind_name(m->targets[r->target].kind),
	       probe_outcome_name(r->outcome), r->rtt_us, r->err, r->err ? strerror(r->err) : "",
	       r->status, (unsigned long long)((clock_mono_us() - g.t0_us) / 1000));
	fflush(stdout);
}

static size_t round_size(void)
{
	size_t n = 0;
	for (size_t i = 0; i < g.n; i++)
		n += g.m[i].n_targets;
	return n;
}

/* The k-th send of a round: member-major order. */
static void send_kth(size_t k)
{
	for (size_t i = 0; i < g.n; i++) {
		if (k < g.m[i].n_targets) {
			prober_send(g.m[i].p, k);
			return;
		}
		k -= g.m[i].n_targets;
	}
}

static void on_stop(evutil_socket_t fd, short what, void *arg)
{
	event_base_loopexit(g.base, NULL);
}

static bool rounds_done(void)
{
	if (g.rounds >= 0)
		return g.round >= g.rounds;
	return (double)(clock_mono_us() - g.t0_us) >= g.duration_s * 1e6;
}

/* One send per tick, ticks spread evenly over the interval. */
static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	size_t per = round_size();
	if (rounds_done()) {
		event_del(g.tick);
		struct timeval tv = { g.wait_ms / 1000, (g.wait_ms % 1000) * 1000 };
		evtimer_add(g.stop, &tv);
		return;
	}
	do {
		if (!g.dry)
			send_kth(g.next);
	} while (++g.next < per && g.burst);
	if (g.next == per) {
		g.next = 0;
		g.round++;
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: probe_drive [-T ms] [-L ms] [-i ms] [-c n | -d s] [-w ms] [-q] [-V] [-b] [-n]\n"
		"         -m DEV [-4 SRC4] [-6 SRC6] [-M MARK] -t TARGET... [-m DEV ...]\n");
	exit(2);
}

static struct member *cur_member(void)
{
	if (g.n == 0)
		usage();
	return &g.m[g.n - 1];
}

static void parse_args(int argc, char **argv)
{
	int c;
	char err[256];
	while ((c = getopt(argc, argv, "T:L:i:c:d:w:qVbnm:4:6:M:t:")) != -1) {
		switch (c) {
		case 'T': g.timeout_ms = (uint32_t)atoi(optarg); break;
		case 'L': g.late_ms = (uint32_t)atoi(optarg); break;
		case 'i': g.interval_ms = (uint32_t)atoi(optarg); break;
		case 'c': g.rounds = atol(optarg); break;
		case 'd': g.duration_s = atof(optarg); g.rounds = -1; break;
		case 'w': g.wait_ms = (uint32_t)atoi(optarg); break;
		case 'q': g.quiet = true; break;
		case 'V': g.verify = true; break;
		case 'b': g.burst = true; break;
		case 'n': g.dry = true; break;
		case 'm':
			if (g.n == MAX_MEMBERS)
				usage();
			g.m[g.n++].dev = optarg;
			break;
		case '4': cur_member()->src4 = optarg; break;
		case '6': cur_member()->src6 = optarg; break;
		case 'M': cur_member()->mark = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 't': {
			struct member *m = cur_member();
			if (m->n_targets == MAX_TARGETS)
				usage();
			if (probe_target_parse(optarg, &m->targets[m->n_targets], err, sizeof(err)) < 0) {
				fprintf(stderr, "probe_drive: %s\n", err);
				exit(2);
			}
			m->n_targets++;
			break;
		}
		default: usage();
		}
	}
	if (g.n == 0 || round_size() == 0)
		usage();
	if (!g.wait_ms) {
		uint32_t late = g.late_ms ? g.late_ms : g.timeout_ms * 4;
		late = late < 1000 ? 1000 : late > 15000 ? 15000 : late;
		g.wait_ms = g.timeout_ms + late + 100;
	}
}

static void set_sources(struct member *m)
{
	struct in_addr a4;
	struct in6_addr a6;
	if (m->src4) {
		if (inet_pton(AF_INET, m->src4, &a4) != 1) {
			fprintf(stderr, "probe_drive: bad -4 %s\n", m->src4);
			exit(2);
		}
		prober_set_source(m->p, AF_INET, &a4);
	}
	if (m->src6) {
		if (inet_pton(AF_INET6, m->src6, &a6) != 1) {
			fprintf(stderr, "probe_drive: bad -6 %s\n", m->src6);
			exit(2);
		}
		prober_set_source(m->p, AF_INET6, &a6);
	}
}

static void start_member(struct member *m)
{
	struct prober_config cfg = {
		.ifname = m->dev, .fwmark = m->mark, .timeout_ms = g.timeout_ms,
		.targets = m->targets, .n_targets = m->n_targets, .late_ms = g.late_ms,
		.tls_verify = g.verify,
	};
	m->p = prober_new(g.base, &cfg, on_result, m);
	if (!m->p) {
		fprintf(stderr, "probe_drive: prober_new %s failed\n", m->dev);
		exit(1);
	}
	set_sources(m);
}

static void print_summary(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	uint64_t cpu = (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000u +
		       (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
	uint64_t user = (uint64_t)ru.ru_utime.tv_sec * 1000000u + (uint64_t)ru.ru_utime.tv_usec;
	printf("{\"summary\":true,\"cpu_us\":%llu,\"user_us\":%llu,\"sys_us\":%llu,\"rss_kb\":%ld,"
	       "\"wall_ms\":%llu,\"outcomes\":%llu,\"members\":[", (unsigned long long)cpu,
	       (unsigned long long)user, (unsigned long long)(cpu - user), ru.ru_maxrss,
	       (unsigned long long)((clock_mono_us() - g.t0_us) / 1000),
	       (unsigned long long)g.outcomes);
	for (size_t i = 0; i < g.n; i++) {
		struct prober_stats st;
		prober_get_stats(g.m[i].p, &st);
		printf("%s{\"dev\":\"%s\",\"sent\":%llu,\"replies\":%llu,\"lost\":%llu,\"late\":%llu,"
		       "\"send_errors\":%llu,\"bytes_sent\":%llu,\"bytes_received\":%llu,"
		       "\"icmp_errors\":%llu,\"bad_replies\":%llu,\"ignored\":%llu,\"sockets\":%u}",
		       i ? "," : "", g.m[i].dev, (unsigned long long)st.sent,
		       (unsigned long long)st.replies, (unsigned long long)st.lost,
		       (unsigned long long)st.late, (unsigned long long)st.send_errors,
		       (unsigned long long)st.bytes_sent, (unsigned long long)st.bytes_received,
		       (unsigned long long)st.icmp_errors, (unsigned long long)st.bad_replies,
		       (unsigned long long)st.ignored, st.sockets);
	}
	printf("]}\n");
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);       /* as autonomyd: OpenSSL writes with write() */
	log_open("probe_drive", true, LOG_LVL_WARN);
	parse_args(argc, argv);
	g.base = event_base_new();
	if (!g.base)
		return 1;
	for (size_t i = 0; i < g.n; i++)
		start_member(&g.m[i]);
	uint64_t per = round_size();
	uint64_t step_us = (uint64_t)g.interval_ms * 1000u / (g.burst ? 1 : per);
	struct timeval tv = { (time_t)(step_us / 1000000u), (suseconds_t)(step_us % 1000000u) };
	g.tick = event_new(g.base, -1, EV_PERSIST, on_tick, NULL);
	g.stop = evtimer_new(g.base, on_stop, NULL);
	g.t0_us = clock_mono_us();
	event_add(g.tick, &tv);
	event_active(g.tick, EV_TIMEOUT, 1);
	event_base_dispatch(g.base);
	print_summary();
	for (size_t i = 0; i < g.n; i++)
		prober_free(g.m[i].p);
	event_free(g.tick);
	event_free(g.stop);
	event_base_free(g.base);
	return 0;
}
