/* ctl_proto: the control protocol on the daemon's Unix socket.
 * Newline-delimited JSON. Request: {"cmd":"members","args":{...}}.
 * Reply: {"ok":true,"data":...} or
 *        {"ok":false,"error":{"code":"...","message":"...","details":[...]}}.
 * Parsing is separate from the socket so it can be unit-tested and fuzzed. */
#ifndef AUTONOMY_CTL_PROTO_H
#define AUTONOMY_CTL_PROTO_H

#include <stddef.h>
#include <json-c/json.h>

#include "ctl/ctl_cmds.h"

#define CTL_MAX_REQUEST 65536   /* bytes per request line, newline excluded */

enum ctl_errcode {
	CTL_E_BAD_JSON,         /* not parseable JSON */
	CTL_E_BAD_REQUEST,      /* JSON, but not a request object */
	CTL_E_UNKNOWN_CMD,
	CTL_E_BAD_ARGS,
	CTL_E_TOO_LARGE,
	CTL_E_FAILED,           /* the command ran and failed */
	CTL_E_CONFIG_INVALID,   /* a config with errors (reload, validate) */
	CTL_E_BUSY,             /* too many clients */
	CTL_E_INTERNAL,
	CTL_E_NOT_RUNNING,      /* client side: no daemon answers */
	CTL_E_PERMISSION,       /* the caller may not do this (root or admin_group only) */
	CTL_E_TIMEOUT,          /* client side: the daemon accepted but did not answer in time */
	CTL_E_UNTRUSTED,        /* client side: the socket belongs to someone else */
};

struct ctl_error {
	enum ctl_errcode code;
	char message[512];
	json_object *details;   /* optional array; ownership moves into the reply */
};

struct ctl_request {
	const struct ctl_cmd_desc *cmd;
	json_object *args;      /* always an object (empty if absent); owned by root */
	json_object *root;      /* the parsed request; ctl_request_free releases it */
};

const char *ctl_errcode_name(enum ctl_errcode code);
/* Inverse of ctl_errcode_name; CTL_E_INTERNAL for unknown names. */
enum ctl_errcode ctl_errcode_parse(const char *name);

/* Parses and validates one request line (without its newline). Returns 0 and
 * fills req, or -1 and fills err. */
int ctl_parse_request(const char *line, size_t len, struct ctl_request *req,
		      struct ctl_error *err);
void ctl_request_free(struct ctl_request *req);

/* Build replies; both take ownership of their JSON arguments. */
json_object *ctl_reply_ok(json_object *data);
json_object *ctl_reply_err(struct ctl_error *err);
void ctl_error_set(struct ctl_error *err, enum ctl_errcode code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Serialize a reply (or request) as one compact line, without the '\n'
 * that frames it on the wire. The string is owned by obj. */
const char *ctl_to_line(json_object *obj, size_t *len);

#endif
