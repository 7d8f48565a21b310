/* notify_dns: the endpoints' names, resolved off the loop. libcurl's own
 * resolver (a thread per lookup in Debian's and OpenWrt's builds) is never
 * used: when a transfer times out while its lookup still runs, libcurl
 * joins that thread — the loop would wait as long as getaddrinfo() does
 * (10 s with every uplink down). Instead a child (`autonomyd --resolve`,
 * core/proc, with a timeout) looks the name up and the transfer gets the
 * addresses through CURLOPT_RESOLVE. Answers are kept for NDNS_FRESH_MS; a
 * lookup that fails falls back on the last good answer (the DNS path may be
 * down while the endpoint is reachable), and a name with no answer at all
 * is not asked again for NDNS_NEGATIVE_MS. */
#ifndef AUTONOMY_NOTIFY_NOTIFY_DNS_H
#define AUTONOMY_NOTIFY_NOTIFY_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NDNS_ENTRIES 16
#define NDNS_ADDRS 8
#define NDNS_FRESH_MS (5 * 60 * 1000)
#define NDNS_NEGATIVE_MS 3000

struct event_base;
struct proc;

struct notify_dns;

struct ndns_entry {
	struct notify_dns *d;
	char host[256];
	char addrs[NDNS_ADDRS][48];
	unsigned n;                     /* last good answer (kept when stale) */
	uint64_t ok_mono;               /* when it was got; 0 = never */
	uint64_t fail_mono;             /* the last lookup that found nothing */
	char error[320];
	struct proc *proc;              /* a lookup running */
	uint64_t used_mono;
};

struct notify_dns {
	struct event_base *base;
	char self[4096];                /* this program, for --resolve */
	unsigned timeout_ms;
	void (*ready)(void *arg);       /* a lookup ended */
	void *arg;
	struct ndns_entry e[NDNS_ENTRIES];
};

void ndns_init(struct notify_dns *d, struct event_base *base, void (*ready)(void *), void *arg);
void ndns_free(struct notify_dns *d);
/* The addresses of host: 1 with *e holding them (fresh, or stale after a
 * failed lookup); 0 while a lookup runs (ready() follows); -1 when there is
 * no answer (e->error says why). */
int ndns_get(struct notify_dns *d, const char *host, uint64_t now, const struct ndns_entry **e);

/* The host and port of an http(s)/smtp(s) URL; 0 or -1. */
int ndns_url_host(const char *url, char *host, size_t size, unsigned *port);
/* "host:port:a,b" for CURLOPT_RESOLVE, only family (AF_INET / AF_INET6; 0 =
 * both) addresses; 0, or -1 when none fits. */
int ndns_resolve_line(const struct ndns_entry *e, const char *host, unsigned port, int family,
		      char *out, size_t size);

#endif
