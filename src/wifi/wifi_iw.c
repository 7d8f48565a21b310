/* wifi_iw: `iw dev IF link` and `iw dev IF station get|dump` (see
 * wifi_parse.h). iw prints one "key:<tab>value" per line under a header
 * line; captures pasted from a terminal have the tabs expanded, so keys are
 * matched on the trimmed line. */
#include "wifi/wifi_parse.h"

#include "wifi/wifi_iw_util.h"

#include <string.h>
#include <strings.h>

/* ---- iw dev IF link ---------------------------------------------------- */

/* "RX: 2254846655 bytes (1728945 packets)" */
static void link_bytes(struct wtext v, long long *out)
{
	long long n;
	struct wtext rest;
	if (wtext_ll(v, &n, &rest) && n >= 0 && wtext_prefix(wtext_trim(rest), "bytes", NULL))
		*out = n;
}

static void link_field(struct wtext line, struct wifi_sample *s)
{
	struct wtext v;
	double d;
	if (wtext_key(line, "SSID", &v))
		wtext_ssid(s->ssid, v, true);
	else if (wtext_key(line, "freq", &v) && wtext_double(v, &d, NULL) && d > 0 && d < 100000) {
		s->freq_mhz = (int)d;
		s->channel = wifi_freq_to_channel(s->freq_mhz);
	} else if (wtext_key(line, "RX", &v))
		link_bytes(v, &s->rx_bytes);
	else if (wtext_key(line, "TX", &v))
		link_bytes(v, &s->tx_bytes);
	else if (wtext_key(line, "signal", &v))
		s->signal_dbm = wifi_iw_signal(v);
	else if (wtext_key(line, "rx bitrate", &v))
		s->rx_bitrate_mbps = wifi_iw_bitrate(v);
	else if (wtext_key(line, "tx bitrate", &v))
		s->tx_bitrate_mbps = wifi_iw_bitrate(v);
}

/* The first line says what the interface is doing. */
static int link_header(struct wtext t, struct wifi_sample *s)
{
	struct wtext rest;
	if (wtext_prefix(t, "Not connected", NULL)) {
		s->associated = 0;
		return 0;
	}
	if (wtext_prefix(t, "Authenticated with ", &rest)) {
		s->associated = 0;     /* authenticated, not (yet) associated */
		wifi_iw_on_ifname(rest, s->ifname, sizeof(s->ifname));
		return 0;
	}
	if (!wtext_prefix(t, "Connected to ", &rest) && !wtext_prefix(t, "Joined IBSS ", &rest))
		return -1;
	if (!wtext_mac(rest, s->bssid, NULL))
		return -1;
	s->associated = 1;
	wifi_iw_on_ifname(rest, s->ifname, sizeof(s->ifname));
	return 0;
}

int wifi_parse_iw_link(const char *text, size_t len, struct wifi_sample *s)
{
	const char *pos = text, *end = text + len;
	struct wtext line;
	bool header = false;
	struct wifi_sample tmp = *s;
	while (wtext_line(&pos, end, &line)) {
		if (wtext_blank(line))
			continue;
		if (!header) {
			if (link_header(wtext_trim(line), &tmp) < 0)
				return -1;
			header = true;
			if (tmp.associated != 1)
				break;
			continue;
		}
		if (!wtext_indent(line))
			break;          /* something after iw's output */
		link_field(line, &tmp);
	}
	if (!header)
		return -1;
	*s = tmp;
	return 0;
}

/* ---- iw dev IF station get|dump ---------------------------------------- */

static void sta_count(struct wtext v, long long *out)
{
	long long n;
	if (wtext_ll(v, &n, NULL) && n >= 0)
		*out = n;
}

/* "yes" / "no" -> 1 / 0; anything else leaves *out. */
static void sta_yesno(struct wtext v, int *out)
{
	struct wtext w = wtext_word(v, NULL);
	if (wtext_eq(w, "yes"))
		*out = 1;
	else if (wtext_eq(w, "no"))
		*out = 0;
}

static void sta_field(struct wtext line, struct wifi_sample *s)
{
	struct wtext v;
	long long n;
	if (wtext_key(line, "inactive time", &v)) {
		if (wtext_ll(v, &n, NULL) && n >= 0 && n <= 0x7fffffff)
			s->inactive_ms = (int)n;
	} else if (wtext_key(line, "rx bytes", &v))
		sta_count(v, &s->rx_bytes);
	else if (wtext_key(line, "tx bytes", &v))
		sta_count(v, &s->tx_bytes);
	else if (wtext_key(line, "tx retries", &v))
		sta_count(v, &s->tx_retries);
	else if (wtext_key(line, "tx failed", &v))
		sta_count(v, &s->tx_failed);
	else if (wtext_key(line, "signal", &v))
		s->signal_dbm = wifi_iw_signal(v);
	else if (wtext_key(line, "signal avg", &v))
		s->signal_avg_dbm = wifi_iw_signal(v);
	else if (wtext_key(line, "tx bitrate", &v))
		s->tx_bitrate_mbps = wifi_iw_bitrate(v);
	else if (wtext_key(line, "rx bitrate", &v))
		s->rx_bitrate_mbps = wifi_iw_bitrate(v);
	else if (wtext_key(line, "associated", &v))
		sta_yesno(v, &s->associated);
	else if (wtext_key(line, "connected time", &v)) {
		if (wtext_ll(v, &n, NULL) && n >= 0 && n <= 0x7fffffff)
			s->connected_s = (int)n;
	}
}

/* "Station 8c:be:be:f5:8f:59 (on wlan0)" at the start of a line. */
static bool sta_header(struct wtext line, char mac[18], char *ifname, size_t size)
{
	struct wtext rest;
	if (wtext_indent(line) || !wtext_prefix(line, "Station ", &rest) || !wtext_mac(rest, mac, &rest))
		return false;
	wifi_iw_on_ifname(rest, ifname, size);
	return true;
}

int wifi_parse_iw_station(const char *text, size_t len, const char *mac, struct wifi_sample *s)
{
	const char *pos = text, *end = text + len;
	struct wtext line;
	bool seen = false, in = false;
	struct wifi_sample tmp = *s;
	char m[18], ifname[sizeof(s->ifname)];
	while (wtext_line(&pos, end, &line)) {
		ifname[0] = '\0';
		if (sta_header(line, m, ifname, sizeof(ifname))) {
			if (in)
				break;  /* the next station: ours is complete */
			seen = true;
			in = !mac || strcasecmp(m, mac) == 0;
			if (in && ifname[0])
				memcpy(tmp.ifname, ifname, sizeof(tmp.ifname));
			continue;
		}
		if (!in)
			continue;
		if (!wtext_indent(line))
			break;          /* a prompt, a separator, a blank line */
		sta_field(line, &tmp);
	}
	if (!seen)
		return -1;
	if (!in)
		return 1;
	*s = tmp;
	return 0;
}
