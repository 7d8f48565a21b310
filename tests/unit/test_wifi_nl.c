/* Unit tests for nl80211 (src/wifi/wifi_nl.h).
 *
 * Messages are built with libmnl the way the kernel lays them out
 * (genetlink header, the uapi <linux/nl80211.h> attribute numbers and
 * nesting, 64-bit attributes preceded by a PAD attribute when they would be
 * misaligned, NLM_F_MULTI dumps ended by NLMSG_DONE). The parsers get them
 * directly; the request engine gets them through a detached wifi_nl, whose
 * requests go to a small fake kernel here instead of a socket. The real
 * kernel is asked too: where it has no cfg80211 (as on the build machine)
 * the family lookup must fail cleanly with ENOENT. */
#include "wifi/wifi_nl.h"
#include "wifi/wifi_scan.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/nl80211.h>

#define FAM_ID   0x1c
#define SCAN_GRP 7
#define PORT     0      /* detached: no port */

#define assert_near(a, b) assert_true(fabs((double)(a) - (double)(b)) < 1e-6)

/* ==== building messages =================================================== */

struct stream {
	uint8_t b[65536] __attribute__((aligned(8)));
	size_t n;
};

static struct nlmsghdr *s_genl(struct stream *s, uint16_t type, uint16_t flags, uint32_t seq, uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(s->b + s->n);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_pid = PORT;
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = 1;
	return nlh;
}

static void s_end(struct stream *s, struct nlmsghdr *nlh)
{
	s->n += NLMSG_ALIGN(nlh->nlmsg_len);
}

/* nla_put_u64_64bit: a PAD attribute first when the value would not be
 * 8-byte aligned. */
static void put_u64(struct nlmsghdr *nlh, uint16_t type, uint16_t pad, uint64_t v)
{
	uintptr_t tail = (uintptr_t)mnl_nlmsg_get_payload_tail(nlh);
	if ((tail + MNL_ATTR_HDRLEN) % 8)
		mnl_attr_put(nlh, pad, 0, NULL);
	mnl_attr_put_u64(nlh, type, v);
}

static void s_ctl(struct stream *s, uint16_t type, uint16_t flags, uint32_t seq, int err)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(s->b + s->n);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_pid = PORT;
	if (type == NLMSG_ERROR) {
		struct nlmsgerr *e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
		e->error = -err;
		e->msg.nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN;
		e->msg.nlmsg_seq = seq;
	} else {
		int *e = mnl_nlmsg_put_extra_header(nlh, sizeof(int));
		*e = -err;
	}
	s_end(s, nlh);
}

static void s_done(struct stream *s, uint32_t seq) { s_ctl(s, NLMSG_DONE, NLM_F_MULTI, seq, 0); }
static void s_error(struct stream *s, uint32_t seq, int err) { s_ctl(s, NLMSG_ERROR, 0, seq, err); }

static void s_family(struct stream *s, uint32_t seq)
{
	struct nlmsghdr *nlh = s_genl(s, GENL_ID_CTRL, 0, seq, CTRL_CMD_NEWFAMILY);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "nl80211");
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, FAM_ID);
	mnl_attr_put_u32(nlh, CTRL_ATTR_VERSION, 1);
	mnl_attr_put_u32(nlh, CTRL_ATTR_HDRSIZE, 0);
	mnl_attr_put_u32(nlh, CTRL_ATTR_MAXATTR, NL80211_ATTR_MAX);
	struct nlattr *ops = mnl_attr_nest_start(nlh, CTRL_ATTR_OPS);
	struct nlattr *op = mnl_attr_nest_start(nlh, 1);
	mnl_attr_put_u32(nlh, CTRL_ATTR_OP_ID, NL80211_CMD_GET_WIPHY);
	mnl_attr_put_u32(nlh, CTRL_ATTR_OP_FLAGS, 0x1e);
	mnl_attr_nest_end(nlh, op);
	mnl_attr_nest_end(nlh, ops);
	static const char *const groups[] = { "config", "scan", "regulatory", "mlme", "vendor", "nan", "testmode" };
	struct nlattr *gs = mnl_attr_nest_start(nlh, CTRL_ATTR_MCAST_GROUPS);
	for (unsigned i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		struct nlattr *g = mnl_attr_nest_start(nlh, (uint16_t)(i + 1));
		mnl_attr_put_u32(nlh, CTRL_ATTR_MCAST_GRP_ID, SCAN_GRP - 1 + i);
		mnl_attr_put_strz(nlh, CTRL_ATTR_MCAST_GRP_NAME, groups[i]);
		mnl_attr_nest_end(nlh, g);
	}
	mnl_attr_nest_end(nlh, gs);
	s_end(s, nlh);
}

static const uint8_t AP_MAC[6] = { 0x64, 0xd1, 0x54, 0x68, 0x93, 0xae };
static const uint8_t PEER_MAC[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };

/* nl80211_send_iface(): what `iw dev wlp0s20f3 info` reads. */
static void s_iface(struct stream *s, uint32_t seq, uint32_t iftype, bool with_ssid)
{
	struct nlmsghdr *nlh = s_genl(s, FAM_ID, 0, seq, NL80211_CMD_NEW_INTERFACE);
	mnl_attr_put_u32(nlh, NL80211_ATTR_IFINDEX, 1);
	mnl_attr_put_strz(nlh, NL80211_ATTR_IFNAME, "wlp0s20f3");
	mnl_attr_put_u32(nlh, NL80211_ATTR_WIPHY, 0);
	mnl_attr_put_u32(nlh, NL80211_ATTR_IFTYPE, iftype);
	put_u64(nlh, NL80211_ATTR_WDEV, NL80211_ATTR_PAD, 1);
	mnl_attr_put(nlh, NL80211_ATTR_MAC, 6, PEER_MAC);
	mnl_attr_put_u32(nlh, NL80211_ATTR_GENERATION, 5);
	mnl_attr_put_u8(nlh, NL80211_ATTR_4ADDR, 0);
	mnl_attr_put_u32(nlh, NL80211_ATTR_WIPHY_FREQ, 5280);
	mnl_attr_put_u32(nlh, NL80211_ATTR_WIPHY_FREQ_OFFSET, 0);
	mnl_attr_put_u32(nlh, NL80211_ATTR_WIPHY_CHANNEL_TYPE, NL80211_CHAN_HT20);
	mnl_attr_put_u32(nlh, NL80211_ATTR_CHANNEL_WIDTH, NL80211_CHAN_WIDTH_80);
	mnl_attr_put_u32(nlh, NL80211_ATTR_CENTER_FREQ1, 5290);
	mnl_attr_put_u32(nlh, NL80211_ATTR_WIPHY_TX_POWER_LEVEL, 2200);
	if (with_ssid)
		mnl_attr_put(nlh, NL80211_ATTR_SSID, 5, "HOME5");
	mnl_attr_put_u32(nlh, 0x7ff, 42);       /* a newer kernel's attribute */
	s_end(s, nlh);
}

