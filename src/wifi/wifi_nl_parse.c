/* wifi_nl_parse: nl80211 and genetlink-controller messages into wifi_types
 * (see wifi_nl.h). Pure: the socket code in wifi_nl.c, the unit tests and
 * the fuzz target all feed bytes through these. */
#include "wifi/wifi_nl.h"

#include "wifi/wifi_text.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/nl80211.h>

/* ---- attribute tables ---------------------------------------------------
 * An attribute is kept only if its payload is at least the size its type
 * needs, so a getter never reads past it; types past the table (a newer
 * kernel's) are skipped. */

struct attr_tab {
	const struct nlattr **tb;
	const uint8_t *min;     /* min payload per type; 0 = any */
	unsigned max;           /* highest type kept */
};

static int collect(const struct nlattr *a, void *data)
{
	const struct attr_tab *t = data;
	uint16_t type = mnl_attr_get_type(a);
	if (type > t->max || mnl_attr_get_payload_len(a) < t->min[type])
		return MNL_CB_OK;
	t->tb[type] = a;
	return MNL_CB_OK;
}

/* The attributes after the genetlink header of a message of command cmd. */
static int parse_genl(const struct nlmsghdr *nlh, uint8_t cmd, struct attr_tab *t)
{
	if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
		return -1;
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	if (g->cmd != cmd)
		return -1;
	memset(t->tb, 0, (t->max + 1) * sizeof(*t->tb));
	return mnl_attr_parse(nlh, GENL_HDRLEN, collect, t) == MNL_CB_ERROR ? -1 : 0;
}

static void parse_nested(const struct nlattr *nest, struct attr_tab *t)
{
	memset(t->tb, 0, (t->max + 1) * sizeof(*t->tb));
	if (nest)
		mnl_attr_parse_nested(nest, collect, t);
}

/* ---- controller -------------------------------------------------------- */

static const uint8_t ctrl_min[CTRL_ATTR_MCAST_GROUPS + 1] = {
	[CTRL_ATTR_FAMILY_ID] = 2,
};
static const uint8_t grp_min[CTRL_ATTR_MCAST_GRP_ID + 1] = {
	[CTRL_ATTR_MCAST_GRP_ID] = 4,
};

int wifi_nl_parse_family(const struct nlmsghdr *nlh, struct wifi_nl_family *out)
{
	const struct nlattr *tb[CTRL_ATTR_MCAST_GROUPS + 1];
	struct attr_tab t = { tb, ctrl_min, CTRL_ATTR_MCAST_GROUPS };
	if (parse_genl(nlh, CTRL_CMD_NEWFAMILY, &t) < 0 || !tb[CTRL_ATTR_FAMILY_ID])
		return -1;
	out->id = mnl_attr_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	out->scan_group = 0;
	if (!tb[CTRL_ATTR_MCAST_GROUPS])
		return 0;
	const struct nlattr *g;
	mnl_attr_for_each_nested(g, tb[CTRL_ATTR_MCAST_GROUPS]) {
		const struct nlattr *gb[CTRL_ATTR_MCAST_GRP_ID + 1];
		struct attr_tab gt = { gb, grp_min, CTRL_ATTR_MCAST_GRP_ID };
		parse_nested(g, &gt);
		const struct nlattr *name = gb[CTRL_ATTR_MCAST_GRP_NAME];
		if (!name || !gb[CTRL_ATTR_MCAST_GRP_ID])
			continue;
		const char *s = mnl_attr_get_payload(name);
		size_t n = mnl_attr_get_payload_len(name);
		if (n >= 4 && memcmp(s, "scan", 4) == 0 && (n == 4 || s[4] == '\0'))
			out->scan_group = mnl_attr_get_u32(gb[CTRL_ATTR_MCAST_GRP_ID]);
	}
	return 0;
}

/* ---- interface ---------------------------------------------------------- */

