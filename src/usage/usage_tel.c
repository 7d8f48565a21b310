/* usage: data used per member this month, from the kernel's byte counters
 * (usage/usage.h), checked every cellular.data_usage_check_interval, kept in
 * state_dir/usage.json across restarts (and reboots, when state_dir is on
 * flash: OpenWrt's /var is RAM). Against a member's data_limit_mb it raises
 * alerts at 50 %, bandwidth.data_warning_pct, data_last_resort_pct and
 * 100 %, and from data_last_resort_pct on the member is a last resort (the
 * data-cap rule of usage_assess, the kind's assessor on every member). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "config/config.h"
#include "core/clock.h"
#include "core/jsonutil.h"
#include "core/log.h"
#include "daemon/state.h"
#include "daemon/daemon.h"
#include "daemon/members.h"
#include "daemon/record.h"
#include "daemon/tel.h"
#include "events/ev_emit.h"
#include "usage/usage.h"
#include "usage/usage_assess.h"
#include "usage/usage_kind.h"

#define USAGE_FILE "usage.json"
#define MB 1000000ULL

struct usage_state {
	struct usage_member *u;         /* one per member, same order as d->members */
	unsigned n;
	char path[4096];
	char boot_id[USAGE_BOOT_ID_LEN + 1];
	struct event *timer;
	char last_error[160];
	bool persist_now;               /* an alert: copy to state_dir at once */
};

static struct usage_state *state(struct daemon *d)
{
	return *tel_kind_state(d, &tel_kind_usage);
}

static struct usage_member *find(struct usage_state *s, const char *name)
{
	for (unsigned i = 0; s && i < s->n; i++)
		if (strcmp(s->u[i].name, name) == 0)
			return &s->u[i];
	return NULL;
}

static const struct usage_member *of(struct daemon *d, const struct member_rt *m)
{
	return find(state(d), m->name);
}

static void plan(struct daemon *d, struct usage_member *u)
{
	const struct cfg_section *s = config_member(d->cfg, u->name);
	if (!s)
		return;
	usage_set_plan(u, (int)cfg_int(s, "data_reset_day"),
		       (uint64_t)cfg_int(s, "data_limit_mb") * MB, clock_wall_ms() / 1000);
}

/* The thresholds, ascending, without repeats. */
static unsigned thresholds(const struct daemon *d, unsigned *p)
{
	const struct cfg_section *b = config_section(d->cfg, "bandwidth");
	unsigned v[4] = { 50, (unsigned)cfg_int(b, "data_warning_pct"),
			  (unsigned)cfg_int(b, "data_last_resort_pct"), 100 }, n = 0;
	for (unsigned i = 0; i < 4; i++) {
		unsigned k = n;
		while (k > 0 && p[k - 1] > v[i]) {
			p[k] = p[k - 1];
			k--;
		}
		if (k > 0 && p[k - 1] == v[i]) {
			memmove(&p[k], &p[k + 1], (n - k) * sizeof(*p));
			continue;
		}
		p[k] = v[i];
		n++;
	}
	return n;
}

static void alert(struct daemon *d, struct usage_member *u)
{
	unsigned p[4], n = thresholds(d, p), bits = usage_alerts(u, p, n);
	for (unsigned i = 0; i < n; i++) {
		if (!(bits & (1u << i)))
			continue;
		state(d)->persist_now = true;
		ev_emit_usage(d->bus, u->name, p[i],
			      (unsigned)cfg_int(config_section(d->cfg, "bandwidth"), "data_warning_pct"),
			      u->cap_bytes / MB, (double)usage_total(u) / MB, u->next_reset);
	}
}

/* The member's share of its cap into its telemetry (a last resort near it). */
static void feed(struct daemon *d, struct member_rt *m, const struct usage_member *u)
{
	struct usage_assess *a = tel_member_part(&m->tm, &tel_kind_usage);
	double pct = u ? usage_pct(u) : -1;
	char text[64];
	if (!a)
		return;
	if (!cfg_bool(config_section(d->cfg, "bandwidth"), "data_limit_enabled") || pct < 0) {
		if (isfinite(a->pct)) {
			usage_assess_set(a, NAN, "");
			tel_changed(m);
		}
		return;
	}
	snprintf(text, sizeof(text), "%.0f of %llu MB", (double)usage_total(u) / MB,
		 (unsigned long long)(u->cap_bytes / MB));
	record_usage(m, (double)usage_total(u) / MB, clock_mono_us());
	usage_assess_set(a, pct, text);
	tel_changed(m);
}