static void put_rate(struct nlmsghdr *nlh, uint16_t type, uint32_t rate100k, uint8_t mcs)
{
	struct nlattr *r = mnl_attr_nest_start(nlh, type);
	if (rate100k < 65536)
		mnl_attr_put_u16(nlh, NL80211_RATE_INFO_BITRATE, (uint16_t)rate100k);
	mnl_attr_put_u32(nlh, NL80211_RATE_INFO_BITRATE32, rate100k);
	mnl_attr_put_u8(nlh, NL80211_RATE_INFO_VHT_MCS, mcs);
	mnl_attr_put_u8(nlh, NL80211_RATE_INFO_VHT_NSS, 2);
	mnl_attr_put(nlh, NL80211_RATE_INFO_80_MHZ_WIDTH, 0, NULL);
	mnl_attr_nest_end(nlh, r);
}

struct sta_opts {
	const uint8_t *mac;
	bool tdls, assoc_flag_known, associated;
	int8_t signal;
	uint32_t tx_rate;       /* 100 kbit/s */
};

/* nl80211_send_station() with what mac80211's sta_set_sinfo() fills. */
static void s_station(struct stream *s, uint32_t seq, const struct sta_opts *o)
{
	struct nlmsghdr *nlh = s_genl(s, FAM_ID, NLM_F_MULTI, seq, NL80211_CMD_NEW_STATION);
	mnl_attr_put_u32(nlh, NL80211_ATTR_IFINDEX, 1);
	mnl_attr_put(nlh, NL80211_ATTR_MAC, 6, o->mac);
	mnl_attr_put_u32(nlh, NL80211_ATTR_GENERATION, 9);
	struct nlattr *si = mnl_attr_nest_start(nlh, NL80211_ATTR_STA_INFO);
	mnl_attr_put_u32(nlh, NL80211_STA_INFO_CONNECTED_TIME, 6191);
	mnl_attr_put_u32(nlh, NL80211_STA_INFO_INACTIVE_TIME, 120);
	mnl_attr_put_u32(nlh, NL80211_STA_INFO_RX_BYTES, (uint32_t)2254846655u);
	mnl_attr_put_u32(nlh, NL80211_STA_INFO_TX_BYTES, 67296834);
	put_u64(nlh, NL80211_STA_INFO_RX_BYTES64, NL80211_STA_INFO_PAD, 6549813951ull);
	put_u64(nlh, NL80211_STA_INFO_TX_BYTES64, NL80211_STA_INFO_PAD, 67296834);
	mnl_attr_put_u8(nlh, NL80211_STA_INFO_SIGNAL, (uint8_t)o->signal);
	mnl_attr_put_u8(nlh, NL80211_STA_INFO_SIGNAL_AVG, (uint8_t)(o->signal - 2));
	struct nlattr *chains = mnl_attr_nest_start(nlh, NL80211_STA_INFO_CHAIN_SIGNAL);
	mnl_attr_put_u8(nlh, 0, (uint8_t)-46);
	mnl_attr_put_u8(nlh, 1, (uint8_t)-47);
	mnl_attr_nest_end(nlh, chains);
	put_rate(nlh, NL80211_STA_INFO_TX_BITRATE, o->tx_rate, 9);
	put_rate(nlh, NL80211_STA_INFO_RX_BITRATE, 7020, 8);
	mnl_attr_put_u32(nlh, NL80211_STA_INFO_RX_PACKETS, 1728945);
	mnl_attr_put_u32(nlh, NL80211_STA_INFO_TX_PACKETS, 393089);
	mnl_attr_put_u32(nlh, NL80211_STA_INFO_TX_RETRIES, 4589);
	mnl_attr_put_u32(nlh, NL80211_STA_INFO_TX_FAILED, 3);
	mnl_attr_put_u32(nlh, NL80211_STA_INFO_BEACON_LOSS, 0);
	struct nl80211_sta_flag_update f = { 0, 0 };
	f.mask = 1u << NL80211_STA_FLAG_AUTHORIZED | 1u << NL80211_STA_FLAG_WME |
		 1u << NL80211_STA_FLAG_AUTHENTICATED | 1u << NL80211_STA_FLAG_TDLS_PEER;
	f.set = 1u << NL80211_STA_FLAG_AUTHORIZED | 1u << NL80211_STA_FLAG_AUTHENTICATED;
	if (o->assoc_flag_known) {
		f.mask |= 1u << NL80211_STA_FLAG_ASSOCIATED;
		if (o->associated)
			f.set |= 1u << NL80211_STA_FLAG_ASSOCIATED;
	}
	if (o->tdls)
		f.set |= 1u << NL80211_STA_FLAG_TDLS_PEER;
	mnl_attr_put(nlh, NL80211_STA_INFO_STA_FLAGS, sizeof(f), &f);
	put_u64(nlh, NL80211_STA_INFO_BEACON_RX, NL80211_STA_INFO_PAD, 61234);
	mnl_attr_put_u8(nlh, NL80211_STA_INFO_BEACON_SIGNAL_AVG, (uint8_t)-45);
	mnl_attr_put_u32(nlh, 0x3f0, 1);        /* unknown to us */
	mnl_attr_nest_end(nlh, si);
	s_end(s, nlh);
}

struct bss_opts {
	uint8_t mac_last;
	uint32_t freq;
	int32_t mbm;
	bool associated;
	const char *ssid;       /* NULL: no SSID element */
	int cut;                /* > 0: the IE block ends this many bytes early */
	const char *beacon_ssid;
};

static size_t ies(uint8_t *out, const char *ssid, uint8_t chan)
{
	size_t n = 0;
	if (ssid) {
		out[n++] = 0;
		out[n++] = (uint8_t)strlen(ssid);
		memcpy(out + n, ssid, strlen(ssid));
		n += strlen(ssid);
	}
	static const uint8_t rates[] = { 1, 8, 0x8c, 0x12, 0x98, 0x24, 0xb0, 0x48, 0x60, 0x6c };
	memcpy(out + n, rates, sizeof(rates));
	n += sizeof(rates);
	out[n++] = 3;   /* DS Parameter set */
	out[n++] = 1;
	out[n++] = chan;
	return n;
}

