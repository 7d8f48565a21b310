/* wifi_types: what a Wi-Fi client (STA) radio reports, as plain C values.
 * nl80211 (src/wifi/wifi_nl.c), iwinfo and iw output, /proc/net/wireless and
 * the replay's trace `wifi` objects all fill these, so the engine's
 * assessment (src/wifi/wifi_assess.c) sees one shape. A figure not
 * reported is NAN (doubles) or -1 (ints); `associated` is -1 when the source
 * cannot tell. No pointers. */
#ifndef AUTONOMY_LINK_WIFI_TYPES_H
#define AUTONOMY_LINK_WIFI_TYPES_H

#include <stdbool.h>
#include <stdint.h>

struct wifi_sample {
	char source[16];        /* "nl80211", "iwinfo", "iw", "proc" */
	char ifname[16];
	int associated;         /* 1 yes, 0 no, -1 unknown */
	char ssid[33];
	char bssid[18];         /* "64:d1:54:68:93:ae", "" unknown */
	int freq_mhz;           /* -1 unknown */
	int channel;            /* -1 unknown */
	double signal_dbm;      /* last frame / current */
	double signal_avg_dbm;
	double noise_dbm;
	double tx_bitrate_mbps, rx_bitrate_mbps;
	double link_quality;    /* /proc/net/wireless or iwinfo "64/70" as 64 */
	double link_quality_max;        /* 70 for iwinfo, NAN if unknown */
	bool relative_units;    /* /proc reports levels as relative numbers, not dBm */
	int inactive_ms;        /* -1 unknown */
	long long rx_bytes, tx_bytes, tx_retries, tx_failed;    /* -1 unknown */
	long long beacon_missed;        /* /proc "Missed beacon", -1 unknown */
	int connected_s;        /* -1 unknown */
};

/* One neighbouring network from a scan. */
struct wifi_bss {
	char bssid[18];
	char ssid[33];
	int freq_mhz;
	int channel;
	double signal_dbm;
	int last_seen_ms;       /* -1 unknown */
	bool associated;        /* the one we are connected to */
};

#define WIFI_SCAN_MAX 64
struct wifi_scan {
	unsigned n;             /* kept (the strongest when there were more) */
	unsigned n_seen;        /* reported in all */
	struct wifi_bss bss[WIFI_SCAN_MAX];
};

/* A channel's occupancy from a survey (NL80211_CMD_GET_SURVEY). */
struct wifi_survey {
	int freq_mhz;
	bool in_use;
	double noise_dbm;       /* NAN unknown */
	long long active_ms, busy_ms, rx_ms, tx_ms;     /* -1 unknown */
};

void wifi_sample_init(struct wifi_sample *s);
/* 2412 -> 1, 5180 -> 36, 5955 -> 1 (6 GHz); -1 for an unknown frequency. */
int wifi_freq_to_channel(int freq_mhz);

#endif
