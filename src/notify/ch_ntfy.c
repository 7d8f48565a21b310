/* ch_ntfy: ntfy's JSON publishing — POST to the server's root with topic,
 * title, message, priority (ntfy.priority maps our levels to ntfy's 1-5)
 * and tags; a token goes as a Bearer header. 429 means over the server's
 * request limit (ntfy.sh: a burst of 60, then one per 5 s): retried. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfg_alerts.h"
#include "config/config.h"
#include "notify/ch_util.h"

#define NTFY_MESSAGE_MAX 4000   /* ntfy turns longer messages into attachments */

static const char *const needs[] = { "topic", NULL };

static bool enabled(const struct notify_chan_ctx *c)
{
	return ch_enabled(c, needs);
}

static const char *tag(const struct notify_msg *m)
{
	if (m->action == NA_RESOLVE)
		return "white_check_mark";
	static const char *const t[EV_SEV_N] = {
		"information_source", "warning", "rotating_light", "sos",
	};
	return m->sev < EV_SEV_N ? t[m->sev] : "information_source";
}

static int build(const struct notify_chan_ctx *c, const struct notify_msg *m,
		 struct notify_req *rq, char *why, size_t why_size)
{
	const char *server = cfg_str(c->s, "server"), *topic = cfg_str(c->s, "topic");
	const char *token = cfg_str(c->s, "token");
	int prio[4] = { 2, 3, 4, 5 };
	char title[NOTIFY_TITLE_MAX + 80];
	cfg_ntfy_priority_parse(cfg_str(c->s, "priority"), prio);
	rq->kind = NRQ_HTTP;
	size_t n = strlen(server);
	snprintf(rq->url, sizeof(rq->url), "%s%s", server, n && server[n - 1] == '/' ? "" : "/");
	notify_req_secret(rq, topic);
	notify_req_secret(rq, token);
	ch_ca_file(c, NULL, rq);
	notify_subject(c, m, title, sizeof(title));
	char *text = strdup(m->text && m->text[0] ? m->text : m->title);
	if (!text) {
		snprintf(why, why_size, "out of memory");
		return -1;
	}
	ch_utf8_cut(text, NTFY_MESSAGE_MAX);
	json_object *o = json_object_new_object(), *tags = json_object_new_array();
	json_object_object_add(o, "topic", json_object_new_string(topic));
	json_object_object_add(o, "title", json_object_new_string(title));
	json_object_object_add(o, "message", json_object_new_string(text));
	json_object_object_add(o, "priority", json_object_new_int(
		m->action == NA_RESOLVE ? prio[EV_INFO] : prio[m->sev < EV_SEV_N ? m->sev : 0]));
	json_object_array_add(tags, json_object_new_string(tag(m)));
	json_object_object_add(o, "tags", tags);
	free(text);
	if (ch_json_body(rq, o) < 0 ||
	    (token && token[0] && notify_req_header(rq, "Authorization: Bearer %s", token) < 0)) {
		snprintf(why, why_size, "out of memory");
		return -1;
	}
	return 0;
}

const struct notify_chan_ops notify_ntfy_ops = {
	.name = "ntfy", .merge_digest = true, .enabled = enabled, .min_level = ch_min_level,
	.build = build, .judge = notify_judge_http,
};
