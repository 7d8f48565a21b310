/* history: the daemon's side of the history store (DESIGN.md "Events and
 * history", docs/history.md).
 *
 * Every event reaches the store through the bus (store_writer); members are
 * rolled up per wall-clock minute (store_roll) with the daemon's own
 * figures; everything goes to the working store in main.run_dir (RAM) once
 * the loop is done with an event, and at every minute. Every performance.gc_interval
 * `autonomyd --store-sync` (a child, with a timeout) maintains the working
 * store and brings the durable copy in main.state_dir up to date: flash
 * writes, fsync, retention and vacuum never run on this loop. At start the
 * working store is restored from the durable one when it is missing (after
 * a reboot) or belongs to another store; at a clean stop the durable copy
 * is brought up to date in-process (the loop is done by then). Queries are
 * autonomyctl's: it opens the working store read-only itself. */
#include "daemon/history.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "core/clock.h"
#include "core/jsonutil.h"
#include "core/selfhealth.h"
#include "core/fsutil.h"
#include "core/log.h"
#include "core/proc.h"
#include "daemon/daemon.h"
#include "daemon/history_int.h"
#include "daemon/members.h"
#include "daemon/state.h"
#include "events/ev_emit.h"
#include "store/store_maint.h"

#define FLUSH_RETRY_MS 1000
#define SYNC_TIMEOUT_MS 120000
#define SYNC_MAX_OUTPUT (256 * 1024)

static void arm_after(struct event *ev, uint64_t ms)
{
	struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };
	event_add(ev, &tv);
}

/* Store work on the loop is timed in thread CPU time (the store's cost). */
uint64_t history_thread_cpu_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void history_flush(struct history *h)
{
	uint64_t c0 = history_thread_cpu_us();
	if (!h->work)
		return;
	int rc = store_writer_flush(h->w, h->work);
	h->cpu_us += history_thread_cpu_us() - c0;
	/* The maintenance child holds the write lock a few ms at a time. */
	if (rc == 1 && !evtimer_pending(h->flush_ev, NULL))
		arm_after(h->flush_ev, FLUSH_RETRY_MS);
	if (rc < 0) {
		struct store_writer_stats st;
		store_writer_stats(h->w, &st);
		history_note_error(h, "writing the working store", st.last_error);
		/* A damaged file is replaced; the rows wait in the queue. */
		if ((st.last_rc & 0xff) == 11 /* SQLITE_CORRUPT */ ||
		    (st.last_rc & 0xff) == 26 /* SQLITE_NOTADB */)
			history_work_replace(h, st.last_error);
	}
}

static void on_flush(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	history_flush(arg);
}

/* Every event is written once the loop has finished what it is doing (a
 * switch's route change first; a burst in one transaction), so that what
 * `decisions` and `notifications` read is current. */
static void on_event(void *arg, const struct ev_record *e)
{
	struct history *h = arg;
	store_writer_event(h->w, e);
	if (strcmp(e->type, "state") == 0 && e->member[0])
		history_observe_member(h, e->member);
	else if (e->kind == EV_K_SWITCH)
		history_observe_all(h);
	if (!evtimer_pending(h->flush_ev, NULL))
		event_active(h->flush_ev, EV_TIMEOUT, 0);
}

static int lock_dir(const char *dir)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/history.lock", dir);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static void dir_of(const char *path, char *out, size_t size)
{
	const char *slash = strrchr(path, '/');
	int n = slash ? (int)(slash - path) : 0;
	snprintf(out, size, "%.*s", n ? n : 1, n ? path : "/");
}

/* The store follows the daemon's state split (daemon/state.c): the working
 * copy in run_dir, the durable one in state_dir; with no run_dir the one
 * store lives in state_dir and is its own durable copy. Not through
 * state_persist(): a whole-file copy of a month of history every hour
 * would write tens of MB a day; the sync copies only the new rows. */
