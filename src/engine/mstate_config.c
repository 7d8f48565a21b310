/* mstate_config: member-state parameters from the configuration. */
#include "engine/mstate_config.h"

#include "config/config.h"

void mstate_params_from_config(const struct config *cfg, struct mstate_params *p)
{
	mstate_params_default(p);
	if (!cfg)
		return;
	const struct cfg_section *pol = config_section(cfg, "polling");
	const struct cfg_section *al = config_section(cfg, "alerts");
	p->sched.base_interval_ms = (uint32_t)cfg_duration_ms(pol, "base_interval_ms");
	p->sched.min_interval_ms = (uint32_t)cfg_duration_ms(pol, "min_interval_ms");
	p->sched.max_interval_ms = (uint32_t)cfg_duration_ms(pol, "max_interval_ms");
	p->sched.adaptive = cfg_bool(pol, "adaptive_polling");
	p->sched.load_threshold = (unsigned)cfg_int(pol, "load_threshold");
	p->health.warning = (int)cfg_int(al, "health_warning");
	p->health.critical = (int)cfg_int(al, "health_critical");
}
