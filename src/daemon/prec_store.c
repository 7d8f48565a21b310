/* prec_store: the decision engine's precursor records (engine/decide.h
 * "Precursors") in state_dir/precursors.json, so that a kind of prediction
 * that has cried wolf on a member keeps its bar across a restart. Loaded
 * once at start; saved every 10 minutes when a record changed, and at exit
 * (a few hundred bytes; nothing is written while nothing is predicted).
 * The reader survives any content (tests/fuzz/fuzz_prec_store.c): a file
 * that is not a precursors document is left alone and the daemon starts
 * without records. */
#include "daemon/prec_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "config/config.h"
#include "core/fsutil.h"
#include "core/log.h"
#include "daemon/daemon.h"
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

static void save(struct daemon *d)
{
	if (!d->dec->prec_dirty)
		return;
	json_object *o = decide_prec_to_json(d->dec);
	const char *txt = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	if (fs_mkdir_parents(d->prec->path, 0755) < 0 ||
	    fs_write_atomic(d->prec->path, txt, strlen(txt), 0644) < 0)
		log_errno(LOG_LVL_WARN, "cannot save %s (kept in memory)", d->prec->path);
	else
		d->dec->prec_dirty = false;
	json_object_put(o);
}

static void on_save(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	save(arg);
}

int prec_store_start(struct daemon *d)
{
	const char *dir = cfg_str(config_section(d->cfg, "main"), "state_dir");
	d->prec = calloc(1, sizeof(*d->prec));
	if (!d->prec)
		return -1;
	snprintf(d->prec->path, sizeof(d->prec->path), "%s/%s", dir, PREC_FILE);
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
		save(d);
	if (d->prec->timer)
		event_free(d->prec->timer);
	free(d->prec);
	d->prec = NULL;
}
