/* adm_paths: which config, and where its backups go. */
#include "admin/adm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/uci.h"
#include "ctl/ctl_client.h"

#define KEEP_DEFAULT 10
#define KEEP_MAX     1000

void adm_config_path(const char *sock, const char *explicit, char *out, size_t size)
{
	if (explicit && *explicit) {
		snprintf(out, size, "%s", explicit);
		return;
	}
	struct ctl_error ignored = { .details = NULL };
	json_object *st = sock ? ctl_client_call(sock, "status", NULL, 3000, &ignored) : NULL, *cf;
	json_object_put(ignored.details);
	const char *env = getenv("AUTONOMY_CONFIG");
	if (st && json_object_object_get_ex(st, "config_file", &cf) && cf)
		snprintf(out, size, "%s", json_object_get_string(cf));
	else
		snprintf(out, size, "%s", env && *env ? env : ADM_DEFAULT_CONFIG);
	json_object_put(st);
}

static const char *raw_option(const struct uci_package *pkg, const char *opt)
{
	const struct uci_section *s = pkg ? uci_find_section(pkg, "main") : NULL;
	const struct uci_option *o = s ? uci_find_option(s, opt) : NULL;
	return o && o->n_values && o->values[0][0] ? o->values[0] : NULL;
}

/* main.backup_dir, else STATE_DIR/backups (main.state_dir or its default). */
static void backup_dir(struct adm_paths *p, const struct uci_package *pkg)
{
	const char *dir = raw_option(pkg, "backup_dir"), *state = raw_option(pkg, "state_dir");
	if (dir && dir[0] == '/') {
		snprintf(p->dir, sizeof(p->dir), "%s", dir);
		return;
	}
	if (dir)
		snprintf(p->note, sizeof(p->note), "main.backup_dir '%s' is not absolute: "
			 "using the default", dir);
	if (!state || state[0] != '/')
		state = "/var/lib/autonomy";
	snprintf(p->dir, sizeof(p->dir), "%s/backups", state);
}

static void backup_keep(struct adm_paths *p, const struct uci_package *pkg)
{
	const char *keep = raw_option(pkg, "backup_keep");
	char *end = NULL;
	long v = keep ? strtol(keep, &end, 10) : KEEP_DEFAULT;
	if (keep && (*end || v < 1 || v > KEEP_MAX)) {
		snprintf(p->note, sizeof(p->note), "main.backup_keep '%.32s' is not 1..%d: "
			 "keeping %d", keep, KEEP_MAX, KEEP_DEFAULT);
		v = KEEP_DEFAULT;
	}
	p->keep = (unsigned)v;
}

int adm_paths_init(struct adm_paths *p, const char *config, char *err, size_t errsz)
{
	memset(p, 0, sizeof(*p));
	const char *slash = strrchr(config, '/');
	const char *base = slash ? slash + 1 : config;
	if (!*base || strlen(config) + sizeof(".backup") > sizeof(p->config) ||
	    strlen(base) > 64) {
		snprintf(err, errsz, "'%s' is not a config file name", config);
		return -1;
	}
	snprintf(p->config, sizeof(p->config), "%s", config);
	snprintf(p->backup, sizeof(p->backup), "%s.backup", config);
	snprintf(p->base, sizeof(p->base), "%s", base);
	/* A config with errors is still backed up: its main section is read
	 * as plain UCI, and what cannot be read takes the defaults. */
	struct uci_package pkg;
	struct uci_error uerr;
	bool parsed = uci_parse_file(config, &pkg, &uerr) == 0;
	backup_dir(p, parsed ? &pkg : NULL);
	backup_keep(p, parsed ? &pkg : NULL);
	if (parsed)
		uci_package_free(&pkg);
	return 0;
}
