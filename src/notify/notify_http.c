/* notify_http: libcurl multi on libevent (notify_http.h). */
#include "notify/notify_http.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <curl/curl.h>
#include <event2/event.h>

#include "core/clock.h"

#define NT_BODY_MAX 1024

struct nt_http {
	struct event_base *base;
	CURLM *multi;
	struct event *timer;
	struct nt_xfer *xfers;          /* running */
};

struct nt_xfer {
	struct nt_xfer *prev, *next;
	struct nt_http *t;
	CURL *easy;
	struct curl_slist *headers, *rcpt, *resolve;
	char *upload;                   /* SMTP: the message, read by read_cb */
	size_t upload_len, upload_off;
	char dev[IF_NAMESIZE];
	int bind_errno;
	char errbuf[CURL_ERROR_SIZE];
	char retry_after[64];
	char body[NT_BODY_MAX + 1];
	size_t body_len;
	struct notify_req secrets;      /* only secrets[]: for scrubbing */
	uint64_t t0;
	nt_done_fn cb;
	void *arg;
};

static void xfer_free(struct nt_xfer *x)
{
	struct nt_http *t = x->t;
	if (x->prev)
		x->prev->next = x->next;
	else
		t->xfers = x->next;
	if (x->next)
		x->next->prev = x->prev;
	curl_multi_remove_handle(t->multi, x->easy);
	curl_easy_cleanup(x->easy);
	curl_slist_free_all(x->headers);
	curl_slist_free_all(x->rcpt);
	curl_slist_free_all(x->resolve);
	free(x->upload);
	free(x);
}

/* ---- the reply ---- */

static enum nrep_err err_class(CURLcode rc, CURL *e)
{
	curl_off_t connected = 0;
	switch (rc) {
	case CURLE_OK: return NRE_OK;
	case CURLE_COULDNT_RESOLVE_HOST: return NRE_RESOLVE;
	case CURLE_COULDNT_CONNECT:
	case CURLE_INTERFACE_FAILED:
	case CURLE_ABORTED_BY_CALLBACK: return NRE_CONNECT;
	case CURLE_OPERATION_TIMEDOUT:
		curl_easy_getinfo(e, CURLINFO_CONNECT_TIME_T, &connected);
		return connected > 0 ? NRE_TIMEOUT : NRE_CONNECT;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_USE_SSL_FAILED: return NRE_TLS;
	case CURLE_LOGIN_DENIED: return NRE_AUTH;
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE: return NRE_IO;
	default: return NRE_OTHER;
	}
}

static void finish(struct nt_xfer *x, CURLcode rc)
{
	struct notify_reply r = { .err = err_class(rc, x->easy), .now_wall_ms = clock_wall_ms() };
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &r.status);
	if (rc != CURLE_OK) {
		const char *why = x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc);
		if (x->bind_errno)
			snprintf(r.error, sizeof(r.error), "binding to %s: %s", x->dev,
				 strerror(x->bind_errno));
		else
			snprintf(r.error, sizeof(r.error), "%s", why);
		notify_scrub(&x->secrets, r.error);
	}
	snprintf(r.retry_after, sizeof(r.retry_after), "%s", x->retry_after);
	char body[NT_BODY_MAX + 1];     /* x is gone before the callback */
	memcpy(body, x->body, x->body_len + 1);
	r.body = body;
	r.body_len = x->body_len;
	uint64_t took = clock_mono_ms() - x->t0;
	nt_done_fn cb = x->cb;
	void *arg = x->arg;
	xfer_free(x);
	cb(arg, &r, took);
}

