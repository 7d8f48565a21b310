/* cell_assess: see cell_assess.h for the rules and their numbers. */
#include "cellular/cell_assess.h"
#include "engine/trend.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define S 1000000ULL
#define STALE_US (300 * S)              /* an older sample no longer counts */
#define FADE_SPAN_US (180 * S)
#define FADE_MIN_SPAN_US (60 * S)
#define WINDOW_US (600 * S)             /* stability and downgrade window */
/* A modem's figures wander with a time constant of about a minute
 * (docs/noise-model.md): neighbours polled 15 s apart are ~0.8 alike. */
#define WANDER_TAU_S 60.0
#define FADE_MIN_RATE 1.0               /* dB/min: slower is not a fade */
#define HORIZON_S 120                   /* a precursor: failure within this */
#define ALARM_S 300                     /* ... and the outage within this */
#define SINR_FAIL_DB (-5.0)             /* LTE/NR: data stops (RLF near -8 dB) */

/* Penalty breakpoints of a signal figure (dBm): 0 at or above t[0], then
 * linear to 10 at t[1], 30 at t[2], 50 at t[3]. RSCP and RSSI sit higher on
 * the scale than RSRP for the same link quality. */
static const struct level_table {
	const char *metric;
	double t[4];
	double fail;            /* where this technology's link fails */
} levels[] = {
	{ "rsrp", { -95, -105, -115, -125 }, -115 },
	{ "nr_rsrp", { -95, -105, -115, -125 }, -115 },
	{ "rscp", { -85, -95, -105, -115 }, -105 },
	{ "rssi", { -75, -85, -95, -105 }, -100 },      /* GSM sensitivity -102 dBm */
	{ "csq", { -75, -85, -95, -105 }, -100 },
};

void cell_assess_params_default(struct cell_assess_params *p)
{
	p->roaming_detection = true;
	p->prefer_roaming = false;
	p->roaming_penalty = 20;
	p->stability = true;
}

void cell_assess_init(struct cell_assess *a, const struct cell_assess_params *p)
{
	memset(a, 0, sizeof(*a));
	if (p)
		a->p = *p;
	else
		cell_assess_params_default(&a->p);
	a->slope_db_min = a->stdev_db = a->fade_t = NAN;
	a->stability = -1;
}

void cell_assess_configure(struct cell_assess *a, const struct cell_assess_params *p)
{
	a->p = *p;
}

double cell_signal_dbm(const struct cell_sample *s, const char **metric)
{
	const char *m = NULL;
	double v = NAN;

	if (s->tech == CELL_TECH_NR_SA && isfinite(s->nr_rsrp_dbm)) {
		m = "nr_rsrp"; v = s->nr_rsrp_dbm;
	} else if (isfinite(s->rsrp_dbm) && s->tech != CELL_TECH_UMTS && s->tech != CELL_TECH_GSM) {
		m = "rsrp"; v = s->rsrp_dbm;
	} else if (isfinite(s->nr_rsrp_dbm) && s->tech != CELL_TECH_UMTS && s->tech != CELL_TECH_GSM) {
		m = "nr_rsrp"; v = s->nr_rsrp_dbm;
	} else if (isfinite(s->rscp_dbm)) {
		m = "rscp"; v = s->rscp_dbm;
	} else if (isfinite(s->rssi_dbm)) {
		m = "rssi"; v = s->rssi_dbm;
	} else if (s->csq >= 0 && s->csq <= 31) {
		m = "csq"; v = 2.0 * s->csq - 113;
	}
	if (metric)
		*metric = m;
	return v;
}

static const struct level_table *table_of(const char *metric)
{
	for (size_t i = 0; metric && i < sizeof(levels) / sizeof(levels[0]); i++)
		if (strcmp(levels[i].metric, metric) == 0)
			return &levels[i];
	return NULL;
}

static double level_points(const struct level_table *t, double v)
{
	static const double pts[4] = { 0, 10, 30, 50 };
	if (v >= t->t[0])
		return 0;
	for (int i = 1; i < 4; i++)
		if (v >= t->t[i])
			return pts[i - 1] + (pts[i] - pts[i - 1]) * (t->t[i - 1] - v) /
					    (t->t[i - 1] - t->t[i]);
	return 50;
}

static bool registered(const struct cell_sample *s)
{
	return s->reg == CELL_REG_HOME || s->reg == CELL_REG_ROAMING ||
	       s->state >= CELL_MS_REGISTERED;
}

static bool unregistered(const struct cell_sample *s)
{
	return s->reg == CELL_REG_SEARCHING || s->reg == CELL_REG_DENIED ||
	       s->reg == CELL_REG_IDLE || s->state == CELL_MS_SEARCHING;
}