/* nl80211_send_bss() */
static void s_bss(struct stream *s, uint32_t seq, const struct bss_opts *o)
{
	struct nlmsghdr *nlh = s_genl(s, FAM_ID, NLM_F_MULTI, seq, NL80211_CMD_NEW_SCAN_RESULTS);
	mnl_attr_put_u32(nlh, NL80211_ATTR_GENERATION, 77);
	mnl_attr_put_u32(nlh, NL80211_ATTR_IFINDEX, 1);
	put_u64(nlh, NL80211_ATTR_WDEV, NL80211_ATTR_PAD, 1);
	struct nlattr *bss = mnl_attr_nest_start(nlh, NL80211_ATTR_BSS);
	uint8_t mac[6] = { 0xac, 0x22, 0x05, 0xe6, 0xff, o->mac_last };
	mnl_attr_put(nlh, NL80211_BSS_BSSID, 6, mac);
	put_u64(nlh, NL80211_BSS_TSF, NL80211_BSS_PAD, 212106552475ull);
	uint8_t ie[128];
	size_t n = ies(ie, o->ssid, (uint8_t)wifi_freq_to_channel((int)o->freq));
	mnl_attr_put(nlh, NL80211_BSS_INFORMATION_ELEMENTS, n - (size_t)o->cut, ie);
	if (o->beacon_ssid) {
		n = ies(ie, o->beacon_ssid, 1);
		mnl_attr_put(nlh, NL80211_BSS_BEACON_IES, n, ie);
	}
	mnl_attr_put_u32(nlh, NL80211_BSS_FREQUENCY, o->freq);
	mnl_attr_put_u16(nlh, NL80211_BSS_BEACON_INTERVAL, 100);
	mnl_attr_put_u16(nlh, NL80211_BSS_CAPABILITY, 0x1411);
	mnl_attr_put_u32(nlh, NL80211_BSS_CHAN_WIDTH, NL80211_BSS_CHAN_WIDTH_20);
	put_u64(nlh, NL80211_BSS_LAST_SEEN_BOOTTIME, NL80211_BSS_PAD, 4206107000000ull);
	mnl_attr_put_u32(nlh, NL80211_BSS_SEEN_MS_AGO, 130);
	mnl_attr_put_u32(nlh, NL80211_BSS_SIGNAL_MBM, (uint32_t)o->mbm);
	if (o->associated)
		mnl_attr_put_u32(nlh, NL80211_BSS_STATUS, NL80211_BSS_STATUS_ASSOCIATED);
	mnl_attr_nest_end(nlh, bss);
	s_end(s, nlh);
}

/* nl80211_send_survey() */
static void s_survey(struct stream *s, uint32_t seq, uint32_t freq, bool in_use, int8_t noise)
{
	struct nlmsghdr *nlh = s_genl(s, FAM_ID, NLM_F_MULTI, seq, NL80211_CMD_NEW_SURVEY_RESULTS);
	mnl_attr_put_u32(nlh, NL80211_ATTR_IFINDEX, 1);
	struct nlattr *si = mnl_attr_nest_start(nlh, NL80211_ATTR_SURVEY_INFO);
	mnl_attr_put_u32(nlh, NL80211_SURVEY_INFO_FREQUENCY, freq);
	mnl_attr_put_u8(nlh, NL80211_SURVEY_INFO_NOISE, (uint8_t)noise);
	if (in_use)
		mnl_attr_put(nlh, NL80211_SURVEY_INFO_IN_USE, 0, NULL);
	put_u64(nlh, NL80211_SURVEY_INFO_TIME, NL80211_SURVEY_INFO_PAD, 1000 + freq);
	put_u64(nlh, NL80211_SURVEY_INFO_TIME_BUSY, NL80211_SURVEY_INFO_PAD, 400);
	put_u64(nlh, NL80211_SURVEY_INFO_TIME_RX, NL80211_SURVEY_INFO_PAD, 300);
	put_u64(nlh, NL80211_SURVEY_INFO_TIME_TX, NL80211_SURVEY_INFO_PAD, 50);
	mnl_attr_nest_end(nlh, si);
	s_end(s, nlh);
}

static void s_scan_event(struct stream *s, uint8_t cmd, uint32_t ifindex)
{
	struct nlmsghdr *nlh = s_genl(s, FAM_ID, 0, 0, cmd);
	mnl_attr_put_u32(nlh, NL80211_ATTR_WIPHY, 0);
	mnl_attr_put_u32(nlh, NL80211_ATTR_IFINDEX, ifindex);
	put_u64(nlh, NL80211_ATTR_WDEV, NL80211_ATTR_PAD, 1);
	s_end(s, nlh);
}

/* ==== parsers =============================================================== */

static const struct nlmsghdr *first(const struct stream *s)
{
	return (const struct nlmsghdr *)s->b;
}

static void test_parse_family(void **state)
{
	static struct stream s;
	s.n = 0;
	s_family(&s, 1);
	struct wifi_nl_family f;
	assert_int_equal(wifi_nl_parse_family(first(&s), &f), 0);
	assert_int_equal(f.id, FAM_ID);
	assert_int_equal(f.scan_group, SCAN_GRP);
	/* an nl80211 message is not a family reply */
	s.n = 0;
	s_iface(&s, 1, NL80211_IFTYPE_STATION, true);
	assert_int_equal(wifi_nl_parse_family(first(&s), &f), -1);
}

static void test_parse_interface(void **state)
{
	static struct stream s;
	s.n = 0;
	s_iface(&s, 1, NL80211_IFTYPE_STATION, true);
	struct wifi_sample smp;
	wifi_sample_init(&smp);
	uint32_t type = 99;
	assert_int_equal(wifi_nl_parse_interface(first(&s), &smp, &type), 0);
	assert_int_equal(type, NL80211_IFTYPE_STATION);
	assert_string_equal(smp.ifname, "wlp0s20f3");
	assert_string_equal(smp.ssid, "HOME5");
	assert_int_equal(smp.freq_mhz, 5280);
	assert_int_equal(smp.channel, 56);
	/* a wrong-size frequency is ignored, not read past */
	s.n = 0;
	struct nlmsghdr *nlh = s_genl(&s, FAM_ID, 0, 1, NL80211_CMD_NEW_INTERFACE);
	mnl_attr_put_u16(nlh, NL80211_ATTR_WIPHY_FREQ, 2412);
	s_end(&s, nlh);
	wifi_sample_init(&smp);
	assert_int_equal(wifi_nl_parse_interface(first(&s), &smp, &type), 0);
	assert_int_equal(smp.freq_mhz, -1);
	assert_int_equal(type, 0);
}

