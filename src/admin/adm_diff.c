/* adm_diff: what changed between two UCI files, as UCI sees it: sections
 * (named, or anonymous as @type[i] like uci's own notation) and options
 * added, removed or changed. Whitespace, comments and order do not count.
 * Secret options (the schema's CFG_SECRET rows) show masked values. */
#include "admin/adm.h"

#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "config/uci.h"

static void key_of(const struct uci_package *pkg, size_t i, char *out, size_t size)
{
	const struct uci_section *s = &pkg->secs[i];
	if (s->name) {
		snprintf(out, size, "%s", s->name);
		return;
	}
	size_t idx = 0;
	for (size_t k = 0; k < i; k++)
		idx += strcmp(pkg->secs[k].type, s->type) == 0;
	snprintf(out, size, "@%s[%zu]", s->type, idx);
}

static const struct uci_section *find(const struct uci_package *pkg, const char *key,
				      const char *type)
{
	char k[160];
	for (size_t i = 0; i < pkg->n_secs; i++) {
		key_of(pkg, i, k, sizeof(k));
		if (strcmp(k, key) == 0 && strcmp(pkg->secs[i].type, type) == 0)
			return &pkg->secs[i];
	}
	return NULL;
}

static bool is_secret(const struct uci_section *s, const char *opt)
{
	const struct cfg_section_def *def = strcmp(s->type, "member") == 0 ? &cfg_member_section :
					    cfg_find_global_def(s->name);
	const struct cfg_option_def *o = def ? cfg_find_option_def(def, opt) : NULL;
	return o && o->type == CFG_SECRET;
}

static json_object *value_json(const struct uci_section *s, const struct uci_option *o)
{
	bool secret = is_secret(s, o->name);
	json_object *a = o->is_list ? json_object_new_array() : NULL;
	for (size_t i = 0; i < o->n_values; i++) {
		char masked[64];
		const char *v = o->values[i];
		if (secret) {
			cfg_mask_secret(v, masked, sizeof(masked));
			v = masked;
		}
		if (!a)
			return json_object_new_string(v);
		json_object_array_add(a, json_object_new_string(v));
	}
	return a ? a : json_object_new_string("");
}

static bool same_values(const struct uci_option *a, const struct uci_option *b)
{
	if (a->is_list != b->is_list || a->n_values != b->n_values)
		return false;
	for (size_t i = 0; i < a->n_values; i++)
		if (strcmp(a->values[i], b->values[i]) != 0)
			return false;
	return true;
}

static void add(json_object *out, const char *change, const char *key,
		const struct uci_section *s, const char *opt, json_object *old, json_object *cur)
{
	json_object *e = json_object_new_object();
	json_object_object_add(e, "change", json_object_new_string(change));
	json_object_object_add(e, "section", json_object_new_string(key));
	json_object_object_add(e, "type", json_object_new_string(s->type));
	json_object_object_add(e, "option", opt ? json_object_new_string(opt) : NULL);
	json_object_object_add(e, "old", old);
	json_object_object_add(e, "new", cur);
	json_object_array_add(out, e);
}

static void diff_options(json_object *out, const char *key, const struct uci_section *a,
			 const struct uci_section *b)
{
	for (size_t i = 0; i < a->n_opts; i++) {
		const struct uci_option *o = &a->opts[i], *n = uci_find_option(b, o->name);
		if (!n)
			add(out, "removed", key, a, o->name, value_json(a, o), NULL);
		else if (!same_values(o, n))
			add(out, "changed", key, a, o->name, value_json(a, o), value_json(b, n));
	}
	for (size_t i = 0; i < b->n_opts; i++)
		if (!uci_find_option(a, b->opts[i].name))
			add(out, "added", key, b, b->opts[i].name, NULL, value_json(b, &b->opts[i]));
}

json_object *adm_uci_diff(const struct uci_package *old, const struct uci_package *cur)
{
	json_object *out = json_object_new_array();
	char key[160];
	for (size_t i = 0; i < old->n_secs; i++) {
		key_of(old, i, key, sizeof(key));
		const struct uci_section *b = find(cur, key, old->secs[i].type);
		if (!b)
			add(out, "removed", key, &old->secs[i], NULL, NULL, NULL);
		else
			diff_options(out, key, &old->secs[i], b);
	}
	for (size_t i = 0; i < cur->n_secs; i++) {
		key_of(cur, i, key, sizeof(key));
		if (!find(old, key, cur->secs[i].type))
			add(out, "added", key, &cur->secs[i], NULL, NULL, NULL);
	}
	return out;
}

json_object *adm_diff_files(const char *old_path, const char *cur_path, char *err,
			    size_t errsz)
{
	struct uci_package a, b;
	struct uci_error ue;
	if (uci_parse_file(old_path, &a, &ue) < 0) {
		snprintf(err, errsz, "%s:%d: %s", old_path, ue.line, ue.msg);
		return NULL;
	}
	if (uci_parse_file(cur_path, &b, &ue) < 0) {
		snprintf(err, errsz, "%s:%d: %s", cur_path, ue.line, ue.msg);
		uci_package_free(&a);
		return NULL;
	}
	json_object *d = adm_uci_diff(&a, &b);
	uci_package_free(&a);
	uci_package_free(&b);
	return d;
}
