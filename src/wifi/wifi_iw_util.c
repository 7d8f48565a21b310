/* wifi_iw_util: iw's figures (see wifi_iw_util.h). */
#include "wifi/wifi_iw_util.h"

#include <math.h>
#include <string.h>
#include <strings.h>

double wifi_iw_signal(struct wtext v)
{
	double d;
	if (!wtext_double(v, &d, NULL) || d >= 0)
		return NAN;
	return d;
}

double wifi_iw_bitrate(struct wtext v)
{
	double d;
	struct wtext rest;
	if (!wtext_double(v, &d, &rest) || d < 0)
		return NAN;
	rest = wtext_trim(rest);
	if (rest.n < 6 || strncasecmp(rest.p, "MBit/s", 6) != 0)
		return NAN;
	return d;
}

void wifi_iw_on_ifname(struct wtext t, char *out, size_t size)
{
	for (size_t i = 0; i + 4 <= t.n; i++) {
		if (memcmp(t.p + i, "(on ", 4) != 0)
			continue;
		const char *b = t.p + i + 4;
		const char *e = memchr(b, ')', t.n - i - 4);
		if (e)
			wtext_copy(out, size, (struct wtext){ b, (size_t)(e - b) });
		return;
	}
}
