/* cell_drive: runs one cellular source (src/cellular/cell_src.h) on a libevent
 * loop and prints one JSON line per callback, then a last line with the
 * children still running and the loop's heartbeat count. Used by
 * tests/integration/run-cellular.sh with the fake tools.
 *
 *   cell_drive [-n polls] [-i interval_ms] [-t timeout_ms] [-M modem]
 *              [-q qmi_device] [-P tool=path]... [-F free_after_ms]
 *
 * A 50 ms heartbeat timer runs all along: its count in each line shows the
 * loop kept running while a child hung. -F frees the source that long after
 * the first poll (a cycle still running: no callback may follow). */
#include "core/clock.h"
#include "core/log.h"
#include "core/proc.h"
#include "cellular/cell_src.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

static struct {
	struct event_base *base;
	struct cell_src *src;
	struct event *tick, *next, *killer;
	long polls, done;
	unsigned interval_ms;
	unsigned long ticks;
	uint64_t t0;
} g = { .polls = 1, .interval_ms = 100 };

static void num(const char *key, double v)
{
	if (isnan(v))
		printf(",\"%s\":null", key);
	else
		printf(",\"%s\":%.2f", key, v);
}

/* A JSON string from our own bounded, printable fields. */
static void str(const char *key, const char *v)
{
	printf(",\"%s\":\"", key);
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

static void arm(struct event *ev, unsigned ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
	evtimer_add(ev, &tv);
}

static void on_sample(void *arg, const struct cell_sample *s, const struct cell_src_info *info)
{
	const char *now = cell_src_tool(g.src);
	g.done++;
	printf("{\"n\":%ld", g.done);
	str("tool", info->tool);
	str("src_tool", now ? now : "");
	printf(",\"ok\":%s,\"failed\":%u", info->ok ? "true" : "false", info->failed);
	str("error", info->error);
	printf(",\"commands\":%u,\"took_ms\":%llu,\"ticks\":%lu,\"t_ms\":%llu", info->commands,
	       (unsigned long long)(info->took_us / 1000), g.ticks,
	       (unsigned long long)((clock_mono_us() - g.t0) / 1000));
	str("source", s->source);
	str("state", cell_modem_state_name(s->state));
	str("state_reason", s->state_reason);
	str("reg", cell_reg_name(s->reg));
	printf(",\"roaming\":%d", s->roaming);
	str("tech", cell_tech_name(s->tech));
	str("operator", s->operator_name);
	str("code", s->operator_code);
	num("rsrp", s->rsrp_dbm);
	num("rsrq", s->rsrq_db);
	num("sinr", s->sinr_db);
	num("rssi", s->rssi_dbm);
	num("nr_rsrp", s->nr_rsrp_dbm);
	num("nr_sinr", s->nr_sinr_db);
	printf(",\"csq\":%d,\"signal_pct\":%d,\"band\":%d,\"pci\":%d", s->csq, s->signal_pct,
	       s->band, s->pci);
	str("tac", s->tac);
	printf(",\"rx_bytes\":%lld}\n", s->bearer_rx_bytes);
	fflush(stdout);
	if (g.done >= g.polls)
		event_base_loopexit(g.base, NULL);
	else
		arm(g.next, g.interval_ms);
	(void)arg;
}

static void on_next(evutil_socket_t fd, short what, void *arg)
{
	if (cell_src_poll(g.src) != 0)
		fprintf(stderr, "cell_drive: a cycle was still running\n");
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	g.ticks++;
	arm(g.tick, 50);
}

static void on_kill(evutil_socket_t fd, short what, void *arg)
{
	cell_src_free(g.src);
	g.src = NULL;
	printf("{\"freed\":true,\"t_ms\":%llu}\n",
	       (unsigned long long)((clock_mono_us() - g.t0) / 1000));
	fflush(stdout);
	/* let proc reap the killed child, then stop */
	struct timeval tv = { 1, 500000 };
	event_base_loopexit(g.base, &tv);
}

static int set_path(struct cell_src_opts *o, char *spec)
{
	char *eq = strchr(spec, '=');
	if (!eq)
		return -1;
	*eq = '\0';
	const char **slot = !strcmp(spec, "mmcli") ? &o->mmcli : !strcmp(spec, "uqmi") ? &o->uqmi :
			    !strcmp(spec, "qmicli") ? &o->qmicli :
			    !strcmp(spec, "gsmctl") ? &o->gsmctl : NULL;
	if (!slot)
		return -1;
	*slot = eq + 1;
	return 0;
}

int main(int argc, char **argv)
{
	struct cell_src_opts o = { .member = "wwan", .modem = -1 };
	long free_after = -1;
	int opt;
	while ((opt = getopt(argc, argv, "n:i:t:M:q:P:F:")) != -1) {
		switch (opt) {
		case 'n': g.polls = atol(optarg); break;
		case 'i': g.interval_ms = (unsigned)atoi(optarg); break;
		case 't': o.timeout_ms = (unsigned)atoi(optarg); break;
		case 'M': o.modem = atoi(optarg); break;
		case 'q': o.qmi_device = optarg; break;
		case 'P':
			if (set_path(&o, optarg) < 0) {
				fprintf(stderr, "cell_drive: -P tool=path\n");
				return 2;
			}
			break;
		case 'F': free_after = atol(optarg); break;
		default:
			fprintf(stderr, "usage: cell_drive [-n polls] [-i ms] [-t ms] [-M modem] "
				"[-q dev] [-P tool=path] [-F ms]\n");
			return 2;
		}
	}
	log_open("cell_drive", true, LOG_LVL_INFO);
	g.base = event_base_new();
	g.src = cell_src_new(g.base, &o, on_sample, NULL);
	if (!g.base || !g.src) {
		fprintf(stderr, "cell_drive: cannot create the source\n");
		return 1;
	}
	g.tick = evtimer_new(g.base, on_tick, NULL);
	g.next = evtimer_new(g.base, on_next, NULL);
	g.killer = evtimer_new(g.base, on_kill, NULL);
	g.t0 = clock_mono_us();
	arm(g.tick, 50);
	if (free_after >= 0)
		arm(g.killer, (unsigned)free_after);
	if (cell_src_poll(g.src) != 0)
		return 1;
	event_base_dispatch(g.base);
	printf("{\"end\":true,\"children\":%u,\"ticks\":%lu}\n", proc_running(), g.ticks);
	cell_src_free(g.src);
	event_free(g.tick);
	event_free(g.next);
	event_free(g.killer);
	event_base_free(g.base);
	return 0;
}
