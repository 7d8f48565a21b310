/* exporters: the daemon's side of src/export — the host the exporters see
 * (the loop and the `status`, `members` and `health` views) and their
 * lifecycle with the daemon's. */
#include "daemon/daemon.h"

#include "core/log.h"
#include "daemon/apisec.h"
#include "events/ev.h"
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

/* Every event, as the bus's record JSON (what `monitor` streams). */
static void on_event(void *arg, const struct ev_record *e)
{
	struct daemon *d = arg;
	json_object *o = ev_record_json(e);
	export_event(d->exp, o);
	json_object_put(o);
}

int exporters_start(struct daemon *d)
{
	d->exp_host = (struct export_host){ .base = d->base, .arg = d,
					    .socket_path = d->socket_path, .status = host_status,
					    .members = host_members, .health = host_health,
					    .guard = apisec_guard(d) };
	d->exp = export_start(&d->exp_host, d->cfg);
	if (!d->exp) {
		log_err("exporters: out of memory");
		return -1;
	}
	d->exp_sub = ev_subscribe(d->bus, EV_INFO, 0, on_event, d);
	return d->exp_sub < 0 ? -1 : 0;
}

void exporters_stop(struct daemon *d)
{
	if (d->exp && d->bus)
		ev_unsubscribe(d->bus, d->exp_sub);
	export_stop(d->exp);
	d->exp = NULL;
}
