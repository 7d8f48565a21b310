/* wifi_iwinfo: the text of OpenWrt's `iwinfo` (see wifi_parse.h).
 *
 *   wlan1     ESSID: "dd-wrt"
 *             Access Point: 40:31:3C:D7:46:C4
 *             Mode: Master  Channel: 48 (5.240 GHz)  HT Mode: VHT80
 *             Tx-Power: 20 dBm  Link Quality: 64/70
 *             Signal: -46 dBm  Noise: unknown
 *             Bit Rate: 432.7 MBit/s
 *
 * iwinfo puts several "Key: value" pairs on a line, two spaces apart; a
 * value itself has single spaces at most ("5.240 GHz"). Every figure it
 * cannot get is printed as "unknown". `iwinfo` alone prints this block for
 * every wireless interface, a blank line after each. */
#include "wifi/wifi_parse.h"

#include "wifi/wifi_text.h"

#include <math.h>
#include <string.h>
#include <strings.h>

/* The next "Key: value" segment of a line (split at two spaces). */
static bool next_pair(struct wtext *line, struct wtext *key, struct wtext *val)
{
	struct wtext t = wtext_trim(*line);
	if (!t.n)
		return false;
	size_t cut = t.n;
	for (size_t i = 0; i + 1 < t.n; i++)
		if (t.p[i] == ' ' && t.p[i + 1] == ' ') {
			cut = i;
			break;
		}
	struct wtext seg = { t.p, cut };
	*line = (struct wtext){ t.p + cut, t.n - cut };
	const char *colon = memchr(seg.p, ':', seg.n);
	if (!colon) {
		*key = seg;
		*val = (struct wtext){ seg.p + seg.n, 0 };
		return true;
	}
	*key = wtext_trim((struct wtext){ seg.p, (size_t)(colon - seg.p) });
	*val = wtext_trim((struct wtext){ colon + 1, seg.n - (size_t)(colon + 1 - seg.p) });
	return true;
}

/* "-46 dBm" or "unknown" (iwinfo prints 0 as unknown). */
static double dbm_value(struct wtext v)
{
	double d;
	return wtext_double(v, &d, NULL) && d < 0 ? d : NAN;
}

static double mbit_value(struct wtext v)
{
	double d;
	struct wtext rest;
	if (!wtext_double(v, &d, &rest) || d <= 0)
		return NAN;
	rest = wtext_trim(rest);
	return rest.n >= 6 && strncasecmp(rest.p, "MBit/s", 6) == 0 ? d : NAN;
}

/* "48 (5.240 GHz)" */
static void channel_value(struct wtext v, struct wifi_sample *s)
{
	long long ch;
	double ghz;
	struct wtext rest;
	if (wtext_ll(v, &ch, &rest) && ch > 0 && ch < 256)
		s->channel = (int)ch;
	else
		(void)wtext_word(v, &rest);
	rest = wtext_trim(rest);
	if (wtext_prefix(rest, "(", &rest) && wtext_double(rest, &ghz, &rest) && ghz > 0 && ghz < 100 &&
	    wtext_prefix(wtext_trim(rest), "GHz", NULL))
		s->freq_mhz = (int)lround(ghz * 1000);
}

/* "64/70", "unknown/70" */
static void quality_value(struct wtext v, struct wifi_sample *s)
{
	double q, m;
	struct wtext rest;
	const char *slash = memchr(v.p, '/', v.n);
	if (!slash)
		return;
	if (wtext_double(v, &q, &rest) && rest.p == slash && q >= 0)
		s->link_quality = q;
	struct wtext mv = { slash + 1, v.n - (size_t)(slash + 1 - v.p) };
	if (wtext_double(mv, &m, NULL) && m > 0)
		s->link_quality_max = m;
}

/* ESSID: "V2" (quotes as printed, the SSID unescaped) or unknown. */
static void essid_value(struct wtext v, struct wifi_sample *s)
{
	if (v.n >= 2 && v.p[0] == '"' && v.p[v.n - 1] == '"')
		wtext_ssid(s->ssid, (struct wtext){ v.p + 1, v.n - 2 }, false);
}

struct info_state {
	bool client;            /* Mode: Client */
	bool zero_ap;           /* Access Point: 00:00:00:00:00:00 */
	bool mode_seen;
};

