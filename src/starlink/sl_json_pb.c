/* sl_json_pb: JSON -> protobuf-c message structs, driven by the generated
 * descriptors (the proto3 JSON mapping, read leniently). The JSON readers
 * then share the protobuf path's conversion (sl_conv.c), so a trace line, a
 * grpcurl capture and a binary reply of the same content give the same
 * values, and a field added to dish.proto is read from JSON with no code.
 *
 * Accepted: a field's snake_case or lowerCamelCase name; numbers as JSON
 * numbers or strings (grpcurl prints int64 as "123", floats as "NaN" /
 * "Infinity"); enums by name or number; null = absent. Unknown keys are
 * skipped silently (new firmware); a key whose value has the wrong type is
 * skipped and counted. dish.proto has no bytes fields, so base64 is not read. */
#include "starlink/sl_internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "starlink/sl_text.h"

struct jctx {
	unsigned bad;
	bool oom;
};

static ProtobufCMessage *new_msg(struct jctx *c, const ProtobufCMessageDescriptor *d)
{
	void *m = malloc(d->sizeof_message);

	if (!m) {
		c->oom = true;
		return NULL;
	}
	protobuf_c_message_init(d, m);
	return m;
}

/* ---- scalars ----------------------------------------------------------- */

/* A whole decimal number in a string: optional '-', digits, nothing else. */
static bool str_i64(const char *s, bool neg_ok, int64_t *i, uint64_t *u)
{
	char *end;

	if (!((*s >= '0' && *s <= '9') || (neg_ok && *s == '-')))
		return false;
	errno = 0;
	if (*s == '-')
		*i = strtoll(s, &end, 10);
	else
		*u = strtoull(s, &end, 10);
	return errno == 0 && *end == '\0' && end != s;
}

/* An integer value as int64 (is_neg) or uint64; false if v is not a whole
 * number. Integral doubles (1e3) are accepted, as proto3 JSON allows. */
static bool get_int(json_object *v, bool *is_neg, int64_t *i, uint64_t *u)
{
	*is_neg = false;
	switch (json_object_get_type(v)) {
	case json_type_int:
		*i = json_object_get_int64(v);
		*is_neg = *i < 0;
		*u = *is_neg ? 0 : json_object_get_uint64(v);
		return true;
	case json_type_double: {
		double d = json_object_get_double(v);
		if (!isfinite(d) || d != trunc(d) || d >= 0x1p64 || d < -0x1p63)
			return false;
		*is_neg = d < 0;
		if (*is_neg)
			*i = (int64_t)d;
		else
			*u = (uint64_t)d;
		return true;
	}
	case json_type_string: {
		const char *s = json_object_get_string(v);
		*is_neg = s[0] == '-';
		return str_i64(s, true, i, u);
	}
	default:
		return false;
	}
}

static bool get_double(json_object *v, double *d)
{
	const char *s;
	char *end;

	switch (json_object_get_type(v)) {
	case json_type_int:
	case json_type_double:
		*d = json_object_get_double(v);
		return true;
	case json_type_string:
		s = json_object_get_string(v);
		if (!strcmp(s, "NaN") || !strcmp(s, "Infinity") || !strcmp(s, "-Infinity")) {
			*d = s[0] == 'N' ? NAN : s[0] == '-' ? -INFINITY : INFINITY;
			return true;
		}
		errno = 0;
		*d = strtod(s, &end);
		return *s && *end == '\0' && errno == 0;
	default:
		return false;
	}
}

/* In range for a field of type t, as int64 (signed types) or uint64. */
static bool int_fits(ProtobufCType t, bool neg, int64_t i, uint64_t u)
{
	switch (t) {
	case PROTOBUF_C_TYPE_INT32: case PROTOBUF_C_TYPE_SINT32: case PROTOBUF_C_TYPE_SFIXED32:
	case PROTOBUF_C_TYPE_ENUM:
		return neg ? i >= INT32_MIN : u <= INT32_MAX;
	case PROTOBUF_C_TYPE_UINT32: case PROTOBUF_C_TYPE_FIXED32:
		return !neg && u <= UINT32_MAX;
	case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64: case PROTOBUF_C_TYPE_SFIXED64:
		return neg || u <= INT64_MAX;
	default:        /* uint64, fixed64 */
		return !neg;
	}
}

