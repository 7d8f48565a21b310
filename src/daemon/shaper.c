/* shaper: the daemon's side of the traffic shaper (shaper.h). */
#include "daemon/shaper_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "core/clock.h"
#include "core/log.h"
#include "daemon/daemon.h"
#include "daemon/members.h"
#include "events/ev_emit.h"
#include "link/linkmon.h"
#include "route/route.h"

#define SHAPER_TICK_MS      500         /* the adaptive rate's pace */
#define SHAPER_VERIFY_US    30000000u   /* read back and repair */

static void on_tick(evutil_socket_t fd, short what, void *arg);

static struct shaper *sh_of(struct daemon *d)
{
	return d->shaper;
}

uint32_t shaper_limit_kbit(struct daemon *d, const char *member, const char *cls,
			   enum qos_dir dir)
{
	const struct cfg_section *s = config_member(d->cfg, member);
	const char *own = dir == QOS_UP ? "upload_mbps" : "download_mbps";
	if (s && cfg_is_set(s, own))
		return (uint32_t)cfg_int(s, own) * 1000u;
	/* the option names spelled out: they are the schema's rows */
	static const struct { const char *cls, *opt; } limits[] = {
		{ "starlink", "starlink_limit_mbps" }, { "cellular", "cellular_limit_mbps" },
		{ "wifi", "wifi_limit_mbps" }, { "lan", "lan_limit_mbps" },
		{ "other", "other_limit_mbps" },
	};
	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++)
		if (strcmp(cls, limits[i].cls) == 0)
			return (uint32_t)cfg_int(config_section(d->cfg, "bandwidth"),
						 limits[i].opt) * 1000u;
	return 0;
}

