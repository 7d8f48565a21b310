/* wifi_types: the sample's "unknown" initialiser and the IEEE 802.11
 * frequency -> channel mapping (see wifi_types.h). */
#include "wifi/wifi_types.h"

#include <math.h>
#include <string.h>

void wifi_sample_init(struct wifi_sample *s)
{
	memset(s, 0, sizeof(*s));
	s->associated = -1;
	s->freq_mhz = -1;
	s->channel = -1;
	s->signal_dbm = s->signal_avg_dbm = s->noise_dbm = NAN;
	s->tx_bitrate_mbps = s->rx_bitrate_mbps = NAN;
	s->link_quality = s->link_quality_max = NAN;
	s->inactive_ms = -1;
	s->rx_bytes = s->tx_bytes = s->tx_retries = s->tx_failed = -1;
	s->beacon_missed = -1;
	s->connected_s = -1;
}

/* One band: channel = (freq - base) / spacing for freq in lo..hi on the raster. */
struct wifi_band {
	int lo, hi;             /* MHz, inclusive */
	int base;               /* MHz of "channel 0" */
	int spacing;            /* MHz between channel numbers */
};

/* Only the channel rasters 802.11 defines; anything else is -1 rather than
 * a made-up number. 2484 (channel 14, Japan 802.11b) is off the raster;
 * 5935 is 6 GHz channel 2, the one 6 GHz channel below the 5955 start. */
static const struct wifi_band bands[] = {
	{ 2412, 2472, 2407, 5 },        /* 2.4 GHz: 1..13 */
	{ 4910, 4980, 4000, 5 },        /* 4.9 GHz (Japan): 182..196 */
	{ 5150, 5925, 5000, 5 },        /* 5 GHz: 30..185 */
	{ 5955, 7115, 5950, 5 },        /* 6 GHz: 1..233 */
	{ 58320, 69120, 56160, 2160 },  /* 60 GHz (DMG): 1..6 */
};

int wifi_freq_to_channel(int freq_mhz)
{
	if (freq_mhz == 2484)
		return 14;
	if (freq_mhz == 5935)
		return 2;
	for (size_t i = 0; i < sizeof(bands) / sizeof(bands[0]); i++) {
		const struct wifi_band *b = &bands[i];
		if (freq_mhz < b->lo || freq_mhz > b->hi)
			continue;
		if ((freq_mhz - b->base) % b->spacing)
			return -1;
		return (freq_mhz - b->base) / b->spacing;
	}
	return -1;
}
