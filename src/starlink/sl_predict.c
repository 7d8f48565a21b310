/* sl_predict: see sl_predict.h for the rules. The state machine of a planned
 * outage advances on dish answers (sl_predict_status) and on time
 * (sl_predict_eval); everything else is recomputed from the latest answers
 * at each evaluation, so a verdict always explains the present. */
#include "starlink/sl_predict.h"
#include "starlink/sl_drops.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define S 1000000ULL
#define STALE_US (300 * S)              /* a status older than this no longer counts */
#define HIST_FRESH_US (150 * S)
#define REBOOT_GIVEUP_S 900             /* an announced reboot this late did not happen */
#define UNREACHABLE_RECENT_US (600 * S)
#define RISE_SPAN_US (300 * S)
#define OBS_STEP_US (20 * S)            /* SL_OBS_RING x this covers RISE_SPAN_US */
#define ZERO_LATENCY_POLLS 3
#define RISE_MIN 0.009                  /* +1 point of the sky (float-safe) */
/* An obstruction is over once the dish has said so (and shown no drops) for
 * this long: its flag is precise and episodes are short, so this is much
 * shorter than the recovery after a planned outage. */
#define OBSTRUCT_CLEAR_US (10 * S)
#define OBSTRUCT_ALARM_S 120            /* the outage it announces comes within this */
/* A status drop rate counts as a ramp once it has stood out for this long:
 * the dish's own blips last 1-3 s, a building obstruction longer. */
#define DROPS_SUSTAIN_US (4 * S)
#define PLAN_SLACK_S 120                /* a planned outage this late is still the one */
#define PLAN_ALARM_S 300                /* stow, thermal shutdown: within this */
#define OUTAGE_ALARM_S 30               /* the dish says it is out: the probes agree */

void sl_predict_params_default(struct sl_predict_params *p)
{
	memset(p, 0, sizeof(*p));
	p->predictive = true;
	p->reboot_lead_s = 60;
	p->recover_s = 30;
}

void sl_predict_init(struct sl_predict *p, const struct sl_predict_params *pp)
{
	memset(p, 0, sizeof(*p));
	if (pp)
		p->p = *pp;
	else
		sl_predict_params_default(&p->p);
	snprintf(p->place, sizeof(p->place), "here");
}

void sl_predict_configure(struct sl_predict *p, const struct sl_predict_params *pp)
{
	p->p = *pp;
}

void sl_predict_place(struct sl_predict *p, const char *key)
{
	if (key && key[0])
		snprintf(p->place, sizeof(p->place), "%s", key);
}

const char *sl_plan_name(enum sl_plan s)
{
	static const char *const n[] = { "none", "announced", "leaving", "outage", "recovering" };
	return (unsigned)s < sizeof(n) / sizeof(n[0]) ? n[s] : "?";
}

const char *sl_plan_kind_name(enum sl_plan_kind k)
{
	static const char *const n[] = { "none", "reboot", "stow", "thermal_shutdown" };
	return (unsigned)k < sizeof(n) / sizeof(n[0]) ? n[k] : "?";
}

/* ---- planned outages ---------------------------------------------------------- */

/* When the dish will reboot for an update, 0 if it has not said. */
static int64_t scheduled_reboot(const struct sl_status *st, int64_t wall_s)
{
	if (st->reboot_scheduled_utc > 0)
		return st->reboot_scheduled_utc;
	if (st->swupdate_reboot_ready && st->seconds_until_swupdate_reboot_possible > 0)
		return wall_s + st->seconds_until_swupdate_reboot_possible;
	return 0;
}

static void plan_start(struct sl_predict *p, enum sl_plan_kind k, enum sl_plan stage,
		       uint64_t now_us)
{
	p->plan_kind = k;
	p->plan = stage;
	p->plan_us = now_us;
	p->uptime_before = p->st.uptime_s;
	p->by_operator = false;
}

