/* wifi_proc: /proc/net/wireless (wireless extensions' statistics).
 *
 *   Inter-| sta-|   Quality        |   Discarded packets               | Missed | WE
 *    face | tus | link level noise |  nwid  crypt   frag  retry   misc | beacon | 22
 *   wlp5s0: 0000   68.  -42.  -256        0      0      0      0   3851        0
 *
 * The kernel prints a '.' after a figure updated since the last read; the
 * figure is taken either way. With the driver's IW_QUAL_DBM flag, level and
 * noise are printed as the raw byte minus 256, so they are negative and a
 * raw 0 (no figure) shows as -256; without it they are the driver's
 * relative numbers (0..255), which is how a level of 0 or more is told
 * apart. cfg80211 prints no row for a client that is not connected. */
#include "wifi/wifi_parse.h"

#include "wifi/wifi_text.h"

#include <math.h>
#include <string.h>

#define PROC_NO_FIGURE (-256.0)

/* The columns after "name:": status, link, level, noise, five discard
 * counters, missed beacons. */
static int parse_row(struct wtext rest, struct wifi_sample *s)
{
	double link, level, noise;
	long long discard[5], beacon;
	(void)wtext_word(rest, &rest);          /* status, hex */
	if (!wtext_double(rest, &link, &rest) || !wtext_double(rest, &level, &rest) ||
	    !wtext_double(rest, &noise, &rest))
		return -1;
	for (size_t i = 0; i < 5; i++)
		if (!wtext_ll(rest, &discard[i], &rest))
			return -1;
	if (!wtext_ll(rest, &beacon, &rest))
		return -1;
	s->link_quality = link;
	s->relative_units = level >= 0;
	if (s->relative_units) {
		s->signal_dbm = level;
		s->noise_dbm = noise;
	} else {
		s->signal_dbm = level <= PROC_NO_FIGURE ? NAN : level;
		s->noise_dbm = noise <= PROC_NO_FIGURE ? NAN : noise;
	}
	s->beacon_missed = beacon;
	return 0;
}

int wifi_parse_proc(const char *text, size_t len, const char *ifname, struct wifi_sample *s)
{
	const char *pos = text, *end = text + len;
	struct wtext line;
	unsigned header = 0;
	while (header < 2 && wtext_line(&pos, end, &line)) {
		if (wtext_blank(line))
			continue;
		struct wtext t = wtext_trim(line);
		if (!wtext_prefix(t, header ? "face" : "Inter-", NULL))
			return -1;
		header++;
	}
	if (header < 2)
		return -1;
	while (wtext_line(&pos, end, &line)) {
		struct wtext t = wtext_trim(line);
		const char *colon = memchr(t.p, ':', t.n);
		if (!t.n || !colon)
			continue;
		struct wtext name = wtext_trim((struct wtext){ t.p, (size_t)(colon - t.p) });
		if (ifname && !wtext_eq(name, ifname))
			continue;
		struct wtext rest = { colon + 1, t.n - (size_t)(colon + 1 - t.p) };
		struct wifi_sample tmp = *s;
		if (parse_row(rest, &tmp) < 0)
			return -1;
		wtext_copy(tmp.ifname, sizeof(tmp.ifname), name);
		*s = tmp;
		return 0;
	}
	return 1;
}
