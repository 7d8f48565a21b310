/* JSON views of the daemon's state, keys as docs/interface.md fixes
 * them. These are snapshots: building one never changes anything. */
#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/jsonutil.h"
#include "core/selfhealth.h"
#include "daemon/apisec.h"
#include "daemon/netifd.h"
#include "daemon/state.h"
#include "daemon/decisions.h"
#include "daemon/history.h"
#include "daemon/flows.h"
#include "daemon/members.h"
#include "daemon/shaper.h"
#include "engine/decide.h"
#include <string.h>
#include "ctl/ctl_server.h"
#include "daemon/daemon.h"
#include "daemon/harden.h"
#include "daemon/tel.h"
#include "link/linkmon.h"
#include "starwatch/sw_status.h"

static void add_str(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, v ? json_object_new_string(v) : NULL);
}

void view_add_time(json_object *o, const char *k, int64_t unix_s)
{
	char buf[32], key[64];
	add_str(o, k, unix_s ? clock_iso8601(unix_s, buf, sizeof(buf)) : NULL);
	snprintf(key, sizeof(key), "%s_ts", k);
	json_object_object_add(o, key, unix_s ? json_object_new_int64(unix_s) : NULL);
}


json_object *view_status(struct daemon *d)
{
	json_object *o = json_object_new_object();
	add_str(o, "version", AUTONOMY_VERSION);
	json_object_object_add(o, "pid", json_object_new_int((int)getpid()));
	json_object_object_add(o, "uptime_s",
			       json_num(selfhealth_uptime_s(&d->health), 1));
	view_add_time(o, "started", d->started_wall_s);
	const char *backend = decisions_backend_name(d);
	add_str(o, "backend", backend);
	add_str(o, "backend_refused", d->route_refused[0] ? d->route_refused : NULL);
	add_str(o, "backend_configured", cfg_enum_str(config_section(d->cfg, "main"), "backend"));
	add_str(o, "mode", strcmp(backend, "none") == 0 ? "observe" : "routing");
	add_str(o, "active_member", d->active[0] ? d->active : NULL);
	json_object_object_add(o, "pinned", json_object_new_boolean(d->dec && d->dec->pinned >= 0));
	json_object_object_add(o, "members", json_object_new_int((int)d->cfg->n_members));
	json_object_object_add(o, "last_switch", decisions_last_switch(d));
	json_object_object_add(o, "route", decisions_route_status(d));
	json_object_object_add(o, "shaper", shaper_view(d));
	tel_status_json(d, o);
	add_str(o, "config_file", d->config_path);
	add_str(o, "control_socket", d->socket_path);
	json_object_object_add(o, "history", history_status_json(d));
	return o;
}

static const char *operstate_name(uint8_t s)
{
	/* IF_OPER_* values (RFC 2863 order); <linux/if.h> clashes with
	 * <net/if.h>, so the table is indexed by number. */
	static const char *const names[] = {
		"unknown", "notpresent", "down", "lowerlayerdown", "testing",
		"dormant", "up",
	};
	return s < sizeof(names) / sizeof(names[0]) && names[s] ? names[s] : "unknown";
}

static json_object *addrs_json(const struct link_info *li)
{
	json_object *a = json_object_new_array();
	for (unsigned i = 0; i < li->n_addrs; i++) {
		char txt[INET6_ADDRSTRLEN], out[INET6_ADDRSTRLEN + 5];
		const struct link_addr *la = &li->addrs[i];
		if (!inet_ntop(la->family, &la->addr, txt, sizeof(txt)))
			continue;
		snprintf(out, sizeof(out), "%s/%u", txt, la->prefixlen);
		json_object_array_add(a, json_object_new_string(out));
	}
	return a;
}