static bool set_int(const ProtobufCFieldDescriptor *f, json_object *v, void *slot)
{
	int64_t i = 0;
	uint64_t u = 0;
	bool neg;

	if (f->type == PROTOBUF_C_TYPE_ENUM && json_object_is_type(v, json_type_string)) {
		const ProtobufCEnumValue *e =
			protobuf_c_enum_descriptor_get_value_by_name(f->descriptor, json_object_get_string(v));
		if (!e)
			return false;
		*(int *)slot = e->value;
		return true;
	}
	if (!get_int(v, &neg, &i, &u) || !int_fits(f->type, neg, i, u))
		return false;
	switch (f->type) {
	case PROTOBUF_C_TYPE_UINT32: case PROTOBUF_C_TYPE_FIXED32:
		*(uint32_t *)slot = (uint32_t)u;
		break;
	case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64: case PROTOBUF_C_TYPE_SFIXED64:
		*(int64_t *)slot = neg ? i : (int64_t)u;
		break;
	case PROTOBUF_C_TYPE_UINT64: case PROTOBUF_C_TYPE_FIXED64:
		*(uint64_t *)slot = u;
		break;
	default:        /* 32-bit signed, enum */
		*(int32_t *)slot = neg ? (int32_t)i : (int32_t)u;
		break;
	}
	return true;
}

static void fill(struct jctx *c, ProtobufCMessage *m, json_object *o);

/* One value of field f into slot (the field, or one array element). */
static bool set_value(struct jctx *c, const ProtobufCFieldDescriptor *f, json_object *v, void *slot)
{
	double d;

	switch (f->type) {
	case PROTOBUF_C_TYPE_FLOAT:
		if (!get_double(v, &d))
			return false;
		*(float *)slot = (float)d;
		return true;
	case PROTOBUF_C_TYPE_DOUBLE:
		return get_double(v, (double *)slot);
	case PROTOBUF_C_TYPE_BOOL:
		if (!json_object_is_type(v, json_type_boolean))
			return false;
		*(protobuf_c_boolean *)slot = json_object_get_boolean(v) ? 1 : 0;
		return true;
	case PROTOBUF_C_TYPE_STRING: {
		if (!json_object_is_type(v, json_type_string))
			return false;
		char *s = strdup(json_object_get_string(v));
		if (!s)
			return !(c->oom = true);
		*(char **)slot = s;
		return true;
	}
	case PROTOBUF_C_TYPE_MESSAGE: {
		if (!json_object_is_type(v, json_type_object))
			return false;
		ProtobufCMessage *sub = new_msg(c, f->descriptor);
		if (!sub)
			return false;
		fill(c, sub, v);
		*(ProtobufCMessage **)slot = sub;
		return true;
	}
	case PROTOBUF_C_TYPE_BYTES:
		return false;
	default:
		return set_int(f, v, slot);
	}
}

/* ---- fields ------------------------------------------------------------ */

static size_t elem_size(ProtobufCType t)
{
	switch (t) {
	case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64: case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_UINT64: case PROTOBUF_C_TYPE_FIXED64: case PROTOBUF_C_TYPE_DOUBLE:
		return 8;
	case PROTOBUF_C_TYPE_STRING: case PROTOBUF_C_TYPE_MESSAGE:
		return sizeof(void *);
	case PROTOBUF_C_TYPE_BYTES:
		return sizeof(ProtobufCBinaryData);
	default:
		return 4;
	}
}

static bool is_pointer(ProtobufCType t)
{
	return t == PROTOBUF_C_TYPE_STRING || t == PROTOBUF_C_TYPE_MESSAGE || t == PROTOBUF_C_TYPE_BYTES;
}

/* A repeated field from a JSON array. An element of the wrong type is
 * counted; a number becomes NaN (floats: "no sample", so that a ring keeps
 * its positions) or 0, a string or message is left out. */
