/* usage_kind: data usage as a telemetry kind (engine/tel_kind.h): the
 * data-cap rule on every member, fed by the daemon's counters (usage_tel.c)
 * or by the replay's usage_mb lines. */
#include "usage/usage_kind.h"

#include <stdio.h>

#include "usage/usage_assess.h"

static void a_init(void *a, const struct tel_ctx *c)
{
	usage_assess_init(a, c->cfg);
}

static void a_configure(void *a, const struct tel_ctx *c)
{
	usage_assess_configure(a, c->cfg);
}

static void a_eval(void *a, uint64_t now_us, int64_t wall_s, struct tel_verdict *v)
{
	usage_assess_eval(a, v);
}

static void trace_usage(void *a, double used_mb, double cap_mb)
{
	char text[64];
	if (cap_mb <= 0)
		return;
	snprintf(text, sizeof(text), "%.0f of %.0f MB", used_mb, cap_mb);
	usage_assess_set(a, 100.0 * used_mb / cap_mb, text);
}

const struct tel_kind tel_kind_usage = {
	.name = "usage", .every_member = true,
	.size = sizeof(struct usage_assess),
	.init = a_init, .configure = a_configure, .eval = a_eval,
	.trace_usage = trace_usage,
	.d_start = usage_start, .d_stop = usage_stop, .d_reload = usage_reload,
	.view_key = "data_usage", .member_view = usage_member_json,
};