static void plan_end(struct sl_predict *p)
{
	p->plan = SL_PLAN_NONE;
	p->plan_kind = SL_PK_NONE;
	p->reboot_at = 0;
}

/* Has the planned event happened? An outage, or a reboot seen as the uptime
 * going back. */
static bool plan_happening(const struct sl_predict *p, const struct sl_status *st)
{
	if (st->has_outage)
		return true;
	return p->plan_kind == SL_PK_REBOOT && p->uptime_before && st->uptime_s < p->uptime_before;
}

/* Is the cause of the plan still there (stow requested, thermal alert)? */
static bool plan_cause_present(const struct sl_predict *p, const struct sl_status *st)
{
	switch (p->plan_kind) {
	case SL_PK_STOW: return st->stow_requested;
	case SL_PK_THERMAL: return (st->alerts & SL_ALERT(SL_AL_THERMAL_SHUTDOWN)) != 0;
	default: return false;
	}
}

static void plan_on_status(struct sl_predict *p, const struct sl_status *st, uint64_t now_us,
			   int64_t wall_s)
{
	int64_t at = scheduled_reboot(st, wall_s);

	if (p->plan == SL_PLAN_NONE || p->plan == SL_PLAN_ANNOUNCED) {
		if (st->alerts & SL_ALERT(SL_AL_THERMAL_SHUTDOWN)) {
			plan_start(p, SL_PK_THERMAL, SL_PLAN_LEAVING, now_us);
			return;
		}
		if (st->stow_requested) {
			plan_start(p, SL_PK_STOW, SL_PLAN_LEAVING, now_us);
			return;
		}
	}
	switch (p->plan) {
	case SL_PLAN_NONE:
		if (at > 0 && at + REBOOT_GIVEUP_S > wall_s) {
			plan_start(p, SL_PK_REBOOT, SL_PLAN_ANNOUNCED, now_us);
			p->reboot_at = at;
		}
		break;
	case SL_PLAN_ANNOUNCED:
		if (at == 0)
			plan_end(p);                    /* cancelled */
		else
			p->reboot_at = at;
		break;
	case SL_PLAN_LEAVING:
		if (plan_happening(p, st))
			p->plan = SL_PLAN_OUTAGE;
		else if (p->plan_kind != SL_PK_REBOOT && !plan_cause_present(p, st))
			plan_end(p);                    /* unstowed before it stowed */
		break;
	case SL_PLAN_OUTAGE:
		if (!st->has_outage && !plan_cause_present(p, st)) {
			p->plan = SL_PLAN_RECOVERING;
			p->recover_us = now_us;
		}
		break;
	case SL_PLAN_RECOVERING:
		if (st->has_outage || plan_cause_present(p, st))
			p->plan = SL_PLAN_OUTAGE;
		break;
	}
}

/* Time moves the plan on: the lead is reached, recovery ends, an announced
 * reboot never came. A dish that stops answering at its reboot time is
 * rebooting. */
static void plan_on_time(struct sl_predict *p, uint64_t now_us, int64_t wall_s)
{
	if (p->plan == SL_PLAN_ANNOUNCED && wall_s >= p->reboot_at - (int64_t)p->p.reboot_lead_s)
		p->plan = SL_PLAN_LEAVING;
	if (p->plan == SL_PLAN_LEAVING && p->plan_kind == SL_PK_REBOOT) {
		if (p->fails > 0 && p->first_fail_us >= p->plan_us)
			p->plan = SL_PLAN_OUTAGE;
		else if (wall_s > p->reboot_at + REBOOT_GIVEUP_S)
			plan_end(p);
	}
	if (p->plan == SL_PLAN_RECOVERING && now_us - p->recover_us >= p->p.recover_s * S)
		plan_end(p);
}

static void plan_reason(const struct sl_predict *p, uint64_t now_us, int64_t wall_s,
			struct tel_verdict *v)
{
	char hhmm[16] = "?";
	time_t at = (time_t)p->reboot_at;
	struct tm tm;

