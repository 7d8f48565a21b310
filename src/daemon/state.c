/* state: state_dir (persistent) and run_dir (volatile), flash writes
 * counted (state.h). */
#include "daemon/state.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config/config.h"
#include "core/clock.h"
#include "core/fsutil.h"
#include "core/jsonutil.h"
#include "core/log.h"
#include "daemon/daemon.h"

#define STATE_FILES 8
#define STATE_FILE_MAX (4u << 20)

struct state_io {
	uint64_t bytes, files;          /* written to state_dir since start */
	int64_t started_s;
	struct { char name[32]; int64_t at_s; } last[STATE_FILES];   /* last persist */
	size_t n_last;
};

/* run_dir empty: no working copies, state_dir is written directly. */
static bool split(struct daemon *d)
{
	const char *r = cfg_str(config_section(d->cfg, "main"), "run_dir");
	const char *s = cfg_str(config_section(d->cfg, "main"), "state_dir");
	return r && *r && (!s || strcmp(r, s) != 0);
}

static const char *dir_of(struct daemon *d, bool persistent)
{
	const struct cfg_section *m = config_section(d->cfg, "main");
	const char *s = cfg_str(m, persistent || !split(d) ? "state_dir" : "run_dir");
	return s ? s : "";
}

const char *state_path(struct daemon *d, bool persistent, const char *name, char *buf,
		       size_t size)
{
	snprintf(buf, size, "%s/%s", dir_of(d, persistent), name);
	return buf;
}

static int64_t mtime_of(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (int64_t)st.st_mtime : -1;
}

const char *state_load_path(struct daemon *d, const char *name, char *buf, size_t size)
{
	char run[4096];
	state_path(d, false, name, run, sizeof(run));
	state_path(d, true, name, buf, size);
	if (mtime_of(run) >= 0 && mtime_of(run) >= mtime_of(buf))
		snprintf(buf, size, "%s", run);
	return buf;
}

static int write_mode(struct daemon *d, const char *name, const void *data, size_t len,
		      mode_t mode)
{
	char path[4096];
	state_path(d, true, name, path, sizeof(path));
	if (fs_mkdir_parents(path, 0755) < 0 || fs_write_atomic(path, data, len, mode) < 0)
		return -1;
	if (d->state) {
		d->state->bytes += len;
		d->state->files++;
	}
	return 0;
}

void state_count(struct daemon *d, size_t bytes)
{
	if (d->state)
		d->state->bytes += bytes;
}

int state_write(struct daemon *d, const char *name, const void *data, size_t len)
{
	return write_mode(d, name, data, len, 0644);
}

int state_write_private(struct daemon *d, const char *name, const void *data, size_t len)
{
	return write_mode(d, name, data, len, 0600);
}

static int64_t *last_slot(struct state_io *s, const char *name)
{
	for (size_t i = 0; i < s->n_last; i++)
		if (strcmp(s->last[i].name, name) == 0)
			return &s->last[i].at_s;
	if (s->n_last == STATE_FILES)
		return NULL;
	snprintf(s->last[s->n_last].name, sizeof(s->last[0].name), "%s", name);
	s->last[s->n_last].at_s = 0;
	return &s->last[s->n_last++].at_s;
}

int state_persist(struct daemon *d, const char *name, bool force)
{
	char run[4096];
	if (!split(d))
		return 0;       /* written in place already */
	int64_t now = clock_mono_us() / 1000000, *last = d->state ? last_slot(d->state, name) : NULL;
	int64_t every = cfg_duration_ms(config_section(d->cfg, "main"), "persist_interval") / 1000;
	if (!force && last && *last && now - *last < every)
		return 0;
	size_t len;
	char *buf = fs_read_file(state_path(d, false, name, run, sizeof(run)), STATE_FILE_MAX, &len);
	if (!buf)
		return errno == ENOENT ? 0 : -1;
	int rc = state_write(d, name, buf, len);
	int e = errno;
	free(buf);
	if (rc < 0) {
		errno = e;
		return -1;
	}
	if (last)
		*last = now;
	return 1;
}

int state_start(struct daemon *d)
{
	d->state = calloc(1, sizeof(*d->state));
	if (!d->state)
		return -1;
	d->state->started_s = clock_mono_us() / 1000000;
	return 0;
}

void state_stop(struct daemon *d)
{
	free(d->state);
	d->state = NULL;
}

json_object *state_view(struct daemon *d)
{
	const struct state_io *s = d->state;
	json_object *o = json_object_new_object();
	double days = s ? (double)(clock_mono_us() / 1000000 - s->started_s) / 86400.0 : 0;
	json_add_str(o, "state_dir", dir_of(d, true));
	json_add_str(o, "run_dir", dir_of(d, false));
	json_object_object_add(o, "persist_interval_s", json_object_new_int64(
		cfg_duration_ms(config_section(d->cfg, "main"), "persist_interval") / 1000));
	/* Counted where copies are made (run_dir set); written in place
	 * otherwise, and not counted: null. */
	bool counted = s && split(d);
	json_add_count(o, "state_bytes_written", counted ? (long long)s->bytes : -1);
	json_add_count(o, "state_files_written", counted ? (long long)s->files : -1);
	/* Per day from an hour of uptime on; earlier it is mostly start-up. */
	json_add_num(o, "state_bytes_per_day",
		     counted && days >= 1.0 / 24 ? (double)s->bytes / days : NAN, 0);
	return o;
}
