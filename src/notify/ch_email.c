/* ch_email: alerts by SMTP — STARTTLS (required, not opportunistic) or
 * implicit TLS, AUTH when a username is set, one mail per message with the
 * incident's mails threaded (notify_mime.c). A 5xx reply (a recipient
 * refused, a message rejected) is final; a 4xx or a broken connection is
 * retried. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "notify/ch_util.h"
#include "notify/notify_mime.h"

static const char *const needs[] = { "smtp_server", NULL };

static bool enabled(const struct notify_chan_ctx *c)
{
	return ch_enabled(c, needs) && cfg_get(c->s, "recipients")->n_items > 0;
}

/* email.from, else the login when it is an address, else autonomy@HOST. */
static void sender(const struct notify_chan_ctx *c, char *out, size_t size)
{
	const char *from = cfg_str(c->s, "from"), *user = cfg_str(c->s, "username");
	if (from && from[0])
		snprintf(out, size, "%s", from);
	else if (user && strchr(user, '@'))
		snprintf(out, size, "%s", user);
	else
		snprintf(out, size, "autonomy@%s", c->hostname);
}

static int build(const struct notify_chan_ctx *c, const struct notify_msg *m,
		 struct notify_req *rq, char *why, size_t why_size)
{
	const struct cfg_value *to = cfg_get(c->s, "recipients");
	const char *user = cfg_str(c->s, "username"), *pass = cfg_str(c->s, "password");
	const char *tls = cfg_enum_str(c->s, "tls");
	const char *addrs[NRQ_RCPTS];
	char name[128], subject[NOTIFY_TITLE_MAX + 80];
	rq->kind = NRQ_SMTP;
	rq->tls = strcmp(tls, "smtps") == 0 ? NRQ_TLS_SMTPS : strcmp(tls, "none") == 0 ?
		  NRQ_TLS_NONE : NRQ_TLS_STARTTLS;
	snprintf(rq->url, sizeof(rq->url), "%s://%s:%lld", rq->tls == NRQ_TLS_SMTPS ? "smtps" :
		 "smtp", cfg_str(c->s, "smtp_server"), cfg_int(c->s, "smtp_port"));
	ch_ca_file(c, "ca_file", rq);
	sender(c, rq->mail_from, sizeof(rq->mail_from));
	if (user && user[0]) {
		snprintf(rq->user, sizeof(rq->user), "%s", user);
		snprintf(rq->pass, sizeof(rq->pass), "%s", pass ? pass : "");
		notify_req_secret(rq, rq->pass);
	}
	for (size_t i = 0; i < to->n_items && rq->n_rcpt < NRQ_RCPTS; i++) {
		if (!(rq->rcpt[rq->n_rcpt] = strdup(to->items[i].str)))
			break;
		addrs[rq->n_rcpt] = rq->rcpt[rq->n_rcpt];
		rq->n_rcpt++;
	}
	snprintf(name, sizeof(name), "autonomy on %s", c->hostname);
	notify_subject(c, m, subject, sizeof(subject));
	char *body = ch_plain(m);
	struct notify_mime mm = {
		.from = rq->mail_from, .from_name = name, .to = addrs, .n_to = rq->n_rcpt,
		.subject = subject, .body = body ? body : "", .msgid_domain = c->hostname, .msg = m,
	};
	rq->body = body ? notify_mime_build(&mm, &rq->body_len) : NULL;
	free(body);
	if (!rq->body || rq->n_rcpt == 0) {
		snprintf(why, why_size, "out of memory");
		return -1;
	}
	return 0;
}

/* SMTP's replies: 2xx done, 4xx "try again later", 5xx "never". */
static void judge(const struct notify_reply *r, struct notify_verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->retry_after_ms = -1;
	if (r->err == NRE_OK) {
		v->what = NV_OK;
		return;
	}
	if (r->status)
		snprintf(v->why, sizeof(v->why), "%.200s (SMTP %ld)", r->error, r->status);
	else
		snprintf(v->why, sizeof(v->why), "%s", r->error);
	v->what = r->status >= 500 && r->status < 600 ? NV_FAIL : NV_RETRY;
	v->path = r->err == NRE_RESOLVE || r->err == NRE_CONNECT || r->err == NRE_TLS ||
		  r->err == NRE_TIMEOUT || r->err == NRE_IO;
}

const struct notify_chan_ops notify_email_ops = {
	.name = "email", .merge_digest = true, .enabled = enabled, .min_level = ch_min_level,
	.build = build, .judge = judge,
};