static void add_link(json_object *o, const struct link_info *li)
{
	json_object_object_add(o, "carrier", li ? json_object_new_boolean(li->carrier) : NULL);
	json_object_object_add(o, "link", NULL);
	if (!li)
		return;
	json_object *l = json_object_new_object();
	json_object_object_add(l, "ifindex", json_object_new_int(li->ifindex));
	json_object_object_add(l, "admin_up", json_object_new_boolean(li->admin_up));
	json_object_object_add(l, "carrier", json_object_new_boolean(li->carrier));
	add_str(l, "oper_state", operstate_name(li->operstate));
	json_object_object_add(l, "mtu", json_object_new_int((int)li->mtu));
	json_object_object_add(l, "addresses", addrs_json(li));
	json_object_object_add(l, "changed_ago_s", json_num(
		(double)(clock_mono_us() - li->changed_us) / 1e6, 1));
	json_object_object_add(o, "link", l);
}

static void add_num(json_object *o, const char *k, double v, int decimals)
{
	json_object_object_add(o, k, isfinite(v) ? json_num(v, decimals) : NULL);
}

static json_object *penalties_json(const struct health_result *r)
{
	json_object *a = json_object_new_array();
	for (unsigned i = 0; i < r->n_items; i++) {
		json_object *p = json_object_new_object();
		add_str(p, "label", r->items[i].label);
		json_object_object_add(p, "points", json_object_new_int(r->items[i].points));
		add_str(p, "text", r->items[i].text);
		json_object_array_add(a, p);
	}
	return a;
}

/* What each target answered: the web UI's probe table. */
static json_object *target_results_json(const struct member_rt *m)
{
	json_object *a = json_object_new_array();
	uint64_t now = clock_mono_us();
	for (size_t i = 0; i < m->n_targets; i++) {
		const struct member_target_stat *t = &m->tstat[i];
		json_object *o = json_object_new_object();
		add_str(o, "target", m->targets[i].label);
		json_object_object_add(o, "sent", json_object_new_int64((int64_t)t->sent));
		json_object_object_add(o, "replies", json_object_new_int64((int64_t)t->replies));
		json_object_object_add(o, "lost", json_object_new_int64((int64_t)t->lost));
		json_object_object_add(o, "late", json_object_new_int64((int64_t)t->late));
		json_object_object_add(o, "send_errors",
				       json_object_new_int64((int64_t)t->send_errors));
		add_str(o, "last", t->last >= 0 ? probe_outcome_name(t->last) : NULL);
		json_object_object_add(o, "last_ago_s", t->last >= 0 ?
				       json_num((double)(now - t->last_us) / 1e6, 1) : NULL);
		json_object_object_add(o, "last_rtt_ms", t->replies || t->late ?
				       json_num((double)t->last_rtt_us / 1e3, 2) : NULL);
		add_str(o, "last_error", t->last_err ? strerror(t->last_err) : NULL);
		json_object_array_add(a, o);
	}
	return a;
}

static json_object *probes_json(const struct member_rt *m)
{
	json_object *o = json_object_new_object(), *t = json_object_new_array();
	struct prober_stats st = { 0 };
	if (m->prober)
		prober_get_stats(m->prober, &st);
	for (size_t i = 0; i < m->n_targets; i++)
		json_object_array_add(t, json_object_new_string(m->targets[i].label));
	json_object_object_add(o, "targets", t);
	json_object_object_add(o, "results", target_results_json(m));
	json_object_object_add(o, "default_targets", json_object_new_boolean(m->default_targets));
	add_str(o, "role", sched_role_name(m->ms.role));
	json_object_object_add(o, "interval_ms", json_object_new_int64(
		sched_interval_ms(&m->ms.sched.p, m->ms.role, m->ms.load_pct)));
	json_object_object_add(o, "loss_timeout_ms", json_object_new_int64(
		mstate_loss_timeout_ms(&m->ms, clock_mono_us())));
	json_object_object_add(o, "sent", json_object_new_int64((int64_t)st.sent));
	json_object_object_add(o, "replies", json_object_new_int64((int64_t)st.replies));
	json_object_object_add(o, "lost", json_object_new_int64((int64_t)st.lost));
	json_object_object_add(o, "late", json_object_new_int64((int64_t)st.late));
	json_object_object_add(o, "send_errors", json_object_new_int64((int64_t)st.send_errors));
	json_object_object_add(o, "bursts", json_object_new_int64((int64_t)m->ms.sched.bursts));
	add_num(o, "bytes_per_day", member_bytes_per_day(m), 0);
	add_num(o, "bytes_per_day_measured", member_bytes_per_day_measured(m), 0);
	return o;
}

