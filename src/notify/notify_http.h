/* notify_http: HTTP(S) and SMTP requests with libcurl's multi interface on
 * the daemon's libevent loop (CURLMOPT_SOCKETFUNCTION / TIMERFUNCTION and
 * curl_multi_socket_action): nothing waits on the loop.
 *
 * Every transfer is bound like the probes: SO_BINDTODEVICE to the uplink's
 * device (CURLOPT_SOCKOPTFUNCTION) and its source address (CURLOPT_INTERFACE
 * "host!ADDR"), one address family, a fresh connection (a pooled one could
 * belong to another uplink). Without WITH_ALERTS (no libcurl) every request
 * fails with "built without WITH_ALERTS" (notify_http_off.c). Names are
 * resolved before (notify_dns.h) and handed over as CURLOPT_RESOLVE, so
 * libcurl's resolver thread never runs: on a timeout libcurl would join it,
 * and the loop would wait for getaddrinfo(). */
#ifndef AUTONOMY_NOTIFY_NOTIFY_HTTP_H
#define AUTONOMY_NOTIFY_NOTIFY_HTTP_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "notify/notify_chan.h"

struct event_base;
struct nt_http;
struct nt_xfer;

/* Where a request leaves: an uplink's device and source address (both
 * empty: wherever the routing table says — the tests' own servers). */
struct nt_bind {
	char dev[IF_NAMESIZE];
	char src[48];                   /* numeric address, "" = none */
	int family;                     /* AF_INET, AF_INET6, 0 = either */
	char resolve[400];              /* CURLOPT_RESOLVE "host:port:addr,...": no DNS */
};

/* r is valid during the call; took_ms from start to the end. */
typedef void (*nt_done_fn)(void *arg, const struct notify_reply *r, uint64_t took_ms);

struct nt_http *nt_http_new(struct event_base *base);
/* Cancels what is running (no callbacks). */
void nt_http_free(struct nt_http *t);
/* Starts rq (HTTP or SMTP). The callback follows from the loop, never
 * from inside this call. NULL when even starting failed. */
struct nt_xfer *nt_http_send(struct nt_http *t, const struct notify_req *rq,
			     const struct nt_bind *b, unsigned connect_ms, unsigned total_ms,
			     nt_done_fn cb, void *arg);
/* Stops a transfer; its callback never comes. */
void nt_xfer_cancel(struct nt_xfer *x);
/* The library in use: "libcurl/7.88.1 OpenSSL/3.0.x (threaded resolver)". */
const char *nt_http_version(void);
/* Whether this build can send at all. */
bool nt_http_available(void);

#endif
