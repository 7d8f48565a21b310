/* history_roll: per-minute roll-ups of every member, the daemon's own
 * figures, the hourly data usage rows, and the thresholds that are checked
 * every minute (CPU, memory, failovers ageing out of the day). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "core/clock.h"
#include "core/jsonutil.h"
#include "core/selfhealth.h"
#include "daemon/daemon.h"
#include "daemon/history_int.h"
#include "daemon/members.h"
#include "daemon/tel.h"
#include "events/ev_emit.h"
#if AUTONOMY_WITH_USAGE
#include "usage/usage.h"
#endif

/* Fire a little after the wall-clock minute so the minute is complete. */
#define MINUTE_SLACK_MS 50

static struct hist_mroll *mroll(struct history *h, const char *name)
{
	for (unsigned i = 0; i < h->n_m; i++)
		if (strcmp(h->m[i].name, name) == 0)
			return &h->m[i];
	if (h->n_m == HIST_MEMBERS)
		return NULL;
	struct hist_mroll *r = &h->m[h->n_m++];
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	store_roll_init(&r->roll);
	return r;
}

void history_members(struct history *h)
{
	struct daemon *d = h->d;
	struct store_member sm[HIST_MEMBERS];
	unsigned n = 0;
	for (unsigned i = 0; i < h->n_m; i++)
		h->m[i].seen = false;
	for (size_t i = 0; i < d->n_members && n < HIST_MEMBERS; i++) {
		const struct member_rt *m = d->members[i];
		const struct cfg_section *s = config_member(d->cfg, m->name);
		struct hist_mroll *r = mroll(h, m->name);
		if (r)
			r->seen = true;
		memset(&sm[n], 0, sizeof(sm[n]));
		snprintf(sm[n].name, sizeof(sm[n].name), "%s", m->name);
		snprintf(sm[n].cls, sizeof(sm[n].cls), "%s", m->cls);
		sm[n].priority = m->priority;
		sm[n].metered = m->metered;
		sm[n].cap_mb = s ? cfg_int(s, "data_limit_mb") : 0;
		n++;
	}
	/* Members gone with a reload are forgotten (their rows stay). */
	unsigned k = 0;
	for (unsigned i = 0; i < h->n_m; i++)
		if (h->m[i].seen)
			h->m[k++] = h->m[i];
	h->n_m = k;
	store_writer_members(h->w, sm, n);
}

static struct member_rt *member(struct daemon *d, const char *name)
{
	for (size_t i = 0; i < d->n_members; i++)
		if (strcmp(d->members[i]->name, name) == 0)
			return d->members[i];
	return NULL;
}

static void observe(struct history *h, struct member_rt *m, uint64_t now)
{
	struct hist_mroll *r = mroll(h, m->name);
	if (r)
		store_roll_observe(&r->roll, now, (int)mstate_state(&m->ms), m->ms.res.score,
				   strcmp(h->d->active, m->name) == 0);
}

void history_observe_member(struct history *h, const char *name)
{
	struct member_rt *m = member(h->d, name);
	if (m)
		observe(h, m, clock_mono_us());
}

void history_observe_all(struct history *h)
{
	uint64_t now = clock_mono_us();
	for (size_t i = 0; i < h->d->n_members; i++)
		observe(h, h->d->members[i], now);
}

void history_on_observe(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	struct history *h = arg;
	history_observe_all(h);
	struct timeval tv = { STORE_ROLL_OBSERVE_S, 0 };
	event_add(h->obs_ev, &tv);
}

void history_arm_minute(struct history *h)
{
	int64_t now = clock_wall_ms();
	int64_t ms = 60000 - now % 60000 + MINUTE_SLACK_MS;
	struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };
	event_add(h->minute_ev, &tv);
}

/* Bytes through the member's device in the minute (kernel counters, read
 * by the data usage kind's code: none in a build without it). */
static void bytes(struct hist_mroll *r, const struct member_rt *m, struct store_sample *x)
{
#if !AUTONOMY_WITH_USAGE
	(void)r; (void)m; (void)x;
#else
	uint64_t rx, tx;
	int ifindex;
	if (usage_read_counters(NULL, m->device, &rx, &tx, &ifindex) < 0) {
		r->have_counters = false;
		return;
	}
	/* A new device (recreated interface) starts its counters again. */
	if (r->have_counters && ifindex == r->ifindex) {
		x->rx = (int64_t)usage_counter_delta(r->rx, rx);
		x->tx = (int64_t)usage_counter_delta(r->tx, tx);
	}
	r->rx = rx;
	r->tx = tx;
	r->ifindex = ifindex;
	r->have_counters = true;
#endif
}

static uint64_t probes_sent(const struct member_rt *m)
{
	struct prober_stats st = { 0 };
	if (m->prober)
		prober_get_stats(m->prober, &st);
	return st.sent;
}