static void test_parse_station(void **state)
{
	static struct stream s;
	s.n = 0;
	struct sta_opts o = { AP_MAC, false, true, true, -44, 8667 };
	s_station(&s, 1, &o);
	struct wifi_sample smp;
	wifi_sample_init(&smp);
	assert_int_equal(wifi_nl_parse_station(first(&s), &smp), 0);
	assert_string_equal(smp.bssid, "64:d1:54:68:93:ae");
	assert_int_equal(smp.associated, 1);
	assert_near(smp.signal_dbm, -44);
	assert_near(smp.signal_avg_dbm, -46);
	assert_near(smp.tx_bitrate_mbps, 866.7);
	assert_near(smp.rx_bitrate_mbps, 702.0);
	assert_true(smp.rx_bytes == 6549813951LL);      /* the 64-bit counter wins */
	assert_true(smp.tx_bytes == 67296834LL);
	assert_true(smp.tx_retries == 4589 && smp.tx_failed == 3);
	assert_int_equal(smp.inactive_ms, 120);
	assert_int_equal(smp.connected_s, 6191);
	/* a rate above 6553.5 Mbit/s only has BITRATE32; no ASSOCIATED flag */
	s.n = 0;
	struct sta_opts o2 = { AP_MAC, false, false, false, -60, 72060 };
	s_station(&s, 1, &o2);
	wifi_sample_init(&smp);
	assert_int_equal(wifi_nl_parse_station(first(&s), &smp), 0);
	assert_near(smp.tx_bitrate_mbps, 7206.0);
	assert_int_equal(smp.associated, -1);
	/* authenticated but not associated */
	s.n = 0;
	struct sta_opts o3 = { AP_MAC, false, true, false, -60, 10 };
	s_station(&s, 1, &o3);
	wifi_sample_init(&smp);
	assert_int_equal(wifi_nl_parse_station(first(&s), &smp), 0);
	assert_int_equal(smp.associated, 0);
	/* a TDLS peer: not the AP, the sample stays as it was */
	s.n = 0;
	struct sta_opts o4 = { PEER_MAC, true, true, true, -30, 10 };
	s_station(&s, 1, &o4);
	wifi_sample_init(&smp);
	assert_int_equal(wifi_nl_parse_station(first(&s), &smp), 1);
	assert_string_equal(smp.bssid, "");
	/* mt76's positive signal: unknown */
	s.n = 0;
	struct sta_opts o5 = { AP_MAC, false, true, true, 75, 540 };
	s_station(&s, 1, &o5);
	wifi_sample_init(&smp);
	assert_int_equal(wifi_nl_parse_station(first(&s), &smp), 0);
	assert_true(isnan(smp.signal_dbm));
	assert_true(isnan(smp.signal_avg_dbm));
}

static void test_parse_bss(void **state)
{
	static struct stream s;
	struct wifi_bss b;
	s.n = 0;
	struct bss_opts o = { 0x24, 5180, -3000, true, "UPCCDB29F5", 0, NULL };
	s_bss(&s, 1, &o);
	assert_int_equal(wifi_nl_parse_bss(first(&s), &b), 0);
	assert_string_equal(b.bssid, "ac:22:05:e6:ff:24");
	assert_string_equal(b.ssid, "UPCCDB29F5");
	assert_int_equal(b.freq_mhz, 5180);
	assert_int_equal(b.channel, 36);
	assert_near(b.signal_dbm, -30);
	assert_int_equal(b.last_seen_ms, 130);
	assert_true(b.associated);
	/* the SSID element cut short: no SSID from it; the beacon's is used */
	s.n = 0;
	struct bss_opts c = { 0x41, 2462, -4100, false, "UPCCDB29F5", 10 + 3 + 6, "Beacon" };
	s_bss(&s, 1, &c);
	assert_int_equal(wifi_nl_parse_bss(first(&s), &b), 0);
	assert_string_equal(b.ssid, "Beacon");
	assert_false(b.associated);
	assert_int_equal(b.channel, 11);
	/* cut, and no beacon elements: "" */
	s.n = 0;
	c.beacon_ssid = NULL;
	s_bss(&s, 1, &c);
	assert_int_equal(wifi_nl_parse_bss(first(&s), &b), 0);
	assert_string_equal(b.ssid, "");
	/* no BSSID: not a usable entry */
	s.n = 0;
	struct nlmsghdr *nlh = s_genl(&s, FAM_ID, NLM_F_MULTI, 1, NL80211_CMD_NEW_SCAN_RESULTS);
	struct nlattr *n = mnl_attr_nest_start(nlh, NL80211_ATTR_BSS);
	mnl_attr_put_u32(nlh, NL80211_BSS_FREQUENCY, 2412);
	mnl_attr_nest_end(nlh, n);
	s_end(&s, nlh);
	assert_int_equal(wifi_nl_parse_bss(first(&s), &b), -1);
}

static void test_ie_ssid(void **state)
{
	char out[33];
	static const uint8_t ok[] = { 1, 2, 0x82, 0x84, 0, 3, 'a', 'b', 'c' };
	assert_true(wifi_nl_ie_ssid(ok, sizeof(ok), out));
	assert_string_equal(out, "abc");
	assert_false(wifi_nl_ie_ssid(ok, sizeof(ok) - 1, out));        /* cut inside */
	assert_false(wifi_nl_ie_ssid(ok, 3, out));
	assert_false(wifi_nl_ie_ssid(ok, 0, out));
	static const uint8_t hidden[] = { 0, 4, 0, 0, 0, 0 };
	assert_true(wifi_nl_ie_ssid(hidden, sizeof(hidden), out));
	assert_string_equal(out, "");
	static const uint8_t empty[] = { 0, 0 };
	assert_true(wifi_nl_ie_ssid(empty, sizeof(empty), out));
	assert_string_equal(out, "");
	uint8_t big[40] = { 0, 38 };
	memset(big + 2, 'x', 38);
	assert_true(wifi_nl_ie_ssid(big, sizeof(big), out));
	assert_int_equal(strlen(out), 32);
}

