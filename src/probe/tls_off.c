/* tls_off: the TLS layer of a build without HTTPS (cmake -DWITH_HTTPS=OFF,
 * no libssl on the router). https:// targets are refused when the config is
 * read (probe/target.c), so a prober never has an HTTPS target: taking a
 * reference on the TLS contexts fails, and no connection ever gets an SSL
 * object to read, write or free. Compiled instead of tls.c. */
#include "probe/probe_internal.h"

#include <errno.h>

int probe_tls_ref(void)
{
	errno = EPROTONOSUPPORT;
	return -1;
}

void probe_tls_unref(void)
{
}

void *probe_tls_new(struct prober *p, size_t i, int fd)
{
	(void)p; (void)i; (void)fd;
	errno = EPROTONOSUPPORT;
	return NULL;
}

void probe_tls_free(void *ssl, bool keep_session)
{
	(void)ssl; (void)keep_session;
}

int probe_tls_handshake(void *ssl)
{
	(void)ssl;
	return PROBE_IO_ERR;
}

int probe_tls_write(void *ssl, const void *buf, size_t len)
{
	(void)ssl; (void)buf; (void)len;
	return PROBE_IO_ERR;
}

int probe_tls_read(void *ssl, void *buf, size_t len)
{
	(void)ssl; (void)buf; (void)len;
	return PROBE_IO_ERR;
}

void probe_tls_sessions_free(struct prober *p)
{
	(void)p;
}