static void set_state(struct shaper *sh, const char *state, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_state(struct shaper *sh, const char *state, const char *fmt, ...)
{
	char reason[sizeof(sh->reason)];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	bool changed = strcmp(sh->state, state) != 0 || strcmp(sh->reason, reason) != 0;
	snprintf(sh->state, sizeof(sh->state), "%s", state);
	snprintf(sh->reason, sizeof(sh->reason), "%s", reason);
	if (changed)
		ev_emit_qos(sh->d->bus, sh->member[0] ? sh->member : NULL, state, reason);
}

static void configure(struct shaper *sh)
{
	const struct config *cfg = sh->d->cfg;
	const struct cfg_section *bw = config_section(cfg, "bandwidth");
	const struct cfg_section *q = config_section(cfg, "qos");
	sh->on = cfg_bool(bw, "traffic_shaping");
	sh->adaptive = cfg_bool(q, "latency_optimization");
	sh->ingress = cfg_bool(q, "ingress");
	sh->min_pct = (uint32_t)cfg_int(q, "min_rate_pct");
	sh->target_ms = (uint32_t)cfg_duration_ms(q, "latency_target_ms");
	qos_plan_from_config(cfg, false, &sh->plan[QOS_UP]);
	qos_plan_from_config(cfg, true, &sh->plan[QOS_DOWN]);
	const struct cfg_value *lan = cfg_get(q, "lan_device");
	struct shaper_dev old[SHAPER_MAX_LAN];
	unsigned n_old = sh->n_lan;
	memcpy(old, sh->lan, sizeof(old));
	sh->n_lan = 0;
	for (size_t i = 0; i < lan->n_items && sh->n_lan < SHAPER_MAX_LAN; i++) {
		struct shaper_dev *l = &sh->lan[sh->n_lan++];
		memset(l, 0, sizeof(*l));
		snprintf(l->name, sizeof(l->name), "%s", lan->items[i].str);
		for (unsigned k = 0; k < n_old; k++)     /* keep what we know of it */
			if (strcmp(old[k].name, l->name) == 0)
				*l = old[k];
	}
	if (lan->n_items > SHAPER_MAX_LAN)
		log_warn("qos.lan_device: only the first %d devices are shaped", SHAPER_MAX_LAN);
}

static bool need_netlink(struct shaper *sh)
{
	if (!sh->qs && !(sh->qs = qos_shaper_new()))
		log_errno(LOG_LVL_ERR, "shaper: rtnetlink socket");
	return sh->qs != NULL;
}

static int ifindex_of(struct daemon *d, const char *dev)
{
	const struct link_info *li = dev[0] ? linkmon_find(d->lm, dev) : NULL;
	return li ? li->ifindex : 0;
}

/* Takes ours off a device (if it is still ours and still there). */
static void dev_clear(struct shaper *sh, struct shaper_dev *x)
{
	int ifi = ifindex_of(sh->d, x->name);
	int rc = ifi > 0 && sh->qs ? qos_shaper_remove(sh->qs, ifi) : 0;
	if (rc < 0)
		log_errno(LOG_LVL_WARN, "shaper: removing ours from %s", x->name);
	else if (rc > 0)
		log_info("shaper: removed from %s", x->name);
	x->ifindex = 0;
	x->rate_kbit = 0;
	x->verified = false;
}

static int dev_apply(struct shaper *sh, struct shaper_dev *x, const struct qos_plan *p,
		     uint32_t kbit)
{
	struct qos_result res;
	int ifi = ifindex_of(sh->d, x->name);
	if (ifi <= 0) {
		snprintf(x->error, sizeof(x->error), "device %s does not exist", x->name);
		x->ifindex = 0;
		return -1;
	}
	if (!need_netlink(sh))
		return -1;
	int rc = qos_shaper_apply(sh->qs, ifi, p, kbit, &res);
	x->ifindex = ifi;
	x->kind = res.kind;
	x->rate_kbit = kbit;
	x->verified = res.verified;
	snprintf(x->error, sizeof(x->error), "%s", res.error);
	sh->last_apply_us_took = res.took_us;
	if (res.sent)
		sh->applies++;
	if (rc < 0)
		sh->errors++;
	log_debug("shaper: %s %s at %u kbit/s: %s, %u requests, %.2f ms%s%s", x->name,
		  qos_kind_name(res.kind), kbit, qos_diff_name(res.found), res.sent,
		  (double)res.took_us / 1e3, rc < 0 ? ": " : "", res.error);
	return rc;
}

/* The member carrying traffic, as the routing backend has it. */
static struct member_rt *routed_member(struct daemon *d)
{
	const char *name = d->rb ? route_active(d->rb) : NULL;
	for (size_t i = 0; name && i < d->n_members; i++)
		if (strcmp(d->members[i]->name, name) == 0)
			return d->members[i];
	return NULL;
}

static void set_probe_priority(struct shaper *sh, const char *member, uint32_t prio)
{
	for (size_t i = 0; member[0] && i < sh->d->n_members; i++)
		if (strcmp(sh->d->members[i]->name, member) == 0)
			prober_set_priority(sh->d->members[i]->prober, prio);
}

/* Everything of ours off: the uplink and the LAN devices. */
static void all_off(struct shaper *sh)
{
	sh->current = false;
	if (sh->up.name[0])
		dev_clear(sh, &sh->up);
	for (unsigned i = 0; i < sh->n_lan; i++)
		if (sh->lan[i].ifindex)
			dev_clear(sh, &sh->lan[i]);
	set_probe_priority(sh, sh->member, 0);
	sh->member[0] = '\0';
	sh->up.name[0] = '\0';
}

/* Our qdiscs left on other members' devices (a previous run that did not
 * exit cleanly, the member we just left) are taken off. */
static void sweep_others(struct shaper *sh, const char *keep_dev)
{
	if (!sh->qs)
		return;
	for (size_t i = 0; i < sh->d->n_members; i++) {
		const char *dev = sh->d->members[i]->device;
		int ifi = strcmp(dev, keep_dev) ? ifindex_of(sh->d, dev) : 0;
		if (ifi > 0 && qos_shaper_remove(sh->qs, ifi) > 0)
			log_info("shaper: removed ours from %s", dev);
	}
}

static uint32_t cur_rate(const struct shaper *sh, enum qos_dir dir)
{
	return sh->adaptive ? sh->rate.dir[dir].rate_kbit : sh->limit_kbit[dir];
}

/* The download side: every LAN device at the member's download rate. */
static void apply_lan(struct shaper *sh)
{
	uint32_t kbit = cur_rate(sh, QOS_DOWN);
	for (unsigned i = 0; i < sh->n_lan; i++) {
		struct shaper_dev *l = &sh->lan[i];
		if (!sh->ingress || !kbit) {
			if (l->ifindex)
				dev_clear(sh, l);
			continue;
		}
		if (dev_apply(sh, l, &sh->plan[QOS_DOWN], kbit) < 0)
			log_warn("shaper: LAN device %s: %s", l->name, l->error);
	}
}

static void shape(struct shaper *sh, struct member_rt *m)
{
	bool moved = strcmp(sh->member, m->name) != 0 || strcmp(sh->up.name, m->device) != 0;
	if (moved && sh->member[0]) {
		/* what the member we leave learnt stays its own */
		struct shaper_base *b = shaper_base_of(sh, sh->member, true);
		memcpy(b->base_us, sh->rate.base_us, sizeof(b->base_us));
	}
	if (moved) {
		if (sh->up.name[0] && strcmp(sh->up.name, m->device))
			dev_clear(sh, &sh->up);
		set_probe_priority(sh, sh->member, 0);
		snprintf(sh->member, sizeof(sh->member), "%s", m->name);
		memset(&sh->up, 0, sizeof(sh->up));
		snprintf(sh->up.name, sizeof(sh->up.name), "%s", m->device);
		shaper_init_rate(sh, true);
	} else if (sh->reconfigured) {
		shaper_init_rate(sh, false);
	}
	sh->reconfigured = false;
	uint32_t up = cur_rate(sh, QOS_UP);
	int rc = up ? dev_apply(sh, &sh->up, &sh->plan[QOS_UP], up) : 0;
	if (!up && sh->up.ifindex)
		dev_clear(sh, &sh->up);
	apply_lan(sh);
	if (moved)
		sweep_others(sh, up ? m->device : "");
	bool cake = sh->up.kind == QOS_KIND_CAKE;
	sh->probe_prio = up && rc == 0 ? qos_probe_priority(&sh->plan[QOS_UP], cake) : 0;
	set_probe_priority(sh, m->name, sh->probe_prio);
	sh->last_verify_us = clock_mono_us();
	sh->current = rc == 0;
	if (rc < 0)
		set_state(sh, "error", "%s (%s): %s", m->name, m->device, sh->up.error);
	else
		set_state(sh, "shaping", "%s (%s): upload limit %.1f Mbit/s%s, %s, %u queue%s%s",
			  m->name, m->device, sh->limit_kbit[QOS_UP] / 1000.0,
			  up ? (sh->adaptive ? " (adaptive)" : "") : " (none)",
			  qos_kind_name(sh->up.kind), sh->plan[QOS_UP].n_tiers,
			  sh->plan[QOS_UP].n_tiers == 1 ? "" : "s",
			  sh->ingress ? ", downloads on the LAN devices" : "");
}

void shaper_follow(struct daemon *d)
{
	struct shaper *sh = sh_of(d);
	if (!sh)
		return;
	if (!sh->on) {
		all_off(sh);
		set_state(sh, "off", "bandwidth.traffic_shaping is 0");
		return;
	}
	if (d->route_kind != ROUTE_KIND_NETLINK) {
		all_off(sh);
		set_state(sh, "observe", "the route backend only observes: nothing is shaped");
		return;
	}
	struct member_rt *m = routed_member(d);
	if (!m) {
		if (!sh->member[0])
			set_state(sh, "idle", "no member carries traffic yet");
		return;         /* keep shaping the last one until another takes over */
	}
	sh->limit_kbit[QOS_UP] = shaper_limit_kbit(d, m->name, m->cls, QOS_UP);
	sh->limit_kbit[QOS_DOWN] = shaper_limit_kbit(d, m->name, m->cls, QOS_DOWN);
	if (!sh->limit_kbit[QOS_UP] && !(sh->ingress && sh->limit_kbit[QOS_DOWN])) {
		all_off(sh);
		snprintf(sh->member, sizeof(sh->member), "%s", m->name);
		set_state(sh, "unlimited", "%s (class %s) has no limit: not shaped", m->name, m->cls);
		sh->member[0] = '\0';
		return;
	}
	/* Nothing moved and the device is the one we shaped: done. */
	bool same = sh->current && strcmp(sh->member, m->name) == 0 &&
		    strcmp(sh->up.name, m->device) == 0 &&
		    (!sh->up.ifindex || sh->up.ifindex == ifindex_of(d, m->device));
	if (!same)
		shape(sh, m);
	else            /* a prober re-created by a reload starts without it */
		set_probe_priority(sh, m->name, sh->probe_prio);
}

/* Every 30 s (and after a failure): read back, repair what someone else
 * changed, follow a device that was re-created. */
static void verify(struct shaper *sh)
{
	uint64_t before = sh->applies;
	sh->current = false;
	shaper_follow(sh->d);
	if (sh->applies > before && !strcmp(sh->state, "shaping")) {
		sh->repairs++;
		ev_emit_qos_repaired(sh->d->bus, sh->member, sh->up.name);
	}
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	struct shaper *sh = arg;
	uint64_t now = clock_mono_us();
	if (!sh->member[0] || strcmp(sh->state, "shaping") != 0) {
		if (!strcmp(sh->state, "error") && now - sh->last_verify_us >= SHAPER_VERIFY_US / 6)
			verify(sh);
		return;
	}
	if (!sh->current || now - sh->last_verify_us >= SHAPER_VERIFY_US ||
	    sh->up.ifindex != ifindex_of(sh->d, sh->up.name)) {
		verify(sh);
		return;
	}
	if (sh->adaptive)
		shaper_adapt(sh, now);
}

int shaper_start(struct daemon *d)
{
	struct shaper *sh = calloc(1, sizeof(*sh));
	if (!sh)
		return -1;
	sh->d = d;
	snprintf(sh->state, sizeof(sh->state), "idle");
	sh->timer = event_new(d->base, -1, EV_PERSIST, on_tick, sh);
	struct timeval tv = { 0, SHAPER_TICK_MS * 1000 };
	if (!sh->timer || event_add(sh->timer, &tv) < 0) {
		if (sh->timer)
			event_free(sh->timer);
		free(sh);
		return -1;
	}
	configure(sh);
	d->shaper = sh;
	shaper_follow(d);
	return 0;
}

void shaper_stop(struct daemon *d)
{
	struct shaper *sh = sh_of(d);
	if (!sh)
		return;
	all_off(sh);
	event_free(sh->timer);
	qos_shaper_free(sh->qs);
	free(sh);
	d->shaper = NULL;
}

void shaper_reload(struct daemon *d)
{
	struct shaper *sh = sh_of(d);
	if (!sh)
		return;
	struct shaper_dev old[SHAPER_MAX_LAN];
	unsigned n_old = sh->n_lan;
	memcpy(old, sh->lan, sizeof(old));
	configure(sh);
	/* LAN devices no longer listed lose ours */
	for (unsigned k = 0; k < n_old; k++) {
		bool kept = false;
		for (unsigned i = 0; i < sh->n_lan; i++)
			kept |= strcmp(old[k].name, sh->lan[i].name) == 0;
		if (!kept && old[k].ifindex)
			dev_clear(sh, &old[k]);
	}
	/* new limits or plans: apply again (a changed rate is changed in
	 * place, another shape rebuilt; the adaptive rate starts over) */
	sh->current = false;
	sh->reconfigured = true;
	shaper_follow(d);
}
