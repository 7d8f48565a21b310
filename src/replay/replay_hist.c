/* replay_hist: `--replay TRACE --store FILE [--store-durable FILE]` — the
 * replay writes the history the daemon would have written: the same event
 * records on the same bus types, the same per-minute roll-ups (store_roll)
 * on wall-clock minutes of the trace's time, the same writer. With a
 * durable file the daemon's persistence runs too, in virtual time: every
 * performance.gc_interval the working store is maintained and the durable
 * copy brought up to date and maintained (what `autonomyd --store-sync`
 * does), so a month of flash writes is measured in seconds. */
#include "replay/replay_hist.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "replay/replay_internal.h"
#include "events/ev_emit.h"
#include "events/ev_thresh.h"
#include "store/store_io.h"
#include "store/store_maint.h"
#include "store/store_roll.h"
#include "store/store_writer.h"

#define MS 1000ULL
#define SEC 1000000ULL

struct replay_hist {
	struct replay_sim *s;
	struct ev_bus *bus;
	struct store *work;
	char durable[4096];
	struct store_writer *w;
	struct ev_failover_watch fw;
	struct store_roll roll[REPLAY_MAX_MEMBERS];
	int state[REPLAY_MAX_MEMBERS];
	int active;                     /* as of the last sync of states */
	double usage_mb[REPLAY_MAX_MEMBERS];
	uint64_t next_obs, next_min, next_sync, next_usage;     /* virtual µs */
	uint64_t sync_us;
	struct store_retention ret;
	struct replay_hist_result res;
	int error;
};

static int64_t wall_us(const struct replay_sim *s, uint64_t t)
{
	int64_t base = s->have_wall ? s->wall_at_t0_us : REPLAY_DEFAULT_WALL * 1000000;
	return base + (int64_t)(t - REPLAY_T0_US);
}

static int64_t bus_wall_ms(void *arg)
{
	const struct replay_hist *h = arg;
	return wall_us(h->s, h->s->now) / 1000;
}

static uint64_t bus_mono_us(void *arg)
{
	const struct replay_hist *h = arg;
	return h->s->now;
}

/* The virtual time at which the wall clock next reaches a multiple of step. */
static uint64_t next_boundary(const struct replay_sim *s, uint64_t after, int64_t step_us)
{
	int64_t w = wall_us(s, after), next = (w / step_us + 1) * step_us;
	return after + (uint64_t)(next - w);
}

static void members(struct replay_hist *h)
{
	struct store_member m[REPLAY_MAX_MEMBERS];
	const struct replay_sim *s = h->s;
	for (unsigned i = 0; i < s->n; i++) {
		const struct replay_member_def *d = s->m[i].def;
		memset(&m[i], 0, sizeof(m[i]));
		snprintf(m[i].name, sizeof(m[i].name), "%s", d->name);
		snprintf(m[i].cls, sizeof(m[i].cls), "%s", d->cls);
		m[i].priority = d->priority;
		m[i].metered = d->metered || d->data_limit_mb > 0;
		m[i].cap_mb = (int64_t)d->data_limit_mb;
	}
	store_writer_members(h->w, m, s->n);
}

static void retention_from(struct replay_hist *h, const struct config *cfg)
{
	const struct cfg_section *p = cfg ? config_section(cfg, "performance") : NULL;
	h->ret.raw_days = STORE_RAW_DAYS;
	h->ret.telemetry_days = p ? (unsigned)cfg_int(p, "telemetry_retention_days") : 30;
	h->ret.log_days = p ? (unsigned)cfg_int(p, "log_retention_days") : 7;
	h->ret.max_bytes = (p ? cfg_int(p, "history_max_mb") : 16) * 1024 * 1024;
	h->sync_us = p ? (uint64_t)cfg_duration_ms(p, "gc_interval") * MS : 300 * SEC;
}

