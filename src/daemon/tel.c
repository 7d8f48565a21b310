/* tel: per-member telemetry lifecycle and the path from a new sample to the
 * decision engine (see tel.h). */
#include "daemon/tel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "config/config.h"
#include "core/clock.h"
#include "core/proc.h"
#include "core/log.h"
#include "daemon/daemon.h"
#include "daemon/members.h"
#include "daemon/tel_int.h"
#include "events/ev_emit.h"

static int64_t wall_now(void)
{
	return clock_wall_ms() / 1000;
}

static void params(struct daemon *d, struct tel_params *tp)
{
	tel_params_from_config(d->cfg, tp);
	if (cfg_bool(config_section(d->cfg, "starlink"), "location_learning"))
		tp->sl.learn = d->learn;
}

/* Everything the member's source talks to or is timed by: when this
 * changes on a reload, the source is restarted; otherwise it runs on. */
static void signature(struct member_rt *m, char *out, size_t size)
{
	const struct config *cfg = m->d->cfg;
	const struct cfg_section *s = config_member(cfg, m->name);
	json_object *o = json_object_new_object();
	const char *secs[] = { "starlink", "cellular", "wifi", "gps" };

	json_object_object_add(o, "class", json_object_new_string(m->cls));
	json_object_object_add(o, "device", json_object_new_string(m->device));
	json_object_object_add(o, "enabled", json_object_new_boolean(m->enabled));
	if (s) {
		json_object_object_add(o, "modem", json_object_new_int64(
			cfg_is_set(s, "modem") ? cfg_int(s, "modem") : -1));
		const char *q = cfg_str(s, "qmi_device");
		json_object_object_add(o, "qmi", json_object_new_string(q ? q : ""));
	}
	json_object *all = config_to_json(cfg, true), *sections, *v;
	if (json_object_object_get_ex(all, "sections", &sections))
		for (size_t i = 0; i < sizeof(secs) / sizeof(secs[0]); i++)
			if (json_object_object_get_ex(sections, secs[i], &v))
				json_object_object_add(o, secs[i], json_object_get(v));
	snprintf(out, size, "%s", json_object_to_json_string(o));
	json_object_put(all);
	json_object_put(o);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	tel_changed(arg);
}

static int start_sources(struct member_rt *m)
{
	if (!m->enabled)
		return 0;
	switch (m->tm.cls) {
	case TEL_STARLINK: return tel_sl_start(m);
	case TEL_CELLULAR: return tel_cell_start(m);
	case TEL_WIFI: return tel_wifi_start(m);
	default: return 0;
	}
}

static void stop_sources(struct member_rt *m)
{
	tel_sl_stop(m);
	tel_cell_stop(m);
	tel_wifi_stop(m);
}

int tel_member_start(struct member_rt *m)
{
	struct tel_params tp;
	params(m->d, &tp);
	tel_member_init(&m->tm, tel_class_of(m->cls), &tp);
	m->tel = calloc(1, sizeof(*m->tel));
	if (!m->tel)
		return -1;
	m->tel->m = m;
	m->tel->timer = evtimer_new(m->d->base, on_timer, m);
	if (!m->tel->timer)
		return -1;
	signature(m, m->tel->sig, sizeof(m->tel->sig));
	if (start_sources(m) < 0)
		log_err("member %s: its %s telemetry could not be started", m->name, m->cls);
	return 0;
}

void tel_member_stop(struct member_rt *m)
{
	if (!m->tel)
		return;
	stop_sources(m);
	if (m->tel->timer)
		event_free(m->tel->timer);
	free(m->tel);
	m->tel = NULL;
}

void tel_member_reload(struct member_rt *m)
{
	struct tel_params tp;
	char sig[sizeof(m->tel->sig)];

	if (!m->tel)
		return;
	params(m->d, &tp);
	enum tel_class cls = tel_class_of(m->cls);
	signature(m, sig, sizeof(sig));
	if (cls != m->tm.cls) {
		stop_sources(m);
		tel_member_init(&m->tm, cls, &tp);
	} else {
		tel_member_configure(&m->tm, &tp);
		if (strcmp(sig, m->tel->sig) == 0) {
			tel_changed(m);
			return;
		}
		stop_sources(m);
	}
	snprintf(m->tel->sig, sizeof(m->tel->sig), "%s", sig);
	if (start_sources(m) < 0)
		log_err("member %s: its %s telemetry could not be restarted", m->name, m->cls);
	tel_changed(m);
}

/* Logs when a verdict's flags come or go: these move traffic. */
static void note_flags(struct member_rt *m, const struct tel_verdict *was)
{
	const struct tel_verdict *v = &m->tm.v;
	struct { bool before, now; const char *what, *reason; } f[] = {
		{ was->predicted, v->predicted, "outage predicted", v->predict_reason },
		{ was->exclude, v->exclude, "excluded (last resort only)", v->exclude_reason },
		{ was->link_down, v->link_down, "link down", v->link_reason },
	};
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		if (f[i].now != f[i].before)
			ev_emit_tel_flag(m->d->bus, m->name, f[i].what, f[i].now, f[i].reason);
	}
}

