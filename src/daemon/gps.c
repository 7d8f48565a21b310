/* gps: the router's position — gpsd (a JSON watch over TCP) and the dish
 * (get_location, diagnostics) — the best of them by freshness and accuracy,
 * shown in `status`; and the place key and the learnt obstruction places
 * (engine/loclearn) that the Starlink predictor uses, kept in
 * state_dir/locations.json (working copy in run_dir, daemon/state.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "config/config.h"
#include "core/clock.h"
#include "core/fsutil.h"
#include "core/json_strict.h"
#include "core/jsonutil.h"
#include "core/log.h"
#include "daemon/state.h"
#include "daemon/daemon.h"
#include "daemon/tel.h"
#include "engine/loclearn.h"
#include "link/gps_select.h"
#include "link/gpsd_client.h"

#define GPSD_MAX_AGE_MS 10000
#define SAVE_EVERY_S 600
#define LEARN_FILE "locations.json"
#define LEARN_MAX_BYTES (1u << 20)

struct gps_state {
	struct gpsd_client *gpsd;
	struct gps_fix gpsd_fix, dish_fix;
	bool have_gpsd, have_dish;
	int best;                       /* 0 gpsd, 1 dish, -1 none */
	struct gps_fix best_fix;
	char why[160];
	char place[LOCLEARN_KEY_MAX];
	struct event *save_timer;
	char learn_path[4096];
	bool configured_gpsd;
};

static unsigned dish_max_age_ms(const struct daemon *d)
{
	/* Two update intervals: one missed answer does not lose the position. */
	return (unsigned)(2 * cfg_duration_ms(config_section(d->cfg, "starlink"),
					      "gps_update_interval"));
}

static void select_best(struct daemon *d)
{
	struct gps_state *g = d->gps;
	const struct cfg_section *s = config_section(d->cfg, "gps");
	struct gps_candidate c[2] = {
		{ g->have_gpsd ? &g->gpsd_fix : NULL, GPSD_MAX_AGE_MS },
		{ g->have_dish ? &g->dish_fix : NULL, dish_max_age_ms(d) },
	};
	int only = gps_select_source_parse(cfg_enum_str(s, "source"));
	int best = cfg_bool(s, "enabled") ?
		   gps_select(c, 2, only < 0 ? GPS_SRC_NONE : (enum gps_src)only, clock_mono_us(),
			      g->why, sizeof(g->why)) : -1;
	if (!cfg_bool(s, "enabled"))
		snprintf(g->why, sizeof(g->why), "gps.enabled is off");
	g->best = best;
	if (best < 0)
		return;
	g->best_fix = *c[best].fix;
	if (gps_cell_id(g->best_fix.lat, g->best_fix.lon, LOCLEARN_CELL_M, g->place,
			sizeof(g->place)) < 0)
		snprintf(g->place, sizeof(g->place), "here");
}

static void on_gpsd_fix(void *arg, const struct gps_fix *f)
{
	struct daemon *d = arg;
	if (!f->valid)
		return;
	d->gps->gpsd_fix = *f;
	d->gps->have_gpsd = true;
	select_best(d);
}

void gps_dish_fix(struct daemon *d, const struct gps_fix *f)
{
	if (!d->gps || !f->valid)
		return;
	d->gps->dish_fix = *f;
	d->gps->have_dish = true;
	select_best(d);
}

const char *gps_place(struct daemon *d)
{
	/* Without a position (a fixed dish, no GPS), everything happens "here". */
	if (!d->gps || d->gps->best < 0 || !d->gps->place[0])
		return "here";
	return d->gps->place;
}

/* ---- learnt places on disk --------------------------------------------------- */

/* Any content, any kind of file: a bad one is moved aside (kept for a
 * look, and not overwritten by the next save) and learning starts afresh. */
static void learn_load(struct daemon *d)
{
	const char *path = d->gps->learn_path;
	char why[200], bad[4200];
	size_t len;
	state_load_path(d, LEARN_FILE, d->gps->learn_path, sizeof(d->gps->learn_path));
	char *buf = fs_read_file(path, LEARN_MAX_BYTES, &len);
	json_object *o = NULL;
	if (!buf && errno == ENOENT)
		return;         /* none yet */
	if (!buf)
		snprintf(why, sizeof(why), "%s", fs_read_strerror(errno));
	else if (!(o = json_strict_parse(buf, len, why, sizeof(why))))
		;
	else if (loclearn_from_json(d->learn, o) < 0)
		snprintf(why, sizeof(why), "not a locations file");
	else
		why[0] = '\0';
	json_object_put(o);
	free(buf);
	if (!why[0]) {
		log_info("%s: %u learnt places", path, d->learn->n);
		return;
	}
	if (fs_set_aside(path, bad, sizeof(bad)) < 0)
		log_warn("%s: %s; starting without learnt places (cannot move it aside: %s)", path,
			 why, strerror(errno));
	else
		log_warn("%s: %s; kept as %s, starting without learnt places", path, why, bad);
}

/* The working copy in run_dir when places changed; state_dir (flash) gets
 * it at most every persist_interval, and at shutdown (force). */
