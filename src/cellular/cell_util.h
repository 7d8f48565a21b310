/* cell_util: what every cellular parser shares (internal to src/cellular/cell_*).
 * Text arrives as pointer + length with no terminator, so every helper works
 * on spans and never reads past the end; numbers are converted from a
 * bounded NUL-terminated copy. The setters keep the merge rules in one
 * place. */
#ifndef AUTONOMY_LINK_CELL_UTIL_H
#define AUTONOMY_LINK_CELL_UTIL_H

#include "cellular/cell_parse.h"

#include <stdbool.h>
#include <stddef.h>

struct cell_span {
	const char *p;
	size_t n;
};

static inline struct cell_span cell_span_of(const char *p, size_t n)
{
	struct cell_span s = { p, n };
	return s;
}

/* The next line at *pos ('\n' ends it, a trailing '\r' is dropped); false
 * at the end of the text. */
bool cell_next_line(const char *text, size_t len, size_t *pos, struct cell_span *line);
struct cell_span cell_trim(struct cell_span s);
/* Case-insensitive comparisons with a C string. */
bool cell_span_ieq(struct cell_span s, const char *lit);
bool cell_span_iprefix(struct cell_span s, const char *lit);
/* true if lit occurs in s (case-sensitive). */
bool cell_span_has(struct cell_span s, const char *lit);
/* Position of c in s, or -1. */
long cell_span_find(struct cell_span s, char c);
struct cell_span cell_span_from(struct cell_span s, size_t off);

/* Whole-span numbers (surrounding blanks allowed): 0 and *out, or -1. */
int cell_span_long(struct cell_span s, long *out);
int cell_span_llong(struct cell_span s, long long *out);    /* byte counters */
int cell_span_double(struct cell_span s, double *out);
/* Leading number ("19% (recent)" -> 19): 0 and *out, or -1. */
int cell_span_lead_long(struct cell_span s, long *out);
/* A hex number, with or without 0x: 0 and *out, or -1. */
int cell_span_hex(struct cell_span s, unsigned long long *out);

/* Copies s into dst (always terminated) keeping only printable text: control
 * bytes and malformed UTF-8 are dropped, valid UTF-8 kept whole (a name is
 * never cut inside a character). */
void cell_copy_text(char *dst, size_t size, struct cell_span s);
/* Hex identifier (TAC, cell id) without quotes or 0x, upper case. */
void cell_copy_hex(char *dst, size_t size, struct cell_span s);

/* Comma-separated AT fields; commas inside "..." do not split, quotes and
 * blanks around a field are removed. Returns the count (at most max). */
size_t cell_fields(struct cell_span s, struct cell_span *f, size_t max);
/* A field that says nothing: empty or "-" (Quectel) or "--" (mmcli). */
bool cell_field_blank(struct cell_span f);

/* ---- merging into a sample ---- */
void cell_set_source(struct cell_sample *s, const char *src);
/* Sets reg and the roaming flag that follows from it. */
void cell_set_reg(struct cell_sample *s, enum cell_reg r);
/* A registration from one of several domains (CS, PS, EPS, 5GS): a
 * registered state is never replaced by a not-registered one, so an
 * LTE-only modem's "+CGREG: 2,0" does not hide "+CEREG: 2,1". */
void cell_merge_reg(struct cell_sample *s, enum cell_reg r);
/* Technologies named in one reply, combined: the best one, except that LTE
 * and NR together (in either order, as mmcli's "lte","5gnr" or +QNWINFO's
 * two lines) mean 5G NSA; the spellings are joined with ','. */
struct cell_tech_acc {
	enum cell_tech tech;
	char text[32];
};
void cell_tech_add(struct cell_tech_acc *a, enum cell_tech t, struct cell_span text);
/* Into the sample: replaces its technology, or with hint only fills an
 * unknown one (a registration's <AcT> is coarser than a serving-cell
 * report from another command). */
void cell_tech_commit(struct cell_sample *s, const struct cell_tech_acc *a, bool hint);
/* Every radio figure is in dB or dBm; nothing real lies outside this (RSRP
 * -156..-31 dBm, SINR -23..+40 dB): a value beyond it is garbage, not a
 * reading, and is not stored. */
#define CELL_FIG_MIN (-200.0)
#define CELL_FIG_MAX 100.0
bool cell_fig_ok(double v);
/* Stores a figure if it is plausible. */
void cell_put(double *dst, double v);
/* Fills a figure that is unknown (a coarse value that must not override a
 * precise one from another command). */
void cell_hint_double(double *dst, double v);
/* operator_code from MCC and MNC as printed ("1","01" -> "00101"). */
void cell_set_plmn(struct cell_sample *s, struct cell_span mcc, struct cell_span mnc);

/* ---- JSON (json-c; mmcli -J and uqmi print JSON) ---- */
struct json_object;
/* The document at text (NULL if it is not JSON or is over 1 MiB). */
struct json_object *cell_json_parse(const char *text, size_t len);
/* o[key] if o is an object and the member has that type, else NULL. */
struct json_object *cell_json_child(struct json_object *o, const char *key, int type);
/* o[key] as a span ("" when absent or not a string). */
struct cell_span cell_json_str(struct json_object *o, const char *key);

/* ---- name tables ---- */
struct cell_name_val {
	const char *name;
	int val;
};
/* Case-insensitive lookup of a trimmed span; dflt if absent. */
int cell_lookup(const struct cell_name_val *t, size_t n, struct cell_span s, int dflt);

/* ---- ModemManager's names (cell_mmcli.c), for its JSON and text forms ---- */
void cell_mm_state(struct cell_sample *s, struct cell_span v);
void cell_mm_reg(struct cell_sample *s, struct cell_span v);
/* "signal quality" percent and whether it is recent. */
void cell_mm_quality(struct cell_sample *s, long pct, bool recent);
/* ".../ModemManager1/Bearer/3" with kind "Bearer" -> 3; -1 if not. */
int cell_mm_path_index(struct cell_span path, const char *kind);

#endif
