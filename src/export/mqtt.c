/* mqtt: fleet telemetry through libmosquitto, driven by the daemon's loop —
 * no mosquitto_loop_start() thread. The client's socket is watched by
 * libevent (read: mosquitto_loop_read; write while it wants to:
 * mosquitto_loop_write), a 1 s timer runs mosquitto_loop_misc (keep-alive)
 * and the connect deadline. Connecting never blocks: a numeric broker is
 * connected with mosquitto_connect_async (a non-blocking connect); a name
 * is resolved by a child first (core/resolve.h) and libmosquitto gets the
 * address. A broker that is down, refuses or hangs costs a reconnect with
 * back-off (1 s doubling to 5 min), never a wait. TLS uses our own OpenSSL
 * context, so the certificate is checked against the broker's name even
 * when the connection goes to an address. */
#include "export/mqtt_msg.h"
#include "export/export_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <mosquitto.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "config/config.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/proc.h"
#include "core/resolve.h"

#define MQ_CONNECT_DEADLINE_US  (10 * 1000000ull)
#define MQ_BACKOFF_MIN_MS       1000u
#define MQ_BACKOFF_MAX_MS       300000u
#define MQ_QUEUE_MAX            50      /* events kept while disconnected */

enum mq_state { MQ_WAITING, MQ_RESOLVING, MQ_CONNECTING, MQ_CONNECTED };

struct mq {
	struct export_ctx *x;
	struct mosquitto *mosq;
	SSL_CTX *ssl;
	char broker[256], addr[64], prefix[200], client_id[128], user[128], pass[256];
	char ca_file[256];
	int port, keepalive_s;
	bool tls;
	uint64_t interval_ms;
	enum mq_state state;
	struct event *ev_read, *ev_write, *misc, *retry, *refresh;
	struct event *dirty;            /* retained state to publish after this callback */
	struct proc *resolver;
	uint64_t connect_us, connected_since_us;
	unsigned backoff_ms;
	char *queue[MQ_QUEUE_MAX];
	size_t q_head, q_len;
	uint64_t connects, failures, published, bytes, dropped;
	char last_error[160];
};

static int mq_lib_users;

static void begin_connect(struct mq *q);

static void set_error(struct mq *q, const char *e)
{
	if (strcmp(e, q->last_error) != 0)      /* logged when it changes */
		log_warn("mqtt %s:%d: %s", q->broker, q->port, e);
	snprintf(q->last_error, sizeof(q->last_error), "%s", e);
}

static void drop_socket_events(struct mq *q)
{
	if (q->ev_read)
		event_free(q->ev_read);
	if (q->ev_write)
		event_free(q->ev_write);
	q->ev_read = q->ev_write = NULL;
}

static void want_write(struct mq *q)
{
	if (q->ev_write && mosquitto_want_write(q->mosq))
		event_add(q->ev_write, NULL);
}

/* The connection is gone or never came: try again after the back-off. */
static void lost(struct mq *q, const char *why)
{
	bool was_up = q->state == MQ_CONNECTED;
	drop_socket_events(q);
	if (q->resolver)
		proc_cancel(q->resolver);
	q->resolver = NULL;
	q->state = MQ_WAITING;
	q->failures++;
	set_error(q, why);
	if (was_up && clock_mono_us() - q->connected_since_us > 60 * 1000000ull)
		q->backoff_ms = MQ_BACKOFF_MIN_MS;      /* it had been working */
	struct timeval tv = { q->backoff_ms / 1000, (q->backoff_ms % 1000) * 1000 };
	event_add(q->retry, &tv);
	q->backoff_ms = q->backoff_ms * 2 > MQ_BACKOFF_MAX_MS ? MQ_BACKOFF_MAX_MS :
			q->backoff_ms * 2;
}

static void lost_rc(struct mq *q, int rc)
{
	lost(q, rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc));
}