static void paths(struct history *h)
{
	state_path(h->d, false, STORE_FILE, h->work_path, sizeof(h->work_path));
	state_path(h->d, true, STORE_FILE, h->durable_path, sizeof(h->durable_path));
	h->split = strcmp(h->work_path, h->durable_path) != 0;
	if (!h->split)
		h->durable_path[0] = '\0';
	dir_of(h->work_path, h->run_dir, sizeof(h->run_dir));
	dir_of(h->split ? h->durable_path : h->work_path, h->state_dir, sizeof(h->state_dir));
}

static int take_locks(struct history *h)
{
	char probe[4200];
	snprintf(probe, sizeof(probe), "%s/x", h->run_dir);
	fs_mkdir_parents(probe, 0750);
	snprintf(probe, sizeof(probe), "%s/x", h->state_dir);
	fs_mkdir_parents(probe, 0750);
	h->lock_fd[0] = lock_dir(h->run_dir);
	h->lock_fd[1] = h->lock_fd[0] >= 0 && h->split ? lock_dir(h->state_dir) : -1;
	if (h->lock_fd[0] >= 0 && (h->lock_fd[1] >= 0 || !h->split))
		return 0;
	snprintf(h->error, sizeof(h->error), "%.200s: %s", h->lock_fd[0] < 0 ? h->run_dir :
		 h->state_dir, errno == EWOULDBLOCK ? "in use by another autonomyd" :
		 strerror(errno));
	return -1;
}

void history_note_error(struct history *h, const char *what, const char *detail)
{
	char msg[sizeof(h->error)];
	snprintf(msg, sizeof(msg), "%s: %s", what, detail);
	h->errors++;
	/* Said once per kind of failure, not at every retry. */
	if (strcmp(msg, h->error) != 0) {
		snprintf(h->error, sizeof(h->error), "%s", msg);
		ev_emit_store(h->d->bus, EV_WARNING, what, detail);
	}
}

/* Made before anything can emit (opening the store reports through the
 * bus, and every event arms the flush), armed once the store is open. */
static int timers(struct history *h)
{
	struct event_base *b = h->d->base;
	h->flush_ev = evtimer_new(b, on_flush, h);
	h->obs_ev = evtimer_new(b, history_on_observe, h);
	h->minute_ev = evtimer_new(b, history_on_minute, h);
	h->sync_ev = evtimer_new(b, history_on_sync, h);
	return h->flush_ev && h->obs_ev && h->minute_ev && h->sync_ev ? 0 : -1;
}

static void arm(struct history *h)
{
	arm_after(h->obs_ev, STORE_ROLL_OBSERVE_S * 1000);
	history_arm_minute(h);
	arm_after(h->sync_ev, h->sync_ms);
}

/* Turned off: why is in h->error (and health). Events still log and stream. */
static int disable(struct history *h, const char *what)
{
	log_warn("history store off: %s: %s", what, h->error);
	ev_emit_store(h->d->bus, EV_WARNING, "off", h->error);
	return 0;
}

int history_start(struct daemon *d)
{
	struct history *h = calloc(1, sizeof(*h));
	if (!h)
		return -1;
	d->hist = h;
	h->d = d;
	h->lock_fd[0] = h->lock_fd[1] = -1;
	h->w = store_writer_new();
	/* One subscriber: it feeds the writer and the roll-ups. */
	if (!h->w || timers(h) < 0 || ev_subscribe(d->bus, EV_INFO, 0, on_event, h) < 0)
		return -1;
	paths(h);
	history_configure(h);
	ev_failover_watch_start(&h->fw, d->bus, h->fo_warn, h->fo_crit);
	if (take_locks(h) < 0)
		return disable(h, "locking");
	if (history_open_work(h) < 0)
		return disable(h, "opening");
	history_seed(h);
	arm(h);
	h->enabled = true;
	return 0;
}

