/* sl_sched: the dish poll schedule (see sl_sched.h). */
#include "starlink/sl_sched.h"

#include <string.h>

static const struct {
	enum sl_call call;
	uint32_t default_ms;
} kinds[SL_POLL_N] = {
	[SL_POLL_STATUS] = { SL_CALL_STATUS, 30000 },
	[SL_POLL_HISTORY] = { SL_CALL_HISTORY, 60000 },
	[SL_POLL_DEVICE_INFO] = { SL_CALL_DEVICE_INFO, 3600000 },
	[SL_POLL_DIAG] = { SL_CALL_DIAGNOSTICS, 600000 },
	[SL_POLL_LOCATION] = { SL_CALL_LOCATION, 300000 },
};

enum sl_call sl_poll_call(enum sl_poll k)
{
	return k < SL_POLL_N ? kinds[k].call : SL_CALL_NONE;
}

enum sl_poll sl_poll_of_call(enum sl_call c)
{
	for (int k = 0; k < SL_POLL_N; k++)
		if (kinds[k].call == c)
			return (enum sl_poll)k;
	return SL_POLL_N;
}

void sl_sched_init(struct sl_sched *s, const struct sl_sched_intervals *iv, uint64_t now)
{
	const uint32_t given[SL_POLL_N] = {
		[SL_POLL_STATUS] = iv ? iv->status_ms : 0,
		[SL_POLL_HISTORY] = iv ? iv->history_ms : 0,
		[SL_POLL_DEVICE_INFO] = iv ? iv->device_info_ms : 0,
		[SL_POLL_DIAG] = iv ? iv->diag_ms : 0,
		[SL_POLL_LOCATION] = iv ? iv->location_ms : 0,
	};
	memset(s, 0, sizeof(*s));
	s->fast_ms = iv && iv->fast_ms ? iv->fast_ms : 2000;
	for (int k = 0; k < SL_POLL_N; k++) {
		s->s[k].interval_ms = given[k] ? given[k] : kinds[k].default_ms;
		s->s[k].due_ms = s->s[k].interval_ms == SL_SCHED_OFF ? UINT64_MAX : now;
	}
}

uint32_t sl_sched_status_interval(const struct sl_sched *s)
{
	uint32_t iv = s->s[SL_POLL_STATUS].interval_ms;
	return s->fast && s->fast_ms < iv ? s->fast_ms : iv;
}

enum sl_poll sl_sched_due(const struct sl_sched *s, uint64_t now)
{
	for (int k = 0; k < SL_POLL_N; k++)
		if (!s->s[k].in_flight && s->s[k].due_ms <= now)
			return (enum sl_poll)k;
	return SL_POLL_N;
}

uint64_t sl_sched_next(const struct sl_sched *s)
{
	uint64_t next = UINT64_MAX;
	for (int k = 0; k < SL_POLL_N; k++)
		if (!s->s[k].in_flight && s->s[k].due_ms < next)
			next = s->s[k].due_ms;
	return next;
}

void sl_sched_started(struct sl_sched *s, enum sl_poll k, uint64_t now)
{
	s->s[k].in_flight = true;
	s->s[k].started_ms = now;
}

static uint64_t after(uint64_t t, uint32_t ms)
{
	return ms == SL_SCHED_OFF ? UINT64_MAX : t + ms;
}

enum sl_report sl_sched_done(struct sl_sched *s, enum sl_poll k, uint64_t now,
			     enum sl_outcome out)
{
	struct sl_sched_slot *sl = &s->s[k];
	enum sl_report rep = SL_REPORT_NONE;
	uint32_t iv = k == SL_POLL_STATUS ? sl_sched_status_interval(s) : sl->interval_ms;

	sl->in_flight = false;
	if (out == SL_OUT_DENIED && k == SL_POLL_LOCATION) {
		rep = sl->denied ? SL_REPORT_NONE : SL_REPORT_DENIED;
		sl->denied = true;
		sl->due_ms = after(now, iv > SL_SCHED_DENIED_RETRY_MS ? iv : SL_SCHED_DENIED_RETRY_MS);
		return rep;
	}
	if (out == SL_OUT_UNIMPLEMENTED && k != SL_POLL_STATUS) {
		rep = sl->paused ? SL_REPORT_NONE : SL_REPORT_ERROR;
		sl->paused = true;
		sl->due_ms = after(now, SL_SCHED_UNIMPL_PAUSE_MS);
		return rep;
	}
	if (out == SL_OUT_OK) {
		sl->denied = false;
		sl->paused = false;
	} else {
		rep = SL_REPORT_ERROR;
	}
	/* from the start of the call: the cadence does not drift with latency;
	 * a call slower than its interval is followed at once */
	sl->due_ms = after(sl->started_ms, iv);
	if (sl->due_ms < now && sl->due_ms != UINT64_MAX)
		sl->due_ms = now;
	return rep;
}

void sl_sched_connected(struct sl_sched *s, uint64_t now)
{
	static const enum sl_poll again[] = { SL_POLL_DEVICE_INFO, SL_POLL_DIAG };
	for (unsigned i = 0; i < sizeof(again) / sizeof(again[0]); i++) {
		struct sl_sched_slot *sl = &s->s[again[i]];
		if (sl->interval_ms != SL_SCHED_OFF && !sl->paused && sl->due_ms > now)
			sl->due_ms = now;
	}
}

void sl_sched_set_fast(struct sl_sched *s, bool fast, uint64_t now)
{
	struct sl_sched_slot *sl = &s->s[SL_POLL_STATUS];
	if (s->fast == fast)
		return;
	s->fast = fast;
	if (sl->interval_ms == SL_SCHED_OFF || sl->in_flight)
		return;
	/* the next status at most one (new) interval after the last one started */
	uint64_t due = sl->started_ms ? after(sl->started_ms, sl_sched_status_interval(s)) : now;
	if (due < now)
		due = now;
	if (fast ? due < sl->due_ms : true)
		sl->due_ms = due;
}
