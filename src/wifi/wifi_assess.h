/* wifi_assess: what a Wi-Fi client radio's figures say about its member, as
 * a telemetry verdict (telemetry.h). Pure, like cell_assess: the daemon
 * (nl80211, iwinfo, iw, /proc/net/wireless) and the replay (trace `wifi`
 * objects) run the same code. docs/wifi.md is the reference.
 *
 *   link down    not associated (disassociation is a link-down at once)
 *   level        signal >= -67 dBm: 0; to -75: up to 10; to -82: up to 30;
 *                to -90: up to 50 (signal_avg when the last frame's is unknown;
 *                the trend line's value now when there is one, which
 *                averages out the noise of single frames)
 *   fade         the trend of the last 2 minutes (>= 4 samples over >= 40 s,
 *                engine/trend.h: significant at 1 % with neighbours 10 s
 *                apart taken as at least 0.72 alike, and >= 2 dB/min) costs
 *                min(15, slope); a precursor
 *                (predicted outage, kind wifi_fade) only when the fitted
 *                line reaches the rate floor, -82 dBm (the least sensitivity
 *                802.11 asks for 6 Mbit/s / MCS 0), within a minute, on two
 *                reports in a row.
 *                Strength |t| / t_crit (at most 8); the outage is expected
 *                within 3 minutes.
 *   bitrate      tx bitrate under 6 Mbit/s: 10
 *   interference (interference_detection) from the last scan: co-channel or
 *                overlapping networks above -82 dBm beyond 3 (2 each, max 10);
 *                channel busy > 70 % from a survey: 10
 * Signal figures in relative units (/proc/net/wireless on some drivers) have
 * no dBm scale and are not scored.
 */
#ifndef AUTONOMY_ENGINE_WIFI_ASSESS_H
#define AUTONOMY_ENGINE_WIFI_ASSESS_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/telemetry.h"
#include "wifi/wifi_types.h"

struct wifi_assess_params {
	bool interference;              /* wifi.interference_detection */
};

#define WIFI_RING 32

struct wifi_assess {
	struct wifi_assess_params p;
	bool have;
	struct wifi_sample last;
	uint64_t last_us;
	struct { uint64_t t_us; double dbm; } ring[WIFI_RING];
	unsigned head, n;
	/* the last scan's view of the member's channel */
	bool have_scan;
	uint64_t scan_us;
	unsigned neighbours;            /* co-channel/overlapping networks above -82 dBm */
	double strongest_dbm;           /* the strongest of them, NAN none */
	double busy_pct;                /* survey of the member's channel, NAN unknown */
	int suggest_channel;            /* the least occupied channel of the band, -1 none */
	double slope_db_min;            /* of the last evaluation, NAN unknown */
	double fade_t;                  /* its t-statistic, NAN unknown */
	bool fading;                    /* significantly falling */
	uint64_t precursor_since_us;    /* report since which it holds, 0 = not */
};

/* What a scan said about the member's channel; the caller computes it (the
 * Wi-Fi source's congestion helper) so the assessor stays free of scans. */
struct wifi_scan_view {
	unsigned neighbours;
	double strongest_dbm;
	double busy_pct;
	int suggest_channel;
};

void wifi_assess_init(struct wifi_assess *a, const struct wifi_assess_params *p);
void wifi_assess_configure(struct wifi_assess *a, const struct wifi_assess_params *p);
void wifi_assess_sample(struct wifi_assess *a, const struct wifi_sample *s, uint64_t now_us);
void wifi_assess_scan(struct wifi_assess *a, const struct wifi_scan_view *v, uint64_t now_us);
void wifi_assess_eval(struct wifi_assess *a, uint64_t now_us, struct tel_verdict *out);
/* The signal figure used (dBm), NAN when there is none on a dBm scale. */
double wifi_signal_dbm(const struct wifi_sample *s);

#endif