static void check_done(struct nt_http *t)
{
	CURLMsg *m;
	int left;
	while ((m = curl_multi_info_read(t->multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		struct nt_xfer *x = NULL;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		if (x)
			finish(x, m->data.result);
	}
}

/* ---- libcurl on the loop ---- */

static void on_socket(evutil_socket_t fd, short what, void *arg)
{
	struct nt_http *t = arg;
	int running = 0;
	int flags = (what & EV_READ ? CURL_CSELECT_IN : 0) | (what & EV_WRITE ? CURL_CSELECT_OUT : 0);
	curl_multi_socket_action(t->multi, fd, flags, &running);
	check_done(t);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	struct nt_http *t = arg;
	int running = 0;
	curl_multi_socket_action(t->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_done(t);
}

static int socket_cb(CURL *e, curl_socket_t s, int what, void *userp, void *socketp)
{
	(void)e;
	struct nt_http *t = userp;
	struct event *ev = socketp;
	if (what == CURL_POLL_REMOVE) {
		if (ev)
			event_free(ev);
		curl_multi_assign(t->multi, s, NULL);
		return 0;
	}
	short kind = (short)((what & CURL_POLL_IN ? EV_READ : 0) |
			     (what & CURL_POLL_OUT ? EV_WRITE : 0) | EV_PERSIST);
	if (ev) {
		event_del(ev);
		event_assign(ev, t->base, s, kind, on_socket, t);
	} else {
		ev = event_new(t->base, s, kind, on_socket, t);
		if (!ev)
			return -1;
		curl_multi_assign(t->multi, s, ev);
	}
	return event_add(ev, NULL);
}

/* libcurl asks for a timeout; 0 means "call me soon": from the loop, never
 * from inside this callback. */
static int timer_cb(CURLM *m, long timeout_ms, void *userp)
{
	(void)m;
	struct nt_http *t = userp;
	if (timeout_ms < 0)
		return evtimer_del(t->timer);
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
	return evtimer_add(t->timer, &tv);
}

/* ---- one transfer ---- */

static size_t write_cb(char *p, size_t size, size_t n, void *arg)
{
	struct nt_xfer *x = arg;
	size_t len = size * n, room = NT_BODY_MAX - x->body_len;
	memcpy(x->body + x->body_len, p, len < room ? len : room);
	x->body_len += len < room ? len : room;
	x->body[x->body_len] = '\0';
	return len;
}

static size_t header_cb(char *p, size_t size, size_t n, void *arg)
{
	struct nt_xfer *x = arg;
	size_t len = size * n;
	if (len > 12 && strncasecmp(p, "Retry-After:", 12) == 0) {
		size_t k = len - 12;
		while (k && (p[12 + k - 1] == '\r' || p[12 + k - 1] == '\n'))
			k--;
		snprintf(x->retry_after, sizeof(x->retry_after), "%.*s", (int)k, p + 12);
	}
	return len;
}

static size_t read_cb(char *buf, size_t size, size_t n, void *arg)
{
	struct nt_xfer *x = arg;
	size_t room = size * n, left = x->upload_len - x->upload_off;
	size_t k = left < room ? left : room;
	memcpy(buf, x->upload + x->upload_off, k);
	x->upload_off += k;
	return k;
}

/* Before connect: the socket is tied to the uplink's device, as the
 * probes' are. */
static int sockopt_cb(void *arg, curl_socket_t fd, curlsocktype purpose)
{
	struct nt_xfer *x = arg;
	if (purpose != CURLSOCKTYPE_IPCXN || !x->dev[0])
		return CURL_SOCKOPT_OK;
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, x->dev, (socklen_t)strlen(x->dev)) < 0) {
		x->bind_errno = errno;
		return CURL_SOCKOPT_ERROR;
	}
	return CURL_SOCKOPT_OK;
}

static void set_protocols(CURL *e, const char *which)
{
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, which);
#else
	curl_easy_setopt(e, CURLOPT_PROTOCOLS, strcmp(which, "http,https") == 0 ?
			 CURLPROTO_HTTP | CURLPROTO_HTTPS : CURLPROTO_SMTP | CURLPROTO_SMTPS);
#endif
}

static int setup_smtp(struct nt_xfer *x, const struct notify_req *rq)
{
	CURL *e = x->easy;
	char addr[300];
	set_protocols(e, "smtp,smtps");
	snprintf(addr, sizeof(addr), "<%s>", rq->mail_from);
	curl_easy_setopt(e, CURLOPT_MAIL_FROM, addr);
	for (unsigned i = 0; i < rq->n_rcpt; i++) {
		snprintf(addr, sizeof(addr), "<%s>", rq->rcpt[i]);
		struct curl_slist *l = curl_slist_append(x->rcpt, addr);
		if (!l)
			return -1;
		x->rcpt = l;
	}
	curl_easy_setopt(e, CURLOPT_MAIL_RCPT, x->rcpt);
	curl_easy_setopt(e, CURLOPT_USE_SSL, (long)(rq->tls == NRQ_TLS_NONE ? CURLUSESSL_NONE :
						    CURLUSESSL_ALL));
	if (rq->user[0]) {
		curl_easy_setopt(e, CURLOPT_USERNAME, rq->user);
		curl_easy_setopt(e, CURLOPT_PASSWORD, rq->pass);
	}
	if (!(x->upload = malloc(rq->body_len ? rq->body_len : 1)))
		return -1;
	memcpy(x->upload, rq->body, rq->body_len);
	x->upload_len = rq->body_len;
	curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(e, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(e, CURLOPT_READDATA, x);
	curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)rq->body_len);
	return 0;
}

