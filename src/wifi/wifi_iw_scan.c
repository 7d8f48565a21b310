/* wifi_iw_scan: `iw dev IF scan [dump]` (see wifi_parse.h).
 *
 *   BSS ac:22:05:e6:ff:24(on wlan0) -- associated
 *   	freq: 5180
 *   	signal: -30.00 dBm
 *   	last seen: 130 ms ago
 *   	SSID: UPCCDB29F5
 *   	DS Parameter set: channel 36
 *   	HT operation:
 *   		 * primary channel: 36
 *
 * Older iw puts a space before "(on"; captures come tab- or 4-space
 * indented. A block's own fields are the lines at its first line's indent;
 * deeper lines belong to an information element and are skipped (an IE's
 * sub-fields reuse names like "channel"). */
#include "wifi/wifi_parse.h"

#include "wifi/wifi_iw_util.h"
#include "wifi/wifi_scan.h"

#include <math.h>
#include <string.h>

struct bss_block {
	struct wifi_bss b;
	int ds_channel;         /* "DS Parameter set: channel N", -1 none */
	size_t indent;          /* of the block's fields; 0 until the first */
};

static bool contains(struct wtext t, const char *s)
{
	size_t k = strlen(s);
	for (size_t i = 0; i + k <= t.n; i++)
		if (memcmp(t.p + i, s, k) == 0)
			return true;
	return false;
}

static bool bss_header(struct wtext line, struct bss_block *blk)
{
	struct wtext rest;
	char mac[18];
	if (wtext_indent(line) || !wtext_prefix(line, "BSS ", &rest) || !wtext_mac(rest, mac, &rest))
		return false;
	memset(blk, 0, sizeof(*blk));
	memcpy(blk->b.bssid, mac, sizeof(mac));
	blk->b.freq_mhz = blk->b.channel = -1;
	blk->b.signal_dbm = NAN;
	blk->b.last_seen_ms = -1;
	blk->b.associated = contains(rest, "-- associated");
	blk->ds_channel = -1;
	return true;
}

static void bss_field(struct wtext line, struct bss_block *blk)
{
	struct wtext v, rest;
	double d;
	long long n;
	if (wtext_key(line, "freq", &v)) {
		if (wtext_double(v, &d, NULL) && d > 0 && d < 100000)
			blk->b.freq_mhz = (int)d;
	} else if (wtext_key(line, "signal", &v)) {
		blk->b.signal_dbm = wifi_iw_signal(v);
	} else if (wtext_key(line, "last seen", &v)) {
		if (wtext_ll(v, &n, &rest) && n >= 0 && n <= 0x7fffffff &&
		    wtext_prefix(wtext_trim(rest), "ms", NULL))
			blk->b.last_seen_ms = (int)n;
	} else if (wtext_key(line, "SSID", &v)) {
		wtext_ssid(blk->b.ssid, v, true);
	} else if (wtext_key(line, "DS Parameter set", &v) &&
		   wtext_prefix(v, "channel", &rest) && wtext_ll(rest, &n, NULL) && n > 0 && n < 256) {
		blk->ds_channel = (int)n;
	}
}

/* The channel from the frequency; the DS Parameter set only when the
 * frequency is missing or off the raster. */
static void bss_finish(struct bss_block *blk, struct wifi_scan *sc)
{
	blk->b.channel = wifi_freq_to_channel(blk->b.freq_mhz);
	if (blk->b.channel < 0)
		blk->b.channel = blk->ds_channel;
	wifi_scan_add(sc, &blk->b);
}

int wifi_parse_iw_scan(const char *text, size_t len, struct wifi_scan *sc)
{
	const char *pos = text, *end = text + len;
	struct wtext line;
	struct bss_block cur, next;
	bool in = false, other = false;
	unsigned blocks = 0;
	while (wtext_line(&pos, end, &line)) {
		if (bss_header(line, &next)) {
			if (in)
				bss_finish(&cur, sc);
			cur = next;
			in = true;
			blocks++;
			continue;
		}
		if (wtext_blank(line))
			continue;
		size_t ind = wtext_indent(line);
		if (!ind) {
			if (in)
				bss_finish(&cur, sc);
			in = false;
			other = true;   /* a prompt or an error message */
			continue;
		}
		if (!in)
			continue;
		if (!cur.indent)
			cur.indent = ind;
		if (ind == cur.indent)
			bss_field(line, &cur);
	}
	if (in)
		bss_finish(&cur, sc);
	return blocks || !other ? 0 : -1;
}