static int publish(struct mq *q, const char *suffix, const char *payload, int qos, bool retain)
{
	char topic[320];
	if (q->state != MQ_CONNECTED || mqtt_topic(topic, sizeof(topic), q->prefix, suffix) < 0)
		return -1;
	size_t len = strlen(payload);
	int rc = mosquitto_publish(q->mosq, NULL, topic, (int)len, payload, qos, retain);
	if (rc != MOSQ_ERR_SUCCESS)
		return -1;
	q->published++;
	q->bytes += len + strlen(topic);
	want_write(q);
	return 0;
}

static void publish_json(struct mq *q, const char *suffix, json_object *o, int qos, bool retain)
{
	publish(q, suffix, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN), qos, retain);
	json_object_put(o);
}

static void publish_member(struct mq *q, json_object *m, long long now_s)
{
	char suffix[96];
	snprintf(suffix, sizeof(suffix), "members/%s", json_object_get_string(export_path(m, "name")));
	publish_json(q, suffix, mqtt_member_payload(m, now_s), 1, true);
}

/* Retained state: the status and every member. */
static void publish_state(struct mq *q)
{
	if (q->state != MQ_CONNECTED)
		return;
	const struct export_snap *s = export_snapshot(q->x);
	long long now_s = clock_wall_ms() / 1000;
	publish_json(q, "status", mqtt_status_payload(s->status, now_s), 1, true);
	size_t n = s->members ? json_object_array_length(s->members) : 0;
	for (size_t i = 0; i < n; i++) {
		publish_member(q, json_object_array_get_idx(s->members, i), now_s);
	}
}

static void queue_push(struct mq *q, const char *text)
{
	if (q->q_len == MQ_QUEUE_MAX) {         /* the oldest gives way */
		free(q->queue[q->q_head]);
		q->q_head = (q->q_head + 1) % MQ_QUEUE_MAX;
		q->q_len--;
		q->dropped++;
	}
	char *c = strdup(text);
	if (!c) {
		q->dropped++;
		return;
	}
	q->queue[(q->q_head + q->q_len) % MQ_QUEUE_MAX] = c;
	q->q_len++;
}

static void queue_flush(struct mq *q)
{
	while (q->q_len && q->state == MQ_CONNECTED) {
		char *c = q->queue[q->q_head];
		q->queue[q->q_head] = NULL;
		q->q_head = (q->q_head + 1) % MQ_QUEUE_MAX;
		q->q_len--;
		publish(q, "events", c, 1, false);
		free(c);
	}
}

/* ---- libmosquitto callbacks (from inside loop_read/loop_misc) ------------ */

static void on_connect(struct mosquitto *mosq, void *arg, int rc)
{
	(void)mosq;
	struct mq *q = arg;
	if (rc != 0) {
		lost(q, mosquitto_connack_string(rc));
		return;
	}
	q->state = MQ_CONNECTED;
	q->connects++;
	q->connected_since_us = clock_mono_us();
	q->backoff_ms = MQ_BACKOFF_MIN_MS;
	if (q->last_error[0])
		log_notice("mqtt %s:%d: connected", q->broker, q->port);
	q->last_error[0] = '\0';
	publish(q, "availability", "online", 1, true);
	publish_state(q);
	queue_flush(q);
}

static void on_disconnect(struct mosquitto *mosq, void *arg, int rc)
{
	(void)mosq;
	struct mq *q = arg;
	if (q->state == MQ_CONNECTED || q->state == MQ_CONNECTING)
		lost_rc(q, rc ? MOSQ_ERR_CONN_LOST : MOSQ_ERR_NO_CONN);
}

/* ---- the loop --------------------------------------------------------------- */

static void on_read(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct mq *q = arg;
	int rc = mosquitto_loop_read(q->mosq, 1);
	if (rc != MOSQ_ERR_SUCCESS && q->state != MQ_WAITING)
		lost_rc(q, rc);
	else
		want_write(q);
}

static void on_write(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct mq *q = arg;
	int rc = mosquitto_loop_write(q->mosq, 1);
	if (rc != MOSQ_ERR_SUCCESS && q->state != MQ_WAITING)
		lost_rc(q, rc);
	else
		want_write(q);
}

