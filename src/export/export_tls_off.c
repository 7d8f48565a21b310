/* export_tls_off: builds without OpenSSL (WITH_HTTPS=OFF) serve plain HTTP
 * only; a listener that must serve HTTPS (security.api_encryption beyond
 * loopback) does not start, and says why. */
#include "export/export_http.h"

#include <stdio.h>

void *export_tls_new(struct evhttp *http, const char *cert, const char *key, char *why,
		     size_t why_size)
{
	(void)http;
	(void)cert;
	(void)key;
	snprintf(why, why_size, "HTTPS needs OpenSSL: this autonomyd was built with "
		 "WITH_HTTPS=OFF");
	return NULL;
}

void export_tls_free(void *tls)
{
	(void)tls;
}
