/* notify_chan: the alert channels. Each is one ops table (ch_*.c) listed in
 * notify_chans[]: it turns a message into a request (HTTP, SMTP or a local
 * program) and judges the answer. Transport, retries, uplinks, rate limits
 * and persistence are the core's (notify.c); a channel is pure and its
 * requests are unit-tested byte for byte. A new channel is an ops table, a
 * row in notify_chans[] and its config section. */
#ifndef AUTONOMY_NOTIFY_NOTIFY_CHAN_H
#define AUTONOMY_NOTIFY_NOTIFY_CHAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "notify/notify_msg.h"

struct cfg_section;
struct config;

enum notify_ch {
	NCH_EMAIL, NCH_SLACK, NCH_PAGERDUTY, NCH_WEBHOOK, NCH_NTFY, NCH_PUSHOVER, NCH_HOOK,
	NCH_N
};

enum nrq_kind { NRQ_HTTP, NRQ_SMTP, NRQ_PROC };
enum nrq_tls { NRQ_TLS_STARTTLS, NRQ_TLS_SMTPS, NRQ_TLS_NONE };

#define NRQ_HEADERS 8
#define NRQ_RCPTS 16
#define NRQ_SECRETS 4

/* One request. Everything that may hold a secret (the URL, headers, the
 * login) is listed in secrets[] so errors can be scrubbed of it. */
struct notify_req {
	enum nrq_kind kind;
	char url[1024];
	char *headers[NRQ_HEADERS];     /* "Name: value" (malloc) */
	unsigned n_headers;
	char *body;                     /* malloc */
	size_t body_len;
	char ca_file[256];              /* "" = the system's only */
	/* SMTP */
	enum nrq_tls tls;
	char mail_from[256];
	char *rcpt[NRQ_RCPTS];          /* malloc */
	unsigned n_rcpt;
	char user[256], pass[256];
	/* a local program (the hook): argv[0] and the body on stdin */
	char program[256];
	unsigned timeout_ms;
	/* scrubbed from every error text */
	char secrets[NRQ_SECRETS][1024];
	unsigned n_secrets;
	bool skip;                      /* nothing to send for this message (ok at once) */
};

void notify_req_free(struct notify_req *r);
int notify_req_header(struct notify_req *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void notify_req_secret(struct notify_req *r, const char *s);

/* What came back. */
enum nrep_err {
	NRE_OK,                 /* a reply (status) */
	NRE_RESOLVE,            /* the name did not resolve */
	NRE_CONNECT,            /* no connection (refused, unreachable, timed out) */
	NRE_TLS,                /* TLS handshake or certificate */
	NRE_TIMEOUT,            /* connected, no answer in time */
	NRE_AUTH,               /* SMTP login refused */
	NRE_IO,                 /* the connection broke */
	NRE_PROGRAM,            /* the hook could not run or failed */
	NRE_OTHER,
};

struct notify_reply {
	enum nrep_err err;
	char error[256];                /* scrubbed */
	long status;                    /* HTTP status, SMTP reply code, hook exit status */
	char retry_after[64];           /* header value ("" = none) */
	const char *body;               /* the first KiB of the answer, NUL-terminated */
	size_t body_len;
	int64_t now_wall_ms;
};

enum nv_what { NV_OK, NV_RETRY, NV_FAIL };

struct notify_verdict {
	enum nv_what what;
	int64_t retry_after_ms;         /* the endpoint asked for this wait (-1: none) */
	bool path;                      /* the path failed: another uplink may do */
	char why[256];
};

/* What a channel gets besides the message. */
struct notify_chan_ctx {
	const struct config *cfg;
	const struct cfg_section *s;    /* its section */
	const char *hostname;
};

struct notify_chan_ops {
	const char *name;               /* its config section (the hook: "hook", in alerts) */
	bool merge_digest;              /* quiet-hours messages merge into one digest */
	/* Enabled and complete enough to send. */
	bool (*enabled)(const struct notify_chan_ctx *c);
	/* Its min_level (enum ev_severity). */
	int (*min_level)(const struct notify_chan_ctx *c);
	/* The request for m; -1 with why when it cannot be built (a message
	 * that can never go: dropped). */
	int (*build)(const struct notify_chan_ctx *c, const struct notify_msg *m,
		     struct notify_req *rq, char *why, size_t why_size);
	void (*judge)(const struct notify_reply *r, struct notify_verdict *v);
};

extern const struct notify_chan_ops *const notify_chans[NCH_N];
const char *notify_chan_name(int ch);
int notify_chan_find(const char *name);

/* The usual judgement of an HTTP endpoint: 2xx ok; 429 and 408/425/5xx
 * retried (Retry-After honoured); other 4xx refused for good; transport
 * failures retried, on another uplink when the path failed. */
void notify_judge_http(const struct notify_reply *r, struct notify_verdict *v);
/* Retry-After: delta-seconds or an IMF-fixdate (RFC 9110), relative to
 * now; ms, capped at cap_ms; -1 when absent or malformed. */
int64_t notify_retry_after_ms(const char *value, int64_t now_wall_ms, int64_t cap_ms);

/* Shared by the channels (notify_chan.c). */
const char *notify_severity_word(enum ev_severity s);   /* "CRITICAL" */
/* "[host] title" style subject lines: the message's title with the router. */
void notify_subject(const struct notify_chan_ctx *c, const struct notify_msg *m, char *out,
		    size_t size);
/* The message as the webhook's and the hook's JSON (a new object). */
json_object *notify_msg_public_json(const struct notify_chan_ctx *c, const struct notify_msg *m);
/* Scrubs every secret of rq from text (in place). */
void notify_scrub(const struct notify_req *rq, char *text);

#endif
