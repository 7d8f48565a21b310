/* history_sync: the working store (opened, restored from the durable copy
 * after a reboot, replaced when damaged) and the maintenance child
 * (`autonomyd --store-sync`) every gc_interval and for the cleanup
 * commands. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/jsonutil.h"
#include "core/log.h"
#include "core/proc.h"
#include "ctl/ctl_server.h"
#include "daemon/daemon.h"
#include "daemon/history_int.h"
#include "events/ev_emit.h"

#define SYNC_TIMEOUT_MS 120000
#define SYNC_MAX_OUTPUT (256 * 1024)

static void aside_event(struct history *h, const char *which, const struct store_open_info *i)
{
	char detail[4700];
	snprintf(detail, sizeof(detail), "%s store was not usable (%s): moved to %s, a new "
		 "one started", which, i->why, i->aside);
	ev_emit_store(h->d->bus, EV_WARNING, "moved aside", detail);
}

/* Rows of the durable copy into a new working store (after a reboot). */
static void restore(struct history *h)
{
	struct store_open_info info;
	char err[600], detail[4400];
	int64_t copied[STORE_N_TABLES] = { 0 }, n = 0;
	uint64_t t0 = clock_mono_us();
	if (access(h->durable_path, F_OK) < 0)
		return;
	struct store *d = store_open(h->durable_path, STORE_DURABLE, STORE_CHECK, &info, err,
				     sizeof(err));
	if (info.moved_aside)
		aside_event(h, "the durable", &info);
	if (!d) {
		history_note_error(h, "restoring from the durable copy", err);
		return;
	}
	h->checked = true;
	if (!info.created && store_copy_new(d, h->work, true, copied, err, sizeof(err)) < 0)
		history_note_error(h, "restoring from the durable copy", err);
	store_close(d);
	for (int i = 0; i < STORE_N_TABLES; i++)
		n += copied[i];
	snprintf(detail, sizeof(detail), "%lld rows from %s in %.0f ms", (long long)n,
		 h->durable_path, (double)(clock_mono_us() - t0) / 1e3);
	if (n)
		ev_emit_store(h->d->bus, EV_INFO, "restored", detail);
}

/* The working store mirrors a durable one: when that has another identity
 * (another state_dir, a copy put in place), the durable one wins. */
static bool mirrors_durable(struct history *h)
{
	struct store_open_info info;
	char err[600];
	if (access(h->durable_path, F_OK) < 0)
		return true;
	struct store *d = store_open(h->durable_path, STORE_DURABLE, 0, &info, err, sizeof(err));
	bool same = !d || info.created || store_id(d) == store_id(h->work) || store_is_empty(d);
	store_close(d);
	return same;
}

static int open_fresh(struct history *h, const char *why)
{
	struct store_open_info info;
	char err[600];
	if (why) {
		char aside[4300];
		if (store_move_aside(h->work_path, aside, sizeof(aside)) == 0)
			log_notice("history: working store %s moved to %s (%s)", h->work_path,
				   aside, why);
	}
	h->work = store_open(h->work_path, STORE_WORK, h->split ? 0 : STORE_PERSISTENT, &info, err,
			     sizeof(err));
	if (!h->work) {
		snprintf(h->error, sizeof(h->error), "%.290s", err);
		return -1;
	}
	if (info.moved_aside)
		aside_event(h, "the working", &info);
	if (info.created || info.moved_aside)
		restore(h);
	return 0;
}

int history_open_work(struct history *h)
{
	if (open_fresh(h, NULL) < 0)
		return -1;
	if (!mirrors_durable(h)) {
		store_close(h->work);
		h->work = NULL;
		return open_fresh(h, "the durable copy in state_dir is another store's");
	}
	return 0;
}

void history_work_replace(struct history *h, const char *why)
{
	store_close(h->work);
	h->work = NULL;
	if (open_fresh(h, why) < 0)
		history_note_error(h, "replacing the working store", h->error);
	else
		ev_emit_store(h->d->bus, EV_WARNING, "working store replaced", why);
}

