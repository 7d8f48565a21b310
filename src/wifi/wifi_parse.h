/* wifi_parse: the text that Wi-Fi tools and procfs print, into wifi_types.
 * Pure functions: (text, length) in, struct out; the text need not be
 * NUL-terminated and is never read past len. Each fills only the fields
 * its input carries (call wifi_sample_init / wifi_scan_init first) and
 * leaves `source` to the caller.
 *
 * Returns: 0 recognised (fields filled); -1 not that format; 1 the right
 * format, but the interface / station asked for is not in it.
 *
 * Signal levels of 0 dBm or more are taken as unknown: no client receives
 * 1 mW from its AP, and mt76 drivers are known to report bogus positive
 * values (openwrt/mt76#17: "signal: 75 [72, 75] dBm"). */
#ifndef AUTONOMY_LINK_WIFI_PARSE_H
#define AUTONOMY_LINK_WIFI_PARSE_H

#include "wifi/wifi_types.h"

#include <stddef.h>

/* /proc/net/wireless: the row of ifname (NULL: the first row). Levels are
 * dBm when the driver says so (the kernel then prints them minus 256, so a
 * noise of -256 is "no figure"); when the level is 0 or positive the driver
 * uses relative units: relative_units is set and signal_dbm/noise_dbm hold
 * those relative numbers, not dBm. */
int wifi_parse_proc(const char *text, size_t len, const char *ifname, struct wifi_sample *s);

/* `iw dev IF link`: "Connected to", "Not connected." (associated = 0) or
 * "Authenticated with" (= 0), SSID, freq, RX/TX bytes, signal, bitrates. */
int wifi_parse_iw_link(const char *text, size_t len, struct wifi_sample *s);

/* `iw dev IF station get MAC` / `station dump`: the block of station mac
 * (NULL: the first). Lines outside "Station" blocks (a shell prompt, a
 * separator) are ignored. */
int wifi_parse_iw_station(const char *text, size_t len, const char *mac, struct wifi_sample *s);

/* `iw dev IF scan [dump]`: every BSS block into sc (wifi_scan_add keeps the
 * strongest WIFI_SCAN_MAX). Recognised with zero BSSs when the text is
 * empty: an empty cache prints nothing. */
int wifi_parse_iw_scan(const char *text, size_t len, struct wifi_scan *sc);

/* `iwinfo IF info` or the `iwinfo` overview: the block of ifname (NULL:
 * the first). Bit Rate is the transmit rate. For Mode "Client", an Access
 * Point of 00:00:00:00:00:00 means not associated; in other modes
 * `associated` stays unknown. */
int wifi_parse_iwinfo_info(const char *text, size_t len, const char *ifname, struct wifi_sample *s);

/* `iwinfo IF assoclist` (for a client: its AP): the entry of mac (NULL: the
 * first). "No station connected" is associated = 0. */
int wifi_parse_iwinfo_assoclist(const char *text, size_t len, const char *mac, struct wifi_sample *s);

/* `ubus call iwinfo info '{"device":"IF"}'`: signal and noise (0 =
 * unknown), bitrate in kbit/s, quality/quality_max, channel, frequency,
 * ssid, bssid, mode. */
int wifi_parse_iwinfo_json(const char *text, size_t len, struct wifi_sample *s);

#endif
