#include "ctl/ctl_proto.h"

#include "core/json_strict.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const errcode_names[] = {
	[CTL_E_BAD_JSON] = "bad_json",
	[CTL_E_BAD_REQUEST] = "bad_request",
	[CTL_E_UNKNOWN_CMD] = "unknown_command",
	[CTL_E_BAD_ARGS] = "bad_args",
	[CTL_E_TOO_LARGE] = "too_large",
	[CTL_E_FAILED] = "failed",
	[CTL_E_CONFIG_INVALID] = "config_invalid",
	[CTL_E_BUSY] = "busy",
	[CTL_E_INTERNAL] = "internal",
	[CTL_E_NOT_RUNNING] = "not_running",
	[CTL_E_PERMISSION] = "permission_denied",
	[CTL_E_TIMEOUT] = "timeout",
	[CTL_E_UNTRUSTED] = "untrusted_socket",
};

const char *ctl_errcode_name(enum ctl_errcode code)
{
	if ((size_t)code >= sizeof(errcode_names) / sizeof(errcode_names[0]))
		return "internal";
	return errcode_names[code];
}

enum ctl_errcode ctl_errcode_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(errcode_names) / sizeof(errcode_names[0]); i++)
		if (name && strcmp(errcode_names[i], name) == 0)
			return (enum ctl_errcode)i;
	return CTL_E_INTERNAL;
}

void ctl_error_set(struct ctl_error *err, enum ctl_errcode code, const char *fmt, ...)
{
	va_list ap;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
}

static bool arg_type_ok(enum ctl_arg_type t, json_object *v)
{
	switch (t) {
	case CTL_ARG_STRING: return json_object_is_type(v, json_type_string);
	case CTL_ARG_INT:    return json_object_is_type(v, json_type_int);
	case CTL_ARG_BOOL:   return json_object_is_type(v, json_type_boolean);
	}
	return false;
}

static const char *arg_type_name(enum ctl_arg_type t)
{
	static const char *const names[] = { "a string", "an integer", "a boolean" };
	return names[t];
}

/* Every given argument must be declared with the right type, and every
 * required one present: a typo in a script fails loudly instead of being
 * silently ignored. */
static int check_args(const struct ctl_cmd_desc *cmd, json_object *args,
		      struct ctl_error *err)
{
	json_object_object_foreach(args, key, val) {
		const struct ctl_arg_def *def = ctl_cmd_arg(cmd, key);
		if (!def) {
			ctl_error_set(err, CTL_E_BAD_ARGS, "%s: unknown argument '%.64s'",
				      cmd->name, key);
			return -1;
		}
		if (!arg_type_ok(def->type, val)) {
			ctl_error_set(err, CTL_E_BAD_ARGS, "%s: argument '%s' must be %s",
				      cmd->name, key, arg_type_name(def->type));
			return -1;
		}
	}
	for (size_t i = 0; i < cmd->n_args; i++) {
		if (cmd->args[i].required &&
		    !json_object_object_get_ex(args, cmd->args[i].name, NULL)) {
			ctl_error_set(err, CTL_E_BAD_ARGS, "%s: missing argument '%s'",
				      cmd->name, cmd->args[i].name);
			return -1;
		}
	}
	return 0;
}

/* Strictly (core/json_strict.h): a repeated key, a comment, an escaped NUL
 * or invalid UTF-8 is an error, not something to guess about. */
static json_object *parse_json(const char *line, size_t len, struct ctl_error *err)
{
	char why[160];
	json_object *root = json_strict_parse(line, len, why, sizeof(why));
	if (!root)
		ctl_error_set(err, CTL_E_BAD_JSON, "invalid JSON: %s", why);
	return root;
}

static int parse_envelope(json_object *root, struct ctl_request *req,
			  struct ctl_error *err)
{
	json_object *cmd, *args = NULL;
	if (!json_object_is_type(root, json_type_object)) {
		ctl_error_set(err, CTL_E_BAD_REQUEST, "request must be a JSON object");
		return -1;
	}
	if (!json_object_object_get_ex(root, "cmd", &cmd) ||
	    !json_object_is_type(cmd, json_type_string)) {
		ctl_error_set(err, CTL_E_BAD_REQUEST, "request needs a string \"cmd\"");
		return -1;
	}
	json_object_object_foreach(root, key, val) {
		(void)val;
		if (strcmp(key, "cmd") != 0 && strcmp(key, "args") != 0) {
			ctl_error_set(err, CTL_E_BAD_REQUEST, "unknown request key '%.64s'", key);
			return -1;
		}
	}
	req->cmd = ctl_cmd_find(json_object_get_string(cmd));
	if (!req->cmd) {
		ctl_error_set(err, CTL_E_UNKNOWN_CMD, "unknown command '%.64s'",
			      json_object_get_string(cmd));
		return -1;
	}
	if (json_object_object_get_ex(root, "args", &args) && args &&
	    !json_object_is_type(args, json_type_object)) {
		ctl_error_set(err, CTL_E_BAD_REQUEST, "\"args\" must be an object");
		return -1;
	}
	if (!args) {
		args = json_object_new_object();
		json_object_object_add(root, "args", args);
	}
	req->args = args;
	return check_args(req->cmd, args, err);
}

int ctl_parse_request(const char *line, size_t len, struct ctl_request *req,
		      struct ctl_error *err)
{
	memset(req, 0, sizeof(*req));
	err->details = NULL;
	if (len > CTL_MAX_REQUEST) {
		ctl_error_set(err, CTL_E_TOO_LARGE, "request larger than %d bytes",
			      CTL_MAX_REQUEST);
		return -1;
	}
	json_object *root = parse_json(line, len, err);
	if (!root)
		return -1;
	req->root = root;
	if (parse_envelope(root, req, err) < 0) {
		ctl_request_free(req);
		return -1;
	}
	return 0;
}

void ctl_request_free(struct ctl_request *req)
{
	if (req->root)
		json_object_put(req->root);
	memset(req, 0, sizeof(*req));
}

json_object *ctl_reply_ok(json_object *data)
{
	json_object *r = json_object_new_object();
	json_object_object_add(r, "ok", json_object_new_boolean(1));
	json_object_object_add(r, "data", data ? data : json_object_new_object());
	return r;
}

json_object *ctl_reply_err(struct ctl_error *err)
{
	json_object *e = json_object_new_object();
	json_object_object_add(e, "code", json_object_new_string(ctl_errcode_name(err->code)));
	json_object_object_add(e, "message", json_object_new_string(err->message));
	if (err->details) {
		json_object_object_add(e, "details", err->details);
		err->details = NULL;
	}
	json_object *r = json_object_new_object();
	json_object_object_add(r, "ok", json_object_new_boolean(0));
	json_object_object_add(r, "error", e);
	return r;
}

const char *ctl_to_line(json_object *obj, size_t *len)
{
	/* json-c escapes '\n' inside strings, so one object is one line. */
	size_t n;
	const char *s = json_object_to_json_string_length(obj,
		JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);
	if (len)
		*len = n;
	return s;
}