static void arm(struct member_rt *m, uint64_t now, int64_t wall)
{
	uint64_t at = tel_member_next_us(&m->tm, now, wall);
	if (at == UINT64_MAX) {
		evtimer_del(m->tel->timer);
		return;
	}
	uint64_t us = at > now ? at - now : 0;
	struct timeval tv = { (time_t)(us / 1000000u), (suseconds_t)(us % 1000000u) };
	evtimer_add(m->tel->timer, &tv);
}

void tel_changed(struct member_rt *m)
{
	uint64_t now = clock_mono_us();
	int64_t wall = wall_now();
	struct tel_verdict was = m->tm.v;

	if (!m->tel)
		return;
	tel_member_eval(&m->tm, now, wall);
	note_flags(m, &was);
	if (tel_member_apply(&m->tm, &m->ms, now))
		members_state_changed(m, NULL);
	else
		members_select(m->d);
	tel_sl_suspect(m);
	arm(m, now, wall);
}

void tel_member_json(struct member_rt *m, json_object *o)
{
	const struct tel_verdict *v = &m->tm.v;
	json_object *t = json_object_new_object(), *p = json_object_new_array();

	if (m->tm.cls == TEL_STARLINK)
		json_object_object_add(o, "starlink", tel_sl_json(m));
	else if (m->tm.cls == TEL_CELLULAR)
		json_object_object_add(o, "cellular", tel_cell_json(m));
	else if (m->tm.cls == TEL_WIFI)
		json_object_object_add(o, "wifi", tel_wifi_json(m));
	json_object_object_add(o, "data_usage", usage_member_json(m->d, m));
	for (unsigned i = 0; i < v->n_pen; i++) {
		json_object *e = json_object_new_object();
		json_object_object_add(e, "source", json_object_new_string(v->pen[i].source));
		json_object_object_add(e, "points", json_object_new_int(v->pen[i].points));
		json_object_object_add(e, "text", json_object_new_string(v->pen[i].reason));
		json_object_array_add(p, e);
	}
	json_object_object_add(t, "penalties", p);
	json_object_object_add(t, "predicted_outage", v->predicted ?
			       json_object_new_string(v->predict_reason) : NULL);
	json_object_object_add(t, "excluded", v->exclude ?
			       json_object_new_string(v->exclude_reason) : NULL);
	json_object_object_add(t, "link_down", v->link_down ?
			       json_object_new_string(v->link_reason) : NULL);
	json_object_object_add(o, "telemetry", t);
}

/* For `health`: are the telemetry sources working? */
json_object *tel_health_json(struct daemon *d)
{
	unsigned dishes = 0, answering = 0, modems = 0, modems_ok = 0, radios = 0, radios_ok = 0;
	for (size_t i = 0; i < d->n_members; i++) {
		const struct member_rt *m = d->members[i];
		const struct mtel *t = m->tel;
		if (!t || !m->enabled)
			continue;
		if (m->tm.cls == TEL_STARLINK) {
			dishes++;
			answering += t->sl.have_st && !t->sl.last_error[0];
		} else if (m->tm.cls == TEL_CELLULAR) {
			modems++;
			modems_ok += t->cell.have && !t->cell.error[0];
		} else if (m->tm.cls == TEL_WIFI) {
			radios++;
			radios_ok += t->wifi.have && !t->wifi.error[0];
		}
	}
	json_object *o = json_object_new_object();
	bool ok = answering == dishes && modems_ok == modems && radios_ok == radios;
	json_object_object_add(o, "state", json_object_new_string(ok ? "ok" : "degraded"));
	json_object_object_add(o, "dishes", json_object_new_int((int)dishes));
	json_object_object_add(o, "dishes_answering", json_object_new_int((int)answering));
	json_object_object_add(o, "modems", json_object_new_int((int)modems));
	json_object_object_add(o, "modems_answering", json_object_new_int((int)modems_ok));
	json_object_object_add(o, "radios", json_object_new_int((int)radios));
	json_object_object_add(o, "radios_answering", json_object_new_int((int)radios_ok));
	json_object_object_add(o, "children", json_object_new_int((int)proc_running()));
	return o;
}

json_object *tel_class_view(struct daemon *d, const char *cls, const char *member,
			    struct ctl_error *err)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < d->n_members; i++) {
		struct member_rt *m = d->members[i];
		if (strcmp(m->cls, cls) != 0 || (member && strcmp(m->name, member) != 0))
			continue;
		json_object *o = json_object_new_object();
		json_object_object_add(o, "name", json_object_new_string(m->name));
		json_object_object_add(o, "device", json_object_new_string(m->device));
		json_object_object_add(o, "active", json_object_new_boolean(m->active));
		tel_member_json(m, o);
		json_object_array_add(a, o);
	}
	if (member && json_object_array_length(a) == 0) {
		json_object_put(a);
		ctl_error_set(err, CTL_E_BAD_ARGS, "no %s member '%s'", cls, member);
		return NULL;
	}
	return a;
}
