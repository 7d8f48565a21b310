/* Runtime glue between probes, link events and the engine, per member. */
#include "daemon/members.h"

#include "engine/mstate_config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "core/clock.h"
#include "core/log.h"
#include "daemon/daemon.h"
#include "core/fsutil.h"
#include "daemon/decisions.h"
#include "daemon/netifd.h"
#include "daemon/record.h"
#include "daemon/shaper.h"
#include "daemon/tel.h"
#include "events/ev_emit.h"
#include "link/linkmon.h"

/* A member without a prober (disabled) is still re-scored this often; one
 * with a prober is re-scored at every probe and outcome instead, so an idle
 * daemon wakes only to probe. */
#define MEMBER_IDLE_TICK_MS 5000
#define TIMER_SLACK_US 2000
#define PROBE_MAX_TIMEOUT_MS 1000

/* Used when a member lists no targets: anycast resolvers of three operators,
 * over both families; a family the member has no address for is skipped. */
static const char *const builtin_targets[] = {
	"1.1.1.1", "8.8.8.8", "9.9.9.9",
	"2606:4700:4700::1111", "2001:4860:4860::8888",
};

static void member_arm(struct member_rt *m, uint64_t now);

static int load_targets(struct member_rt *m, const struct cfg_section *s)
{
	const struct cfg_value *v = cfg_get(s, "target");
	const char *const *list = builtin_targets;
	size_t n = sizeof(builtin_targets) / sizeof(builtin_targets[0]);
	char err[160];
	m->default_targets = v->n_items == 0;
	if (!m->default_targets)
		n = v->n_items;
	if (n > MEMBER_MAX_TARGETS) {
		log_warn("member %s: only the first %d targets are probed", m->name,
			 MEMBER_MAX_TARGETS);
		n = MEMBER_MAX_TARGETS;
	}
	for (size_t i = 0; i < n; i++) {
		const char *spec = m->default_targets ? list[i] : v->items[i].str;
		if (probe_target_parse(spec, &m->targets[i], err, sizeof(err)) < 0) {
			log_err("member %s: target %s: %s", m->name, spec, err);
			return -1;
		}
	}
	m->n_targets = n;
	return 0;
}

static bool family_usable(const struct member_rt *m, int family)
{
	const struct link_info *li = linkmon_find(m->d->lm, m->device);
	for (unsigned i = 0; li && i < li->n_addrs; i++)
		if (li->addrs[i].family == family && li->addrs[i].scope == 0)
			return true;
	return false;
}

/* The scheduler round-robins over all targets; a target of a family the
 * member has no address for is passed over instead of counted as lost. */
static size_t usable_target(const struct member_rt *m, size_t i)
{
	for (size_t k = 0; k < m->n_targets; k++) {
		size_t j = (i + k) % m->n_targets;
		if (family_usable(m, m->targets[j].family))
			return j;
	}
	return i;
}

/* why NULL: the detector's reason when it says down, else the score's. */
void members_state_changed(struct member_rt *m, const char *why)
{
	if (!why)
		why = detect_is_down(&m->ms.det) ? m->ms.det.reason : m->ms.res.reason;
	ev_emit_state(m->d->bus, m->name, mstate_state_name(&m->ms), m->ms.res.score, why,
		      m->active, m->ms.health.p.warning, m->ms.health.p.critical);
	members_select(m->d);
}

/* After every update of a member's measurements the decision engine runs,
 * as in the replay (replay_autonomy.c): a score that moved without a state
 * change still starts or ends a quality switch's sustain time. */
static void updated(struct member_rt *m, bool state_changed)
{
	if (state_changed)
		members_state_changed(m, NULL);
	else
		members_select(m->d);
}

/* Per target, so `members` can say which target fails. */
static void target_count(struct member_rt *m, const struct probe_result *r, uint64_t now)
{
	struct member_target_stat *t;
	if (r->target >= m->n_targets)
		return;
	t = &m->tstat[r->target];
	t->sent += r->outcome == PROBE_REPLY || r->outcome == PROBE_LOST;
	t->replies += r->outcome == PROBE_REPLY;
	t->lost += r->outcome == PROBE_LOST;
	t->late += r->outcome == PROBE_LATE;
	t->send_errors += r->outcome == PROBE_SEND_ERR;
	t->last = (int)r->outcome;
	t->last_us = now;
	if (r->outcome == PROBE_REPLY || r->outcome == PROBE_LATE)
		t->last_rtt_us = r->rtt_us;
	t->last_err = r->outcome == PROBE_REPLY || r->outcome == PROBE_LATE ? 0 : r->err;
}

