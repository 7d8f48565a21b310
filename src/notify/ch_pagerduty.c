/* ch_pagerduty: PagerDuty Events API v2. Every message of an incident is a
 * "trigger" with the same dedup_key (host + incident key), so PagerDuty
 * keeps one incident and adds the updates to it; the recovery is a
 * "resolve" with that key. A test is a change event (/v2/change/enqueue):
 * it proves the routing key without paging anyone. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "config/config.h"
#include "notify/ch_util.h"

static const char *const needs[] = { "api_key", NULL };

static bool enabled(const struct notify_chan_ctx *c)
{
	return ch_enabled(c, needs);
}

/* Ours → PagerDuty's four: critical, error, warning, info. */
static const char *pd_severity(enum ev_severity s)
{
	static const char *const m[EV_SEV_N] = { "info", "warning", "error", "critical" };
	return s < EV_SEV_N ? m[s] : "info";
}

static void iso(int64_t wall_ms, char *out, size_t size)
{
	time_t t = (time_t)(wall_ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static json_object *details(const struct notify_chan_ctx *c, const struct notify_msg *m)
{
	json_object *d = json_object_new_object();
	const char *svc = cfg_str(c->s, "service_id");
	json_object_object_add(d, "text", json_object_new_string(m->text ? m->text : ""));
	json_object_object_add(d, "incident", json_object_new_string(m->key));
	json_object_object_add(d, "update", json_object_new_int64(m->update));
	json_object_object_add(d, "action", json_object_new_string(notify_action_name(m->action)));
	if (svc && svc[0])
		json_object_object_add(d, "service_id", json_object_new_string(svc));
	return d;
}

static json_object *payload(const struct notify_chan_ctx *c, const struct notify_msg *m)
{
	json_object *p = json_object_new_object();
	char summary[NOTIFY_TITLE_MAX + 80], ts[32];
	notify_subject(c, m, summary, sizeof(summary));
	iso(m->wall_ms, ts, sizeof(ts));
	json_object_object_add(p, "summary", json_object_new_string(summary));
	json_object_object_add(p, "source", json_object_new_string(c->hostname));
	json_object_object_add(p, "timestamp", json_object_new_string(ts));
	if (m->action != NA_TEST) {
		json_object *first = json_object_array_get_idx(m->events, 0), *ev = NULL;
		json_object_object_add(p, "severity", json_object_new_string(pd_severity(
			m->inc_sev > m->sev ? m->inc_sev : m->sev)));
		if (m->member[0])
			json_object_object_add(p, "component", json_object_new_string(m->member));
		json_object_object_add(p, "group", json_object_new_string("autonomy"));
		if (first && json_object_object_get_ex(first, "event", &ev) && ev)
			json_object_object_add(p, "class", json_object_get(ev));
	}
	json_object_object_add(p, "custom_details", details(c, m));
	return p;
}

static int build(const struct notify_chan_ctx *c, const struct notify_msg *m,
		 struct notify_req *rq, char *why, size_t why_size)
{
	const char *key = cfg_str(c->s, "api_key"), *url = cfg_str(c->s, "events_url");
	char slug[NOTIFY_KEY_MAX], dedup[256];
	rq->kind = NRQ_HTTP;
	notify_req_secret(rq, key);
	ch_ca_file(c, NULL, rq);
	/* Nothing is open at PagerDuty for an incident that opened and closed
	 * within one message. */
	if (m->action == NA_RESOLVE && m->opened_now) {
		rq->skip = true;
		return 0;
	}
	const char *v2 = strstr(url, "/v2/enqueue");
	if (m->action == NA_TEST && v2)
		snprintf(rq->url, sizeof(rq->url), "%.*s/v2/change/enqueue", (int)(v2 - url), url);
	else
		snprintf(rq->url, sizeof(rq->url), "%s", url);
	notify_key_slug(m->key, slug, sizeof(slug));
	snprintf(dedup, sizeof(dedup), "autonomy-%s-%s", c->hostname, slug);
	json_object *o = json_object_new_object();
	json_object_object_add(o, "routing_key", json_object_new_string(key));
	if (m->action != NA_TEST) {
		json_object_object_add(o, "event_action", json_object_new_string(
			m->action == NA_RESOLVE ? "resolve" : "trigger"));
		json_object_object_add(o, "dedup_key", json_object_new_string(dedup));
	}
	if (m->action != NA_RESOLVE) {
		json_object_object_add(o, "payload", payload(c, m));
		json_object_object_add(o, "client", json_object_new_string("autonomy"));
	}
	if (ch_json_body(rq, o) < 0) {
		snprintf(why, why_size, "out of memory");
		return -1;
	}
	return 0;
}

const struct notify_chan_ops notify_pagerduty_ops = {
	.name = "pagerduty", .merge_digest = false, .enabled = enabled, .min_level = ch_min_level,
	.build = build, .judge = notify_judge_http,
};