	if (p->reboot_at && gmtime_r(&at, &tm))
		strftime(hhmm, sizeof(hhmm), "%H:%M:%S", &tm);
	switch (p->plan) {
	case SL_PLAN_LEAVING:
		if (p->plan_kind == SL_PK_REBOOT && p->by_operator)
			tel_predict(v, "operator asked the dish to reboot");
		else if (p->plan_kind == SL_PK_REBOOT)
			tel_predict(v, "dish reboots for a software update at %s UTC (in %lld s)",
				    hhmm, (long long)(p->reboot_at - wall_s));
		else if (p->plan_kind == SL_PK_STOW && p->by_operator)
			tel_predict(v, "operator asked the dish to stow");
		else if (p->plan_kind == SL_PK_STOW)
			tel_predict(v, "dish stow requested");
		else
			tel_predict(v, "dish thermal shutdown alert");
		break;
	case SL_PLAN_OUTAGE:
		tel_predict(v, "planned dish %s in progress", sl_plan_kind_name(p->plan_kind));
		break;
	case SL_PLAN_RECOVERING:
		tel_predict(v, "dish back from its planned %s; connected for %u s of %u",
			    sl_plan_kind_name(p->plan_kind),
			    (unsigned)((now_us - p->recover_us) / S), p->p.recover_s);
		break;
	default:
		return;
	}
	int64_t due = p->plan_kind == SL_PK_REBOOT && p->reboot_at > wall_s ? p->reboot_at - wall_s : 0;
	tel_predict_as(v, TEL_PRECURSOR_PLANNED, 4,
		       (uint32_t)(p->plan_kind == SL_PK_REBOOT ? due + PLAN_SLACK_S : PLAN_ALARM_S));
}

/* ---- samples ----------------------------------------------------------------- */

static int64_t outage_start_unix(const struct sl_outage *o)
{
	return o->start_ns > 0 ? (int64_t)sl_gps_ns_to_unix(o->start_ns) : 0;
}

static void learn_place(struct sl_predict *p, int64_t wall_s)
{
	struct loclearn *l = p->p.learn;
	if (!l)
		return;
	if (p->observed_to_s)
		loclearn_observe(l, p->place, p->observed_to_s, wall_s);
	p->observed_to_s = wall_s;
	loclearn_judge(l, p->place, wall_s, &p->here);
}

void sl_predict_status(struct sl_predict *p, const struct sl_status *st, uint64_t now_us,
		       int64_t wall_s)
{
	bool was_out = p->have && p->st.has_outage;

	p->st = *st;
	p->have = true;
	p->st_us = now_us;
	p->st_wall = wall_s;
	p->polls++;
	p->fails = 0;
	p->ever_ok = true;
	p->last_ok_us = now_us;
	if (st->pop_ping_latency_ms == 0 && st->pop_ping_drop_rate < 1 && !st->has_outage)
		p->zero_latency++;
	else if (st->pop_ping_latency_ms > 0)
		p->zero_latency = 0;
	/* The sky fraction over time, one entry per OBS_STEP at most, so that
	 * fast polling does not push the older values out of the ring. */
	unsigned last = (p->obs_head + SL_OBS_RING - 1) % SL_OBS_RING;
	if (!p->obs_n || now_us - p->obs[last].t_us >= OBS_STEP_US) {
		p->obs[p->obs_head] = (typeof(p->obs[0])){ now_us, st->fraction_obstructed };
		p->obs_head = (p->obs_head + 1) % SL_OBS_RING;
		if (p->obs_n < SL_OBS_RING)
			p->obs_n++;
	}
	if (p->p.learn && st->has_outage && st->outage.cause == SL_CAUSE_OBSTRUCTED && !was_out) {
		int64_t start = outage_start_unix(&st->outage);
		loclearn_outage(p->p.learn, p->place, start ? start : wall_s);
	}
	learn_place(p, wall_s);
	plan_on_status(p, st, now_us, wall_s);
	bool base = p->have_hist && now_us - p->hist_us < HIST_FRESH_US;
	if (st->has_outage || !sl_drops_status_ramp(&p->drops, base, st->pop_ping_drop_rate))
		p->drops_since_us = 0;
	else if (!p->drops_since_us)
		p->drops_since_us = now_us;
}

