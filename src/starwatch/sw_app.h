/* sw_app: starwatch put together — the check cycle (sw_app.c) and the
 * recovery steps (sw_recover.c) around the pure judgement of sw_watch. */
#ifndef AUTONOMY_SW_APP_H
#define AUTONOMY_SW_APP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "starwatch/sw_alert.h"
#include "starwatch/sw_cfg.h"
#include "starwatch/sw_failsafe.h"
#include "starwatch/sw_kill.h"
#include "starwatch/sw_loop.h"
#include "starwatch/sw_proc.h"
#include "starwatch/sw_query.h"
#include "starwatch/sw_state.h"
#include "starwatch/sw_watch.h"

#define SW_TERM_GRACE_MS 5000   /* SIGTERM → SIGKILL */
#define SW_KILL_WAIT_MS 5000    /* SIGKILL → given up */
#define SW_START_TIMEOUT_MS 60000
#define SW_QUERY_TIMEOUT_MAX_MS 5000

struct sw_app {
	struct sw_loop loop;
	struct sw_cfg cfg;
	struct sw_watch watch;
	struct sw_query query;
	struct sw_kill killer;
	struct sw_procs procs;
	struct sw_failsafe fs;
	struct sw_alert alert;
	struct sw_timer check_timer, step_timer;
	uint64_t check_started_ms;
	int64_t last_check_wall, last_ok_wall;
	uint64_t ok_since_ms;           /* for releasing the fail-safe route */
	/* a recovery in progress */
	bool recovering;
	struct sw_verdict verdict;
	size_t iface_next;              /* restart_interface: next member */
	/* persistent reboot records */
	struct sw_state persist;
	bool persist_ok;                /* loaded (or absent) and writable so far */
	bool debug;
};

int sw_app_init(struct sw_app *a);
/* Applies a freshly loaded config (start-up and SIGHUP). */
void sw_app_configure(struct sw_app *a);
void sw_app_start(struct sw_app *a);
void sw_app_free(struct sw_app *a);
void sw_app_write_status(struct sw_app *a);

/* sw_recover.c */
int sw_recover_init(struct sw_app *a);
void sw_recover_begin(struct sw_app *a, const struct sw_verdict *v);
bool sw_recover_reboot_allowed(struct sw_app *a);

#endif
