/* probe internals: the prober's state shared by the per-kind files, and the
 * pure message functions (build, parse, match) that unit tests and fuzzers
 * use without sockets.
 *
 * File map:
 *   target.c    probe_target_parse                     (pure)
 *   icmp_msg.c  echo build/parse/match, checksum        (pure)
 *   dns_msg.c   query build, response parse/match       (pure)
 *   http_msg.c  HEAD request build, status-line parse   (pure)
 *   prober.c    the prober: slots, loss timer, stats, dispatch
 *   sock.c      sockets bound to the member (device, source, mark)
 *   dgram.c     shared datagram sockets: read loop, error queue, timestamps
 *   icmp.c dns.c          datagram probe kinds
 *   conn.c tcp.c http.c   connection probe kinds (one socket per probe)
 *   tls.c       OpenSSL contexts and sessions for https */
#ifndef AUTONOMY_PROBE_INTERNAL_H
#define AUTONOMY_PROBE_INTERNAL_H

#include "probe/probe.h"

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event;
struct msghdr;
struct sock_extended_err;

/* ==== pure: ICMP echo (icmp_msg.c) ===================================== */

/* Our echo payload: a per-prober nonce (tells our replies from anyone
 * else's, since with ping sockets the kernel picks the identifier) and the
 * send timestamp (tells this probe from one 65536 sequence numbers ago). */
#define PROBE_ICMP_PAYLOAD      16
#define PROBE_ICMP_LEN          (8 + PROBE_ICMP_PAYLOAD)

struct probe_echo {
	uint8_t type;
	uint16_t id, seq;
	uint64_t nonce, stamp;
};

uint16_t probe_inet_cksum(const void *data, size_t len);
/* An echo request into buf (>= PROBE_ICMP_LEN); IPv4 gets its checksum
 * (ping sockets and ICMPv6 have the kernel fill it). Returns the length. */
size_t probe_icmp_build(uint8_t *buf, int family, const struct probe_echo *e);
/* Parses an ICMP message in our format; want_reply selects echo reply
 * (received) or echo request. 0 or -1. */
int probe_icmp_parse(const uint8_t *buf, size_t len, int family, bool want_reply,
		     struct probe_echo *e);
/* Our echo request as quoted back by an ICMP error: routers may quote only
 * the first 8 bytes. Returns 1 (all of it: nonce and stamp filled), 0 (the
 * header only: id and seq), -1 (not an echo request). */
int probe_icmp_parse_quote(const uint8_t *buf, size_t len, int family, struct probe_echo *e);
/* Where the ICMP message starts in a raw IPv4 socket's datagram (which
 * carries the IP header); -1 if the header is malformed or not ICMP. */
int probe_ipv4_skip(const uint8_t *buf, size_t len);
/* A received datagram is one of our replies: echo reply in our format with
 * our nonce and, when want_id >= 0 (raw sockets), our identifier. raw_v4:
 * the datagram starts with an IPv4 header. 0 (e filled) or -1. */
int probe_icmp_match(const uint8_t *buf, size_t len, int family, bool raw_v4, int want_id,
		     uint64_t nonce, struct probe_echo *e);

/* ==== pure: DNS (dns_msg.c) ============================================ */

#define PROBE_DNS_QMAX          (12 + 255 + 4)  /* header + name + type/class */
#define PROBE_DNS_TYPE_A        1
#define PROBE_DNS_TYPE_NS       2

struct probe_dns_reply {
	uint16_t id;
	uint8_t rcode;
	bool tc;
	uint16_t qdcount, ancount, nscount, arcount;
	uint16_t qtype, qclass;         /* when qdcount == 1 */
	uint16_t qname_off, qname_len;  /* the question's wire-format name */
};

/* "." (root) asks NS, anything else A: both are answered by every resolver
 * and neither answer is large. */
uint16_t probe_dns_qtype(const char *qname);
/* Wire-format name for "example.com" / "." into buf; length or -1. */
int probe_dns_encode_name(uint8_t *buf, size_t cap, const char *qname);
/* A recursive query (RD) with one question, class IN. Length or -1. */
int probe_dns_build_query(uint8_t *buf, size_t cap, uint16_t id, const char *qname,
			  uint16_t qtype);
/* Checks that buf is a well-formed response: header with QR, opcode QUERY,
 * at most one question without compression, every resource record within
 * the message (names with backward compression pointers only). A response
 * with TC set needs only a valid header and question. 0 (r filled) or -1. */
int probe_dns_parse_response(const uint8_t *buf, size_t len, struct probe_dns_reply *r);
/* The parsed response answers our query (id, and when it carries a question:
 * the same name, case-insensitively, type and class IN). q: our query. */
bool probe_dns_matches(const struct probe_dns_reply *r, const uint8_t *resp,
		       const uint8_t *q, size_t qlen);

