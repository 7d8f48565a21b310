/* libFuzzer target for the Wi-Fi text parsers (wifi/wifi_parse.h).
 *
 * Input: one control byte, then the text. ctl % 7 selects the parser:
 * 0 /proc/net/wireless, 1 iw link, 2 iw station, 3 iw scan, 4 iwinfo info,
 * 5 iwinfo assoclist, 6 ubus iwinfo JSON; bit 7 asks for a named
 * interface/station instead of the first. The text sits in a heap buffer of
 * exactly its size (ASan sees any read past it); the result's invariants
 * are checked, and a scan is also judged by wifi_congestion. Seed corpus:
 * corpus/wifi_text/ (the captures in tests/data, control byte first). */
#include "wifi/wifi_parse.h"
#include "wifi/wifi_scan.h"
#include "wifi_fuzz_check.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_scan(const struct wifi_scan *sc)
{
	if (sc->n > WIFI_SCAN_MAX || sc->n > sc->n_seen)
		__builtin_trap();
	for (unsigned i = 0; i < sc->n; i++)
		if (strnlen(sc->bss[i].ssid, 33) == 33 || strnlen(sc->bss[i].bssid, 18) != 17)
			__builtin_trap();
	struct wifi_congestion c;
	int freq = sc->n ? sc->bss[0].freq_mhz : 2437;
	wifi_congestion(sc, freq, &c);
	if (c.neighbours > sc->n || c.suggest_n > sc->n)
		__builtin_trap();
	wifi_congestion(sc, 0, &c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t ctl = data[0];
	size--;
	char *t = malloc(size ? size : 1);
	if (!t)
		return 0;
	memcpy(t, data + 1, size);
	bool named = ctl & 0x80;
	struct wifi_sample s;
	struct wifi_scan sc;
	wifi_sample_init(&s);
	wifi_scan_init(&sc);
	int rc = 0;
	switch (ctl % 7) {
	case 0: rc = wifi_parse_proc(t, size, named ? "wlan0" : NULL, &s); break;
	case 1: rc = wifi_parse_iw_link(t, size, &s); break;
	case 2: rc = wifi_parse_iw_station(t, size, named ? "8c:be:be:f5:8f:59" : NULL, &s); break;
	case 3: rc = wifi_parse_iw_scan(t, size, &sc); break;
	case 4: rc = wifi_parse_iwinfo_info(t, size, named ? "wlan1" : NULL, &s); break;
	case 5: rc = wifi_parse_iwinfo_assoclist(t, size, named ? "00:23:14:07:0e:3c" : NULL, &s); break;
	case 6: rc = wifi_parse_iwinfo_json(t, size, &s); break;
	}
	if (rc < -1 || rc > 1)
		__builtin_trap();
	wifi_fuzz_check_sample(&s);
	check_scan(&sc);
	free(t);
	return 0;
}
