/* cell_util: span helpers, bounded number conversion, printable copies and
 * the merge rules of the cellular parsers. */
#include "cellular/cell_util.h"

#include <ctype.h>
#include <json-c/json.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NUM_MAX 40      /* longest number text we convert */
#define JSON_MAX (1u << 20)     /* mmcli -m -J is ~3 KiB */

bool cell_next_line(const char *text, size_t len, size_t *pos, struct cell_span *line)
{
	if (*pos >= len)
		return false;
	const char *start = text + *pos;
	const char *nl = memchr(start, '\n', len - *pos);
	size_t n = nl ? (size_t)(nl - start) : len - *pos;
	*pos += n + (nl ? 1 : 0);
	if (n && start[n - 1] == '\r')
		n--;
	line->p = start;
	line->n = n;
	return true;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

struct cell_span cell_trim(struct cell_span s)
{
	while (s.n && is_blank(s.p[0])) {
		s.p++;
		s.n--;
	}
	while (s.n && is_blank(s.p[s.n - 1]))
		s.n--;
	return s;
}

bool cell_span_ieq(struct cell_span s, const char *lit)
{
	size_t n = strlen(lit);
	return s.n == n && !strncasecmp(s.p, lit, n);
}

bool cell_span_iprefix(struct cell_span s, const char *lit)
{
	size_t n = strlen(lit);
	return s.n >= n && !strncasecmp(s.p, lit, n);
}

bool cell_span_has(struct cell_span s, const char *lit)
{
	size_t n = strlen(lit);
	return n && s.n >= n && memmem(s.p, s.n, lit, n);
}

long cell_span_find(struct cell_span s, char c)
{
	const char *hit = s.n ? memchr(s.p, c, s.n) : NULL;
	return hit ? (long)(hit - s.p) : -1;
}

struct cell_span cell_span_from(struct cell_span s, size_t off)
{
	if (off > s.n)
		off = s.n;
	return cell_span_of(s.p + off, s.n - off);
}

/* A trimmed NUL-terminated copy for strto*(); false if empty or too long. */
static bool num_copy(struct cell_span s, char *buf)
{
	s = cell_trim(s);
	if (!s.n || s.n >= NUM_MAX || memchr(s.p, '\0', s.n))
		return false;
	memcpy(buf, s.p, s.n);
	buf[s.n] = '\0';
	return true;
}

int cell_span_long(struct cell_span s, long *out)
{
	char buf[NUM_MAX], *end;
	if (!num_copy(s, buf))
		return -1;
	errno = 0;
	long v = strtol(buf, &end, 10);
	if (errno || end == buf || *end)
		return -1;
	*out = v;
	return 0;
}

int cell_span_llong(struct cell_span s, long long *out)
{
	char buf[NUM_MAX], *end;
	if (!num_copy(s, buf))
		return -1;
	errno = 0;
	long long v = strtoll(buf, &end, 10);
	if (errno || end == buf || *end)
		return -1;
	*out = v;
	return 0;
}

int cell_span_double(struct cell_span s, double *out)
{
	char buf[NUM_MAX], *end;
	if (!num_copy(s, buf))
		return -1;
	/* only plain decimals: strtod would also take "nan", "inf" and hex */
	for (const char *c = buf; *c; c++)
		if (!isdigit((unsigned char)*c) && *c != '-' && *c != '+' && *c != '.')
			return -1;
	errno = 0;
	double v = strtod(buf, &end);
	if (errno || end == buf || *end || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

int cell_span_lead_long(struct cell_span s, long *out)
{
	s = cell_trim(s);
	size_t n = 0;
	if (n < s.n && (s.p[n] == '-' || s.p[n] == '+'))
		n++;
	while (n < s.n && isdigit((unsigned char)s.p[n]))
		n++;
	return cell_span_long(cell_span_of(s.p, n), out);
}

int cell_span_hex(struct cell_span s, unsigned long long *out)
{
	char buf[NUM_MAX], *end;
	if (!num_copy(s, buf))
		return -1;
	const char *p = buf;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	for (const char *c = p; *c; c++)
		if (!isxdigit((unsigned char)*c))
			return -1;
	errno = 0;
	unsigned long long v = strtoull(p, &end, 16);
	if (errno || end == p || *end)
		return -1;
	*out = v;
	return 0;
}

/* Length of the valid UTF-8 sequence at p (at most n bytes), 0 if invalid. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	size_t len;
	unsigned min;
	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xe0) == 0xc0) {
		len = 2;
		min = 0x80;
	} else if ((p[0] & 0xf0) == 0xe0) {
		len = 3;
		min = 0x800;
	} else if ((p[0] & 0xf8) == 0xf0) {
		len = 4;
		min = 0x10000;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	unsigned cp = p[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	/* C1 controls are as unprintable as C0 ones */
	if (cp >= 0x80 && cp < 0xa0)
		return 0;
	return len;
}

void cell_copy_text(char *dst, size_t size, struct cell_span s)
{
	size_t o = 0;
	if (!size)
		return;
	s = cell_trim(s);
	const unsigned char *p = (const unsigned char *)s.p;
	for (size_t i = 0; i < s.n;) {
		size_t l = utf8_len(p + i, s.n - i);
		if (!l || (l == 1 && (p[i] < 0x20 || p[i] == 0x7f))) {
			i += l ? l : 1;         /* dropped */
			continue;
		}
		if (o + l >= size)
			break;
		memcpy(dst + o, p + i, l);
		o += l;
		i += l;
	}
	while (o && dst[o - 1] == ' ')
		o--;
	dst[o] = '\0';
}

void cell_copy_hex(char *dst, size_t size, struct cell_span s)
{
	size_t o = 0;
	if (!size)
		return;
	s = cell_trim(s);
	if (s.n >= 2 && s.p[0] == '"' && s.p[s.n - 1] == '"')
		s = cell_span_of(s.p + 1, s.n - 2);
	if (s.n >= 2 && s.p[0] == '0' && (s.p[1] == 'x' || s.p[1] == 'X'))
		s = cell_span_from(s, 2);
	for (size_t i = 0; i < s.n && o + 1 < size; i++) {
		if (!isxdigit((unsigned char)s.p[i]))
			break;
		dst[o++] = (char)toupper((unsigned char)s.p[i]);
	}
	dst[o] = '\0';
}

size_t cell_fields(struct cell_span s, struct cell_span *f, size_t max)
{
	size_t count = 0, start = 0;
	bool quoted = false;
	if (!max)
		return 0;
	for (size_t i = 0; i <= s.n; i++) {
		if (i < s.n && s.p[i] == '"')
			quoted = !quoted;
		if (i < s.n && (quoted || s.p[i] != ','))
			continue;
		struct cell_span v = cell_trim(cell_span_of(s.p + start, i - start));
		if (v.n >= 2 && v.p[0] == '"' && v.p[v.n - 1] == '"')
			v = cell_trim(cell_span_of(v.p + 1, v.n - 2));
		else if (v.n && v.p[0] == '"')
			v = cell_trim(cell_span_of(v.p + 1, v.n - 1));  /* cut short */
		f[count++] = v;
		if (count == max)
			break;
		start = i + 1;
	}
	return count;
}

bool cell_field_blank(struct cell_span f)
{
	f = cell_trim(f);
	return !f.n || cell_span_ieq(f, "-") || cell_span_ieq(f, "--");
}

int cell_lookup(const struct cell_name_val *t, size_t n, struct cell_span s, int dflt)
{
	s = cell_trim(s);
	for (size_t i = 0; i < n; i++)
		if (cell_span_ieq(s, t[i].name))
			return t[i].val;
	return dflt;
}

void cell_set_source(struct cell_sample *s, const char *src)
{
	snprintf(s->source, sizeof(s->source), "%s", src);
}

void cell_set_reg(struct cell_sample *s, enum cell_reg r)
{
	s->reg = r;
	if (r == CELL_REG_HOME)
		s->roaming = 0;
	else if (r == CELL_REG_ROAMING)
		s->roaming = 1;
}

static bool reg_registered(enum cell_reg r)
{
	return r == CELL_REG_HOME || r == CELL_REG_ROAMING;
}

void cell_merge_reg(struct cell_sample *s, enum cell_reg r)
{
	if (r == CELL_REG_UNKNOWN)
		return;
	if (reg_registered(s->reg) && !reg_registered(r))
		return;
	cell_set_reg(s, r);
}

static bool tech_is_nr(enum cell_tech t)
{
	return t == CELL_TECH_NR_SA || t == CELL_TECH_NR_NSA;
}

void cell_tech_add(struct cell_tech_acc *a, enum cell_tech t, struct cell_span text)
{
	char add[sizeof(a->text)];
	if (t == CELL_TECH_UNKNOWN)
		return;
	cell_copy_text(add, sizeof(add), text);
	if (a->tech == CELL_TECH_UNKNOWN) {
		a->tech = t;
		memcpy(a->text, add, sizeof(add));
		return;
	}
	if ((t == CELL_TECH_LTE && tech_is_nr(a->tech)) ||
	    (tech_is_nr(t) && a->tech == CELL_TECH_LTE))
		a->tech = CELL_TECH_NR_NSA;     /* an LTE anchor and an NR leg */
	else if (t > a->tech)
		a->tech = t;
	/* keep what each said: "lte,5gnr", "hsdpa,hsupa" */
	size_t used = strlen(a->text), n = strlen(add);
	if (n && !strstr(a->text, add) && used + 1 + n < sizeof(a->text)) {
		a->text[used] = ',';
		memcpy(a->text + used + 1, add, n + 1);
	}
}

void cell_tech_commit(struct cell_sample *s, const struct cell_tech_acc *a, bool hint)
{
	if (a->tech == CELL_TECH_UNKNOWN || (hint && s->tech != CELL_TECH_UNKNOWN))
		return;
	s->tech = a->tech;
	snprintf(s->tech_text, sizeof(s->tech_text), "%s", a->text);
}

bool cell_fig_ok(double v)
{
	return isfinite(v) && v > CELL_FIG_MIN && v < CELL_FIG_MAX;
}

void cell_put(double *dst, double v)
{
	if (cell_fig_ok(v))
		*dst = v;
}

void cell_hint_double(double *dst, double v)
{
	if (isnan(*dst))
		cell_put(dst, v);
}

void cell_set_plmn(struct cell_sample *s, struct cell_span mcc, struct cell_span mnc)
{
	long c, n;
	mnc = cell_trim(mnc);
	if (cell_span_long(mcc, &c) || c < 0 || c > 999 || cell_span_long(mnc, &n) ||
	    n < 0 || n > 999 || mnc.n < 1 || mnc.n > 3)
		return;
	/* the MNC's digit count matters (2 vs 3 digits): keep it as printed,
	 * but at least two digits */
	snprintf(s->operator_code, sizeof(s->operator_code), "%03ld%0*ld", c,
		 mnc.n < 2 ? 2 : (int)mnc.n, n);
}

/* ---- JSON (json-c) ---- */

json_object *cell_json_parse(const char *text, size_t len)
{
	if (!len || len > JSON_MAX)
		return NULL;
	json_tokener *tok = json_tokener_new();
	if (!tok)
		return NULL;
	json_object *o = json_tokener_parse_ex(tok, text, (int)len);
	json_tokener_free(tok);
	return o;
}

json_object *cell_json_child(json_object *o, const char *key, int type)
{
	json_object *v;
	if (!o || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, (json_type)type))
		return NULL;
	return v;
}

/* A string member as a span ("" when absent or not a string). */
struct cell_span cell_json_str(json_object *o, const char *key)
{
	json_object *v = cell_json_child(o, key, json_type_string);
	if (!v)
		return cell_span_of("", 0);
	return cell_span_of(json_object_get_string(v), (size_t)json_object_get_string_len(v));
}
