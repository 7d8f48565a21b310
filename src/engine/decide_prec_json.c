/* decide_prec_json: the precursor records (decide.h "Precursors") as JSON,
 * so that a kind that has cried wolf on a member keeps its bar across a
 * restart. The daemon keeps them in state_dir/precursors.json:
 *   {"format":"autonomy-precursors/1",
 *    "members":{"lte":[{"kind":"cellular_fade","alarms":4,"hits":1,"moves":3,
 *                       "move_hits":1,"w_alarms":3.19,"w_hits":0.61}]}}
 * Reading survives any content (tests/fuzz/fuzz_prec_store.c): a document
 * of another shape is refused as a whole, an entry that is not sound
 * (unknown types, negative or impossible counts, names too long) is
 * skipped, and the counts are clamped by decide_prec_restore. Nothing open
 * is kept: an alarm in flight at exit is forgotten. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "engine/decide_prec_json.h"

#include "core/jsonutil.h"

#define FORMAT "autonomy-precursors/1"

json_object *decide_prec_member_json(const struct decide *d, const char *name, bool view)
{
	struct decide_prec_view v[DECIDE_KINDS];
	unsigned n = decide_precursors(d, name, v, DECIDE_KINDS);
	json_object *a = json_object_new_array();
	for (unsigned k = 0; k < n; k++) {
		json_object *e = json_object_new_object();
		json_object_object_add(e, "kind", json_object_new_string(v[k].kind));
		json_object_object_add(e, "alarms", json_object_new_int64(v[k].alarms));
		json_object_object_add(e, "hits", json_object_new_int64(v[k].hits));
		json_object_object_add(e, "moves", json_object_new_int64(v[k].moves));
		json_object_object_add(e, "move_hits", json_object_new_int64(v[k].move_hits));
		if (view) {
			json_object_object_add(e, "precision", v[k].alarms ?
					       json_num(v[k].precision, 3) : NULL);
			json_object_object_add(e, "bar", json_num(v[k].bar, 2));
			json_object_object_add(e, "checking", json_object_new_boolean(v[k].open));
		} else {
			json_object_object_add(e, "w_alarms", json_object_new_double(v[k].w_alarms));
			json_object_object_add(e, "w_hits", json_object_new_double(v[k].w_hits));
		}
		json_object_array_add(a, e);
	}
	return a;
}

json_object *decide_prec_to_json(const struct decide *d)
{
	json_object *o = json_object_new_object(), *ms = json_object_new_object();
	json_object_object_add(o, "format", json_object_new_string(FORMAT));
	for (unsigned i = 0; i < d->n; i++) {
		json_object *a = decide_prec_member_json(d, d->m[i].name, false);
		if (json_object_array_length(a))
			json_object_object_add(ms, d->m[i].name, a);
		else
			json_object_put(a);
	}
	json_object_object_add(o, "members", ms);
	return o;
}

static bool count(json_object *e, const char *k, uint32_t *out)
{
	json_object *v;
	if (!json_object_object_get_ex(e, k, &v) || !json_object_is_type(v, json_type_int))
		return false;
	int64_t x = json_object_get_int64(v);
	if (x < 0 || x > UINT32_MAX)
		return false;
	*out = (uint32_t)x;
	return true;
}

static bool weight(json_object *e, const char *k, double *out)
{
	json_object *v;
	if (!json_object_object_get_ex(e, k, &v) ||
	    !(json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)))
		return false;
	*out = json_object_get_double(v);
	return isfinite(*out) && *out >= 0;
}

static bool entry(json_object *e, struct decide_prec_view *v)
{
	json_object *k;
	memset(v, 0, sizeof(*v));
	if (!json_object_is_type(e, json_type_object) ||
	    !json_object_object_get_ex(e, "kind", &k) || !json_object_is_type(k, json_type_string))
		return false;
	size_t len = (size_t)json_object_get_string_len(k);
	const char *s = json_object_get_string(k);
	if (!len || len >= sizeof(v->kind) || strlen(s) != len)
		return false;
	memcpy(v->kind, s, len + 1);
	return count(e, "alarms", &v->alarms) && count(e, "hits", &v->hits) &&
	       count(e, "moves", &v->moves) && count(e, "move_hits", &v->move_hits) &&
	       weight(e, "w_alarms", &v->w_alarms) && weight(e, "w_hits", &v->w_hits) &&
	       v->hits <= v->alarms && v->moves <= v->alarms && v->move_hits <= v->moves;
}

int decide_prec_from_json(struct decide *d, json_object *o)
{
	json_object *f, *ms;
	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "format", &f) || !json_object_is_type(f, json_type_string) ||
	    strcmp(json_object_get_string(f), FORMAT) != 0 ||
	    !json_object_object_get_ex(o, "members", &ms) || !json_object_is_type(ms, json_type_object))
		return -1;
	unsigned restored = 0;
	json_object_object_foreach(ms, name, a) {
		size_t len = strlen(name);
		if (!len || len >= DECIDE_NAME_MAX || !json_object_is_type(a, json_type_array))
			continue;
		for (size_t i = 0; i < json_object_array_length(a); i++) {
			struct decide_prec_view v;
			if (entry(json_object_array_get_idx(a, i), &v) &&
			    decide_prec_restore(d, name, &v) == 0)
				restored++;
		}
	}
	return (int)restored;
}

int decide_prec_load(struct decide *d, const char *buf, size_t len)
{
	json_tokener *tok = json_tokener_new();
	if (!tok || len > INT32_MAX) {
		json_tokener_free(tok);
		return -1;
	}
	json_object *o = json_tokener_parse_ex(tok, buf, (int)len);
	int n = json_tokener_get_error(tok) == json_tokener_success ? decide_prec_from_json(d, o) : -1;
	json_object_put(o);
	json_tokener_free(tok);
	return n;
}
