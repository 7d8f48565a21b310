/* sw_app: the check cycle — ask, judge, act, keep a default route, write
 * the status file (sw_app.h). */
#include "starwatch/sw_app.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/fsutil.h"
#include "core/log.h"
#include "core/pidfile.h"
#include "starwatch/sw_status.h"

static void on_answer(void *arg, const struct sw_answer *ans);

static void on_check(void *arg)
{
	struct sw_app *a = arg;
	a->check_started_ms = a->loop.now();
	if (a->recovering) {    /* judged again once the recovery is over */
		sw_timer_in(&a->loop, &a->check_timer, a->cfg.watch.check_ms);
		return;
	}
	uint64_t t = a->cfg.watch.check_ms;
	t = t < 1000 ? 1000 : t > SW_QUERY_TIMEOUT_MAX_MS ? SW_QUERY_TIMEOUT_MAX_MS : t;
	sw_query_start(&a->query, a->cfg.control_socket, t);
}

/* No usable answer: the pid file tells silent (alive), dead or stopped. */
static void classify_silence(struct sw_app *a, struct sw_obs *o)
{
	struct stat st;
	if (pidfile_read_locked(a->cfg.daemon_pid_file) > 0)
		o->kind = SW_OBS_SILENT;
	else if (lstat(a->cfg.daemon_pid_file, &st) == 0)
		o->kind = SW_OBS_DEAD;
	else
		o->kind = SW_OBS_STOPPED;
}

/* autonomyd is healthy: our route goes once autonomyd has its own in place
 * (it takes over the slot and ours is gone by itself) or after hang_timeout
 * of health, so a daemon that is still starting is never left without. */
static void maybe_release(struct sw_app *a, uint64_t now)
{
	if (!a->fs.active)
		return;
	if (now - a->ok_since_ms >= a->cfg.watch.hang_ms || !sw_failsafe_ours_present(&a->fs))
		sw_failsafe_release(&a->fs);
}

static void act(struct sw_app *a, const struct sw_verdict *v)
{
	switch (v->kind) {
	case SW_V_NONE:
		break;
	case SW_V_RECOVER:
		sw_recover_begin(a, v);
		break;
	case SW_V_EMERGENCY:
		sw_alert_emergency(&a->alert, "held_down", v->reason);
		break;
	}
}

static void on_answer(void *arg, const struct sw_answer *ans)
{
	struct sw_app *a = arg;
	uint64_t now = a->loop.now();
	struct sw_obs o = { .kind = SW_OBS_ANSWER, .has_counter = ans->has_counter,
			    .counter = ans->counter, .pid = ans->pid };
	if (!ans->answered) {
		classify_silence(a, &o);
		log_debug("check: %s (%s)", ans->why,
			  o.kind == SW_OBS_SILENT ? "pid file held" :
			  o.kind == SW_OBS_DEAD ? "pid file left behind" : "no pid file");
	}
	enum sw_daemon before = a->watch.state;
	a->watch.p.reboot_allowed = sw_recover_reboot_allowed(a);
	struct sw_verdict v = sw_watch_observe(&a->watch, &o, now);
	a->last_check_wall = clock_wall_ms() / 1000;
	if (a->watch.state == SW_D_OK) {
		a->last_ok_wall = a->last_check_wall;
		if (before != SW_D_OK) {
			a->ok_since_ms = now;
			log_notice("autonomyd is healthy (pid %u)", a->watch.pid);
		}
		maybe_release(a, now);
	} else if (before != a->watch.state && (a->watch.state == SW_D_NO_PROGRESS ||
						 a->watch.state == SW_D_STOPPED)) {
		/* Recoveries and hold-downs say more where they happen. */
		log_info("autonomyd: %s", a->watch.state == SW_D_STOPPED ?
			 "stopped (no pid file): left alone" : "no progress yet");
	}
	act(a, &v);
	if (a->watch.state != SW_D_OK && a->cfg.failsafe)
		sw_failsafe_check(&a->fs);
	sw_app_write_status(a);
	uint64_t next = a->check_started_ms + a->cfg.watch.check_ms;
	sw_timer_at(&a->check_timer, next > now ? next : now);
}

