/* ch_pushover: Pushover's messages API — a form POST of token, user, title,
 * message (at most 1024 characters), priority and timestamp. Our emergency
 * is Pushover's emergency priority (2: repeated every 5 min until someone
 * acknowledges it, for an hour); critical is high (1), warning normal (0),
 * info and resolutions low (-1). A 4xx with {"status":0} is final. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "notify/ch_util.h"

#define PUSHOVER_MESSAGE_MAX 1024
#define PUSHOVER_TITLE_MAX 250

static const char *const needs[] = { "token", "user", NULL };

static bool enabled(const struct notify_chan_ctx *c)
{
	return ch_enabled(c, needs);
}

static int priority(const struct notify_msg *m)
{
	if (m->action == NA_RESOLVE || m->action == NA_TEST)
		return m->action == NA_TEST ? 0 : -1;
	static const int p[EV_SEV_N] = { -1, 0, 1, 2 };
	return m->sev < EV_SEV_N ? p[m->sev] : 0;
}

static int build(const struct notify_chan_ctx *c, const struct notify_msg *m,
		 struct notify_req *rq, char *why, size_t why_size)
{
	const char *token = cfg_str(c->s, "token"), *user = cfg_str(c->s, "user");
	char title[NOTIFY_TITLE_MAX + 80], num[32];
	char *text = strdup(m->text && m->text[0] ? m->text : m->title);
	int prio = priority(m), rc = 0;
	rq->kind = NRQ_HTTP;
	snprintf(rq->url, sizeof(rq->url), "%s", cfg_str(c->s, "api_url"));
	notify_req_secret(rq, token);
	notify_req_secret(rq, user);
	ch_ca_file(c, NULL, rq);
	notify_subject(c, m, title, sizeof(title));
	ch_utf8_cut(title, PUSHOVER_TITLE_MAX);
	if (text)
		ch_utf8_cut(text, PUSHOVER_MESSAGE_MAX);
	rc |= !text;
	rc |= text ? ch_form_add(&rq->body, &rq->body_len, "token", token) : -1;
	rc |= ch_form_add(&rq->body, &rq->body_len, "user", user);
	rc |= ch_form_add(&rq->body, &rq->body_len, "title", title);
	rc |= ch_form_add(&rq->body, &rq->body_len, "message", text ? text : "");
	snprintf(num, sizeof(num), "%d", prio);
	rc |= ch_form_add(&rq->body, &rq->body_len, "priority", num);
	snprintf(num, sizeof(num), "%lld", (long long)(m->wall_ms / 1000));
	rc |= ch_form_add(&rq->body, &rq->body_len, "timestamp", num);
	if (prio == 2) {
		rc |= ch_form_add(&rq->body, &rq->body_len, "retry", "300");
		rc |= ch_form_add(&rq->body, &rq->body_len, "expire", "3600");
	}
	rc |= notify_req_header(rq, "Content-Type: application/x-www-form-urlencoded");
	free(text);
	if (rc) {
		snprintf(why, why_size, "out of memory");
		return -1;
	}
	return 0;
}

const struct notify_chan_ops notify_pushover_ops = {
	.name = "pushover", .merge_digest = true, .enabled = enabled, .min_level = ch_min_level,
	.build = build, .judge = notify_judge_http,
};
