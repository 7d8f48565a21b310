/* exporters: the daemon's side of src/export — the host the exporters see
 * (the loop and the `status`, `members` and `health` views) and their
 * lifecycle with the daemon's. */
#include "daemon/daemon.h"

#include <string.h>

#include "core/log.h"
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
					    .members = host_members, .health = host_health };
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
