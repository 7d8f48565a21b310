/* exporters: the daemon's side of src/export — the host the exporters see
 * (the loop and the `status`, `members` and `health` views) and their
 * lifecycle with the daemon's. */
#include "daemon/daemon.h"

#include <string.h>

#include "core/log.h"
#include "daemon/apisec.h"
#include "daemon/members.h"
#include "engine/decide.h"
#include "export/export.h"

static json_object *host_status(void *arg)
{
	return view_status(arg);
}

static json_object *host_members(void *arg)
{
	return view_members(arg);
}

static json_object *host_health(void *arg)
{
	return view_health(arg);
}

int exporters_start(struct daemon *d)
{
	d->exp_host = (struct export_host){ .base = d->base, .arg = d,
					    .socket_path = d->socket_path, .status = host_status,
					    .members = host_members, .health = host_health,
					    .guard = apisec_guard(d) };
	d->exp = export_start(&d->exp_host, d->cfg);
	if (!d->exp)
		log_err("exporters: out of memory");
	return d->exp ? 0 : -1;
}

void exporters_stop(struct daemon *d)
{
	export_stop(d->exp);
	d->exp = NULL;
}

/* Until the event bus carries each decision's cause, the failover counter's
 * reason kind is read from the member traffic left, at the moment it left. */
static const char *reason_kind(struct daemon *d, const struct decision *dc)
{
	if (dc->type == DECIDE_MANUAL)
		return "manual";
	if (dc->type == DECIDE_RESTORE)
		return "failback";
	for (size_t i = 0; i < d->n_members; i++) {
		const struct member_rt *m = d->members[i];
		if (strcmp(m->name, dc->from) != 0)
			continue;
		if (mstate_state(&m->ms) == HEALTH_DOWN || m->link != DETECT_LINK_UP || !m->enabled)
			return "down";
		if (m->tm.v.predicted)
			return "predicted";
		if (m->tm.v.exclude)
			return "excluded";
	}
	return "quality";
}

void exporters_decision(struct daemon *d, const struct decision *dc)
{
	if (dc->type != DECIDE_HOLD && dc->from[0] && dc->to[0])
		export_failover(d->exp, dc->from, dc->to, reason_kind(d, dc));
}