static void add_measurements(json_object *o, const struct member_rt *m)
{
	const struct health_result *r = &m->ms.res;
	json_object_object_add(o, "health_score", r->score >= 0 ?
			       json_object_new_int(r->score) : NULL);
	add_num(o, "latency_ms", r->latency_ms, 2);
	add_num(o, "p95_ms", r->p95_ms, 2);
	add_num(o, "jitter_ms", r->jitter_ms, 2);
	add_num(o, "loss_pct", r->loss_pct, 2);
	add_num(o, "loss_short_pct", r->loss_short_pct, 2);
	json_object_object_add(o, "consecutive_lost", json_object_new_int((int)m->ms.win.consec_lost));
	json_object_object_add(o, "last_reply_ago_s", m->ms.win.last_reply_us ? json_num(
		(double)(clock_mono_us() - m->ms.win.last_reply_us) / 1e6, 2) : NULL);
	add_str(o, "reason", r->reason);
	json_object_object_add(o, "penalties", penalties_json(r));
}

static json_object *member_json(struct daemon *d, const struct member_rt *m)
{
	json_object *o = json_object_new_object();
	const struct cfg_section *s = config_member(d->cfg, m->name);
	const struct link_info *li = linkmon_find(d->lm, m->device);
	add_str(o, "name", m->name);
	add_str(o, "interface", s ? cfg_str(s, "interface") : NULL);
	add_str(o, "device", m->device);
	add_str(o, "class", m->cls);
	json_object_object_add(o, "priority", json_object_new_int(m->priority));
	json_object_object_add(o, "enabled", json_object_new_boolean(m->enabled));
	json_object_object_add(o, "metered", json_object_new_boolean(m->metered));
	json_object_object_add(o, "exists", json_object_new_boolean(li != NULL));
	add_link(o, li);
	add_str(o, "state", mstate_state_name(&m->ms));
	add_str(o, "detector", m->ms.det.reason);
	json_object_object_add(o, "active", json_object_new_boolean(m->active));
	json_object_object_add(o, "flows", flows_member_json(d, m->name));
	add_measurements(o, m);
	json_object_object_add(o, "probes", probes_json(m));
	json_object_object_add(o, "shaping", shaper_member_view(d, m));
	tel_member_json((struct member_rt *)m, o);
	json_object_object_add(o, "precursors", decisions_precursors_json(d, m->name));
	return o;
}

json_object *view_members(struct daemon *d)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < d->n_members; i++)
		json_object_array_add(a, member_json(d, d->members[i]));
	return a;
}

static json_object *reload_json(const struct reload_result *r)
{
	if (!r->wall_s)
		return NULL;
	json_object *o = json_object_new_object();
	view_add_time(o, "time", r->wall_s);
	json_object_object_add(o, "ok", json_object_new_boolean(r->ok));
	add_str(o, "message", r->message);
	json_object_object_add(o, "diagnostics", json_object_get(r->diags));
	return o;
}