static int setup_http(struct nt_xfer *x, const struct notify_req *rq)
{
	CURL *e = x->easy;
	set_protocols(e, "http,https");
	for (unsigned i = 0; i < rq->n_headers; i++) {
		struct curl_slist *l = curl_slist_append(x->headers, rq->headers[i]);
		if (!l)
			return -1;
		x->headers = l;
	}
	/* No "Expect: 100-continue" round trip for a small body. */
	struct curl_slist *l = curl_slist_append(x->headers, "Expect:");
	if (!l)
		return -1;
	x->headers = l;
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->headers);
	curl_easy_setopt(e, CURLOPT_POST, 1L);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
	curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, rq->body ? rq->body : "");
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "autonomy/" AUTONOMY_VERSION);
	return 0;
}

static void setup_common(struct nt_xfer *x, const struct notify_req *rq, const struct nt_bind *b,
			 unsigned connect_ms, unsigned total_ms)
{
	CURL *e = x->easy;
	char iface[64];
	curl_easy_setopt(e, CURLOPT_URL, rq->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, x);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)connect_ms);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)total_ms);
	curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
	curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	if (rq->ca_file[0]) {
		/* The private CA as well as the system's (OpenSSL reads both). */
		curl_easy_setopt(e, CURLOPT_CAINFO, rq->ca_file);
		curl_easy_setopt(e, CURLOPT_CAPATH, "/etc/ssl/certs");
	}
	snprintf(x->dev, sizeof(x->dev), "%s", b ? b->dev : "");
	curl_easy_setopt(e, CURLOPT_SOCKOPTFUNCTION, sockopt_cb);
	curl_easy_setopt(e, CURLOPT_SOCKOPTDATA, x);
	if (b && b->src[0]) {
		snprintf(iface, sizeof(iface), "host!%s", b->src);
		curl_easy_setopt(e, CURLOPT_INTERFACE, iface);
	}
	if (b && b->family)
		curl_easy_setopt(e, CURLOPT_IPRESOLVE, b->family == AF_INET6 ? CURL_IPRESOLVE_V6 :
				 CURL_IPRESOLVE_V4);
	if (b && b->resolve[0] && (x->resolve = curl_slist_append(NULL, b->resolve)))
		curl_easy_setopt(e, CURLOPT_RESOLVE, x->resolve);
}

struct nt_xfer *nt_http_send(struct nt_http *t, const struct notify_req *rq,
			     const struct nt_bind *b, unsigned connect_ms, unsigned total_ms,
			     nt_done_fn cb, void *arg)
{
	struct nt_xfer *x = calloc(1, sizeof(*x));
	if (!x)
		return NULL;
	x->t = t;
	x->cb = cb;
	x->arg = arg;
	x->t0 = clock_mono_ms();
	memcpy(x->secrets.secrets, rq->secrets, sizeof(rq->secrets));
	x->secrets.n_secrets = rq->n_secrets;
	x->next = t->xfers;
	if (t->xfers)
		t->xfers->prev = x;
	t->xfers = x;
	if (!(x->easy = curl_easy_init())) {
		t->xfers = x->next;
		if (x->next)
			x->next->prev = NULL;
		free(x);
		return NULL;
	}
	setup_common(x, rq, b, connect_ms, total_ms);
	int rc = rq->kind == NRQ_SMTP ? setup_smtp(x, rq) : setup_http(x, rq);
	if (rc < 0 || curl_multi_add_handle(t->multi, x->easy) != CURLM_OK) {
		xfer_free(x);
		return NULL;
	}
	return x;
}

void nt_xfer_cancel(struct nt_xfer *x)
{
	if (x)
		xfer_free(x);
}

struct nt_http *nt_http_new(struct event_base *base)
{
	static bool global;
	if (!global && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return NULL;
	global = true;
	struct nt_http *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->base = base;
	t->multi = curl_multi_init();
	t->timer = evtimer_new(base, on_timer, t);
	if (!t->multi || !t->timer) {
		nt_http_free(t);
		return NULL;
	}
	curl_multi_setopt(t->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
	curl_multi_setopt(t->multi, CURLMOPT_SOCKETDATA, t);
	curl_multi_setopt(t->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	curl_multi_setopt(t->multi, CURLMOPT_TIMERDATA, t);
	return t;
}

void nt_http_free(struct nt_http *t)
{
	if (!t)
		return;
	while (t->xfers)
		xfer_free(t->xfers);
	if (t->multi)
		curl_multi_cleanup(t->multi);
	if (t->timer)
		event_free(t->timer);
	free(t);
}

const char *nt_http_version(void)
{
	static char v[160];
	const curl_version_info_data *d = curl_version_info(CURLVERSION_NOW);
	snprintf(v, sizeof(v), "libcurl/%s %s; names resolved by a child", d->version,
		 d->ssl_version ? d->ssl_version : "no TLS");
	return v;
}

bool nt_http_available(void)
{
	return true;
}
