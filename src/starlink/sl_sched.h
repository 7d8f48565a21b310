/* sl_sched: which dish call is due when (pure, no I/O; sl_client runs it on
 * a timer). One slot per polled call kind; times are monotonic ms.
 *
 * - Each kind is due every interval, measured from the start of its last
 *   call (the cadence does not drift with the dish's latency); never two
 *   calls of one kind in flight.
 * - Fast mode (the link is suspect): status every fast_ms, or the status
 *   interval if that is shorter.
 * - After each (re)connect device info and diagnostics are due at once.
 * - A kind the dish answers Unimplemented (old or consumer firmware) pauses
 *   for 24 h, reported once per episode.
 * - get_location answered PermissionDenied (local location access is off):
 *   reported once per episode, then asked hourly and silently. */
#ifndef AUTONOMY_LINK_SL_SCHED_H
#define AUTONOMY_LINK_SL_SCHED_H

#include "starlink/sl_types.h"

#include <stdbool.h>
#include <stdint.h>

#define SL_SCHED_OFF UINT32_MAX         /* an interval that turns the kind off */
#define SL_SCHED_UNIMPL_PAUSE_MS (24u * 3600 * 1000)
#define SL_SCHED_DENIED_RETRY_MS (3600u * 1000)

/* The polled kinds, in priority order (status first when several are due). */
enum sl_poll { SL_POLL_STATUS, SL_POLL_HISTORY, SL_POLL_DEVICE_INFO, SL_POLL_DIAG,
	       SL_POLL_LOCATION, SL_POLL_N };

enum sl_outcome {
	SL_OUT_OK,              /* decoded answer */
	SL_OUT_ERROR,           /* any other failure */
	SL_OUT_UNIMPLEMENTED,   /* gRPC UNIMPLEMENTED */
	SL_OUT_DENIED,          /* gRPC PERMISSION_DENIED */
};

/* What the caller should report for a finished call. */
enum sl_report { SL_REPORT_NONE, SL_REPORT_ERROR, SL_REPORT_DENIED };

struct sl_sched_intervals {
	uint32_t status_ms, history_ms, device_info_ms, diag_ms, location_ms, fast_ms;
};

struct sl_sched_slot {
	uint32_t interval_ms;
	uint64_t due_ms;
	uint64_t started_ms;
	bool in_flight;
	bool paused;            /* Unimplemented episode (reported) */
	bool denied;            /* PermissionDenied episode (reported) */
};

struct sl_sched {
	struct sl_sched_slot s[SL_POLL_N];
	uint32_t fast_ms;
	bool fast;
};

/* Zero intervals take the defaults (status 30 s, history 60 s, device info
 * 1 h, diagnostics 10 min, location 5 min, fast 2 s). Everything is due at
 * `now` (a fresh client asks for all once). */
void sl_sched_init(struct sl_sched *s, const struct sl_sched_intervals *iv, uint64_t now);
/* The highest-priority kind due at `now` and not in flight; SL_POLL_N if none. */
enum sl_poll sl_sched_due(const struct sl_sched *s, uint64_t now);
/* When the next kind falls due (<= now if one is due); UINT64_MAX if never. */
uint64_t sl_sched_next(const struct sl_sched *s);
void sl_sched_started(struct sl_sched *s, enum sl_poll k, uint64_t now);
/* Sets the next due time from the outcome; says what to report. */
enum sl_report sl_sched_done(struct sl_sched *s, enum sl_poll k, uint64_t now,
			     enum sl_outcome out);
void sl_sched_connected(struct sl_sched *s, uint64_t now);
void sl_sched_set_fast(struct sl_sched *s, bool fast, uint64_t now);
/* The interval status runs at now (fast mode included). */
uint32_t sl_sched_status_interval(const struct sl_sched *s);

enum sl_call sl_poll_call(enum sl_poll k);
/* SL_POLL_N for calls that are not polled (actions). */
enum sl_poll sl_poll_of_call(enum sl_call c);

#endif
