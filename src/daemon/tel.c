/* tel: per-member telemetry lifecycle, the path from a new sample to the
 * decision engine, and the router-wide kinds (see tel.h). Every kind is
 * reached through its ops table (engine/tel_kind.h). */
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
#include "daemon/record.h"
#include "events/ev_emit.h"

/* The daemon's side of one member's telemetry. */
struct mtel {
	struct member_rt *m;
	const struct tel_kind *k;       /* the kind of its class, NULL = none built */
	void *src;                      /* k->src_size bytes */
	struct event *timer;            /* when the verdict changes with time alone */
	char sig[512];                  /* what the source talks to (reload) */
};

static int64_t wall_now(void)
{
	return clock_wall_ms() / 1000;
}

static const struct tel_env *env(struct daemon *d)
{
	d->tel_env.cfg = d->cfg;
	return &d->tel_env;
}

void **tel_kind_state(struct daemon *d, const struct tel_kind *k)
{
	return &d->kind_state[tel_kind_index(k)];
}

void *tel_kind_shared(struct daemon *d, const struct tel_kind *k)
{
	return d->tel_env.shared[tel_kind_index(k)];
}

void *tel_source(const struct member_rt *m)
{
	return m->tel ? m->tel->src : NULL;
}

void tel_sig_section(const struct config *cfg, const char *section, json_object *sig)
{
	json_object *all = config_to_json(cfg, true), *sections, *v;
	if (json_object_object_get_ex(all, "sections", &sections) &&
	    json_object_object_get_ex(sections, section, &v))
		json_object_object_add(sig, section, json_object_get(v));
	json_object_put(all);
}

/* Everything the member's source talks to or is timed by: when this
 * changes on a reload, the source is restarted; otherwise it runs on. */
static void signature(struct member_rt *m, const struct tel_kind *k, char *out, size_t size)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "class", json_object_new_string(m->cls));
	json_object_object_add(o, "device", json_object_new_string(m->device));
	json_object_object_add(o, "enabled", json_object_new_boolean(m->enabled));
	if (k && k->signature)
		k->signature(m, o);
	snprintf(out, size, "%s", json_object_to_json_string(o));
	json_object_put(o);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	tel_changed(arg);
}

static int start_source(struct member_rt *m)
{
	const struct tel_kind *k = m->tel->k;
	if (!k || !k->start || !m->enabled)
		return 0;
	return k->start(m);
}

static void stop_source(struct member_rt *m)
{
	const struct tel_kind *k = m->tel->k;
	if (k && k->stop)
		k->stop(m);
}

/* The member's class decides its kind (and so its source and assessor). */
static int bind_kind(struct member_rt *m)
{
	struct mtel *t = m->tel;
	free(t->src);
	t->src = NULL;
	t->k = tel_kind_for_class(m->cls);
	const char *missing = cfg_kind_missing(m->cls);
	if (missing)
		log_warn("member %s: class %s: %s telemetry is not built into this autonomyd; "
			 "the member is probed and routed as any uplink", m->name, m->cls, missing);
	if (t->k && t->k->src_size && !(t->src = calloc(1, t->k->src_size)))
		return -1;
	return tel_member_init(&m->tm, m->cls, env(m->d));
}

int tel_member_start(struct member_rt *m)
{
	m->tel = calloc(1, sizeof(*m->tel));
	if (!m->tel)
		return -1;
	m->tel->m = m;
	m->tel->timer = evtimer_new(m->d->base, on_timer, m);
	if (!m->tel->timer || bind_kind(m) < 0)
		return -1;
	signature(m, m->tel->k, m->tel->sig, sizeof(m->tel->sig));
	if (start_source(m) < 0)
		log_err("member %s: its %s telemetry could not be started", m->name, m->cls);
	return 0;
}

void tel_member_stop(struct member_rt *m)
{
	if (!m->tel)
		return;
	stop_source(m);
	if (m->tel->timer)
		event_free(m->tel->timer);
	free(m->tel->src);
	free(m->tel);
	m->tel = NULL;
	tel_member_free(&m->tm);
}

void tel_member_reload(struct member_rt *m)
{
	char sig[sizeof(m->tel->sig)];

	if (!m->tel)
		return;
	const struct tel_kind *k = tel_kind_for_class(m->cls);
	signature(m, k, sig, sizeof(sig));
	if (k != m->tel->k) {
		stop_source(m);
		tel_member_free(&m->tm);
		if (bind_kind(m) < 0)
			log_err("member %s: out of memory for its telemetry", m->name);
	} else {
		tel_member_configure(&m->tm, env(m->d));
		if (strcmp(sig, m->tel->sig) == 0) {
			tel_changed(m);
			return;
		}
		stop_source(m);
	}
	snprintf(m->tel->sig, sizeof(m->tel->sig), "%s", sig);
	if (start_source(m) < 0)
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
	record_eval(m, now);
	tel_member_eval(&m->tm, now, wall);
	note_flags(m, &was);
	if (tel_member_apply(&m->tm, &m->ms, now))
		members_state_changed(m, NULL);
	else
		members_select(m->d);
	if (m->tel->k && m->tel->k->evaluated)
		m->tel->k->evaluated(m);
	arm(m, now, wall);
}

