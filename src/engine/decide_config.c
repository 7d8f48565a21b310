/* decide_config: the decision engine's parameters from the configuration,
 * shared by the daemon and the replay so both decide with the same settings:
 * main.switch_margin, main.switch_sustain and main.failback_hold (schema
 * defaults when not set); the rest stay at decide_params_default(). */
#include "config/config.h"
#include "engine/decide.h"

void decide_params_from_config(const struct config *cfg, struct decide_params *p)
{
	decide_params_default(p);
	if (!cfg)
		return;
	const struct cfg_section *m = config_section(cfg, "main");
	p->switch_margin = (int)cfg_int(m, "switch_margin");
	p->sustain_ms = (uint32_t)cfg_duration_ms(m, "switch_sustain");
	p->failback_hold_ms = (uint32_t)cfg_duration_ms(m, "failback_hold");
}
