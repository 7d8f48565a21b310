#include "ctl/ctl_rpcd.h"

#include <string.h>

#include "admin/adm.h"
#include "ctl/ctl_client.h"
#include "ctl/ctl_cmds.h"
#include "ctl/ctl_history.h"
#include "ctl/ctl_validate.h"

/* rpcd derives the ubus argument type from the example value's JSON type. */
static json_object *arg_example(enum ctl_arg_type t)
{
	switch (t) {
	case CTL_ARG_STRING: return json_object_new_string("");
	case CTL_ARG_INT:    return json_object_new_int(32);   /* 32 → Int32 */
	case CTL_ARG_BOOL:   return json_object_new_boolean(1);
	}
	return NULL;
}

static int rpcd_list(FILE *out)
{
	json_object *methods = json_object_new_object();
	for (size_t i = 0; i < ctl_n_cmds; i++) {
		const struct ctl_cmd_desc *c = &ctl_cmds[i];
		if (!(c->flags & (CTL_CMD_QUERY | CTL_CMD_ACTION)))
			continue;
		json_object *sig = json_object_new_object();
		for (size_t a = 0; a < c->n_args; a++)
			json_object_object_add(sig, c->args[a].name, arg_example(c->args[a].type));
		json_object_object_add(methods, c->name, sig);
	}
	fprintf(out, "%s\n", json_object_to_json_string_ext(methods, JSON_C_TO_STRING_PLAIN));
	json_object_put(methods);
	return 0;
}

static json_object *error_object(const struct ctl_error *err)
{
	json_object *e = json_object_new_object();
	json_object_object_add(e, "code", json_object_new_string(ctl_errcode_name(err->code)));
	json_object_object_add(e, "message", json_object_new_string(err->message));
	if (err->details)
		json_object_object_add(e, "details", json_object_get(err->details));
	json_object *o = json_object_new_object();
	json_object_object_add(o, "error", e);
	return o;
}

static json_object *read_input(FILE *in, struct ctl_error *err)
{
	static char buf[RPCD_MAX_INPUT + 1];
	size_t n = fread(buf, 1, sizeof(buf), in);
	if (n > RPCD_MAX_INPUT) {
		ctl_error_set(err, CTL_E_TOO_LARGE, "call arguments larger than %u bytes",
			      RPCD_MAX_INPUT);
		return NULL;
	}
	if (n == 0)
		return json_object_new_object();
	buf[n] = '\0';
	enum json_tokener_error jerr = json_tokener_success;
	json_object *args = strlen(buf) == n ? json_tokener_parse_verbose(buf, &jerr) : NULL;
	if (!json_object_is_type(args, json_type_object)) {
		ctl_error_set(err, CTL_E_BAD_JSON, "call arguments must be a JSON object%s%s",
			      args || jerr == json_tokener_success ? "" : ": ",
			      args || jerr == json_tokener_success ? "" :
			      json_tokener_error_desc(jerr));
		json_object_put(args);
		return NULL;
	}
	/* uhttpd injects the caller's session id; it is not a command argument. */
	json_object_object_del(args, "ubus_rpc_session");
	return args;
}

/* Arguments checked against the command table, as the daemon checks them. */
static json_object *checked(const struct ctl_cmd_desc *cmd, json_object *args,
			    struct ctl_error *err)
{
	struct ctl_request req;
	json_object *line = json_object_new_object();
	size_t len;
	json_object_object_add(line, "cmd", json_object_new_string(cmd->name));
	json_object_object_add(line, "args", args);
	const char *text = ctl_to_line(line, &len);
	json_object *out = NULL;
	if (ctl_parse_request(text, len, &req, err) == 0) {
		out = json_object_get(req.args);
		ctl_request_free(&req);
	}
	json_object_put(line);
	return out;
}

/* stream: where a streamed reply (telemetry export) goes. */
static json_object *run_method(const struct ctl_cmd_desc *cmd, json_object *args,
			       const char *sock, FILE *stream, struct ctl_error *err)
{
	if (cmd->flags & CTL_CMD_HISTORY) {
		json_object *a = checked(cmd, args, err);
		return a ? ctl_history_run(sock, NULL, cmd, a, true, stream, err) : NULL;
	}
	if (adm_is_command(cmd->name)) {
		json_object *out = adm_run(cmd->name, args, sock, NULL, true, err);
		json_object_put(args);
		return out;
	}
	if (cmd->flags & CTL_CMD_LOCAL) {
		json_object *f;
		const char *path = json_object_object_get_ex(args, "file", &f) ?
				   json_object_get_string(f) : NULL;
		json_object *out = ctl_config_validate_auto(sock, path, err);
		json_object_put(args);
		return out;
	}
	return ctl_client_call(sock, cmd->name, args, CTL_CLIENT_TIMEOUT_MS, err);
}

static int rpcd_call(const char *method, FILE *in, FILE *out, const char *sock)
{
	struct ctl_error err = { .details = NULL };
	const struct ctl_cmd_desc *cmd = ctl_cmd_find(method);
	json_object *reply = NULL, *args = NULL;
	if (!cmd || !(cmd->flags & (CTL_CMD_QUERY | CTL_CMD_ACTION)))
		ctl_error_set(&err, CTL_E_UNKNOWN_CMD, "unknown method '%s'", method);
	else if ((args = read_input(in, &err)) != NULL)
		reply = run_method(cmd, args, sock, out, &err);
	if (reply == CTL_HIST_PRINTED)
		return 0;       /* an export streamed its own object */
	if (reply && !json_object_is_type(reply, json_type_object)) {
		json_object *wrap = json_object_new_object();
		json_object_object_add(wrap, method, reply);
		reply = wrap;
	}
	if (!reply)
		reply = error_object(&err);
	json_object_put(err.details);
	fprintf(out, "%s\n", json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PLAIN));
	json_object_put(reply);
	return 0;
}

int ctl_rpcd_main(int argc, char **argv, FILE *in, FILE *out, const char *sock)
{
	if (argc == 2 && strcmp(argv[1], "list") == 0)
		return rpcd_list(out);
	if (argc == 3 && strcmp(argv[1], "call") == 0)
		return rpcd_call(argv[2], in, out, sock);
	fprintf(stderr, "usage: %s list | call METHOD  (rpcd exec plugin protocol)\n",
		argv[0]);
	return 2;
}
