/* config_json: the effective configuration (defaults filled in) as JSON for
 * `autonomyctl config show` and the API. Values keep their types; secrets are
 * masked unless the caller explicitly asks to reveal them. */
#include <stdio.h>
#include <string.h>

#include "config/cfg_internal.h"

void cfg_mask_secret(const char *secret, char *out, size_t size)
{
	size_t len = secret ? strlen(secret) : 0, keep;

	if (!out || size == 0)
		return;
	out[0] = '\0';
	if (len == 0)
		return;
	/* Reveal at most 2 characters and never more than a quarter of the
	 * secret; the fixed run of asterisks hides the length. Only plain ASCII
	 * is kept so a multibyte character is never cut in half. */
	keep = len / 4 < 2 ? len / 4 : 2;
	for (size_t i = 0; i < keep; i++)
		if ((unsigned char)secret[i] >= 0x80 || (unsigned char)secret[i] < 0x20)
			keep = i;
	snprintf(out, size, "%.*s******", (int)keep, secret);
}

static json_object *item_json(const struct cfg_option_def *d, const struct cfg_item *it,
			      bool reveal)
{
	char masked[16];
	double v;

	switch (d->type) {
	case CFG_BOOL:
		return json_object_new_boolean(it->num != 0);
	case CFG_INT:
		return json_object_new_int64(it->num);
	case CFG_ENUM:
		return json_object_new_string(d->enums[it->num]);
	case CFG_DURATION:
		/* In the option's unit, so the key's name (…_ms or seconds) holds. */
		v = cfg_duration_in_unit(d, it->num);
		if (v == (double)(long long)v)
			return json_object_new_int64((long long)v);
		return json_object_new_double(v);
	case CFG_SECRET:
		if (reveal)
			return json_object_new_string(it->str);
		cfg_mask_secret(it->str, masked, sizeof(masked));
		return json_object_new_string(masked);
	default:
		return json_object_new_string(it->str ? it->str : "");
	}
}

/* A list option is always an array; a scalar without a value is null. */
static json_object *value_json(const struct cfg_option_def *d, const struct cfg_value *v,
			       bool reveal)
{
	json_object *arr;

	if (!(d->flags & CFG_F_LIST))
		return v->n_items ? item_json(d, &v->items[0], reveal) : NULL;
	arr = json_object_new_array();
	for (size_t i = 0; arr && i < v->n_items; i++)
		json_object_array_add(arr, item_json(d, &v->items[i], reveal));
	return arr;
}

static void section_fill(json_object *obj, const struct cfg_section *s, bool reveal)
{
	for (size_t i = 0; i < s->def->n_opts; i++)
		json_object_object_add(obj, s->def->opts[i].name,
				       value_json(&s->def->opts[i], &s->vals[i], reveal));
}

json_object *config_section_json(const struct cfg_section *s, bool reveal_secrets)
{
	json_object *o = json_object_new_object();

	if (o && s)
		section_fill(o, s, reveal_secrets);
	return o;
}

/* The options of one section that have no effect yet, or NULL if none. */
static json_object *planned_names(const struct cfg_section_def *def)
{
	json_object *arr = NULL;

	for (size_t i = 0; i < def->n_opts; i++) {
		if (def->opts[i].status != CFG_S_PLANNED)
			continue;
		if (!arr)
			arr = json_object_new_array();
		json_object_array_add(arr, json_object_new_string(def->opts[i].name));
	}
	return arr;
}

/* {"security":["api_authentication",...],...,"member":["weight"]}: what the
 * schema accepts but nothing reads yet, so a client can mark it. */
static json_object *planned_json(void)
{
	json_object *o = json_object_new_object();
	json_object *a;

	for (size_t i = 0; o && i < cfg_n_global_sections; i++)
		if ((a = planned_names(&cfg_global_sections[i])))
			json_object_object_add(o, cfg_global_sections[i].name, a);
	if (o && (a = planned_names(&cfg_member_section)))
		json_object_object_add(o, "member", a);
	return o;
}

json_object *config_to_json(const struct config *cfg, bool reveal_secrets)
{
	json_object *root = json_object_new_object();
	json_object *secs = json_object_new_object();
	json_object *members = json_object_new_array();

	if (!root || !secs || !members || !cfg) {
		json_object_put(root);
		json_object_put(secs);
		json_object_put(members);
		return NULL;
	}
	json_object_object_add(root, "file", json_object_new_string(cfg->path ? cfg->path : ""));
	for (size_t i = 0; i < cfg->n_globals; i++) {
		json_object *o = json_object_new_object();

		section_fill(o, &cfg->globals[i], reveal_secrets);
		json_object_object_add(secs, cfg->globals[i].def->name, o);
	}
	for (size_t i = 0; i < cfg->n_members; i++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "name", json_object_new_string(cfg->members[i].name));
		section_fill(o, &cfg->members[i], reveal_secrets);
		json_object_array_add(members, o);
	}
	json_object_object_add(root, "sections", secs);
	json_object_object_add(root, "members", members);
	json_object_object_add(root, "planned", planned_json());
	return root;
}
