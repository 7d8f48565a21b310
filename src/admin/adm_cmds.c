/* adm_cmds: the config-management commands as the CLI and the rpcd plugin
 * run them (no daemon needed; the daemon is only asked which config it
 * runs with). */
#include "admin/adm.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *const commands[] = {
	"config_backup", "config_verify_backup", "config_audit", "security_audit",
};

bool adm_is_command(const char *cmd)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(cmd, commands[i]) == 0)
			return true;
	return false;
}

static const char *arg_str(json_object *args, const char *k)
{
	json_object *v;
	return args && json_object_object_get_ex(args, k, &v) ? json_object_get_string(v) : NULL;
}

json_object *adm_run(const char *cmd, json_object *args, const char *sock,
		     const char *config, bool over_ubus, struct ctl_error *err)
{
	const char *to = arg_str(args, "to"), *file = arg_str(args, "file");
	char path[PATH_MAX], why[160];
	struct adm_paths p;
	/* rpcd runs us as root for any session its ACL admits: a path from
	 * the caller would let it read or write files only root may. */
	if (over_ubus && (to || file)) {
		ctl_error_set(err, CTL_E_BAD_ARGS, "over ubus, %s works on the daemon's own config "
			      "and backups; no file names", cmd);
		return NULL;
	}
	adm_config_path(sock, config, path, sizeof(path));
	if (adm_paths_init(&p, path, why, sizeof(why)) < 0) {
		ctl_error_set(err, CTL_E_BAD_ARGS, "%s", why);
		return NULL;
	}
	if (strcmp(cmd, "config_backup") == 0)
		return adm_backup(&p, to, (int64_t)time(NULL), err);
	if (strcmp(cmd, "config_verify_backup") == 0)
		return adm_verify_backup(&p, file, err);
	if (strcmp(cmd, "config_audit") == 0)
		return adm_audit(&p, err);
	if (strcmp(cmd, "security_audit") == 0)
		return adm_security_audit(&p, sock, err);
	ctl_error_set(err, CTL_E_UNKNOWN_CMD, "unknown command '%s'", cmd);
	return NULL;
}
