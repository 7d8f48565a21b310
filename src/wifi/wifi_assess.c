/* wifi_assess: see wifi_assess.h for the rules and their numbers. */
#include "wifi/wifi_assess.h"
#include "engine/trend.h"

#include <math.h>
#include <string.h>

#define S 1000000ULL
#define STALE_US (120 * S)
#define SCAN_STALE_US (3600 * S)
#define FADE_SPAN_US (120 * S)
#define FADE_MIN_SPAN_US (40 * S)
/* A client's signal report is one frame's: frame-to-frame noise on top of a
 * wander of about a minute (docs/noise-model.md), so polls 10 s apart are
 * about 0.6 alike; assuming at least 0.72 (30 s) stays on the safe side. */
#define WANDER_TAU_S 30.0
#define FADE_MIN_RATE 2.0               /* dB/min: slower is not a fade */
/* The floor: 802.11a/g/n/ac's least receiver sensitivity for the lowest
 * rate (6 Mbit/s, MCS 0) at 20 MHz is -82 dBm; below it frames are lost. */
#define FLOOR_DBM (-82.0)
#define HORIZON_S 60                    /* a precursor: the floor within this */
#define ALARM_S 180                     /* ... and the outage within this */

void wifi_assess_init(struct wifi_assess *a, const struct wifi_assess_params *p)
{
	memset(a, 0, sizeof(*a));
	a->p.interference = true;
	if (p)
		a->p = *p;
	a->strongest_dbm = a->busy_pct = a->slope_db_min = a->fade_t = NAN;
	a->suggest_channel = -1;
}

void wifi_assess_configure(struct wifi_assess *a, const struct wifi_assess_params *p)
{
	a->p = *p;
}

double wifi_signal_dbm(const struct wifi_sample *s)
{
	if (s->relative_units)
		return NAN;
	/* A positive dBm figure is a driver bug (seen on mt76), not a signal. */
	if (isfinite(s->signal_dbm) && s->signal_dbm < 0)
		return s->signal_dbm;
	if (isfinite(s->signal_avg_dbm) && s->signal_avg_dbm < 0)
		return s->signal_avg_dbm;
	return NAN;
}

void wifi_assess_sample(struct wifi_assess *a, const struct wifi_sample *s, uint64_t now_us)
{
	a->ring[a->head].t_us = now_us;
	a->ring[a->head].dbm = s->associated == 0 ? NAN : wifi_signal_dbm(s);
	a->head = (a->head + 1) % WIFI_RING;
	if (a->n < WIFI_RING)
		a->n++;
	a->last = *s;
	a->last_us = now_us;
	a->have = true;
}

void wifi_assess_scan(struct wifi_assess *a, const struct wifi_scan_view *v, uint64_t now_us)
{
	a->have_scan = true;
	a->scan_us = now_us;
	a->neighbours = v->neighbours;
	a->strongest_dbm = v->strongest_dbm;
	a->busy_pct = v->busy_pct;
	a->suggest_channel = v->suggest_channel;
}

static bool fade_fit(const struct wifi_assess *a, uint64_t now_us, struct trend_fit *f)
{
	struct trend t;

	trend_init(&t, now_us);
	for (unsigned i = 0; i < a->n; i++) {
		const typeof(a->ring[0]) *p = &a->ring[(a->head + WIFI_RING - 1 - i) % WIFI_RING];
		if (now_us - p->t_us > FADE_SPAN_US)
			break;
		trend_add(&t, p->t_us, p->dbm);
	}
	return trend_fit(&t, FADE_MIN_SPAN_US, WANDER_TAU_S, f);
}

static double level_points(double v)
{
	static const double t[4] = { -67, -75, -82, -90 }, pts[4] = { 0, 10, 30, 50 };
	if (v >= t[0])
		return 0;
	for (int i = 1; i < 4; i++)
		if (v >= t[i])
			return pts[i - 1] + (pts[i] - pts[i - 1]) * (t[i - 1] - v) / (t[i - 1] - t[i]);
	return 50;
}

static void interference(const struct wifi_assess *a, uint64_t now_us, struct tel_verdict *v)
{
	if (!a->p.interference || !a->have_scan || now_us - a->scan_us > SCAN_STALE_US)
		return;
	if (a->neighbours > 3)
		tel_add_penalty(v, "wifi", (int)fmin(10, 2.0 * (a->neighbours - 3)),
				"%u networks on or next to the channel (strongest %.0f dBm)",
				a->neighbours, isfinite(a->strongest_dbm) ? a->strongest_dbm : 0.0);
	if (isfinite(a->busy_pct) && a->busy_pct > 70)
		tel_add_penalty(v, "wifi", 10, "channel busy %.0f %%", a->busy_pct);
}

/* Significantly falling (trend.h) costs points; it is a precursor only when
 * the fitted line reaches the rate floor within the horizon. */
static void fade(struct wifi_assess *a, bool have, const struct trend_fit *fit,
		 struct tel_verdict *v)
{
	a->slope_db_min = have ? fit->slope : NAN;
	a->fade_t = have ? fit->t : NAN;
	a->fading = have && trend_falling(fit, FADE_MIN_RATE);
	if (!a->fading) {
		a->precursor_since_us = 0;
		return;
	}
	tel_add_penalty(v, "wifi", (int)lround(fmin(15, -fit->slope)),
			"signal falling %.0f dB/min (%.0f dBm)", -fit->slope, fit->level);
	double secs = fit->level <= FLOOR_DBM ? 0 : (fit->level - FLOOR_DBM) / -fit->slope * 60;
	/* A precursor must hold on two reports in a row: one frame's noise can
	 * tip a marginal fit, a fade keeps going. */
	if (secs > HORIZON_S) {
		a->precursor_since_us = 0;
		return;
	}
	if (!a->precursor_since_us)
		a->precursor_since_us = a->last_us;
	if (a->precursor_since_us == a->last_us)
		return;
	tel_predict(v, "Wi-Fi signal falling %.0f dB/min: %.0f dBm, %.0f in %.0f s", -fit->slope,
		    fit->level, FLOOR_DBM, secs);
	tel_predict_as(v, TEL_PRECURSOR_WIFI_FADE, fmin(8, -fit->t / trend_t_crit(fit->df)), ALARM_S);
}

void wifi_assess_eval(struct wifi_assess *a, uint64_t now_us, struct tel_verdict *v)
{
	const struct wifi_sample *s = &a->last;

	tel_verdict_clear(v);
	a->slope_db_min = a->fade_t = NAN;
	a->fading = false;
	if (!a->have || now_us - a->last_us > STALE_US)
		return;
	if (s->associated == 0) {
		tel_link_down(v, "Wi-Fi not associated%s%s", s->ssid[0] ? " with " : "", s->ssid);
		return;
	}
	/* The level is the trend line's value now when there is one: it
	 * averages out the noise of single frames. */
	double dbm = wifi_signal_dbm(s);
	struct trend_fit f;
	bool have = isfinite(dbm) && fade_fit(a, now_us, &f);
	if (have)
		dbm = f.level;
	if (isfinite(dbm))
		tel_add_penalty(v, "wifi", (int)level_points(dbm), "weak signal %.0f dBm", dbm);
	if (isfinite(s->tx_bitrate_mbps) && s->tx_bitrate_mbps < 6)
		tel_add_penalty(v, "wifi", 10, "tx bitrate %.1f Mbit/s", s->tx_bitrate_mbps);
	fade(a, have, &f, v);
	interference(a, now_us, v);
}
