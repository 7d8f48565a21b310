/* alerts: the daemon's side of src/notify — the host the alert pipeline
 * sees (the loop, the members as ways out, our delivery events, the flash
 * counter), its subscription to the bus, and the `notifications` and
 * `notifications test` handlers. */
#include "daemon/alerts.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "core/jsonutil.h"
#include "core/log.h"
#include "ctl/ctl_server.h"
#include "daemon/daemon.h"
#include "daemon/members.h"
#include "daemon/state.h"
#include "events/ev.h"
#include "events/ev_emit.h"
#include "link/linkmon.h"
#include "notify/notify.h"

#define JOURNAL_FILE "alerts.journal"

static void on_event(void *arg, const struct ev_record *e)
{
	struct daemon *d = arg;
	json_object *o = ev_record_json(e);
	notify_event(d->notify, o);
	json_object_put(o);
}

/* The member's first global address of each family, as the probes bind. */
static void sources(struct daemon *d, const struct member_rt *m, struct notify_uplink *u)
{
	const struct link_info *li = linkmon_find(d->lm, m->device);
	for (unsigned i = 0; li && i < li->n_addrs; i++) {
		const struct link_addr *a = &li->addrs[i];
		if (a->scope != 0)
			continue;
		if (a->family == AF_INET && !u->src4[0])
			inet_ntop(AF_INET, &a->addr.v4, u->src4, sizeof(u->src4));
		else if (a->family == AF_INET6 && !u->src6[0])
			inet_ntop(AF_INET6, &a->addr.v6, u->src6, sizeof(u->src6));
	}
}

/* Lower is tried first: the active member, then up before degraded before
 * unknown, then by priority. */
static int rank(const struct member_rt *m)
{
	static const int by_state[] = { [HEALTH_UP] = 0, [HEALTH_DEGRADED] = 1,
					[HEALTH_UNKNOWN] = 2, [HEALTH_DOWN] = 3 };
	return m->active ? -1 : by_state[mstate_state(&m->ms)] * 1000 + m->priority;
}

static size_t host_uplinks(void *arg, struct notify_uplink *out, size_t max)
{
	struct daemon *d = arg;
	const struct member_rt *order[NOTIFY_UPLINKS_MAX];
	size_t n = 0;
	for (size_t i = 0; i < d->n_members && n < NOTIFY_UPLINKS_MAX; i++)
		if (d->members[i]->enabled)
			order[n++] = d->members[i];
	for (size_t i = 1; i < n; i++)          /* a handful: insertion sort */
		for (size_t j = i; j > 0 && rank(order[j]) < rank(order[j - 1]); j--) {
			const struct member_rt *t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	for (size_t i = 0; i < n && i < max; i++) {
		const struct member_rt *m = order[i];
		struct notify_uplink *u = &out[i];
		memset(u, 0, sizeof(*u));
		snprintf(u->name, sizeof(u->name), "%s", m->name);
		snprintf(u->dev, sizeof(u->dev), "%s", m->device);
		sources(d, m, u);
		u->usable = m->link == DETECT_LINK_UP && mstate_state(&m->ms) != HEALTH_DOWN &&
			    mstate_state(&m->ms) != HEALTH_UNKNOWN && (u->src4[0] || u->src6[0]);
	}
	return n < max ? n : max;
}

static void host_delivery(void *arg, bool ok, json_object *fields)
{
	struct daemon *d = arg;
	ev_emit_delivery(d->bus, ok, fields);
}

static void host_flash(void *arg, size_t bytes)
{
	state_count(arg, bytes);
}

int alerts_start(struct daemon *d)
{
	char journal[4200];
	if (gethostname(d->hostname, sizeof(d->hostname) - 1) < 0 || !d->hostname[0])
		snprintf(d->hostname, sizeof(d->hostname), "router");
	d->notify_host = (struct notify_host){
		.base = d->base, .arg = d, .hostname = d->hostname, .uplinks = host_uplinks,
		.delivery = host_delivery, .flash = host_flash,
	};
	state_path(d, true, JOURNAL_FILE, journal, sizeof(journal));
	d->notify = notify_start(&d->notify_host, d->cfg, journal);
	if (!d->notify || ev_subscribe(d->bus, EV_INFO, 0, on_event, d) < 0) {
		log_err("alerts: out of memory");
		return -1;
	}
	return 0;
}

void alerts_reload(struct daemon *d)
{
	notify_reload(d->notify, d->cfg);
}

void alerts_stop(struct daemon *d)
{
	notify_stop(d->notify);
	d->notify = NULL;
}

json_object *alerts_view(struct daemon *d, bool pending)
{
	return notify_view(d->notify, pending);
}

/* ---- notifications test ---- */

/* Every channel delivered: the results. Else an error whose details say,
 * channel by channel, what happened (the CLI prints each "message"). */
static void test_done(void *arg, json_object *result)
{
	struct ctl_conn *c = arg;
	json_object *a = NULL;
	unsigned failed = 0;
	json_object_object_get_ex(result, "results", &a);
	size_t n = json_object_array_length(a);
	for (size_t i = 0; i < n; i++) {
		json_object *r = json_object_array_get_idx(a, i);
		char msg[400];
		bool ok = json_get_bool(r, "ok", 0);
		failed += !ok;
		if (ok)
			snprintf(msg, sizeof(msg), "%s: delivered via %s in %.0f ms",
				 json_get_str(r, "channel", "?"), json_get_str(r, "via", "?"),
				 json_get_num(r, "ms", 0));
		else
			snprintf(msg, sizeof(msg), "%s: not delivered: %s",
				 json_get_str(r, "channel", "?"), json_get_str(r, "error", "?"));
		json_object_object_add(r, "message", json_object_new_string(msg));
	}
	if (!failed) {
		ctl_conn_reply(c, ctl_reply_ok(result));
		return;
	}
	struct ctl_error e = { .details = json_object_get(a) };
	ctl_error_set(&e, CTL_E_FAILED, "%u of %zu test alert(s) not delivered", failed, n);
	json_object_put(result);
	ctl_conn_reply(c, ctl_reply_err(&e));
}

/* Nobody to answer any more; the test runs out on its own. */
static void test_client_gone(void *arg)
{
	notify_test_abandon(((struct daemon *)arg)->notify);
}

json_object *alerts_test(struct daemon *d, struct ctl_conn *c, const char *channel,
			 struct ctl_error *err)
{
	char why[200];
	if (notify_test(d->notify, channel, test_done, c, why, sizeof(why)) < 0) {
		ctl_error_set(err, strstr(why, "running") ? CTL_E_BUSY : CTL_E_BAD_ARGS, "%s", why);
		return NULL;
	}
	ctl_conn_on_close(c, test_client_gone, d);
	return CTL_REPLY_DEFERRED;
}
