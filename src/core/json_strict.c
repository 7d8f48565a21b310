#include "core/json_strict.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct scan {
	const unsigned char *p, *start, *end;
	unsigned depth;
	size_t members;         /* "key": value pairs in the text */
	const char *why;        /* first error */
	size_t at;
};

static bool fail(struct scan *s, const char *why)
{
	if (!s->why) {
		s->why = why;
		s->at = (size_t)(s->p - s->start);
	}
	return false;
}

static void blanks(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static bool literal(struct scan *s, const char *word)
{
	for (; *word; word++, s->p++)
		if (s->p >= s->end || *s->p != (unsigned char)*word)
			return fail(s, "invalid literal");
	return true;
}

static bool digits(struct scan *s)
{
	const unsigned char *from = s->p;
	while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
		s->p++;
	return s->p > from || fail(s, "digit expected");
}

/* json-c would clamp an integer beyond int64 (negative) or uint64 without a
 * word: refuse it instead. digits has no leading zeros. */
static bool int_fits(const unsigned char *digits, size_t n, bool neg)
{
	const char *lim = neg ? "9223372036854775808" : "18446744073709551615";
	size_t ln = strlen(lim);
	return n < ln || (n == ln && memcmp(digits, lim, n) <= 0);
}

/* -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
static bool number(struct scan *s)
{
	bool neg = *s->p == '-';
	if (neg)
		s->p++;
	const unsigned char *int_start = s->p;
	if (s->p < s->end && *s->p == '0')
		s->p++;
	else if (!digits(s))
		return false;
	if ((s->p == s->end || (*s->p != '.' && *s->p != 'e' && *s->p != 'E')) &&
	    !int_fits(int_start, (size_t)(s->p - int_start), neg))
		return fail(s, "integer out of range");
	if (s->p < s->end && *s->p == '.') {
		s->p++;
		if (!digits(s))
			return false;
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		if (!digits(s))
			return false;
	}
	return true;
}

static int hex4(const unsigned char *p)
{
	int v = 0;
	for (int i = 0; i < 4; i++) {
		int c = p[i], d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
				  c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* \uXXXX after the backslash; a high surrogate must pair with a low one. */
static bool unicode_escape(struct scan *s)
{
	if (s->end - s->p < 5 || hex4(s->p + 1) < 0)
		return fail(s, "\\u needs four hex digits");
	int cp = hex4(s->p + 1);
	s->p += 5;
	if (cp == 0)
		return fail(s, "\\u0000 in a string");
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return fail(s, "unpaired surrogate");
	if (cp < 0xd800 || cp > 0xdbff)
		return true;
	if (s->end - s->p < 6 || s->p[0] != '\\' || s->p[1] != 'u')
		return fail(s, "unpaired surrogate");
	int lo = hex4(s->p + 2);
	if (lo < 0xdc00 || lo > 0xdfff)
		return fail(s, "unpaired surrogate");
	s->p += 6;
	return true;
}

/* One UTF-8 sequence of 2..4 bytes: no overlong forms, no surrogates,
 * nothing above U+10FFFF (RFC 3629). */
static bool utf8(struct scan *s)
{
	unsigned c = *s->p, n, lo = 0x80, hi = 0xbf;
	if (c >= 0xc2 && c <= 0xdf)
		n = 1;
	else if (c >= 0xe0 && c <= 0xef)
		n = 2, lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 3, lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
	else
		return fail(s, "invalid UTF-8");
	if ((size_t)(s->end - s->p) <= n)
		return fail(s, "invalid UTF-8");
	for (unsigned i = 1; i <= n; i++) {
		unsigned b = s->p[i];
		if (b < (i == 1 ? lo : 0x80) || b > (i == 1 ? hi : 0xbf))
			return fail(s, "invalid UTF-8");
	}
	s->p += n + 1;
	return true;
}

static bool simple_escape(unsigned c)
{
	return c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' || c == 'n' ||
	       c == 'r' || c == 't';
}

static bool string(struct scan *s)
{
	s->p++;         /* the opening quote */
	while (s->p < s->end) {
		unsigned c = *s->p;
		if (c == '"') {
			s->p++;
			return true;
		}
		if (c < 0x20)
			return fail(s, "control character in a string");
		if (c >= 0x80) {
			if (!utf8(s))
				return false;
		} else if (c != '\\') {
			s->p++;
		} else if (s->p + 1 < s->end && s->p[1] == 'u') {
			s->p++;
			if (!unicode_escape(s))
				return false;
		} else if (s->p + 1 < s->end && simple_escape(s->p[1])) {
			s->p += 2;
		} else {
			return fail(s, "invalid escape in a string");
		}
	}
	return fail(s, "unterminated string");
}

static bool value(struct scan *s);

/* The members of an object or the elements of an array, after the opener. */
static bool container(struct scan *s, unsigned char close)
{
	if (++s->depth > JSON_STRICT_MAX_DEPTH)
		return fail(s, "nested too deeply");
	s->p++;
	blanks(s);
	if (s->p < s->end && *s->p == close) {
		s->p++;
		s->depth--;
		return true;
	}
	for (;;) {
		blanks(s);
		if (close == '}') {
			if (s->p >= s->end || *s->p != '"')
				return fail(s, "a quoted key expected");
			if (!string(s))
				return false;
			blanks(s);
			if (s->p >= s->end || *s->p != ':')
				return fail(s, "':' expected");
			s->p++;
			s->members++;
			blanks(s);
		}
		if (!value(s))
			return false;
		blanks(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			continue;
		}
		if (s->p < s->end && *s->p == close) {
			s->p++;
			s->depth--;
			return true;
		}
		return fail(s, close == '}' ? "',' or '}' expected" : "',' or ']' expected");
	}
}

static bool value(struct scan *s)
{
	if (s->p >= s->end)
		return fail(s, "incomplete JSON");
	switch (*s->p) {
	case '{': return container(s, '}');
	case '[': return container(s, ']');
	case '"': return string(s);
	case 't': return literal(s, "true");
	case 'f': return literal(s, "false");
	case 'n': return literal(s, "null");
	}
	if (*s->p == '-' || (*s->p >= '0' && *s->p <= '9'))
		return number(s);
	return fail(s, "unexpected character");
}

/* The members of the tree, or SIZE_MAX when a number is not finite (json-c
 * reads 1e999 as infinity: no figure here means that). */
static size_t tree_members(json_object *o)
{
	size_t n = 0, k;
	if (json_object_is_type(o, json_type_double) && !isfinite(json_object_get_double(o)))
		return SIZE_MAX;
	if (json_object_is_type(o, json_type_object)) {
		json_object_object_foreach(o, key, v) {
			(void)key;
			if ((k = tree_members(v)) == SIZE_MAX)
				return SIZE_MAX;
			n += 1 + k;
		}
	} else if (json_object_is_type(o, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(o); i++) {
			if ((k = tree_members(json_object_array_get_idx(o, i))) == SIZE_MAX)
				return SIZE_MAX;
			n += k;
		}
	}
	return n;
}

json_object *json_strict_parse(const char *buf, size_t len, char *err, size_t errsize)
{
	struct scan s = { .p = (const unsigned char *)buf, .start = (const unsigned char *)buf,
			  .end = (const unsigned char *)buf + len };
	blanks(&s);
	const unsigned char *from = s.p;
	if (value(&s)) {
		blanks(&s);
		if (s.p != s.end)
			fail(&s, "trailing data after the JSON value");
	}
	if (s.why) {
		snprintf(err, errsize, "byte %zu: %s", s.at, s.why);
		return NULL;
	}
	if (len > INT32_MAX) {
		snprintf(err, errsize, "too large");
		return NULL;
	}
	json_tokener *tok = json_tokener_new_ex(JSON_STRICT_MAX_DEPTH + 1);
	if (!tok) {
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	json_object *o = json_tokener_parse_ex(tok, (const char *)from, (int)(s.p - from));
	/* A bare number at the end of the input is open-ended to json-c: a
	 * blank after it says it is complete. */
	if (!o && json_tokener_get_error(tok) == json_tokener_continue)
		o = json_tokener_parse_ex(tok, " ", 1);
	enum json_tokener_error je = json_tokener_get_error(tok);
	json_tokener_free(tok);
	size_t members;
	if (!o) {
		snprintf(err, errsize, je == json_tokener_success ? "null is not accepted here" :
			 "invalid JSON: %s", json_tokener_error_desc(je));
	} else if ((members = tree_members(o)) != s.members) {
		snprintf(err, errsize, members == SIZE_MAX ? "number out of range" :
			 "a key appears twice in one object");
		json_object_put(o);
		o = NULL;
	}
	return o;
}
