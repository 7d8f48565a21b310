/* wifi_text: bounded line and token helpers (see wifi_text.h). */
#include "wifi/wifi_text.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

bool wtext_line(const char **pos, const char *end, struct wtext *line)
{
	const char *p = *pos;
	if (!p || p >= end)
		return false;
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	const char *stop = nl ? nl : end;
	*pos = nl ? nl + 1 : end;
	if (stop > p && stop[-1] == '\r')
		stop--;
	line->p = p;
	line->n = (size_t)(stop - p);
	return true;
}

size_t wtext_indent(struct wtext t)
{
	size_t col = 0;
	for (size_t i = 0; i < t.n; i++) {
		if (t.p[i] == ' ')
			col++;
		else if (t.p[i] == '\t')
			col = (col / 8 + 1) * 8;
		else
			break;
	}
	return col;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static void set_rest(struct wtext t, size_t used, struct wtext *rest)
{
	if (rest) {
		rest->p = t.p + used;
		rest->n = t.n - used;
	}
}

struct wtext wtext_trim(struct wtext t)
{
	while (t.n && is_blank(t.p[0])) {
		t.p++;
		t.n--;
	}
	while (t.n && is_blank(t.p[t.n - 1]))
		t.n--;
	return t;
}

bool wtext_blank(struct wtext t)
{
	return wtext_trim(t).n == 0;
}

bool wtext_prefix(struct wtext t, const char *s, struct wtext *rest)
{
	size_t k = strlen(s);
	if (t.n < k || memcmp(t.p, s, k) != 0)
		return false;
	set_rest(t, k, rest);
	return true;
}

bool wtext_key(struct wtext line, const char *key, struct wtext *val)
{
	struct wtext rest;
	if (!wtext_prefix(wtext_trim(line), key, &rest) || !rest.n || rest.p[0] != ':')
		return false;
	rest.p++;
	rest.n--;
	*val = wtext_trim(rest);
	return true;
}

struct wtext wtext_word(struct wtext t, struct wtext *rest)
{
	t = wtext_trim(t);
	size_t i = 0;
	while (i < t.n && !is_blank(t.p[i]))
		i++;
	set_rest(t, i, rest);
	return (struct wtext){ t.p, i };
}

bool wtext_eq(struct wtext t, const char *s)
{
	return t.n == strlen(s) && memcmp(t.p, s, t.n) == 0;
}

/* The number at the start of t into buf: an optional sign, then digits and
 * at most one '.'. None of these tools prints exponents or hex figures, so
 * "1e5" is 1 followed by text, never 100000. Returns the token's length. */
static size_t num_token(struct wtext t, char *buf, size_t size, size_t *skip)
{
	size_t i = 0, k = 0, digits = 0;
	bool dot = false;
	while (i < t.n && is_blank(t.p[i]))
		i++;
	*skip = i;
	if (i < t.n && (t.p[i] == '-' || t.p[i] == '+') && k + 1 < size)
		buf[k++] = t.p[i++];
	while (i < t.n && k + 1 < size) {
		char c = t.p[i];
		if (isdigit((unsigned char)c))
			digits++;
		else if (c == '.' && !dot)
			dot = true;
		else
			break;
		buf[k++] = c;
		i++;
	}
	buf[k] = '\0';
	return digits ? k : 0;
}

bool wtext_double(struct wtext t, double *out, struct wtext *rest)
{
	char buf[40], *e;
	size_t skip;
	if (!num_token(t, buf, sizeof(buf), &skip))
		return false;
	errno = 0;
	double v = strtod(buf, &e);
	if (e == buf || errno == ERANGE)
		return false;
	*out = v;
	set_rest(t, skip + (size_t)(e - buf), rest);
	return true;
}

bool wtext_ll(struct wtext t, long long *out, struct wtext *rest)
{
	char buf[40], *e;
	size_t skip;
	if (!num_token(t, buf, sizeof(buf), &skip))
		return false;
	errno = 0;
	long long v = strtoll(buf, &e, 10);
	if (e == buf || errno == ERANGE)
		return false;
	*out = v;
	set_rest(t, skip + (size_t)(e - buf), rest);
	return true;
}

static bool mac_digit(char c)
{
	return isxdigit((unsigned char)c) || c == 'x' || c == 'X';
}

bool wtext_mac(struct wtext t, char out[18], struct wtext *rest)
{
	t = wtext_trim(t);
	if (t.n < 17)
		return false;
	for (size_t i = 0; i < 17; i++) {
		char c = t.p[i];
		if (i % 3 == 2 ? c != ':' : !mac_digit(c))
			return false;
		out[i] = (char)tolower((unsigned char)c);
	}
	out[17] = '\0';
	/* A longer run of hex would be some other identifier (a UUID, a TSF). */
	if (t.n > 17 && (mac_digit(t.p[17]) || t.p[17] == ':'))
		return false;
	set_rest(t, 17, rest);
	return true;
}

void wtext_copy(char *dst, size_t size, struct wtext t)
{
	if (!size)
		return;
	size_t k = t.n < size - 1 ? t.n : size - 1;
	memcpy(dst, t.p, k);
	dst[k] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

void wtext_ssid(char out[33], struct wtext t, bool unescape)
{
	size_t k = 0;
	for (size_t i = 0; i < t.n && k < 32; i++) {
		unsigned char c = (unsigned char)t.p[i];
		if (unescape && c == '\\' && i + 3 < t.n && t.p[i + 1] == 'x' &&
		    hexval(t.p[i + 2]) >= 0 && hexval(t.p[i + 3]) >= 0) {
			c = (unsigned char)(hexval(t.p[i + 2]) * 16 + hexval(t.p[i + 3]));
			i += 3;
		}
		if (c == '\0') {
			k = 0;          /* hidden: the AP blanked its SSID */
			break;
		}
		out[k++] = (char)(c < 0x20 || c == 0x7f ? '?' : c);
	}
	out[k] = '\0';
}