void history_stop(struct daemon *d)
{
	struct history *h = d->hist;
	if (!h)
		return;
	if (h->work) {
		store_writer_cut_outages(h->w, clock_wall_ms());
		history_flush(h);
		history_sync_now(h);
	}
	if (h->child)
		proc_cancel(h->child);
	ev_failover_watch_stop(&h->fw);
	store_writer_free(h->w);
	store_close(h->work);
	struct event *evs[] = { h->flush_ev, h->obs_ev, h->minute_ev, h->sync_ev };
	for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++)
		if (evs[i])
			event_free(evs[i]);
	for (int i = 0; i < 2; i++)
		if (h->lock_fd[i] >= 0)
			close(h->lock_fd[i]);
	json_object_put(h->last_sync);
	history_cleanup_drop(h);
	free(h);
	d->hist = NULL;
}

void history_configure(struct history *h)
{
	const struct config *cfg = h->d->cfg;
	const struct cfg_section *p = config_section(cfg, "performance");
	const struct cfg_section *a = config_section(cfg, "alerts");
	uint64_t sync = (uint64_t)cfg_duration_ms(p, "gc_interval");
	h->ret.raw_days = STORE_RAW_DAYS;
	h->ret.telemetry_days = (unsigned)cfg_int(p, "telemetry_retention_days");
	h->ret.log_days = (unsigned)cfg_int(p, "log_retention_days");
	h->ret.max_bytes = cfg_int(p, "history_max_mb") * 1024 * 1024;
	h->cpu_limit = (double)cfg_int(p, "max_cpu_percent");
	h->mem_limit_kb = (double)cfg_int(p, "max_memory_mb") * 1024;
	h->fo_warn = (unsigned)cfg_int(a, "failover_warning");
	h->fo_crit = (unsigned)cfg_int(a, "failover_critical");
	h->fw.warn = h->fo_warn;
	h->fw.crit = h->fo_crit;
	if (sync != h->sync_ms && h->sync_ev) {
		h->sync_ms = sync;
		arm_after(h->sync_ev, sync);
	}
	h->sync_ms = sync;
	history_members(h);
}

void history_reload(struct daemon *d)
{
	if (d->hist)
		history_configure(d->hist);
}

json_object *history_status_json(struct daemon *d)
{
	struct history *h = d->hist;
	json_object *o = json_object_new_object();
	bool on = h && h->work;
	json_object_object_add(o, "working", on ? json_object_new_string(h->work_path) : NULL);
	json_object_object_add(o, "durable", on && h->split ?
			       json_object_new_string(h->durable_path) : NULL);
	json_object_object_add(o, "error", h && h->error[0] ? json_object_new_string(h->error) :
			       NULL);
	return o;
}

json_object *history_health_json(struct daemon *d)
{
	struct history *h = d->hist;
	struct store_writer_stats st = { 0 };
	json_object *o = history_status_json(d);
	if (!h)
		return o;
	store_writer_stats(h->w, &st);
	json_object_object_add(o, "enabled", json_object_new_boolean(h->work != NULL));
	json_object_object_add(o, "pending", json_object_new_int((int)st.pending));
	json_object_object_add(o, "written", json_object_new_int64((int64_t)st.written));
	json_object_object_add(o, "dropped", json_object_new_int64((int64_t)st.dropped));
	json_object_object_add(o, "busy", json_object_new_int64((int64_t)st.busy));
	json_object_object_add(o, "errors", json_object_new_int64((int64_t)h->errors));
	json_object_object_add(o, "syncs", json_object_new_int64((int64_t)h->syncs));
	/* Apart from the state subsystem's count (whole-file copies): rows. */
	json_object_object_add(o, "flash_bytes", json_object_new_int64((int64_t)h->flash_total));
	double up_days = selfhealth_uptime_s(&d->health) / 86400.0;
	json_object_object_add(o, "flash_bytes_per_day", up_days >= 1.0 / 24 ?
			       json_num((double)h->flash_total / up_days, 0) : NULL);
	json_object_object_add(o, "cpu_ms", json_object_new_int64(
		(int64_t)(h->cpu_total_us + h->cpu_us) / 1000));
	json_object_object_add(o, "size_bytes", h->work ?
			       json_object_new_int64(store_size_bytes(h->work)) : NULL);
	json_object_object_add(o, "last_sync", json_object_get(h->last_sync));
	return o;
}
