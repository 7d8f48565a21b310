/* policy: how one member's measured state (mstate), link telemetry
 * (tel_member) and configuration become the decision engine's input and the
 * member's probing role. The daemon (daemon/members.c, decisions.c) and the
 * replay (replay/replay_autonomy.c) both call these and nothing else for it,
 * so the replay's figures are evidence about the daemon. Pure: no I/O, no
 * clock. */
#ifndef AUTONOMY_ENGINE_POLICY_H
#define AUTONOMY_ENGINE_POLICY_H

#include <stdbool.h>

#include "engine/decide.h"
#include "engine/mstate.h"
#include "engine/sched.h"
#include "engine/tel_member.h"

struct config;

struct policy_params {
	bool metered_mode;              /* bandwidth.metered_mode: sparse standby probing */
};

/* What the policy needs of one member; pointers are the caller's. */
struct policy_member {
	const char *name;
	int priority;
	bool enabled;
	bool metered;                   /* from policy_metered() */
	const struct mstate *ms;
	const struct tel_member *tm;
};

void policy_params_from_config(const struct config *cfg, struct policy_params *p);
/* A member with a data cap is metered whatever its `metered` flag says. */
bool policy_metered(bool metered_flag, double data_limit_mb);
/* The decision engine's view of the member (strings point into m's state). */
void policy_input(const struct policy_member *m, struct decide_input *in);
/* The member's probing role: active is the member carrying traffic,
 * active_down whether that member is down. While the active member is down
 * every member is probed at the active rate, so the one that comes back
 * first is confirmed in about a second; a metered standby is probed
 * sparsely only when bandwidth.metered_mode is on. */
enum sched_role policy_role(const struct policy_params *p, const struct policy_member *m,
			    bool active, bool active_down);

#endif
