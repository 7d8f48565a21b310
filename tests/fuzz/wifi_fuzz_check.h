/* Invariants of a wifi_sample that every Wi-Fi parser must keep, whatever
 * its input: shared by fuzz_wifi_text.c and fuzz_wifi_nl.c. */
#ifndef AUTONOMY_FUZZ_WIFI_CHECK_H
#define AUTONOMY_FUZZ_WIFI_CHECK_H

#include "wifi/wifi_types.h"

#include <math.h>
#include <string.h>

static inline void wifi_fuzz_check_sample(const struct wifi_sample *s)
{
	if (strnlen(s->ssid, sizeof(s->ssid)) == sizeof(s->ssid) ||
	    strnlen(s->bssid, sizeof(s->bssid)) == sizeof(s->bssid) ||
	    strnlen(s->ifname, sizeof(s->ifname)) == sizeof(s->ifname))
		__builtin_trap();
	if (s->associated < -1 || s->associated > 1)
		__builtin_trap();
	/* dBm figures are negative (0 and up is taken as unknown) */
	if (!s->relative_units && !isnan(s->signal_dbm) && s->signal_dbm >= 0)
		__builtin_trap();
	if (s->channel != -1 && (s->channel <= 0 || s->channel > 255))
		__builtin_trap();
}

#endif