/* ==== pure: HTTP (http_msg.c) ========================================== */

#define PROBE_HTTP_REQ_MAX      512
#define PROBE_HTTP_LINE_MAX     256     /* a longer status line is malformed */

/* "HEAD PATH HTTP/1.1" with Host, User-Agent, Connection: close. Length or -1. */
int probe_http_build_request(char *buf, size_t cap, const struct probe_target *t);
/* Parses "HTTP/1.x NNN[ reason]\r\n" at the start of buf. Returns the length
 * of the line (including LF) with *status set, 0 if more bytes are needed,
 * -1 if malformed (also: no LF within PROBE_HTTP_LINE_MAX). */
int probe_http_parse_status(const char *buf, size_t len, int *status);
/* The final status past any interim 1xx responses (103 Early Hints):
 * where its line ends, 0 for need more, -1 for malformed. */
int probe_http_parse_response(const char *buf, size_t len, int *status);
/* expect 0: any 2xx/3xx; else exactly expect. */
bool probe_http_status_ok(int status, int expect);

/* ==== the prober (prober.c) ============================================ */

/* Pending probes and late records. Bounded: a burst past it fails with
 * ENOBUFS rather than growing memory. Power of two: ICMP slots are indexed
 * by sequence number. */
#define PROBER_SLOTS            256

enum probe_slot_state { SLOT_FREE, SLOT_PENDING, SLOT_LATE };

struct probe_conn;

struct probe_slot {
	uint64_t sent_us;       /* monotonic */
	uint64_t sent_rt_ns;    /* CLOCK_REALTIME: kernel rx timestamps use it */
	uint64_t deadline_us;   /* PENDING: loss deadline; LATE: end of record */
	struct probe_conn *conn;/* TCP/HTTP(S): the probe's own connection */
	uint32_t target;
	uint16_t key;           /* ICMP sequence / DNS id */
	uint8_t state;
};

/* A shared datagram socket of one family (ICMP or DNS). */
struct probe_dgram {
	struct prober *p;
	struct event *ev;
	int fd;                 /* -1: closed (opened on the next send) */
	int family;
	bool raw;               /* raw ICMP fallback: we filter by identifier */
	uint8_t l4hdr;          /* UDP header bytes, for byte accounting */
	uint16_t id;            /* ICMP identifier we send (raw sockets) */
	/* per kind: a datagram arrived / an error came off the error queue */
	void (*on_data)(struct probe_dgram *d, const uint8_t *buf, size_t len,
			const struct msghdr *msg, uint64_t now_us);
	void (*on_error)(struct probe_dgram *d, const struct sock_extended_err *ee,
			 const uint8_t *payload, size_t len, const struct sockaddr *dst);
};

struct prober {
	struct event_base *base;
	char ifname[IF_NAMESIZE];
	bool follow_routes;     /* no device or source binding */
	uint32_t fwmark, timeout_ms, late_ms;
	uint32_t priority;      /* SO_PRIORITY; 0 = none */
	bool late_auto;         /* late_ms follows timeout_ms */
	bool tls_verify;
	struct probe_target *targets;
	size_t n_targets;
	void **tls_sessions;    /* per target: SSL_SESSION * for resumption */
	probe_cb cb;
	void *arg;
	bool have_src4, have_src6;
	struct in_addr src4;
	struct in6_addr src6;
	struct probe_dgram icmp[2], dns[2];     /* [0] IPv4, [1] IPv6 */
	struct probe_slot slots[PROBER_SLOTS];
	uint16_t next_seq;
	uint64_t nonce;
	uint64_t rng;           /* splitmix64 state: DNS ids, ICMP ids */
	struct event *timer;
	uint64_t timer_at;      /* 0: not armed */
	struct prober_stats st;
	bool tls_ref;           /* holds a reference on the shared TLS contexts */
};

/* The per-kind operations, table-driven from enum probe_kind. send: start
 * the probe in slot s (stamping s->sent_us just before the packet leaves);
 * 0 or an errno, which the prober reports as PROBE_SEND_ERR. late_ok: a
 * reply can still arrive after the loss (datagram kinds; a connection is
 * closed at the loss). */
struct probe_kind_ops {
	int (*send)(struct prober *p, struct probe_slot *s, const struct probe_target *t);
	bool late_ok;
};

extern const struct probe_kind_ops probe_icmp_ops, probe_tcp_ops, probe_dns_ops,
	probe_http_ops;

/* Ends slot s and tells the callback. REPLY and LATE free the slot; LOST
 * keeps a late record where the kind allows. A connection is closed first. */
void probe_finish(struct prober *p, struct probe_slot *s, enum probe_outcome o,
		  uint32_t rtt_us, int err, int status);
/* A reply (REPLY, or LATE within the late record) for slot s. */
void probe_answer(struct prober *p, struct probe_slot *s, uint32_t rtt_us, int status,
		  uint64_t now_us);
