/* ch_slack: Slack incoming webhooks — a JSON POST ({"text", "attachments"});
 * 200 "ok", 429 with Retry-After when over Slack's one message per second,
 * 4xx words such as invalid_token or channel_not_found are final. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "notify/ch_util.h"

static const char *const needs[] = { "webhook_url", NULL };

static bool enabled(const struct notify_chan_ctx *c)
{
	return ch_enabled(c, needs);
}

/* Slack's control characters in text: &, < and > (its link syntax). */
static void escape(const char *in, char *out, size_t size)
{
	size_t n = 0;
	for (; *in && n + 6 < size; in++) {
		const char *r = *in == '&' ? "&amp;" : *in == '<' ? "&lt;" : *in == '>' ? "&gt;" : NULL;
		if (r) {
			memcpy(out + n, r, strlen(r));
			n += strlen(r);
		} else {
			out[n++] = *in;
		}
	}
	out[n] = '\0';
}

static const char *color(const struct notify_msg *m)
{
	if (m->action == NA_RESOLVE)
		return "#2eb886";
	static const char *const c[EV_SEV_N] = { "#439fe0", "#daa038", "#d00000", "#8b0000" };
	return m->sev < EV_SEV_N ? c[m->sev] : "#439fe0";
}

static int build(const struct notify_chan_ctx *c, const struct notify_msg *m,
		 struct notify_req *rq, char *why, size_t why_size)
{
	const char *url = cfg_str(c->s, "webhook_url"), *ch = cfg_str(c->s, "channel");
	const char *user = cfg_str(c->s, "username");
	char subject[NOTIFY_TITLE_MAX + 80], title[2 * sizeof(subject)];
	char *body = malloc(3 * NOTIFY_TEXT_MAX);
	rq->kind = NRQ_HTTP;
	snprintf(rq->url, sizeof(rq->url), "%s", url);
	ch_secret_url(rq, url);
	ch_ca_file(c, NULL, rq);
	notify_subject(c, m, subject, sizeof(subject));
	escape(subject, title, sizeof(title));
	if (!body) {
		snprintf(why, why_size, "out of memory");
		return -1;
	}
	escape(m->text ? m->text : "", body, 3 * NOTIFY_TEXT_MAX);
	json_object *o = json_object_new_object(), *att = json_object_new_object();
	json_object *atts = json_object_new_array();
	char text[sizeof(title) + 16];
	snprintf(text, sizeof(text), "*%s* (%s)", title, m->action == NA_RESOLVE ? "resolved" :
		 notify_severity_word(m->sev));
	json_object_object_add(o, "text", json_object_new_string(text));
	if (user && user[0])
		json_object_object_add(o, "username", json_object_new_string(user));
	if (ch && ch[0])
		json_object_object_add(o, "channel", json_object_new_string(ch));
	json_object_object_add(att, "color", json_object_new_string(color(m)));
	json_object_object_add(att, "fallback", json_object_new_string(title));
	json_object_object_add(att, "text", json_object_new_string(body));
	json_object_object_add(att, "footer", json_object_new_string(m->key));
	json_object_object_add(att, "ts", json_object_new_int64(m->wall_ms / 1000));
	json_object_array_add(atts, att);
	json_object_object_add(o, "attachments", atts);
	free(body);
	if (ch_json_body(rq, o) < 0) {
		snprintf(why, why_size, "out of memory");
		return -1;
	}
	return 0;
}

const struct notify_chan_ops notify_slack_ops = {
	.name = "slack", .merge_digest = true, .enabled = enabled, .min_level = ch_min_level,
	.build = build, .judge = notify_judge_http,
};
