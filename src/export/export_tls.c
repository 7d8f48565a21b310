/* export_tls: HTTPS for the exporters' listener (security.api_encryption):
 * evhttp makes each accepted connection's bufferevent through our
 * callback, an OpenSSL one in accepting state. The certificate chain and the
 * key are read with fs_read_file (a regular file, size-capped, never
 * blocking on a FIFO) and loaded from memory. TLS 1.2 at least. */
#include "export/export_http.h"

#include <stdio.h>
#include <stdlib.h>

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "core/fsutil.h"

#define PEM_MAX (64 * 1024)

static struct bufferevent *tls_bev(struct event_base *base, void *arg)
{
	SSL *ssl = SSL_new(arg);
	if (!ssl)
		return NULL;   /* evhttp then makes a plain one: the handshake fails */
	return bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING,
					      BEV_OPT_CLOSE_ON_FREE);
}

static const char *ssl_err(char *buf, size_t size)
{
	unsigned long e = ERR_get_error();
	if (!e)
		return "no detail";
	ERR_error_string_n(e, buf, size);
	ERR_clear_error();
	return buf;
}

/* The leaf and its chain from PEM text. */
static int load_chain(SSL_CTX *ctx, const char *pem, size_t len)
{
	BIO *b = BIO_new_mem_buf(pem, (int)len);
	X509 *leaf = b ? PEM_read_bio_X509_AUX(b, NULL, NULL, NULL) : NULL;
	int ok = leaf && SSL_CTX_use_certificate(ctx, leaf) == 1;
	X509_free(leaf);
	X509 *ca;
	while (ok && (ca = PEM_read_bio_X509(b, NULL, NULL, NULL)))
		if (SSL_CTX_add0_chain_cert(ctx, ca) != 1) {
			X509_free(ca);
			ok = 0;
		}
	ERR_clear_error();      /* the end of the chain reads as an error */
	BIO_free(b);
	return ok ? 0 : -1;
}

static int load_key(SSL_CTX *ctx, const char *pem, size_t len)
{
	BIO *b = BIO_new_mem_buf(pem, (int)len);
	EVP_PKEY *k = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
	int ok = k && SSL_CTX_use_PrivateKey(ctx, k) == 1 && SSL_CTX_check_private_key(ctx) == 1;
	EVP_PKEY_free(k);
	BIO_free(b);
	return ok ? 0 : -1;
}

void *export_tls_new(struct evhttp *http, const char *cert, const char *key, char *why,
		     size_t why_size)
{
	char eb[160];
	size_t clen = 0, klen = 0;
	char *c = fs_read_file(cert, PEM_MAX, &clen), *k = key ? fs_read_file(key, PEM_MAX, &klen) :
								  NULL;
	SSL_CTX *ctx = c && k ? SSL_CTX_new(TLS_server_method()) : NULL;
	if (!c || !k) {
		snprintf(why, why_size, "cannot read %s", !c ? cert : key ? key : "the TLS key");
	} else if (!ctx) {
		snprintf(why, why_size, "TLS: %s", ssl_err(eb, sizeof(eb)));
	} else if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
		   load_chain(ctx, c, clen) < 0) {
		snprintf(why, why_size, "%s: not a PEM certificate (%s)", cert, ssl_err(eb, sizeof(eb)));
		SSL_CTX_free(ctx);
		ctx = NULL;
	} else if (load_key(ctx, k, klen) < 0) {
		snprintf(why, why_size, "%s: not the PEM key of %s (%s)", key, cert,
			 ssl_err(eb, sizeof(eb)));
		SSL_CTX_free(ctx);
		ctx = NULL;
	}
	if (k)
		OPENSSL_cleanse(k, klen);
	free(c);
	free(k);
	if (ctx)
		evhttp_set_bevcb(http, tls_bev, ctx);
	return ctx;
}

void export_tls_free(void *tls)
{
	SSL_CTX_free(tls);
}
