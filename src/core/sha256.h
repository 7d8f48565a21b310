/* sha256: SHA-256 (FIPS 180-4), our own so that every build has it —
 * builds without OpenSSL (WITH_HTTPS=OFF, for small routers) included. It
 * checks the integrity of config backups; it is not used as a MAC. */
#ifndef AUTONOMY_CORE_SHA256_H
#define AUTONOMY_CORE_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32

struct sha256 {
	uint32_t h[8];
	uint64_t len;           /* bytes hashed so far */
	uint8_t buf[64];
	size_t n;               /* bytes in buf */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, uint8_t out[SHA256_LEN]);
/* One shot, as 64 lowercase hex digits and a NUL. */
void sha256_hex(const void *data, size_t len, char out[2 * SHA256_LEN + 1]);

#endif