static void learn_save(struct daemon *d, bool force)
{
	if (d->learn->dirty) {
		json_object *o = loclearn_to_json(d->learn);
		const char *txt = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
		state_path(d, false, LEARN_FILE, d->gps->learn_path, sizeof(d->gps->learn_path));
		if (fs_mkdir_parents(d->gps->learn_path, 0755) < 0 ||
		    fs_write_atomic(d->gps->learn_path, txt, strlen(txt), 0644) < 0)
			log_errno(LOG_LVL_WARN, "cannot save %s (kept in memory)",
				  d->gps->learn_path);
		else
			d->learn->dirty = false;
		json_object_put(o);
	}
	if (state_persist(d, LEARN_FILE, force) < 0)
		log_errno(LOG_LVL_WARN, "cannot copy %s to state_dir", LEARN_FILE);
}

static void on_save(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	learn_save(arg, false);
}

/* ---- lifecycle ------------------------------------------------------------------ */

static void start_gpsd(struct daemon *d)
{
	const struct cfg_section *s = config_section(d->cfg, "gps");
	const char *src = cfg_enum_str(s, "source");
	struct gpsd_client_opts o = {
		.host = cfg_str(s, "gpsd_host"), .port = (int)cfg_int(s, "gpsd_port"),
	};
	if (!cfg_bool(s, "enabled") || (strcmp(src, "auto") && strcmp(src, "gpsd")))
		return;
	d->gps->gpsd = gpsd_client_new(d->base, &o, on_gpsd_fix, d);
	if (!d->gps->gpsd)
		log_errno(LOG_LVL_ERR, "gpsd client for %s:%d", o.host, o.port);
}

int gps_start(struct daemon *d)
{
	d->learn = calloc(1, sizeof(*d->learn));
	d->gps = calloc(1, sizeof(*d->gps));
	if (!d->learn || !d->gps)
		return -1;
	loclearn_init(d->learn);
	d->gps->best = -1;
	learn_load(d);
	d->gps->save_timer = event_new(d->base, -1, EV_PERSIST, on_save, d);
	struct timeval tv = { SAVE_EVERY_S, 0 };
	if (!d->gps->save_timer || event_add(d->gps->save_timer, &tv) < 0)
		return -1;
	start_gpsd(d);
	return 0;
}

void gps_stop(struct daemon *d)
{
	if (!d->gps)
		return;
	learn_save(d, true);
	gpsd_client_free(d->gps->gpsd);
	if (d->gps->save_timer)
		event_free(d->gps->save_timer);
	free(d->gps);
	free(d->learn);
	d->gps = NULL;
	d->learn = NULL;
}

void gps_reload(struct daemon *d)
{
	gpsd_client_free(d->gps->gpsd);
	d->gps->gpsd = NULL;
	d->gps->have_gpsd = false;
	start_gpsd(d);
	select_best(d);
}

/* ---- views -------------------------------------------------------------------------- */

json_object *gps_json(struct daemon *d)
{
	struct gps_state *g = d->gps;
	json_object *o = json_object_new_object();
	if (!g)
		return o;
	select_best(d);                 /* ages move on */
	json_object_object_add(o, "reason", json_object_new_string(g->why));
	if (g->best < 0) {
		json_object_object_add(o, "source", NULL);
		return o;
	}
	const struct gps_fix *f = &g->best_fix;
	json_object_object_add(o, "source", json_object_new_string(gps_src_name(f->source)));
	json_object_object_add(o, "lat", json_num(f->lat, 6));
	json_object_object_add(o, "lon", json_num(f->lon, 6));
	json_object_object_add(o, "alt_m", isfinite(f->alt_m) ? json_num(f->alt_m, 1) : NULL);
	json_object_object_add(o, "accuracy_m", isfinite(f->accuracy_m) ?
			       json_num(f->accuracy_m, 1) : NULL);
	json_object_object_add(o, "speed_mps", isfinite(f->speed_mps) ?
			       json_num(f->speed_mps, 2) : NULL);
	json_object_object_add(o, "age_s", json_num((double)(clock_mono_us() - f->mono_us) / 1e6, 1));
	json_object_object_add(o, "place", json_object_new_string(g->place));
	return o;
}

json_object *gps_health_json(struct daemon *d)
{
	json_object *o = json_object_new_object();
	struct gpsd_client_stats st;
	if (!d->gps || !d->gps->gpsd) {
		json_object_object_add(o, "state", json_object_new_string("off"));
	} else {
		gpsd_client_stats(d->gps->gpsd, &st);
		json_object_object_add(o, "state", json_object_new_string(st.state));
		json_object_object_add(o, "connects", json_object_new_int64((int64_t)st.connects));
		json_object_object_add(o, "tpv", json_object_new_int64((int64_t)st.tpv));
		json_object_object_add(o, "errors", json_object_new_int64((int64_t)st.errors));
		json_object_object_add(o, "version", st.version[0] ?
				       json_object_new_string(st.version) : NULL);
		json_object_object_add(o, "device", st.device[0] ?
				       json_object_new_string(st.device) : NULL);
		json_object_object_add(o, "last_error", st.last_error[0] ?
				       json_object_new_string(st.last_error) : NULL);
	}
	json_object_object_add(o, "learnt_places", json_object_new_int(d->learn ? (int)d->learn->n : 0));
	return o;
}