static uint32_t hash_cell(const struct cell_sample *s)
{
	uint32_t h = 2166136261u;
	if (!s->cell_id[0])
		return 0;
	for (const char *c = s->cell_id; *c; c++)
		h = (h ^ (uint8_t)*c) * 16777619u;
	return h ? h : 1;
}

void cell_assess_sample(struct cell_assess *a, const struct cell_sample *s, uint64_t now_us)
{
	struct cell_point *pt = &a->ring[a->head];
	const char *m;

	pt->t_us = now_us;
	pt->dbm = cell_signal_dbm(s, &m);
	pt->sinr = s->sinr_db;
	pt->tech = s->tech;
	pt->reg = registered(s) ? CELL_REG_HOME : unregistered(s) ? CELL_REG_SEARCHING :
		  CELL_REG_UNKNOWN;
	pt->cell_hash = hash_cell(s);
	a->head = (a->head + 1) % CELL_RING;
	if (a->n < CELL_RING)
		a->n++;
	if (registered(s))
		a->was_registered = true;
	a->last = *s;
	a->last_us = now_us;
	a->have = true;
}

/* Points newest first: i = 0 is the latest sample. */
static const struct cell_point *point(const struct cell_assess *a, unsigned i)
{
	return &a->ring[(a->head + CELL_RING - 1 - i) % CELL_RING];
}

/* The trend of the signal figure (sinr false) or the SINR (true) over the
 * fade span, same technology as now; false without enough points. */
static bool fade_fit(const struct cell_assess *a, uint64_t now_us, bool sinr,
		     struct trend_fit *f)
{
	struct trend t;
	enum cell_tech tech = point(a, 0)->tech;

	trend_init(&t, now_us);
	for (unsigned i = 0; i < a->n; i++) {
		const struct cell_point *p = point(a, i);
		if (now_us - p->t_us > FADE_SPAN_US)
			break;
		if (p->tech == tech)
			trend_add(&t, p->t_us, sinr ? p->sinr : p->dbm);
	}
	return trend_fit(&t, FADE_MIN_SPAN_US, WANDER_TAU_S, f);
}

/* Variability over the window: standard deviation, cell changes,
 * registration drops. */
static void stability_figures(struct cell_assess *a, uint64_t now_us, bool *downgrade)
{
	double n = 0, s = 0, ss = 0;
	uint32_t cell = 0;
	unsigned changes = 0, drops = 0;
	enum cell_tech best = CELL_TECH_UNKNOWN, cur = point(a, 0)->tech;
	bool prev_reg = false;

	for (unsigned k = a->n; k-- > 0;) {             /* oldest first */
		const struct cell_point *p = point(a, k);
		if (now_us - p->t_us > WINDOW_US)
			continue;
		if (isfinite(p->dbm)) {
			n++; s += p->dbm; ss += p->dbm * p->dbm;
		}
		if (p->cell_hash && cell && p->cell_hash != cell)
			changes++;
		if (p->cell_hash)
			cell = p->cell_hash;
		if (prev_reg && p->reg == CELL_REG_SEARCHING)
			drops++;
		prev_reg = p->reg == CELL_REG_HOME;
		if (p->tech > best)
			best = p->tech;
	}
	a->stdev_db = n >= 3 ? sqrt(fmax(0, ss / n - (s / n) * (s / n))) : NAN;
	a->cell_changes = changes;
	a->reg_drops = drops;
	*downgrade = best >= CELL_TECH_LTE && cur != CELL_TECH_UNKNOWN && cur <= CELL_TECH_UMTS;
}

static void stability_penalty(struct cell_assess *a, struct tel_verdict *v)
{
	double pts = 0;
	if (isfinite(a->stdev_db) && a->stdev_db > 3)
		pts += 2 * (a->stdev_db - 3);
	if (a->cell_changes > 2)
		pts += 5.0 * (a->cell_changes - 2);
	pts += 10.0 * a->reg_drops;
	pts = fmin(20, pts);
	a->stability = (int)lround(100 - 5 * pts);
	if (pts >= 1)
		tel_add_penalty(v, "cellular", (int)pts, "unstable: signal +-%.1f dB, %u cell changes, "
				"%u registration drops in 10 min",
				isfinite(a->stdev_db) ? a->stdev_db : 0.0, a->cell_changes, a->reg_drops);
}

/* A fade is a precursor when it is significant (trend.h) and the line
 * reaches the level where the link fails within the horizon: a fade that
 * stays far above it is wander, however steep. */
static bool fade_precursor(const struct trend_fit *f, double fail, double *secs)
{
	if (!trend_falling(f, FADE_MIN_RATE))
		return false;
	*secs = f->level <= fail ? 0 : (f->level - fail) / -f->slope * 60;
	return *secs <= HORIZON_S;
}

static double strength(const struct trend_fit *f)
{
	return fmin(8, -f->t / trend_t_crit(f->df));
}