static void on_probe(void *arg, const struct probe_result *r)
{
	struct member_rt *m = arg;
	static const enum mstate_outcome map[] = {
		[PROBE_REPLY] = MSTATE_REPLY, [PROBE_LOST] = MSTATE_LOST,
		[PROBE_LATE] = MSTATE_LATE, [PROBE_SEND_ERR] = MSTATE_SEND_ERR,
	};
	uint64_t now = clock_mono_us();
	shaper_probe(m->d, m, r);
	target_count(m, r, now);
	record_outcome(m, map[r->outcome], r->sent_us, r->rtt_us, now);
	updated(m, mstate_outcome(&m->ms, map[r->outcome], r->sent_us, r->rtt_us, now));
	/* A loss may have started a confirmation burst: probe again at once. */
	member_arm(m, now);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	struct member_rt *m = arg;
	uint64_t now = clock_mono_us();
	m->ms.load_pct = m->d->health.sys_load_pct;
	/* epoll waits in whole milliseconds, so a timer may run a little early:
	 * send anyway rather than wake again a millisecond later. */
	if (m->prober && now + TIMER_SLACK_US >= mstate_due_us(&m->ms)) {
		size_t i = usable_target(m, mstate_fire(&m->ms, now));
		record_fire(m, now);
		prober_set_timeout(m->prober, mstate_loss_timeout_ms(&m->ms, now));
		prober_send(m->prober, i);
	}
	record_tick(m, now);
	updated(m, mstate_tick(&m->ms, now));
	member_arm(m, now);
}

static void member_arm(struct member_rt *m, uint64_t now)
{
	uint64_t at = m->prober ? mstate_due_us(&m->ms) : now + MEMBER_IDLE_TICK_MS * 1000u;
	uint64_t us = at > now ? at - now : 0;
	struct timeval tv = { (time_t)(us / 1000000u), (suseconds_t)(us % 1000000u) };
	event_add(m->timer, &tv);
}

static enum detect_link link_of(const struct link_info *li)
{
	if (!li)
		return DETECT_LINK_MISSING;
	if (!li->admin_up)
		return DETECT_LINK_ADMIN_DOWN;
	return li->carrier ? DETECT_LINK_UP : DETECT_LINK_NO_CARRIER;
}

/* Bind probes to the member's first global address of each family. */
static void update_sources(struct member_rt *m, const struct link_info *li)
{
	const void *v4 = NULL, *v6 = NULL;
	for (unsigned i = 0; li && i < li->n_addrs; i++) {
		const struct link_addr *a = &li->addrs[i];
		if (a->scope != 0)
			continue;
		if (a->family == AF_INET && !v4)
			v4 = &a->addr.v4;
		else if (a->family == AF_INET6 && !v6)
			v6 = &a->addr.v6;
	}
	prober_set_source(m->prober, AF_INET, v4);
	prober_set_source(m->prober, AF_INET6, v6);
}

static void apply_link(struct member_rt *m, const struct link_info *li, bool fresh)
{
	enum detect_link l = m->ifdown ? DETECT_LINK_IFDOWN : link_of(li);
	bool changed = l != m->link;
	m->link = l;
	if (m->prober) {
		if (fresh)
			prober_invalidate(m->prober);
		update_sources(m, li);
	}
	uint64_t now = clock_mono_us();
	record_link(m, l, now);
	if (mstate_link(&m->ms, l, now)) {
		members_state_changed(m, detect_link_name(l));
		return;
	}
	if (changed)
		ev_emit_link(m->d->bus, m->name, detect_link_name(l), NULL);
	members_select(m->d);
}

/* The carrier watch saw the active member's carrier drop before rtnetlink
 * said so: act now; the rtnetlink event that follows changes nothing. */
void members_carrier_lost(struct member_rt *m)
{
	if (m->link != DETECT_LINK_UP)
		return;
	m->link = DETECT_LINK_NO_CARRIER;
	ev_emit_link(m->d->bus, m->name, "no carrier", "sysfs, ahead of rtnetlink");
	uint64_t now = clock_mono_us();
	record_link(m, DETECT_LINK_NO_CARRIER, now);
	if (mstate_link(&m->ms, DETECT_LINK_NO_CARRIER, now))
		members_state_changed(m, "no carrier");
	else
		members_select(m->d);
}

/* netifd says the member's interface went down or came back. */
void members_set_ifdown(struct member_rt *m, bool down)
{
	if (m->ifdown == down)
		return;
	m->ifdown = down;
	apply_link(m, linkmon_find(m->d->lm, m->device), !down);
}

/* The path may have changed (netifd ifup): fresh source addresses and a
 * probe now instead of at the member's next turn. */
