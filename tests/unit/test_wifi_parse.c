/* Unit tests for the Wi-Fi text parsers (src/wifi/wifi_parse.h), the
 * channel mapping and the scan/congestion helpers, on every real capture in
 * tests/data/wifi and the iwinfo ones in tests/data/openwrt, plus
 * every truncation of a few of them and deterministic garbage. Each input
 * sits in a heap buffer of exactly its size, so ASan catches any read past
 * it. */
#include "wifi/wifi_parse.h"
#include "wifi/wifi_scan.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WIFI_DATA TEST_DATA "/wifi/"
#define OWRT_DATA TEST_DATA "/openwrt/"

static char *load(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc(n > 0 ? (size_t)n : 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* A copy in a buffer of exactly n bytes. */
static char *exact(const char *p, size_t n)
{
	char *b = malloc(n ? n : 1);
	assert_non_null(b);
	memcpy(b, p, n);
	return b;
}

#define assert_near(a, b) assert_true(fabs((double)(a) - (double)(b)) < 1e-6)

static void sample(struct wifi_sample *s)
{
	wifi_sample_init(s);
}

enum kind { K_PROC, K_LINK, K_STATION, K_SCAN, K_INFO, K_ASSOC, K_JSON };

/* One parser by kind; name selects the interface or station (NULL: the
 * first). */
static int parse_kind(enum kind k, const char *t, size_t n, const char *name, struct wifi_sample *s,
		      struct wifi_scan *sc)
{
	switch (k) {
	case K_PROC: return wifi_parse_proc(t, n, name, s);
	case K_LINK: return wifi_parse_iw_link(t, n, s);
	case K_STATION: return wifi_parse_iw_station(t, n, name, s);
	case K_SCAN: return wifi_parse_iw_scan(t, n, sc);
	case K_INFO: return wifi_parse_iwinfo_info(t, n, name, s);
	case K_ASSOC: return wifi_parse_iwinfo_assoclist(t, n, name, s);
	case K_JSON: return wifi_parse_iwinfo_json(t, n, s);
	}
	return -2;
}

/* A capture parsed into a fresh sample (or scan). */
static int parse_file(enum kind k, const char *file, const char *name, struct wifi_sample *s,
		      struct wifi_scan *sc)
{
	size_t n;
	char *t = load(file, &n);
	if (s)
		sample(s);
	if (sc)
		wifi_scan_init(sc);
	int rc = parse_kind(k, t, n, name, s, sc);
	free(t);
	return rc;
}

/* ==== wifi_types ========================================================= */

static void test_freq_to_channel(void **state)
{
	static const int t[][2] = {
		{ 2412, 1 }, { 2437, 6 }, { 2462, 11 }, { 2472, 13 }, { 2484, 14 },
		{ 5180, 36 }, { 5280, 56 }, { 5500, 100 }, { 5825, 165 }, { 5885, 177 },
		{ 4920, 184 }, { 5935, 2 }, { 5955, 1 }, { 6115, 33 }, { 7115, 233 },
		{ 58320, 1 }, { 60480, 2 }, { 69120, 6 },
		{ 2407, -1 }, { 2413, -1 }, { 2490, -1 }, { 0, -1 }, { -5, -1 }, { 5181, -1 },
		{ 7120, -1 }, { 58321, -1 }, { 100000, -1 },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (wifi_freq_to_channel(t[i][0]) != t[i][1])
			fail_msg("freq %d: got %d, want %d", t[i][0], wifi_freq_to_channel(t[i][0]), t[i][1]);
	}
	assert_int_equal(wifi_channel_to_freq(1, 2437), 2412);
	assert_int_equal(wifi_channel_to_freq(14, 2412), 2484);
	assert_int_equal(wifi_channel_to_freq(36, 5500), 5180);
	assert_int_equal(wifi_channel_to_freq(5, 6115), 5975);
	assert_int_equal(wifi_channel_to_freq(0, 2412), -1);
	assert_int_equal(wifi_channel_to_freq(15, 2412), -1);
	assert_int_equal(wifi_channel_to_freq(1, 900), -1);
}

static void test_sample_init(void **state)
{
	struct wifi_sample s;
	memset(&s, 0x5a, sizeof(s));
	wifi_sample_init(&s);
	assert_int_equal(s.associated, -1);
	assert_int_equal(s.freq_mhz, -1);
	assert_int_equal(s.channel, -1);
	assert_true(isnan(s.signal_dbm) && isnan(s.signal_avg_dbm) && isnan(s.noise_dbm));
	assert_true(isnan(s.tx_bitrate_mbps) && isnan(s.rx_bitrate_mbps));
	assert_true(isnan(s.link_quality) && isnan(s.link_quality_max));
	assert_false(s.relative_units);
	assert_int_equal(s.inactive_ms, -1);
	assert_true(s.rx_bytes == -1 && s.tx_bytes == -1 && s.tx_retries == -1 && s.tx_failed == -1);
	assert_true(s.beacon_missed == -1 && s.connected_s == -1);
	assert_string_equal(s.ssid, "");
	assert_string_equal(s.bssid, "");
	assert_string_equal(s.source, "");
}

/* ==== /proc/net/wireless ================================================= */


static void test_proc_netdata(void **state)
{
	struct wifi_sample s;
	assert_int_equal(parse_file(K_PROC, WIFI_DATA "proc-net-wireless.wlp5s0.netdata-6333.txt", "wlp5s0", &s, NULL), 0);
	assert_string_equal(s.ifname, "wlp5s0");
	assert_near(s.link_quality, 68);
	assert_near(s.signal_dbm, -42);
	assert_true(isnan(s.noise_dbm));        /* -256: no figure */
	assert_false(s.relative_units);
	/* 3851 is the "misc" discard column; the kernel prints missed beacons
	 * last ("%6d %6d %6d %6d %6d   %6d": nwid, crypt, frag, retry, misc,
	 * beacon), and that is 0 here. */
	assert_true(s.beacon_missed == 0);
	assert_int_equal(s.associated, -1);
	assert_true(isnan(s.link_quality_max));
	/* The first row when no name is given; another name is not there. */
	assert_int_equal(parse_file(K_PROC, WIFI_DATA "proc-net-wireless.wlp5s0.netdata-6333.txt", NULL, &s, NULL), 0);
	assert_near(s.signal_dbm, -42);
	assert_int_equal(parse_file(K_PROC, WIFI_DATA "proc-net-wireless.wlp5s0.netdata-6333.txt", "wlan0", &s, NULL), 1);
	assert_true(isnan(s.signal_dbm));       /* untouched */
	assert_int_equal(parse_file(K_PROC, WIFI_DATA "proc-net-wireless.wlp5s0.netdata-6333.txt", "wlp5s", &s, NULL), 1);
}

static void test_proc_others(void **state)
{
	struct wifi_sample s;
	assert_int_equal(parse_file(K_PROC, WIFI_DATA "proc-net-wireless.wlp2s0-intel7265.kismet-488.txt", "wlp2s0", &s, NULL), 0);
	assert_near(s.link_quality, 63);
	assert_near(s.signal_dbm, -47);
	assert_true(isnan(s.noise_dbm));
	assert_true(s.beacon_missed == 0);
	/* a blank line between the header and the row */
	assert_int_equal(parse_file(K_PROC, WIFI_DATA "proc-net-wireless.wlo1.procfs-479.txt", "wlo1", &s, NULL), 0);
	assert_near(s.link_quality, 70);
	assert_near(s.signal_dbm, -31);
	assert_true(s.beacon_missed == 0);
	/* relative units: "100.   95.    0." */
	assert_int_equal(parse_file(K_PROC, WIFI_DATA "proc-net-wireless.wlan0-relative-units.rpicheck-16.txt", "wlan0", &s, NULL), 0);
	assert_true(s.relative_units);
	assert_near(s.link_quality, 100);
	assert_near(s.signal_dbm, 95);
	assert_near(s.noise_dbm, 0);
}

static void test_proc_bad(void **state)
{
	struct wifi_sample s;
	sample(&s);
	static const char *bad[] = {
		"", "\n\n", "Inter-| sta-|\n", "hello\nworld\n",
		"Inter-| sta-| Quality\n face | tus | link\n wlan0: 0000 70. -40.\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(wifi_parse_proc(bad[i], strlen(bad[i]), "wlan0", &s), -1);
	/* the header alone: the right file, no such row */
	const char *hdr = "Inter-| sta-|   Quality        |\n face | tus | link level noise |\n";
	assert_int_equal(wifi_parse_proc(hdr, strlen(hdr), "wlan0", &s), 1);
	assert_true(isnan(s.signal_dbm));
}

/* ==== iw dev IF link ==================================================== */

static void test_iw_link(void **state)
{
	size_t n;
	char *t = load(WIFI_DATA "iw-dev-link.intel-5ghz-vht.txt", &n);
	struct wifi_sample s;
	sample(&s);
	assert_int_equal(wifi_parse_iw_link(t, n, &s), 0);
	free(t);
	assert_int_equal(s.associated, 1);
	assert_string_equal(s.bssid, "64:d1:54:68:93:ae");
	assert_string_equal(s.ifname, "wlp0s20f3");
	assert_string_equal(s.ssid, "HOME5");
	assert_int_equal(s.freq_mhz, 5280);
	assert_int_equal(s.channel, 56);
	assert_near(s.signal_dbm, -44);
	assert_near(s.tx_bitrate_mbps, 866.7);
	assert_near(s.rx_bitrate_mbps, 702.0);
	assert_true(s.rx_bytes == 2254846655LL);
	assert_true(s.tx_bytes == 67296834LL);
	assert_true(isnan(s.signal_avg_dbm));   /* not in `link` */
}

static void test_iw_link_states(void **state)
{
	struct wifi_sample s;
	sample(&s);
	const char *nc = "Not connected.\n";
	assert_int_equal(wifi_parse_iw_link(nc, strlen(nc), &s), 0);
	assert_int_equal(s.associated, 0);
	assert_string_equal(s.bssid, "");
	sample(&s);
	const char *au = "Authenticated with 64:d1:54:68:93:ae (on wlan0)\n";
	assert_int_equal(wifi_parse_iw_link(au, strlen(au), &s), 0);
	assert_int_equal(s.associated, 0);
	assert_string_equal(s.ifname, "wlan0");
	sample(&s);
	const char *err = "command failed: No such device (-19)\n";
	assert_int_equal(wifi_parse_iw_link(err, strlen(err), &s), -1);
	assert_int_equal(wifi_parse_iw_link("", 0, &s), -1);
	assert_int_equal(s.associated, -1);
	/* a newer iw printing the frequency with a decimal */
	sample(&s);
	const char *f = "Connected to 00:11:22:33:44:55 (on wlan0)\n\tSSID: a\\x20b \n\tfreq: 2412.0\n"
			"\tsignal: 12 dBm\n";
	assert_int_equal(wifi_parse_iw_link(f, strlen(f), &s), 0);
	assert_int_equal(s.freq_mhz, 2412);
	assert_int_equal(s.channel, 1);
	assert_string_equal(s.ssid, "a b");
	assert_true(isnan(s.signal_dbm));       /* positive: not a real level */
}

/* ==== iw station get / dump ============================================== */

static void test_iw_station_mt76(void **state)
{
	size_t n;
	char *t = load(WIFI_DATA "iw-station-get.mt76-xiaomi-mini.txt", &n);
	struct wifi_sample s;
	sample(&s);
	assert_int_equal(wifi_parse_iw_station(t, n, NULL, &s), 0);
	assert_string_equal(s.ifname, "wlan0");
	/* mt76's bogus "75 [72, 75] dBm" and "0 [-3, 0] dBm": unknown */
	assert_true(isnan(s.signal_dbm));
	assert_true(isnan(s.signal_avg_dbm));
	assert_int_equal(s.inactive_ms, 120);
	assert_true(s.rx_bytes == 37767883LL && s.tx_bytes == 258015651LL);
	assert_true(s.tx_retries == 4589 && s.tx_failed == 0);
	assert_near(s.tx_bitrate_mbps, 54.0);
	assert_near(s.rx_bitrate_mbps, 54.0);
	assert_int_equal(s.connected_s, 6191);
	/* by MAC, in any case; another MAC is not there */
	sample(&s);
	assert_int_equal(wifi_parse_iw_station(t, n, "10:6F:3F:0E:31:8F", &s), 0);
	assert_int_equal(s.connected_s, 6191);
	sample(&s);
	assert_int_equal(wifi_parse_iw_station(t, n, "10:6f:3f:0e:31:80", &s), 1);
	assert_int_equal(s.connected_s, -1);
	free(t);
}

static void test_iw_station_dump_two(void **state)
{
	size_t n;
	char *t = load(WIFI_DATA "iw-station-dump.qca9563-vs-ipq4019.as-posted.txt", &n);
	struct wifi_sample s;
	sample(&s);
	/* The first capture (QCA9563): the prompt line before it is skipped,
	 * the blank line and separator end it. */
	assert_int_equal(wifi_parse_iw_station(t, n, NULL, &s), 0);
	assert_int_equal(s.inactive_ms, 120);
	assert_true(s.rx_bytes == 14835 && s.tx_bytes == 10450);
	assert_true(s.tx_retries == 1 && s.tx_failed == 0);
	assert_near(s.signal_dbm, -57);
	assert_near(s.signal_avg_dbm, -66);
	assert_true(isnan(s.tx_bitrate_mbps));  /* the poster cut the rest */
	/* The second capture (IPQ4019, four chains), from the separator on. */
	const char *sep = strstr(t, "=====");
	assert_non_null(sep);
	size_t off = (size_t)(sep - t);
	char *second = exact(t + off, n - off);
	sample(&s);
	assert_int_equal(wifi_parse_iw_station(second, n - off, "8c:be:be:f5:8f:59", &s), 0);
	assert_int_equal(s.inactive_ms, 1160);
	assert_true(s.rx_bytes == 3859 && s.tx_bytes == 2160);
	assert_true(s.tx_retries == 0 && s.tx_failed == 3);
	assert_near(s.signal_dbm, -67);
	assert_near(s.signal_avg_dbm, -74);
	free(second);
	free(t);
}

static void test_iw_station_bad(void **state)
{
	struct wifi_sample s;
	sample(&s);
	const char *t = "root@OpenWrt:/# iw wlan0 station dump\n";
	assert_int_equal(wifi_parse_iw_station(t, strlen(t), NULL, &s), -1);
	t = "Station zz:be:be:f5:8f:59 (on wlan0)\n\tsignal: -40 dBm\n";
	assert_int_equal(wifi_parse_iw_station(t, strlen(t), NULL, &s), -1);
	/* newer iw: "associated: yes|no" */
	t = "Station 8c:be:be:f5:8f:59 (on wlan0)\n\tassociated:\tno\n\tsignal:  \t-40 dBm\n"
	    "\ttx bitrate:\t1300.0 MBit/s 160MHz HE-MCS 11 HE-NSS 2 HE-GI 0 HE-DCM 0\n";
	assert_int_equal(wifi_parse_iw_station(t, strlen(t), NULL, &s), 0);
	assert_int_equal(s.associated, 0);
	assert_near(s.signal_dbm, -40);
	assert_near(s.tx_bitrate_mbps, 1300.0);
}

/* ==== iw scan ============================================================ */


static const struct wifi_bss *find_bss(const struct wifi_scan *sc, const char *bssid)
{
	for (unsigned i = 0; i < sc->n; i++)
		if (strcmp(sc->bss[i].bssid, bssid) == 0)
			return &sc->bss[i];
	return NULL;
}

static void test_iw_scan0(void **state)
{
	struct wifi_scan sc;
	assert_int_equal(parse_file(K_SCAN, WIFI_DATA "iw-scan.jc-iw-scan0.txt", NULL, NULL, &sc), 0);
	assert_int_equal(sc.n, 2);
	assert_int_equal(sc.n_seen, 2);
	const struct wifi_bss *b = &sc.bss[0];
	assert_string_equal(b->bssid, "00:19:a9:cd:c6:80");
	assert_string_equal(b->ssid, "Cisco1240");
	assert_int_equal(b->freq_mhz, 2412);
	assert_int_equal(b->channel, 1);
	assert_near(b->signal_dbm, -45);
	assert_int_equal(b->last_seen_ms, 429);
	assert_false(b->associated);
	b = &sc.bss[1];
	assert_string_equal(b->bssid, "d0:d0:fd:69:ca:70");
	assert_string_equal(b->ssid, "Cisco1250");
	assert_int_equal(b->freq_mhz, 2462);
	assert_int_equal(b->channel, 11);
	assert_near(b->signal_dbm, -70);
	assert_int_equal(b->last_seen_ms, 328);
	assert_null(wifi_scan_associated(&sc));
}

static void test_iw_scan1(void **state)
{
	struct wifi_scan sc;
	assert_int_equal(parse_file(K_SCAN, WIFI_DATA "iw-scan.jc-iw-scan1.txt", NULL, NULL, &sc), 0);
	assert_int_equal(sc.n, 26);
	assert_int_equal(sc.n_seen, 26);
	const struct wifi_bss *a = wifi_scan_associated(&sc);
	assert_non_null(a);
	assert_string_equal(a->bssid, "ac:22:05:e6:ff:24");
	assert_string_equal(a->ssid, "UPCCDB29F5");
	assert_int_equal(a->freq_mhz, 5180);
	assert_int_equal(a->channel, 36);
	assert_near(a->signal_dbm, -30);
	assert_int_equal(a->last_seen_ms, 130);
	const struct wifi_bss *b = find_bss(&sc, "54:fa:3e:87:1f:93");
	assert_non_null(b);
	assert_string_equal(b->ssid, "moin moin");
	assert_int_equal(b->channel, 13);
	assert_near(b->signal_dbm, -72);
	b = find_bss(&sc, "1c:b0:44:75:42:a5");
	assert_int_equal(b->freq_mhz, 2457);
	assert_int_equal(b->channel, 10);       /* not HT operation's "primary channel" */
	b = find_bss(&sc, "fe:49:2d:20:d8:21");
	assert_string_equal(b->ssid, "");       /* \x00... : hidden */
	assert_int_equal(b->last_seen_ms, 29170);
	unsigned n5 = 0;
	for (unsigned i = 0; i < sc.n; i++) {
		if (sc.bss[i].freq_mhz > 5000)
			n5++;
		if (i != (unsigned)(a - sc.bss))
			assert_false(sc.bss[i].associated);
	}
	assert_int_equal(n5, 6);
	wifi_scan_sort(&sc);
	assert_string_equal(sc.bss[0].bssid, "ac:22:05:e6:ff:24");
	assert_near(sc.bss[25].signal_dbm, -89);
}

static void test_iw_scan2_tabs(void **state)
{
	struct wifi_scan sc;
	assert_int_equal(parse_file(K_SCAN, WIFI_DATA "iw-scan.jc-iw-scan2.masked-bssid.txt", NULL, NULL, &sc), 0);
	assert_int_equal(sc.n, 1);
	const struct wifi_bss *b = &sc.bss[0];
	assert_string_equal(b->bssid, "xx:xx:xx:xx:3e:41");
	assert_string_equal(b->ssid, "Troubleshooting");
	assert_int_equal(b->freq_mhz, 2412);
	assert_int_equal(b->channel, 1);
	assert_near(b->signal_dbm, -54);
	/* "last seen: 4206.107s [boottime]" is not "N ms ago"; the later one is */
	assert_int_equal(b->last_seen_ms, 1410);
}

static void test_iw_scan_forms(void **state)
{
	struct wifi_scan sc;
	wifi_scan_init(&sc);
	assert_int_equal(wifi_parse_iw_scan("", 0, &sc), 0);     /* empty cache */
	assert_int_equal(sc.n, 0);
	const char *err = "command failed: Device or resource busy (-16)\n";
	assert_int_equal(wifi_parse_iw_scan(err, strlen(err), &sc), -1);
	/* older iw: a space before "(on"; no freq: the DS channel */
	const char *t = "BSS 00:11:22:33:44:55 (on wlan0) -- associated\n"
			"\tsignal: -61.00 dBm\n\tSSID: x\n\tDS Parameter set: channel 6\n"
			"\tHT operation:\n\t\t * primary channel: 7\n"
			"BSS 00:11:22:33:44:56(on wlan0)\n\tfreq: 5745\n\tsignal: -90.00 dBm\n";
	wifi_scan_init(&sc);
	assert_int_equal(wifi_parse_iw_scan(t, strlen(t), &sc), 0);
	assert_int_equal(sc.n, 2);
	assert_true(sc.bss[0].associated);
	assert_int_equal(sc.bss[0].channel, 6);
	assert_int_equal(sc.bss[0].freq_mhz, -1);
	assert_int_equal(sc.bss[1].channel, 149);
	assert_false(sc.bss[1].associated);
}

static void test_scan_keep_strongest(void **state)
{
	struct wifi_scan sc;
	wifi_scan_init(&sc);
	struct wifi_bss b;
	memset(&b, 0, sizeof(b));
	b.freq_mhz = 2412;
	/* the associated one first, and weak: never dropped */
	b.signal_dbm = -95;
	b.associated = true;
	strcpy(b.bssid, "00:00:00:00:00:aa");
	wifi_scan_add(&sc, &b);
	b.associated = false;
	for (int i = 0; i < 3 * WIFI_SCAN_MAX; i++) {
		b.signal_dbm = -100 + (i * 37) % 70;    /* -100..-31 */
		snprintf(b.bssid, sizeof(b.bssid), "00:00:00:00:%02x:%02x", i / 256, i % 256);
		wifi_scan_add(&sc, &b);
	}
	b.signal_dbm = NAN;
	wifi_scan_add(&sc, &b);
	assert_int_equal(sc.n, WIFI_SCAN_MAX);
	assert_int_equal(sc.n_seen, 3 * WIFI_SCAN_MAX + 2);
	assert_non_null(wifi_scan_associated(&sc));
	/* the kept others are the strongest 63 seen */
	wifi_scan_sort(&sc);
	unsigned weaker = 0;
	for (unsigned i = 0; i < sc.n; i++) {
		if (sc.bss[i].associated)
			continue;
		assert_false(isnan(sc.bss[i].signal_dbm));
		if (sc.bss[i].signal_dbm < -36)
			weaker++;
		if (i)
			assert_true(sc.bss[i - 1].signal_dbm >= sc.bss[i].signal_dbm);
	}
	/* values -31..-100 each appear ~2.7 times in 192: the top 63 are >= -54 */
	for (unsigned i = 0; i < sc.n; i++)
		if (!sc.bss[i].associated)
			assert_true(sc.bss[i].signal_dbm >= -54);
	(void)weaker;
}

static void test_congestion(void **state)
{
	struct wifi_scan sc;
	struct wifi_congestion c;
	assert_int_equal(parse_file(K_SCAN, WIFI_DATA "iw-scan.jc-iw-scan1.txt", NULL, NULL, &sc), 0);
	/* associated on 5 GHz channel 36: one other BSS there, at -88 (not counted) */
	assert_int_equal(wifi_congestion(&sc, 0, &c), 0);
	assert_int_equal(c.freq_mhz, 5180);
	assert_int_equal(c.channel, 36);
	assert_int_equal(c.neighbours, 0);
	assert_true(isnan(c.strongest_dbm));
	assert_int_equal(c.suggest_channel, 36);        /* 40 ties; stay */
	assert_int_equal(c.suggest_n, 0);
	/* channel 44: -46 and -68 count, -89 does not */
	assert_int_equal(wifi_congestion(&sc, 5220, &c), 0);
	assert_int_equal(c.neighbours, 2);
	assert_near(c.strongest_dbm, -46);
	assert_string_equal(c.strongest_ssid, "UPC5144FAF");
	assert_string_equal(c.strongest_bssid, "90:5c:44:d1:34:20");
	assert_int_equal(c.suggest_channel, 36);
	/* 2.4 GHz channel 1: channels 1..5 overlap: five above -82 (the -84 not) */
	assert_int_equal(wifi_congestion(&sc, 2412, &c), 0);
	assert_int_equal(c.channel, 1);
	assert_int_equal(c.neighbours, 5);
	assert_near(c.strongest_dbm, -57);
	/* 1: 5, 6: 4 (channels 2..10), 11: 9 -> 6 */
	assert_int_equal(c.suggest_channel, 6);
	assert_int_equal(c.suggest_freq_mhz, 2437);
	assert_int_equal(c.suggest_n, 4);
	/* channel 11 */
	assert_int_equal(wifi_congestion(&sc, 2462, &c), 0);
	assert_int_equal(c.neighbours, 9);
	assert_near(c.strongest_dbm, -40);
	/* no channel to judge */
	assert_int_equal(parse_file(K_SCAN, WIFI_DATA "iw-scan.jc-iw-scan0.txt", NULL, NULL, &sc), 0);
	assert_int_equal(wifi_congestion(&sc, 0, &c), -1);
	assert_int_equal(c.channel, -1);
	assert_int_equal(c.suggest_channel, -1);
	assert_int_equal(wifi_congestion(&sc, 900, &c), 0);
	assert_int_equal(c.suggest_channel, -1);
	assert_int_equal(c.neighbours, 0);
}

/* ==== iwinfo ============================================================= */


static void test_iwinfo_info(void **state)
{
	struct wifi_sample s;
	assert_int_equal(parse_file(K_INFO, OWRT_DATA "iwinfo-wlan1-info.mt76x2e.txt", "wlan1", &s, NULL), 0);
	assert_string_equal(s.ifname, "wlan1");
	assert_string_equal(s.ssid, "dd-wrt");
	assert_string_equal(s.bssid, "40:31:3c:d7:46:c4");
	assert_int_equal(s.channel, 48);
	assert_int_equal(s.freq_mhz, 5240);
	assert_near(s.link_quality, 64);
	assert_near(s.link_quality_max, 70);
	assert_near(s.signal_dbm, -46);
	assert_true(isnan(s.noise_dbm));        /* "Noise: unknown" */
	assert_near(s.tx_bitrate_mbps, 432.7);
	assert_int_equal(s.associated, -1);     /* Mode: Master */

	assert_int_equal(parse_file(K_INFO, OWRT_DATA "iwinfo-wlan1.generic-mac80211.txt", NULL, &s, NULL), 0);
	assert_string_equal(s.ssid, "AIRTIMEFAIRTEST2");
	assert_int_equal(s.channel, 1);
	assert_int_equal(s.freq_mhz, 2412);
	assert_near(s.signal_dbm, -46);
	assert_near(s.noise_dbm, -95);
	assert_near(s.tx_bitrate_mbps, 117.0);
}

static void test_iwinfo_overview(void **state)
{
	struct wifi_sample s;
	const char *f = OWRT_DATA "iwinfo.mwlwifi-88w8864.two-ap-ifaces.txt";
	assert_int_equal(parse_file(K_INFO, f, "wlan1", &s, NULL), 0);
	assert_string_equal(s.ifname, "wlan1");
	assert_string_equal(s.ssid, "V2_5");
	assert_string_equal(s.bssid, "00:25:9c:13:0d:0d");
	assert_int_equal(s.channel, 36);
	assert_int_equal(s.freq_mhz, 5180);
	assert_near(s.link_quality, 63);
	assert_near(s.signal_dbm, -47);
	assert_near(s.noise_dbm, -90);
	assert_near(s.tx_bitrate_mbps, 162.0);
	assert_int_equal(parse_file(K_INFO, f, "wlan0", &s, NULL), 0);
	assert_string_equal(s.ssid, "V2");
	assert_int_equal(s.channel, 11);
	assert_near(s.signal_dbm, -38);
	assert_near(s.noise_dbm, -83);
	assert_near(s.tx_bitrate_mbps, 54.0);
	assert_near(s.link_quality, 70);
	assert_int_equal(parse_file(K_INFO, f, "wlan2", &s, NULL), 1);
	assert_int_equal(parse_file(K_INFO, f, "wlan", &s, NULL), 1);
}

static void test_iwinfo_client(void **state)
{
	struct wifi_sample s;
	/* A client block as iwinfo's cli.c prints it, with the newer HT Mode
	 * and Center Channel fields, and one with nothing known. */
	const char *t = "wlan0     ESSID: \"Marina Guest\"\n"
			"          Access Point: 64:D1:54:68:93:AE\n"
			"          Mode: Client  Channel: 6 (2.437 GHz)  HT Mode: HT20\n"
			"          Center Channel 1: 6 2: unknown\n"
			"          Tx-Power: 20 dBm  Link Quality: 40/70\n"
			"          Signal: -70 dBm  Noise: -92 dBm\n"
			"          Bit Rate: 65.0 MBit/s\n";
	sample(&s);
	assert_int_equal(wifi_parse_iwinfo_info(t, strlen(t), "wlan0", &s), 0);
	assert_int_equal(s.associated, 1);
	assert_string_equal(s.ssid, "Marina Guest");
	assert_int_equal(s.channel, 6);
	assert_int_equal(s.freq_mhz, 2437);
	assert_near(s.tx_bitrate_mbps, 65.0);
	const char *u = "wlan0     ESSID: unknown\n"
			"          Access Point: 00:00:00:00:00:00\n"
			"          Mode: Client  Channel: unknown (unknown)  HT Mode: unknown\n"
			"          Tx-Power: unknown  Link Quality: unknown/70\n"
			"          Signal: unknown  Noise: unknown\n"
			"          Bit Rate: unknown\n";
	sample(&s);
	assert_int_equal(wifi_parse_iwinfo_info(u, strlen(u), "wlan0", &s), 0);
	assert_int_equal(s.associated, 0);
	assert_string_equal(s.ssid, "");
	assert_string_equal(s.bssid, "");
	assert_int_equal(s.channel, -1);
	assert_int_equal(s.freq_mhz, -1);
	assert_true(isnan(s.link_quality));
	assert_near(s.link_quality_max, 70);
	assert_true(isnan(s.signal_dbm) && isnan(s.noise_dbm) && isnan(s.tx_bitrate_mbps));
	const char *e = "No such wireless device: wlan9\n";
	assert_int_equal(wifi_parse_iwinfo_info(e, strlen(e), "wlan9", &s), -1);
}

static void test_iwinfo_assoclist(void **state)
{
	size_t n;
	char *t = load(OWRT_DATA "iwinfo-wlan0-assoclist.mwlwifi.txt", &n);
	struct wifi_sample s;
	sample(&s);
	assert_int_equal(wifi_parse_iwinfo_assoclist(t, n, NULL, &s), 0);
	assert_int_equal(s.associated, 1);
	assert_near(s.signal_dbm, -38);
	assert_near(s.noise_dbm, -85);
	assert_int_equal(s.inactive_ms, 26210);
	assert_near(s.rx_bitrate_mbps, 48.0);
	assert_near(s.tx_bitrate_mbps, 54.0);
	sample(&s);
	assert_int_equal(wifi_parse_iwinfo_assoclist(t, n, "00:23:14:07:0e:3c", &s), 0);
	assert_near(s.signal_dbm, -38);
	sample(&s);
	assert_int_equal(wifi_parse_iwinfo_assoclist(t, n, "00:23:14:07:0e:3d", &s), 1);
	assert_int_equal(s.associated, -1);
	free(t);
	const char *none = "No station connected\n";
	assert_int_equal(wifi_parse_iwinfo_assoclist(none, strlen(none), NULL, &s), 0);
	assert_int_equal(s.associated, 0);
	const char *na = "No information available\n";
	assert_int_equal(wifi_parse_iwinfo_assoclist(na, strlen(na), NULL, &s), -1);
}

/* `iwinfo IF info assoclist` in one run: both parsers on one output. */
static void test_iwinfo_info_then_assoclist(void **state)
{
	size_t n1, n2;
	char *a = load(OWRT_DATA "iwinfo-wlan1.generic-mac80211.txt", &n1);
	char *b = load(OWRT_DATA "iwinfo-wlan0-assoclist.mwlwifi.txt", &n2);
	char *t = malloc(n1 + n2);
	memcpy(t, a, n1);
	memcpy(t + n1, b, n2);
	struct wifi_sample s;
	sample(&s);
	assert_int_equal(wifi_parse_iwinfo_info(t, n1 + n2, "wlan1", &s), 0);
	assert_near(s.tx_bitrate_mbps, 117.0);
	assert_int_equal(wifi_parse_iwinfo_assoclist(t, n1 + n2, NULL, &s), 0);
	assert_near(s.signal_dbm, -38);
	assert_near(s.tx_bitrate_mbps, 54.0);
	assert_near(s.rx_bitrate_mbps, 48.0);
	assert_string_equal(s.ssid, "AIRTIMEFAIRTEST2");
	free(t);
	free(a);
	free(b);
}

static void test_iwinfo_json(void **state)
{
	size_t n;
	char *t = load(OWRT_DATA "ubus-call-iwinfo-info.mesh-mt7603e.json", &n);
	struct wifi_sample s;
	sample(&s);
	assert_int_equal(wifi_parse_iwinfo_json(t, n, &s), 0);
	free(t);
	assert_near(s.signal_dbm, -67);
	assert_true(isnan(s.noise_dbm));        /* 0 = unknown */
	assert_near(s.tx_bitrate_mbps, 6.5);    /* 6500 kbit/s */
	assert_near(s.link_quality, 43);
	assert_near(s.link_quality_max, 70);
	assert_int_equal(s.channel, 11);
	assert_int_equal(s.freq_mhz, 2462);
	assert_string_equal(s.ssid, "meshID");
	assert_string_equal(s.bssid, "");       /* 00:00:00:00:00:00 */
	assert_int_equal(s.associated, -1);     /* Mesh Point */

	const char *c = "{\"mode\":\"Client\",\"bssid\":\"64:D1:54:68:93:AE\",\"signal\":-61,"
			"\"frequency\":5180,\"ssid\":\"x\",\"noise\":-95,\"new_field\":[1,{}]}";
	sample(&s);
	assert_int_equal(wifi_parse_iwinfo_json(c, strlen(c), &s), 0);
	assert_int_equal(s.associated, 1);
	assert_int_equal(s.channel, 36);
	assert_string_equal(s.bssid, "64:d1:54:68:93:ae");
	assert_near(s.noise_dbm, -95);
	static const char *bad[] = { "", "[]", "{}", "{\"mode\":", "null", "{\"foo\":1}", "garbage" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		sample(&s);
		assert_int_equal(wifi_parse_iwinfo_json(bad[i], strlen(bad[i]), &s), -1);
		assert_true(isnan(s.signal_dbm));
	}
	/* wrong types are ignored, not trusted */
	const char *w = "{\"mode\":\"Client\",\"signal\":\"-61\",\"channel\":true,\"bssid\":7}";
	sample(&s);
	assert_int_equal(wifi_parse_iwinfo_json(w, strlen(w), &s), 0);
	assert_true(isnan(s.signal_dbm));
	assert_int_equal(s.channel, -1);
	assert_int_equal(s.associated, 0);
}

/* ==== robustness ========================================================= */

static int parse_any(enum kind k, const char *t, size_t n)
{
	struct wifi_sample s;
	struct wifi_scan sc;
	sample(&s);
	wifi_scan_init(&sc);
	int rc = parse_kind(k, t, n, NULL, &s, &sc);
	assert_true(rc >= -1 && rc <= 1);
	assert_true(sc.n <= WIFI_SCAN_MAX && sc.n <= sc.n_seen);
	assert_true(strlen(s.ssid) < sizeof(s.ssid) && strlen(s.bssid) < sizeof(s.bssid));
	assert_true(s.associated >= -1 && s.associated <= 1);
	assert_true(isnan(s.signal_dbm) || s.signal_dbm < 0 || s.relative_units);
	return rc;
}

static void truncations(enum kind k, const char *file, size_t min_ok)
{
	size_t n;
	char *t = load(file, &n);
	for (size_t i = 0; i <= n; i++) {
		char *p = exact(t, i);
		int rc = parse_any(k, p, i);
		if (i >= min_ok && rc != 0)
			fail_msg("%s cut at %zu of %zu: %d", file, i, n, rc);
		free(p);
	}
	free(t);
}

static void test_truncation(void **state)
{
	/* Once the header (or first line) is complete, every cut still parses. */
	truncations(K_PROC, WIFI_DATA "proc-net-wireless.wlp5s0.netdata-6333.txt", 238);
	truncations(K_LINK, WIFI_DATA "iw-dev-link.intel-5ghz-vht.txt", 30);
	truncations(K_STATION, WIFI_DATA "iw-station-get.mt76-xiaomi-mini.txt", 25);
	truncations(K_STATION, WIFI_DATA "iw-station-dump.qca9563-vs-ipq4019.as-posted.txt", 64);
	truncations(K_SCAN, WIFI_DATA "iw-scan.jc-iw-scan0.txt", 21);
	truncations(K_SCAN, WIFI_DATA "iw-scan.jc-iw-scan2.masked-bssid.txt", 21);
	truncations(K_INFO, OWRT_DATA "iwinfo.mwlwifi-88w8864.two-ap-ifaces.txt", 16);
	truncations(K_ASSOC, OWRT_DATA "iwinfo-wlan0-assoclist.mwlwifi.txt", 28);
	truncations(K_JSON, OWRT_DATA "ubus-call-iwinfo-info.mesh-mt7603e.json", 703);
}

static void test_garbage(void **state)
{
	uint32_t x = 12345;
	static const char alphabet[] = "BSS Station Connected :()[]-.0123456789abcdef\t\n  dBm MBit/s \"/\\x{}";
	for (int round = 0; round < 3000; round++) {
		size_t n = (size_t)(round % 400);
		char *p = malloc(n ? n : 1);
		for (size_t i = 0; i < n; i++) {
			x = x * 1103515245u + 12345u;
			p[i] = round % 2 ? (char)(x >> 16) : alphabet[(x >> 16) % (sizeof(alphabet) - 1)];
		}
		for (int k = K_PROC; k <= K_JSON; k++)
			parse_any((enum kind)k, p, n);
		free(p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_freq_to_channel),
		cmocka_unit_test(test_sample_init),
		cmocka_unit_test(test_proc_netdata),
		cmocka_unit_test(test_proc_others),
		cmocka_unit_test(test_proc_bad),
		cmocka_unit_test(test_iw_link),
		cmocka_unit_test(test_iw_link_states),
		cmocka_unit_test(test_iw_station_mt76),
		cmocka_unit_test(test_iw_station_dump_two),
		cmocka_unit_test(test_iw_station_bad),
		cmocka_unit_test(test_iw_scan0),
		cmocka_unit_test(test_iw_scan1),
		cmocka_unit_test(test_iw_scan2_tabs),
		cmocka_unit_test(test_iw_scan_forms),
		cmocka_unit_test(test_scan_keep_strongest),
		cmocka_unit_test(test_congestion),
		cmocka_unit_test(test_iwinfo_info),
		cmocka_unit_test(test_iwinfo_overview),
		cmocka_unit_test(test_iwinfo_client),
		cmocka_unit_test(test_iwinfo_assoclist),
		cmocka_unit_test(test_iwinfo_info_then_assoclist),
		cmocka_unit_test(test_iwinfo_json),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_garbage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
