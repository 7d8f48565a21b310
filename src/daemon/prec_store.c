/* prec_store: the decision engine's precursor records (engine/decide.h
 * "Precursors") in state_dir/precursors.json, so that a kind of prediction
 * that has cried wolf on a member keeps its bar across a restart. Loaded
 * once at start; the working copy in run_dir is rewritten every 10 minutes
 * when a record changed, and reaches state_dir (flash) at most every
 * main.persist_interval and at exit (daemon/state.h): a few hundred bytes,
 * nothing at all while nothing is predicted.
 * The reader survives any content (tests/fuzz/fuzz_prec_store.c): a file
 * that is not a precursors document is left alone and the daemon starts
 * without records. */
#include "daemon/prec_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "core/fsutil.h"
#include "core/log.h"
#include "daemon/daemon.h"
#include "daemon/state.h"
#include "engine/decide_prec_json.h"

#define SAVE_EVERY_S 600
#define PREC_FILE "precursors.json"

struct prec_store {
	struct event *timer;
	char path[4096];
};

static void load(struct daemon *d)
{
	size_t len;
	state_load_path(d, PREC_FILE, d->prec->path, sizeof(d->prec->path));
	char *buf = fs_read_file(d->prec->path, 1 << 20, &len);
	if (!buf)
		return;         /* none yet */
	int n = decide_prec_load(d->dec, buf, len);
	if (n < 0)
		log_warn("%s: not a precursors file; starting without precursor records",
			 d->prec->path);
	else
		log_info("%s: %d precursor records", d->prec->path, n);
	free(buf);
}

static void save(struct daemon *d, bool force)
{
	if (d->dec->prec_dirty) {
		json_object *o = decide_prec_to_json(d->dec);
		const char *txt = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
		state_path(d, false, PREC_FILE, d->prec->path, sizeof(d->prec->path));
		if (fs_mkdir_parents(d->prec->path, 0755) < 0 ||
		    fs_write_atomic(d->prec->path, txt, strlen(txt), 0644) < 0)
			log_errno(LOG_LVL_WARN, "cannot save %s (kept in memory)", d->prec->path);
		else
			d->dec->prec_dirty = false;
		json_object_put(o);
	}
	if (state_persist(d, PREC_FILE, force) < 0)
		log_errno(LOG_LVL_WARN, "cannot copy %s to state_dir", PREC_FILE);
}

static void on_save(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	save(arg, false);
}

int prec_store_start(struct daemon *d)
{
	d->prec = calloc(1, sizeof(*d->prec));
	if (!d->prec)
		return -1;
	load(d);
	d->prec->timer = event_new(d->base, -1, EV_PERSIST, on_save, d);
	struct timeval tv = { SAVE_EVERY_S, 0 };
	return d->prec->timer && event_add(d->prec->timer, &tv) == 0 ? 0 : -1;
}

void prec_store_stop(struct daemon *d)
{
	if (!d->prec)
		return;
	if (d->dec)
		save(d, true);
	if (d->prec->timer)
		event_free(d->prec->timer);
	free(d->prec);
	d->prec = NULL;
}