static void test_parse_survey(void **state)
{
	static struct stream s;
	s.n = 0;
	s_survey(&s, 1, 5180, true, -95);
	struct wifi_survey sv;
	assert_int_equal(wifi_nl_parse_survey(first(&s), &sv), 0);
	assert_int_equal(sv.freq_mhz, 5180);
	assert_true(sv.in_use);
	assert_near(sv.noise_dbm, -95);
	assert_true(sv.active_ms == 6180 && sv.busy_ms == 400 && sv.rx_ms == 300 && sv.tx_ms == 50);
	s.n = 0;
	struct nlmsghdr *nlh = s_genl(&s, FAM_ID, NLM_F_MULTI, 1, NL80211_CMD_NEW_SURVEY_RESULTS);
	struct nlattr *n = mnl_attr_nest_start(nlh, NL80211_ATTR_SURVEY_INFO);
	mnl_attr_put_u32(nlh, NL80211_SURVEY_INFO_FREQUENCY, 2412);
	mnl_attr_nest_end(nlh, n);
	s_end(&s, nlh);
	assert_int_equal(wifi_nl_parse_survey(first(&s), &sv), 0);
	assert_false(sv.in_use);
	assert_true(isnan(sv.noise_dbm));
	assert_true(sv.active_ms == -1 && sv.busy_ms == -1);
}

/* ==== walking replies ======================================================== */

struct walk_rec {
	unsigned msgs, events;
};

static int count_msg(const struct nlmsghdr *nlh, void *arg)
{
	struct walk_rec *r = arg;
	r->msgs++;
	struct wifi_sample smp;
	wifi_sample_init(&smp);
	return wifi_nl_parse_station(nlh, &smp) < 0 ? -1 : 0;
}

static void count_event(const struct nlmsghdr *nlh, void *arg)
{
	struct walk_rec *r = arg;
	r->events++;
}

static int walk(const struct stream *s, size_t len, uint32_t seq, struct wifi_nl_walk *w, struct walk_rec *r)
{
	memset(w, 0, sizeof(*w));
	memset(r, 0, sizeof(*r));
	w->seq = seq;
	w->msg = count_msg;
	w->mcast = count_event;
	w->arg = r;
	uint8_t *copy = malloc(len ? len : 1);
	memcpy(copy, s->b, len);
	int rc = wifi_nl_walk(w, copy, len);
	free(copy);
	return rc;
}

static void test_walk(void **state)
{
	static struct stream s;
	struct wifi_nl_walk w;
	struct walk_rec r;
	struct sta_opts o = { AP_MAC, false, true, true, -44, 8667 };
	/* a dump: two stations, a stale one, an event, then DONE */
	s.n = 0;
	s_station(&s, 5, &o);
	s_station(&s, 4, &o);           /* an earlier request's */
	s_scan_event(&s, NL80211_CMD_NEW_SCAN_RESULTS, 1);
	s_station(&s, 5, &o);
	s_done(&s, 5);
	assert_int_equal(walk(&s, s.n, 5, &w, &r), WIFI_NL_DONE);
	assert_int_equal(r.msgs, 2);
	assert_int_equal(w.stale, 1);
	assert_int_equal(r.events, 1);
	assert_false(w.intr);
	/* without the DONE: more to come */
	size_t before_done = s.n - NLMSG_ALIGN(NLMSG_HDRLEN + sizeof(int));
	assert_int_equal(walk(&s, before_done, 5, &w, &r), WIFI_NL_MORE);
	/* an error reply */
	s.n = 0;
	s_error(&s, 5, ENODEV);
	assert_int_equal(walk(&s, s.n, 5, &w, &r), WIFI_NL_FAILED);
	assert_int_equal(w.err, ENODEV);
	/* an ACK */
	s.n = 0;
	s_error(&s, 5, 0);
	assert_int_equal(walk(&s, s.n, 5, &w, &r), WIFI_NL_DONE);
	assert_int_equal(w.err, 0);
	/* a DONE carrying an error (a dump that failed after it started) */
	s.n = 0;
	s_station(&s, 5, &o);
	s_ctl(&s, NLMSG_DONE, NLM_F_MULTI, 5, EINVAL);
	assert_int_equal(walk(&s, s.n, 5, &w, &r), WIFI_NL_FAILED);
	assert_int_equal(w.err, EINVAL);
	assert_int_equal(r.msgs, 1);
	/* a dump interrupted by a change: flagged */
	s.n = 0;
	s_station(&s, 5, &o);
	((struct nlmsghdr *)s.b)->nlmsg_flags |= NLM_F_DUMP_INTR;
	s_done(&s, 5);
	assert_int_equal(walk(&s, s.n, 5, &w, &r), WIFI_NL_DONE);
	assert_true(w.intr);
	/* an error reply too short to hold its errno */
	s.n = 0;
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(s.b);
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_seq = 5;
	nlh->nlmsg_len = NLMSG_HDRLEN + 2;
	s.n = NLMSG_ALIGN(nlh->nlmsg_len);
	assert_int_equal(walk(&s, NLMSG_HDRLEN + 2, 5, &w, &r), WIFI_NL_FAILED);
	assert_int_equal(w.err, EBADMSG);
	/* a length that claims more than the buffer (0xffffffff is -1 as an
	 * int: libmnl's own check lets it through) */
	s.n = 0;
	s_station(&s, 5, &o);
	((struct nlmsghdr *)s.b)->nlmsg_len = 0xffffffff;
	assert_int_equal(walk(&s, s.n, 5, &w, &r), WIFI_NL_FAILED);
	assert_int_equal(w.err, EBADMSG);
	assert_int_equal(r.msgs, 0);
	/* a single (non-dump) reply is complete by itself */
	s.n = 0;
	s_iface(&s, 5, NL80211_IFTYPE_STATION, true);
	assert_int_equal(walk(&s, s.n, 5, &w, &r), WIFI_NL_DONE);
}

static void test_walk_truncated(void **state)
{
	static struct stream s;
	struct wifi_nl_walk w;
	struct walk_rec r;
	struct sta_opts o = { AP_MAC, false, true, true, -44, 8667 };
	s.n = 0;
	s_station(&s, 5, &o);
	size_t one = s.n;
	s_station(&s, 5, &o);
	s_done(&s, 5);
	for (size_t cut = 0; cut <= s.n; cut++) {
		int rc = walk(&s, cut, 5, &w, &r);
		if (cut == s.n)
			assert_int_equal(rc, WIFI_NL_DONE);
		else if (cut == 0 || cut == one || cut == 2 * one)
			assert_int_equal(rc, WIFI_NL_MORE);
		else
			assert_int_equal(rc, WIFI_NL_FAILED);   /* a message cut short */
		assert_true(r.msgs <= 2);
	}
	/* an attribute that claims more than its message holds: the walk of the
	 * attributes stops there, nothing is read past */
	s.n = 0;
	s_station(&s, 5, &o);
	struct nlattr *a = (struct nlattr *)(s.b + NLMSG_HDRLEN + GENL_HDRLEN);
	a->nla_len = 4000;
	struct wifi_sample smp;
	wifi_sample_init(&smp);
	assert_int_equal(wifi_nl_parse_station(first(&s), &smp), -1);  /* no MAC reached */
}