void members_recheck(struct member_rt *m)
{
	uint64_t now = clock_mono_us();
	apply_link(m, linkmon_find(m->d->lm, m->device), true);
	sched_probe_now(&m->ms.sched, now);
	if (m->timer)
		member_arm(m, now);
}

void members_link_event(struct daemon *d, const struct link_info *li, bool gone)
{
	bool ours = false;
	for (size_t i = 0; i < d->n_members; i++) {
		struct member_rt *m = d->members[i];
		if (strcmp(m->device, li->name) == 0) {
			apply_link(m, gone ? NULL : li, !gone);
			ours = true;
		}
	}
	/* Addresses and ifindex feed the route backend's rules and tables. */
	if (ours)
		decisions_members_changed(d);
}

void member_policy(const struct member_rt *m, struct policy_member *out)
{
	*out = (struct policy_member){
		.name = m->name, .priority = m->priority, .enabled = m->enabled,
		.metered = m->metered, .ms = &m->ms, .tm = &m->tm,
	};
}

/* The shared policy (engine/policy.c) decides; the replay calls the same. */
static enum sched_role role_for(const struct member_rt *m, bool active_down)
{
	struct policy_params pp;
	struct policy_member pm;
	policy_params_from_config(m->d->cfg, &pp);
	member_policy(m, &pm);
	return policy_role(&pp, &pm, m->active, active_down);
}

/* class 'auto': what the kernel says the device is. A wwan device (qmi_wwan,
 * cdc_mbim, ...) is cellular, a wlan one Wi-Fi; anything else is taken as a
 * wired line (a Starlink dish cannot be told from the device: say it). */
static const char *detect_class(const char *dev)
{
	char path[96], *buf;
	const char *cls = "lan";
	snprintf(path, sizeof(path), "/sys/class/net/%s/uevent", dev);
	buf = fs_read_file(path, 4096, NULL);
	if (buf && strstr(buf, "DEVTYPE=wlan"))
		cls = "wifi";
	else if (buf && strstr(buf, "DEVTYPE=wwan"))
		cls = "cellular";
	free(buf);
	return cls;
}

static struct member_rt *member_new(struct daemon *d, const struct cfg_section *s)
{
	struct member_rt *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->d = d;
	snprintf(m->name, sizeof(m->name), "%s", s->name);
	snprintf(m->device, sizeof(m->device), "%s", member_device(d, s));
	m->ifdown = netifd_member_down(d, s);
	snprintf(m->cls, sizeof(m->cls), "%s", cfg_enum_str(s, "class"));
	if (strcmp(m->cls, "auto") == 0)
		snprintf(m->cls, sizeof(m->cls), "%s", detect_class(m->device));
	m->priority = (int)cfg_int(s, "priority");
	m->enabled = cfg_bool(s, "enabled");
	m->metered = policy_metered(cfg_bool(s, "metered"), (double)cfg_int(s, "data_limit_mb"));
	m->link = DETECT_LINK_MISSING;
	for (size_t i = 0; i < MEMBER_MAX_TARGETS; i++)
		m->tstat[i].last = -1;
	if (load_targets(m, s) < 0) {
		free(m);
		return NULL;
	}
	return m;
}

static int member_start(struct member_rt *m, const struct mstate_params *mp)
{
	uint64_t now = clock_mono_us();
	m->started_us = now;
	mstate_init(&m->ms, mp, (unsigned)m->n_targets, role_for(m, false),
		    now ^ (uint64_t)(uintptr_t)m, now);
	m->timer = event_new(m->d->base, -1, 0, on_timer, m);
	if (!m->timer || tel_member_start(m) < 0)
		return -1;
	if (m->enabled) {
		struct prober_config pc = {
			.ifname = m->device, .timeout_ms = PROBE_MAX_TIMEOUT_MS,
			.targets = m->targets, .n_targets = m->n_targets,
		};
		m->prober = prober_new(m->d->base, &pc, on_probe, m);
		if (!m->prober)
			log_errno(LOG_LVL_ERR, "member %s: cannot create its prober", m->name);
	}
	apply_link(m, linkmon_find(m->d->lm, m->device), false);
	member_arm(m, now);
	return 0;
}

static void member_free(struct member_rt *m)
{
	if (!m)
		return;
	tel_member_stop(m);
	prober_free(m->prober);
	if (m->timer)
		event_free(m->timer);
	free(m);
}

/* Same device, same targets, same enabled flag: the running prober and the
 * measurements carry over a reload. */
