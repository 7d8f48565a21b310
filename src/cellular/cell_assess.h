/* cell_assess: what a cellular modem's figures say about its member, as a
 * telemetry verdict (telemetry.h). Pure: fed samples (cell_types.h) with the
 * monotonic time, evaluated at a time; the daemon (mmcli, uqmi, qmicli, AT)
 * and the replay (trace `cellular` objects) run the same code.
 * docs/cellular.md is the reference; keep the two in step.
 *
 * The signal figure is the serving cell's: RSRP for LTE and 5G NSA (the LTE
 * anchor), NR RSRP for 5G SA, RSCP for 3G, RSSI for 2G, else CSQ as dBm
 * (2 CSQ - 113), else nothing.
 *   link down    modem failed (no SIM, ...) or registration lost after it was
 *                registered (searching, denied, idle): leave at once
 *   level        RSRP >= -95: 0; to -105: up to 10; to -115: up to 30; to -125: up to 50
 *   quality      SINR >= 5 dB: 0; to 0: up to 10; to -10: up to 25
 *   fade         the trend of the last 3 minutes (>= 4 samples over >= 60 s,
 *                engine/trend.h: significant at 1 % under a minute-long
 *                wander, and >= 1 dB/min) costs min(15, 2 x slope); it is a
 *                precursor (predicted outage, kind cellular_fade) only when
 *                the fitted line reaches the level where the technology
 *                fails within 2 minutes, on two reports in a row: RSRP/NR RSRP -115 dBm, RSCP -105,
 *                RSSI/CSQ -100, or (LTE/NR) SINR -5 dB. Strength |t| / t_crit
 *                (at most 8); the outage is expected within 5 minutes.
 *   downgrade    technology fell from LTE/5G to 3G/2G within 10 min: 20
 *   roaming      (roaming_detection) prefer_roaming: roaming_penalty points;
 *                else excluded (last resort only)
 *   stability    (stability_analysis) over 10 min: RSRP standard deviation
 *                over 3 dB (2 per dB), serving-cell changes beyond 2 (5 each),
 *                registration drops (10 each); together at most 20; also
 *                reported as a 0..100 figure (100 = steady)
 */
#ifndef AUTONOMY_ENGINE_CELL_ASSESS_H
#define AUTONOMY_ENGINE_CELL_ASSESS_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/telemetry.h"
#include "cellular/cell_types.h"

struct cell_assess_params {
	bool roaming_detection;         /* cellular.roaming_detection */
	bool prefer_roaming;            /* cellular.prefer_roaming */
	int roaming_penalty;            /* cellular.roaming_penalty */
	bool stability;                 /* cellular.stability_analysis */
};

#define CELL_RING 64

struct cell_point {
	uint64_t t_us;
	double dbm;                     /* the signal figure, NAN unknown */
	double sinr;                    /* dB, NAN unknown */
	enum cell_tech tech;
	enum cell_reg reg;
	uint32_t cell_hash;             /* 0 unknown */
};

struct cell_assess {
	struct cell_assess_params p;
	bool have;
	struct cell_sample last;
	uint64_t last_us;
	bool was_registered;
	struct cell_point ring[CELL_RING];
	unsigned head, n;
	/* figures of the last evaluation, for reporting */
	double slope_db_min;            /* NAN unknown */
	double fade_t;                  /* its t-statistic, NAN unknown */
	bool fading;                    /* significantly falling */
	uint64_t precursor_since_us;    /* report since which it holds, 0 = not */
	double stdev_db;                /* NAN unknown */
	unsigned cell_changes, reg_drops;
	int stability;                  /* 0..100, -1 unknown */
	const char *metric;             /* "rsrp", "nr_rsrp", "rscp", "rssi", "csq" or NULL */
};

void cell_assess_params_default(struct cell_assess_params *p);
void cell_assess_init(struct cell_assess *a, const struct cell_assess_params *p);
void cell_assess_configure(struct cell_assess *a, const struct cell_assess_params *p);
void cell_assess_sample(struct cell_assess *a, const struct cell_sample *s, uint64_t now_us);
void cell_assess_eval(struct cell_assess *a, uint64_t now_us, struct tel_verdict *out);
/* The sample's signal figure and its name (see above). */
double cell_signal_dbm(const struct cell_sample *s, const char **metric);

#endif
