/* store_tool: `autonomyd --store-sync ...`, the child process the daemon
 * starts every performance.gc_interval (and for `telemetry cleanup` and
 * `cleanup --all`): it maintains the working store, brings the durable copy
 * up to date, maintains that too and prints one JSON line saying what it
 * did. Everything slow — flash writes and fsyncs, retention over a month of
 * rows, VACUUM, the integrity check — happens here, never on the daemon's
 * loop. Exit 0 when done, 1 on error (the JSON says which), 2 usage. */
#include "store/store_tool.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "core/clock.h"
#include "store/store_io.h"
#include "store/store_maint.h"

#define USAGE "usage: autonomyd --store-sync --work FILE [--durable FILE] [--raw-days N] " \
	      "[--telemetry-days N] [--log-days N] [--max-kb N] [--older-than SECONDS] " \
	      "[--vacuum] [--check] [--work-persistent] [--clean-dir DIR]... [--now UNIX_S]\n"
#define MAX_DIRS 4
#define BUSY_MS 5000

struct tool_args {
	const char *work, *durable;
	int64_t now;
	struct store_retention r;
	bool vacuum, check, persistent;
	const char *dirs[MAX_DIRS];
	unsigned n_dirs;
};

static int num_arg(const char *s, long long lo, long long hi, long long *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int parse(int argc, char **argv, struct tool_args *a)
{
	long long v;
	memset(a, 0, sizeof(*a));
	a->r.raw_days = STORE_RAW_DAYS;
	a->r.telemetry_days = 30;
	a->r.log_days = 7;
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(o, "--store-sync"))
			continue;
		if (!strcmp(o, "--vacuum")) {
			a->vacuum = true;
			continue;
		}
		if (!strcmp(o, "--check")) {
			a->check = true;
			continue;
		}
		if (!strcmp(o, "--work-persistent")) {
			a->persistent = true;
			continue;
		}
		if (!val)
			return -1;
		i++;
		if (!strcmp(o, "--work"))
			a->work = val;
		else if (!strcmp(o, "--durable"))
			a->durable = val;
		else if (!strcmp(o, "--clean-dir") && a->n_dirs < MAX_DIRS)
			a->dirs[a->n_dirs++] = val;
		else if (!strcmp(o, "--raw-days") && !num_arg(val, 1, 3650, &v))
			a->r.raw_days = (unsigned)v;
		else if (!strcmp(o, "--telemetry-days") && !num_arg(val, 1, 3650, &v))
			a->r.telemetry_days = (unsigned)v;
		else if (!strcmp(o, "--log-days") && !num_arg(val, 1, 3650, &v))
			a->r.log_days = (unsigned)v;
		else if (!strcmp(o, "--max-kb") && !num_arg(val, 0, 1LL << 30, &v))
			a->r.max_bytes = v * 1024;
		else if (!strcmp(o, "--older-than") && !num_arg(val, 0, 1LL << 40, &v))
			a->r.older_than_s = v;
		else if (!strcmp(o, "--now") && !num_arg(val, 1, 1LL << 40, &v))
			a->now = v;     /* retention as of another time: a replayed store, tests */
		else
			return -1;
	}
	return a->work ? 0 : -1;
}

static json_object *maint_json(const struct store_maint_result *m)
{
	json_object *o = json_object_new_object(), *d = json_object_new_object();
	for (int i = 0; i < STORE_N_TABLES; i++)
		if (m->deleted[i])
			json_object_object_add(d, store_table_name(i),
					       json_object_new_int64(m->deleted[i]));
	json_object_object_add(o, "thinned_hours", json_object_new_int64(m->thinned_hours));
	json_object_object_add(o, "deleted", d);
	json_object_object_add(o, "bytes_before", json_object_new_int64(m->bytes_before));
	json_object_object_add(o, "bytes_after", json_object_new_int64(m->bytes_after));
	json_object_object_add(o, "file_before", json_object_new_int64(m->file_before));
	json_object_object_add(o, "file_after", json_object_new_int64(m->file_after));
	return o;
}

/* Leftovers nobody reads: files set aside as bad (ours: history.db.bad-*,
 * usage.json.bad) and temporary files of atomic writes whose writer is
 * gone (NAME.tmp.PID). */
static bool stale(const char *name)
{
	const char *t = strstr(name, ".tmp.");
	if (strstr(name, ".bad-") || (strlen(name) > 4 && !strcmp(name + strlen(name) - 4, ".bad")))
		return true;
	if (t && t[5]) {
		char *end;
		long pid = strtol(t + 5, &end, 10);
		return !*end && pid > 0 && kill((pid_t)pid, 0) < 0 && errno == ESRCH;
	}
	return false;
}

static void clean_dir(const char *dir, json_object *removed, int64_t *freed)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4200];
	struct stat st;
	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' && (!e->d_name[1] || !strcmp(e->d_name, "..")))
			continue;
		if (!stale(e->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode) || unlink(path) < 0)
			continue;
		json_object *o = json_object_new_object();
		json_object_object_add(o, "path", json_object_new_string(path));
		json_object_object_add(o, "bytes", json_object_new_int64(st.st_size));
		json_object_array_add(removed, o);
		*freed += st.st_size;
	}
	closedir(d);
}