void sw_app_write_status(struct sw_app *a)
{
	struct sw_status st = {
		.pid = (uint32_t)getpid(),
		.updated = clock_wall_ms() / 1000,
		.updated_mono_ms = clock_mono_ms(),
		.check_interval_s = (uint32_t)((a->cfg.watch.check_ms + 999) / 1000),
		.last_check = a->last_check_wall,
		.last_ok = a->last_ok_wall,
		.restarts = (uint32_t)a->watch.restarts_total,
		.restarts_in_window = (uint32_t)sw_watch_restarts_in_window(&a->watch,
									      a->loop.now()),
		.held_down = a->watch.state == SW_D_HELD_DOWN,
		.failsafe_enabled = a->cfg.failsafe,
		.failsafe_active = a->fs.active,
	};
	snprintf(st.daemon, sizeof(st.daemon), "%s", sw_daemon_name(a->watch.state));
	if (a->watch.restarts_total || a->watch.state == SW_D_HELD_DOWN)
		snprintf(st.step, sizeof(st.step), "%s", sw_step_name(a->watch.last_step));
	snprintf(st.reason, sizeof(st.reason), "%s", a->watch.last_reason);
	if (a->fs.active) {
		snprintf(st.failsafe_member, sizeof(st.failsafe_member), "%s", a->fs.member);
		snprintf(st.failsafe_device, sizeof(st.failsafe_device), "%s", a->fs.dev);
		if (a->fs.has_gw)
			inet_ntop(AF_INET, &a->fs.gw, st.failsafe_gateway,
				  sizeof(st.failsafe_gateway));
	}
	char *text = sw_status_format(&st);
	if (!text)
		return;
	/* The run directory is the daemon's; it may not exist before its first
	 * start. A failed write costs `health` its starwatch line, nothing more. */
	if (fs_mkdir_parents(a->cfg.status_file, 0755) < 0 ||
	    fs_write_atomic(a->cfg.status_file, text, strlen(text), 0644) < 0)
		log_debug("status file %s: %s", a->cfg.status_file, strerror(errno));
	free(text);
}

static void on_fs_changed(void *arg)
{
	sw_app_write_status(arg);
}

int sw_app_init(struct sw_app *a)
{
	sw_loop_init(&a->loop);
	if (sw_query_init(&a->query, &a->loop, on_answer, a) < 0 ||
	    sw_procs_init(&a->procs, &a->loop) < 0 ||
	    sw_failsafe_init(&a->fs, &a->loop, on_fs_changed, a) < 0 ||
	    sw_alert_init(&a->alert, &a->loop, &a->procs) < 0 ||
	    sw_timer_register(&a->loop, &a->check_timer, on_check, a) < 0 ||
	    sw_recover_init(a) < 0)
		return -1;
	return 0;
}

void sw_app_configure(struct sw_app *a)
{
	struct sw_cfg *c = &a->cfg;
	struct sw_failsafe *fs = &a->fs;
	memcpy(fs->members, c->members, sizeof(fs->members));
	fs->n_members = c->n_members;
	memcpy(fs->targets, c->targets, sizeof(fs->targets));
	fs->n_targets = c->n_targets;
	fs->recheck_ms = c->watch.check_ms * SW_FS_RECHECK_CHECKS;
	if (fs->recheck_ms > SW_FS_RECHECK_MAX_MS)
		fs->recheck_ms = SW_FS_RECHECK_MAX_MS;
	fs->trusted_until = 0;
	sw_alert_set_urls(&a->alert, c->alert_url, c->slack_url);
	struct sw_watch_params p = c->watch;
	p.reboot_allowed = sw_recover_reboot_allowed(a);
	sw_watch_set_params(&a->watch, &p);
}

void sw_app_start(struct sw_app *a)
{
	struct sw_watch_params p = a->cfg.watch;
	char err[128];
	int rc = sw_state_load(a->cfg.state_file, clock_wall_ms() / 1000, &a->persist, err,
			       sizeof(err));
	a->persist_ok = true;
	if (rc < 0)
		log_err("state file %s: %s; moved aside, no reboot for a day",
			a->cfg.state_file, err);
	p.reboot_allowed = sw_recover_reboot_allowed(a);
	sw_watch_init(&a->watch, &p, a->loop.now());
	sw_app_configure(a);
	sw_failsafe_adopt(&a->fs);
	sw_timer_in(&a->loop, &a->check_timer, 0);
}

void sw_app_free(struct sw_app *a)
{
	sw_query_cancel(&a->query);
	sw_alert_free(&a->alert);
	unlink(a->cfg.status_file);
	sw_cfg_free(&a->cfg);
}
