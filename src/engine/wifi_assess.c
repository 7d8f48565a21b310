/* wifi_assess: see wifi_assess.h for the rules and their numbers. */
#include "engine/wifi_assess.h"
#include "engine/trend.h"

#include <math.h>
#include <string.h>

#define S 1000000ULL
#define STALE_US (120 * S)
#define SCAN_STALE_US (3600 * S)
#define FADE_SPAN_US (60 * S)
#define FADE_MIN_SPAN_US (20 * S)

void wifi_assess_init(struct wifi_assess *a, const struct wifi_assess_params *p)
{
	memset(a, 0, sizeof(*a));
	a->p.interference = true;
	if (p)
		a->p = *p;
	a->strongest_dbm = a->busy_pct = a->slope_db_min = NAN;
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

static double slope(const struct wifi_assess *a, uint64_t now_us)
{
	struct trend t;

	trend_init(&t, now_us);
	for (unsigned i = 0; i < a->n; i++) {
		const typeof(a->ring[0]) *p = &a->ring[(a->head + WIFI_RING - 1 - i) % WIFI_RING];
		if (now_us - p->t_us > FADE_SPAN_US)
			break;
		if (isfinite(p->dbm))
			trend_add(&t, p->t_us, p->dbm);
	}
	return trend_slope_per_min(&t, FADE_MIN_SPAN_US);
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

void wifi_assess_eval(struct wifi_assess *a, uint64_t now_us, struct tel_verdict *v)
{
	const struct wifi_sample *s = &a->last;

	tel_verdict_clear(v);
	a->slope_db_min = NAN;
	if (!a->have || now_us - a->last_us > STALE_US)
		return;
	if (s->associated == 0) {
		tel_link_down(v, "Wi-Fi not associated%s%s", s->ssid[0] ? " with " : "", s->ssid);
		return;
	}
	double dbm = wifi_signal_dbm(s);
	if (isfinite(dbm))
		tel_add_penalty(v, "wifi", (int)level_points(dbm), "weak signal %.0f dBm", dbm);
	if (isfinite(s->tx_bitrate_mbps) && s->tx_bitrate_mbps < 6)
		tel_add_penalty(v, "wifi", 10, "tx bitrate %.1f Mbit/s", s->tx_bitrate_mbps);
	double sl = a->slope_db_min = slope(a, now_us);
	if (isfinite(dbm) && isfinite(sl) && sl <= -6) {
		tel_add_penalty(v, "wifi", (int)lround(fmin(15, -sl)), "signal falling %.0f dB/min (%.0f dBm)",
				-sl, dbm);
		if (dbm < -72 || dbm + sl < -82)
			tel_predict(v, "Wi-Fi signal falling %.0f dB/min: %.0f dBm", -sl, dbm);
	}
	interference(a, now_us, v);
}