void sl_predict_history(struct sl_predict *p, const struct sl_history *h, uint64_t now_us,
			int64_t wall_s)
{
	sl_drops_analyse(h, &p->drops);
	p->have_hist = h->n > 0;
	p->hist_us = now_us;
	p->hist_drops15 = p->drops.recent;
	p->hist_drop60 = p->drops.mean60;
	p->hist_zero_latency = p->drops.zero_latency60;
	p->hist_ramp = sl_drops_ramp(&p->drops);
	if (p->p.learn) {
		for (unsigned i = 0; i < h->n_outages; i++) {
			const struct sl_outage *o = &h->outages[i];
			int64_t start = outage_start_unix(o);
			if (o->cause == SL_CAUSE_OBSTRUCTED && start > 0 && start <= wall_s)
				loclearn_outage(p->p.learn, p->place, start);
		}
		loclearn_judge(p->p.learn, p->place, wall_s, &p->here);
	}
}

void sl_predict_error(struct sl_predict *p, const char *what, uint64_t now_us)
{
	if (p->fails++ == 0)
		p->first_fail_us = now_us;
	snprintf(p->fail_text, sizeof(p->fail_text), "%s", what ? what : "error");
}

/* ---- evaluation ---------------------------------------------------------------- */

/* An account or policy problem: the dish will not carry traffic until someone
 * fixes it, so the member is used only as a last resort. */
static bool st_disabled(const struct sl_status *st)
{
	return st->disablement_code != SL_DIS_UNKNOWN && st->disablement_code != SL_DIS_OKAY;
}

static double frac_rise(const struct sl_predict *p, uint64_t now_us)
{
	float lo = INFINITY, cur = p->st.fraction_obstructed;
	for (unsigned i = 0; i < p->obs_n; i++)
		if (now_us - p->obs[i].t_us <= RISE_SPAN_US && p->obs[i].frac < lo)
			lo = p->obs[i].frac;
	return isfinite(lo) ? cur - lo : 0;
}

struct sl_now {
	bool fresh, hist_fresh, obstructed, ramp, rising, recurring, corroborated;
};

static void observe_now(const struct sl_predict *p, uint64_t now_us, struct sl_now *n)
{
	memset(n, 0, sizeof(*n));
	n->fresh = p->have && now_us - p->st_us < STALE_US;
	n->hist_fresh = p->have_hist && now_us - p->hist_us < HIST_FRESH_US;
	n->obstructed = n->fresh && p->st.currently_obstructed;
	/* Drops count as a ramp only when they stand out against this dish's
	 * own normal (sl_drops.h): a healthy dish drops pings every 15 s. */
	n->ramp = (n->hist_fresh && p->hist_ramp) ||
		  (n->fresh && p->drops_since_us && now_us - p->drops_since_us >= DROPS_SUSTAIN_US);
	n->rising = n->fresh && frac_rise(p, now_us) >= RISE_MIN;
	n->recurring = p->p.learn && p->here.recurring;
}

/* The reason names only the evidence that is there: "0 of the last 15 s
 * with drops" next to "obstructed now" reads as a contradiction, and drops
 * that do not stand out against the dish's normal are no evidence. */
static void predict_building(const struct sl_predict *p, const struct sl_now *n,
			     struct tel_verdict *v)
{
	char drops[48] = "";