/* NL80211_ATTR_SSID (52) is the highest number used here. */
#define IFACE_MAX NL80211_ATTR_SSID
static const uint8_t iface_min[IFACE_MAX + 1] = {
	[NL80211_ATTR_IFINDEX] = 4,
	[NL80211_ATTR_IFTYPE] = 4,
	[NL80211_ATTR_WIPHY_FREQ] = 4,
};

static void set_freq(uint32_t f, int *freq, int *channel)
{
	if (f > 0 && f < 100000) {
		*freq = (int)f;
		*channel = wifi_freq_to_channel(*freq);
	}
}

int wifi_nl_parse_interface(const struct nlmsghdr *nlh, struct wifi_sample *s, uint32_t *iftype)
{
	const struct nlattr *tb[IFACE_MAX + 1];
	struct attr_tab t = { tb, iface_min, IFACE_MAX };
	if (parse_genl(nlh, NL80211_CMD_NEW_INTERFACE, &t) < 0)
		return -1;
	*iftype = tb[NL80211_ATTR_IFTYPE] ? mnl_attr_get_u32(tb[NL80211_ATTR_IFTYPE]) : 0;
	if (tb[NL80211_ATTR_IFNAME]) {
		const char *name = mnl_attr_get_payload(tb[NL80211_ATTR_IFNAME]);
		size_t n = strnlen(name, mnl_attr_get_payload_len(tb[NL80211_ATTR_IFNAME]));
		wtext_copy(s->ifname, sizeof(s->ifname), (struct wtext){ name, n });
	}
	/* The kernel puts the SSID of the BSS a client is connected to. */
	if (tb[NL80211_ATTR_SSID])
		wtext_ssid(s->ssid, (struct wtext){ mnl_attr_get_payload(tb[NL80211_ATTR_SSID]),
			   mnl_attr_get_payload_len(tb[NL80211_ATTR_SSID]) }, false);
	if (tb[NL80211_ATTR_WIPHY_FREQ])
		set_freq(mnl_attr_get_u32(tb[NL80211_ATTR_WIPHY_FREQ]), &s->freq_mhz, &s->channel);
	return 0;
}

/* ---- station ------------------------------------------------------------ */

#define STA_MAX NL80211_ATTR_STA_INFO
static const uint8_t sta_min[STA_MAX + 1] = {
	[NL80211_ATTR_MAC] = 6,
};

#define STAINFO_MAX NL80211_STA_INFO_TX_BYTES64
static const uint8_t stainfo_min[STAINFO_MAX + 1] = {
	[NL80211_STA_INFO_INACTIVE_TIME] = 4,
	[NL80211_STA_INFO_RX_BYTES] = 4,
	[NL80211_STA_INFO_TX_BYTES] = 4,
	[NL80211_STA_INFO_SIGNAL] = 1,
	[NL80211_STA_INFO_TX_RETRIES] = 4,
	[NL80211_STA_INFO_TX_FAILED] = 4,
	[NL80211_STA_INFO_SIGNAL_AVG] = 1,
	[NL80211_STA_INFO_CONNECTED_TIME] = 4,
	[NL80211_STA_INFO_STA_FLAGS] = sizeof(struct nl80211_sta_flag_update),
	[NL80211_STA_INFO_RX_BYTES64] = 8,
	[NL80211_STA_INFO_TX_BYTES64] = 8,
};

#define RATE_MAX NL80211_RATE_INFO_BITRATE32
static const uint8_t rate_min[RATE_MAX + 1] = {
	[NL80211_RATE_INFO_BITRATE] = 2,
	[NL80211_RATE_INFO_BITRATE32] = 4,
};

/* Mbit/s from a rate nest: BITRATE32, else the 16-bit BITRATE (the kernel
 * leaves that out above 6553.5 Mbit/s); both in units of 100 kbit/s. */