static void on_misc(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct mq *q = arg;
	if (q->state == MQ_CONNECTING && clock_mono_us() - q->connect_us > MQ_CONNECT_DEADLINE_US) {
		lost(q, "no answer from the broker within 10 s");
		return;
	}
	if (q->state != MQ_CONNECTING && q->state != MQ_CONNECTED)
		return;
	int rc = mosquitto_loop_misc(q->mosq);
	if (rc != MOSQ_ERR_SUCCESS && q->state != MQ_WAITING)
		lost_rc(q, rc);
	else
		want_write(q);
}

static void connect_to(struct mq *q, const char *addr)
{
	snprintf(q->addr, sizeof(q->addr), "%s", addr);
	q->state = MQ_CONNECTING;
	q->connect_us = clock_mono_us();
	int rc = mosquitto_connect_async(q->mosq, addr, q->port, q->keepalive_s);
	int fd = mosquitto_socket(q->mosq);
	if (rc != MOSQ_ERR_SUCCESS || fd < 0) {
		lost_rc(q, rc != MOSQ_ERR_SUCCESS ? rc : MOSQ_ERR_NO_CONN);
		return;
	}
	q->ev_read = event_new(q->x->base, fd, EV_READ | EV_PERSIST, on_read, q);
	q->ev_write = event_new(q->x->base, fd, EV_WRITE, on_write, q);
	if (!q->ev_read || !q->ev_write || event_add(q->ev_read, NULL) < 0) {
		lost(q, "out of memory");
		return;
	}
	want_write(q);
}

static void on_resolved(void *arg, const struct proc_result *r)
{
	struct mq *q = arg;
	char addr[64] = "";
	q->resolver = NULL;
	if (r->end == PROC_EXITED && r->status == 0)
		sscanf(r->out, "%63s", addr);
	if (!addr[0] || !resolve_is_numeric(addr)) {
		lost(q, r->end == PROC_TIMEOUT ? "name lookup timed out" : "name does not resolve");
		return;
	}
	connect_to(q, addr);
}

static void begin_connect(struct mq *q)
{
	if (resolve_is_numeric(q->broker)) {
		connect_to(q, q->broker);
		return;
	}
	char self[256];
	resolve_self_exe(self, sizeof(self));
	char *argv[] = { self, "--resolve", q->broker, NULL };
	struct proc_opts o = { .timeout_ms = 5000, .max_output = 4096 };
	q->state = MQ_RESOLVING;
	q->resolver = proc_spawn(q->x->base, argv, &o, on_resolved, q);
	if (!q->resolver)
		lost(q, "cannot start the name lookup");
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	begin_connect(arg);
}

/* Events come while the daemon is still applying what they report (the
 * switch before the route, the route before the active member): the
 * retained state is published once the loop is done with them. */
static void on_dirty(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	publish_state(arg);
}

static void on_refresh(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	publish_state(arg);
}

/* ---- TLS: our context, checked against the broker as configured ---------- */

/* libmosquitto names the address it connects to in SNI; the broker's name
 * is what a virtual-hosting broker needs. Set before the ClientHello. */
static void sni_cb(const SSL *ssl, int where, int ret)
{
	(void)ret;
	struct mq *q = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
	if ((where & SSL_CB_HANDSHAKE_START) && q && !resolve_is_numeric(q->broker))
		SSL_set_tlsext_host_name((SSL *)ssl, q->broker);
}