struct replay_hist *replay_hist_open(struct replay_sim *s, const char *work, const char *durable,
				     char *err, size_t errsz)
{
	struct replay_hist *h = calloc(1, sizeof(*h));
	struct ev_clock clk = { bus_wall_ms, bus_mono_us, h };
	struct store_open_info info;
	if (!h)
		return NULL;
	h->s = s;
	h->work = store_open(work, STORE_WORK, 0, &info, err, errsz);
	h->bus = ev_bus_new(&clk);
	h->w = store_writer_new();
	if (!h->work || !h->bus || !h->w || store_writer_attach(h->w, h->bus) < 0) {
		replay_hist_close(h, NULL);
		return NULL;
	}
	snprintf(h->durable, sizeof(h->durable), "%s", durable ? durable : "");
	retention_from(h, s->o.cfg);
	const struct cfg_section *a = s->o.cfg ? config_section(s->o.cfg, "alerts") : NULL;
	ev_failover_watch_start(&h->fw, h->bus, a ? (unsigned)cfg_int(a, "failover_warning") : 5,
				a ? (unsigned)cfg_int(a, "failover_critical") : 10);
	members(h);
	h->active = -1;
	for (unsigned i = 0; i < s->n; i++) {
		store_roll_init(&h->roll[i]);
		h->state[i] = HEALTH_UNKNOWN;
	}
	h->next_obs = next_boundary(s, s->now, STORE_ROLL_OBSERVE_S * (int64_t)SEC);
	h->next_min = next_boundary(s, s->now, 60 * (int64_t)SEC);
	h->next_usage = next_boundary(s, s->now, 3600 * (int64_t)SEC);
	h->next_sync = s->now + h->sync_us;
	store_io_reset();
	ev_emit_daemon(h->bus, "started", "replay");
	return h;
}

static void observe(struct replay_hist *h, unsigned i)
{
	const struct replay_sim *s = h->s;
	store_roll_observe(&h->roll[i], s->now, (int)mstate_state(&s->m[i].ms),
			   s->m[i].ms.res.score, (int)i == s->active);
}

/* States that changed since the last look become `state` events, with the
 * member's role as it was when they changed (the decision they cause may
 * already have moved traffic). */
static void sync_states(struct replay_hist *h)
{
	const struct replay_sim *s = h->s;
	const struct config *cfg = s->o.cfg;
	const struct cfg_section *al = cfg ? config_section(cfg, "alerts") : NULL;
	int warn = al ? (int)cfg_int(al, "health_warning") : 70;
	int crit = al ? (int)cfg_int(al, "health_critical") : 50;
	for (unsigned i = 0; i < s->n; i++) {
		const struct mstate *ms = &s->m[i].ms;
		int st = (int)mstate_state(ms);
		if (st == h->state[i])
			continue;
		h->state[i] = st;
		const char *why = detect_is_down(&ms->det) ? ms->det.reason : ms->res.reason;
		ev_emit_state(h->bus, s->m[i].def->name, mstate_state_name(ms), ms->res.score, why,
			      (int)i == h->active, warn, crit);
		observe(h, i);
	}
}

static void sync_active(struct replay_hist *h)
{
	if (h->active == h->s->active)
		return;
	int was = h->active;
	h->active = h->s->active;
	if (was >= 0)
		observe(h, (unsigned)was);
	if (h->active >= 0)
		observe(h, (unsigned)h->active);
}

void replay_hist_decision(struct replay_hist *h, const struct decision *x)
{
	sync_states(h);
	ev_emit_decision(h->bus, x);
}

void replay_hist_telemetry(struct replay_hist *h, unsigned i, const char *what,
			   const char *reason)
{
	static const struct { const char *replay, *daemon; } names[] = {
		{ "predicted", "outage predicted" }, { "excluded", "excluded (last resort only)" },
		{ "link_down", "link down" },
	};
	const char *flag = what;
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
		if (strcmp(names[k].replay, what) == 0)
			flag = names[k].daemon;
	bool set = strcmp(reason, "cleared") != 0;
	ev_emit_tel_flag(h->bus, h->s->m[i].def->name, flag, set, set ? reason : NULL);
}

static void put_place(void *arg, const char *name, const char *s)
{
	char *out = arg;
	if (strcmp(name, "place") == 0 && !out[0])
		snprintf(out, STORE_NAME_MAX, "%s", s);
}

/* Where the router is: the place a kind's assessor knows (location
 * learning's cell of the dish). */
static void place(struct replay_hist *h)
{
	const struct replay_sim *s = h->s;
	char key[STORE_NAME_MAX] = "";
	const struct tel_hist_put put = { .str = put_place, .arg = key };
	for (unsigned i = 0; i < s->n && !key[0]; i++)
		for (unsigned k = 0; k < s->m[i].tm.n_part; k++) {
			const struct tel_part *p = &s->m[i].tm.part[k];
			if (p->k->history && p->a)
				p->k->history(p->a, s->now, UINT64_MAX, &put);
		}
	if (key[0])
		store_writer_place(h->w, key);
}