/* Sets s->sent_us and s->sent_rt_ns to now. */
void probe_stamp(struct probe_slot *s);
uint64_t probe_rand64(struct prober *p);
static inline int probe_fam_idx(int family) { return family == AF_INET6; }
static inline struct probe_slot *probe_slot_of(struct prober *p, uint16_t seq)
{
	return &p->slots[seq & (PROBER_SLOTS - 1)];
}
static inline const struct probe_target *probe_slot_target(const struct prober *p,
							    const struct probe_slot *s)
{
	return &p->targets[s->target];
}
/* IP header bytes for byte accounting (options and extension headers are
 * not used by our probes). */
static inline unsigned probe_iphdr_len(int family) { return family == AF_INET6 ? 40 : 20; }
bool probe_sockaddr_equal(const struct sockaddr *a, const struct sockaddr *b);

/* ==== sockets bound to the member (sock.c) ============================= */

/* socket() non-blocking, close-on-exec, bound to the device, marked, and
 * bound to the member's source address (port 0). Returns the fd or
 * -errno: EADDRNOTAVAIL if the member has no source of that family. */
int probe_sock_open(struct prober *p, int family, int type, int proto);
void probe_sock_close(struct prober *p, int fd);

/* ==== shared datagram sockets (dgram.c) ================================ */

/* Opens d if closed (IP_RECVERR, SO_TIMESTAMPNS, the read event). proto
 * picks the socket; for ICMP it tries a ping socket, then a raw one. */
int probe_dgram_ensure(struct prober *p, struct probe_dgram *d, int family, int proto);
void probe_dgram_close(struct prober *p, struct probe_dgram *d);
/* sendto that understands a pending asynchronous error: drains the error
 * queue (matching those errors to earlier probes) and tries once more.
 * Returns 0 or an errno. */
int probe_dgram_send(struct probe_dgram *d, const void *buf, size_t len,
		     const struct sockaddr *to, socklen_t tolen);
/* RTT of a datagram reply: from the kernel's receive timestamp when it is
 * consistent with the monotonic clock (it excludes our own loop's delay),
 * else from the monotonic clock. */
uint32_t probe_dgram_rtt(const struct probe_slot *s, const struct msghdr *msg,
			 uint64_t now_us);
/* ICMP errors that mean "unreachable"; PMTU signals are not losses. */
bool probe_dgram_error_is_loss(const struct sock_extended_err *ee);

/* ==== connection probes (conn.c, tcp.c, http.c) ======================== */

enum probe_conn_phase { CONN_CONNECTING, CONN_HANDSHAKE, CONN_WRITE, CONN_READ };

struct probe_conn {
	struct prober *p;
	struct probe_slot *slot;
	struct event *ev;
	void (*step)(struct probe_conn *c);     /* the kind's handler */
	int fd;
	int family;
	int sync_err;           /* connect() finished at once: its result + 1 */
	bool connected;
	bool tls_ok;            /* the probe succeeded: keep the TLS session */
	uint8_t phase;
	void *ssl;
	uint16_t req_len, req_off, rx_len;
	char req[PROBE_HTTP_REQ_MAX];
	char rx[PROBE_HTTP_LINE_MAX * 2];
};

/* Starts a non-blocking connect bound to the member for slot s; step runs
 * when the socket is ready. 0 or an errno (send error). */
int probe_conn_start(struct prober *p, struct probe_slot *s, const struct probe_target *t,
		     void (*step)(struct probe_conn *c));
/* The connect's result: 0, an errno, or EINPROGRESS (not yet). */
int probe_conn_result(struct probe_conn *c);
/* Waits for readability (read) or writability. */
void probe_conn_wait(struct probe_conn *c, bool read);
/* Closes s's connection (RST: SO_LINGER 0), counting its bytes. */
void probe_conn_close(struct prober *p, struct probe_slot *s);

/* ==== TLS (tls.c) ===================================================== */

/* I/O results beside a byte count (> 0) */
enum { PROBE_IO_EOF = 0, PROBE_IO_WANT_READ = -1, PROBE_IO_WANT_WRITE = -2, PROBE_IO_ERR = -3 };

/* The shared client contexts, counted by the probers that have https targets. */
int probe_tls_ref(void);
void probe_tls_unref(void);
/* An SSL for target i of p over fd: SNI, verification, session to resume.
 * NULL on failure. */
void *probe_tls_new(struct prober *p, size_t i, int fd);
void probe_tls_free(void *ssl, bool keep_session);
int probe_tls_handshake(void *ssl);     /* 1 done, or PROBE_IO_* */
int probe_tls_write(void *ssl, const void *buf, size_t len);
int probe_tls_read(void *ssl, void *buf, size_t len);
void probe_tls_sessions_free(struct prober *p);

#endif