static int tls_setup(struct mq *q, char *why, size_t why_size)
{
	q->ssl = SSL_CTX_new(TLS_client_method());
	if (!q->ssl)
		goto fail;
	SSL_CTX_set_min_proto_version(q->ssl, TLS1_2_VERSION);
	SSL_CTX_set_verify(q->ssl, SSL_VERIFY_PEER, NULL);
	if ((q->ca_file[0] ? SSL_CTX_load_verify_locations(q->ssl, q->ca_file, NULL) :
			     SSL_CTX_set_default_verify_paths(q->ssl)) != 1) {
		snprintf(why, why_size, "cannot load CA certificates %s",
			 q->ca_file[0] ? q->ca_file : "(system)");
		return -1;
	}
	X509_VERIFY_PARAM *vp = SSL_CTX_get0_param(q->ssl);
	if ((resolve_is_numeric(q->broker) ? X509_VERIFY_PARAM_set1_ip_asc(vp, q->broker) :
					     X509_VERIFY_PARAM_set1_host(vp, q->broker, 0)) != 1)
		goto fail;
	SSL_CTX_set_app_data(q->ssl, q);
	SSL_CTX_set_info_callback(q->ssl, sni_cb);
	if (mosquitto_int_option(q->mosq, MOSQ_OPT_SSL_CTX_WITH_DEFAULTS, 0) != MOSQ_ERR_SUCCESS ||
	    mosquitto_void_option(q->mosq, MOSQ_OPT_SSL_CTX, q->ssl) != MOSQ_ERR_SUCCESS)
		goto fail;
	return 0;
fail:
	snprintf(why, why_size, "cannot set up TLS");
	return -1;
}

/* ---- ops ------------------------------------------------------------------- */

static void copy_opt(char *dst, size_t size, const struct cfg_section *s, const char *opt)
{
	const char *v = cfg_str(s, opt);
	snprintf(dst, size, "%s", v ? v : "");
}

static void mq_stop(void *st)
{
	struct mq *q = st;
	if (q->state == MQ_CONNECTED) {
		/* A clean disconnect sends no will: say it ourselves. Both writes
		 * go straight to the non-blocking socket or are dropped. */
		publish(q, "availability", "offline", 0, true);
		q->state = MQ_WAITING;  /* on_disconnect: nothing to retry */
		mosquitto_disconnect(q->mosq);
	}
	q->state = MQ_WAITING;
	drop_socket_events(q);
	if (q->resolver)
		proc_cancel(q->resolver);
	struct event *evs[] = { q->misc, q->retry, q->refresh, q->dirty };
	for (size_t i = 0; i < 4; i++)
		if (evs[i])
			event_free(evs[i]);
	if (q->mosq)
		mosquitto_destroy(q->mosq);
	if (q->ssl)
		SSL_CTX_free(q->ssl);
	for (size_t i = 0; i < q->q_len; i++)
		free(q->queue[(q->q_head + i) % MQ_QUEUE_MAX]);
	if (--mq_lib_users == 0)
		mosquitto_lib_cleanup();
	free(q);
}

static void read_settings(struct mq *q, const struct cfg_section *s)
{
	char host[128] = "";
	gethostname(host, sizeof(host) - 1);
	copy_opt(q->broker, sizeof(q->broker), s, "broker");
	copy_opt(q->ca_file, sizeof(q->ca_file), s, "ca_file");
	copy_opt(q->user, sizeof(q->user), s, "username");
	copy_opt(q->pass, sizeof(q->pass), s, "password");
	q->tls = cfg_bool(s, "tls");
	q->port = (int)cfg_int(s, "port");
	if (!q->port)
		q->port = q->tls ? 8883 : 1883;
	q->keepalive_s = (int)(cfg_duration_ms(s, "keepalive") / 1000);
	q->interval_ms = (uint64_t)cfg_duration_ms(s, "interval");
	mqtt_prefix(q->prefix, sizeof(q->prefix), cfg_str(s, "topic_prefix"), host);
	mqtt_client_id(q->client_id, sizeof(q->client_id), cfg_str(s, "client_id"), host);
}