static double rate_mbps(const struct nlattr *nest)
{
	const struct nlattr *tb[RATE_MAX + 1];
	struct attr_tab t = { tb, rate_min, RATE_MAX };
	parse_nested(nest, &t);
	uint32_t r = 0;
	if (tb[NL80211_RATE_INFO_BITRATE32])
		r = mnl_attr_get_u32(tb[NL80211_RATE_INFO_BITRATE32]);
	else if (tb[NL80211_RATE_INFO_BITRATE])
		r = mnl_attr_get_u16(tb[NL80211_RATE_INFO_BITRATE]);
	return r ? r / 10.0 : NAN;
}

/* A signal byte (s8 dBm); 0 or more is no real level (see wifi_parse.h). */
static double signal_dbm(const struct nlattr *a)
{
	int8_t v = (int8_t)mnl_attr_get_u8(a);
	return v < 0 ? (double)v : NAN;
}

static int clamp_int(uint32_t v)
{
	return v > 0x7fffffff ? 0x7fffffff : (int)v;
}

static void sta_counters(const struct nlattr *const *tb, struct wifi_sample *s)
{
	if (tb[NL80211_STA_INFO_RX_BYTES64])
		s->rx_bytes = (long long)(mnl_attr_get_u64(tb[NL80211_STA_INFO_RX_BYTES64]) & INT64_MAX);
	else if (tb[NL80211_STA_INFO_RX_BYTES])
		s->rx_bytes = mnl_attr_get_u32(tb[NL80211_STA_INFO_RX_BYTES]);
	if (tb[NL80211_STA_INFO_TX_BYTES64])
		s->tx_bytes = (long long)(mnl_attr_get_u64(tb[NL80211_STA_INFO_TX_BYTES64]) & INT64_MAX);
	else if (tb[NL80211_STA_INFO_TX_BYTES])
		s->tx_bytes = mnl_attr_get_u32(tb[NL80211_STA_INFO_TX_BYTES]);
	if (tb[NL80211_STA_INFO_TX_RETRIES])
		s->tx_retries = mnl_attr_get_u32(tb[NL80211_STA_INFO_TX_RETRIES]);
	if (tb[NL80211_STA_INFO_TX_FAILED])
		s->tx_failed = mnl_attr_get_u32(tb[NL80211_STA_INFO_TX_FAILED]);
	if (tb[NL80211_STA_INFO_INACTIVE_TIME])
		s->inactive_ms = clamp_int(mnl_attr_get_u32(tb[NL80211_STA_INFO_INACTIVE_TIME]));
	if (tb[NL80211_STA_INFO_CONNECTED_TIME])
		s->connected_s = clamp_int(mnl_attr_get_u32(tb[NL80211_STA_INFO_CONNECTED_TIME]));
}

/* struct nl80211_sta_flag_update: only the bits in mask are reported. */
static bool sta_flag(const struct nlattr *a, int flag, bool *set)
{
	struct nl80211_sta_flag_update f;
	if (!a)
		return false;
	memcpy(&f, mnl_attr_get_payload(a), sizeof(f));
	if (!(f.mask & (1u << flag)))
		return false;
	*set = (f.set & (1u << flag)) != 0;
	return true;
}

