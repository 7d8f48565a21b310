/* adm_audit: `config audit`, the configuration's drift and risk. Each
 * finding has a severity, the check that made it, where, what, and a fix. */
#include "admin/adm_audit_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "ctl/ctl_validate.h"

#define SHIPPED_PREFIX "/rom"   /* OpenWrt: the config as the firmware shipped it */
#define LISTED_CHANGES 8

void adm_finding(struct adm_audit *a, enum adm_severity sev, const char *check,
		 const char *where, const char *fix, const char *fmt, ...)
{
	static const char *const names[] = { "info", "warning", "critical" };
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_object *f = json_object_new_object();
	json_object_object_add(f, "severity", json_object_new_string(names[sev]));
	json_object_object_add(f, "check", json_object_new_string(check));
	json_object_object_add(f, "where", where ? json_object_new_string(where) : NULL);
	json_object_object_add(f, "message", json_object_new_string(msg));
	json_object_object_add(f, "fix", fix ? json_object_new_string(fix) : NULL);
	json_object_array_add(a->findings, f);
	a->counts[sev]++;
}

/* "main.log_level: 'info' -> 'debug'" for the first few changes. */
static void describe(json_object *diff, char *out, size_t size)
{
	size_t n = json_object_array_length(diff), len = 0;
	out[0] = '\0';
	for (size_t i = 0; i < n && i < LISTED_CHANGES && len < size; i++) {
		json_object *e = json_object_array_get_idx(diff, i), *v;
		const char *sec = json_object_object_get_ex(e, "section", &v) ?
				  json_object_get_string(v) : "?";
		const char *opt = json_object_object_get_ex(e, "option", &v) && v ?
				  json_object_get_string(v) : NULL;
		const char *chg = json_object_object_get_ex(e, "change", &v) ?
				  json_object_get_string(v) : "?";
		len += (size_t)snprintf(out + len, size - len, "%s%s %s%s%s", i ? "; " : "", chg,
					sec, opt ? "." : "", opt ? opt : "");
	}
	if (n > LISTED_CHANGES && len < size)
		snprintf(out + len, size - len, "; and %zu more", n - LISTED_CHANGES);
}

static void check_backup_drift(struct adm_audit *a)
{
	const struct adm_paths *p = a->p;
	char names[1][NAME_MAX + 1], path[PATH_MAX + NAME_MAX + 2], err[PATH_MAX + 64], list[600];
	if (adm_backup_list(p, names, 1) <= 0) {
		adm_finding(a, ADM_WARNING, "backup", p->dir, "autonomyctl config backup",
			    "no backup of %s in %s", p->config, p->dir);
		return;
	}
	snprintf(path, sizeof(path), "%s/%s", p->dir, names[0]);
	struct ctl_error verr = { .details = NULL };
	json_object *v = adm_verify_backup(p, path, &verr), *ok = NULL;
	json_object_put(verr.details);
	if (v && json_object_object_get_ex(v, "ok", &ok) && !json_object_get_boolean(ok))
		adm_finding(a, ADM_CRITICAL, "backup", path, "autonomyctl config backup",
			    "the newest backup does not verify (checksum or contents): "
			    "see autonomyctl config verify-backup");
	json_object_put(v);
	json_object *diff = adm_diff_files(path, p->config, err, sizeof(err));
	if (!diff)
		return;
	size_t n = json_object_array_length(diff);
	if (n) {
		describe(diff, list, sizeof(list));
		adm_finding(a, ADM_INFO, "drift_backup", p->config,
			    "autonomyctl config backup (once the changes are right)",
			    "%zu change%s since the newest backup %s: %s", n, n == 1 ? "" : "s",
			    names[0], list);
	}
	json_object_put(diff);
}

static bool same_value(const struct cfg_value *a, const struct cfg_value *b)
{
	if (a->n_items != b->n_items)
		return false;
	for (size_t i = 0; i < a->n_items; i++) {
		const struct cfg_item *x = &a->items[i], *y = &b->items[i];
		if (x->num != y->num || !x->str != !y->str || (x->str && strcmp(x->str, y->str)))
			return false;
	}
	return true;
}

