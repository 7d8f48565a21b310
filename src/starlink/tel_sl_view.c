/* tel_sl_view: what a starlink member's dish reports, for `members` and
 * `autonomyctl starlink`, and the operator's actions on the dish. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "core/clock.h"
#include "core/jsonutil.h"
#include "ctl/ctl_server.h"
#include "daemon/daemon.h"
#include "events/ev_emit.h"
#include "starlink/sl_client.h"
#include "daemon/record.h"
#include "starlink/tel_sl_int.h"

static void add_bool(json_object *o, const char *k, bool v)
{
	json_object_object_add(o, k, json_object_new_boolean(v));
}

static double age_s(uint64_t us)
{
	return us ? (double)(clock_mono_us() - us) / 1e6 : NAN;
}

static json_object *alerts_json(uint32_t bits)
{
	json_object *a = json_object_new_array();
	for (unsigned f = 1; f < 32; f++)
		if ((bits & SL_ALERT(f)) && sl_alert_name(f))
			json_object_array_add(a, json_object_new_string(sl_alert_name(f)));
	return a;
}

static json_object *obstruction_json(const struct sl_status *st)
{
	json_object *o = json_object_new_object();
	json_add_num(o, "fraction_obstructed", st->fraction_obstructed, 4);
	add_bool(o, "currently_obstructed", st->currently_obstructed);
	json_add_num(o, "time_obstructed", st->time_obstructed, 4);
	json_add_num(o, "valid_s", st->obstruction_valid_s, 0);
	json_add_num(o, "avg_prolonged_duration_s", st->avg_prolonged_obstruction_duration_s, 1);
	json_add_num(o, "avg_prolonged_interval_s", st->avg_prolonged_obstruction_interval_s, 1);
	return o;
}

static json_object *swu_json(const struct sl_status *st)
{
	json_object *o = json_object_new_object();
	json_add_str(o, "state", sl_swu_state_name(st->swu_state ? st->swu_state :
						    st->software_update_state));
	json_add_num(o, "progress", st->swu_progress, 2);
	add_bool(o, "requires_reboot", st->swu_requires_reboot);
	add_bool(o, "reboot_ready", st->swupdate_reboot_ready);
	view_add_time(o, "reboot_scheduled", st->reboot_scheduled_utc);
	return o;
}

static json_object *device_json(const struct tel_sl *t)
{
	json_object *o = json_object_new_object();
	json_add_str(o, "id", t->info.id);
	json_add_str(o, "hardware_version", t->info.hardware_version);
	json_add_str(o, "software_version", t->info.software_version);
	json_add_str(o, "country_code", t->info.country_code);
	json_object_object_add(o, "bootcount", json_object_new_int(t->info.bootcount));
	json_object_object_add(o, "api_version", json_object_new_int64((int64_t)t->api_version));
	return o;
}

static void status_into(json_object *o, const struct member_rt *m)
{
	const struct tel_sl *t = tel_sl_of(m);
	const struct sl_status *st = &t->st;
	const struct sl_predict *p = sl_pred_of(m);

	json_add_str(o, "state", st->has_outage ? "outage" : "connected");
	if (st->has_outage) {
		json_object *x = json_object_new_object();
		json_add_str(x, "cause", sl_cause_name(st->outage.cause));
		json_add_num(x, "duration_s", (double)st->outage.duration_ns / 1e9, 1);
		json_object_object_add(o, "outage", x);
	} else {
		json_object_object_add(o, "outage", NULL);
	}
	json_add_num(o, "status_age_s", age_s(t->st_us), 1);
	json_add_num(o, "pop_ping_drop_rate", st->pop_ping_drop_rate, 4);
	/* The late-2024 firmware bug: 0 ms is not believed. */
	json_add_num(o, "pop_ping_latency_ms", p->latency_bogus ? NAN : st->pop_ping_latency_ms, 1);
	add_bool(o, "latency_believed", !p->latency_bogus);
	json_add_num(o, "downlink_bps", st->downlink_bps, 0);
	json_add_num(o, "uplink_bps", st->uplink_bps, 0);
	json_object_object_add(o, "obstruction", obstruction_json(st));
	add_bool(o, "snr_above_noise_floor", st->is_snr_above_noise_floor);
	add_bool(o, "snr_persistently_low", st->is_snr_persistently_low);
	json_object_object_add(o, "alerts", alerts_json(st->alerts));
	json_object_object_add(o, "software_update", swu_json(st));
	add_bool(o, "stow_requested", st->stow_requested);
	json_object_object_add(o, "uptime_s", json_object_new_int64((int64_t)st->uptime_s));
	json_add_str(o, "mobility_class", sl_mobility_name(st->mobility_class));
	json_add_str(o, "disablement", sl_disablement_name(st->disablement_code));
	json_object *g = json_object_new_object();
	add_bool(g, "valid", st->gps_valid);
	json_object_object_add(g, "satellites", json_object_new_int((int)st->gps_sats));
	json_object_object_add(o, "gps", g);
}

