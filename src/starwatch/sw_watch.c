/* sw_watch: hang detection, restart accounting and the escalation ladder as
 * a pure state machine (see sw_watch.h). */
#include "starwatch/sw_watch.h"

#include <stdio.h>
#include <string.h>

#define RING_CAP (SW_MAX_RESTARTS + SW_MAX_STEPS)
_Static_assert(sizeof(((struct sw_watch *)0)->restarts) / sizeof(uint64_t) >= SW_MAX_RESTARTS,
	       "restart ring too small");

static const char *const step_names[] = {
	[SW_STEP_RESTART_DAEMON] = "restart_daemon",
	[SW_STEP_RESTART_INTERFACE] = "restart_interface",
	[SW_STEP_REBOOT] = "reboot",
};

const char *sw_step_name(enum sw_step s)
{
	return (unsigned)s < sizeof(step_names) / sizeof(step_names[0]) ? step_names[s] : "?";
}

int sw_step_parse(const char *name)
{
	for (size_t i = 0; name && i < sizeof(step_names) / sizeof(step_names[0]); i++)
		if (strcmp(step_names[i], name) == 0)
			return (int)i;
	return -1;
}

const char *sw_daemon_name(enum sw_daemon s)
{
	static const char *const names[] = {
		[SW_D_UNKNOWN] = "unknown", [SW_D_OK] = "ok", [SW_D_NO_PROGRESS] = "no_progress",
		[SW_D_STOPPED] = "stopped", [SW_D_RECOVERING] = "recovering",
		[SW_D_STARTING] = "starting", [SW_D_HELD_DOWN] = "held_down",
	};
	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

void sw_watch_init(struct sw_watch *w, const struct sw_watch_params *p, uint64_t now_ms)
{
	memset(w, 0, sizeof(*w));
	w->p = *p;
	/* A daemon that is starting when starwatch starts gets the same grace
	 * as one starwatch restarted. */
	w->last_progress_ms = now_ms;
	w->state = SW_D_UNKNOWN;
}

void sw_watch_set_params(struct sw_watch *w, const struct sw_watch_params *p)
{
	w->p = *p;
	if (w->step_idx > w->p.n_ladder)
		w->step_idx = w->p.n_ladder;
}

uint64_t sw_watch_backoff(const struct sw_watch_params *p, size_t n)
{
	if (n == 0)
		return 0;
	uint64_t d = p->check_ms;
	for (size_t i = 1; i < n && d < SW_BACKOFF_CAP_MS; i++)
		d *= 2;
	return d < SW_BACKOFF_CAP_MS ? d : SW_BACKOFF_CAP_MS;
}

size_t sw_watch_restarts_in_window(struct sw_watch *w, uint64_t now_ms)
{
	/* The ring is in time order: drop from the oldest end. */
	while (w->n_restarts > 0 && now_ms - w->restarts[w->restarts_head] >= w->p.window_ms) {
		w->restarts_head = (w->restarts_head + 1) % RING_CAP;
		w->n_restarts--;
	}
	return w->n_restarts;
}

static void record_restart(struct sw_watch *w, uint64_t now_ms)
{
	if (w->n_restarts == RING_CAP) {
		w->restarts_head = (w->restarts_head + 1) % RING_CAP;
		w->n_restarts--;
	}
	w->restarts[(w->restarts_head + w->n_restarts) % RING_CAP] = now_ms;
	w->n_restarts++;
	w->restarts_total++;
}

static void reset_ladder(struct sw_watch *w)
{
	w->step_idx = 0;
	memset(w->step_done, 0, sizeof(w->step_done));
}

static struct sw_verdict verdict(struct sw_watch *w, enum sw_verdict_kind k, enum sw_step s,
				 uint64_t delay, bool hung)
{
	struct sw_verdict v = { .kind = k, .step = s, .delay_ms = delay, .hung = hung };
	snprintf(v.reason, sizeof(v.reason), "%s", w->last_reason);
	return v;
}

/* The next ladder step that may still run; held down when none is left. */
static struct sw_verdict recover(struct sw_watch *w, uint64_t now_ms, bool hung)
{
	w->ok_since_ms = 0;
	while (w->step_idx < w->p.n_ladder) {
		enum sw_step s = w->p.ladder[w->step_idx];
		size_t n = sw_watch_restarts_in_window(w, now_ms);
		if (s == SW_STEP_RESTART_DAEMON && n < w->p.max_restarts) {
			record_restart(w, now_ms);
			w->state = SW_D_RECOVERING;
			w->last_step = s;
			return verdict(w, SW_V_RECOVER, s, sw_watch_backoff(&w->p, n), hung);
		}
		bool once = s != SW_STEP_RESTART_DAEMON && !w->step_done[w->step_idx];
		if (once && (s != SW_STEP_REBOOT || w->p.reboot_allowed)) {
			w->step_done[w->step_idx] = true;
			if (s == SW_STEP_RESTART_INTERFACE)
				record_restart(w, now_ms);
			w->state = SW_D_RECOVERING;
			w->last_step = s;
			return verdict(w, SW_V_RECOVER, s, 0, hung);
		}
		w->step_idx++;
	}
	w->state = SW_D_HELD_DOWN;
	size_t len = strlen(w->last_reason);
	snprintf(w->last_reason + len, sizeof(w->last_reason) - len,
		 "; held down after %zu restart(s) within the window",
		 sw_watch_restarts_in_window(w, now_ms));
	return verdict(w, SW_V_EMERGENCY, SW_STEP_RESTART_DAEMON, 0, hung);
}

static bool is_progress(struct sw_watch *w, const struct sw_obs *o)
{
	if (o->kind != SW_OBS_ANSWER)
		return false;
	if (!o->has_counter)
		return true;    /* a "busy" reply: its loop accepted and answered */
	bool p = !w->have_counter || o->counter != w->counter || o->pid != w->pid;
	w->have_counter = true;
	w->counter = o->counter;
	w->pid = o->pid;
	return p;
}

static struct sw_verdict on_progress(struct sw_watch *w, uint64_t now_ms)
{
	if (w->state == SW_D_HELD_DOWN)
		reset_ladder(w);        /* someone brought it back: a fresh ladder */
	w->state = SW_D_OK;
	w->last_progress_ms = now_ms;
	if (!w->ok_since_ms)
		w->ok_since_ms = now_ms;
	/* Healthy for a whole window: the next trouble starts the ladder over. */
	if (now_ms - w->ok_since_ms >= w->p.window_ms)
		reset_ladder(w);
	return verdict(w, SW_V_NONE, SW_STEP_RESTART_DAEMON, 0, false);
}

/* Silent, stalled, or (while starting) not there yet. */
static struct sw_verdict on_stall(struct sw_watch *w, const struct sw_obs *o, uint64_t now_ms)
{
	struct sw_verdict none = verdict(w, SW_V_NONE, SW_STEP_RESTART_DAEMON, 0, false);
	if (w->state == SW_D_STOPPED)
		w->last_progress_ms = now_ms;   /* someone is starting it: its grace begins */
	if (w->state == SW_D_OK || w->state == SW_D_UNKNOWN || w->state == SW_D_STOPPED)
		w->state = SW_D_NO_PROGRESS;
	w->ok_since_ms = 0;
	uint64_t quiet = now_ms - w->last_progress_ms;
	if (quiet < w->p.hang_ms)
		return none;
	bool alive = o->kind != SW_OBS_STOPPED;
	snprintf(w->last_reason, sizeof(w->last_reason), "%s for %llu s",
		 !alive ? "autonomyd did not start" :
		 o->kind == SW_OBS_ANSWER ? "autonomyd answers but its loop made no progress" :
		 "autonomyd did not answer", (unsigned long long)(quiet / 1000));
	return recover(w, now_ms, alive);
}

struct sw_verdict sw_watch_observe(struct sw_watch *w, const struct sw_obs *o, uint64_t now_ms)
{
	struct sw_verdict none = verdict(w, SW_V_NONE, SW_STEP_RESTART_DAEMON, 0, false);
	if (w->state == SW_D_RECOVERING)
		return none;
	if (is_progress(w, o))
		return on_progress(w, now_ms);
	if (w->state == SW_D_HELD_DOWN)
		return none;
	switch (o->kind) {
	case SW_OBS_DEAD:
		snprintf(w->last_reason, sizeof(w->last_reason),
			 "autonomyd died (its pid file is left, nobody holds it)");
		return recover(w, now_ms, false);
	case SW_OBS_STOPPED:
		/* A clean stop is the operator's; a start of ours that never got
		 * going is a failure once its grace is over. */
		if (w->state != SW_D_STARTING) {
			w->state = SW_D_STOPPED;
			w->ok_since_ms = 0;
			return none;
		}
		return on_stall(w, o, now_ms);
	case SW_OBS_ANSWER:
	case SW_OBS_SILENT:
		return on_stall(w, o, now_ms);
	}
	return none;
}

void sw_watch_recovered(struct sw_watch *w, uint64_t now_ms)
{
	w->state = SW_D_STARTING;
	w->last_progress_ms = now_ms;
	w->ok_since_ms = 0;
}
