/* qos_rate: the adaptive shaper rate (qos_rate.h). */
#include "qos/qos_rate.h"

#include <math.h>
#include <string.h>

#define SAMPLE_FRESH_US     2000000u    /* older newest sample: no opinion */
#define CUT_GAP_US          1000000u    /* between two cuts: the queue drains */
#define DRAIN_US            4000000u    /* after a cut, a shrinking delay is draining */
#define RAISE_HOLD_US       3000000u    /* no raise this soon after a cut */
#define DRIFT_HOLD_US       10000000u   /* no idle drift this soon after a cut */
#define CUT_FACTOR          0.9         /* a cut: 10 % off the rate ... */
#define DEEP_CUT_FACTOR     0.7         /* ... 30 % when the queue is deep ... */
#define DEEP_FACTOR         4           /* (this many times the target) */
#define ACHIEVED_FACTOR     0.9         /* ... or to 90 % of what got through */
#define RAISE_PER_S         0.02        /* under load, clean: +2 %/s */
#define DRIFT_PER_S         0.02        /* idle: +2 %/s back towards the limit */
#define HIGH_LOAD_PCT       75          /* the shaper is what limits the flow */
#define ACTIVE_PCT          10          /* the direction carries traffic */
#define STRONG_FACTOR       3           /* one sample this far over: bloat now */

static void dir_limits(struct qos_rate_dir *d, uint32_t max_kbit, uint32_t min_pct)
{
	d->max_kbit = max_kbit;
	d->min_kbit = (uint32_t)((uint64_t)max_kbit * min_pct / 100u);
	if (d->min_kbit < 1 && max_kbit)
		d->min_kbit = 1;
}

void qos_rate_init(struct qos_rate *r, const struct qos_rate_params *p)
{
	memset(r, 0, sizeof(*r));
	r->p = *p;
	for (unsigned i = 0; i < QOS_N_DIRS; i++) {
		dir_limits(&r->dir[i], p->max_kbit[i], p->min_pct);
		r->dir[i].rate_kbit = p->max_kbit[i];
	}
}

void qos_rate_set_limits(struct qos_rate *r, const struct qos_rate_params *p)
{
	for (unsigned i = 0; i < QOS_N_DIRS; i++) {
		struct qos_rate_dir *d = &r->dir[i];
		bool changed = d->max_kbit != p->max_kbit[i];
		dir_limits(d, p->max_kbit[i], p->min_pct);
		if (changed || d->rate_kbit > d->max_kbit)
			d->rate_kbit = d->max_kbit;
		if (d->rate_kbit < d->min_kbit)
			d->rate_kbit = d->min_kbit;
	}
	r->p = *p;
}

/* The baseline is the RTT of an empty path: it falls at once with a lower
 * sample, rises only slowly — quickly while nothing is sent (the path
 * itself changed), very slowly while a rise is counted as bloat. */
static void baseline_step(uint32_t *b, uint32_t rtt_us, uint32_t div)
{
	if (!*b || rtt_us <= *b)
		*b = *b ? rtt_us + (*b - rtt_us) / 8 : rtt_us;
	else
		*b += (rtt_us - *b) / div;
}

static void update_baseline(struct qos_rate *r, unsigned t, uint32_t rtt_us, bool bloated)
{
	baseline_step(&r->base_us[t], rtt_us, !r->loaded ? 32 : bloated ? 4096 : 256);
}

void qos_baseline_idle(uint32_t base_us[QOS_RATE_TARGETS], unsigned t, uint32_t rtt_us)
{
	baseline_step(&base_us[t % QOS_RATE_TARGETS], rtt_us, 32);
}

void qos_rate_seed(struct qos_rate *r, const uint32_t base_us[QOS_RATE_TARGETS])
{
	for (unsigned i = 0; i < QOS_RATE_TARGETS; i++)
		if (base_us[i])
			r->base_us[i] = base_us[i];
}

static void push_history(struct qos_rate *r, bool bloated)
{
	r->hist = (uint8_t)(((unsigned)r->hist << 1 | bloated) & ((1u << QOS_RATE_WINDOW) - 1));
	if (r->n_hist < QOS_RATE_WINDOW)
		r->n_hist++;
}

void qos_rate_loss(struct qos_rate *r, uint64_t now_us)
{
	if (!r->loaded)
		return;
	push_history(r, true);
	r->last_sample_us = now_us;
	r->bloat = __builtin_popcount(r->hist) >= QOS_RATE_BLOAT_MIN;
}

void qos_rate_sample(struct qos_rate *r, unsigned t, uint32_t rtt_us, uint64_t now_us)
{
	t %= QOS_RATE_TARGETS;
	uint32_t base = r->base_us[t];
	uint32_t delta = base && rtt_us > base ? rtt_us - base : 0;
	bool bloated = base && delta > r->p.delay_thr_us;
	update_baseline(r, t, rtt_us, bloated);
	r->last_rtt_us = rtt_us;
	r->last_delta_us = delta;
	r->last_sample_us = now_us;
	push_history(r, bloated);
	/* Two of the last four, or one far over the target: at two probes a
	 * second the window alone would take a second to speak. */
	r->bloat = __builtin_popcount(r->hist) >= QOS_RATE_BLOAT_MIN ||
		   (bloated && delta > STRONG_FACTOR * r->p.delay_thr_us);
}