/* Against the firmware's copy where there is one (OpenWrt's /rom), else
 * against the schema's defaults, section by section. */
static void check_defaults_drift(struct adm_audit *a)
{
	char shipped[PATH_MAX + 8], err[PATH_MAX + 64], list[600];
	snprintf(shipped, sizeof(shipped), SHIPPED_PREFIX "%s", a->p->config);
	if (access(shipped, R_OK) == 0) {
		json_object *diff = adm_diff_files(shipped, a->p->config, err, sizeof(err));
		size_t n = diff ? json_object_array_length(diff) : 0;
		if (n) {
			describe(diff, list, sizeof(list));
			adm_finding(a, ADM_INFO, "drift_defaults", a->p->config, NULL,
				    "%zu change%s from the shipped %s: %s", n, n == 1 ? "" : "s",
				    shipped, list);
		}
		json_object_put(diff);
		return;
	}
	if (!a->cfg)
		return;
	struct config *def = config_load_buf("<defaults>", "", 0, NULL);
	for (size_t i = 0; def && i < a->cfg->n_globals; i++) {
		const struct cfg_section *s = &a->cfg->globals[i], *d = &def->globals[i];
		size_t n = 0, len = 0;
		list[0] = '\0';
		for (size_t k = 0; k < s->def->n_opts; k++) {
			if (!s->vals[k].set || same_value(&s->vals[k], &d->vals[k]))
				continue;
			n++;
			if (len < sizeof(list))
				len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
							n > 1 ? ", " : "", s->def->opts[k].name);
		}
		if (n)
			adm_finding(a, ADM_INFO, "drift_defaults", s->name, NULL,
				    "%s: %zu option%s differ%s from the defaults: %s", s->name, n,
				    n == 1 ? "" : "s", n == 1 ? "s" : "", list);
	}
	config_free(def);
}

/* The config's own diagnostics: errors make the daemon refuse it; warnings
 * are unknown options (ignored) and options with no effect yet. */
static void check_diags(struct adm_audit *a, const struct cfg_diags *dg)
{
	for (size_t i = 0; i < dg->n; i++) {
		const struct cfg_diag *d = &dg->v[i];
		bool planned = strstr(d->msg, CFG_PLANNED_MSG) != NULL;
		adm_finding(a, d->severity == CFG_ERROR ? ADM_CRITICAL : ADM_WARNING,
			    d->severity == CFG_ERROR ? "config_error" : planned ? "no_effect" :
			    "config_warning", a->p->config,
			    d->severity == CFG_ERROR ? "fix the line; autonomyctl config validate" :
			    planned ? "remove the option, or keep it for a later version" :
			    "correct or remove the option", "%s", d->msg);
	}
}

json_object *adm_audit(const struct adm_paths *p, struct ctl_error *err)
{
	struct cfg_diags dg = { 0 };
	struct config *cfg = config_load_file(p->config, &dg);
	if (!cfg && access(p->config, R_OK) < 0) {
		ctl_error_set(err, CTL_E_FAILED, "cannot read %s", p->config);
		cfg_diags_free(&dg);
		return NULL;
	}
	struct adm_audit a = { .p = p, .cfg = cfg, .findings = json_object_new_array() };
	check_diags(&a, &dg);
	adm_check_modes(&a);
	adm_check_targets(&a);
	adm_check_detection(&a);
	check_backup_drift(&a);
	check_defaults_drift(&a);
	json_object *o = json_object_new_object(), *c = json_object_new_object();
	json_object_object_add(o, "config", json_object_new_string(p->config));
	json_object_object_add(o, "time_ts", json_object_new_int64((int64_t)time(NULL)));
	json_object_object_add(c, "critical", json_object_new_int((int)a.counts[ADM_CRITICAL]));
	json_object_object_add(c, "warning", json_object_new_int((int)a.counts[ADM_WARNING]));
	json_object_object_add(c, "info", json_object_new_int((int)a.counts[ADM_INFO]));
	json_object_object_add(o, "counts", c);
	json_object_object_add(o, "findings", a.findings);
	config_free(cfg);
	cfg_diags_free(&dg);
	return o;
}
