/* notify_hmac: HMAC-SHA256 in hex (notify_hmac.h). */
#include "notify/notify_hmac.h"

#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

int notify_hmac_sha256_hex(const char *key, const void *data, size_t len, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	if (!HMAC(EVP_sha256(), key, (int)strlen(key), data, len, mac, &n) || n != 32)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		out[2 * i] = hex[mac[i] >> 4];
		out[2 * i + 1] = hex[mac[i] & 15];
	}
	out[64] = '\0';
	return 0;
}
