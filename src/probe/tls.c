/* tls: OpenSSL for https probes, driven by the prober's own events (no
 * blocking call: SSL_connect/SSL_write/SSL_read on a non-blocking socket,
 * WANT_READ/WANT_WRITE turned into the next event to wait for).
 *
 * Certificates are not verified by default: targets are IP addresses,
 * which few certificates name, and a probe asks "does an HTTPS service
 * answer through this uplink", not "is it the real one". prober_config
 * tls_verify turns on chain verification against the system CAs plus a
 * name check against host= (or the IP address). SNI is sent only for a
 * host= name (never an IP literal, RFC 6066).
 *
 * Sessions are resumed (one cached session per target): after the first
 * probe a handshake skips the certificate, saving 1-4 KB per probe on a
 * metered link. A session survives our RST only if we mark the connection
 * as shut down before freeing it, which we do when the probe succeeded.
 *
 * Writes go through OpenSSL's socket BIO, i.e. write(): the process must
 * ignore SIGPIPE (autonomyd does), or a peer's reset could kill it. */
#include "probe/probe_internal.h"

#include "core/log.h"

#include <arpa/inet.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

static SSL_CTX *ctx_plain, *ctx_verify;
static unsigned ctx_refs;

/* Keeps the newest session per target (TLS 1.3 tickets arrive after the
 * handshake, while we read the response). */
static int tls_new_session(SSL *ssl, SSL_SESSION *sess)
{
	void **slot = SSL_get_app_data(ssl);
	if (!slot)
		return 0;
	if (*slot)
		SSL_SESSION_free(*slot);
	*slot = sess;
	return 1;       /* we keep the reference */
}

static SSL_CTX *tls_ctx_new(bool verify)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx)
		return NULL;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
	SSL_CTX_sess_set_new_cb(ctx, tls_new_session);
	SSL_CTX_set_verify(ctx, verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, NULL);
	if (verify && SSL_CTX_set_default_verify_paths(ctx) != 1)
		log_warn("probe: no system CA certificates for https verification");
	ERR_clear_error();
	return ctx;
}

int probe_tls_ref(void)
{
	if (ctx_refs == 0 && !ctx_plain) {
		ctx_plain = tls_ctx_new(false);
		if (!ctx_plain) {
			log_err("probe: cannot create a TLS context");
			ERR_clear_error();
			return -1;
		}
	}
	ctx_refs++;
	return 0;
}

void probe_tls_unref(void)
{
	if (ctx_refs == 0 || --ctx_refs > 0)
		return;
	SSL_CTX_free(ctx_plain);
	SSL_CTX_free(ctx_verify);
	ctx_plain = ctx_verify = NULL;
}

static bool is_ip_literal(const char *s)
{
	unsigned char buf[sizeof(struct in6_addr)];
	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

static int tls_verify_name(SSL *ssl, const struct probe_target *t)
{
	if (t->host[0] && !is_ip_literal(t->host))
		return SSL_set1_host(ssl, t->host);
	X509_VERIFY_PARAM *vp = SSL_get0_param(ssl);
	if (t->host[0])
		return X509_VERIFY_PARAM_set1_ip_asc(vp, t->host);
	if (t->family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&t->addr;
		return X509_VERIFY_PARAM_set1_ip(vp, sin6->sin6_addr.s6_addr, 16);
	}
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&t->addr;
	return X509_VERIFY_PARAM_set1_ip(vp, (const unsigned char *)&sin->sin_addr, 4);
}

void *probe_tls_new(struct prober *p, size_t i, int fd)
{
	const struct probe_target *t = &p->targets[i];
	if (p->tls_verify && !ctx_verify)
		ctx_verify = tls_ctx_new(true);
	SSL_CTX *ctx = p->tls_verify ? ctx_verify : ctx_plain;
	SSL *ssl = ctx ? SSL_new(ctx) : NULL;
	if (!ssl || SSL_set_fd(ssl, fd) != 1)
		goto fail;
	SSL_set_connect_state(ssl);
	if (t->host[0] && !is_ip_literal(t->host) && SSL_set_tlsext_host_name(ssl, t->host) != 1)
		goto fail;
	if (p->tls_verify && tls_verify_name(ssl, t) != 1)
		goto fail;
	SSL_set_app_data(ssl, &p->tls_sessions[i]);
	if (p->tls_sessions[i])
		SSL_set_session(ssl, p->tls_sessions[i]);
	return ssl;
fail:
	SSL_free(ssl);
	ERR_clear_error();
	return NULL;
}

void probe_tls_free(void *ssl, bool keep_session)
{
	/* without this, freeing an unfinished connection marks its session
	 * not resumable */
	if (keep_session)
		SSL_set_shutdown(ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
	SSL_free(ssl);
}

void probe_tls_sessions_free(struct prober *p)
{
	for (size_t i = 0; i < p->n_targets; i++) {
		if (p->tls_sessions[i])
			SSL_SESSION_free(p->tls_sessions[i]);
		p->tls_sessions[i] = NULL;
	}
}

/* An OpenSSL result as PROBE_IO_*; the error queue is left empty, so other
 * users of OpenSSL in the process never see our errors. */
static int tls_result(SSL *ssl, int r)
{
	int e = SSL_get_error(ssl, r);
	ERR_clear_error();
	switch (e) {
	case SSL_ERROR_WANT_READ:
		return PROBE_IO_WANT_READ;
	case SSL_ERROR_WANT_WRITE:
		return PROBE_IO_WANT_WRITE;
	case SSL_ERROR_ZERO_RETURN:
		return PROBE_IO_EOF;
	default:
		return PROBE_IO_ERR;
	}
}

int probe_tls_handshake(void *ssl)
{
	ERR_clear_error();
	int r = SSL_connect(ssl);
	return r == 1 ? 1 : tls_result(ssl, r);
}

int probe_tls_write(void *ssl, const void *buf, size_t len)
{
	ERR_clear_error();
	int r = SSL_write(ssl, buf, (int)len);
	return r > 0 ? r : tls_result(ssl, r);
}

int probe_tls_read(void *ssl, void *buf, size_t len)
{
	ERR_clear_error();
	int r = SSL_read(ssl, buf, (int)len);
	return r > 0 ? r : tls_result(ssl, r);
}
