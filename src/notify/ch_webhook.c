/* ch_webhook: the alert and its events as JSON (format 'text': its title and
 * lines as text/plain), POSTed to any URL (Home Assistant, n8n, a script).
 * With a secret, X-Autonomy-Signature carries "sha256=" and the HMAC-SHA256
 * of the exact body in hex (GitHub's form),
 * so the receiver can check who sent it; X-Autonomy-Delivery is the alert's
 * id, the same on every retry (a receiver can drop duplicates). */
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "notify/ch_util.h"
#include "notify/notify_hmac.h"

static const char *const needs[] = { "url", NULL };

static bool enabled(const struct notify_chan_ctx *c)
{
	return ch_enabled(c, needs);
}

static int build(const struct notify_chan_ctx *c, const struct notify_msg *m,
		 struct notify_req *rq, char *why, size_t why_size)
{
	const char *url = cfg_str(c->s, "url"), *secret = cfg_str(c->s, "secret");
	char sig[65];
	rq->kind = NRQ_HTTP;
	snprintf(rq->url, sizeof(rq->url), "%s", url);
	ch_secret_url(rq, url);
	notify_req_secret(rq, secret);
	ch_ca_file(c, NULL, rq);
	bool text = strcmp(cfg_enum_str(c->s, "format"), "text") == 0;
	if (text) {
		rq->body = ch_plain(m);
		rq->body_len = rq->body ? strlen(rq->body) : 0;
	}
	if ((text ? !rq->body || notify_req_header(rq, "Content-Type: text/plain; charset=utf-8") < 0
		  : ch_json_body(rq, notify_msg_public_json(c, m)) < 0) ||
	    notify_req_header(rq, "X-Autonomy-Event: %s", notify_action_name(m->action)) < 0 ||
	    notify_req_header(rq, "X-Autonomy-Delivery: %llu", (unsigned long long)m->id) < 0) {
		snprintf(why, why_size, "out of memory");
		return -1;
	}
	if (secret && secret[0]) {
		if (notify_hmac_sha256_hex(secret, rq->body, rq->body_len, sig) < 0 ||
		    notify_req_header(rq, "X-Autonomy-Signature: sha256=%s", sig) < 0) {
			snprintf(why, why_size, "signing failed");
			return -1;
		}
	}
	return 0;
}

const struct notify_chan_ops notify_webhook_ops = {
	.name = "webhook", .merge_digest = false, .enabled = enabled, .min_level = ch_min_level,
	.build = build, .judge = notify_judge_http,
};