void tel_member_json(struct member_rt *m, json_object *o)
{
	const struct tel_verdict *v = &m->tm.v;
	json_object *t = json_object_new_object(), *p = json_object_new_array();

	for (unsigned i = 0; i < tel_kind_count(); i++) {
		const struct tel_kind *k = tel_kind_at(i);
		if (k->member_view && (k->every_member || (m->tel && k == m->tel->k)))
			json_object_object_add(o, k->view_key, k->member_view(m));
	}
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

/* ---- router-wide ------------------------------------------------------------------ */

int tel_shared_start(struct daemon *d)
{
	if (tel_env_init(&d->tel_env, d->cfg) < 0) {
		log_err("out of memory for the telemetry kinds");
		return -1;
	}
	return 0;
}

void tel_shared_stop(struct daemon *d)
{
	tel_env_free(&d->tel_env);
}

int tel_start(struct daemon *d)
{
	for (unsigned i = 0; i < tel_kind_count(); i++) {
		const struct tel_kind *k = tel_kind_at(i);
		if (k->d_start && k->d_start(d) < 0) {
			log_err("cannot start %s", k->name);
			return -1;
		}
	}
	return 0;
}

void tel_stop(struct daemon *d)
{
	for (unsigned i = tel_kind_count(); i-- > 0;) {
		const struct tel_kind *k = tel_kind_at(i);
		if (k->d_stop)
			k->d_stop(d);
	}
}

void tel_reload(struct daemon *d)
{
	for (unsigned i = 0; i < tel_kind_count(); i++) {
		const struct tel_kind *k = tel_kind_at(i);
		if (k->d_reload)
			k->d_reload(d);
	}
}

void tel_position(struct daemon *d, const struct gps_fix *f)
{
	for (unsigned i = 0; i < tel_kind_count(); i++) {
		const struct tel_kind *k = tel_kind_at(i);
		if (k->position)
			k->position(d, f);
	}
}

const char *tel_place(struct daemon *d)
{
	for (unsigned i = 0; i < tel_kind_count(); i++) {
		const struct tel_kind *k = tel_kind_at(i);
		const char *p = k->where ? k->where(d) : NULL;
		if (p)
			return p;
	}
	/* Without a position (a fixed dish, no GPS), everything happens "here". */
	return "here";
}

void tel_status_json(struct daemon *d, json_object *o)
{
	for (unsigned i = 0; i < tel_kind_count(); i++) {
		const struct tel_kind *k = tel_kind_at(i);
		if (k->status_view)
			json_object_object_add(o, k->status_key, k->status_view(d));
	}
}

/* For `health`: are the telemetry sources working? Per kind with a source
 * per member, how many there are and how many answer. */
void tel_health_json(struct daemon *d, json_object *s)
{
	json_object *o = json_object_new_object();
	bool ok = true;
	for (unsigned i = 0; i < tel_kind_count(); i++) {
		const struct tel_kind *k = tel_kind_at(i);
		char key[48];
		unsigned n = 0, answering = 0;
		if (k->health_view)
			json_object_object_add(s, k->health_key, k->health_view(d));
		if (!k->units || !k->answering)
			continue;
		for (size_t j = 0; j < d->n_members; j++) {
			const struct member_rt *m = d->members[j];
			if (!m->tel || m->tel->k != k || !m->enabled)
				continue;
			n++;
			answering += k->answering(m);
		}
		ok = ok && answering == n;
		json_object_object_add(o, k->units, json_object_new_int((int)n));
		snprintf(key, sizeof(key), "%s_answering", k->units);
		json_object_object_add(o, key, json_object_new_int((int)answering));
	}
	for (unsigned i = 0; i < tel_kind_count(); i++)
		if (tel_kind_at(i)->health_add)
			tel_kind_at(i)->health_add(d, o);
	json_object_object_add(o, "state", json_object_new_string(ok ? "ok" : "degraded"));
	json_object_object_add(o, "children", json_object_new_int((int)proc_running()));
	json_object_object_add(s, "telemetry", o);
}

static json_object *members_view(struct daemon *d, const struct tel_kind *k, const char *member,
				 struct ctl_error *err)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < d->n_members; i++) {
		struct member_rt *m = d->members[i];
		if (!m->tel || m->tel->k != k || (member && strcmp(m->name, member) != 0))
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
		ctl_error_set(err, CTL_E_BAD_ARGS, "no %s member '%s'", k->name, member);
		return NULL;
	}
	return a;
}

json_object *tel_command(struct daemon *d, struct ctl_conn *c, const char *cmd,
			 json_object *args, struct ctl_error *err, bool *served)
{
	char name[32];
	json_object *v;
	size_t n = strcspn(cmd, "_");
	const char *action = cmd[n] ? cmd + n + 1 : NULL;

	snprintf(name, sizeof(name), "%.*s", (int)n, cmd);
	const struct tel_kind *k = tel_kind_find(name);
	*served = k != NULL || cfg_kind_missing(name) != NULL;
	if (!k) {
		if (*served)
			ctl_error_set(err, CTL_E_FAILED, "%s telemetry is not built into this "
				      "autonomyd", name);
		return NULL;
	}
	if (!action)
		return members_view(d, k, json_object_object_get_ex(args, "member", &v) ?
				    json_object_get_string(v) : NULL, err);
	if (!k->action) {
		ctl_error_set(err, CTL_E_FAILED, "%s has no action '%s'", k->name, action);
		return NULL;
	}
	return k->action(d, c, action, args, err);
}