static void reply_cleanup(struct history *h, json_object *res, const char *error)
{
	struct ctl_conn *c = h->cleanup_conn;
	h->cleanup_conn = NULL;
	if (!c) {
		json_object_put(res);
		return;
	}
	ctl_conn_on_close(c, NULL, NULL);
	if (error) {
		struct ctl_error e = { .details = NULL };
		ctl_error_set(&e, CTL_E_FAILED, "cleanup failed: %s", error);
		json_object_put(res);
		ctl_conn_reply(c, ctl_reply_err(&e));
		return;
	}
	/* What is free now: pages given back for reuse, a vacuumed file's
	 * shrinking, stale files removed. */
	int64_t freed = (int64_t)json_get_num(res, "removed_bytes", 0);
	static const char *const parts[] = { "work", "durable" };
	for (size_t i = 0; i < 2; i++) {
		json_object *m = NULL;
		json_object_object_get_ex(res, parts[i], &m);
		int64_t fb = (int64_t)json_get_num(m, "file_before", 0);
		int64_t fa = (int64_t)json_get_num(m, "file_after", 0);
		int64_t ub = (int64_t)json_get_num(m, "bytes_before", 0);
		int64_t ua = (int64_t)json_get_num(m, "bytes_after", 0);
		freed += h->cleanup_all ? (fb > fa ? fb - fa : 0) : (ub > ua ? ub - ua : 0);
	}
	json_object_object_add(res, "vacuumed", json_object_new_boolean(h->cleanup_all));
	json_object_object_add(res, "freed_bytes", json_object_new_int64(freed));
	ctl_conn_reply(c, ctl_reply_ok(res));
}

static void start_child(struct history *h, bool cleanup);

static void account(struct history *h, json_object *r)
{
	json_object *f = NULL, *a = NULL, *bad = NULL;
	json_object_object_get_ex(r, "flash", &f);
	uint64_t bytes = (uint64_t)json_get_num(f, "bytes_written", 0);
	h->flash_total += bytes;
	h->child_flash += bytes;
	h->child_cpu_us += (uint64_t)json_get_num(r, "cpu_ms", 0) * 1000;
	h->syncs++;
	if (json_object_object_get_ex(r, "moved_aside", &a) && a) {
		struct store_open_info i = { .moved_aside = true };
		snprintf(i.aside, sizeof(i.aside), "%s", json_get_str(a, "path", "?"));
		snprintf(i.why, sizeof(i.why), "%s", json_get_str(a, "why", "?"));
		aside_event(h, "the durable", &i);
	}
	if (json_object_object_get_ex(r, "work_bad", &bad) && bad)
		history_work_replace(h, json_object_get_string(bad));
}

static void on_child(void *arg, const struct proc_result *res)
{
	struct history *h = arg;
	bool cleanup = h->cleanup_conn != NULL && !h->cleanup_pending;
	char err[400] = "";
	json_object *r = NULL;
	h->child = NULL;
	if (res->end == PROC_EXITED && res->out_len)
		r = json_tokener_parse(res->out);
	if (!json_object_is_type(r, json_type_object)) {
		json_object_put(r);
		r = NULL;
		snprintf(err, sizeof(err), "%s%s%s", res->end == PROC_TIMEOUT ? "timed out" :
			 res->end == PROC_SPAWN_FAILED ? strerror(res->err) : "no result",
			 res->errout && res->errout[0] ? ": " : "", res->errout ? res->errout : "");
	} else {
		account(h, r);
		if (!json_get_bool(r, "ok", 0))
			snprintf(err, sizeof(err), "%s", json_get_str(r, "error", "failed"));
	}
	if (err[0]) {
		history_note_error(h, "maintenance", err);
	} else if (h->error[0]) {
		h->error[0] = '\0';
		ev_emit_store(h->d->bus, EV_INFO, "working again", "the durable copy is up to date");
	}
	json_object_put(h->last_sync);
	h->last_sync = json_object_new_object();
	view_add_time(h->last_sync, "time", clock_wall_ms() / 1000);
	json_object_object_add(h->last_sync, "ok", json_object_new_boolean(!err[0]));
	json_object_object_add(h->last_sync, "took_ms", json_object_new_int64(
		(int64_t)(res->took_us / 1000)));
	json_object_object_add(h->last_sync, "error", err[0] ? json_object_new_string(err) : NULL);
	json_object_object_add(h->last_sync, "result", r ? json_object_get(r) : NULL);
	if (cleanup)
		reply_cleanup(h, r, err[0] ? err : NULL);
	else
		json_object_put(r);
	if (h->cleanup_pending) {
		h->cleanup_pending = false;
		start_child(h, true);
	}
}

static void add(char **argv, int *n, const char *s)
{
	argv[(*n)++] = (char *)s;
}

