/* cfg_kinds: a config that uses a telemetry kind this program was built
 * without (CMake option WITH_<KIND>=OFF; the kinds are listed in
 * engine/tel_kinds.def) is told so at every load: `autonomyd -n`, start,
 * reload and `autonomyctl config validate`.
 *
 * A warning, not an error: a member of class starlink is still probed,
 * scored and routed like any uplink without its dish's telemetry, and one
 * config can serve a fleet of routers built with and without a kind. An
 * error would keep the daemon from starting (or a reload from applying)
 * over telemetry alone, which is worse than running without it. */
#include <string.h>

#include "config/cfg_internal.h"

static const struct {
	const char *name;
	int built;
	const char *section, *cls, *option;
} kinds[] = {
#define TEL_KIND(id, built, section, cls, option, tests) { #id, built, section, cls, option },
#include "engine/tel_kinds.def"
#undef TEL_KIND
};

/* The line of the first option given in s, 0 if none is. */
static int first_set(const struct cfg_section *s)
{
	int line = 0;
	for (size_t i = 0; i < s->def->n_opts; i++)
		if (s->vals[i].set && (!line || s->vals[i].line < line))
			line = s->vals[i].line;
	return line;
}

static void check_kind(struct cfg_load *c, size_t k)
{
	const struct config *cfg = c->cfg;
	const char *name = kinds[k].name;
	char lb[96];

	const struct cfg_section *s = kinds[k].section ? config_section(cfg, kinds[k].section) : NULL;
	int line = s ? first_set(s) : 0;
	if (line)
		cfg_diag(c, CFG_WARNING, line, "%s: %s telemetry is not built into this "
			 "autonomyd; its options are ignored", kinds[k].section, name);
	for (size_t j = 0; j < cfg->n_members; j++) {
		const struct cfg_section *m = &cfg->members[j];
		const struct cfg_value *v;
		if (kinds[k].cls && strcmp(cfg_enum_str(m, "class"), kinds[k].cls) == 0) {
			v = cfg_get(m, "class");
			cfg_diag(c, CFG_WARNING, v->set ? v->line : m->line,
				 "%s: class '%s': %s telemetry is not built into this autonomyd; "
				 "ignored (the member is probed and routed as any uplink)",
				 cfg_label(m, lb, sizeof(lb)), kinds[k].cls, name);
		}
		if (kinds[k].option && (v = cfg_get(m, kinds[k].option))->set)
			cfg_diag(c, CFG_WARNING, v->line, "%s.%s: %s telemetry is not built into "
				 "this autonomyd; ignored", cfg_label(m, lb, sizeof(lb)),
				 kinds[k].option, name);
	}
}

void cfg_check_kinds(struct cfg_load *c)
{
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (!kinds[k].built)
			check_kind(c, k);
}

const char *cfg_kind_missing(const char *cls)
{
	for (size_t k = 0; cls && k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (!kinds[k].built && kinds[k].cls && strcmp(kinds[k].cls, cls) == 0)
			return kinds[k].name;
	return NULL;
}
