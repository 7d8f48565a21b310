/* ctl_validate: `config validate` as one function, shared by the daemon's
 * handler and the CLI's local (daemon-less) path, so both answer alike. */
#ifndef AUTONOMY_CTL_VALIDATE_H
#define AUTONOMY_CTL_VALIDATE_H

#include <json-c/json.h>

#include "config/config.h"
#include "ctl/ctl_proto.h"

/* [{"severity":"error","line":12,"message":"FILE:12: ..."}]; with
 * only_warnings, errors are left out. */
json_object *ctl_diags_json(const struct cfg_diags *dg, bool only_warnings);

/* Returns {"file","valid":true,"members","warnings":[...]} or NULL with err
 * set (CTL_E_CONFIG_INVALID, details = the diagnostics). */
json_object *ctl_config_validate(const char *path, struct ctl_error *err);
/* The same for a config given as text (reported as "<text>"). */
json_object *ctl_config_validate_text(const char *text, size_t len, struct ctl_error *err);

#define CTL_DEFAULT_CONFIG "/etc/config/autonomy"

/* Like ctl_config_validate; with file NULL it checks the file the running
 * daemon uses (asked over sock, waiting at most timeout_ms), else
 * $AUTONOMY_CONFIG, else the default. */
json_object *ctl_config_validate_auto(const char *sock, const char *file, int timeout_ms,
				      struct ctl_error *err);

#endif