static void set_repeated(struct jctx *c, ProtobufCMessage *m, const ProtobufCFieldDescriptor *f,
			 json_object *a)
{
	size_t n = json_object_array_length(a), size = elem_size(f->type), k = 0;
	char *arr;

	if (n == 0)
		return;
	if (!(arr = calloc(n, size))) {
		c->oom = true;
		return;
	}
	for (size_t i = 0; i < n && !c->oom; i++) {
		char *slot = arr + k * size;
		if (set_value(c, f, json_object_array_get_idx(a, i), slot)) {
			k++;
			continue;
		}
		if (c->oom)
			break;
		c->bad++;
		if (f->type == PROTOBUF_C_TYPE_FLOAT)
			*(float *)slot = NAN;
		else if (f->type == PROTOBUF_C_TYPE_DOUBLE)
			*(double *)slot = NAN;
		if (!is_pointer(f->type))
			k++;
	}
	*(size_t *)((char *)m + f->quantifier_offset) = k;
	*(void **)((char *)m + f->offset) = arr;
}

/* A field that holds memory (array, message, string) and is set already:
 * the same field under its other spelling ("uptime_s" and "uptimeS"). */
static bool holds_value(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f)
{
	const void *p;

	if (f->label != PROTOBUF_C_LABEL_REPEATED && !is_pointer(f->type))
		return false;
	p = *(void *const *)((const char *)m + f->offset);
	if (f->type == PROTOBUF_C_TYPE_STRING && f->label != PROTOBUF_C_LABEL_REPEATED)
		return p && p != f->default_value;
	return p != NULL;
}

static void set_field(struct jctx *c, ProtobufCMessage *m, const ProtobufCFieldDescriptor *f,
		      json_object *v)
{
	uint32_t *oneof_case = (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) ?
		(uint32_t *)((char *)m + f->quantifier_offset) : NULL;

	/* Given twice (both spellings): the first stays, the second is counted;
	 * a number given twice is simply overwritten (the last one wins). */
	if (holds_value(m, f)) {
		c->bad++;
		return;
	}
	if (f->label == PROTOBUF_C_LABEL_REPEATED) {
		if (json_object_is_type(v, json_type_array))
			set_repeated(c, m, f, v);
		else
			c->bad++;
		return;
	}
	/* A second member of the same oneof cannot be set (proto3 JSON
	 * refuses it too): the first one stays. */
	if (oneof_case && *oneof_case != 0) {
		c->bad++;
		return;
	}
	if (!set_value(c, f, v, (char *)m + f->offset)) {
		if (!c->oom)
			c->bad++;
		return;
	}
	if (oneof_case)
		*oneof_case = f->id;
	else if (f->label == PROTOBUF_C_LABEL_OPTIONAL && f->quantifier_offset && !is_pointer(f->type))
		*(protobuf_c_boolean *)((char *)m + f->quantifier_offset) = 1;
}

static const ProtobufCFieldDescriptor *find_field(const ProtobufCMessageDescriptor *d, const char *key)
{
	const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(d, key);

	for (unsigned i = 0; !f && i < d->n_fields; i++)
		if (sl_text_name_eq(d->fields[i].name, key))
			f = &d->fields[i];
	return f;
}

static void fill(struct jctx *c, ProtobufCMessage *m, json_object *o)
{
	json_object_object_foreach(o, key, val) {
		if (c->oom)
			return;
		const ProtobufCFieldDescriptor *f = find_field(m->descriptor, key);
		if (f && val)   /* JSON null: absent */
			set_field(c, m, f, val);
	}
}

ProtobufCMessage *sl_json_to_pb(json_object *o, const ProtobufCMessageDescriptor *d, unsigned *bad)
{
	struct jctx c = { 0 };
	ProtobufCMessage *m;

	if (bad)
		*bad = 0;
	if (!json_object_is_type(o, json_type_object) || !(m = new_msg(&c, d)))
		return NULL;
	fill(&c, m, o);
	if (bad)
		*bad = c.bad;
	if (c.oom) {
		protobuf_c_message_free_unpacked(m, NULL);
		return NULL;
	}
	return m;
}