int wifi_nl_parse_station(const struct nlmsghdr *nlh, struct wifi_sample *s)
{
	const struct nlattr *tb[STA_MAX + 1], *si[STAINFO_MAX + 1];
	struct attr_tab t = { tb, sta_min, STA_MAX };
	if (parse_genl(nlh, NL80211_CMD_NEW_STATION, &t) < 0 || !tb[NL80211_ATTR_MAC])
		return -1;
	struct attr_tab it = { si, stainfo_min, STAINFO_MAX };
	parse_nested(tb[NL80211_ATTR_STA_INFO], &it);
	bool set;
	if (sta_flag(si[NL80211_STA_INFO_STA_FLAGS], NL80211_STA_FLAG_TDLS_PEER, &set) && set)
		return 1;
	const uint8_t *m = mnl_attr_get_payload(tb[NL80211_ATTR_MAC]);
	snprintf(s->bssid, sizeof(s->bssid), "%02x:%02x:%02x:%02x:%02x:%02x",
		 m[0], m[1], m[2], m[3], m[4], m[5]);
	if (sta_flag(si[NL80211_STA_INFO_STA_FLAGS], NL80211_STA_FLAG_ASSOCIATED, &set))
		s->associated = set;
	if (si[NL80211_STA_INFO_SIGNAL])
		s->signal_dbm = signal_dbm(si[NL80211_STA_INFO_SIGNAL]);
	if (si[NL80211_STA_INFO_SIGNAL_AVG])
		s->signal_avg_dbm = signal_dbm(si[NL80211_STA_INFO_SIGNAL_AVG]);
	if (si[NL80211_STA_INFO_TX_BITRATE])
		s->tx_bitrate_mbps = rate_mbps(si[NL80211_STA_INFO_TX_BITRATE]);
	if (si[NL80211_STA_INFO_RX_BITRATE])
		s->rx_bitrate_mbps = rate_mbps(si[NL80211_STA_INFO_RX_BITRATE]);
	sta_counters(si, s);
	return 0;
}

/* ---- scan results ------------------------------------------------------- */

#define BSS_MAX NL80211_BSS_BEACON_IES
static const uint8_t bss_min[BSS_MAX + 1] = {
	[NL80211_BSS_BSSID] = 6,
	[NL80211_BSS_FREQUENCY] = 4,
	[NL80211_BSS_SIGNAL_MBM] = 4,
	[NL80211_BSS_SIGNAL_UNSPEC] = 1,
	[NL80211_BSS_STATUS] = 4,
	[NL80211_BSS_SEEN_MS_AGO] = 4,
};

bool wifi_nl_ie_ssid(const uint8_t *ie, size_t len, char out[33])
{
	size_t i = 0;
	while (i + 2 <= len) {
		uint8_t id = ie[i], n = ie[i + 1];
		if (i + 2 + n > len)
			return false;   /* cut inside an element: trust nothing after */
		if (id == 0) {
			wtext_ssid(out, (struct wtext){ (const char *)ie + i + 2, n }, false);
			return true;
		}
		i += 2 + (size_t)n;
	}
	return false;
}

static bool attr_ssid(const struct nlattr *a, char out[33])
{
	return a && wifi_nl_ie_ssid(mnl_attr_get_payload(a), mnl_attr_get_payload_len(a), out);
}

int wifi_nl_parse_bss(const struct nlmsghdr *nlh, struct wifi_bss *b)
{
	const struct nlattr *tb[NL80211_ATTR_BSS + 1], *bb[BSS_MAX + 1];
	static const uint8_t top_min[NL80211_ATTR_BSS + 1];
	struct attr_tab t = { tb, top_min, NL80211_ATTR_BSS };
	if (parse_genl(nlh, NL80211_CMD_NEW_SCAN_RESULTS, &t) < 0 || !tb[NL80211_ATTR_BSS])
		return -1;
	struct attr_tab bt = { bb, bss_min, BSS_MAX };
	parse_nested(tb[NL80211_ATTR_BSS], &bt);
	if (!bb[NL80211_BSS_BSSID])
		return -1;
	memset(b, 0, sizeof(*b));
	const uint8_t *m = mnl_attr_get_payload(bb[NL80211_BSS_BSSID]);
	snprintf(b->bssid, sizeof(b->bssid), "%02x:%02x:%02x:%02x:%02x:%02x",
		 m[0], m[1], m[2], m[3], m[4], m[5]);
	b->freq_mhz = b->channel = -1;
	if (bb[NL80211_BSS_FREQUENCY])
		set_freq(mnl_attr_get_u32(bb[NL80211_BSS_FREQUENCY]), &b->freq_mhz, &b->channel);
	b->signal_dbm = NAN;
	if (bb[NL80211_BSS_SIGNAL_MBM]) {
		int32_t mbm = (int32_t)mnl_attr_get_u32(bb[NL80211_BSS_SIGNAL_MBM]);
		if (mbm < 0 && mbm > -20000)
			b->signal_dbm = mbm / 100.0;
	}
	b->last_seen_ms = bb[NL80211_BSS_SEEN_MS_AGO] ?
		clamp_int(mnl_attr_get_u32(bb[NL80211_BSS_SEEN_MS_AGO])) : -1;
	b->associated = bb[NL80211_BSS_STATUS] &&
		mnl_attr_get_u32(bb[NL80211_BSS_STATUS]) == NL80211_BSS_STATUS_ASSOCIATED;
	/* The probe response's elements, else the beacon's. */
	if (!attr_ssid(bb[NL80211_BSS_INFORMATION_ELEMENTS], b->ssid))
		attr_ssid(bb[NL80211_BSS_BEACON_IES], b->ssid);
	return 0;
}