static void minute(struct replay_hist *h)
{
	struct replay_sim *s = h->s;
	int64_t ts = wall_us(s, s->now) / (int64_t)SEC - 60;
	place(h);
	for (unsigned i = 0; i < s->n; i++) {
		struct replay_member *m = &s->m[i];
		struct store_sample x;
		store_sample_init(&x, ts - ts % 60, 60);
		snprintf(x.member, sizeof(x.member), "%s", m->def->name);
		store_roll_close(&h->roll[i], s->now, &x);
		store_roll_window(&m->ms.win, s->now, 60 * SEC, &x);
		store_roll_tel(&m->tm, s->now, &x);
		if (m->has_usage) {
			double d = m->usage_mb - h->usage_mb[i];
			x.rx = d > 0 ? llround(d * 1e6) : 0;
			x.tx = 0;
			h->usage_mb[i] = m->usage_mb;
		}
		store_writer_sample(h->w, &x);
	}
	ev_failover_watch_tick(&h->fw, wall_us(s, s->now) / (int64_t)SEC);
	if (store_writer_flush(h->w, h->work) < 0)
		h->error = -1;
}

static void usage_rows(struct replay_hist *h)
{
	const struct replay_sim *s = h->s;
	int64_t ts = wall_us(s, s->now) / (int64_t)SEC;
	for (unsigned i = 0; i < s->n; i++) {
		const struct replay_member *m = &s->m[i];
		if (!m->has_usage || m->def->data_limit_mb <= 0)
			continue;
		struct store_usage u = { .ts = ts - 3600, .used = llround(m->usage_mb * 1e6),
					 .cap = llround(m->def->data_limit_mb * 1e6),
					 .cycle_start = wall_us(s, REPLAY_T0_US) / (int64_t)SEC };
		snprintf(u.member, sizeof(u.member), "%s", m->def->name);
		store_writer_usage(h->w, &u);
	}
}

/* What `autonomyd --store-sync` does every gc_interval. */
static void persist(struct replay_hist *h)
{
	struct store_maint_result m;
	char err[600];
	h->ret.now_s = wall_us(h->s, h->s->now) / (int64_t)SEC;
	if (store_writer_flush(h->w, h->work) < 0 || store_maintain(h->work, &h->ret, &m) < 0) {
		h->error = -1;
		return;
	}
	h->res.syncs++;
	if (!h->durable[0])
		return;
	if (store_sync_durable(h->work, h->durable, 0, &h->ret, false, NULL, NULL, &m, err,
			       sizeof(err)) < 0) {
		fprintf(stderr, "autonomyd: replay store: %s\n", err);
		h->error = -1;
	}
}

/* Everything due before the next event at t, at its own time. */
void replay_hist_before(struct replay_hist *h, uint64_t t)
{
	struct replay_sim *s = h->s;
	uint64_t keep = s->now;
	while (h->next_obs <= t || h->next_min <= t) {
		uint64_t at = h->next_obs < h->next_min ? h->next_obs : h->next_min;
		s->now = at;
		for (unsigned i = 0; i < s->n; i++)
			observe(h, i);
		if (at == h->next_min) {
			minute(h);
			h->next_min = next_boundary(s, at, 60 * (int64_t)SEC);
		}
		if (at == h->next_obs)
			h->next_obs = next_boundary(s, at, STORE_ROLL_OBSERVE_S * (int64_t)SEC);
		if (at >= h->next_usage) {
			usage_rows(h);
			h->next_usage = next_boundary(s, at, 3600 * (int64_t)SEC);
		}
		if (at >= h->next_sync) {
			persist(h);
			h->next_sync = at + h->sync_us;
		}
	}
	s->now = keep > s->now ? keep : s->now;
}

void replay_hist_after(struct replay_hist *h)
{
	sync_states(h);
	sync_active(h);
}

void replay_hist_close(struct replay_hist *h, struct replay_hist_result *res)
{
	if (!h)
		return;
	if (h->work && h->w) {
		store_writer_cut_outages(h->w, wall_us(h->s, h->s->now) / 1000);
		ev_emit_daemon(h->bus, "stopped", "end of the replay");
		persist(h);
		struct store_io io;
		store_io_get(&io);
		h->res.flash_bytes = io.bytes_written;
		h->res.flash_syncs = io.syncs;
		for (int i = 0; i < STORE_N_TABLES; i++)
			h->res.rows += store_count(h->work, store_table_name(i));
		h->res.work_bytes = store_size_bytes(h->work);
		h->res.error = h->error;
	}
	if (res)
		*res = h->res;
	ev_failover_watch_stop(&h->fw);
	store_writer_free(h->w);
	ev_bus_free(h->bus);
	store_close(h->work);
	free(h);
}
