/* cfg_alerts: the syntax of the alert options that are small languages of
 * their own — alerts.quiet_hours and ntfy.priority. The config check and the
 * alert code (src/notify/) parse them with the same functions, so what the
 * check accepts is what runs. Pure; fuzzed (fuzz_notify_text). */
#ifndef AUTONOMY_CONFIG_CFG_ALERTS_H
#define AUTONOMY_CONFIG_CFG_ALERTS_H

#include <stdbool.h>

/* "HH:MM-HH:MM" (24 h, local time; the span may cross midnight; start and
 * end differ). Minutes since midnight into *start / *end. 0, or -1. */
int cfg_quiet_parse(const char *s, int *start, int *end);
/* Whether minute-of-day m (0..1439) falls in [start, end) (wrapping). */
bool cfg_quiet_contains(int start, int end, int m);

/* "info=low warning=default critical=high emergency=urgent": per level
 * (info, warning, critical, emergency) an ntfy priority 1-5 or its name
 * (min, low, default, high, urgent; max = urgent). Pairs are separated by
 * spaces or commas; levels not named keep prio[] as given. 0, or -1. */
int cfg_ntfy_priority_parse(const char *s, int prio[4]);

#endif
