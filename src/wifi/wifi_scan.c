/* wifi_scan: neighbour list upkeep and the channel judgement (see
 * wifi_scan.h). */
#include "wifi/wifi_scan.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void wifi_scan_init(struct wifi_scan *sc)
{
	memset(sc, 0, sizeof(*sc));
}

/* NAN (unknown) sorts as weaker than any figure. */
static bool stronger(double a, double b)
{
	if (isnan(a))
		return false;
	return isnan(b) || a > b;
}

void wifi_scan_add(struct wifi_scan *sc, const struct wifi_bss *b)
{
	sc->n_seen++;
	if (sc->n < WIFI_SCAN_MAX) {
		sc->bss[sc->n++] = *b;
		return;
	}
	size_t weakest = WIFI_SCAN_MAX;
	for (size_t i = 0; i < WIFI_SCAN_MAX; i++) {
		if (sc->bss[i].associated)
			continue;
		if (weakest == WIFI_SCAN_MAX || stronger(sc->bss[weakest].signal_dbm, sc->bss[i].signal_dbm))
			weakest = i;
	}
	if (weakest == WIFI_SCAN_MAX)
		return;
	if (b->associated || stronger(b->signal_dbm, sc->bss[weakest].signal_dbm))
		sc->bss[weakest] = *b;
}

static int cmp_signal(const void *a, const void *b)
{
	const struct wifi_bss *x = a, *y = b;
	if (stronger(x->signal_dbm, y->signal_dbm))
		return -1;
	if (stronger(y->signal_dbm, x->signal_dbm))
		return 1;
	return strcmp(x->bssid, y->bssid);
}

void wifi_scan_sort(struct wifi_scan *sc)
{
	qsort(sc->bss, sc->n, sizeof(sc->bss[0]), cmp_signal);
}

const struct wifi_bss *wifi_scan_associated(const struct wifi_scan *sc)
{
	for (unsigned i = 0; i < sc->n; i++)
		if (sc->bss[i].associated)
			return &sc->bss[i];
	return NULL;
}

/* ---- channels -------------------------------------------------------- */

enum band { BAND_NONE, BAND_2G, BAND_5G, BAND_6G };

static enum band band_of(int f)
{
	if (f >= 2400 && f <= 2500)
		return BAND_2G;
	if (f >= 4900 && f < 5935)
		return BAND_5G;
	if (f >= 5935 && f <= 7125)
		return BAND_6G;
	return BAND_NONE;
}

int wifi_channel_to_freq(int channel, int ref_freq_mhz)
{
	int f;
	switch (band_of(ref_freq_mhz)) {
	case BAND_2G:
		f = channel == 14 ? 2484 : 2407 + 5 * channel;
		break;
	case BAND_5G:
		f = channel >= 182 ? 4000 + 5 * channel : 5000 + 5 * channel;
		break;
	case BAND_6G:
		f = channel == 2 ? 5935 : 5950 + 5 * channel;
		break;
	default:
		return -1;
	}
	return channel > 0 && wifi_freq_to_channel(f) == channel ? f : -1;
}

/* A 20 MHz signal on 2.4 GHz spans 4 channel steps either side of its
 * centre (5 MHz apart); on 5 and 6 GHz channels do not overlap at 20 MHz.
 * We cannot see a neighbour's width in a scan result, so wider 5 GHz BSSs
 * are judged by their primary channel only. */
static bool overlaps(int a, int b)
{
	if (band_of(a) == BAND_2G && band_of(b) == BAND_2G)
		return abs(a - b) <= 20;
	return a == b;
}

struct occupancy {
	unsigned n;
	const struct wifi_bss *strongest;
};

static struct occupancy occupancy(const struct wifi_scan *sc, int freq)
{
	struct occupancy o = { 0, NULL };
	for (unsigned i = 0; i < sc->n; i++) {
		const struct wifi_bss *b = &sc->bss[i];
		if (b->associated || !(b->signal_dbm > WIFI_CONGESTION_MIN_DBM) || !overlaps(b->freq_mhz, freq))
			continue;
		o.n++;
		if (!o.strongest || stronger(b->signal_dbm, o.strongest->signal_dbm))
			o.strongest = b;
	}
	return o;
}

/* Where an AP could go: 2.4 GHz's three non-overlapping channels; on 5 GHz
 * the channels that need no radar detection (UNII-1 and UNII-3: a DFS
 * channel can be taken away at any moment); on 6 GHz the preferred
 * scanning channels, where clients look first. */
static const int cand_2g[] = { 1, 6, 11 };
static const int cand_5g[] = { 36, 40, 44, 48, 149, 153, 157, 161, 165 };
static const int cand_6g[] = { 5, 21, 37, 53, 69, 85, 101, 117, 133, 149, 165, 181, 197, 213, 229 };

static bool better(struct occupancy a, int fa, struct occupancy b, int fb, int cur)
{
	if (a.n != b.n)
		return a.n < b.n;
	if ((fa == cur) != (fb == cur))
		return fa == cur;
	double sa = a.strongest ? a.strongest->signal_dbm : -INFINITY;
	double sb = b.strongest ? b.strongest->signal_dbm : -INFINITY;
	if (sa != sb)
		return sa < sb;
	return fa < fb;
}

static void suggest(const struct wifi_scan *sc, int freq, struct wifi_congestion *out)
{
	const int *cand;
	size_t n;
	switch (band_of(freq)) {
	case BAND_2G: cand = cand_2g; n = sizeof(cand_2g) / sizeof(int); break;
	case BAND_5G: cand = cand_5g; n = sizeof(cand_5g) / sizeof(int); break;
	case BAND_6G: cand = cand_6g; n = sizeof(cand_6g) / sizeof(int); break;
	default: return;
	}
	int best_f = -1;
	struct occupancy best = { 0, NULL };
	for (size_t i = 0; i < n; i++) {
		int f = wifi_channel_to_freq(cand[i], freq);
		struct occupancy o = occupancy(sc, f);
		if (best_f < 0 || better(o, f, best, best_f, freq)) {
			best = o;
			best_f = f;
		}
	}
	out->suggest_freq_mhz = best_f;
	out->suggest_channel = wifi_freq_to_channel(best_f);
	out->suggest_n = best.n;
}

int wifi_congestion(const struct wifi_scan *sc, int freq_mhz, struct wifi_congestion *out)
{
	memset(out, 0, sizeof(*out));
	out->freq_mhz = out->channel = -1;
	out->suggest_channel = out->suggest_freq_mhz = -1;
	out->strongest_dbm = NAN;
	if (freq_mhz <= 0) {
		const struct wifi_bss *a = wifi_scan_associated(sc);
		freq_mhz = a ? a->freq_mhz : -1;
	}
	if (freq_mhz <= 0)
		return -1;
	out->freq_mhz = freq_mhz;
	out->channel = wifi_freq_to_channel(freq_mhz);
	struct occupancy o = occupancy(sc, freq_mhz);
	out->neighbours = o.n;
	if (o.strongest) {
		out->strongest_dbm = o.strongest->signal_dbm;
		memcpy(out->strongest_bssid, o.strongest->bssid, sizeof(out->strongest_bssid));
		memcpy(out->strongest_ssid, o.strongest->ssid, sizeof(out->strongest_ssid));
	}
	suggest(sc, freq_mhz, out);
	return 0;
}