static int64_t samples(struct history *h, int64_t ts, uint64_t now)
{
	int64_t probes = 0;
	for (size_t i = 0; i < h->d->n_members; i++) {
		struct member_rt *m = h->d->members[i];
		struct hist_mroll *r = mroll(h, m->name);
		struct store_sample x;
		if (!r)
			continue;
		observe(h, m, now);
		store_sample_init(&x, ts, 60);
		snprintf(x.member, sizeof(x.member), "%s", m->name);
		store_roll_close(&r->roll, now, &x);
		store_roll_window(&m->ms.win, now, 60 * 1000000ull, &x);
		store_roll_tel(&m->tm, now, &x);
		bytes(r, m, &x);
		uint64_t sent = probes_sent(m);
		if (sent >= r->probes)
			probes += (int64_t)(sent - r->probes);
		r->probes = sent;
		store_writer_sample(h->w, &x);
	}
	return probes;
}

static void thresholds(struct history *h, double cpu_pct, long rss_kb)
{
	int c = ev_level_check(&h->cpu_lvl, cpu_pct, h->cpu_limit);
	if (c)
		ev_emit_resource(h->d->bus, "CPU", cpu_pct, "%", h->cpu_limit, "max_cpu_percent",
				 c < 0);
	c = ev_level_check(&h->mem_lvl, (double)rss_kb / 1024, h->mem_limit_kb / 1024);
	if (c)
		ev_emit_resource(h->d->bus, "memory", (double)rss_kb / 1024, "MB",
				 h->mem_limit_kb / 1024, "max_memory_mb", c < 0);
}

static void sys_row(struct history *h, int64_t ts, int64_t probes)
{
	uint64_t cpu = selfhealth_cpu_us(), mono = clock_mono_us();
	double pct = h->cpu_prev_mono && mono > h->cpu_prev_mono ?
		     100.0 * (double)(cpu - h->cpu_prev_us) / (double)(mono - h->cpu_prev_mono) : NAN;
	struct store_sys s = {
		.ts = ts, .cpu_pct = pct, .rss_kb = selfhealth_rss_kb(),
		.lag_max_ms = (double)h->d->health.lag_max_us / 1e3, .probes = probes,
		.store_cpu_us = (int64_t)(h->cpu_us + h->child_cpu_us),
		.flash_bytes = (int64_t)h->child_flash,
	};
	h->cpu_prev_us = cpu;
	h->cpu_prev_mono = mono;
	h->cpu_total_us += h->cpu_us;
	h->cpu_us = h->child_cpu_us = h->child_flash = 0;
	store_writer_sys(h->w, &s);
	if (isfinite(pct))
		thresholds(h, pct, s.rss_kb);
}

/* Data usage against the caps, once an hour (from the members' view). */
static void usage_rows(struct history *h, int64_t now_s)
{
	for (size_t i = 0; i < h->d->n_members; i++) {
		struct member_rt *m = h->d->members[i];
		json_object *o = json_object_new_object(), *u = NULL;
		tel_member_json(m, o);
		if (json_object_object_get_ex(o, "data_usage", &u) && u) {
			struct store_usage row = {
				.ts = now_s, .cycle_start = (int64_t)json_get_num(u, "cycle_start_ts", 0),
				.used = (int64_t)json_get_num(u, "total_bytes", 0),
				.cap = (int64_t)json_get_num(u, "limit_bytes", 0),
			};
			snprintf(row.member, sizeof(row.member), "%s", m->name);
			store_writer_usage(h->w, &row);
		}
		json_object_put(o);
	}
}

void history_on_minute(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	struct history *h = arg;
	uint64_t c0 = history_thread_cpu_us();
	int64_t wall = clock_wall_ms() / 1000, ts = wall / 60 * 60 - 60;
	const char *place = tel_place(h->d);
	/* "here" is what location learning calls an unknown position. */
	store_writer_place(h->w, place && strcmp(place, "here") ? place : "");
	int64_t probes = samples(h, ts, clock_mono_us());
	h->cpu_us += history_thread_cpu_us() - c0;
	sys_row(h, ts, probes);
	int hour = (int)(wall / 3600 % 24);
	if (hour != h->last_hour) {
		usage_rows(h, wall);
		h->last_hour = hour;
	}
	ev_failover_watch_tick(&h->fw, wall);
	history_flush(h);
	history_arm_minute(h);
}

void history_seed(struct history *h)
{
	sqlite3_stmt *st;
	int64_t now = clock_wall_ms();
	h->last_hour = -1;
	if (!h->work || sqlite3_prepare_v2(store_db(h->work), "SELECT ts FROM decisions WHERE "
					   "ts >= ?1 AND type = 'switch' AND from_m IS NOT NULL AND "
					   "cause NOT IN ('initial','manual') ORDER BY ts", -1, &st,
					   NULL) != SQLITE_OK)
		return;
	sqlite3_bind_int64(st, 1, now - EV_RATE_WINDOW_S * 1000LL);
	while (sqlite3_step(st) == SQLITE_ROW)
		ev_rate_add(&h->fw.rate, sqlite3_column_int64(st, 0) / 1000);
	sqlite3_finalize(st);
	/* Already over a threshold before the restart: said then, not again. */
	ev_rate_check(&h->fw.rate, now / 1000, h->fo_warn, h->fo_crit, NULL);
}
