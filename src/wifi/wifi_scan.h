/* wifi_scan: collecting neighbours (keep the strongest WIFI_SCAN_MAX, never
 * drop the associated one) and judging the channel from them.
 *
 * wifi_congestion is what the engine's "interference" check needs: how many
 * other networks share the air of the channel we are on, how loud the
 * loudest is, and which channel of the band is least occupied. The
 * suggestion is advice for the operator only: a client follows its AP's
 * channel, and nothing in autonomy changes a channel. */
#ifndef AUTONOMY_LINK_WIFI_SCAN_H
#define AUTONOMY_LINK_WIFI_SCAN_H

#include "wifi/wifi_types.h"

/* A BSS below this is not counted: -82 dBm is 802.11's clear-channel
 * assessment level for a 20 MHz preamble, so a weaker network does not
 * make our radio defer. */
#define WIFI_CONGESTION_MIN_DBM (-82.0)

struct wifi_congestion {
	int freq_mhz, channel;  /* the channel judged (the associated one) */
	unsigned neighbours;    /* other BSSs on it or overlapping it, above
				 * WIFI_CONGESTION_MIN_DBM (2.4 GHz: within 4
				 * channels; 5/6 GHz: the same channel) */
	double strongest_dbm;   /* the loudest of them, NAN if none */
	char strongest_bssid[18];
	char strongest_ssid[33];
	int suggest_channel;    /* least occupied channel of the band (2.4 GHz:
				 * 1, 6 or 11); -1 when the band is unknown */
	int suggest_freq_mhz;
	unsigned suggest_n;     /* the count for the suggested channel */
};

void wifi_scan_init(struct wifi_scan *sc);
/* Adds one BSS: kept while there is room; when full it replaces the weakest
 * kept one if it is stronger (or is the associated one). n_seen counts all. */
void wifi_scan_add(struct wifi_scan *sc, const struct wifi_bss *b);
/* Strongest first (unknown signals last); the associated one is not moved
 * specially. */
void wifi_scan_sort(struct wifi_scan *sc);
/* The associated BSS, or NULL. */
const struct wifi_bss *wifi_scan_associated(const struct wifi_scan *sc);

/* Judges channel freq_mhz (<= 0: the associated BSS's) from the scan; the
 * associated BSS itself is never counted. Returns 0, or -1 when there is
 * no channel to judge (out then holds "unknown"s: -1, NAN, ""). */
int wifi_congestion(const struct wifi_scan *sc, int freq_mhz, struct wifi_congestion *out);

/* Channel number -> MHz in the band of ref_freq_mhz; -1 if none. */
int wifi_channel_to_freq(int channel, int ref_freq_mhz);

#endif