static bool same_probing(const struct member_rt *a, const struct member_rt *b)
{
	if (strcmp(a->device, b->device) || a->n_targets != b->n_targets ||
	    a->enabled != b->enabled)
		return false;
	for (size_t i = 0; i < a->n_targets; i++)
		if (strcmp(a->targets[i].label, b->targets[i].label))
			return false;
	return true;
}

static struct member_rt *take_old(struct daemon *d, const struct member_rt *fresh)
{
	for (size_t i = 0; i < d->n_members; i++) {
		struct member_rt *o = d->members[i];
		if (o && strcmp(o->name, fresh->name) == 0 && same_probing(o, fresh)) {
			d->members[i] = NULL;
			return o;
		}
	}
	return NULL;
}

static void adopt(struct member_rt *keep, const struct member_rt *fresh,
		  const struct mstate_params *mp)
{
	snprintf(keep->cls, sizeof(keep->cls), "%s", fresh->cls);
	keep->adopted = true;
	keep->priority = fresh->priority;
	keep->metered = fresh->metered;
	keep->ms.sched.p = mp->sched;
	keep->ms.health.p.warning = mp->health.warning;
	keep->ms.health.p.critical = mp->health.critical;
}

int members_sync(struct daemon *d)
{
	struct mstate_params mp;
	size_t n = d->cfg->n_members;
	struct member_rt **next = calloc(n ? n : 1, sizeof(*next));
	if (!next)
		return -1;
	/* Members start (and may see their link) while d->members is half
	 * rebuilt: the decision engine waits for the whole list. */
	d->syncing = true;
	mstate_params_from_config(d->cfg, &mp);
	for (size_t i = 0; i < n; i++) {
		struct member_rt *fresh = member_new(d, &d->cfg->members[i]);
		struct member_rt *old = fresh ? take_old(d, fresh) : NULL;
		if (old) {
			adopt(old, fresh, &mp);
			member_free(fresh);
			next[i] = old;
		} else if (fresh && member_start(fresh, &mp) == 0) {
			next[i] = fresh;
		} else {
			member_free(fresh);
			next[i] = NULL;
		}
	}
	members_free(d);
	d->members = next;
	d->n_members = n;
	/* A member that failed to start is left out rather than half-run. */
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (next[i])
			next[k++] = next[i];
	d->n_members = k;
	d->syncing = false;
	/* Now that the member list is whole again: kept members' telemetry
	 * takes the new settings (it may run the decision engine). */
	for (size_t i = 0; i < k; i++)
		if (next[i]->adopted) {
			next[i]->adopted = false;
			tel_member_reload(next[i]);
		}
	decisions_members_changed(d);
	members_select(d);
	return k == n ? 0 : -1;
}

void members_free(struct daemon *d)
{
	for (size_t i = 0; i < d->n_members; i++)
		member_free(d->members[i]);
	free(d->members);
	d->members = NULL;
	d->n_members = 0;
}

struct member_rt *members_find_device(struct daemon *d, const char *dev)
{
	for (size_t i = 0; i < d->n_members; i++)
		if (strcmp(d->members[i]->device, dev) == 0)
			return d->members[i];
	return NULL;
}

/* The decision engine chooses; this applies its choice to probing roles
 * (the active member is probed often) and to what `status` reports. */
void members_apply_active(struct daemon *d, const char *name)
{
	uint64_t now = clock_mono_us();
	bool active_down = false;
	for (size_t i = 0; i < d->n_members; i++) {
		struct member_rt *m = d->members[i];
		m->active = name && strcmp(m->name, name) == 0;
		if (m->active)
			active_down = mstate_state(&m->ms) == HEALTH_DOWN;
	}
	for (size_t i = 0; i < d->n_members; i++) {
		struct member_rt *m = d->members[i];
		enum sched_role role = role_for(m, active_down);
		if (m->ms.role != role) {
			mstate_set_role(&m->ms, role, now);
			member_arm(m, now);
		}
	}
	snprintf(d->active, sizeof(d->active), "%s", name ? name : "");
}

void members_select(struct daemon *d)
{
	if (!d->syncing)
		decisions_eval(d);
}

double member_bytes_per_day(const struct member_rt *m)
{
	return sched_probes_per_day(&m->ms.sched.p, m->ms.role, m->ms.load_pct) *
	       SCHED_PROBE_BYTES;
}

double member_bytes_per_day_measured(const struct member_rt *m)
{
	struct prober_stats st;
	double up_s = (double)(clock_mono_us() - m->started_us) / 1e6;
	if (!m->prober || up_s < 1)
		return 0;
	prober_get_stats(m->prober, &st);
	return (double)(st.bytes_sent + st.bytes_received) / up_s * 86400.0;
}
