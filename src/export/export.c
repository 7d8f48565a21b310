/* export: the registry of exporters and their lifecycle. Adding an exporter
 * is its ops table and one line in export_kinds[]; its config section has
 * the same name and an `enabled` option. */
#include "export/export_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "core/log.h"

static const struct export_ops *const export_kinds[] = {
#ifdef AUTONOMY_WITH_PROMETHEUS
	&export_prom_ops,
#endif
#ifdef AUTONOMY_WITH_SNMP
	&export_snmp_ops,
#endif
#ifdef AUTONOMY_WITH_MQTT
	&export_mqtt_ops,
#endif
};
#define N_KINDS (sizeof(export_kinds) / sizeof(export_kinds[0]))

/* Sections of exporters this build may lack (WITH_*=OFF): enabled there,
 * they are reported instead of silently doing nothing. */
static const char *const known_sections[] = { "prometheus", "snmp", "mqtt" };
#define N_KNOWN (sizeof(known_sections) / sizeof(known_sections[0]))

struct export_run {
	const struct export_ops *ops;
	void *st;
	char sig[4096];         /* its sections as text: a reload restarts it on a change */
	char error[200];        /* why it is not running ("" = running or off) */
};

struct export_set {
	struct export_ctx ctx;
	struct export_run run[N_KINDS > 0 ? N_KINDS : 1];
	char missing[N_KNOWN][16];      /* enabled but not built */
};

static void section_sig(const struct cfg_section *s, char *out, size_t size)
{
	json_object *o = config_section_json(s, true);
	snprintf(out, size, "%s", o ? json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN) : "");
	json_object_put(o);
}

/* Its section, and the one it also depends on (a listener: security's TLS). */
static void run_sig(const struct config *cfg, const struct export_ops *ops, char *out,
		    size_t size)
{
	section_sig(config_section(cfg, ops->name), out, size);
	size_t len = strlen(out);
	if (ops->also && len < size)
		section_sig(config_section(cfg, ops->also), out + len, size - len);
}

static void seed_counts(struct export_set *x)
{
	const struct config *cfg = x->ctx.cfg;
	const char *names[64];
	size_t n = 0;
	for (size_t i = 0; i < cfg->n_members && n < 64; i++)
		names[n++] = cfg->members[i].name;
	if (export_counts_seed(&x->ctx.fo, names, n) < 0)
		log_err("export: out of memory for the failover counters");
}

static void start_one(struct export_set *x, struct export_run *r)
{
	const struct cfg_section *s = config_section(x->ctx.cfg, r->ops->name);
	r->error[0] = '\0';
	run_sig(x->ctx.cfg, r->ops, r->sig, sizeof(r->sig));
	if (!cfg_bool(s, "enabled"))
		return;
	r->st = r->ops->start(&x->ctx, s, r->error, sizeof(r->error));
	if (!r->st) {
		if (!r->error[0])
			snprintf(r->error, sizeof(r->error), "could not start");
		log_err("%s exporter: %s", r->ops->name, r->error);
	}
}

static void stop_one(struct export_run *r)
{
	if (r->st)
		r->ops->stop(r->st);
	r->st = NULL;
}

static bool built(const char *name)
{
	for (size_t i = 0; i < N_KINDS; i++)
		if (strcmp(export_kinds[i]->name, name) == 0)
			return true;
	return false;
}

static void check_missing(struct export_set *x)
{
	for (size_t i = 0; i < N_KNOWN; i++) {
		const struct cfg_section *s = config_section(x->ctx.cfg, known_sections[i]);
		bool miss = !built(known_sections[i]) && s && cfg_bool(s, "enabled");
		if (miss && !x->missing[i][0])
			log_err("%s.enabled is set, but this autonomyd was built without it "
				"(WITH_%s=OFF)", known_sections[i],
				strcmp(known_sections[i], "prometheus") == 0 ? "PROMETHEUS" :
				strcmp(known_sections[i], "snmp") == 0 ? "SNMP" : "MQTT");
		snprintf(x->missing[i], sizeof(x->missing[i]), "%s", miss ? known_sections[i] : "");
	}
}

struct export_set *export_start(const struct export_host *h, const struct config *cfg)
{
	struct export_set *x = calloc(1, sizeof(*x));
	if (!x)
		return NULL;
	x->ctx.host = h;
	x->ctx.base = h->base;
	x->ctx.cfg = cfg;
	x->ctx.snap_max_age_us = 0;      /* every reader wants the state as it is now */
	seed_counts(x);
	check_missing(x);
	for (size_t i = 0; i < N_KINDS; i++) {
		x->run[i].ops = export_kinds[i];
		start_one(x, &x->run[i]);
	}
	return x;
}

void export_reload(struct export_set *x, const struct config *cfg)
{
	if (!x)
		return;
	x->ctx.cfg = cfg;
	export_snap_free(&x->ctx.snap);         /* member set may differ */
	seed_counts(x);
	check_missing(x);
	for (size_t i = 0; i < N_KINDS; i++) {
		struct export_run *r = &x->run[i];
		char sig[sizeof(r->sig)];
		run_sig(cfg, r->ops, sig, sizeof(sig));
		if (strcmp(sig, r->sig) != 0 || (!r->st && r->error[0])) {
			stop_one(r);
			start_one(x, r);
			if (r->st)
				log_notice("%s exporter (re)started with its new settings",
					   r->ops->name);
		} else if (r->st && r->ops->on_members) {
			r->ops->on_members(r->st);
		}
	}
}

void export_event(struct export_set *x, json_object *ev)
{
	if (!x || !ev)
		return;
	x->ctx.events++;
	export_counts_event(&x->ctx.fo, ev);
	export_snap_free(&x->ctx.snap);         /* what the event changed shows at once */
	for (size_t i = 0; i < N_KINDS; i++)
		if (x->run[i].st && x->run[i].ops->on_event)
			x->run[i].ops->on_event(x->run[i].st, ev);
}

void export_stop(struct export_set *x)
{
	if (!x)
		return;
	for (size_t i = 0; i < N_KINDS; i++)
		stop_one(&x->run[i]);
	export_snap_free(&x->ctx.snap);
	export_counts_free(&x->ctx.fo);
	free(x);
}

json_object *export_view(struct export_set *x)
{
	json_object *o = json_object_new_object();
	if (!x)
		return o;
	for (size_t i = 0; i < N_KINDS; i++) {
		const struct export_run *r = &x->run[i];
		json_object *e = r->st && r->ops->view ? r->ops->view(r->st) : json_object_new_object();
		if (!r->st)
			json_object_object_add(e, "state", json_object_new_string(
				r->error[0] ? "failed" : "off"));
		if (r->error[0])
			json_object_object_add(e, "error", json_object_new_string(r->error));
		json_object_object_add(o, r->ops->name, e);
	}
	for (size_t i = 0; i < N_KNOWN; i++)
		if (x->missing[i][0]) {
			json_object *e = json_object_new_object();
			json_object_object_add(e, "state", json_object_new_string("not built"));
			json_object_object_add(o, known_sections[i], e);
		}
	json_object_object_add(o, "failovers_total", json_object_new_int64((int64_t)x->ctx.fo.total));
	return o;
}