static void check(struct daemon *d)
{
	struct usage_state *s = state(d);
	int64_t now = clock_wall_ms() / 1000;
	char err[160];

	for (size_t i = 0; i < d->n_members; i++) {
		struct member_rt *m = d->members[i];
		struct usage_member *u = find(s, m->name);
		uint64_t rx, tx;
		int ifindex;
		if (!u)
			continue;
		if (usage_read_counters(NULL, m->device, &rx, &tx, &ifindex) == 0) {
			usage_set_source(u, ifindex, s->boot_id);
			usage_update(u, rx, tx, now);
			alert(d, u);
		}
		feed(d, m, u);
	}
	if (usage_store_save(s->path, s->u, s->n, err, sizeof(err)) < 0) {
		if (strcmp(err, s->last_error) != 0)
			log_warn("data usage: %s (counts kept in memory)", err);
		snprintf(s->last_error, sizeof(s->last_error), "%s", err);
		return;
	}
	s->last_error[0] = 0;
	/* The counts that decide a data cap reach flash every persist_interval,
	 * and at once when an alert fired (it must not fire again after a
	 * power cut). */
	if (state_persist(d, USAGE_FILE, s->persist_now) < 0)
		log_errno(LOG_LVL_WARN, "data usage: cannot copy %s to state_dir", USAGE_FILE);
	else
		s->persist_now = false;
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	check(arg);
}

/* One record per member, keeping the counts of members that stay. */
static int rebuild(struct daemon *d)
{
	struct usage_state *s = state(d);
	struct usage_member *u = calloc(d->n_members ? d->n_members : 1, sizeof(*u));
	if (!u)
		return -1;
	for (size_t i = 0; i < d->n_members; i++) {
		const struct member_rt *m = d->members[i];
		const struct usage_member *old = find(s, m->name);
		if (old && strcmp(old->device, m->device) == 0)
			u[i] = *old;
		else
			usage_init(&u[i], m->name, m->device);
		plan(d, &u[i]);
	}
	free(s->u);
	s->u = u;
	s->n = (unsigned)d->n_members;
	return 0;
}

static void arm(struct daemon *d)
{
	long long ms = cfg_duration_ms(config_section(d->cfg, "cellular"),
				       "data_usage_check_interval");
	struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000 * 1000) };
	event_add(state(d)->timer, &tv);
}

int usage_start(struct daemon *d)
{
	char err[160];
	struct usage_state *s = calloc(1, sizeof(*s));
	if (!s)
		return -1;
	*tel_kind_state(d, &tel_kind_usage) = s;
	char load[4096];
	state_load_path(d, USAGE_FILE, load, sizeof(load));
	state_path(d, false, USAGE_FILE, s->path, sizeof(s->path));
	if (usage_boot_id(NULL, s->boot_id, sizeof(s->boot_id)) < 0)
		s->boot_id[0] = 0;
	if (rebuild(d) < 0)
		return -1;
	if (usage_store_load(load, s->u, s->n, err, sizeof(err)) < 0)
		log_warn("data usage: %s; counting from now", err);
	for (unsigned i = 0; i < s->n; i++)
		plan(d, &s->u[i]);
	s->timer = event_new(d->base, -1, EV_PERSIST, on_timer, d);
	if (!s->timer)
		return -1;
	arm(d);
	check(d);               /* the baseline, and the stored share into the engine */
	return 0;
}

void usage_stop(struct daemon *d)
{
	struct usage_state *s = state(d);
	char err[160];
	if (!s)
		return;
	check(d);
	if (usage_store_save(s->path, s->u, s->n, err, sizeof(err)) < 0)
		log_warn("data usage: %s", err);
	if (state_persist(d, USAGE_FILE, true) < 0)
		log_errno(LOG_LVL_WARN, "data usage: cannot copy %s to state_dir", USAGE_FILE);
	if (s->timer)
		event_free(s->timer);
	free(s->u);
	free(s);
	*tel_kind_state(d, &tel_kind_usage) = NULL;
}

void usage_reload(struct daemon *d)
{
	if (!state(d) || rebuild(d) < 0)
		return;
	arm(d);
	check(d);
}

json_object *usage_member_json(struct member_rt *m)
{
	struct daemon *d = m->d;
	const struct usage_member *u = of(d, m);
	if (!u)
		return NULL;
	json_object *o = json_object_new_object();
	double pct = usage_pct(u);
	view_add_time(o, "cycle_start", u->cycle_start);
	view_add_time(o, "next_reset", u->next_reset);
	json_object_object_add(o, "rx_bytes", json_object_new_int64((int64_t)u->rx_bytes));
	json_object_object_add(o, "tx_bytes", json_object_new_int64((int64_t)u->tx_bytes));
	json_object_object_add(o, "total_bytes", json_object_new_int64((int64_t)usage_total(u)));
	json_object_object_add(o, "limit_bytes", u->cap_bytes ?
			       json_object_new_int64((int64_t)u->cap_bytes) : NULL);
	json_object_object_add(o, "used_pct", pct >= 0 ? json_num(pct, 1) : NULL);
	json_object_object_add(o, "previous_cycle_bytes", u->prev_start ?
			       json_object_new_int64((int64_t)u->prev_total) : NULL);
	const struct cfg_section *b = config_section(d->cfg, "bandwidth");
	json_object_object_add(o, "last_resort", json_object_new_boolean(
		cfg_bool(b, "data_limit_enabled") && pct >= cfg_int(b, "data_last_resort_pct")));
	return o;
}
