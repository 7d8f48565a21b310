/* apifw: the listeners' firewall table, driven by the config (apifw.h). */
#include "daemon/apifw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "config/config.h"
#include "core/clock.h"
#include "core/log.h"
#include "daemon/apisec.h"
#include "daemon/daemon.h"
#include "security/sec_fw.h"
#include "security/sec_guard.h"

#define VERIFY_EVERY_S 60

struct apifw {
	struct sec_fw *fw;
	struct event *timer;
	bool wanted;            /* firewall_integration and a listener beyond loopback */
	char why_not[160];      /* why there is no table ("" = there is one) */
	struct daemon *d;
};

/* The listeners the daemon has: today the Prometheus endpoint. */
static const char *const listeners[][2] = { { "prometheus", "listen" } };

static void want_from(struct apifw *f, struct sec_fw_want *w)
{
	const struct config *cfg = f->d->cfg;
	struct sec_guard_cfg gc;
	char why[160];
	memset(w, 0, sizeof(*w));
	for (size_t i = 0; i < sizeof(listeners) / sizeof(listeners[0]); i++) {
		const struct cfg_section *s = config_section(cfg, listeners[i][0]);
		const char *l = cfg_str(s, listeners[i][1]);
		unsigned port = sec_listen_port(l);
		if (cfg_bool(s, "enabled") && port && !sec_listen_is_loopback(l) &&
		    w->n_ports < SEC_FW_PORTS_MAX)
			w->ports[w->n_ports++] = (uint16_t)port;
	}
	if (sec_guard_cfg_from(cfg, &gc, why, sizeof(why)) == 0)
		w->acl = gc.acl;
	w->allow_loopback = gc.allow_loopback;
	w->ddos = gc.ddos;
	f->why_not[0] = '\0';
	if (!cfg_bool(config_section(cfg, "network_security"), "firewall_integration"))
		snprintf(f->why_not, sizeof(f->why_not), "network_security.firewall_integration is 0");
	else if (!w->n_ports)
		snprintf(f->why_not, sizeof(f->why_not), "no listener is reachable from other hosts");
	if (f->why_not[0])
		w->n_ports = 0;
}

static void rebans(struct apifw *f)
{
	struct sec_addr a[32];
	uint64_t left[32];
	struct sec_guard *g = apisec_guard(f->d);
	size_t n = g ? sec_guard_bans(g, clock_mono_ms(), a, left, 32) : 0;
	for (size_t i = 0; i < n; i++)
		sec_fw_ban(f->fw, &a[i], left[i]);
}

static void sync_now(struct apifw *f)
{
	struct sec_fw_want w;
	want_from(f, &w);
	f->wanted = w.n_ports > 0;
	unsigned before = sec_fw_state(f->fw)->rebuilt;
	if (!sec_fw_state(f->fw)->available) {
		if (f->wanted)
			log_warn("api firewall: %s", sec_fw_state(f->fw)->error);
		return;
	}
	if (sec_fw_sync(f->fw, &w) < 0)
		log_err("api firewall: %s", sec_fw_state(f->fw)->error);
	if (f->wanted && sec_fw_state(f->fw)->rebuilt != before)
		rebans(f);      /* a new table has empty ban sets */
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	sync_now(arg);
}

static void on_foreign(void *arg)
{
	struct apifw *f = arg;
	if (f->wanted || sec_fw_state(f->fw)->present)
		sync_now(f);
}

int apifw_start(struct daemon *d)
{
	struct apifw *f = calloc(1, sizeof(*f));
	if (!f || !(f->fw = sec_fw_new(SEC_FW_TABLE))) {
		free(f);
		return -1;
	}
	f->d = d;
	d->apifw = f;
	struct timeval tv = { VERIFY_EVERY_S, 0 };
	f->timer = event_new(d->base, -1, EV_PERSIST, on_timer, f);
	if (!f->timer || event_add(f->timer, &tv) < 0)
		return -1;
	if (sec_fw_watch(f->fw, d->base, on_foreign, f) < 0)
		log_warn("api firewall: cannot watch nftables for changes; checked every %d s",
			 VERIFY_EVERY_S);
	sync_now(f);
	return 0;
}

void apifw_reload(struct daemon *d)
{
	if (d->apifw)
		sync_now(d->apifw);
}

void apifw_stop(struct daemon *d)
{
	struct apifw *f = d->apifw;
	if (!f)
		return;
	if (sec_fw_state(f->fw)->available && sec_fw_state(f->fw)->present &&
	    sec_fw_sync(f->fw, NULL) < 0)
		log_err("api firewall: cannot remove table inet %s: %s", SEC_FW_TABLE,
			sec_fw_state(f->fw)->error);
	if (f->timer)
		event_free(f->timer);
	sec_fw_free(f->fw);
	free(f);
	d->apifw = NULL;
}

void apifw_ban(struct daemon *d, const struct sec_addr *addr, uint64_t ms)
{
	struct apifw *f = d->apifw;
	if (f && f->wanted && sec_fw_ban(f->fw, addr, ms) < 0)
		log_warn("api firewall: %s", sec_fw_state(f->fw)->error);
}

json_object *apifw_view(struct daemon *d)
{
	struct apifw *f = d->apifw;
	if (!f)
		return NULL;
	const struct sec_fw_state *st = sec_fw_state(f->fw);
	json_object *o = json_object_new_object(), *c = json_object_new_object();
	json_object_object_add(o, "table", json_object_new_string("inet " SEC_FW_TABLE));
	json_object_object_add(o, "state", json_object_new_string(
		!f->wanted ? "off" : !st->available ? "unavailable" :
		st->verified ? "in force" : "out of sync"));
	json_object_object_add(o, "why_off", f->why_not[0] ? json_object_new_string(f->why_not) :
			       NULL);
	json_object_object_add(o, "present", json_object_new_boolean(st->present));
	json_object_object_add(o, "rebuilt", json_object_new_int((int)st->rebuilt));
	json_object_object_add(o, "bans_added", json_object_new_int((int)st->bans_added));
	json_object_object_add(o, "last_sync_ms", json_object_new_double(
		(double)st->last_took_us / 1000.0));
	json_object_object_add(c, "banned", json_object_new_int64((int64_t)st->counts.banned));
	json_object_object_add(c, "flood", json_object_new_int64((int64_t)st->counts.flood));
	json_object_object_add(c, "connections",
			       json_object_new_int64((int64_t)st->counts.connections));
	json_object_object_add(c, "not_allowed",
			       json_object_new_int64((int64_t)st->counts.not_allowed));
	json_object_object_add(o, "dropped_packets", c);
	json_object_object_add(o, "error", st->error[0] ? json_object_new_string(st->error) : NULL);
	json_object_object_add(o, "differs", st->differs[0] ? json_object_new_string(st->differs) :
			       NULL);
	return o;
}