/* ---- survey ------------------------------------------------------------- */

#define SURVEY_MAX NL80211_SURVEY_INFO_TIME_TX
static const uint8_t survey_min[SURVEY_MAX + 1] = {
	[NL80211_SURVEY_INFO_FREQUENCY] = 4,
	[NL80211_SURVEY_INFO_NOISE] = 1,
	[NL80211_SURVEY_INFO_TIME] = 8,
	[NL80211_SURVEY_INFO_TIME_BUSY] = 8,
	[NL80211_SURVEY_INFO_TIME_RX] = 8,
	[NL80211_SURVEY_INFO_TIME_TX] = 8,
};

static long long time_ms(const struct nlattr *a)
{
	return a ? (long long)(mnl_attr_get_u64(a) & INT64_MAX) : -1;
}

int wifi_nl_parse_survey(const struct nlmsghdr *nlh, struct wifi_survey *sv)
{
	const struct nlattr *tb[NL80211_ATTR_SURVEY_INFO + 1], *si[SURVEY_MAX + 1];
	static const uint8_t top_min[NL80211_ATTR_SURVEY_INFO + 1];
	struct attr_tab t = { tb, top_min, NL80211_ATTR_SURVEY_INFO };
	if (parse_genl(nlh, NL80211_CMD_NEW_SURVEY_RESULTS, &t) < 0 || !tb[NL80211_ATTR_SURVEY_INFO])
		return -1;
	struct attr_tab st = { si, survey_min, SURVEY_MAX };
	parse_nested(tb[NL80211_ATTR_SURVEY_INFO], &st);
	if (!si[NL80211_SURVEY_INFO_FREQUENCY])
		return -1;
	memset(sv, 0, sizeof(*sv));
	int ch;
	sv->freq_mhz = -1;
	set_freq(mnl_attr_get_u32(si[NL80211_SURVEY_INFO_FREQUENCY]), &sv->freq_mhz, &ch);
	sv->in_use = si[NL80211_SURVEY_INFO_IN_USE] != NULL;
	sv->noise_dbm = si[NL80211_SURVEY_INFO_NOISE] ? signal_dbm(si[NL80211_SURVEY_INFO_NOISE]) : NAN;
	sv->active_ms = time_ms(si[NL80211_SURVEY_INFO_TIME]);
	sv->busy_ms = time_ms(si[NL80211_SURVEY_INFO_TIME_BUSY]);
	sv->rx_ms = time_ms(si[NL80211_SURVEY_INFO_TIME_RX]);
	sv->tx_ms = time_ms(si[NL80211_SURVEY_INFO_TIME_TX]);
	return 0;
}

/* ---- scan events -------------------------------------------------------- */

