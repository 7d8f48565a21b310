/* gps: the router's position — gpsd (a JSON watch over TCP) and the dish
 * (get_location, diagnostics; through tel_position) — the best of them by
 * freshness and accuracy, shown in `status`; and the place key of it that
 * the Starlink predictor's location learning uses (tel_place). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "config/config.h"
#include "core/clock.h"
#include "core/fsutil.h"
#include "core/jsonutil.h"
#include "core/log.h"
#include "daemon/daemon.h"
#include "daemon/tel.h"
#include "gps/gps_kind.h"
#include "gps/gps_select.h"
#include "gps/gpsd_client.h"

#define GPSD_MAX_AGE_MS 10000

struct gps_state {
	struct gpsd_client *gpsd;
	struct gps_fix gpsd_fix, dish_fix;
	bool have_gpsd, have_dish;
	int best;                       /* 0 gpsd, 1 dish, -1 none */
	struct gps_fix best_fix;
	char why[160];
	char place[GPS_PLACE_MAX];
};

static struct gps_state *state(struct daemon *d)
{
	return *tel_kind_state(d, &tel_kind_gps);
}

static unsigned dish_max_age_ms(const struct daemon *d)
{
	/* Two update intervals: one missed answer does not lose the position. */
	return (unsigned)(2 * cfg_duration_ms(config_section(d->cfg, "starlink"),
					      "gps_update_interval"));
}

static void select_best(struct daemon *d)
{
	struct gps_state *g = state(d);
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
	if (gps_cell_id(g->best_fix.lat, g->best_fix.lon, GPS_PLACE_CELL_M, g->place,
			sizeof(g->place)) < 0)
		snprintf(g->place, sizeof(g->place), "here");
}

static void on_gpsd_fix(void *arg, const struct gps_fix *f)
{
	struct daemon *d = arg;
	if (!f->valid)
		return;
	state(d)->gpsd_fix = *f;
	state(d)->have_gpsd = true;
	select_best(d);
}

void gps_dish_fix(struct daemon *d, const struct gps_fix *f)
{
	if (!state(d) || !f->valid)
		return;
	state(d)->dish_fix = *f;
	state(d)->have_dish = true;
	select_best(d);
}

const char *gps_place(struct daemon *d)
{
	const struct gps_state *g = state(d);
	return g && g->best >= 0 && g->place[0] ? g->place : NULL;
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
	state(d)->gpsd = gpsd_client_new(d->base, &o, on_gpsd_fix, d);
	if (!state(d)->gpsd)
		log_errno(LOG_LVL_ERR, "gpsd client for %s:%d", o.host, o.port);
}

int gps_start(struct daemon *d)
{
	struct gps_state *g = calloc(1, sizeof(*g));
	if (!g)
		return -1;
	g->best = -1;
	*tel_kind_state(d, &tel_kind_gps) = g;
	start_gpsd(d);
	return 0;
}

void gps_stop(struct daemon *d)
{
	struct gps_state *g = state(d);
	if (!g)
		return;
	gpsd_client_free(g->gpsd);
	free(g);
	*tel_kind_state(d, &tel_kind_gps) = NULL;
}

void gps_reload(struct daemon *d)
{
	struct gps_state *g = state(d);
	gpsd_client_free(g->gpsd);
	g->gpsd = NULL;
	g->have_gpsd = false;
	start_gpsd(d);
	select_best(d);
}

/* ---- views -------------------------------------------------------------------------- */

json_object *gps_json(struct daemon *d)
{
	struct gps_state *g = state(d);
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
	if (!state(d) || !state(d)->gpsd) {
		json_object_object_add(o, "state", json_object_new_string("off"));
	} else {
		gpsd_client_stats(state(d)->gpsd, &st);
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
	return o;
}
