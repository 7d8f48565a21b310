/* sl_grpc: gRPC unary calls to the Starlink dish over one persistent h2c
 * connection (HTTP/2 with prior knowledge, plaintext), driven by libevent.
 *
 * The connection is made lazily by the first call and kept; calls made while
 * it is being made are queued. Every call has its own deadline timer: at
 * expiry the stream is reset (CANCEL) and the call ends with
 * SL_GRPC_E_DEADLINE. A deadline that expires with no byte received on the
 * connection since the call started means the dish accepted TCP and went
 * silent: the connection is closed and the next connect waits out a backoff
 * (backoff_min doubling to backoff_max, reset by a successful response).
 * Connect failures back off the same way; a call made during a backoff fails
 * at once unless the backoff ends within the first half of the call's
 * deadline (then it waits).
 *
 * Exactly one callback per accepted call, always from the event loop, never
 * from inside sl_grpc_call. Nothing blocks: the socket is non-blocking, the
 * host is numeric (no DNS on the loop). */
#ifndef AUTONOMY_LINK_SL_GRPC_H
#define AUTONOMY_LINK_SL_GRPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event_base;
struct sl_grpc;

/* Our own failure codes (gRPC codes are 0..16). */
enum {
	SL_GRPC_E_DEADLINE = -1,        /* our deadline fired */
	SL_GRPC_E_CONNECT = -2,         /* refused, unreachable, connect timeout, backoff */
	SL_GRPC_E_RESET = -3,           /* connection closed or stream reset before trailers */
	SL_GRPC_E_PROTOCOL = -4,        /* bad HTTP status, bad frame, no grpc-status */
};

struct sl_grpc_opts {
	const char *host;               /* numeric IPv4 or IPv6 */
	uint16_t port;
	const char *ifname;             /* SO_BINDTODEVICE; NULL = no binding */
	unsigned connect_timeout_ms;    /* 0 = 2000 */
	unsigned backoff_min_ms;        /* 0 = 1000 */
	unsigned backoff_max_ms;        /* 0 = 60000 */
	size_t max_message;             /* largest response accepted; 0 = 4 MiB */
};

struct sl_grpc_result {
	int status;                     /* gRPC code 0..16 or SL_GRPC_E_* */
	char message[160];              /* grpc-message or our reason; "" when OK */
	const uint8_t *msg;             /* the response message (no prefix); valid during the callback */
	size_t len;
	uint64_t took_us;               /* call start to result */
	uint64_t bytes_out, bytes_in;   /* HTTP/2 bytes of this call's stream (frame headers included) */
};

typedef void (*sl_grpc_cb)(void *arg, const struct sl_grpc_result *r);

struct sl_grpc_stats {
	const char *state;              /* "idle" | "connecting" | "connected" | "backoff" */
	uint64_t connects;              /* TCP connections established */
	uint64_t connect_failures;
	uint64_t calls, ok, errors, deadlines;
	uint64_t bytes_out, bytes_in;   /* TCP payload bytes, both directions, all connections */
	unsigned in_flight;
	char last_error[160];
	unsigned backoff_ms;            /* current backoff step (0 = none) */
	uint64_t backoff_left_ms;       /* time until the next connect may start */
};

/* NULL with errno (EINVAL: host not numeric, port 0, ifname too long). */
struct sl_grpc *sl_grpc_new(struct event_base *base, const struct sl_grpc_opts *o);
/* Closes the connection and drops every call without a callback. Safe from
 * inside a callback of this client. */
void sl_grpc_free(struct sl_grpc *g);

/* Starts a unary call: path like "/SpaceX.API.Device.Device/Handle", msg the
 * serialized request (framed here). 0 = accepted (one callback follows);
 * -1 with errno when not accepted (EINVAL, ENOMEM, EMSGSIZE): no callback. */
int sl_grpc_call(struct sl_grpc *g, const char *path, const uint8_t *msg, size_t len,
		 unsigned deadline_ms, sl_grpc_cb cb, void *arg);

void sl_grpc_stats(const struct sl_grpc *g, struct sl_grpc_stats *st);
/* "DEADLINE" etc. for our codes, the gRPC name for 0..16. */
const char *sl_grpc_code_name(int status);

/* The backoff step after a failure: min on the first, doubling, capped at
 * max (pure; exposed for tests). */
unsigned sl_grpc_backoff_next(unsigned cur_ms, unsigned min_ms, unsigned max_ms);
/* The "grpc-timeout" header value for a deadline ("1500m"; at most 8 digits,
 * switching to seconds for large values) into buf; returns its length. */
size_t sl_grpc_timeout_header(unsigned deadline_ms, char *buf, size_t size);

#endif
