/* schema_json: prints the config schema tables (src/config/schema.c) as JSON,
 * for web/tools/gen_schema.py, which writes the LuCI app's schema module from
 * it, so the forms' options, types, ranges and help cannot drift from what
 * the daemon accepts. */
#include <stdio.h>

#include <json-c/json.h>

#include "config/schema.h"

static json_object *option_json(const struct cfg_option_def *o)
{
	json_object *j = json_object_new_object();
	json_object_object_add(j, "name", json_object_new_string(o->name));
	json_object_object_add(j, "type", json_object_new_string(cfg_type_name(o->type)));
	json_object_object_add(j, "list", json_object_new_boolean(o->flags & CFG_F_LIST));
	json_object_object_add(j, "required", json_object_new_boolean(o->flags & CFG_F_REQUIRED));
	json_object_object_add(j, "unit_ms", json_object_new_boolean(o->flags & CFG_F_UNIT_MS));
	json_object_object_add(j, "def", o->def ? json_object_new_string(o->def) : NULL);
	json_object_object_add(j, "min", json_object_new_int64(o->min));
	json_object_object_add(j, "max", json_object_new_int64(o->max));
	json_object *e = NULL;
	if (o->enums) {
		e = json_object_new_array();
		for (const char *const *p = o->enums; *p; p++)
			json_object_array_add(e, json_object_new_string(*p));
	}
	json_object_object_add(j, "enums", e);
	json_object_object_add(j, "help", json_object_new_string(o->help ? o->help : ""));
	/* accepted, no effect yet: the form says so (config/schema.h) */
	json_object_object_add(j, "planned", json_object_new_boolean(o->status == CFG_S_PLANNED));
	return j;
}

static json_object *section_json(const struct cfg_section_def *s)
{
	json_object *j = json_object_new_object(), *opts = json_object_new_array();
	json_object_object_add(j, "type", json_object_new_string(s->type));
	json_object_object_add(j, "name", s->name ? json_object_new_string(s->name) : NULL);
	json_object_object_add(j, "help", json_object_new_string(s->help ? s->help : ""));
	for (size_t i = 0; i < s->n_opts; i++)
		json_object_array_add(opts, option_json(&s->opts[i]));
	json_object_object_add(j, "options", opts);
	return j;
}

int main(void)
{
	json_object *root = json_object_new_object(), *secs = json_object_new_array();
	for (size_t i = 0; i < cfg_n_global_sections; i++)
		json_object_array_add(secs, section_json(&cfg_global_sections[i]));
	json_object_object_add(root, "sections", secs);
	json_object_object_add(root, "member", section_json(&cfg_member_section));
	puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
					    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
	return 0;
}
