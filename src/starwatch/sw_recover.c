/* sw_recover: carrying out a recovery verdict — end the hung process, wait
 * out the back-off, then the ladder step: restart the daemon, bounce the
 * members' interfaces and restart it, or reboot within the persistent
 * limit. Everything runs on the loop; programs run with argv and a
 * deadline. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/pidfile.h"
#include "starwatch/sw_app.h"
#include "starwatch/sw_nl.h"

#define IFUP_TIMEOUT_MS 30000

static void start_daemon(struct sw_app *a);

bool sw_recover_reboot_allowed(struct sw_app *a)
{
	return a->persist_ok && a->cfg.max_reboots_per_day > 0 &&
	       sw_state_count_day(&a->persist, clock_wall_ms() / 1000) < a->cfg.max_reboots_per_day;
}

static void finish(struct sw_app *a)
{
	sw_watch_recovered(&a->watch, a->loop.now());
	a->recovering = false;
	sw_app_write_status(a);
	sw_timer_in(&a->loop, &a->check_timer, a->cfg.watch.check_ms);
}

static void on_started(void *arg, int status, bool timed_out, const char *out)
{
	struct sw_app *a = arg;
	char how[48];
	sw_proc_status_text(status, timed_out, how, sizeof(how));
	if (strcmp(how, "exit 0") == 0)
		log_notice("autonomyd restarted (%s)", a->cfg.restart_how);
	else
		log_err("restarting autonomyd failed: %s%s%.300s", how, out[0] ? ": " : "", out);
	finish(a);
}

static void start_daemon(struct sw_app *a)
{
	if (sw_proc_spawn(&a->procs, a->cfg.restart_argv, NULL, SW_START_TIMEOUT_MS, on_started,
			  a) < 0) {
		log_errno(LOG_LVL_ERR, "cannot run %s", a->cfg.restart_argv[0]);
		finish(a);
	}
}

static void next_iface(struct sw_app *a);

static void on_ifup(void *arg, int status, bool timed_out, const char *out)
{
	struct sw_app *a = arg;
	char how[48];
	log_notice("ifup %s: %s", a->cfg.ifaces[a->iface_next],
		   sw_proc_status_text(status, timed_out, how, sizeof(how)));
	a->iface_next++;
	next_iface(a);
}

/* netifd's ifup restarts an interface properly (DHCP, the modem's
 * protocol); without it the device is set down and up over rtnetlink. */
static void next_iface(struct sw_app *a)
{
	char ifup[256];
	bool have_ifup = sw_proc_find("ifup", ifup, sizeof(ifup));
	for (; a->iface_next < a->cfg.n_members; a->iface_next++) {
		const char *ifc = a->cfg.ifaces[a->iface_next];
		const char *dev = a->cfg.members[a->iface_next].dev;
		if (have_ifup && ifc[0]) {
			char *argv[] = { ifup, (char *)ifc, NULL };
			if (sw_proc_spawn(&a->procs, argv, NULL, IFUP_TIMEOUT_MS, on_ifup, a) >= 0)
				return;
		}
		struct sw_link li;
		int rc = sw_nl_get_link(dev, &li);
		if (rc == 0 && (rc = sw_nl_link_set_up(li.ifindex, false)) == 0)
			rc = sw_nl_link_set_up(li.ifindex, true);
		if (rc < 0)
			log_err("restart_interface: %s: %s", dev, strerror(-rc));
		else
			log_notice("restart_interface: %s set down and up", dev);
	}
	start_daemon(a);
}

static void reboot_now(struct sw_app *a)
{
	int64_t now = clock_wall_ms() / 1000;
	struct sw_state next = a->persist;
	sw_state_add(&next, now);
	/* Recorded first: a reboot that could not be counted might loop. */
	if (sw_state_save(a->cfg.state_file, &next) < 0) {
		log_errno(LOG_LVL_ERR, "cannot record the reboot in %s; not rebooting",
			  a->cfg.state_file);
		a->persist_ok = false;
		finish(a);
		return;
	}
	a->persist = next;
	char msg[256];
	snprintf(msg, sizeof(msg), "rebooting the router (%zu of at most %u today): %s",
		 sw_state_count_day(&next, now), a->cfg.max_reboots_per_day, a->verdict.reason);
	sw_alert_emergency(&a->alert, "reboot", msg);
	if (sw_proc_spawn(&a->procs, a->cfg.reboot_argv, NULL, SW_START_TIMEOUT_MS, on_started,
			  a) < 0) {
		log_errno(LOG_LVL_ERR, "cannot run %s", a->cfg.reboot_argv[0]);
		finish(a);
	}
}

static void on_step(void *arg)
{
	struct sw_app *a = arg;
	switch (a->verdict.step) {
	case SW_STEP_RESTART_DAEMON:
		start_daemon(a);
		break;
	case SW_STEP_RESTART_INTERFACE:
		a->iface_next = 0;
		next_iface(a);
		break;
	case SW_STEP_REBOOT:
		reboot_now(a);
		break;
	}
}

static void schedule_step(struct sw_app *a)
{
	if (a->verdict.delay_ms)
		log_info("%s in %llu s (back-off)", sw_step_name(a->verdict.step),
			 (unsigned long long)(a->verdict.delay_ms / 1000));
	sw_timer_in(&a->loop, &a->step_timer, a->verdict.delay_ms);
}

static void on_killed(void *arg, bool gone, const char *how)
{
	struct sw_app *a = arg;
	if (gone)
		log_notice("hung autonomyd (pid %d) ended (%s)", (int)a->killer.pid, how);
	else
		log_err("hung autonomyd (pid %d): %s", (int)a->killer.pid, how);
	schedule_step(a);
}

/* Only autonomyd is ever signalled: the pid comes from the lock holder of
 * its pid file and must name an autonomyd process. */
static bool is_autonomyd(pid_t pid)
{
	char path[40], comm[32] = "";
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, comm, sizeof(comm) - 1);
	close(fd);
	comm[n > 0 ? n : 0] = '\0';
	comm[strcspn(comm, "\n")] = '\0';
	return strcmp(comm, "autonomyd") == 0;
}

int sw_recover_init(struct sw_app *a)
{
	if (sw_timer_register(&a->loop, &a->step_timer, on_step, a) < 0)
		return -1;
	return sw_kill_init(&a->killer, &a->loop, on_killed, a);
}

void sw_recover_begin(struct sw_app *a, const struct sw_verdict *v)
{
	a->recovering = true;
	a->verdict = *v;
	log_warn("%s: %s (restart %zu of %u in the window)", v->reason,
		 sw_step_name(v->step), sw_watch_restarts_in_window(&a->watch, a->loop.now()),
		 a->cfg.watch.max_restarts);
	sw_app_write_status(a);
	if (v->hung) {
		pid_t pid = pidfile_read_locked(a->cfg.daemon_pid_file);
		if (pid > 0 && is_autonomyd(pid)) {
			sw_kill_start(&a->killer, pid, SW_TERM_GRACE_MS, SW_KILL_WAIT_MS);
			return;
		}
		if (pid > 0)
			log_err("pid %d holds %s but is not autonomyd: not signalled", (int)pid,
				a->cfg.daemon_pid_file);
	}
	schedule_step(a);
}
