/* cfg_internal: helpers shared by the config/ files only (not a public API). */
#ifndef AUTONOMY_CONFIG_CFG_INTERNAL_H
#define AUTONOMY_CONFIG_CFG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"
#include "config/schema.h"

/* State of one load: where messages go and how many errors were seen. */
struct cfg_load {
	const char *file;
	struct cfg_diags *diags;        /* may be NULL */
	size_t n_errors;
	struct config *cfg;
};

void cfg_diag(struct cfg_load *c, enum cfg_severity sev, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Name of a section in messages: "polling", or "member.wan" for members. */
const char *cfg_label(const struct cfg_section *s, char *buf, size_t size);

/* Checks that need more than one value (cfg_check.c). */
void cfg_check_sections(struct cfg_load *c);
void cfg_check_members(struct cfg_load *c);
/* Telemetry kinds the config uses but this program was built without
 * (cfg_kinds.c): warnings. */
void cfg_check_kinds(struct cfg_load *c);

/* Damerau (optimal string alignment) distance; (size_t)-1 for very long input. */
size_t cfg_edit_distance(const char *a, const char *b);
/* Closest of n names stored every `stride` bytes from `names` (so it works on
 * arrays of structs whose first field is the name), or NULL if none is close. */
const char *cfg_closest_name(const char *word, const char *const *names, size_t n,
			     size_t stride);
/* Closest global section name, or NULL. */
const char *cfg_suggest_section(const char *name);

/* Typed parsing of one item of an option (cfg_value.c). On failure returns -1
 * and writes a message (without FILE:LINE or option prefix) into err. Never
 * echoes the text of a CFG_SECRET. */
int cfg_parse_item(const struct cfg_option_def *d, const char *text,
		   struct cfg_item *out, char *err, size_t errsz);
/* Splits a list value on commas and white space and parses every piece.
 * Appends to *items / *n (which the caller frees with cfg_items_free). */
int cfg_parse_list(const struct cfg_option_def *d, const char *text,
		   struct cfg_item **items, size_t *n, char *err, size_t errsz);
void cfg_items_free(struct cfg_item *items, size_t n);

/* Syntax checks reused by the extra per-option rules in config.c. */
bool cfg_valid_url(const char *s);
bool cfg_valid_hostname(const char *s);

/* Formats a duration in ms with the largest unit that divides it ("90s",
 * "1h", "1500ms"). */
void cfg_fmt_duration(long long ms, char *out, size_t size);
/* A duration value in the option's own unit (ms or s), as JSON/show print it
 * (seconds may have a fraction when given as e.g. "1500ms"). */
double cfg_duration_in_unit(const struct cfg_option_def *d, long long ms);

#endif
