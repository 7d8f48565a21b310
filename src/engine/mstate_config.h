/* mstate_config: member-state parameters from the configuration, shared by
 * the daemon and the replay so both run the engine with the same settings. */
#ifndef AUTONOMY_ENGINE_MSTATE_CONFIG_H
#define AUTONOMY_ENGINE_MSTATE_CONFIG_H

#include "engine/mstate.h"

struct config;

/* Defaults, overridden by polling.{base,min,max}_interval_ms,
 * polling.adaptive_polling, polling.load_threshold and
 * alerts.health_{warning,critical}. cfg NULL = defaults only. */
void mstate_params_from_config(const struct config *cfg, struct mstate_params *p);

#endif
