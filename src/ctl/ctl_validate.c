#include "ctl/ctl_validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl_client.h"

json_object *ctl_diags_json(const struct cfg_diags *dg, bool only_warnings)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < dg->n; i++) {
		bool is_err = dg->v[i].severity == CFG_ERROR;
		if (only_warnings && is_err)
			continue;
		json_object *o = json_object_new_object();
		json_object_object_add(o, "severity",
				       json_object_new_string(is_err ? "error" : "warning"));
		json_object_object_add(o, "line", json_object_new_int(dg->v[i].line));
		json_object_object_add(o, "message", json_object_new_string(dg->v[i].msg));
		json_object_array_add(a, o);
	}
	return a;
}

/* The reply for a loaded (or refused) config named name. */
static json_object *validate_result(const char *name, struct config *cfg, struct cfg_diags *dg,
				    struct ctl_error *err)
{
	json_object *out = NULL;
	if (!cfg) {
		ctl_error_set(err, CTL_E_CONFIG_INVALID, "%s has %zu error(s)", name,
			      dg->n_errors);
		err->details = ctl_diags_json(dg, false);
	} else {
		out = json_object_new_object();
		json_object_object_add(out, "file", json_object_new_string(name));
		json_object_object_add(out, "valid", json_object_new_boolean(1));
		json_object_object_add(out, "members",
				       json_object_new_int((int)cfg->n_members));
		json_object_object_add(out, "warnings", ctl_diags_json(dg, true));
	}
	config_free(cfg);
	cfg_diags_free(dg);
	return out;
}

json_object *ctl_config_validate(const char *path, struct ctl_error *err)
{
	struct cfg_diags dg = { 0 };
	struct config *cfg = config_load_file(path, &dg);
	return validate_result(path, cfg, &dg, err);
}

json_object *ctl_config_validate_text(const char *text, size_t len, struct ctl_error *err)
{
	struct cfg_diags dg = { 0 };
	struct config *cfg = config_load_buf("<text>", text, len, &dg);
	return validate_result("<text>", cfg, &dg, err);
}

json_object *ctl_config_validate_auto(const char *sock, const char *file, int timeout_ms,
				      struct ctl_error *err)
{
	if (file)
		return ctl_config_validate(file, err);
	struct ctl_error ignored;
	json_object *st = ctl_client_call(sock, "status", NULL, timeout_ms, &ignored);
	json_object_put(ignored.details);
	json_object *cf = NULL;
	const char *env = getenv("AUTONOMY_CONFIG");
	char path[4096];
	if (st && json_object_object_get_ex(st, "config_file", &cf) && cf)
		snprintf(path, sizeof(path), "%s", json_object_get_string(cf));
	else
		snprintf(path, sizeof(path), "%s", env && *env ? env : CTL_DEFAULT_CONFIG);
	json_object_put(st);
	return ctl_config_validate(path, err);
}