/* ==== the request engine, against a fake kernel ============================== */

#define MAX_REQ 16

struct fake {
	/* what the kernel does */
	bool no_family;
	int iface_err;
	uint32_t iftype;
	unsigned n_sta;         /* station entries: [0] TDLS peer when 2 */
	int survey_err;
	int trigger_err;
	bool intr_once;         /* the first station dump is interrupted */
	bool silent;            /* answer nothing (timeouts) */
	/* what it saw */
	struct {
		uint8_t cmd;
		uint16_t type, flags;
		uint32_t seq, ifindex;
	} req[MAX_REQ];
	unsigned n_req, answered;
	bool intr_done;
	/* results */
	struct wifi_nl_result res[4];
	unsigned n_res;
};

static int fake_send(void *arg, const struct nlmsghdr *nlh)
{
	struct fake *f = arg;
	if (f->n_req == MAX_REQ) {
		errno = ENOBUFS;
		return -1;
	}
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	f->req[f->n_req].cmd = g->cmd;
	f->req[f->n_req].type = nlh->nlmsg_type;
	f->req[f->n_req].flags = nlh->nlmsg_flags;
	f->req[f->n_req].seq = nlh->nlmsg_seq;
	f->req[f->n_req].ifindex = 0;
	const struct nlattr *a;
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		if (nlh->nlmsg_type == GENL_ID_CTRL && mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_NAME)
			assert_string_equal(mnl_attr_get_str(a), "nl80211");
		if (nlh->nlmsg_type == FAM_ID && mnl_attr_get_type(a) == NL80211_ATTR_IFINDEX)
			f->req[f->n_req].ifindex = mnl_attr_get_u32(a);
	}
	f->n_req++;
	return (int)nlh->nlmsg_len;
}

static void answer(struct fake *f, struct wifi_nl *nl, unsigned i)
{
	static struct stream s;
	s.n = 0;
	uint32_t seq = f->req[i].seq;
	uint8_t cmd = f->req[i].cmd;
	if (f->req[i].type == GENL_ID_CTRL) {
		if (f->no_family)
			s_error(&s, seq, ENOENT);
		else
			s_family(&s, seq);
	} else {
		assert_int_equal(f->req[i].type, FAM_ID);
		assert_int_equal(f->req[i].ifindex, 1);         /* "lo" */
		switch (cmd) {
		case NL80211_CMD_GET_INTERFACE:
			if (f->iface_err)
				s_error(&s, seq, f->iface_err);
			else
				s_iface(&s, seq, f->iftype, true);
			break;
		case NL80211_CMD_GET_STATION: {
			assert_true(f->req[i].flags & NLM_F_DUMP);
			struct sta_opts peer = { PEER_MAC, true, true, true, -30, 10 };
			struct sta_opts ap = { AP_MAC, false, true, true, -44, 8667 };
			if (f->n_sta == 2)
				s_station(&s, seq, &peer);
			if (f->n_sta)
				s_station(&s, seq, &ap);
			if (f->intr_once && !f->intr_done) {
				for (size_t off = 0; off < s.n;) {
					struct nlmsghdr *h = (struct nlmsghdr *)(s.b + off);
					h->nlmsg_flags |= NLM_F_DUMP_INTR;
					off += NLMSG_ALIGN(h->nlmsg_len);
				}
				f->intr_done = true;
			}
			s_done(&s, seq);
			break;
		}
		case NL80211_CMD_GET_SURVEY:
			if (f->survey_err) {
				s_error(&s, seq, f->survey_err);
				break;
			}
			s_survey(&s, seq, 5260, false, -97);
			s_survey(&s, seq, 5280, true, -92);
			s_survey(&s, seq, 5300, false, -96);
			s_done(&s, seq);
			break;
		case NL80211_CMD_TRIGGER_SCAN:
			assert_true(f->req[i].flags & NLM_F_ACK);
			s_error(&s, seq, f->trigger_err);
			break;
		case NL80211_CMD_GET_SCAN: {
			struct bss_opts a = { 0x24, 5280, -4400, true, "HOME5", 0, NULL };
			struct bss_opts b = { 0x25, 5280, -7000, false, "NEIGH", 0, NULL };
			struct bss_opts c = { 0x26, 2412, -5000, false, "TWO", 0, NULL };
			s_bss(&s, seq, &b);
			s_bss(&s, seq, &a);
			s_bss(&s, seq, &c);
			s_done(&s, seq);
			break;
		}
		default:
			fail_msg("unexpected nl80211 command %u", cmd);
		}
	}
	/* each reply in its own exact-size buffer */
	uint8_t *copy = malloc(s.n);
	memcpy(copy, s.b, s.n);
	wifi_nl_feed(nl, copy, s.n);
	free(copy);
}

/* Answers every request, in order, until nothing new is asked. */
static void serve(struct fake *f, struct wifi_nl *nl)
{
	while (!f->silent && f->answered < f->n_req)
		answer(f, nl, f->answered++);
}

static void on_result(void *arg, const struct wifi_nl_result *r)
{
	struct fake *f = arg;
	assert_true(f->n_res < 4);
	f->res[f->n_res++] = *r;
}

static struct event_base *g_base;

static int setup(void **state)
{
	g_base = event_base_new();
	return g_base ? 0 : -1;
}

static int teardown(void **state)
{
	event_base_free(g_base);
	return 0;
}

static void run_loop(void)
{
	event_base_loop(g_base, EVLOOP_NONBLOCK);
}

static struct wifi_nl *fake_nl(struct fake *f, unsigned timeout_ms)
{
	memset(f, 0, sizeof(*f));
	f->iftype = NL80211_IFTYPE_STATION;
	f->n_sta = 2;
	struct wifi_nl *nl = wifi_nl_new_detached(g_base, "lo", timeout_ms, fake_send, f);
	assert_non_null(nl);
	return nl;
}

