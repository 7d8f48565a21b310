/* libFuzzer target for the nl80211 parsers (wifi/wifi_nl.h): the bytes are
 * a netlink message stream, walked by wifi_nl_walk for the sequence number
 * of its first message; every reply goes through every parser (a message
 * of one kind must be refused or parsed cleanly by the others), every
 * event through the scan-event parser. The stream sits in a heap buffer of
 * exactly its size. Seed corpus: corpus/wifi_nl/ (kernel-layout messages
 * as tests/unit/test_wifi_nl.c builds them: family reply, interface,
 * station dump, scan dump with a cut IE, survey, error, DUMP_INTR). */
#include "wifi/wifi_nl.h"
#include "wifi/wifi_scan.h"
#include "wifi_fuzz_check.h"

#include <linux/netlink.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_msg(const struct nlmsghdr *nlh, void *arg)
{
	struct wifi_scan *sc = arg;
	struct wifi_nl_family fam;
	struct wifi_sample s;
	struct wifi_bss b;
	struct wifi_survey sv;
	uint32_t type;
	int ok = 0;
	ok |= wifi_nl_parse_family(nlh, &fam) == 0;
	wifi_sample_init(&s);
	ok |= wifi_nl_parse_interface(nlh, &s, &type) == 0;
	ok |= wifi_nl_parse_station(nlh, &s) >= 0;
	wifi_fuzz_check_sample(&s);
	if (wifi_nl_parse_bss(nlh, &b) == 0) {
		if (strnlen(b.ssid, 33) == 33 || strlen(b.bssid) != 17)
			__builtin_trap();
		wifi_scan_add(sc, &b);
		ok = 1;
	}
	if (wifi_nl_parse_survey(nlh, &sv) == 0 && sv.freq_mhz == 0)
		__builtin_trap();
	return ok ? 0 : -1;
}

static void on_event(const struct nlmsghdr *nlh, void *arg)
{
	uint32_t ifindex;
	int k = wifi_nl_parse_scan_event(nlh, &ifindex);
	if (k < -1 || k > 2)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	struct wifi_scan sc;
	wifi_scan_init(&sc);
	uint32_t seq = 1;
	if (size >= sizeof(struct nlmsghdr))
		memcpy(&seq, buf + offsetof(struct nlmsghdr, nlmsg_seq), sizeof(seq));
	struct wifi_nl_walk w = { .seq = seq, .msg = on_msg, .mcast = on_event, .arg = &sc };
	int rc = wifi_nl_walk(&w, buf, size);
	if (rc < WIFI_NL_FAILED || rc > WIFI_NL_DONE || (rc == WIFI_NL_FAILED && !w.err))
		__builtin_trap();
	if (sc.n > WIFI_SCAN_MAX || sc.n > sc.n_seen)
		__builtin_trap();
	struct wifi_congestion c;
	wifi_congestion(&sc, 0, &c);
	free(buf);
	return 0;
}
