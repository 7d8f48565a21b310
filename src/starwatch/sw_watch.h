/* sw_watch: starwatch's judgement, without I/O. It is fed what each check
 * saw (an answer with the daemon's loop counter, silence, a dead or a
 * cleanly stopped daemon) and the time, and says what to do: nothing,
 * recover (kill if alive, then a ladder step), or raise an emergency. The
 * caller reports when a recovery finished. Time is a monotonic millisecond
 * count passed in, so tests run it on a fake clock. */
#ifndef AUTONOMY_SW_WATCH_H
#define AUTONOMY_SW_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SW_MAX_RESTARTS 100     /* schema's bound on max_restarts */
#define SW_MAX_STEPS 3

enum sw_step { SW_STEP_RESTART_DAEMON, SW_STEP_RESTART_INTERFACE, SW_STEP_REBOOT };

/* What one check saw. */
enum sw_obs_kind {
	SW_OBS_ANSWER,          /* the daemon answered (counter valid, or busy) */
	SW_OBS_SILENT,          /* its pid file is held, but no usable answer */
	SW_OBS_DEAD,            /* a pid file nobody holds: crashed or killed */
	SW_OBS_STOPPED,         /* no pid file and no answer: stopped cleanly */
};

struct sw_obs {
	enum sw_obs_kind kind;
	bool has_counter;       /* ANSWER: false for a "busy" reply (the loop ran) */
	uint64_t counter;       /* ANSWER: the loop's tick counter */
	uint32_t pid;           /* ANSWER: the pid that answered (a new pid = progress) */
};

enum sw_daemon {
	SW_D_UNKNOWN,           /* nothing seen yet */
	SW_D_OK,                /* answering and making progress */
	SW_D_NO_PROGRESS,       /* silent or stalled, not yet for hang_timeout */
	SW_D_STOPPED,           /* stopped cleanly: left alone */
	SW_D_RECOVERING,        /* the caller is killing / restarting it */
	SW_D_STARTING,          /* restarted: waiting for its first progress */
	SW_D_HELD_DOWN,         /* the ladder is used up: no more restarts */
};

enum sw_verdict_kind {
	SW_V_NONE,
	SW_V_RECOVER,           /* kill it if alive, then run `step` after `delay_ms` */
	SW_V_EMERGENCY,         /* held down now: raise the emergency (once) */
};

struct sw_verdict {
	enum sw_verdict_kind kind;
	enum sw_step step;
	uint64_t delay_ms;      /* back-off before the step's start */
	bool hung;              /* RECOVER: the process is alive and must be killed */
	char reason[160];       /* for the log, the alert and the status file */
};

struct sw_watch_params {
	uint64_t check_ms, hang_ms, window_ms;
	unsigned max_restarts;                  /* 1..SW_MAX_RESTARTS */
	enum sw_step ladder[SW_MAX_STEPS];
	size_t n_ladder;                        /* 0: watch and alert only */
	bool reboot_allowed;                    /* set by the caller from the persistent limit */
};

struct sw_watch {
	struct sw_watch_params p;
	enum sw_daemon state;
	uint64_t last_progress_ms;  /* last progress, or when a wait began */
	bool have_counter;
	uint64_t counter;
	uint32_t pid;
	uint64_t ok_since_ms;       /* healthy without a break since (0: not) */
	/* restarts started within the window: a ring of start times */
	uint64_t restarts[SW_MAX_RESTARTS];
	size_t n_restarts, restarts_head;
	unsigned long restarts_total;
	size_t step_idx;            /* where on the ladder the next recovery starts */
	bool step_done[SW_MAX_STEPS];
	enum sw_step last_step;
	char last_reason[160];
};

void sw_watch_init(struct sw_watch *w, const struct sw_watch_params *p, uint64_t now_ms);
/* New parameters (reload); keeps the history. */
void sw_watch_set_params(struct sw_watch *w, const struct sw_watch_params *p);
/* One check's result. Returns what to do now. */
struct sw_verdict sw_watch_observe(struct sw_watch *w, const struct sw_obs *o,
				   uint64_t now_ms);
/* The recovery's step ran (the daemon was (re)started, or a reboot is
 * under way): the new daemon gets hang_timeout to show progress. */
void sw_watch_recovered(struct sw_watch *w, uint64_t now_ms);
/* Restarts begun within the window ending now. */
size_t sw_watch_restarts_in_window(struct sw_watch *w, uint64_t now_ms);
/* Back-off before the restart that follows `n` restarts in the window:
 * 0, then check_interval doubling, capped at SW_BACKOFF_CAP_MS. */
uint64_t sw_watch_backoff(const struct sw_watch_params *p, size_t n);
#define SW_BACKOFF_CAP_MS (300 * 1000ull)

const char *sw_step_name(enum sw_step s);
int sw_step_parse(const char *name);     /* -1 if unknown */
const char *sw_daemon_name(enum sw_daemon s);

#endif