static int64_t cpu_ms(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return 0;
	return (int64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
}

static int fail(json_object *out, const char *a, const char *b)
{
	char msg[700];
	snprintf(msg, sizeof(msg), "%s: %s", a, b);
	json_object_object_add(out, "ok", json_object_new_boolean(0));
	json_object_object_add(out, "error", json_object_new_string(msg));
	return 1;
}

static int maintain(struct store *s, const struct tool_args *a, const char *key,
		    json_object *out)
{
	struct store_maint_result m;
	int rc = store_maintain(s, &a->r, &m);
	if (rc == 0 && a->vacuum)
		rc = store_vacuum(s, &m);
	json_object_object_add(out, key, maint_json(&m));
	if (rc < 0)
		return fail(out, store_path(s), store_errmsg(s));
	/* Busy: the daemon is writing; what is left is done next time. */
	return 0;
}

/* VACUUM of the durable copy, after its sync (a fresh connection: the
 * sync's is closed). */
static int vacuum_path(const char *path, json_object *out)
{
	char err[600];
	json_object *d = NULL;
	struct store *s = store_open(path, STORE_DURABLE, 0, NULL, err, sizeof(err));
	if (!s)
		return fail(out, path, err);
	struct store_maint_result m = { .bytes_before = store_used_bytes(s) };
	json_object_object_get_ex(out, "durable", &d);
	int rc = store_vacuum(s, &m);
	if (d) {
		json_object_object_add(d, "bytes_after", json_object_new_int64(m.bytes_after));
		json_object_object_add(d, "file_after", json_object_new_int64(m.file_after));
	}
	if (rc < 0)
		rc = fail(out, path, store_errmsg(s));
	store_close(s);
	return rc;
}

static void add_aside(json_object *out, const struct store_open_info *info)
{
	if (!info->moved_aside)
		return;
	json_object *o = json_object_new_object();
	json_object_object_add(o, "path", json_object_new_string(info->aside));
	json_object_object_add(o, "why", json_object_new_string(info->why));
	json_object_object_add(out, "moved_aside", o);
}

static int sync_durable(const struct tool_args *a, struct store *work, json_object *out)
{
	struct store_open_info info;
	struct store_maint_result m;
	char err[600];
	int64_t copied[STORE_N_TABLES] = { 0 };
	int rc = store_sync_durable(work, a->durable, a->check ? STORE_CHECK : 0, &a->r, false,
				    &info, copied, &m, err, sizeof(err));
	add_aside(out, &info);
	json_object_object_add(out, "durable_created", json_object_new_boolean(info.created));
	json_object *c = json_object_new_object();
	for (int i = 0; i < STORE_N_TABLES; i++)
		if (copied[i])
			json_object_object_add(c, store_table_name(i), json_object_new_int64(copied[i]));
	json_object_object_add(out, "copied", c);
	json_object_object_add(out, "durable", maint_json(&m));
	if (rc < 0)
		return fail(out, "sync", err);
	if (a->vacuum)
		return vacuum_path(a->durable, out);
	return 0;
}

int store_tool_main(int argc, char **argv)
{
	struct tool_args a;
	struct store_open_info info;
	char err[600];
	uint64_t t0 = clock_mono_us();
	if (parse(argc, argv, &a) < 0) {
		fputs(USAGE, stderr);
		return 2;
	}
	a.r.now_s = a.now ? a.now : clock_wall_ms() / 1000;
	json_object *out = json_object_new_object();
	int rc = 0;
	struct store *work = NULL;
	store_io_reset();
	/* The working store is the daemon's: never created here. */
	if (access(a.work, F_OK) < 0)
		rc = fail(out, a.work, strerror(errno));
	else if (!(work = store_open(a.work, STORE_WORK, STORE_KEEP_BAD | (a.check ? STORE_CHECK : 0) |
				       (a.persistent ? STORE_PERSISTENT : 0), &info, err,
				       sizeof(err)))) {
		/* The daemon has it open: it replaces it, not this process. */
		if (info.why[0])
			json_object_object_add(out, "work_bad", json_object_new_string(info.why));
		rc = fail(out, a.work, err);
	}
	if (work) {
		store_set_busy_timeout(work, BUSY_MS);
		rc = maintain(work, &a, "work", out);
		if (rc == 0 && a.durable)
			rc = sync_durable(&a, work, out);
		store_close(work);
	}
	json_object *removed = json_object_new_array();
	int64_t freed = 0;
	for (unsigned i = 0; i < a.n_dirs; i++)
		clean_dir(a.dirs[i], removed, &freed);
	json_object_object_add(out, "removed", removed);
	json_object_object_add(out, "removed_bytes", json_object_new_int64(freed));
	struct store_io io;
	store_io_get(&io);
	json_object *f = json_object_new_object();
	json_object_object_add(f, "bytes_written", json_object_new_int64((int64_t)io.bytes_written));
	json_object_object_add(f, "writes", json_object_new_int64((int64_t)io.writes));
	json_object_object_add(f, "syncs", json_object_new_int64((int64_t)io.syncs));
	json_object_object_add(out, "flash", f);
	json_object_object_add(out, "cpu_ms", json_object_new_int64(cpu_ms()));
	json_object_object_add(out, "took_ms", json_object_new_int64(
		(int64_t)((clock_mono_us() - t0) / 1000)));
	if (!json_object_object_get_ex(out, "ok", NULL))
		json_object_object_add(out, "ok", json_object_new_boolean(1));
	printf("%s\n", json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN));
	json_object_put(out);
	return fflush(stdout) == 0 && rc == 0 ? 0 : 1;
}
