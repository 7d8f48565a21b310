/* sl_drops: does the dish's recent drop history stand out against the
 * dish's own normal? A healthy dish drops pings of its own: the captured
 * get_history (docs/noise-model.md) has drops in 11 % of its seconds, 1-3 s
 * of 1/15 to 6/15 at about half of the 15-s satellite slot boundaries, so
 * "3 of the last 15 s with drops" is an ordinary quarter-minute there and a
 * ramp only on a dish that is otherwise clean. The baseline is the rest of
 * the history ring (the dish keeps 15 minutes at 1 Hz) outside outages:
 *   ramp  the newest 15 s have >= 3 seconds with drops, and fewer than 1 %
 *         of the baseline's 15-s windows had as many seconds with drops,
 *         and fewer than 1 % carried as much drop (the sum of the 1-s drop
 *         rates): more seconds and heavier drops than this dish's normal —
 *         its blips are short, its light runs are long, an obstruction
 *         building is both. With under 60 such windows there is no
 *         baseline, and 3 seconds do;
 *   p99   the baseline's 99th-percentile drop rate of one second: a status
 *         drop rate must exceed it (and 1 %) to count as a ramp.
 * Pure. */
#ifndef AUTONOMY_STARLINK_SL_DROPS_H
#define AUTONOMY_STARLINK_SL_DROPS_H

#include <stdbool.h>

#include "starlink/sl_types.h"

#define SL_DROPS_RECENT 15              /* seconds judged */

struct sl_drops {
	unsigned recent;                /* seconds with drops among the newest 15 */
	double recent_mass;             /* the sum of their drop rates */
	unsigned windows;               /* clean 15-s baseline windows */
	unsigned as_many;               /* of them with as many drop seconds */
	unsigned as_heavy;              /* of them with as much drop */
	float p99;                      /* baseline per-second drop rate, 99th pct */
	double mean60;                  /* mean drop rate over the newest 60 s */
	unsigned zero_latency60;        /* newest 60 s: latency 0 and drop < 1 */
};

void sl_drops_analyse(const struct sl_history *h, struct sl_drops *out);
/* The newest 15 s stand out (see above). */
bool sl_drops_ramp(const struct sl_drops *d);
/* A status drop rate that stands out against the baseline. */
bool sl_drops_status_ramp(const struct sl_drops *d, bool have_baseline, float drop_rate);

#endif