static void test_engine_sample(void **state)
{
	struct fake f;
	struct wifi_nl *nl = fake_nl(&f, 1000);
	f.intr_once = true;
	assert_int_equal(wifi_nl_sample(nl, on_result, &f), 0);
	assert_int_equal(f.n_res, 0);
	assert_int_equal(wifi_nl_sample(nl, on_result, &f), -1);       /* busy */
	assert_int_equal(errno, EBUSY);
	serve(&f, nl);
	assert_int_equal(f.n_res, 0);   /* delivered from the loop only */
	run_loop();
	assert_int_equal(f.n_res, 1);
	/* family, interface, station (interrupted), station again, survey */
	assert_int_equal(f.n_req, 5);
	assert_int_equal(f.req[0].type, GENL_ID_CTRL);
	assert_int_equal(f.req[1].cmd, NL80211_CMD_GET_INTERFACE);
	assert_int_equal(f.req[2].cmd, NL80211_CMD_GET_STATION);
	assert_int_equal(f.req[3].cmd, NL80211_CMD_GET_STATION);
	assert_int_not_equal(f.req[3].seq, f.req[2].seq);
	assert_int_equal(f.req[4].cmd, NL80211_CMD_GET_SURVEY);
	const struct wifi_nl_result *r = &f.res[0];
	assert_int_equal(r->err, 0);
	const struct wifi_sample *s = &r->sample;
	assert_string_equal(s->source, "nl80211");
	assert_string_equal(s->ssid, "HOME5");
	assert_int_equal(s->freq_mhz, 5280);
	assert_int_equal(s->channel, 56);
	assert_string_equal(s->bssid, "64:d1:54:68:93:ae");     /* not the TDLS peer */
	assert_int_equal(s->associated, 1);
	assert_near(s->signal_dbm, -44);
	assert_near(s->noise_dbm, -92);         /* the channel in use */
	assert_near(s->tx_bitrate_mbps, 866.7);
	assert_int_equal(r->n_survey, 3);
	/* the family is known now: the next sample starts at the interface */
	assert_int_equal(wifi_nl_sample(nl, on_result, &f), 0);
	serve(&f, nl);
	run_loop();
	assert_int_equal(f.n_res, 2);
	assert_int_equal(f.req[5].cmd, NL80211_CMD_GET_INTERFACE);
	assert_int_equal(f.n_req, 8);
	wifi_nl_free(nl);
}

static void test_engine_states(void **state)
{
	struct fake f;
	/* not associated: no station entry */
	struct wifi_nl *nl = fake_nl(&f, 1000);
	f.n_sta = 0;
	f.survey_err = EOPNOTSUPP;
	wifi_nl_sample(nl, on_result, &f);
	serve(&f, nl);
	run_loop();
	assert_int_equal(f.res[0].err, 0);
	assert_int_equal(f.res[0].sample.associated, 0);
	assert_true(isnan(f.res[0].sample.signal_dbm));
	assert_true(isnan(f.res[0].sample.noise_dbm));
	assert_non_null(strstr(f.res[0].note, "no survey"));
	wifi_nl_free(nl);
	/* an AP interface: its peers are not one link */
	nl = fake_nl(&f, 1000);
	f.iftype = NL80211_IFTYPE_AP;
	wifi_nl_sample(nl, on_result, &f);
	serve(&f, nl);
	run_loop();
	assert_int_equal(f.res[0].err, 0);
	assert_int_equal(f.res[0].sample.associated, -1);
	assert_string_equal(f.res[0].sample.bssid, "");
	assert_true(isnan(f.res[0].sample.signal_dbm));
	wifi_nl_free(nl);
	/* not a wireless interface */
	nl = fake_nl(&f, 1000);
	f.iface_err = ENODEV;
	wifi_nl_sample(nl, on_result, &f);
	serve(&f, nl);
	run_loop();
	assert_int_equal(f.res[0].err, ENODEV);
	assert_non_null(strstr(f.res[0].error, "lo is not a wireless"));
	assert_int_equal(f.n_req, 2);
	wifi_nl_free(nl);
	/* no such interface: nothing is asked */
	memset(&f, 0, sizeof(f));
	nl = wifi_nl_new_detached(g_base, "h4nosuchif0", 1000, fake_send, &f);
	assert_int_equal(wifi_nl_sample(nl, on_result, &f), 0);
	assert_int_equal(f.n_res, 0);
	run_loop();
	assert_int_equal(f.res[0].err, ENODEV);
	assert_string_equal(f.res[0].error, "no interface h4nosuchif0");
	assert_int_equal(f.n_req, 0);
	wifi_nl_free(nl);
}

static void test_engine_no_family(void **state)
{
	struct fake f;
	struct wifi_nl *nl = fake_nl(&f, 1000);
	f.no_family = true;
	/* a sample and a scan both wait for the lookup; both fail with it */
	assert_int_equal(wifi_nl_sample(nl, on_result, &f), 0);
	assert_int_equal(wifi_nl_scan(nl, false, on_result, &f), 0);
	serve(&f, nl);
	run_loop();
	assert_int_equal(f.n_res, 2);
	assert_int_equal(f.res[0].err, ENOENT);
	assert_int_equal(f.res[1].err, ENOENT);
	assert_non_null(strstr(f.res[0].error, "nl80211 not available"));
	assert_int_equal(wifi_nl_unavailable(nl), ENOENT);
	unsigned asked = f.n_req;
	assert_true(asked >= 1 && asked <= 2);
	wifi_nl_sample(nl, on_result, &f);
	run_loop();
	assert_int_equal(f.res[2].err, ENOENT);
	assert_int_equal(f.n_req, asked);       /* no new request */
	wifi_nl_free(nl);
}

static void test_engine_timeout(void **state)
{
	struct fake f;
	struct wifi_nl *nl = fake_nl(&f, 30);
	f.silent = true;
	wifi_nl_sample(nl, on_result, &f);
	event_base_dispatch(g_base);    /* until the timeout fires and the result is out */
	assert_int_equal(f.n_res, 1);
	assert_int_equal(f.res[0].err, ETIMEDOUT);
	assert_non_null(strstr(f.res[0].error, "no answer in 30 ms"));
	assert_true(f.res[0].took_us >= 25000);
	/* the late answer is stale and changes nothing; the next sample works */
	f.silent = false;
	answer(&f, nl, 0);
	f.answered = f.n_req;
	run_loop();
	assert_int_equal(f.n_res, 1);
	wifi_nl_sample(nl, on_result, &f);
	serve(&f, nl);
	run_loop();
	assert_int_equal(f.n_res, 2);
	assert_int_equal(f.res[1].err, 0);
	assert_int_equal(f.res[1].sample.associated, 1);
	wifi_nl_free(nl);
}

