/* JSON views of the daemon's state, keys as ../shared/spec/interface.md fixes
 * them. These are snapshots: building one never changes anything. */
#include <arpa/inet.h>
#include <stdio.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/jsonutil.h"
#include "core/selfhealth.h"
#include "ctl/ctl_server.h"
#include "daemon/daemon.h"
#include "link/linkmon.h"

static void add_str(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, v ? json_object_new_string(v) : NULL);
}

static void add_time(json_object *o, const char *k, int64_t unix_s)
{
	char buf[32], key[64];
	add_str(o, k, unix_s ? clock_iso8601(unix_s, buf, sizeof(buf)) : NULL);
	snprintf(key, sizeof(key), "%s_ts", k);
	json_object_object_add(o, key, unix_s ? json_object_new_int64(unix_s) : NULL);
}

/* With the probe engine not yet measuring, the only honest effective
 * backend is observe-only: nothing here changes routes. */
static const char *effective_backend(void) { return "none"; }

json_object *view_status(struct daemon *d)
{
	json_object *o = json_object_new_object();
	add_str(o, "version", AUTONOMY_VERSION);
	json_object_object_add(o, "pid", json_object_new_int((int)getpid()));
	json_object_object_add(o, "uptime_s",
			       json_num(selfhealth_uptime_s(&d->health), 1));
	add_time(o, "started", d->started_wall_s);
	add_str(o, "backend", effective_backend());
	add_str(o, "backend_configured", cfg_enum_str(config_section(d->cfg, "main"), "backend"));
	add_str(o, "mode", "observe");
	add_str(o, "active_member", NULL);
	json_object_object_add(o, "members", json_object_new_int((int)d->cfg->n_members));
	json_object_object_add(o, "last_switch", NULL);
	add_str(o, "config_file", d->config_path);
	add_str(o, "control_socket", d->socket_path);
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

const char *member_device(const struct cfg_section *m)
{
	const char *dev = cfg_str(m, "device");
	return dev && *dev ? dev : cfg_str(m, "interface");
}

/* Until the probe engine measures a member, its state comes from the link
 * alone: a missing, admin-down or carrier-less device is certainly down;
 * anything else is unknown, not "up". */
static const char *link_state(const struct link_info *li)
{
	if (!li || !li->admin_up || !li->carrier)
		return "down";
	return "unknown";
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

static json_object *member_json(struct daemon *d, const struct cfg_section *m)
{
	json_object *o = json_object_new_object();
	const char *dev = member_device(m);
	const struct link_info *li = dev ? linkmon_find(d->lm, dev) : NULL;
	add_str(o, "name", m->name);
	add_str(o, "interface", cfg_str(m, "interface"));
	add_str(o, "device", dev);
	add_str(o, "class", cfg_enum_str(m, "class"));
	json_object_object_add(o, "priority", json_object_new_int64(cfg_int(m, "priority")));
	json_object_object_add(o, "enabled", json_object_new_boolean(cfg_bool(m, "enabled")));
	json_object_object_add(o, "metered", json_object_new_boolean(cfg_bool(m, "metered")));
	json_object_object_add(o, "exists", json_object_new_boolean(li != NULL));
	add_link(o, li);
	add_str(o, "state", link_state(li));
	json_object_object_add(o, "active", json_object_new_boolean(0));
	json_object_object_add(o, "health_score", NULL);
	json_object_object_add(o, "latency_ms", NULL);
	json_object_object_add(o, "jitter_ms", NULL);
	json_object_object_add(o, "loss_pct", NULL);
	return o;
}

json_object *view_members(struct daemon *d)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < d->cfg->n_members; i++)
		json_object_array_add(a, member_json(d, &d->cfg->members[i]));
	return a;
}

static json_object *reload_json(const struct reload_result *r)
{
	if (!r->wall_s)
		return NULL;
	json_object *o = json_object_new_object();
	add_time(o, "time", r->wall_s);
	json_object_object_add(o, "ok", json_object_new_boolean(r->ok));
	add_str(o, "message", r->message);
	json_object_object_add(o, "diagnostics", json_object_get(r->diags));
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
	json_object_object_add(s, "linkmon", l);
	json_object_object_add(s, "control", c);
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
	json_object_object_add(o, "cpu_total_s",
			       json_num((double)selfhealth_cpu_us() / 1e6, 3));
	json_object_object_add(o, "loop_lag_ms", json_num((double)h->lag_last_us / 1e3, 3));
	json_object_object_add(o, "loop_lag_max_ms", json_num((double)h->lag_max_us / 1e3, 3));
	json_object_object_add(o, "config_ok", json_object_new_boolean(d->last_reload.ok));
	json_object_object_add(o, "last_reload", reload_json(&d->last_reload));
	json_object_object_add(o, "subsystems", subsystems_json(d));
	return o;
}
