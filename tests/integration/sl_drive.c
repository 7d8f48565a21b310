/* sl_drive: runs one sl_client on a libevent loop and prints one JSON line
 * per event (reply, error, location denied, action result), a loop-lag line
 * every second and a summary at the end. Used by tests/integration/
 * test_starlink.py and bench/sl_poll.py.
 *
 *   sl_drive -H HOST [-p PORT] [-I IFNAME] [-t CALL_TIMEOUT_MS]
 *            [-s STATUS_MS] [-y HISTORY_MS] [-l LOCATION_MS] [-g DIAG_MS]
 *            [-i DEVICE_INFO_MS] [-f FAST_MS] [-b BACKOFF_MIN_MS] [-B BACKOFF_MAX_MS]
 *            [-D SECONDS] [-q]
 *
 * An interval of 0 turns that call off (the library's own 0 = default is
 * not reachable from here on purpose: tests say what they poll). -q prints
 * only the summary (benchmarks). stdin takes commands, one per line:
 * "fast on", "fast off", "action reboot|stow|unstow", "stats", "quit".
 *
 * Loop lag: a 50 ms timer measures how late it fires; a dish that hangs must
 * never delay it (nothing blocks). CPU time (getrusage) is in the summary. */
#include "core/clock.h"
#include "starlink/sl_client.h"
#include "starlink/sl_pb.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>

static struct {
	struct event_base *base;
	struct sl_client *c;
	struct event *tick, *stop, *in;
	uint64_t t0_us, last_tick_us;
	uint64_t ticks, lag_max_us, lag_sec_max_us, lag_sum_us;
	bool quiet;
	char inbuf[256];
	size_t inlen;
} g;

static unsigned long long t_ms(void)
{
	return (unsigned long long)((clock_mono_us() - g.t0_us) / 1000);
}

/* JSON string value without quotes: the dish's texts are ASCII, but an
 * error message may hold anything. */
static void jstr(const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
}

static double num(double v)
{
	return isfinite(v) ? v : -1;
}

static void print_reply_body(const struct sl_reply *r)
{
	switch (r->call) {
	case SL_CALL_STATUS: {
		const struct sl_status *s = &r->status;
		printf(",\"uptime_s\":%llu,\"drop\":%.4f,\"latency_ms\":%.3f,\"obstructed\":%.5f,"
		       "\"stow\":%s,\"outage\":", (unsigned long long)s->uptime_s, num(s->pop_ping_drop_rate),
		       num(s->pop_ping_latency_ms), num(s->fraction_obstructed),
		       s->stow_requested ? "true" : "false");
		if (s->has_outage)
			printf("\"%s\"", sl_cause_name(s->outage.cause));
		else
			printf("null");
		printf(",\"id\":\"");
		jstr(s->info.id);
		printf("\"");
		break;
	}
	case SL_CALL_HISTORY: {
		const struct sl_history *h = &r->history;
		printf(",\"current\":%llu,\"ring\":%u,\"n\":%u,\"outages\":%u",
		       (unsigned long long)h->current, h->ring_len, h->n, h->n_outages);
		if (h->n)
			printf(",\"newest_drop\":%.4f", num(h->drop[h->n - 1]));
		if (h->n_outages)
			printf(",\"last_outage\":\"%s\"",
			       sl_cause_name(h->outages[h->n_outages - 1].cause));
		break;
	}
	case SL_CALL_DEVICE_INFO:
		printf(",\"id\":\"");
		jstr(r->device_info.id);
		printf("\",\"bootcount\":%d", r->device_info.bootcount);
		break;
	case SL_CALL_LOCATION:
		printf(",\"lat\":%.5f,\"lon\":%.5f,\"source\":%d", r->location.lat, r->location.lon,
		       r->location.source);
		break;
	case SL_CALL_DIAGNOSTICS:
		printf(",\"self_test\":%d,\"stowed\":%s", r->diag.hardware_self_test,
		       r->diag.stowed ? "true" : "false");
		break;
	default:
		break;
	}
}

static void on_reply(void *arg, const struct sl_reply *r)
{
	struct sl_client_stats st;
	if (g.quiet)
		return;
	sl_client_stats(g.c, &st);
	const struct sl_call_stats *cs = &st.call[r->call];
	printf("{\"ev\":\"reply\",\"t_ms\":%llu,\"call\":\"%s\",\"took_us\":%llu,"
	       "\"bytes_out\":%llu,\"bytes_in\":%llu", t_ms(), sl_call_name(r->call),
	       (unsigned long long)cs->last_latency_us, (unsigned long long)cs->last_bytes_out,
	       (unsigned long long)cs->last_bytes_in);
	print_reply_body(r);
	printf("}\n");
	fflush(stdout);
}

