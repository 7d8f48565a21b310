/* sl_frame: gRPC length-prefixed messages, grpc-status and grpc-message. */
#include "starlink/sl_frame.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "starlink/sl_text.h"

enum { ST_PREFIX, ST_BODY, ST_DONE, ST_FAILED };

size_t sl_frame_encode(const uint8_t *msg, size_t len, uint8_t *out, size_t size)
{
	if (!out || len > UINT32_MAX || size < SL_FRAME_PREFIX || len > size - SL_FRAME_PREFIX)
		return 0;
	out[0] = 0;     /* not compressed */
	out[1] = (uint8_t)(len >> 24);
	out[2] = (uint8_t)(len >> 16);
	out[3] = (uint8_t)(len >> 8);
	out[4] = (uint8_t)len;
	if (len)
		memcpy(out + SL_FRAME_PREFIX, msg, len);
	return SL_FRAME_PREFIX + len;
}

void sl_frame_dec_init(struct sl_frame_dec *d, size_t max_len)
{
	memset(d, 0, sizeof(*d));
	d->max_len = max_len ? max_len : SL_FRAME_MAX_DEFAULT;
	d->state = ST_PREFIX;
}

void sl_frame_dec_free(struct sl_frame_dec *d)
{
	free(d->buf);
	d->buf = NULL;
	d->cap = 0;
}

__attribute__((format(printf, 2, 3)))
static int fail(struct sl_frame_dec *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->error, sizeof(d->error), fmt, ap);
	va_end(ap);
	d->state = ST_FAILED;
	return -1;
}

static int done(struct sl_frame_dec *d, const uint8_t **msg, size_t *len)
{
	static const uint8_t empty[1];

	d->state = ST_DONE;
	*msg = d->buf ? d->buf : empty;
	*len = d->len;
	return 1;
}

/* The prefix is complete: check it. */
static int start_body(struct sl_frame_dec *d)
{
	const uint8_t *h = d->hdr;

	if (h[0] == 1)
		return fail(d, "compressed message (we never ask for compression)");
	if (h[0] != 0)
		return fail(d, "invalid message flags 0x%02x", h[0]);
	d->len = (size_t)h[1] << 24 | (size_t)h[2] << 16 | (size_t)h[3] << 8 | h[4];
	if (d->len > d->max_len)
		return fail(d, "message of %zu bytes is over the limit of %zu", d->len, d->max_len);
	d->state = ST_BODY;
	return 0;
}

/* Room for `more` bytes: doubles, at least 4 KiB, never past the message. */
static int reserve(struct sl_frame_dec *d, size_t more)
{
	size_t need = d->have + more, cap = d->cap ? d->cap : 4096;

	if (need <= d->cap)
		return 0;
	while (cap < need)
		cap *= 2;
	if (cap > d->len)
		cap = d->len;
	uint8_t *b = realloc(d->buf, cap);
	if (!b)
		return fail(d, "out of memory for a %zu-byte message", d->len);
	d->buf = b;
	d->cap = cap;
	return 0;
}

int sl_frame_dec_feed(struct sl_frame_dec *d, const uint8_t *p, size_t n, const uint8_t **msg,
		      size_t *len)
{
	if (d->state == ST_FAILED)
		return -1;
	if (d->state == ST_DONE)
		return n ? fail(d, "%zu more bytes after the response message (a unary call has "
				"one)", n) : done(d, msg, len);
	while (d->state == ST_PREFIX && n > 0) {
		d->hdr[d->hdr_have++] = *p++;
		n--;
		if (d->hdr_have == SL_FRAME_PREFIX && start_body(d) != 0)
			return -1;
	}
	if (d->state != ST_BODY)
		return 0;
	size_t take = d->len - d->have < n ? d->len - d->have : n;
	if (take) {
		if (reserve(d, take) != 0)
			return -1;
		memcpy(d->buf + d->have, p, take);
		d->have += take;
	}
	if (d->have < d->len)
		return 0;
	if (n > take)
		return fail(d, "%zu more bytes after the response message (a unary call has one)",
			    n - take);
	return done(d, msg, len);
}

int sl_frame_dec_finish(struct sl_frame_dec *d, const uint8_t **msg, size_t *len)
{
	switch (d->state) {
	case ST_DONE:
		return done(d, msg, len);
	case ST_PREFIX:
		if (d->hdr_have == 0)
			return 0;
		return fail(d, "stream ended inside the message prefix (%u of 5 bytes)", d->hdr_have);
	case ST_BODY:
		return fail(d, "stream ended %zu bytes into a %zu-byte message", d->have, d->len);
	default:
		return -1;
	}
}

/* ---- trailers -------------------------------------------------------- */

static const char *const grpc_codes[] = {
	"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
	"ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
	"ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
	"UNAUTHENTICATED",
};
#define N_CODES ((int)(sizeof(grpc_codes) / sizeof(grpc_codes[0])))

const char *sl_grpc_status_name(int code)
{
	return code >= 0 && code < N_CODES ? grpc_codes[code] : "UNKNOWN";
}

int sl_grpc_status_parse(const char *v, size_t n)
{
	int code = 0;

	if (!v || n == 0 || n > 2)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		code = code * 10 + (v[i] - '0');
	}
	return code < N_CODES ? code : -1;
}

static int hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The byte at v[*i] with %XX decoded; advances *i. */
static char pct_next(const char *v, size_t n, size_t *i)
{
	unsigned char c = (unsigned char)v[(*i)++];
	int hi, lo;

	if (c == '%' && *i + 1 < n && (hi = hex(v[*i])) >= 0 && (lo = hex(v[*i + 1])) >= 0) {
		c = (unsigned char)(hi << 4 | lo);
		*i += 2;
	}
	return (char)(c < 0x20 || c == 0x7f ? '?' : c);
}

void sl_grpc_message_decode(const char *v, size_t n, char *out, size_t size)
{
	size_t i = 0, k = 0;

	if (!out || size == 0)
		return;
	while (v && i < n) {
		char c = pct_next(v, n, &i);
		if (k + 1 == size) {            /* full: c is the first byte cut */
			k = sl_text_utf8_cut(out, k, c);
			break;
		}
		out[k++] = c;
	}
	out[k] = '\0';
}
