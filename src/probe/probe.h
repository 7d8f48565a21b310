/* probe: active measurement of one member (uplink) through that uplink only.
 * A prober owns the sockets of one member, every one bound to the member's
 * device (SO_BINDTODEVICE) and source address (and optionally a fwmark), so
 * a probe can never leave through another uplink. It sends when told to
 * (the scheduler decides when) and reports every outcome through a callback:
 * a reply with its RTT, a loss when the loss timeout passes, and — dpinger's
 * lesson — a late reply after that, still reported (flag late) so statistics
 * can count it, while detection has already counted the loss. */
#ifndef AUTONOMY_PROBE_H
#define AUTONOMY_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct event_base;

enum probe_kind { PROBE_ICMP, PROBE_TCP, PROBE_DNS, PROBE_HTTP, PROBE_HTTPS };

#define PROBE_HOST_MAX 128
#define PROBE_PATH_MAX 128

/* A probe target, parsed from a member's `list target` value:
 *   "1.1.1.1" / "2606:4700::1111"        ICMP echo
 *   "icmp:1.1.1.1"                        ICMP echo
 *   "tcp:1.1.1.1:443" / "tcp:[2001:db8::1]:53"   TCP connect (RST counts as reply:
 *                                         the path worked)
 *   "dns:9.9.9.9" / "dns:9.9.9.9/example.com"   DNS query (A, default name ".", type NS)
 *   "http://198.51.100.1/path" / "https://198.51.100.1:8443/" [,status=204] [,host=NAME]
 *                                         HTTP(S) HEAD, expects 2xx/3xx (or the status given);
 *                                         host= sets the Host header and the TLS SNI name
 *   "dns:[2001:db8::53]:5353/example.com" a port for DNS (IPv6 with a port in brackets)
 * Addresses are numeric: a probe must not depend on DNS through another uplink.
 * Unspecified, loopback, multicast and broadcast addresses, IPv4-mapped IPv6
 * and zone indexes ("%wan") are refused: the probe is bound to the member's
 * device anyway. */
struct probe_target {
	enum probe_kind kind;
	int family;                     /* AF_INET / AF_INET6 */
	struct sockaddr_storage addr;   /* with port for TCP/DNS/HTTP */
	socklen_t addrlen;
	char qname[PROBE_HOST_MAX];     /* DNS */
	char path[PROBE_PATH_MAX];      /* HTTP */
	int expect_status;              /* HTTP: 0 = any 2xx/3xx */
	char label[PROBE_HOST_MAX + 16]; /* canonical text, e.g. "tcp:1.1.1.1:443" */
	char host[PROBE_HOST_MAX];      /* HTTP(S): host= (Host header, SNI); "" = the address */
};

/* Returns 0, or -1 with a message in err ("'tcp:1.1.1.1' needs a port"). */
int probe_target_parse(const char *spec, struct probe_target *t, char *err, size_t errsz);

enum probe_outcome {
	PROBE_REPLY,    /* answered within the loss timeout */
	PROBE_LOST,     /* no answer within the loss timeout */
	PROBE_LATE,     /* an answer after its loss was already reported */
	PROBE_SEND_ERR, /* could not even send (no carrier, no route, no address) */
};

struct probe_result {
	size_t target;          /* index into the prober's targets */
	enum probe_outcome outcome;
	uint64_t sent_us;       /* monotonic */
	uint32_t rtt_us;        /* REPLY and LATE */
	int err;                /* errno for SEND_ERR; for LOST: the ICMP error that
				 * ended the probe early (EHOSTUNREACH, ECONNREFUSED...)
				 * or EPROTO for an HTTP status that was not expected */
	int status;             /* HTTP(S): the status code seen; DNS: the rcode */
};

/* The callback may call prober_send (and the other setters); it must not
 * free the prober. */
typedef void (*probe_cb)(void *arg, const struct probe_result *r);

struct prober_config {
	const char *ifname;     /* device every probe is bound to */
	bool follow_routes;     /* bind no device or source: probes take the
				 * routing table's path (checks the default route) */
	uint32_t fwmark;        /* 0 = none */
	uint32_t timeout_ms;    /* loss timeout (1..60000; see prober_set_timeout) */
	const struct probe_target *targets;     /* copied by prober_new */
	size_t n_targets;
	uint32_t late_ms;       /* how long after the loss timeout a reply is still
				 * reported as PROBE_LATE (ICMP, DNS); 0 = 4 x timeout,
				 * within 1..15 s */
	bool tls_verify;        /* HTTPS: verify the certificate chain against the
				 * system CAs and its name against host= (or the
				 * address); off by default, targets being addresses */
};

/* sent counts probes that left (each ends as one reply or one loss, a late
 * reply adds to late, not to replies); send_errors are not in sent. */
struct prober_stats {
	uint64_t sent, replies, lost, late, send_errors;
	uint64_t bytes_sent, bytes_received;    /* IP payload incl. headers, for bytes/day */
	unsigned sockets;       /* open now */
	uint64_t icmp_errors;   /* probes ended early (LOST) by an ICMP error */
	uint64_t bad_replies;   /* HTTP status not the expected one (counted as LOST) */
	uint64_t ignored;       /* datagrams not ours, malformed or too late */
};

struct prober;

struct prober *prober_new(struct event_base *base, const struct prober_config *cfg,
			  probe_cb cb, void *arg);
void prober_free(struct prober *p);
/* Sends one probe to target i now. The outcome arrives through the callback
 * (possibly synchronously for PROBE_SEND_ERR). */
void prober_send(struct prober *p, size_t i);
/* The member's source address for a family (from linkmon), or NULL when it
 * has none: probes of that family then fail with PROBE_SEND_ERR
 * (EADDRNOTAVAIL). Binding the source as well as the device is what makes
 * the kernel's source-address rules pick the member's own routing table. */
void prober_set_source(struct prober *p, int family, const void *addr);
/* The loss timeout for probes sent from now on (adaptive timeouts: the
 * engine derives it from recent RTTs); probes in flight keep theirs.
 * Clamped to 1..60000 ms. With late_ms 0 the late window follows it. */
void prober_set_timeout(struct prober *p, uint32_t timeout_ms);
/* The member's device changed (reappeared, renamed back): reopen sockets. */
void prober_invalidate(struct prober *p);
/* SO_PRIORITY of every probe socket, open ones included (0 = the kernel's
 * default). The shaper gives the active member's probes the priority of
 * its most urgent queue, so they measure the link, not the shaper's own
 * queue (qos/qos_plan.h). */
void prober_set_priority(struct prober *p, uint32_t priority);
void prober_get_stats(const struct prober *p, struct prober_stats *out);

/* "icmp", "tcp", "dns", "http", "https" / "reply", "lost", "late", "send_err". */
const char *probe_kind_name(enum probe_kind k);
const char *probe_outcome_name(enum probe_outcome o);

#endif