static void on_error(void *arg, enum sl_call call, int status, const char *message)
{
	if (g.quiet)
		return;
	printf("{\"ev\":\"error\",\"t_ms\":%llu,\"call\":\"%s\",\"status\":%d,\"name\":\"%s\","
	       "\"message\":\"", t_ms(), sl_call_name(call), status, sl_grpc_code_name(status));
	jstr(message);
	printf("\",\"lag_max_ms\":%.1f}\n", g.lag_max_us / 1000.0);
	fflush(stdout);
}

static void on_denied(void *arg)
{
	if (!g.quiet)
		printf("{\"ev\":\"location_denied\",\"t_ms\":%llu}\n", t_ms());
	fflush(stdout);
}

static void on_action(void *arg, int status, const char *text)
{
	printf("{\"ev\":\"action\",\"t_ms\":%llu,\"call\":\"%s\",\"status\":%d,\"text\":\"",
	       t_ms(), (const char *)arg, status);
	jstr(text);
	printf("\"}\n");
	fflush(stdout);
}

static void print_summary(void)
{
	struct sl_client_stats st;
	struct rusage ru;
	sl_client_stats(g.c, &st);
	getrusage(RUSAGE_SELF, &ru);
	uint64_t cpu = (uint64_t)ru.ru_utime.tv_sec * 1000000 + (uint64_t)ru.ru_utime.tv_usec +
		       (uint64_t)ru.ru_stime.tv_sec * 1000000 + (uint64_t)ru.ru_stime.tv_usec;
	printf("{\"ev\":\"summary\",\"t_ms\":%llu,\"cpu_us\":%llu,\"maxrss_kb\":%ld,"
	       "\"ticks\":%llu,\"lag_max_ms\":%.1f,\"lag_mean_ms\":%.2f,\"reachable\":%s,"
	       "\"calls\":{", t_ms(), (unsigned long long)cpu, ru.ru_maxrss,
	       (unsigned long long)g.ticks, g.lag_max_us / 1000.0,
	       g.ticks ? g.lag_sum_us / 1000.0 / (double)g.ticks : 0.0,
	       st.reachable ? "true" : "false");
	bool first = true;
	for (int k = SL_CALL_STATUS; k <= SL_CALL_UNSTOW; k++) {
		const struct sl_call_stats *s = &st.call[k];
		if (!s->count)
			continue;
		printf("%s\"%s\":{\"count\":%llu,\"ok\":%llu,\"errors\":%llu,\"bytes_out\":%llu,"
		       "\"bytes_in\":%llu,\"last_latency_us\":%llu,\"last_error\":\"", first ? "" : ",",
		       sl_call_name((enum sl_call)k), (unsigned long long)s->count,
		       (unsigned long long)s->ok, (unsigned long long)s->errors,
		       (unsigned long long)s->bytes_out, (unsigned long long)s->bytes_in,
		       (unsigned long long)s->last_latency_us);
		jstr(s->last_error);
		printf("\"}");
		first = false;
	}
	const struct sl_grpc_stats *t = &st.grpc;
	printf("},\"grpc\":{\"state\":\"%s\",\"connects\":%llu,\"connect_failures\":%llu,"
	       "\"calls\":%llu,\"ok\":%llu,\"errors\":%llu,\"deadlines\":%llu,\"bytes_out\":%llu,"
	       "\"bytes_in\":%llu,\"backoff_ms\":%u,\"last_error\":\"", t->state,
	       (unsigned long long)t->connects, (unsigned long long)t->connect_failures,
	       (unsigned long long)t->calls, (unsigned long long)t->ok,
	       (unsigned long long)t->errors, (unsigned long long)t->deadlines,
	       (unsigned long long)t->bytes_out, (unsigned long long)t->bytes_in, t->backoff_ms);
	jstr(t->last_error);
	printf("\"},\"location_denied\":%s,\"diag_unimplemented\":%s,\"status_interval_ms\":%u}\n",
	       st.location_denied ? "true" : "false", st.diag_unimplemented ? "true" : "false",
	       st.status_interval_ms);
	fflush(stdout);
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	uint64_t now = clock_mono_us();
	uint64_t lag = now - g.last_tick_us > 50000 ? now - g.last_tick_us - 50000 : 0;
	g.last_tick_us = now;
	g.ticks++;
	g.lag_sum_us += lag;
	if (lag > g.lag_max_us)
		g.lag_max_us = lag;
	if (lag > g.lag_sec_max_us)
		g.lag_sec_max_us = lag;
	if (g.ticks % 20 == 0) {
		if (!g.quiet)
			printf("{\"ev\":\"lag\",\"t_ms\":%llu,\"ticks\":%llu,\"max_ms\":%.1f}\n",
			       t_ms(), (unsigned long long)g.ticks, g.lag_sec_max_us / 1000.0);
		fflush(stdout);
		g.lag_sec_max_us = 0;
	}
}

static void on_stop(evutil_socket_t fd, short what, void *arg)
{
	event_base_loopexit(g.base, NULL);
}