struct fits {
	bool have, have_q;
	struct trend_fit f, q;          /* the signal figure, the SINR */
};

static void fade_rules(struct cell_assess *a, const struct level_table *t,
		       const struct fits *x, struct tel_verdict *v)
{
	const struct trend_fit *f = &x->f, *q = &x->q;
	double secs;

	a->slope_db_min = x->have ? f->slope : NAN;
	a->fade_t = x->have ? f->t : NAN;
	a->fading = x->have && trend_falling(f, FADE_MIN_RATE);
	if (a->fading)
		tel_add_penalty(v, "cellular", (int)lround(fmin(15, -2 * f->slope)),
				"signal fading %.1f dB/min (%s %.0f dBm)", -f->slope, a->metric,
				f->level);
	bool rsrp = x->have && fade_precursor(f, t->fail, &secs);
	bool sinr = !rsrp && x->have_q && fade_precursor(q, SINR_FAIL_DB, &secs);
	/* A precursor must hold on two reports in a row: one report of wander
	 * can tip a marginal fit, a fade keeps going. */
	if (!rsrp && !sinr)
		a->precursor_since_us = 0;
	else if (!a->precursor_since_us)
		a->precursor_since_us = a->last_us;
	if (!a->precursor_since_us || a->precursor_since_us == a->last_us)
		return;
	if (rsrp) {
		tel_predict(v, "signal fading %.1f dB/min: %s %.0f dBm, %.0f in %.0f s", -f->slope,
			    a->metric, f->level, t->fail, secs);
		tel_predict_as(v, TEL_PRECURSOR_CELL_FADE, strength(f), ALARM_S);
	} else {
		/* Interference moves SINR without the cell going away: alone it
		 * is weak evidence, acted on when the probes agree. */
		tel_predict(v, "SINR falling %.1f dB/min: %.0f dB, %.0f in %.0f s", -q->slope,
			    q->level, SINR_FAIL_DB, secs);
		tel_predict_as(v, TEL_PRECURSOR_CELL_FADE, strength(q) / 2, ALARM_S);
	}
}

/* Levels are judged on the trend line's value now when there is one: it
 * averages out the measurement noise of single reports. */
static void signal_rules(struct cell_assess *a, uint64_t now_us, struct tel_verdict *v)
{
	const struct cell_sample *s = &a->last;
	const char *m;
	double dbm = cell_signal_dbm(s, &m), sinr = s->sinr_db;
	const struct level_table *t = table_of(m);
	struct fits x;

	a->metric = m;
	x.have = t && isfinite(dbm) && fade_fit(a, now_us, false, &x.f);
	x.have_q = a->last.tech >= CELL_TECH_LTE && isfinite(sinr) && fade_fit(a, now_us, true, &x.q);
	if (x.have)
		dbm = x.f.level;
	if (x.have_q)
		sinr = x.q.level;
	if (t && isfinite(dbm))
		tel_add_penalty(v, "cellular", (int)level_points(t, dbm), "weak signal: %s %.0f dBm",
				m, dbm);
	if (isfinite(sinr) && sinr < 5)
		tel_add_penalty(v, "cellular", (int)(sinr >= 0 ? 2 * (5 - sinr) :
					       fmin(25, 10 + 1.5 * -sinr)),
				"poor quality: SINR %.1f dB", sinr);
	fade_rules(a, t, &x, v);
}

void cell_assess_eval(struct cell_assess *a, uint64_t now_us, struct tel_verdict *v)
{
	const struct cell_sample *s = &a->last;
	bool downgrade = false;

	tel_verdict_clear(v);
	if (!a->have || now_us - a->last_us > STALE_US)
		return;
	if (s->state == CELL_MS_FAILED)
		tel_link_down(v, "modem failed%s%s", s->state_reason[0] ? ": " : "", s->state_reason);
	else if (a->was_registered && unregistered(s))
		tel_link_down(v, "modem not registered (%s)", cell_reg_name(s->reg));
	signal_rules(a, now_us, v);
	stability_figures(a, now_us, &downgrade);
	if (downgrade)
		tel_add_penalty(v, "cellular", 20, "technology fell to %s", cell_tech_name(s->tech));
	if (a->p.stability)
		stability_penalty(a, v);
	if (a->p.roaming_detection && (s->roaming == 1 || s->reg == CELL_REG_ROAMING)) {
		const char *op = s->operator_name[0] ? s->operator_name : s->operator_code;
		if (a->p.prefer_roaming)
			tel_add_penalty(v, "cellular", a->p.roaming_penalty, "roaming%s%s",
					op[0] ? " on " : "", op);
		else
			tel_exclude(v, "roaming%s%s (prefer_roaming off)", op[0] ? " on " : "", op);
	}
}