static json_object *prediction_json(const struct member_rt *m)
{
	const struct sl_predict *p = sl_pred_of(m);
	json_object *o = json_object_new_object();
	json_add_str(o, "plan", sl_plan_name(p->plan));
	json_add_str(o, "plan_kind", p->plan_kind ? sl_plan_kind_name(p->plan_kind) : NULL);
	view_add_time(o, "reboot_at", p->plan_kind == SL_PK_REBOOT ? p->reboot_at : 0);
	add_bool(o, "obstruction_building", p->obstruct_flag);
	json_add_str(o, "place", p->place);
	json_object_object_add(o, "obstruction_outages_here_2h", json_object_new_int((int)p->here.recent));
	add_bool(o, "outages_recur_here", p->here.recurring);
	add_bool(o, "fast_polling", tel_sl_of(m)->fast);
	return o;
}

static json_object *calls_json(const struct sl_client_stats *cs)
{
	static const enum sl_call kinds[] = { SL_CALL_STATUS, SL_CALL_HISTORY, SL_CALL_DEVICE_INFO,
					      SL_CALL_LOCATION, SL_CALL_DIAGNOSTICS };
	json_object *o = json_object_new_object();
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		const struct sl_call_stats *c = &cs->call[kinds[i]];
		json_object *x = json_object_new_object();
		json_object_object_add(x, "count", json_object_new_int64((int64_t)c->count));
		json_object_object_add(x, "ok", json_object_new_int64((int64_t)c->ok));
		json_object_object_add(x, "errors", json_object_new_int64((int64_t)c->errors));
		json_add_num(x, "last_ok_ago_s", age_s(c->last_ok_us), 1);
		json_add_num(x, "last_latency_ms", c->last_ok_us ? (double)c->last_latency_us / 1e3 : NAN, 2);
		json_object_object_add(x, "bytes", json_object_new_int64(
			(int64_t)(c->bytes_out + c->bytes_in)));
		json_add_str(x, "last_error", c->last_error);
		json_object_object_add(o, sl_call_name(kinds[i]), x);
	}
	return o;
}

json_object *tel_sl_json(struct member_rt *m)
{
	const struct tel_sl *t = tel_sl_of(m);
	const struct cfg_section *s = config_section(m->d->cfg, "starlink");
	struct sl_client_stats cs;
	char api[80];

	if (!t)
		return NULL;
	json_object *o = json_object_new_object();
	snprintf(api, sizeof(api), "%s:%lld", cfg_str(s, "api_host"), cfg_int(s, "api_port"));
	json_add_str(o, "api", api);
	if (t->c)
		sl_client_stats(t->c, &cs);
	else
		memset(&cs, 0, sizeof(cs));
	add_bool(o, "reachable", t->c && cs.reachable);
	json_add_str(o, "connection", t->c ? cs.grpc.state : "off");
	json_add_str(o, "error", t->last_error);
	if (t->have_st)
		status_into(o, m);
	else
		json_add_str(o, "state", t->c ? "not answered yet" : "not polled (member disabled)");
	json_object_object_add(o, "device", t->have_info ? device_json(t) : NULL);
	json_object *h = NULL;
	if (t->hist_us) {
		h = json_object_new_object();
		json_object_object_add(h, "samples", json_object_new_int((int)t->hist_n));
		json_object_object_add(h, "current", json_object_new_int64((int64_t)t->hist_current));
		json_object_object_add(h, "outages", json_object_new_int((int)t->hist_outages));
		json_add_num(h, "drop_rate_60s", sl_pred_of(m)->hist_drop60, 4);
		json_add_num(h, "age_s", age_s(t->hist_us), 1);
	}
	json_object_object_add(o, "history", h);
	json_object *l = NULL;
	if (t->have_loc) {
		l = json_object_new_object();
		json_add_num(l, "lat", t->loc.lat, 6);
		json_add_num(l, "lon", t->loc.lon, 6);
		json_add_num(l, "sigma_m", t->loc.sigma_m > 0 ? t->loc.sigma_m : NAN, 1);
		json_add_num(l, "age_s", age_s(t->loc_us), 0);
	}
	json_object_object_add(o, "location", l);
	add_bool(o, "location_denied", t->c && cs.location_denied);
	json_object *dg = NULL;
	if (t->have_diag) {
		static const char *const self_test[] = { "NO_RESULT", "PASSED", "FAILED" };
		dg = json_object_new_object();
		json_add_str(dg, "hardware_self_test", (unsigned)t->diag.hardware_self_test < 3 ?
			self_test[t->diag.hardware_self_test] : "UNKNOWN");
		add_bool(dg, "stowed", t->diag.stowed);
	}
	json_object_object_add(o, "diagnostics", dg);
	json_object_object_add(o, "prediction", prediction_json(m));
	if (t->c)
		json_object_object_add(o, "calls", calls_json(&cs));
	return o;
}

