/* sec_keys: API keys, stored hashed (sec_keys.h). */
#include "security/sec_keys.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sha256.h"

#define HEADER "autonomy-api-keys 1"
#define TIME_MAX ((int64_t)1 << 40)     /* year ~36812: far beyond any clock */

static bool is_lower_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static int hexval(char c)
{
	return c <= '9' ? c - '0' : c - 'a' + 10;
}

static void hex_to_bytes(const char *hex, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = (uint8_t)(hexval(hex[2 * i]) << 4 | hexval(hex[2 * i + 1]));
}

static void bytes_to_hex(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

bool sec_key_name_ok(const char *name)
{
	size_t n = strlen(name);
	if (n < 1 || n > SEC_KEY_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

/* A decimal Unix time: digits only, no leading zero but "0", in range. */
static bool parse_time(const char *s, size_t n, int64_t *out)
{
	if (n == 0 || n > 13 || (n > 1 && s[0] == '0'))
		return false;
	int64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	if (v > TIME_MAX)
		return false;
	*out = v;
	return true;
}

/* One key line (without its newline): five fields, single spaces. */
static const char *parse_line(struct sec_keys *k, const char *p, size_t len)
{
	const char *f[5];
	size_t fl[5], nf = 0;
	const char *end = p + len;
	while (p <= end && nf < 5) {
		const char *sp = memchr(p, ' ', (size_t)(end - p));
		const char *e = sp && nf < 4 ? sp : end;
		f[nf] = p;
		fl[nf++] = (size_t)(e - p);
		p = e + 1;
		if (e == end)
			break;
	}
	if (nf != 5)
		return "expected: ID CREATED REVOKED SHA256 NAME";
	if (fl[0] != SEC_KEY_ID_LEN || !is_lower_hex(f[0], fl[0]))
		return "the id is not 16 lowercase hex digits";
	struct sec_key key = { 0 };
	if (!parse_time(f[1], fl[1], &key.created) || key.created == 0)
		return "the creation time is not a Unix time";
	if (!parse_time(f[2], fl[2], &key.revoked) || (key.revoked && key.revoked < key.created))
		return "the revocation time is not 0 or a Unix time after the creation";
	if (fl[3] != 64 || !is_lower_hex(f[3], 64))
		return "the hash is not 64 lowercase hex digits";
	if (fl[4] > SEC_KEY_NAME_MAX || fl[4] == 0)
		return "the name is not 1-32 characters";
	memcpy(key.id, f[0], SEC_KEY_ID_LEN);
	memcpy(key.name, f[4], fl[4]);
	if (!sec_key_name_ok(key.name))
		return "the name has characters other than letters, digits, '.', '_', '-'";
	hex_to_bytes(f[3], key.hash, 32);
	for (size_t i = 0; i < k->n; i++)
		if (strcmp(k->v[i].id, key.id) == 0)
			return "the id is there twice";
	if (k->n >= SEC_KEYS_MAX)
		return "more than 64 keys";
	k->v[k->n++] = key;
	return NULL;
}

int sec_keys_parse(struct sec_keys *k, const char *buf, size_t len, char *err, size_t errsz)
{
	memset(k, 0, sizeof(*k));
	if (len > SEC_KEYS_FILE_MAX) {
		snprintf(err, errsz, "larger than %d bytes", SEC_KEYS_FILE_MAX);
		return -1;
	}
	if (memchr(buf, '\0', len)) {
		snprintf(err, errsz, "holds a NUL byte");
		return -1;
	}
	const char *p = buf, *end = buf + len;
	for (unsigned line = 1; p < end; line++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl) {
			snprintf(err, errsz, "line %u: no newline at the end", line);
			memset(k, 0, sizeof(*k));
			return -1;
		}
		size_t n = (size_t)(nl - p);
		const char *why = NULL;
		if (line == 1)
			why = n == strlen(HEADER) && memcmp(p, HEADER, n) == 0 ? NULL :
			      "not \"" HEADER "\"";
		else
			why = parse_line(k, p, n);
		if (why) {
			snprintf(err, errsz, "line %u: %s", line, why);
			memset(k, 0, sizeof(*k));
			return -1;
		}
		p = nl + 1;
	}
	if (len == 0) {
		snprintf(err, errsz, "empty (no \"" HEADER "\" line)");
		return -1;
	}
	return 0;
}

size_t sec_keys_format(const struct sec_keys *k, char *buf, size_t size)
{
	size_t used = 0;
	int n = snprintf(buf, size, "%s\n", HEADER);
	used += n > 0 ? (size_t)n : 0;
	for (size_t i = 0; i < k->n; i++) {
		char hex[65];
		bytes_to_hex(k->v[i].hash, 32, hex);
		n = snprintf(used < size ? buf + used : NULL, used < size ? size - used : 0,
			     "%s %" PRId64 " %" PRId64 " %s %s\n", k->v[i].id, k->v[i].created,
			     k->v[i].revoked, hex, k->v[i].name);
		used += n > 0 ? (size_t)n : 0;
	}
	return used;
}

static void drop(struct sec_keys *k, size_t i)
{
	memmove(&k->v[i], &k->v[i + 1], (k->n - i - 1) * sizeof(k->v[0]));
	k->n--;
}

struct sec_key *sec_keys_add(struct sec_keys *k, const char *name, int64_t now,
			     const uint8_t rnd[SEC_KEY_RANDOM], char *key_out, char *err,
			     size_t errsz)
{
	if (!name || !sec_key_name_ok(name)) {
		snprintf(err, errsz, "a key's name is 1-32 letters, digits, '.', '_' or '-'");
		return NULL;
	}
	if (k->n >= SEC_KEYS_MAX) {
		size_t oldest = SIZE_MAX;
		for (size_t i = 0; i < k->n; i++)
			if (k->v[i].revoked && (oldest == SIZE_MAX ||
						k->v[i].revoked < k->v[oldest].revoked))
				oldest = i;
		if (oldest == SIZE_MAX) {
			snprintf(err, errsz, "%d keys are in force: revoke one first", SEC_KEYS_MAX);
			return NULL;
		}
		drop(k, oldest);
	}
	struct sec_key *key = &k->v[k->n];
	memset(key, 0, sizeof(*key));
	bytes_to_hex(rnd, SEC_KEY_ID_LEN / 2, key->id);
	for (size_t i = 0; i < k->n; i++)
		if (strcmp(k->v[i].id, key->id) == 0) {
			snprintf(err, errsz, "the random id is taken; try again");
			return NULL;
		}
	char secret[65];
	bytes_to_hex(rnd + SEC_KEY_ID_LEN / 2, 32, secret);
	snprintf(key_out, SEC_KEY_TEXT_LEN + 1, "ak_%s_%s", key->id, secret);
	struct sha256 h;
	sha256_init(&h);
	sha256_update(&h, key_out, SEC_KEY_TEXT_LEN);
	sha256_final(&h, key->hash);
	snprintf(key->name, sizeof(key->name), "%s", name);
	key->created = now;
	k->n++;
	return key;
}

int64_t sec_key_expires(const struct sec_key *key, int64_t validity_s)
{
	return key->created + validity_s;
}

/* Compares all 32 bytes whatever differs first: no timing tells how much
 * of a guess was right. */
static bool same_hash(const uint8_t *a, const uint8_t *b)
{
	uint8_t diff = 0;
	for (size_t i = 0; i < 32; i++)
		diff |= a[i] ^ b[i];
	return diff == 0;
}

enum sec_key_check sec_keys_check(struct sec_keys *k, const char *presented, int64_t now,
				  int64_t validity_s, struct sec_key **which)
{
	*which = NULL;
	if (!presented || !*presented)
		return SEC_KEY_MISSING;
	if (strlen(presented) != SEC_KEY_TEXT_LEN || strncmp(presented, "ak_", 3) != 0 ||
	    presented[3 + SEC_KEY_ID_LEN] != '_' || !is_lower_hex(presented + 3, SEC_KEY_ID_LEN) ||
	    !is_lower_hex(presented + 4 + SEC_KEY_ID_LEN, 64))
		return SEC_KEY_MALFORMED;
	struct sec_key *key = NULL;
	for (size_t i = 0; i < k->n && !key; i++)
		if (memcmp(k->v[i].id, presented + 3, SEC_KEY_ID_LEN) == 0)
			key = &k->v[i];
	if (!key)
		return SEC_KEY_UNKNOWN;
	uint8_t h[32];
	struct sha256 s;
	sha256_init(&s);
	sha256_update(&s, presented, SEC_KEY_TEXT_LEN);
	sha256_final(&s, h);
	if (!same_hash(h, key->hash))
		return SEC_KEY_UNKNOWN;  /* a right id with a wrong secret: a guess */
	*which = key;
	if (key->revoked)
		return SEC_KEY_REVOKED;
	if (now >= sec_key_expires(key, validity_s))
		return SEC_KEY_EXPIRED;
	key->last_used = now;
	key->uses++;
	return SEC_KEY_OK;
}

const char *sec_key_check_str(enum sec_key_check c)
{
	switch (c) {
	case SEC_KEY_OK: return "ok";
	case SEC_KEY_MISSING: return "no API key";
	case SEC_KEY_MALFORMED: return "not an API key";
	case SEC_KEY_UNKNOWN: return "unknown API key";
	case SEC_KEY_REVOKED: return "revoked API key";
	case SEC_KEY_EXPIRED: return "expired API key";
	}
	return "?";
}

struct sec_key *sec_keys_find(struct sec_keys *k, const char *id_or_name)
{
	struct sec_key *by_name = NULL;
	size_t named = 0;
	for (size_t i = 0; i < k->n; i++) {
		if (strcmp(k->v[i].id, id_or_name) == 0)
			return &k->v[i];
		if (!k->v[i].revoked && strcmp(k->v[i].name, id_or_name) == 0) {
			by_name = &k->v[i];
			named++;
		}
	}
	return named == 1 ? by_name : NULL;
}

size_t sec_keys_in_force(const struct sec_keys *k, int64_t now, int64_t validity_s)
{
	size_t n = 0;
	for (size_t i = 0; i < k->n; i++)
		n += !k->v[i].revoked && now < sec_key_expires(&k->v[i], validity_s);
	return n;
}

enum sec_key_notice sec_key_notice(struct sec_key *key, int64_t now, int64_t validity_s,
				   int64_t warn_s)
{
	int64_t exp = sec_key_expires(key, validity_s);
	if (key->revoked)
		return SEC_NOTICE_NONE;
	if (now < exp - warn_s) {       /* (again, after a longer rotation was set) */
		key->warned_soon = key->warned_expired = false;
		return SEC_NOTICE_NONE;
	}
	if (now >= exp) {
		if (key->warned_expired)
			return SEC_NOTICE_NONE;
		key->warned_expired = key->warned_soon = true;
		return SEC_NOTICE_EXPIRED;
	}
	if (now >= exp - warn_s && !key->warned_soon) {
		key->warned_soon = true;
		return SEC_NOTICE_SOON;
	}
	return SEC_NOTICE_NONE;
}
