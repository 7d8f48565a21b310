/* history_int: what history*.c share; nothing else includes it. */
#ifndef AUTONOMY_DAEMON_HISTORY_INT_H
#define AUTONOMY_DAEMON_HISTORY_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "daemon/history.h"
#include "events/ev_thresh.h"
#include "store/store.h"
#include "store/store_maint.h"
#include "store/store_roll.h"
#include "store/store_writer.h"

#define HIST_MEMBERS 64

struct proc;

/* Per member, by name (members come and go with reloads). */
struct hist_mroll {
	char name[STORE_NAME_MAX];
	struct store_roll roll;
	bool seen;              /* still configured */
	uint64_t rx, tx;        /* kernel counters at the last minute */
	int ifindex;
	bool have_counters;
	uint64_t probes;        /* prober's sent count at the last minute */
};

struct history {
	struct daemon *d;
	bool enabled;
	bool split;                     /* a working copy in run_dir and a durable one */
	struct store *work;
	struct store_writer *w;
	char run_dir[4096], state_dir[4096];
	char work_path[4200], durable_path[4200];
	int lock_fd[2];
	struct event *flush_ev, *obs_ev, *minute_ev, *sync_ev;
	uint64_t sync_ms;
	struct store_retention ret;
	struct hist_mroll m[HIST_MEMBERS];
	unsigned n_m;
	/* thresholds */
	struct ev_failover_watch fw;
	unsigned fo_warn, fo_crit;
	struct ev_level cpu_lvl, mem_lvl;
	double cpu_limit, mem_limit_kb;
	uint64_t cpu_prev_us, cpu_prev_mono;
	int last_hour;                  /* usage rows are hourly */
	/* the maintenance child */
	struct proc *child;
	bool checked;                   /* the first sync checks both stores */
	struct ctl_conn *cleanup_conn;  /* a cleanup command waiting for its child */
	bool cleanup_pending, cleanup_all;
	long long cleanup_older;
	/* figures */
	uint64_t cpu_us;                /* store work on the loop, this minute */
	uint64_t cpu_total_us;
	uint64_t child_cpu_us, child_flash;     /* since the last sys row */
	uint64_t flash_total, syncs, errors;
	json_object *last_sync;
	char error[300];
};

/* history.c */
void history_flush(struct history *h);
uint64_t history_thread_cpu_us(void);
void history_configure(struct history *h);
void history_note_error(struct history *h, const char *what, const char *detail);

/* history_roll.c: observations, minutes, the daemon's figures, thresholds. */
void history_members(struct history *h);
void history_observe_member(struct history *h, const char *name);
void history_observe_all(struct history *h);
void history_on_observe(evutil_socket_t fd, short what, void *arg);
void history_on_minute(evutil_socket_t fd, short what, void *arg);
void history_arm_minute(struct history *h);
/* The last day's failovers from the store (a restart keeps the count). */
void history_seed(struct history *h);

/* history_sync.c: the working store, the child, the durable copy. */
int history_open_work(struct history *h);
void history_work_replace(struct history *h, const char *why);
void history_on_sync(evutil_socket_t fd, short what, void *arg);
void history_sync_now(struct history *h);
void history_cleanup_drop(struct history *h);

#endif