static void info_pair(struct wtext key, struct wtext val, struct wifi_sample *s, struct info_state *st)
{
	if (wtext_eq(key, "Access Point")) {
		char mac[18];
		if (!wtext_mac(val, mac, NULL))
			return;
		st->zero_ap = strcmp(mac, "00:00:00:00:00:00") == 0;
		if (!st->zero_ap)
			memcpy(s->bssid, mac, sizeof(mac));
	} else if (wtext_eq(key, "Mode")) {
		st->mode_seen = true;
		st->client = wtext_eq(val, "Client");
	} else if (wtext_eq(key, "Channel")) {
		channel_value(val, s);
	} else if (wtext_eq(key, "Link Quality")) {
		quality_value(val, s);
	} else if (wtext_eq(key, "Signal")) {
		s->signal_dbm = dbm_value(val);
	} else if (wtext_eq(key, "Noise")) {
		s->noise_dbm = dbm_value(val);
	} else if (wtext_eq(key, "Bit Rate")) {
		s->tx_bitrate_mbps = mbit_value(val);
	}
}

/* "wlan1     ESSID: ..." at the start of a line: the interface's name. */
static bool info_header(struct wtext line, struct wtext *name, struct wtext *essid)
{
	struct wtext rest;
	if (wtext_indent(line))
		return false;
	*name = wtext_word(line, &rest);
	return name->n && wtext_key(rest, "ESSID", essid);
}

int wifi_parse_iwinfo_info(const char *text, size_t len, const char *ifname, struct wifi_sample *s)
{
	const char *pos = text, *end = text + len;
	struct wtext line, name, val, key;
	bool seen = false, in = false;
	struct wifi_sample tmp = *s;
	struct info_state st = { false, false, false };
	while (wtext_line(&pos, end, &line)) {
		if (info_header(line, &name, &val)) {
			if (in)
				break;
			seen = true;
			in = !ifname || wtext_eq(name, ifname);
			if (in) {
				wtext_copy(tmp.ifname, sizeof(tmp.ifname), name);
				essid_value(val, &tmp);
			}
			continue;
		}
		if (!in)
			continue;
		if (!wtext_indent(line))
			break;
		while (next_pair(&line, &key, &val))
			info_pair(key, val, &tmp, &st);
	}
	if (!seen)
		return -1;
	if (!in)
		return 1;
	if (st.mode_seen && st.client)
		tmp.associated = st.zero_ap || !tmp.bssid[0] ? 0 : 1;
	*s = tmp;
	return 0;
}

/* ---- iwinfo IF assoclist -------------------------------------------------
 *
 *   00:23:14:07:0E:3C  -38 dBm / -85 dBm (SNR 47)  26210 ms ago
 *           RX: 48.0 MBit/s, MCS 0, 20MHz                    823 Pkts.
 *           TX: 54.0 MBit/s, MCS 0, 20MHz                    413 Pkts.
 *           expected throughput: unknown
 */

/* "-38 dBm / -85 dBm (SNR 47)  26210 ms ago" after the MAC. */
static bool assoc_header(struct wtext rest, struct wifi_sample *s)
{
	const char *slash = memchr(rest.p, '/', rest.n);
	if (!slash)
		return false;
	struct wtext sig = { rest.p, (size_t)(slash - rest.p) };
	struct wtext after = { slash + 1, rest.n - (size_t)(slash + 1 - rest.p) };
	s->signal_dbm = dbm_value(sig);
	s->noise_dbm = dbm_value(after);
	const char *paren = memchr(after.p, ')', after.n);
	long long ms;
	struct wtext unit;
	if (paren) {
		struct wtext t = { paren + 1, after.n - (size_t)(paren + 1 - after.p) };
		if (wtext_ll(t, &ms, &unit) && ms >= 0 && ms <= 0x7fffffff &&
		    wtext_prefix(wtext_trim(unit), "ms ago", NULL))
			s->inactive_ms = (int)ms;
	}
	return true;
}

int wifi_parse_iwinfo_assoclist(const char *text, size_t len, const char *mac, struct wifi_sample *s)
{
	const char *pos = text, *end = text + len;
	struct wtext line, rest, v;
	bool seen = false, in = false;
	struct wifi_sample tmp = *s;
	char m[18];
	while (wtext_line(&pos, end, &line)) {
		if (!wtext_indent(line) && wtext_mac(line, m, &rest) && memchr(rest.p, '/', rest.n)) {
			if (in)
				break;
			seen = true;
			in = !mac || strcasecmp(m, mac) == 0;
			if (in && !assoc_header(rest, &tmp))
				return -1;
			if (in)
				tmp.associated = 1;
			continue;
		}
		if (!seen && wtext_prefix(wtext_trim(line), "No station connected", NULL)) {
			s->associated = 0;
			return 0;
		}
		if (!in)
			continue;
		if (!wtext_indent(line))
			break;
		if (wtext_key(line, "RX", &v))
			tmp.rx_bitrate_mbps = mbit_value(v);
		else if (wtext_key(line, "TX", &v))
			tmp.tx_bitrate_mbps = mbit_value(v);
	}
	if (!seen)
		return -1;
	if (!in)
		return 1;
	*s = tmp;
	return 0;
}
