/* record: the daemon writes what it saw as a replay trace (docs/replay.md
 * "Recording"): every probe timer and outcome, every link event, every
 * telemetry sample its sources read and every re-evaluation of a member's
 * telemetry, at the monotonic instant the engine was given, plus the
 * operator's failover commands. `autonomyd --replay` plays such a trace back
 * through the same engine and policy, so its decisions can be compared with
 * the live ones (tests/integration/run-parity.sh).
 *
 * Lines are buffered in memory and written by a 1 s timer (or when 256 KB
 * are pending): one write(2) per second to a local file, never one per
 * event. The file is bounded (max_bytes): at the bound, at a reload (a
 * trace has one member list and one config) or on a write error the
 * recording stops with a log line saying why. Every call is a no-op while
 * no recording runs. */
#ifndef AUTONOMY_DAEMON_RECORD_H
#define AUTONOMY_DAEMON_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "engine/detect.h"
#include "engine/mstate.h"

struct daemon;
struct member_rt;

#define RECORD_MAX_MB_DEFAULT 64

/* Starts recording into path (created or truncated, mode 0640) after the
 * members have started; 0 or -1 (errno; logged). */
int record_start(struct daemon *d, const char *path, size_t max_bytes);
/* Writes what is pending and closes the file. */
void record_stop(struct daemon *d, const char *why);

/* The probe timer: fired a probe (mstate_fire) and/or ticked (mstate_tick). */
void record_fire(struct member_rt *m, uint64_t now_us);
void record_tick(struct member_rt *m, uint64_t now_us);
void record_outcome(struct member_rt *m, enum mstate_outcome o, uint64_t sent_us,
		    uint32_t rtt_us, uint64_t now_us);
void record_link(struct member_rt *m, enum detect_link l, uint64_t now_us);
/* A sample a telemetry source read, as the kind's trace object under key
 * (its trace_key; takes the reference), and a re-evaluation of the verdict. */
void record_telemetry(struct member_rt *m, const char *key, json_object *obj, uint64_t now_us);
void record_usage(struct member_rt *m, double used_mb, uint64_t now_us);
void record_eval(struct member_rt *m, uint64_t now_us);
/* The operator's failover: to member (pinned or once), or back to auto
 * (member NULL). */
void record_manual(struct daemon *d, const char *member, bool pin, uint64_t now_us);

#endif
