/* config: autonomy's configuration as a value. A UCI file is parsed
 * (config/uci), checked against the schema tables (config/schema) and turned
 * into an immutable struct config. A reload builds a new one and swaps only if
 * it has no errors. */
#ifndef AUTONOMY_CONFIG_CONFIG_H
#define AUTONOMY_CONFIG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>
#include <sys/socket.h>

#include "config/schema.h"

/* A typed value. Which fields are meaningful depends on the option's type:
 *  CFG_BOOL, CFG_INT, CFG_ENUM (index into def->enums), CFG_DURATION (ms)
 *     → num
 *  CFG_STRING, CFG_SECRET, CFG_IPADDR, CFG_CIDR, CFG_HOST, CFG_URL, CFG_EMAIL
 *     → str (canonical text)
 * A list option (CFG_F_LIST) has n_items values in items[]; a scalar has
 * n_items == 1 and items[0] == the value. */
struct cfg_item {
	long long num;
	char *str;
};

struct cfg_value {
	bool set;               /* given in the file (else: the default) */
	int line;               /* where it was given, 0 for a default */
	size_t n_items;
	struct cfg_item *items;
};

struct cfg_section {
	const struct cfg_section_def *def;
	char *name;             /* section name ("polling", a member's name) */
	bool present;           /* in the file (else: all defaults) */
	int line;
	struct cfg_value *vals; /* def->n_opts entries, same order as def->opts */
};

struct config {
	char *path;                   /* file it came from, or "<buffer>" */
	struct cfg_section *globals;  /* one per cfg_global_sections entry, same order */
	size_t n_globals;
	struct cfg_section *members;  /* `config member 'NAME'` sections, file order */
	size_t n_members;
};

enum cfg_severity { CFG_WARNING, CFG_ERROR };

struct cfg_diag {
	enum cfg_severity severity;
	int line;               /* 0 when not tied to a line */
	char *msg;              /* full text: "FILE:LINE: message" */
};

struct cfg_diags {
	struct cfg_diag *v;
	size_t n;
	size_t n_errors;
};

/* Parse + validate. Returns the new config (warnings allowed) or NULL when
 * there was any error. Diagnostics are appended to *diags (may be NULL). */
struct config *config_load_file(const char *path, struct cfg_diags *diags);
struct config *config_load_buf(const char *name, const char *buf, size_t len,
			       struct cfg_diags *diags);
void config_free(struct config *cfg);
void cfg_diags_free(struct cfg_diags *d);

/* Global section by name ("main", "polling", ...). Never NULL for a name in
 * the schema: an absent section has all defaults. NULL for unknown names. */
const struct cfg_section *config_section(const struct config *cfg, const char *name);
const struct cfg_section *config_member(const struct config *cfg, const char *name);

/* Typed getters. The option must exist in the section's schema with a
 * matching type (abort() on programming errors: these are not user input).
 * List options are read with cfg_get(). An option with no default (e.g. a
 * member's `modem`) reads as 0 / NULL until set: check cfg_is_set(). */
bool        cfg_bool(const struct cfg_section *s, const char *opt);
long long   cfg_int(const struct cfg_section *s, const char *opt);
long long   cfg_duration_ms(const struct cfg_section *s, const char *opt);
int         cfg_enum(const struct cfg_section *s, const char *opt);
const char *cfg_enum_str(const struct cfg_section *s, const char *opt); /* its name */
const char *cfg_str(const struct cfg_section *s, const char *opt); /* NULL if unset and no default */
const struct cfg_value *cfg_get(const struct cfg_section *s, const char *opt);
bool        cfg_is_set(const struct cfg_section *s, const char *opt);

/* Effective config (defaults filled in) as JSON:
 * {"file":..., "sections":{"main":{...},...}, "members":[{"name":..,...}],
 *  "planned":{"security":["api_authentication",...],...,"member":["weight"]}}
 * ("planned": options accepted but without effect yet, per section; "member"
 * for the options of every member section).
 * Secrets are masked ("se******") unless reveal is true. Durations are in the
 * option's own unit (ms for *_ms options, else seconds); lists are arrays; a
 * scalar without value or default is null. */
json_object *config_to_json(const struct config *cfg, bool reveal_secrets);

/* One section's options as in config_to_json (e.g. to see whether a reload
 * changed it: compare the texts with secrets revealed). */
json_object *config_section_json(const struct cfg_section *s, bool reveal_secrets);

/* "ADDR:PORT" (numeric IPv4) or "[ADDR]:PORT" (IPv6) into ss; 0 or -1. */
int cfg_parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len);

/* The telemetry kind that reads members of class cls when this program was
 * built without it ("starlink"), else NULL (cfg_kinds.c). */
const char *cfg_kind_missing(const char *cls);

/* Masks a secret for display: at most the first 2 characters (fewer for
 * short secrets, never more than a quarter), then always 6 '*'; "" stays "". */
void cfg_mask_secret(const char *secret, char *out, size_t size);

/* main.flow_mark_mask: "0x3f000000" (or decimal) into one run of
 * contiguous bits; false for anything else. */
bool cfg_mark_mask_parse(const char *text, uint32_t *mask);

#endif
