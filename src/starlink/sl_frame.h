/* sl_frame: gRPC message framing (a 5-byte prefix: compressed-flag byte,
 * 4-byte big-endian length) and the grpc-status / grpc-message trailers.
 * Pure: the HTTP/2 transport feeds DATA bytes in and reads trailers out. */
#ifndef AUTONOMY_LINK_SL_FRAME_H
#define AUTONOMY_LINK_SL_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define SL_FRAME_PREFIX 5
#define SL_FRAME_MAX_DEFAULT (4u << 20)         /* gRPC's default receive limit */

/* Writes the 5-byte prefix + msg; returns total or 0 if it does not fit. */
size_t sl_frame_encode(const uint8_t *msg, size_t len, uint8_t *out, size_t size);

/* Reassembles the one message of a unary response from DATA chunks split
 * anywhere. The buffer grows with the bytes that actually arrive (never
 * ahead of them, so a lying length costs nothing) and never past max_len. */
struct sl_frame_dec {
	size_t max_len;                 /* largest message accepted; default 4 MiB */
	uint8_t hdr[SL_FRAME_PREFIX];
	unsigned hdr_have;
	uint8_t *buf;
	size_t cap;                     /* allocated */
	size_t len;                     /* message length from the prefix */
	size_t have;                    /* message bytes received */
	int state;                      /* internal */
	char error[128];                /* why the last -1 */
};

/* max_len 0: SL_FRAME_MAX_DEFAULT. */
void sl_frame_dec_init(struct sl_frame_dec *d, size_t max_len);
/* Feeds DATA bytes as they arrive (any split). Returns 1 when a complete message is
 * available (*msg and *len point into the decoder's buffer; they stay valid until
 * sl_frame_dec_free), 0 when more is needed, -1 on error (compressed flag set —
 * we never ask for compression —, length over max_len, any byte after the first
 * message: a unary response has exactly one) with a reason in d->error. After
 * 1, feeding nothing (n 0) returns 1 again; after -1, every call returns -1. */
int sl_frame_dec_feed(struct sl_frame_dec *d, const uint8_t *p, size_t n, const uint8_t **msg,
		      size_t *len);
/* At the end of the stream: 1 with the message, 0 if no byte ever arrived
 * (a trailers-only response: see grpc-status), -1 if the stream stopped
 * inside the prefix or the message (reason in d->error). */
int sl_frame_dec_finish(struct sl_frame_dec *d, const uint8_t **msg, size_t *len);
void sl_frame_dec_free(struct sl_frame_dec *d);

/* grpc-status value ("0".."16", v not NUL-terminated) -> code; -1 if it is not
 * one of those numbers (a caller treats that as UNKNOWN, as gRPC does). */
int sl_grpc_status_parse(const char *v, size_t n);
/* grpc-message is percent-encoded (gRPC spec): decode into out (always
 * NUL-terminated, cut at a UTF-8 boundary). A malformed %-escape is kept as
 * it is, as the spec asks; control characters become '?' (it is logged). */
void sl_grpc_message_decode(const char *v, size_t n, char *out, size_t size);
/* "OK", "CANCELLED", "DEADLINE_EXCEEDED", "PERMISSION_DENIED", ...; "UNKNOWN"
 * for anything outside 0..16. */
const char *sl_grpc_status_name(int code);

#endif
