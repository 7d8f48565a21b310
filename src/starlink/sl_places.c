/* sl_places: where the dish's obstruction outages happen (the starlink
 * kind's shared loclearn, used by every starlink member's predictor), kept
 * in state_dir/locations.json (working copy in run_dir, daemon/state.h):
 * loaded at start, saved every 10 minutes when it changed and at exit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "core/fsutil.h"
#include "core/log.h"
#include "daemon/daemon.h"
#include "daemon/state.h"
#include "starlink/loclearn.h"
#include "starlink/tel_sl_int.h"

#define SAVE_EVERY_S 600
#define LEARN_FILE "locations.json"

struct sl_places {
	struct event *save_timer;
	char path[4096];
};

static struct loclearn *learnt(struct daemon *d)
{
	return tel_kind_shared(d, &tel_kind_starlink);
}

static void load(struct daemon *d, struct sl_places *p)
{
	size_t len;
	state_load_path(d, LEARN_FILE, p->path, sizeof(p->path));
	char *buf = fs_read_file(p->path, 1 << 20, &len);
	if (!buf)
		return;         /* none yet */
	json_object *o = json_tokener_parse(buf);
	if (loclearn_from_json(learnt(d), o) < 0)
		log_warn("%s: not a locations file; starting without learnt places", p->path);
	else
		log_info("%s: %u learnt places", p->path, learnt(d)->n);
	json_object_put(o);
	free(buf);
}

/* The working copy in run_dir when places changed; state_dir (flash) gets
 * it at most every persist_interval, and at shutdown (force). */
static void save(struct daemon *d, struct sl_places *p, bool force)
{
	struct loclearn *l = learnt(d);
	if (l->dirty) {
		json_object *o = loclearn_to_json(l);
		const char *txt = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
		state_path(d, false, LEARN_FILE, p->path, sizeof(p->path));
		if (fs_mkdir_parents(p->path, 0755) < 0 ||
		    fs_write_atomic(p->path, txt, strlen(txt), 0644) < 0)
			log_errno(LOG_LVL_WARN, "cannot save %s (kept in memory)", p->path);
		else
			l->dirty = false;
		json_object_put(o);
	}
	if (state_persist(d, LEARN_FILE, force) < 0)
		log_errno(LOG_LVL_WARN, "cannot copy %s to state_dir", LEARN_FILE);
}

static void on_save(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	struct daemon *d = arg;
	save(d, *tel_kind_state(d, &tel_kind_starlink), false);
}

int sl_places_start(struct daemon *d)
{
	struct sl_places *p = calloc(1, sizeof(*p));
	if (!p)
		return -1;
	*tel_kind_state(d, &tel_kind_starlink) = p;
	load(d, p);
	p->save_timer = event_new(d->base, -1, EV_PERSIST, on_save, d);
	struct timeval tv = { SAVE_EVERY_S, 0 };
	if (!p->save_timer || event_add(p->save_timer, &tv) < 0)
		return -1;
	return 0;
}

void sl_places_stop(struct daemon *d)
{
	struct sl_places *p = *tel_kind_state(d, &tel_kind_starlink);
	if (!p)
		return;
	save(d, p, true);
	if (p->save_timer)
		event_free(p->save_timer);
	free(p);
	*tel_kind_state(d, &tel_kind_starlink) = NULL;
}

void sl_places_health(struct daemon *d, json_object *telemetry)
{
	const struct loclearn *l = learnt(d);
	json_object_object_add(telemetry, "learnt_places", json_object_new_int(l ? (int)l->n : 0));
}
