/* wifi_iw_util: figures as iw prints them, shared by wifi_iw.c and
 * wifi_iw_scan.c. Internal to src/wifi/. */
#ifndef AUTONOMY_LINK_WIFI_IW_UTIL_H
#define AUTONOMY_LINK_WIFI_IW_UTIL_H

#include "wifi/wifi_text.h"

/* "-57 [-62, -59] dBm", "-45.00 dBm": the first figure; NAN when it is
 * missing or 0 or more (not a real received level; see wifi_parse.h). */
double wifi_iw_signal(struct wtext v);
/* "866.7 MBit/s VHT-MCS 9 80MHz short GI VHT-NSS 2": the rate; NAN unless
 * the figure is followed by MBit/s. */
double wifi_iw_bitrate(struct wtext v);
/* The interface of "... (on wlan0)" / "...(on wlan0)" into out. */
void wifi_iw_on_ifname(struct wtext t, char *out, size_t size);

#endif
