#include "engine/policy.h"

#include <string.h>

#include "config/config.h"

void policy_params_from_config(const struct config *cfg, struct policy_params *p)
{
	memset(p, 0, sizeof(*p));
	/* The schema's default: on (and a config without the section has it). */
	p->metered_mode = cfg ? cfg_bool(config_section(cfg, "bandwidth"), "metered_mode") : true;
}

bool policy_metered(bool metered_flag, double data_limit_mb)
{
	return metered_flag || data_limit_mb > 0;
}

void policy_input(const struct policy_member *m, struct decide_input *in)
{
	const struct mstate *ms = m->ms;

	memset(in, 0, sizeof(*in));
	in->name = m->name;
	in->priority = m->priority;
	in->enabled = m->enabled;
	in->state = mstate_state(ms);
	in->score = ms->res.score;
	in->reason = detect_is_down(&ms->det) ? ms->det.reason : ms->res.reason;
	/* The detector's copy of the last link event: the daemon (rtnetlink and
	 * the carrier watch) and the replay (trace carrier lines) both feed it
	 * through mstate_link, so it is the one value they share. */
	in->link_down = ms->det.link != DETECT_LINK_UP;
	if (m->tm)
		tel_member_input(m->tm, in);
}

enum sched_role policy_role(const struct policy_params *p, const struct policy_member *m,
			    bool active, bool active_down)
{
	if (active || active_down)
		return SCHED_ACTIVE;
	return m->metered && p->metered_mode ? SCHED_METERED_STANDBY : SCHED_STANDBY;
}