int wifi_nl_parse_scan_event(const struct nlmsghdr *nlh, uint32_t *ifindex)
{
	const struct nlattr *tb[NL80211_ATTR_IFINDEX + 1];
	static const uint8_t min[NL80211_ATTR_IFINDEX + 1] = { [NL80211_ATTR_IFINDEX] = 4 };
	struct attr_tab t = { tb, min, NL80211_ATTR_IFINDEX };
	if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
		return -1;
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	int kind = g->cmd == NL80211_CMD_NEW_SCAN_RESULTS ? 1 : g->cmd == NL80211_CMD_SCAN_ABORTED ? 2 : 0;
	if (parse_genl(nlh, g->cmd, &t) < 0)
		return -1;
	*ifindex = tb[NL80211_ATTR_IFINDEX] ? mnl_attr_get_u32(tb[NL80211_ATTR_IFINDEX]) : 0;
	return kind;
}

/* ---- walking a reply buffer --------------------------------------------- */

/* NLMSG_ERROR / NLMSG_DONE payload: an int (negative errno, or 0). */
static int reply_errno(const struct nlmsghdr *nlh, int *err)
{
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(int))
		return -1;
	int e;
	memcpy(&e, mnl_nlmsg_get_payload(nlh), sizeof(e));
	*err = e == INT_MIN ? EBADMSG : e < 0 ? -e : e;
	return 0;
}

static int walk_one(struct wifi_nl_walk *w, const struct nlmsghdr *nlh)
{
	if (nlh->nlmsg_seq == 0 && nlh->nlmsg_pid == 0) {
		if (w->mcast && nlh->nlmsg_type >= NLMSG_MIN_TYPE)
			w->mcast(nlh, w->arg);
		return WIFI_NL_MORE;
	}
	if (nlh->nlmsg_seq != w->seq || (w->portid && nlh->nlmsg_pid != w->portid)) {
		w->stale++;
		return WIFI_NL_MORE;
	}
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		w->intr = true;
	int e = 0;
	switch (nlh->nlmsg_type) {
	case NLMSG_NOOP:
		return WIFI_NL_MORE;
	case NLMSG_ERROR:
	case NLMSG_DONE:
		if (reply_errno(nlh, &e) < 0) {
			/* An old kernel's DONE may carry nothing; an ERROR must. */
			if (nlh->nlmsg_type == NLMSG_DONE)
				return WIFI_NL_DONE;
			w->err = EBADMSG;
			return WIFI_NL_FAILED;
		}
		w->err = e;
		return e ? WIFI_NL_FAILED : WIFI_NL_DONE;
	case NLMSG_OVERRUN:
		w->err = EOVERFLOW;
		return WIFI_NL_FAILED;
	}
	if (nlh->nlmsg_type < NLMSG_MIN_TYPE)
		return WIFI_NL_MORE;    /* another control message: not ours to judge */
	if (w->msg && w->msg(nlh, w->arg) < 0)
		w->bad++;
	return nlh->nlmsg_flags & NLM_F_MULTI ? WIFI_NL_MORE : WIFI_NL_DONE;
}

/* Our own bounds rather than mnl_nlmsg_ok/next: libmnl compares
 * (int)nlmsg_len, so a length of 0xffffffff passes as -1 and walks off the
 * buffer (found by fuzz_wifi_nl). */
int wifi_nl_walk(struct wifi_nl_walk *w, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t off = 0;
	while (len - off >= NLMSG_HDRLEN) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)(p + off);
		size_t n = nlh->nlmsg_len;
		if (n < NLMSG_HDRLEN || n > len - off) {
			w->err = EBADMSG;       /* cut short, or a lying length */
			return WIFI_NL_FAILED;
		}
		int rc = walk_one(w, nlh);
		if (rc != WIFI_NL_MORE)
			return rc;
		size_t step = NLMSG_ALIGN(n);
		off = step < len - off ? off + step : len;
	}
	if (off < len) {
		w->err = EBADMSG;
		return WIFI_NL_FAILED;
	}
	return WIFI_NL_MORE;
}
