/* notify_hmac_off: stands in for notify_hmac.c in a build without OpenSSL
 * (neither WITH_ALERTS nor WITH_HTTPS): a webhook secret cannot sign, and the
 * webhook says so instead of sending unsigned what should be signed. */
#include "notify/notify_hmac.h"

int notify_hmac_sha256_hex(const char *key, const void *data, size_t len, char out[65])
{
	(void)key; (void)data; (void)len;
	out[0] = '\0';
	return -1;
}
