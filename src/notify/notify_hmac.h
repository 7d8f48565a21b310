/* notify_hmac: HMAC-SHA256 (OpenSSL's libcrypto) as lower-case hex, for the
 * webhook's signature header. */
#ifndef AUTONOMY_NOTIFY_NOTIFY_HMAC_H
#define AUTONOMY_NOTIFY_NOTIFY_HMAC_H

#include <stddef.h>

/* out: 65 bytes. 0, or -1. */
int notify_hmac_sha256_hex(const char *key, const void *data, size_t len, char out[65]);

#endif
