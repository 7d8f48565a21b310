/* linkmon_watch: test driver for linkmon on a real kernel.
 *
 *   linkmon_watch [--rcvbuf BYTES]
 *	Runs linkmon on a libevent loop. Prints the initial table as STATE
 *	lines, then "READY", then one line per event, each starting with the
 *	monotonic time in µs at which the callback ran:
 *	  1234567 NEW veth0 idx=3 carrier=1 oper=6 admin=1 mtu=1500
 *	  1234567 CHANGE veth0 carrier=0 oper=2 admin=1 mtu=1500
 *	  1234567 ADDR veth0 +192.0.2.1/24 -2001:db8::1/64 ~fe80::1/64
 *	  1234567 DEL veth0 idx=3
 *	(ADDR: + added, - removed, ~ scope or tentative/deprecated changed.)
 *	SIGUSR1 stalls the loop for 1.5 s (prints "STALL" first) so a test can
 *	overrun a small receive buffer; SIGUSR2 prints STATS and STATE lines;
 *	SIGHUP requests a resync (linkmon_resync); SIGTERM/SIGINT print STATS
 *	and exit.
 *
 *	LINKMON_DEBUG=1 in the environment logs linkmon's debug messages.
 *
 *   linkmon_watch --exec CMD [ARG...]
 *	Runs CMD and prints "EXEC <start_us> <end_us> <status>" (monotonic),
 *	so a script can measure event latency against the same clock.
 *
 * Build: gcc -std=gnu11 -D_GNU_SOURCE -Isrc src/link/linkmon.c src/core/log.c
 *   src/core/clock.c tests/integration/linkmon_watch.c
 *   $(pkg-config --cflags --libs libmnl libevent_core) -o linkmon_watch */
#include "link/linkmon.h"

#include "core/clock.h"
#include "core/log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>

extern char **environ;

static struct linkmon *g_lm;

static void print_state(const char *tag, const struct link_info *li)
{
	printf("%s %s idx=%d carrier=%d oper=%u admin=%d mtu=%u up=%d addrs=%u\n", tag,
	       li->name, li->ifindex, li->carrier, li->operstate, li->admin_up, li->mtu,
	       li->oper_up, li->n_addrs);
}

static void print_addr(char sign, const struct link_addr *a)
{
	char text[INET6_ADDRSTRLEN] = "?";
	inet_ntop(a->family, &a->addr, text, sizeof(text));
	printf(" %c%s/%u", sign, text, a->prefixlen);
}

static const struct link_addr *find_addr(const struct link_info *li, const struct link_addr *a)
{
	size_t len = a->family == AF_INET ? 4 : 16;
	for (int i = 0; i < li->n_addrs; i++) {
		const struct link_addr *b = &li->addrs[i];
		if (b->family == a->family && b->prefixlen == a->prefixlen &&
		    memcmp(&b->addr, &a->addr, len) == 0)
			return b;
	}
	return NULL;
}

static void print_addr_diff(const struct link_info *old, const struct link_info *cur)
{
	for (int i = 0; i < cur->n_addrs; i++) {
		const struct link_addr *o = find_addr(old, &cur->addrs[i]);
		if (!o)
			print_addr('+', &cur->addrs[i]);
		else if (o->scope != cur->addrs[i].scope || o->flags != cur->addrs[i].flags)
			print_addr('~', &cur->addrs[i]);
	}
	for (int i = 0; i < old->n_addrs; i++)
		if (!find_addr(cur, &old->addrs[i]))
			print_addr('-', &old->addrs[i]);
}