/* ---- operator actions --------------------------------------------------------- */

static const struct {
	const char *name;
	enum sl_call call;
	enum sl_plan_kind plan;
} actions[] = {
	{ "reboot", SL_CALL_REBOOT, SL_PK_REBOOT },
	{ "stow", SL_CALL_STOW, SL_PK_STOW },
	{ "unstow", SL_CALL_UNSTOW, SL_PK_NONE },
};

static void conn_gone(void *arg)
{
	struct member_rt *m = arg;
	if (tel_sl_of(m))
		tel_sl_of(m)->act_conn = NULL;
}

static void action_done(void *arg, int status, const char *text)
{
	struct member_rt *m = arg;
	struct tel_sl *t = tel_sl_of(m);
	struct ctl_conn *c = t->act_conn;

	ev_emit_dish_result(m->d->bus, m->name, t->act_name, status == 0, text);
	t->act_conn = NULL;
	if (!c)
		return;
	if (status != 0) {
		struct ctl_error err = { .details = NULL };
		ctl_error_set(&err, CTL_E_FAILED, "dish %s failed: %s", t->act_name, text);
		ctl_conn_reply(c, ctl_reply_err(&err));
		return;
	}
	json_object *o = json_object_new_object();
	json_add_str(o, "member", m->name);
	json_add_str(o, "action", t->act_name);
	add_bool(o, "accepted", true);
	json_add_str(o, "active_member", m->d->active);
	ctl_conn_reply(c, ctl_reply_ok(o));
}

static struct member_rt *pick_dish(struct daemon *d, const char *name, struct ctl_error *err)
{
	struct member_rt *found = NULL;
	unsigned n = 0;
	for (size_t i = 0; i < d->n_members; i++) {
		struct member_rt *m = d->members[i];
		if (m->tm.kind != &tel_kind_starlink || (name && strcmp(m->name, name) != 0))
			continue;
		found = m;
		n++;
	}
	if (n == 1)
		return found;
	if (name)
		ctl_error_set(err, CTL_E_BAD_ARGS, "no starlink member '%s'", name);
	else if (n == 0)
		ctl_error_set(err, CTL_E_FAILED, "no member of class starlink is configured");
	else
		ctl_error_set(err, CTL_E_BAD_ARGS, "%u starlink members: name one with --member", n);
	return NULL;
}

json_object *tel_sl_action(struct daemon *d, struct ctl_conn *c, const char *action,
			   json_object *args, struct ctl_error *err)
{
	json_object *v;
	const char *name = json_object_object_get_ex(args, "member", &v) ?
			   json_object_get_string(v) : NULL;
	bool confirm = json_object_object_get_ex(args, "confirm", &v) && json_object_get_boolean(v);
	size_t k = 0;
	while (k < sizeof(actions) / sizeof(actions[0]) && strcmp(actions[k].name, action))
		k++;
	struct member_rt *m = k < sizeof(actions) / sizeof(actions[0]) ? pick_dish(d, name, err) : NULL;
	if (!m)
		return NULL;
	if (!confirm) {
		ctl_error_set(err, CTL_E_BAD_ARGS, "'starlink %s' takes the dish of %s offline: "
			      "confirm with --confirm", action, m->name);
		return NULL;
	}
	struct tel_sl *t = tel_sl_of(m);
	if (!t || !t->c) {
		ctl_error_set(err, CTL_E_FAILED, "member %s is disabled: its dish is not polled", m->name);
		return NULL;
	}
	if (t->act_conn || sl_client_action(t->c, actions[k].call, action_done, m) < 0) {
		ctl_error_set(err, CTL_E_FAILED, "another dish action is still running");
		return NULL;
	}
	snprintf(t->act_name, sizeof(t->act_name), "%s", action);
	/* A planned outage: traffic leaves the dish before it goes. */
	if (actions[k].plan != SL_PK_NONE) {
		uint64_t now = clock_mono_us();
		json_object *op = json_object_new_object();
		json_object_object_add(op, "operator", json_object_new_string(action));
		record_telemetry(m, "starlink", op, now);
		sl_predict_operator(sl_pred_of(m), actions[k].plan, now, clock_wall_ms() / 1000);
		tel_changed(m);
	}
	ev_emit_dish_action(d->bus, m->name, action);
	t->act_conn = c;
	ctl_conn_on_close(c, conn_gone, m);
	return CTL_REPLY_DEFERRED;
}