static json_object *probe_engine_json(struct daemon *d)
{
	struct prober_stats sum = { 0 };
	for (size_t i = 0; i < d->n_members; i++) {
		struct prober_stats st;
		if (!d->members[i]->prober)
			continue;
		prober_get_stats(d->members[i]->prober, &st);
		sum.sent += st.sent;
		sum.replies += st.replies;
		sum.send_errors += st.send_errors;
		sum.sockets += st.sockets;
		sum.bytes_sent += st.bytes_sent;
		sum.bytes_received += st.bytes_received;
	}
	double up = selfhealth_uptime_s(&d->health);
	json_object *o = json_object_new_object();
	add_str(o, "state", "ok");
	json_object_object_add(o, "sent", json_object_new_int64((int64_t)sum.sent));
	json_object_object_add(o, "replies", json_object_new_int64((int64_t)sum.replies));
	add_num(o, "probes_per_s", up > 0 ? (double)sum.sent / up : 0, 2);
	json_object_object_add(o, "send_errors", json_object_new_int64((int64_t)sum.send_errors));
	json_object_object_add(o, "sockets", json_object_new_int((int)sum.sockets));
	json_object_object_add(o, "bytes", json_object_new_int64(
		(int64_t)(sum.bytes_sent + sum.bytes_received)));
	return o;
}

static json_object *subsystems_json(struct daemon *d)
{
	struct linkmon_stats ls;
	struct ctl_server_stats cs;
	linkmon_get_stats(d->lm, &ls);
	ctl_server_get_stats(d->ctl, &cs);
	json_object *s = json_object_new_object(), *l = json_object_new_object(),
		    *c = json_object_new_object();
	add_str(l, "state", "ok");
	json_object_object_add(l, "events", json_object_new_int64((int64_t)ls.events));
	json_object_object_add(l, "resyncs", json_object_new_int64((int64_t)ls.resyncs));
	json_object_object_add(l, "errors", json_object_new_int64((int64_t)ls.errors));
	add_str(c, "state", "ok");
	json_object_object_add(c, "clients", json_object_new_int((int)cs.clients));
	json_object_object_add(c, "connections", json_object_new_int64((int64_t)cs.connections));
	json_object_object_add(c, "requests", json_object_new_int64((int64_t)cs.requests));
	json_object_object_add(c, "errors", json_object_new_int64((int64_t)cs.errors));
	json_object_object_add(s, "probes", probe_engine_json(d));
	tel_health_json(d, s);
	json_object_object_add(s, "netifd", netifd_view(d));
	json_object_object_add(s, "state", state_view(d));
	json_object_object_add(s, "export", export_view(d->exp));
	json_object_object_add(s, "security", apisec_view(d));
	json_object_object_add(s, "linkmon", l);
	json_object_object_add(s, "control", c);
	json_object_object_add(s, "history", history_health_json(d));
	return s;
}

json_object *view_health(struct daemon *d)
{
	const struct selfhealth *h = &d->health;
	json_object *o = json_object_new_object();
	json_object_object_add(o, "pid", json_object_new_int((int)getpid()));
	json_object_object_add(o, "uptime_s", json_num(selfhealth_uptime_s(h), 1));
	json_object_object_add(o, "rss_kb", json_object_new_int64(selfhealth_rss_kb()));
	json_object_object_add(o, "peak_rss_kb", json_object_new_int64(selfhealth_peak_rss_kb()));
	json_object_object_add(o, "cpu_pct", json_num(h->cpu_pct, 2));
	json_object_object_add(o, "system_load_pct", json_object_new_int((int)h->sys_load_pct));
	json_object_object_add(o, "cpu_total_s",
			       json_num((double)selfhealth_cpu_us() / 1e6, 3));
	json_object_object_add(o, "loop_lag_ms", json_num((double)h->lag_last_us / 1e3, 3));
	json_object_object_add(o, "loop_lag_max_ms", json_num((double)h->lag_max_us / 1e3, 3));
	json_object_object_add(o, "config_ok", json_object_new_boolean(d->last_reload.ok));
	json_object_object_add(o, "last_reload", reload_json(&d->last_reload));
	json_object_object_add(o, "subsystems", subsystems_json(d));
	json_object_object_add(o, "privileges", harden_privs_json(d));
	json_object_object_add(o, "starwatch", sw_status_view(d->socket_path));
	return o;
}
