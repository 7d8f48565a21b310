/* sec_keys: API keys of the HTTP listeners (security.api_key_required).
 *
 * A key is "ak_" + a 16-hex-digit id + "_" + 64 hex digits of secret (256
 * random bits), shown once when it is made. The file keeps only its SHA-256:
 * a 256-bit random secret cannot be guessed from its hash, so a slow
 * password hash would buy nothing and cost the router CPU at every request.
 * A key is valid for security.api_key_rotation_days after it was made
 * (computed at each check: changing the option applies to every key), until
 * it is revoked.
 *
 * The file (state_dir/api_keys, 0600) is text, strict, and fuzzed
 * (fuzz_sec_keys):
 *
 *   autonomy-api-keys 1
 *   ID CREATED REVOKED SHA256 NAME          one line per key
 *
 * ID 16 lowercase hex digits, CREATED and REVOKED Unix seconds (REVOKED 0 =
 * in force), SHA256 64 lowercase hex digits, NAME 1-32 of [A-Za-z0-9._-].
 * Pure: the caller gives the time and the random bytes. */
#ifndef AUTONOMY_SECURITY_SEC_KEYS_H
#define AUTONOMY_SECURITY_SEC_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SEC_KEYS_MAX 64
#define SEC_KEY_ID_LEN 16
#define SEC_KEY_TEXT_LEN (3 + SEC_KEY_ID_LEN + 1 + 64)
#define SEC_KEY_NAME_MAX 32
#define SEC_KEYS_FILE_MAX 16384
#define SEC_KEY_RANDOM 40       /* bytes a new key takes: 8 of id, 32 of secret */

struct sec_key {
	char id[SEC_KEY_ID_LEN + 1];
	char name[SEC_KEY_NAME_MAX + 1];
	int64_t created, revoked;
	uint8_t hash[32];
	/* Not in the file (a write per request would wear flash): */
	int64_t last_used;
	uint64_t uses;
	bool warned_soon, warned_expired;
};

struct sec_keys {
	struct sec_key v[SEC_KEYS_MAX];
	size_t n;
};

enum sec_key_check {
	SEC_KEY_OK, SEC_KEY_MISSING, SEC_KEY_MALFORMED, SEC_KEY_UNKNOWN, SEC_KEY_REVOKED,
	SEC_KEY_EXPIRED,
};

/* 0, or -1 with "line N: ..." in err; k is left empty on error. */
int sec_keys_parse(struct sec_keys *k, const char *buf, size_t len, char *err, size_t errsz);
/* The file's text; returns its length (>= size: truncated, as snprintf). */
size_t sec_keys_format(const struct sec_keys *k, char *buf, size_t size);
bool sec_key_name_ok(const char *name);
/* Makes a key from rnd (SEC_KEY_RANDOM bytes); its text goes to key_out
 * (SEC_KEY_TEXT_LEN + 1). A full table drops its oldest revoked key first.
 * The new entry, or NULL with err (bad name, full of keys in force). */
struct sec_key *sec_keys_add(struct sec_keys *k, const char *name, int64_t now,
			     const uint8_t rnd[SEC_KEY_RANDOM], char *key_out, char *err,
			     size_t errsz);
/* What a presented key is worth now; *which is the entry it names (for the
 * log and the counters) when there is one. */
enum sec_key_check sec_keys_check(struct sec_keys *k, const char *presented, int64_t now,
				  int64_t validity_s, struct sec_key **which);
const char *sec_key_check_str(enum sec_key_check c);
int64_t sec_key_expires(const struct sec_key *key, int64_t validity_s);
/* By id, or by name when exactly one key in force has it. */
struct sec_key *sec_keys_find(struct sec_keys *k, const char *id_or_name);
size_t sec_keys_in_force(const struct sec_keys *k, int64_t now, int64_t validity_s);

/* What to tell about a key now, once each: that it expires within warn_s,
 * then that it expired. Revoked keys say nothing. */
enum sec_key_notice { SEC_NOTICE_NONE, SEC_NOTICE_SOON, SEC_NOTICE_EXPIRED };
enum sec_key_notice sec_key_notice(struct sec_key *key, int64_t now, int64_t validity_s,
				   int64_t warn_s);

#endif