	if (n->ramp && n->hist_fresh && p->hist_ramp)
		snprintf(drops, sizeof(drops), ", %u of the last 15 s with drops",
			 p->hist_drops15);
	else if (n->ramp)
		snprintf(drops, sizeof(drops), ", dish drop rate %.0f %%",
			 p->st.pop_ping_drop_rate * 100.0);
	tel_predict(v, "obstruction building: %s%s%s, %.0f %% of the sky obstructed",
		    n->obstructed ? "obstructed now" : "clearing", drops,
		    n->rising ? ", obstructed fraction rising" : "",
		    p->st.fraction_obstructed * 100.0);
}

/* How much evidence the obstruction precursor has (see sl_predict.h). */
static double obstruction_strength(const struct sl_now *n)
{
	if (n->recurring)
		return 1 + (n->obstructed && n->ramp) + n->rising;
	if (n->ramp)
		return 1 + n->rising;
	return 0.5;                     /* obstructed and the sky filling in: weak */
}

static void obstruction(struct sl_predict *p, const struct sl_now *n, uint64_t now_us,
			struct tel_verdict *v)
{
	bool trigger = (n->obstructed && (n->ramp || n->rising || n->recurring)) ||
		       (n->recurring && n->ramp);

	if (trigger) {
		p->obstruct_flag = true;
		p->obstruct_strength = obstruction_strength(n);
		p->unobstructed_since_us = 0;
	} else if (p->obstruct_flag) {
		if (n->obstructed || n->ramp)
			p->unobstructed_since_us = 0;
		else if (!p->unobstructed_since_us)
			p->unobstructed_since_us = now_us;
		else if (now_us - p->unobstructed_since_us >= OBSTRUCT_CLEAR_US)
			p->obstruct_flag = false;
	}
	if (!p->obstruct_flag || !p->p.predictive)
		return;
	if (n->recurring && !(n->obstructed && (n->ramp || n->rising)))
		tel_predict(v, "%s where obstruction outages recur (%u here in 2 h)",
			    n->obstructed ? "obstructed" : "drops", p->here.recent);
	else
		predict_building(p, n, v);
	tel_predict_as(v, TEL_PRECURSOR_OBSTRUCTION, p->obstruct_strength, OBSTRUCT_ALARM_S);
}

struct alert_pen {
	unsigned field;
	int points;
	const char *text;
};

static const struct alert_pen alert_pens[] = {
	{ SL_AL_THERMAL_THROTTLE, 10, "thermal throttling" },
	{ SL_AL_MOTORS_STUCK, 10, "motors stuck" },
	{ SL_AL_MAST_NOT_NEAR_VERTICAL, 5, "mast not near vertical" },
};

static void penalties(struct sl_predict *p, const struct sl_now *n, uint64_t now_us,
		      struct tel_verdict *v)
{
	const struct sl_status *st = &p->st;

	if (n->fresh) {
		if (st->is_snr_persistently_low)
			tel_add_penalty(v, "starlink", 15, "SNR persistently low");
		for (size_t i = 0; i < sizeof(alert_pens) / sizeof(alert_pens[0]); i++)
			if (st->alerts & SL_ALERT(alert_pens[i].field))
				tel_add_penalty(v, "starlink", alert_pens[i].points, "%s",
						alert_pens[i].text);
		double fo = st->fraction_obstructed * 100.0;
		/* A long-run figure: what it costs shows in the probes too, so it
		 * only tips the balance (13 % obstructed, ~1.5 % of the time
		 * down in the captured dish's stats, costs 3 points). */
		if (fo >= 5)
			tel_add_penalty(v, "starlink", (int)lround(fmin(10, 0.3 * (fo - 5) + 1)),
					"%.0f %% of the sky obstructed", fo);
		if (st->currently_obstructed)
			tel_add_penalty(v, "starlink", 10, "obstructed now");
	}
	double drop = n->hist_fresh ? p->hist_drop60 : 0;
	if (n->fresh && !st->has_outage && st->pop_ping_drop_rate > drop)
		drop = st->pop_ping_drop_rate;
	if (drop * 100 > 2)
		tel_add_penalty(v, "starlink", (int)lround(fmin(15, 0.5 * (drop * 100 - 2))),
				"dish drop rate %.0f %%", drop * 100);
	if (p->ever_ok && p->fails >= 2 && now_us - p->last_ok_us < UNREACHABLE_RECENT_US)
		tel_add_penalty(v, "starlink", 10, "dish not answering (%u calls failed: %s)",
				p->fails, p->fail_text);
}

