/* prom: the Prometheus exporter. /metrics on the daemon's loop (evhttp,
 * listen default 127.0.0.1:9612), and/or a textfile for node-exporter's
 * textfile collector (prometheus-node-exporter-lua-textfile on OpenWrt):
 * the zero-port option, rewritten atomically every textfile_interval so
 * the collector never reads half a file. */
#include "export/prom.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include "config/config.h"
#include "core/clock.h"
#include "core/fsutil.h"
#include "core/log.h"
#include "export/export_http.h"
#include "security/sec_acl.h"

struct prom {
	struct export_ctx *x;
	struct export_http *http;
	char listen[64];
	char textfile[256];
	struct event *timer;
	uint64_t interval_ms;
	uint64_t scrapes, textfile_writes, textfile_errors;
	size_t last_bytes, last_samples;
	uint64_t last_render_us;
	char textfile_error[160];
};

static struct evbuffer *render(struct prom *p)
{
	struct evbuffer *b = evbuffer_new();
	if (!b)
		return NULL;
	uint64_t t0 = clock_mono_us();
	const struct export_snap *s = export_snapshot(p->x);
	p->last_samples = prom_render(b, s, &p->x->fo);
	p->last_render_us = clock_mono_us() - t0;
	p->last_bytes = evbuffer_get_length(b);
	return b;
}

static void on_metrics(struct evhttp_request *req, void *arg)
{
	struct prom *p = arg;
	struct evbuffer *b = render(p);
	if (!b) {
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	p->scrapes++;
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
			  PROM_CONTENT_TYPE);
	evhttp_send_reply(req, HTTP_OK, "OK", b);
	evbuffer_free(b);
}

static const struct export_http_route routes[] = {
	{ "/metrics", on_metrics },
};

static void write_textfile(struct prom *p)
{
	struct evbuffer *b = render(p);
	if (!b)
		return;
	size_t len = evbuffer_get_length(b);
	const void *data = evbuffer_pullup(b, -1);
	if (fs_write_atomic(p->textfile, len ? data : "", len, 0644) < 0) {
		char e[160];
		snprintf(e, sizeof(e), "%s", strerror(errno));
		if (strcmp(e, p->textfile_error) != 0)  /* once per kind of failure */
			log_warn("prometheus textfile %s: %s", p->textfile, e);
		snprintf(p->textfile_error, sizeof(p->textfile_error), "%s", e);
		p->textfile_errors++;
	} else {
		p->textfile_error[0] = '\0';
		p->textfile_writes++;
	}
	evbuffer_free(b);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	write_textfile(arg);
}

/* The listener, behind the guard; beyond loopback with api_encryption it
 * serves HTTPS only, and without a certificate it does not start. */
static int listen_start(struct prom *p, char *why, size_t why_size)
{
	const struct cfg_section *sec = config_section(p->x->cfg, "security");
	const char *cert = cfg_str(sec, "tls_cert"), *key = cfg_str(sec, "tls_key");
	struct export_http_opts o = { .listen = p->listen, .guard = p->x->host->guard };
	if (cfg_bool(sec, "api_encryption") && !sec_listen_is_loopback(p->listen)) {
		if (!cert || !*cert || !key || !*key) {
			snprintf(why, why_size, "%s is reachable from other hosts and "
				 "security.api_encryption is on: set security.tls_cert and tls_key "
				 "(or listen on loopback, or api_encryption '0')", p->listen);
			return -1;
		}
		o.tls_cert = cert;
		o.tls_key = key;
	}
	p->http = export_http_new(p->x->base, &o, routes, 1, p, why, why_size);
	return p->http ? 0 : -1;
}

static void prom_stop(void *st)
{
	struct prom *p = st;
	export_http_free(p->http);
	if (p->timer)
		event_free(p->timer);
	free(p);
}

static void *prom_start(struct export_ctx *x, const struct cfg_section *s, char *why,
			size_t why_size)
{
	struct prom *p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(why, why_size, "out of memory");
		return NULL;
	}
	p->x = x;
	snprintf(p->listen, sizeof(p->listen), "%s", cfg_str(s, "listen") ? cfg_str(s, "listen") : "");
	snprintf(p->textfile, sizeof(p->textfile), "%s",
		 cfg_str(s, "textfile") ? cfg_str(s, "textfile") : "");
	p->interval_ms = (uint64_t)cfg_duration_ms(s, "textfile_interval");
	if (p->listen[0] && listen_start(p, why, why_size) < 0) {
		prom_stop(p);
		return NULL;
	}
	if (p->textfile[0]) {
		struct timeval tv = { (time_t)(p->interval_ms / 1000),
				      (suseconds_t)(p->interval_ms % 1000) * 1000 };
		p->timer = event_new(x->base, -1, EV_PERSIST, on_timer, p);
		if (!p->timer || event_add(p->timer, &tv) < 0) {
			snprintf(why, why_size, "cannot start the textfile timer");
			prom_stop(p);
			return NULL;
		}
		write_textfile(p);      /* at once: the collector may ask any time */
	}
	log_info("prometheus exporter: %s%s%s%s",
		 !p->listen[0] ? "" : p->http && export_http_tls(p->http) ? "https://" : "http://",
		 p->listen[0] ? p->listen : "", p->listen[0] ? "/metrics" : "",
		 p->textfile[0] ? " textfile " : "");
	return p;
}

static json_object *prom_view(void *st)
{
	struct prom *p = st;
	json_object *o = json_object_new_object();
	json_object_object_add(o, "state", json_object_new_string("running"));
	json_object_object_add(o, "listen", p->listen[0] ? json_object_new_string(p->listen) : NULL);
	json_object_object_add(o, "scrapes", json_object_new_int64((int64_t)p->scrapes));
	if (p->http) {
		struct export_http_stats hs;
		export_http_get_stats(p->http, &hs);
		json_object_object_add(o, "requests", json_object_new_int64((int64_t)hs.requests));
		json_object_object_add(o, "not_found", json_object_new_int64((int64_t)hs.not_found));
		json_object_object_add(o, "refused", json_object_new_int64((int64_t)hs.refused));
		json_object_object_add(o, "tls", json_object_new_boolean(hs.tls));
	}
	json_object_object_add(o, "last_bytes", json_object_new_int64((int64_t)p->last_bytes));
	json_object_object_add(o, "last_samples", json_object_new_int64((int64_t)p->last_samples));
	json_object_object_add(o, "last_render_us", json_object_new_int64((int64_t)p->last_render_us));
	json_object_object_add(o, "textfile", p->textfile[0] ? json_object_new_string(p->textfile) : NULL);
	json_object_object_add(o, "textfile_writes", json_object_new_int64((int64_t)p->textfile_writes));
	json_object_object_add(o, "textfile_error", p->textfile_error[0] ?
			       json_object_new_string(p->textfile_error) : NULL);
	return o;
}

const struct export_ops export_prom_ops = {
	.name = "prometheus",
	.also = "security",     /* api_encryption, tls_cert, tls_key */
	.start = prom_start,
	.stop = prom_stop,
	.view = prom_view,
};
