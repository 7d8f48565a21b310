/* ev_thresh: the operations guide's thresholds as events.
 *
 * - Failovers per day: every `switch` decision (not the initial choice, not
 *   an operator's) counts for 24 hours; reaching alerts.failover_warning is
 *   a warning, reaching failover_critical critical, falling back under the
 *   warning threshold (as old failovers age out) clears it. The watcher
 *   subscribes to the bus itself; seed it with the last day's failovers from
 *   the store at start so a restart does not reset the count.
 * - A level over a limit (the daemon's CPU and memory against
 *   performance.max_cpu_percent / max_memory_mb): over when the value
 *   exceeds the limit, cleared when it is back under 90 % of it, so a value
 *   hovering at the limit does not produce a stream of events.
 * Members' health against health_warning / health_critical is the member
 * state itself (degraded / down, with the health score's hysteresis): its
 * `state` events carry that severity (ev_emit_state). Pure but for the bus. */
#ifndef AUTONOMY_EVENTS_EV_THRESH_H
#define AUTONOMY_EVENTS_EV_THRESH_H

#include <stdbool.h>
#include <stdint.h>

#include "events/ev.h"

#define EV_RATE_CAP 1024        /* failovers remembered (the thresholds go to 1000) */
#define EV_RATE_WINDOW_S 86400

enum ev_rate_level { EV_RATE_NONE, EV_RATE_WARNING, EV_RATE_CRITICAL };

struct ev_rate {
	int64_t t[EV_RATE_CAP];         /* wall seconds, ring, oldest at head */
	unsigned head, n;
	enum ev_rate_level level;
};

void ev_rate_init(struct ev_rate *r);
void ev_rate_add(struct ev_rate *r, int64_t wall_s);
/* Failovers within (now - 24 h, now]. */
unsigned ev_rate_count(struct ev_rate *r, int64_t now_s);
/* The level for the count now; returns true when it changed (raised to
 * warning or critical, or cleared under warning; critical falling back to
 * warning is not reported). */
bool ev_rate_check(struct ev_rate *r, int64_t now_s, unsigned warn, unsigned crit,
		   unsigned *count);

struct ev_failover_watch {
	struct ev_bus *bus;
	int sub;
	unsigned warn, crit;            /* alerts.failover_warning / _critical */
	struct ev_rate rate;
};
/* Subscribes to the bus's switch events. */
int ev_failover_watch_start(struct ev_failover_watch *w, struct ev_bus *b, unsigned warn,
			    unsigned crit);
void ev_failover_watch_stop(struct ev_failover_watch *w);
/* Re-checks as failovers age out (call every minute or so). */
void ev_failover_watch_tick(struct ev_failover_watch *w, int64_t now_s);

struct ev_level {
	bool over;
};
/* +1 when value went over limit, -1 when it came back under 90 % of it,
 * 0 otherwise. A limit <= 0 is off. */
int ev_level_check(struct ev_level *l, double value, double limit);

#endif