static void measure(struct qos_rate_dir *d, uint64_t bytes, uint64_t dt_us)
{
	/* A counter that went back (device re-created) tells nothing. */
	if (d->have_bytes && bytes >= d->bytes && dt_us)
		d->achieved_kbit = (uint32_t)fmin((double)(bytes - d->bytes) * 8e3 / (double)dt_us,
						  4e9);
	else
		d->achieved_kbit = 0;
	d->bytes = bytes;
	d->have_bytes = true;
	d->load_pct = d->rate_kbit ?
		      (unsigned)fmin((double)d->achieved_kbit * 100.0 / d->rate_kbit, 1000.0) : 0;
}

static uint32_t clamp_rate(const struct qos_rate_dir *d, double v)
{
	if (v < d->min_kbit)
		return d->min_kbit;
	if (v > d->max_kbit)
		return d->max_kbit;
	return (uint32_t)llround(v);
}

/* The direction busiest relative to its limit, or -1 when none carries
 * traffic. */
static int dominant(const struct qos_rate *r)
{
	int best = -1;
	double best_share = 0;
	for (int i = 0; i < QOS_N_DIRS; i++) {
		const struct qos_rate_dir *d = &r->dir[i];
		if (!d->max_kbit || d->load_pct < ACTIVE_PCT)
			continue;
		double share = (double)d->achieved_kbit / d->max_kbit;
		if (best < 0 || share > best_share) {
			best = i;
			best_share = share;
		}
	}
	return best;
}

static unsigned cut(struct qos_rate *r, uint64_t now_us)
{
	unsigned changed = 0;
	int dom = dominant(r);
	for (int i = 0; i < QOS_N_DIRS; i++) {
		struct qos_rate_dir *d = &r->dir[i];
		if (!d->max_kbit || (i != dom && d->load_pct < HIGH_LOAD_PCT))
			continue;
		bool deep = r->last_delta_us > DEEP_FACTOR * r->p.delay_thr_us;
		double v = d->rate_kbit * (deep ? DEEP_CUT_FACTOR : CUT_FACTOR);
		if (i == dom && d->achieved_kbit * ACHIEVED_FACTOR < v)
			v = d->achieved_kbit * ACHIEVED_FACTOR;
		uint32_t nr = clamp_rate(d, v);
		if (nr != d->rate_kbit) {
			d->rate_kbit = nr;
			d->cuts++;
			changed |= 1u << i;
		}
	}
	/* The samples that showed the queue are spent: the next cut needs fresh
	 * evidence that the queue is still there at the new rate. */
	r->hist = 0;
	r->bloat = false;
	r->last_cut_us = now_us;
	r->cut_delta_us = r->last_delta_us;
	r->bloat_events++;
	return changed;
}

static unsigned raise_or_drift(struct qos_rate *r, uint64_t now_us, double dt_s)
{
	unsigned changed = 0;
	uint64_t since = r->last_cut_us ? now_us - r->last_cut_us : UINT64_MAX;
	for (int i = 0; i < QOS_N_DIRS; i++) {
		struct qos_rate_dir *d = &r->dir[i];
		if (!d->max_kbit || d->rate_kbit >= d->max_kbit)
			continue;
		double f;
		if (d->load_pct >= HIGH_LOAD_PCT && since >= RAISE_HOLD_US)
			f = RAISE_PER_S;
		else if (d->load_pct < HIGH_LOAD_PCT && since >= DRIFT_HOLD_US)
			f = DRIFT_PER_S;
		else
			continue;
		double step = d->rate_kbit * f * dt_s;
		uint32_t nr = clamp_rate(d, d->rate_kbit + (step < 1 ? 1 : step));
		if (nr != d->rate_kbit) {
			d->rate_kbit = nr;
			d->raises++;
			changed |= 1u << i;
		}
	}
	return changed;
}

unsigned qos_rate_tick(struct qos_rate *r, const uint64_t bytes[QOS_N_DIRS], uint64_t now_us)
{
	uint64_t dt_us = r->last_tick_us && now_us > r->last_tick_us ? now_us - r->last_tick_us : 0;
	r->last_tick_us = now_us;
	r->loaded = false;
	for (unsigned i = 0; i < QOS_N_DIRS; i++) {
		measure(&r->dir[i], bytes[i], dt_us);
		if (r->dir[i].max_kbit && r->dir[i].load_pct >= ACTIVE_PCT)
			r->loaded = true;
	}
	if (!dt_us)
		return 0;
	/* Cap a long gap (a stalled loop) so one tick cannot jump the rate. */
	double dt_s = fmin((double)dt_us / 1e6, 2.0);
	bool fresh = r->last_sample_us && now_us - r->last_sample_us <= SAMPLE_FRESH_US;
	if (!fresh)
		return 0;       /* no probe answers: nothing to judge by */
	if (r->bloat) {
		if (!r->loaded)
			return 0;       /* the path, not a queue of ours */
		if (r->last_cut_us && now_us - r->last_cut_us < CUT_GAP_US)
			return 0;
		/* The queue is still there but a quarter smaller than at the last
		 * cut: the rate is below the link now, the queue drains; cutting
		 * again would overshoot. */
		if (r->last_cut_us && now_us - r->last_cut_us < DRAIN_US &&
		    r->last_delta_us < r->cut_delta_us - r->cut_delta_us / 4)
			return 0;
		return cut(r, now_us);
	}
	return raise_or_drift(r, now_us, dt_s);
}

uint32_t qos_rate_baseline_us(const struct qos_rate *r)
{
	uint32_t best = 0;
	for (unsigned i = 0; i < QOS_RATE_TARGETS; i++)
		if (r->base_us[i] && (!best || r->base_us[i] < best))
			best = r->base_us[i];
	return best;
}
