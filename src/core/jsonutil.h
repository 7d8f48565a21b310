/* jsonutil: JSON numbers with a fixed number of decimals (json-c would print
 * 0.1 as 0.10000000000000001), and small accessors. */
#ifndef AUTONOMY_CORE_JSONUTIL_H
#define AUTONOMY_CORE_JSONUTIL_H

#include <stddef.h>
#include <stdio.h>

#include <json-c/json.h>

json_object *json_num(double v, int decimals);
/* Member lookups that tolerate missing keys and JSON null. */
const char *json_get_str(json_object *o, const char *key, const char *dflt);
double json_get_num(json_object *o, const char *key, double dflt);
int json_get_bool(json_object *o, const char *key, int dflt);
/* Strict lookups for outside input (trace objects): a key of another JSON
 * type counts as absent. NAN / -1 (absent, else 0 or 1) / out untouched. */
double json_typed_num(json_object *o, const char *key);
int json_typed_bool(json_object *o, const char *key);
void json_typed_str(json_object *o, const char *key, char *out, size_t size);
/* Adds key = v, or JSON null for an unknown figure: a non-finite double, an
 * empty or NULL string, a negative count. */
void json_add_num(json_object *o, const char *key, double v, int decimals);
void json_add_str(json_object *o, const char *key, const char *s);
void json_add_count(json_object *o, const char *key, long long v);
/* s as a JSON string (quotes, escapes) on f: for output written row by row
 * rather than built as a tree (the replay's lines, the history export). */
void json_fput_str(FILE *f, const char *s);
/* Adds key = v with every digit (a double read back is the same double, a
 * float too); nothing for a non-finite v. For values read back exactly. */
void json_add_exact(json_object *o, const char *key, double v);
/* 1 if key exists with a non-null value. */
int json_has(json_object *o, const char *key);

#endif