static void test_engine_scan_cache(void **state)
{
	struct fake f;
	struct wifi_nl *nl = fake_nl(&f, 1000);
	assert_int_equal(wifi_nl_scan(nl, false, on_result, &f), 0);
	serve(&f, nl);
	run_loop();
	assert_int_equal(f.n_res, 1);
	const struct wifi_nl_result *r = &f.res[0];
	assert_int_equal(r->err, 0);
	assert_false(r->triggered);
	for (unsigned i = 0; i < f.n_req; i++)
		assert_int_not_equal(f.req[i].cmd, NL80211_CMD_TRIGGER_SCAN);
	assert_int_equal(r->scan.n, 3);
	/* sorted, strongest first */
	assert_string_equal(r->scan.bss[0].ssid, "HOME5");
	assert_true(r->scan.bss[0].associated);
	assert_string_equal(r->scan.bss[2].ssid, "NEIGH");
	assert_int_equal(r->n_survey, 3);
	assert_true(r->survey[1].in_use);
	struct wifi_congestion c;
	assert_int_equal(wifi_congestion(&r->scan, 0, &c), 0);
	assert_int_equal(c.channel, 56);
	assert_int_equal(c.neighbours, 1);
	assert_near(c.strongest_dbm, -70);
	assert_false(wifi_nl_scan_joined(nl));
	wifi_nl_free(nl);
}

static void test_engine_scan_trigger(void **state)
{
	struct fake f;
	static struct stream ev;
	struct wifi_nl *nl = fake_nl(&f, 1000);
	assert_int_equal(wifi_nl_scan(nl, true, on_result, &f), 0);
	serve(&f, nl);
	assert_true(wifi_nl_scan_joined(nl));
	assert_int_equal(f.req[f.n_req - 1].cmd, NL80211_CMD_TRIGGER_SCAN);
	/* while the radio scans, a sample runs to the end */
	assert_int_equal(wifi_nl_sample(nl, on_result, &f), 0);
	serve(&f, nl);
	run_loop();
	assert_int_equal(f.n_res, 1);
	assert_int_equal(f.res[0].sample.associated, 1);
	/* another interface's scan ends: not ours */
	ev.n = 0;
	s_scan_event(&ev, NL80211_CMD_NEW_SCAN_RESULTS, 7);
	wifi_nl_feed(nl, ev.b, ev.n);
	serve(&f, nl);
	assert_true(wifi_nl_scan_joined(nl));
	/* ours does: the cache is read */
	ev.n = 0;
	s_scan_event(&ev, NL80211_CMD_NEW_SCAN_RESULTS, 1);
	wifi_nl_feed(nl, ev.b, ev.n);
	assert_false(wifi_nl_scan_joined(nl));
	serve(&f, nl);
	run_loop();
	assert_int_equal(f.n_res, 2);
	assert_int_equal(f.res[1].err, 0);
	assert_true(f.res[1].triggered);
	assert_int_equal(f.res[1].scan.n, 3);
	wifi_nl_free(nl);

	/* the trigger refused: the cache as it is */
	nl = fake_nl(&f, 1000);
	f.trigger_err = EPERM;
	wifi_nl_scan(nl, true, on_result, &f);
	serve(&f, nl);
	run_loop();
	assert_int_equal(f.n_res, 1);
	assert_int_equal(f.res[0].err, 0);
	assert_false(f.res[0].triggered);
	assert_non_null(strstr(f.res[0].note, "scan not triggered"));
	assert_int_equal(f.res[0].scan.n, 3);
	assert_false(wifi_nl_scan_joined(nl));
	wifi_nl_free(nl);

	/* another scan is running (EBUSY): wait for its end; aborted: the cache */
	nl = fake_nl(&f, 1000);
	f.trigger_err = EBUSY;
	wifi_nl_scan(nl, true, on_result, &f);
	serve(&f, nl);
	assert_true(wifi_nl_scan_joined(nl));
	ev.n = 0;
	s_scan_event(&ev, NL80211_CMD_SCAN_ABORTED, 1);
	wifi_nl_feed(nl, ev.b, ev.n);
	serve(&f, nl);
	run_loop();
	assert_int_equal(f.n_res, 1);
	assert_int_equal(f.res[0].err, 0);
	assert_false(f.res[0].triggered);
	assert_non_null(strstr(f.res[0].note, "scan already running"));
	wifi_nl_free(nl);
}

/* ==== the real kernel ============================================================ */

static void test_real_kernel(void **state)
{
	struct fake f;
	memset(&f, 0, sizeof(f));
	struct wifi_nl *nl = wifi_nl_new(g_base, "lo", 2000);
	/* qemu-user (the cross-architecture runs) has no generic netlink. */
	if (!nl && errno == EPROTONOSUPPORT) {
		print_message("no generic netlink socket here: skipped\n");
		skip();
	}
	assert_non_null(nl);
	assert_int_equal(wifi_nl_sample(nl, on_result, &f), 0);
	while (f.n_res == 0)
		event_base_loop(g_base, EVLOOP_ONCE);
	const struct wifi_nl_result *r = &f.res[0];
	/* This kernel has no cfg80211: the family lookup says ENOENT. One with
	 * it says lo is not a wireless interface. Either way, quickly. */
	print_message("real kernel: err %d (%s) in %llu us\n", r->err, r->error,
		      (unsigned long long)r->took_us);
	assert_true(r->err == ENOENT || r->err == ENODEV);
	if (r->err == ENOENT) {
		assert_string_equal(r->error, "nl80211 not available (no cfg80211)");
		assert_int_equal(wifi_nl_unavailable(nl), ENOENT);
	} else {
		assert_non_null(strstr(r->error, "not a wireless"));
	}
	assert_true(r->took_us < 1000000);
	wifi_nl_free(nl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_family),
		cmocka_unit_test(test_parse_interface),
		cmocka_unit_test(test_parse_station),
		cmocka_unit_test(test_parse_bss),
		cmocka_unit_test(test_ie_ssid),
		cmocka_unit_test(test_parse_survey),
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_walk_truncated),
		cmocka_unit_test(test_engine_sample),
		cmocka_unit_test(test_engine_states),
		cmocka_unit_test(test_engine_no_family),
		cmocka_unit_test(test_engine_timeout),
		cmocka_unit_test(test_engine_scan_cache),
		cmocka_unit_test(test_engine_scan_trigger),
		cmocka_unit_test(test_real_kernel),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
