/* tel_sl: a starlink member's dish — the gRPC poll client (starlink/sl_client)
 * feeding the predictor (starlink/sl_predict), the `starlink` view, and the
 * operator's reboot / stow / unstow. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "core/clock.h"
#include "core/jsonutil.h"
#include "core/log.h"
#include "ctl/ctl_server.h"
#include "daemon/daemon.h"
#include "engine/gps_types.h"
#include "events/ev_emit.h"
#include "starlink/sl_client.h"
#include "daemon/record.h"
#include "starlink/sl_record.h"
#include "starlink/tel_sl_int.h"
#include "starlink/sl_frame.h"
#include "starlink/sl_pb.h"

static int64_t wall_now(void)
{
	return clock_wall_ms() / 1000;
}

/* A recording daemon keeps what the predictor reads of the history: its
 * newest minute and the outages (sl_predict_history). */
#define RECORD_HISTORY_S 60

static void record_history(struct member_rt *m, const struct sl_history *h, uint64_t now)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "history", sl_history_json(h, RECORD_HISTORY_S));
	record_telemetry(m, "starlink", o, now);
}

static void on_status(struct member_rt *m, const struct sl_status *st)
{
	struct tel_sl *t = tel_sl_of(m);
	uint64_t now = clock_mono_us();
	t->st = *st;
	t->have_st = true;
	t->st_us = now;
	if (st->info.id[0]) {
		t->info = st->info;
		t->have_info = true;
	}
	const char *place = tel_place(m->d);
	if (strcmp(place, t->rec_place) != 0) {
		json_object *g = json_object_new_object();
		json_object_object_add(g, "place", json_object_new_string(place));
		record_telemetry(m, "gps", g, now);
		snprintf(t->rec_place, sizeof(t->rec_place), "%s", place);
	}
	record_telemetry(m, "starlink", sl_status_json(st), now);
	sl_predict_place(sl_pred_of(m), place);
	sl_predict_status(sl_pred_of(m), st, now, wall_now());
}

/* The dish's position into the daemon's position sources. */
static void dish_fix(struct member_rt *m, double lat, double lon, double alt, double sigma,
		     double speed)
{
	struct gps_fix f;
	gps_fix_init(&f);
	f.source = GPS_SRC_STARLINK;
	f.lat = lat;
	f.lon = lon;
	f.alt_m = alt;
	f.accuracy_m = sigma > 0 ? sigma : NAN;
	f.speed_mps = speed;
	f.valid = isfinite(lat) && isfinite(lon) && fabs(lat) <= 90 && fabs(lon) <= 180 &&
		  !(lat == 0 && lon == 0);
	f.mode = f.valid ? 3 : 1;
	f.mono_us = clock_mono_us();
	tel_position(m->d, &f);
}

static void on_reply(void *arg, const struct sl_reply *r)
{
	struct member_rt *m = arg;
	struct tel_sl *t = tel_sl_of(m);
	uint64_t now = clock_mono_us();

	t->api_version = r->api_version;
	if (t->last_error[0]) {
		ev_emit_tel_source(m->d->bus, m->name, "dish", NULL, NULL);
		t->last_error[0] = 0;
	}
	switch (r->call) {
	case SL_CALL_STATUS:
		on_status(m, &r->status);
		break;
	case SL_CALL_HISTORY:
		t->hist_current = r->history.current;
		t->hist_n = r->history.n;
		t->hist_outages = r->history.n_outages;
		t->hist_us = now;
		record_history(m, &r->history, now);
		sl_predict_history(sl_pred_of(m), &r->history, now, wall_now());
		break;
	case SL_CALL_DEVICE_INFO:
		t->info = r->device_info;
		t->have_info = true;
		return;
	case SL_CALL_LOCATION:
		t->loc = r->location;
		t->have_loc = true;
		t->loc_us = now;
		dish_fix(m, r->location.lat, r->location.lon, r->location.alt_m,
			 r->location.sigma_m, r->location.h_speed_mps);
		return;
	case SL_CALL_DIAGNOSTICS:
		t->diag = r->diag;
		t->have_diag = true;
		if (r->diag.loc_enabled)
			dish_fix(m, r->diag.lat, r->diag.lon, r->diag.alt_m,
				 r->diag.loc_uncertainty_valid ? r->diag.uncertainty_m : 0, NAN);
		return;
	default:
		return;
	}
	tel_changed(m);
}

