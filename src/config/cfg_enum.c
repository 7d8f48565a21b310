#include "config/config.h"

const char *cfg_enum_name(const struct cfg_section *s, const char *opt)
{
	const struct cfg_option_def *d = cfg_find_option_def(s->def, opt);
	return d->enums[cfg_enum(s, opt)];
}