static void start_child(struct history *h, bool cleanup)
{
	char days[3][16], kb[24], older[24];
	char *argv[32];
	int n = 0;
	snprintf(days[0], sizeof(days[0]), "%u", h->ret.raw_days);
	snprintf(days[1], sizeof(days[1]), "%u", h->ret.telemetry_days);
	snprintf(days[2], sizeof(days[2]), "%u", h->ret.log_days);
	snprintf(kb, sizeof(kb), "%lld", (long long)(h->ret.max_bytes / 1024));
	snprintf(older, sizeof(older), "%lld", h->cleanup_older);
	add(argv, &n, "/proc/self/exe");
	add(argv, &n, "--store-sync");
	add(argv, &n, "--work");
	add(argv, &n, h->work_path);
	if (h->split) {
		add(argv, &n, "--durable");
		add(argv, &n, h->durable_path);
	} else {
		add(argv, &n, "--work-persistent");
	}
	add(argv, &n, "--raw-days");
	add(argv, &n, days[0]);
	add(argv, &n, "--telemetry-days");
	add(argv, &n, days[1]);
	add(argv, &n, "--log-days");
	add(argv, &n, days[2]);
	add(argv, &n, "--max-kb");
	add(argv, &n, kb);
	if (!h->checked)
		add(argv, &n, "--check");
	if (cleanup && h->cleanup_older > 0) {
		add(argv, &n, "--older-than");
		add(argv, &n, older);
	}
	if (cleanup && h->cleanup_all) {
		add(argv, &n, "--vacuum");
		add(argv, &n, "--clean-dir");
		add(argv, &n, h->run_dir);
		add(argv, &n, "--clean-dir");
		add(argv, &n, h->state_dir);
	}
	argv[n] = NULL;
	history_flush(h);
	struct proc_opts o = { .timeout_ms = SYNC_TIMEOUT_MS, .max_output = SYNC_MAX_OUTPUT };
	h->child = proc_spawn(h->d->base, argv, &o, on_child, h);
	if (!h->child) {
		history_note_error(h, "maintenance", strerror(errno));
		if (cleanup)
			reply_cleanup(h, NULL, strerror(errno));
		return;
	}
	h->checked = true;
}

void history_on_sync(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	struct history *h = arg;
	/* A running child (a slow flash, a cleanup) is not doubled. */
	if (h->work && !h->child)
		start_child(h, false);
	struct timeval tv = { (time_t)(h->sync_ms / 1000), (suseconds_t)(h->sync_ms % 1000) * 1000 };
	event_add(h->sync_ev, &tv);
}

void history_sync_now(struct history *h)
{
	char err[600];
	struct store_open_info info;
	if (h->child) {
		/* Killed mid-transaction, its WAL frames are never committed. */
		proc_cancel(h->child);
		h->child = NULL;
	}
	if (!h->split)
		return;         /* the working store is the durable one */
	if (store_sync_durable(h->work, h->durable_path, 0, NULL, true, &info, NULL, NULL, err,
			       sizeof(err)) < 0)
		log_warn("history: the durable copy could not be brought up to date: %s", err);
}

static void cleanup_gone(void *arg)
{
	struct history *h = arg;
	h->cleanup_conn = NULL;
	h->cleanup_pending = false;
}

void history_cleanup_drop(struct history *h)
{
	if (h->cleanup_conn)
		ctl_conn_on_close(h->cleanup_conn, NULL, NULL);
	h->cleanup_conn = NULL;
}

json_object *history_cleanup(struct daemon *d, struct ctl_conn *c, long long older_than_s,
			     bool all, struct ctl_error *err)
{
	struct history *h = d->hist;
	if (!h || !h->work) {
		ctl_error_set(err, CTL_E_FAILED, "the history store is off: %s",
			      h && h->error[0] ? h->error : "not started");
		return NULL;
	}
	if (h->cleanup_conn) {
		ctl_error_set(err, CTL_E_FAILED, "a cleanup is running already");
		return NULL;
	}
	h->cleanup_conn = c;
	h->cleanup_older = older_than_s;
	h->cleanup_all = all;
	ctl_conn_on_close(c, cleanup_gone, h);
	if (h->child)
		h->cleanup_pending = true;      /* after the sync that runs now */
	else
		start_child(h, true);
	return CTL_REPLY_DEFERRED;
}