static void on_error(void *arg, enum sl_call call, int status, const char *message)
{
	struct member_rt *m = arg;
	struct tel_sl *t = tel_sl_of(m);
	char text[160];

	t->errors++;
	snprintf(text, sizeof(text), "%s: %s%s%s", sl_call_name(call),
		 status < 0 ? "" : sl_grpc_status_name(status), status < 0 || !message[0] ? "" : ": ",
		 message);
	/* Logged when the error changes, not at every poll of a dead dish. */
	if (strcmp(text, t->last_error) != 0)
		ev_emit_tel_source(m->d->bus, m->name, "dish", text, NULL);
	snprintf(t->last_error, sizeof(t->last_error), "%s", text);
	if (call == SL_CALL_STATUS || call == SL_CALL_HISTORY) {
		const char *what = message[0] ? message : sl_call_name(call);
		uint64_t now = clock_mono_us();
		json_object *e = json_object_new_object();
		json_object_object_add(e, "error", json_object_new_string(what));
		record_telemetry(m, "starlink", e, now);
		sl_predict_error(sl_pred_of(m), what, now);
		tel_changed(m);
	}
}

static void on_location_denied(void *arg)
{
	struct member_rt *m = arg;
	ev_emit_dish_no_location(m->d->bus, m->name);
}

static bool dish_location_wanted(const struct config *cfg)
{
	const struct cfg_section *g = config_section(cfg, "gps");
	const char *src = cfg_enum_str(g, "source");
	return cfg_bool(g, "enabled") && (strcmp(src, "auto") == 0 || strcmp(src, "starlink") == 0);
}

int tel_sl_start(struct member_rt *m)
{
	const struct cfg_section *s = config_section(m->d->cfg, "starlink");
	struct sl_client_opts o = {
		.host = cfg_str(s, "api_host"),
		.port = (uint16_t)cfg_int(s, "api_port"),
		.ifname = m->device,
		.call_timeout_ms = (unsigned)cfg_duration_ms(s, "api_timeout_ms"),
		.status_interval_ms = (uint32_t)cfg_duration_ms(s, "health_check_interval"),
		.history_interval_ms = (uint32_t)cfg_duration_ms(s, "obstruction_check_interval"),
		.location_interval_ms = dish_location_wanted(m->d->cfg) ?
			(uint32_t)cfg_duration_ms(s, "gps_update_interval") : SL_SCHED_OFF,
	};
	struct sl_client_cbs cbs = {
		.on_reply = on_reply, .on_error = on_error,
		.on_location_denied = on_location_denied, .arg = m,
	};
	tel_sl_of(m)->c = sl_client_new(m->d->base, &o, &cbs);
	if (!tel_sl_of(m)->c) {
		log_errno(LOG_LVL_ERR, "member %s: dish client for %s:%u", m->name, o.host, o.port);
		return -1;
	}
	return 0;
}

void tel_sl_stop(struct member_rt *m)
{
	struct tel_sl *t = tel_sl_of(m);
	sl_client_free(t->c);
	t->c = NULL;
	if (t->act_conn) {
		struct ctl_error err = { .code = CTL_E_FAILED, .details = NULL };
		ctl_error_set(&err, CTL_E_FAILED, "the dish client was restarted before it answered");
		ctl_conn_reply(t->act_conn, ctl_reply_err(&err));
		t->act_conn = NULL;
	}
}

void tel_sl_suspect(struct member_rt *m)
{
	struct tel_sl *t = tel_sl_of(m);
	bool fast;
	if (!t->c)
		return;
	fast = sl_predict_suspect(sl_pred_of(m));
	if (fast != t->fast)
		sl_client_set_fast(t->c, fast);
	t->fast = fast;
}
