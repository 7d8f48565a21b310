/* ch_hook: alerts.hook — a local program run for every alert with argv only
 * (its path, nothing else), the alert as the webhook's JSON on stdin, and a
 * timeout; exit 0 is delivered, anything else is retried like an endpoint
 * that failed. Never a shell. */
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "notify/ch_util.h"

static const struct cfg_section *alerts(const struct notify_chan_ctx *c)
{
	return config_section(c->cfg, "alerts");
}

static bool enabled(const struct notify_chan_ctx *c)
{
	const char *h = cfg_str(alerts(c), "hook");
	return h && h[0] == '/';
}

static int min_level(const struct notify_chan_ctx *c)
{
	int l = ev_severity_parse(cfg_enum_str(alerts(c), "hook_min_level"));
	return l < 0 ? EV_WARNING : l;
}

static int build(const struct notify_chan_ctx *c, const struct notify_msg *m,
		 struct notify_req *rq, char *why, size_t why_size)
{
	rq->kind = NRQ_PROC;
	snprintf(rq->program, sizeof(rq->program), "%s", cfg_str(alerts(c), "hook"));
	rq->timeout_ms = (unsigned)cfg_duration_ms(alerts(c), "hook_timeout");
	if (ch_json_body(rq, notify_msg_public_json(c, m)) < 0) {
		snprintf(why, why_size, "out of memory");
		return -1;
	}
	return 0;
}

static void judge(const struct notify_reply *r, struct notify_verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->retry_after_ms = -1;
	v->what = r->err == NRE_OK && r->status == 0 ? NV_OK : NV_RETRY;
	if (v->what != NV_OK)
		snprintf(v->why, sizeof(v->why), "%s", r->error);
}

const struct notify_chan_ops notify_hook_ops = {
	.name = "hook", .merge_digest = false, .enabled = enabled, .min_level = min_level,
	.build = build, .judge = judge,
};