static void command(char *line)
{
	static const struct { const char *name; enum sl_call call; } acts[] = {
		{ "reboot", SL_CALL_REBOOT }, { "stow", SL_CALL_STOW }, { "unstow", SL_CALL_UNSTOW },
	};
	if (!strcmp(line, "fast on") || !strcmp(line, "fast off")) {
		sl_client_set_fast(g.c, line[6] == 'n');
	} else if (!strncmp(line, "action ", 7)) {
		for (size_t i = 0; i < sizeof(acts) / sizeof(acts[0]); i++)
			if (!strcmp(line + 7, acts[i].name) &&
			    sl_client_action(g.c, acts[i].call, on_action, (void *)acts[i].name) < 0)
				printf("{\"ev\":\"action\",\"call\":\"%s\",\"status\":-100,\"text\":\"%s\"}\n",
				       acts[i].name, strerror(errno));
	} else if (!strcmp(line, "stats")) {
		print_summary();
	} else if (!strcmp(line, "quit")) {
		event_base_loopexit(g.base, NULL);
	}
	fflush(stdout);
}

static void on_stdin(evutil_socket_t fd, short what, void *arg)
{
	ssize_t n = read(0, g.inbuf + g.inlen, sizeof(g.inbuf) - 1 - g.inlen);
	if (n <= 0) {
		if (n == 0 || errno != EAGAIN)
			event_del(g.in);        /* stdin closed: keep running to -D */
		return;
	}
	g.inlen += (size_t)n;
	char *nl;
	while ((nl = memchr(g.inbuf, '\n', g.inlen)) != NULL) {
		*nl = 0;
		command(g.inbuf);
		g.inlen -= (size_t)(nl + 1 - g.inbuf);
		memmove(g.inbuf, nl + 1, g.inlen);
	}
	if (g.inlen == sizeof(g.inbuf) - 1)
		g.inlen = 0;            /* an overlong line: drop it */
}

static uint32_t iv(const char *s)
{
	unsigned long v = strtoul(s, NULL, 10);
	return v ? (uint32_t)v : SL_SCHED_OFF;
}

int main(int argc, char **argv)
{
	struct sl_client_opts o = {
		.status_interval_ms = 30000, .history_interval_ms = 60000,
		.location_interval_ms = 300000, .diag_interval_ms = 600000,
		.device_info_interval_ms = 3600000, .call_timeout_ms = 2000,
	};
	double dur = 10;
	int opt;
	while ((opt = getopt(argc, argv, "H:p:I:t:s:y:l:g:i:f:b:B:D:q")) != -1) {
		switch (opt) {
		case 'H': o.host = optarg; break;
		case 'p': o.port = (uint16_t)atoi(optarg); break;
		case 'I': o.ifname = optarg; break;
		case 't': o.call_timeout_ms = (unsigned)atoi(optarg); break;
		case 's': o.status_interval_ms = iv(optarg); break;
		case 'y': o.history_interval_ms = iv(optarg); break;
		case 'l': o.location_interval_ms = iv(optarg); break;
		case 'g': o.diag_interval_ms = iv(optarg); break;
		case 'i': o.device_info_interval_ms = iv(optarg); break;
		case 'f': o.fast_interval_ms = (uint32_t)atoi(optarg); break;
		case 'b': o.backoff_min_ms = (unsigned)atoi(optarg); break;
		case 'B': o.backoff_max_ms = (unsigned)atoi(optarg); break;
		case 'D': dur = atof(optarg); break;
		case 'q': g.quiet = true; break;
		default:
			fprintf(stderr, "usage: see the comment at the top of sl_drive.c\n");
			return 2;
		}
	}
	if (!o.host) {
		fprintf(stderr, "sl_drive: -H HOST is required\n");
		return 2;
	}
	g.base = event_base_new();
	g.t0_us = g.last_tick_us = clock_mono_us();
	const struct sl_client_cbs cbs = { on_reply, on_error, on_denied, NULL };
	g.c = sl_client_new(g.base, &o, &cbs);
	if (!g.c) {
		fprintf(stderr, "sl_drive: sl_client_new: %s\n", strerror(errno));
		return 1;
	}
	struct timeval t50 = { 0, 50000 };
	struct timeval td = { (time_t)dur, (suseconds_t)((dur - (double)(time_t)dur) * 1e6) };
	g.tick = event_new(g.base, -1, EV_PERSIST, on_tick, NULL);
	event_add(g.tick, &t50);
	g.stop = evtimer_new(g.base, on_stop, NULL);
	evtimer_add(g.stop, &td);
	struct stat sb;
	g.in = event_new(g.base, 0, EV_READ | EV_PERSIST, on_stdin, NULL);
	if (fstat(0, &sb) == 0 && (S_ISFIFO(sb.st_mode) || S_ISSOCK(sb.st_mode))) {
		/* commands come through a pipe; epoll cannot watch files or /dev/null */
		fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
		event_add(g.in, NULL);
	}

	event_base_dispatch(g.base);
	print_summary();
	sl_client_free(g.c);
	event_free(g.tick);
	event_free(g.stop);
	event_free(g.in);
	event_base_free(g.base);
	return 0;
}