void sl_predict_eval(struct sl_predict *p, uint64_t now_us, int64_t wall_s,
		     struct tel_verdict *v)
{
	struct sl_now n;

	tel_verdict_clear(v);
	plan_on_time(p, now_us, wall_s);
	observe_now(p, now_us, &n);
	p->latency_bogus = p->zero_latency >= ZERO_LATENCY_POLLS ||
			   (n.hist_fresh && p->hist_zero_latency >= 30);
	if (n.fresh && st_disabled(&p->st))
		tel_exclude(v, "starlink account or policy: %s",
			    sl_disablement_name(p->st.disablement_code));
	if (p->p.predictive) {
		plan_reason(p, now_us, wall_s, v);
		if (n.fresh && p->st.has_outage) {
			tel_predict(v, "dish outage: %s", sl_cause_name(p->st.outage.cause));
			tel_predict_as(v, TEL_PRECURSOR_OUTAGE, 8, OUTAGE_ALARM_S);
		}
	}
	obstruction(p, &n, now_us, v);
	penalties(p, &n, now_us, v);
}

uint64_t sl_predict_next_us(const struct sl_predict *p, uint64_t now_us, int64_t wall_s)
{
	uint64_t next = UINT64_MAX;
#define AT(us) do { uint64_t t_ = (us); if (t_ > now_us && t_ < next) next = t_; } while (0)
	if (p->plan == SL_PLAN_ANNOUNCED) {
		int64_t d = p->reboot_at - (int64_t)p->p.reboot_lead_s - wall_s;
		AT(now_us + (d > 0 ? (uint64_t)d * S : 1));
	}
	if (p->plan == SL_PLAN_LEAVING && p->plan_kind == SL_PK_REBOOT) {
		int64_t d = p->reboot_at + REBOOT_GIVEUP_S + 1 - wall_s;
		AT(now_us + (d > 0 ? (uint64_t)d * S : 1));
	}
	if (p->plan == SL_PLAN_RECOVERING)
		AT(p->recover_us + p->p.recover_s * S);
	if (p->obstruct_flag && p->unobstructed_since_us)
		AT(p->unobstructed_since_us + OBSTRUCT_CLEAR_US);
#undef AT
	return next;
}

void sl_predict_operator(struct sl_predict *p, enum sl_plan_kind k, uint64_t now_us,
			 int64_t wall_s)
{
	plan_start(p, k, SL_PLAN_LEAVING, now_us);
	p->by_operator = true;
	if (k == SL_PK_REBOOT)
		p->reboot_at = wall_s;
}

bool sl_predict_suspect(const struct sl_predict *p)
{
	/* Where obstruction outages recur, the next one is a few seconds of
	 * `obstructed` away: watch closely while here. */
	if (p->obstruct_flag || (p->plan != SL_PLAN_NONE && p->plan != SL_PLAN_ANNOUNCED) ||
	    (p->p.learn && p->here.recurring))
		return true;
	if (p->plan == SL_PLAN_ANNOUNCED && p->st_wall >= p->reboot_at - 3 * (int64_t)p->p.reboot_lead_s)
		return true;
	if (!p->have)
		return false;
	const struct sl_status *st = &p->st;
	/* A sky fraction that grows is the obstruction map filling in: the
	 * dish will report itself obstructed soon, for a few seconds only. */
	return st->has_outage || st->currently_obstructed || st->pop_ping_drop_rate > 0 ||
	       p->hist_drops15 > 0 || frac_rise(p, p->st_us) >= RISE_MIN ||
	       (st->alerts & SL_ALERT(SL_AL_THERMAL_THROTTLE));
}