static int mq_setup(struct mq *q, char *why, size_t why_size)
{
	char will[320];
	q->mosq = mosquitto_new(q->client_id, true, q);
	if (!q->mosq || mqtt_topic(will, sizeof(will), q->prefix, "availability") < 0) {
		snprintf(why, why_size, "cannot create the MQTT client");
		return -1;
	}
	mosquitto_connect_callback_set(q->mosq, on_connect);
	mosquitto_disconnect_callback_set(q->mosq, on_disconnect);
	if (mosquitto_will_set(q->mosq, will, 7, "offline", 1, true) != MOSQ_ERR_SUCCESS ||
	    (q->user[0] && mosquitto_username_pw_set(q->mosq, q->user,
						     q->pass[0] ? q->pass : NULL) != MOSQ_ERR_SUCCESS)) {
		snprintf(why, why_size, "cannot set the will or the login");
		return -1;
	}
	if (q->tls && tls_setup(q, why, why_size) < 0)
		return -1;
	struct timeval sec = { 1, 0 }, iv = { (time_t)(q->interval_ms / 1000),
					      (suseconds_t)(q->interval_ms % 1000) * 1000 };
	q->misc = event_new(q->x->base, -1, EV_PERSIST, on_misc, q);
	q->retry = evtimer_new(q->x->base, on_retry, q);
	q->refresh = event_new(q->x->base, -1, EV_PERSIST, on_refresh, q);
	q->dirty = evtimer_new(q->x->base, on_dirty, q);
	if (!q->misc || !q->retry || !q->refresh || !q->dirty || event_add(q->misc, &sec) < 0 ||
	    event_add(q->refresh, &iv) < 0) {
		snprintf(why, why_size, "out of memory");
		return -1;
	}
	return 0;
}

static void *mq_start(struct export_ctx *x, const struct cfg_section *s, char *why,
		      size_t why_size)
{
	struct mq *q = calloc(1, sizeof(*q));
	if (!q) {
		snprintf(why, why_size, "out of memory");
		return NULL;
	}
	if (mq_lib_users++ == 0)
		mosquitto_lib_init();
	q->x = x;
	q->backoff_ms = MQ_BACKOFF_MIN_MS;
	read_settings(q, s);
	if (mq_setup(q, why, why_size) < 0) {
		mq_stop(q);
		return NULL;
	}
	log_info("mqtt exporter: %s:%d%s, topics %s/...", q->broker, q->port,
		 q->tls ? " (TLS)" : "", q->prefix);
	begin_connect(q);
	return q;
}

static void mq_on_event(void *st, json_object *ev)
{
	struct mq *q = st;
	const char *text = json_object_to_json_string_ext(ev, JSON_C_TO_STRING_PLAIN);
	if (q->state != MQ_CONNECTED) {
		queue_push(q, text);
		return;
	}
	publish(q, "events", text, 1, false);
	struct timeval now = { 0, 0 };
	if (!evtimer_pending(q->dirty, NULL))
		evtimer_add(q->dirty, &now);
}

static void mq_on_members(void *st)
{
	publish_state(st);
}

static json_object *mq_view(void *st)
{
	static const char *const names[] = { "waiting", "resolving", "connecting", "connected" };
	struct mq *q = st;
	json_object *o = json_object_new_object();
	json_object_object_add(o, "state", json_object_new_string(names[q->state]));
	json_object_object_add(o, "broker", json_object_new_string(q->broker));
	json_object_object_add(o, "port", json_object_new_int(q->port));
	json_object_object_add(o, "tls", json_object_new_boolean(q->tls));
	json_object_object_add(o, "topic_prefix", json_object_new_string(q->prefix));
	json_object_object_add(o, "connects", json_object_new_int64((int64_t)q->connects));
	json_object_object_add(o, "failures", json_object_new_int64((int64_t)q->failures));
	json_object_object_add(o, "published", json_object_new_int64((int64_t)q->published));
	json_object_object_add(o, "payload_bytes", json_object_new_int64((int64_t)q->bytes));
	json_object_object_add(o, "queued_events", json_object_new_int64((int64_t)q->q_len));
	json_object_object_add(o, "dropped_events", json_object_new_int64((int64_t)q->dropped));
	json_object_object_add(o, "last_error", q->last_error[0] ?
			       json_object_new_string(q->last_error) : NULL);
	return o;
}

const struct export_ops export_mqtt_ops = {
	.name = "mqtt",
	.start = mq_start,
	.stop = mq_stop,
	.on_event = mq_on_event,
	.on_members = mq_on_members,
	.view = mq_view,
};
