/* sl_pb_check: a second look at a message protobuf-c refused, to say where
 * and why ("dish_get_status.obstruction_stats: length 40 runs past the end
 * (12 bytes left) at byte 301"). It walks the wire format with the same
 * descriptors, recursing into the sub-messages dish.proto knows, and checks
 * what protobuf-c checks: complete keys, varints and lengths, wire types
 * 0/1/2/5 only (no groups), the wire type a known field expects (protobuf-c
 * rejects a mismatch rather than skipping it), packed arrays of whole
 * elements. Only runs on the error path. */
#include "starlink/sl_internal.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#define MAX_DEPTH 16

struct walk {
	const uint8_t *base;    /* the whole message, for byte offsets */
	char *err;
	size_t errsz;
};

__attribute__((format(printf, 4, 5)))
static int fail(struct walk *w, const char *path, const uint8_t *at, const char *fmt, ...)
{
	char what[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (w->err && w->errsz)
		snprintf(w->err, w->errsz, "%s%s%s at byte %zu", path, *path ? ": " : "", what,
			 (size_t)(at - w->base));
	return -1;
}

static const uint8_t *varint(const uint8_t *p, const uint8_t *end, uint64_t *v)
{
	*v = 0;
	for (unsigned i = 0; i < 10 && p < end; i++) {
		*v |= (uint64_t)(*p & 0x7f) << (7 * i);
		if (!(*p++ & 0x80))
			return p;
	}
	return NULL;
}

/* The wire type of one element of f: 0 varint, 1 64-bit, 5 32-bit, 2 length. */
static unsigned wire_type_of(const ProtobufCFieldDescriptor *f)
{
	switch (f->type) {
	case PROTOBUF_C_TYPE_DOUBLE: case PROTOBUF_C_TYPE_FIXED64: case PROTOBUF_C_TYPE_SFIXED64:
		return 1;
	case PROTOBUF_C_TYPE_FLOAT: case PROTOBUF_C_TYPE_FIXED32: case PROTOBUF_C_TYPE_SFIXED32:
		return 5;
	case PROTOBUF_C_TYPE_STRING: case PROTOBUF_C_TYPE_BYTES: case PROTOBUF_C_TYPE_MESSAGE:
		return 2;
	default:
		return 0;
	}
}

/* A packed array of f's elements in [p, end). */
static int check_packed(struct walk *w, const char *path, const ProtobufCFieldDescriptor *f,
			const uint8_t *p, const uint8_t *end)
{
	unsigned wt = wire_type_of(f);
	size_t size = wt == 1 ? 8 : 4;
	uint64_t v;

	if (wt != 0)
		return (size_t)(end - p) % size == 0 ? 0 :
			fail(w, path, p, "packed %s: %zu bytes is not a multiple of %zu",
			     f->name, (size_t)(end - p), size);
	while (p < end)
		if (!(p = varint(p, end, &v)))
			return fail(w, path, end, "packed %s: truncated varint", f->name);
	return 0;
}

static int walk_msg(struct walk *w, const uint8_t *p, const uint8_t *end,
		    const ProtobufCMessageDescriptor *d, const char *path, unsigned depth);

/* The body of known field f (key at `at`), wire type wt, in [p, end). */
static int check_field(struct walk *w, const char *path, const ProtobufCFieldDescriptor *f,
		       unsigned wt, const uint8_t *at, const uint8_t *p, const uint8_t *end,
		       unsigned depth)
{
	char sub[160];

	if (wt == 2 && f->label == PROTOBUF_C_LABEL_REPEATED && wire_type_of(f) != 2)
		return check_packed(w, path, f, p, end);
	if (wt != wire_type_of(f))
		return fail(w, path, at, "field %u (%s) has wire type %u, expected %u",
			    f->id, f->name, wt, wire_type_of(f));
	if (f->type != PROTOBUF_C_TYPE_MESSAGE || depth >= MAX_DEPTH)
		return 0;
	snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", f->name);
	return walk_msg(w, p, end, f->descriptor, sub, depth + 1);
}

static int walk_msg(struct walk *w, const uint8_t *p, const uint8_t *end,
		    const ProtobufCMessageDescriptor *d, const char *path, unsigned depth)
{
	while (p < end) {
		const uint8_t *at = p, *body;
		uint64_t key, v = 0;

		if (!(p = varint(p, end, &key)))
			return fail(w, path, at, "truncated field key");
		unsigned wt = (unsigned)(key & 7);
		uint64_t num = key >> 3;
		if (num == 0 || num > 536870911)
			return fail(w, path, at, "invalid field number %" PRIu64, num);
		body = p;
		switch (wt) {
		case 0:
			if (!(p = varint(p, end, &v)))
				return fail(w, path, body, "field %" PRIu64 ": truncated varint", num);
			break;
		case 1: case 5:
			if ((size_t)(end - p) < (wt == 1 ? 8u : 4u))
				return fail(w, path, body, "field %" PRIu64 ": truncated %u-bit value",
					    num, wt == 1 ? 64 : 32);
			p += wt == 1 ? 8 : 4;
			break;
		case 2:
			if (!(body = varint(p, end, &v)))
				return fail(w, path, p, "field %" PRIu64 ": truncated length", num);
			if (v > (uint64_t)(end - body))
				return fail(w, path, p, "field %" PRIu64 ": length %" PRIu64
					    " runs past the end (%zu bytes left)", num, v,
					    (size_t)(end - body));
			p = body + v;
			break;
		default:
			return fail(w, path, at, "field %" PRIu64 ": wire type %u is not supported",
				    num, wt);
		}
		const ProtobufCFieldDescriptor *f =
			protobuf_c_message_descriptor_get_field(d, (unsigned)num);
		if (f && check_field(w, path, f, wt, at, body, p, depth) != 0)
			return -1;
	}
	return 0;
}

int sl_pb_check(const uint8_t *buf, size_t len, const ProtobufCMessageDescriptor *d,
		char *err, size_t errsz)
{
	struct walk w = { .base = buf, .err = err, .errsz = errsz };

	if (!buf)
		return len ? fail(&w, "", buf, "no buffer") : 0;
	return walk_msg(&w, buf, buf + len, d, "", 0);
}