static void on_event(void *arg, enum linkmon_event ev, const struct link_info *old,
		     const struct link_info *cur)
{
	unsigned long long now = (unsigned long long)clock_mono_us();
	printf("%llu %s %s", now, linkmon_event_name(ev), cur->name);
	switch (ev) {
	case LINKMON_NEW:
		printf(" idx=%d carrier=%d oper=%u admin=%d mtu=%u addrs=%u", cur->ifindex,
		       cur->carrier, cur->operstate, cur->admin_up, cur->mtu, cur->n_addrs);
		break;
	case LINKMON_CHANGE:
		printf(" carrier=%d oper=%u admin=%d mtu=%u", cur->carrier, cur->operstate,
		       cur->admin_up, cur->mtu);
		break;
	case LINKMON_DEL:
		printf(" idx=%d", cur->ifindex);
		break;
	case LINKMON_ADDR:
		print_addr_diff(old, cur);
		break;
	}
	printf("\n");
	fflush(stdout);
}

static void print_stats(void)
{
	struct linkmon_stats st;
	linkmon_get_stats(g_lm, &st);
	printf("STATS events=%llu resyncs=%llu errors=%llu enobufs=%llu\n",
	       (unsigned long long)st.events, (unsigned long long)st.resyncs,
	       (unsigned long long)st.errors, (unsigned long long)st.enobufs);
	for (size_t i = 0; linkmon_at(g_lm, i); i++)
		print_state("STATE", linkmon_at(g_lm, i));
	printf("STATE_END\n");      /* the table is complete: tests wait for this */
	fflush(stdout);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct event_base *base = arg;
	switch (sig) {
	case SIGUSR1:
		/* A test driver may block its own loop: that is the point. */
		printf("STALL\n");
		fflush(stdout);
		usleep(1500 * 1000);
		printf("UNSTALL\n");
		fflush(stdout);
		break;
	case SIGUSR2:
		print_stats();
		break;
	case SIGHUP:
		linkmon_resync(g_lm);
		break;
	default:
		print_stats();
		event_base_loopbreak(base);
	}
}

static int run_exec(char **argv)
{
	pid_t pid;
	uint64_t t0 = clock_mono_us();
	int rc = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
	if (rc != 0) {
		fprintf(stderr, "linkmon_watch: %s: %s\n", argv[0], strerror(rc));
		return 127;
	}
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	uint64_t t1 = clock_mono_us();
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
	printf("EXEC %llu %llu %d\n", (unsigned long long)t0, (unsigned long long)t1, code);
	return code;
}

static int watch(int rcvbuf)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGUSR1, SIGUSR2, SIGHUP };
	enum { NSIGS = sizeof(sigs) / sizeof(sigs[0]) };
	struct event *sev[NSIGS];
	struct event_base *base = event_base_new();
	if (!base)
		return 1;
	g_lm = linkmon_new(base, on_event, NULL);
	if (!g_lm) {
		perror("linkmon_new");
		return 1;
	}
	if (rcvbuf > 0 && linkmon_set_rcvbuf(g_lm, rcvbuf) < 0)
		perror("rcvbuf");
	for (int i = 0; i < NSIGS; i++) {
		sev[i] = evsignal_new(base, sigs[i], on_signal, base);
		event_add(sev[i], NULL);
	}
	for (size_t i = 0; linkmon_at(g_lm, i); i++)
		print_state("STATE", linkmon_at(g_lm, i));
	printf("READY\n");
	fflush(stdout);

	event_base_dispatch(base);

	for (int i = 0; i < NSIGS; i++)
		event_free(sev[i]);
	linkmon_free(g_lm);
	event_base_free(base);
	return 0;
}

int main(int argc, char **argv)
{
	log_open("linkmon_watch", true, getenv("LINKMON_DEBUG") ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 3 && strcmp(argv[1], "--exec") == 0)
		return run_exec(argv + 2);
	if (argc == 3 && strcmp(argv[1], "--rcvbuf") == 0)
		return watch(atoi(argv[2]));
	if (argc == 1)
		return watch(0);
	fprintf(stderr, "usage: %s [--rcvbuf BYTES] | --exec CMD [ARG...]\n", argv[0]);
	return 2;
}
