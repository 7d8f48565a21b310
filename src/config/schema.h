/* schema: one table row per option (name, type, default, range/enum, help).
 * Validation, `config show` and documentation are all driven by these tables. */
#ifndef AUTONOMY_CONFIG_SCHEMA_H
#define AUTONOMY_CONFIG_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

enum cfg_type {
	CFG_BOOL,       /* 1/0 yes/no on/off true/false enabled/disabled */
	CFG_INT,        /* integer within [min, max] */
	CFG_ENUM,       /* one of enums[] */
	CFG_DURATION,   /* "30" (in the option's unit), "500ms", "30s", "5m", "1h", "1d" */
	CFG_STRING,
	CFG_SECRET,     /* a string never printed in full */
	CFG_IPADDR,     /* IPv4 or IPv6 address */
	CFG_CIDR,       /* address/prefix (a bare address means a host prefix) */
	CFG_HOST,       /* IP address or DNS name */
	CFG_URL,        /* http(s):// URL */
	CFG_EMAIL,      /* one address; a comma-separated value splits into a list */
	CFG_IFNAME,     /* a kernel or netifd interface name (<= 15 chars, no '/' or spaces) */
	CFG_TARGET,     /* a probe target (probe/probe.h syntax); lists split on spaces only */
};

/* Whether an option does anything yet. A planned option is accepted (so a config
 * written from the operations guide loads) and shown, but nothing reads it yet:
 * setting it draws the warning "accepted, no effect yet" (autonomyd -n, reload,
 * config validate) and `config show` marks it. The row that gets its code drops
 * the mark, and the warning goes with it. tests/unit/test_schema_status.c holds
 * the reviewed list and checks both directions against the sources. */
enum cfg_status {
	CFG_S_IMPLEMENTED = 0,  /* the default of every row */
	CFG_S_PLANNED,
};
/* The words of that warning and of the mark in `config show`. */
#define CFG_PLANNED_MSG "accepted, no effect yet (not implemented in this version)"

enum cfg_flags {
	CFG_F_LIST     = 1u << 0, /* `list` (also accepts a space/comma-separated `option`) */
	CFG_F_REQUIRED = 1u << 1,
	CFG_F_UNIT_MS  = 1u << 2, /* CFG_DURATION: bare numbers are milliseconds (default: seconds) */
};

struct cfg_option_def {
	const char *name;
	enum cfg_type type;
	unsigned flags;
	const char *def;            /* default as text, NULL for none */
	long long min, max;         /* CFG_INT / CFG_DURATION (ms) range; 0,0 = unbounded */
	const char *const *enums;   /* CFG_ENUM: NULL-terminated */
	const char *help;
	enum cfg_status status;
};

struct cfg_section_def {
	const char *type;           /* UCI section type: "autonomy" or "member" */
	const char *name;           /* "main", "polling", ...; NULL for member */
	const struct cfg_option_def *opts;
	size_t n_opts;
	const char *help;
};

extern const struct cfg_section_def cfg_global_sections[];
extern const size_t cfg_n_global_sections;
extern const struct cfg_section_def cfg_member_section;

const struct cfg_section_def *cfg_find_global_def(const char *name);
const struct cfg_option_def *cfg_find_option_def(const struct cfg_section_def *def,
						 const char *opt);
/* Index of opt within def->opts, or -1. */
int cfg_option_index(const struct cfg_section_def *def, const char *opt);
/* Closest known option name (edit distance), or NULL if nothing is close. */
const char *cfg_suggest_option(const struct cfg_section_def *def, const char *opt);
const char *cfg_type_name(enum cfg_type t);

#endif
