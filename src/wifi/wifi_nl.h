/* wifi_nl: a Wi-Fi client's radio through nl80211 (generic netlink, libmnl).
 *
 * One non-blocking socket on the event loop. The family is resolved by name
 * (CTRL_CMD_GETFAMILY "nl80211") with the first request; a kernel without
 * cfg80211 answers ENOENT, which the caller takes as "use another source".
 * Requests go out one at a time (a netlink socket runs one dump at a time);
 * replies are matched by sequence number and port, stale ones (after a
 * timeout) are skipped, an interrupted dump (NLM_F_DUMP_INTR) is redone.
 *
 * Only reads, plus NL80211_CMD_TRIGGER_SCAN when the caller allows it (an
 * off-channel scan costs the link latency while it runs). Nothing here
 * changes a channel or any other setting of the radio.
 *
 *   sample: GET_INTERFACE (SSID, frequency, type), GET_STATION dump (for a
 *           client: its AP's signal, bitrates, counters, flags), GET_SURVEY
 *           dump (the noise of the channel in use; skipped if unsupported)
 *   scan:   [TRIGGER_SCAN, wait for NEW_SCAN_RESULTS on the "scan" group],
 *           GET_SCAN dump (the kernel's BSS cache: reading it never
 *           disturbs the link), GET_SURVEY dump (channel occupancy) */
#ifndef AUTONOMY_LINK_WIFI_NL_H
#define AUTONOMY_LINK_WIFI_NL_H

#include "wifi/wifi_types.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event_base;
struct nlmsghdr;

#define WIFI_NL_SURVEY_MAX 64   /* channels kept from a survey (the one in use always) */

struct wifi_nl_result {
	int err;                /* 0, or an errno (ENOENT: no nl80211; ENODEV: no
				 * such interface; ETIMEDOUT; ...) */
	char error[128];        /* what failed, when err != 0 */
	char note[96];          /* a non-fatal problem ("no survey: ...") */
	uint64_t took_us;
	struct wifi_sample sample;      /* wifi_nl_sample */
	struct wifi_scan scan;          /* wifi_nl_scan */
	struct wifi_survey survey[WIFI_NL_SURVEY_MAX];
	unsigned n_survey;
	bool triggered;         /* the scan list is from a scan we just ran */
};

/* Called from the loop, never from inside the call that started the
 * request. The result is valid during the call; the callback may free the
 * wifi_nl. */
typedef void (*wifi_nl_cb)(void *arg, const struct wifi_nl_result *r);

struct wifi_nl;

/* Opens the socket (no request yet). NULL with errno if even that fails.
 * timeout_ms bounds each request (0 = 2000). */
struct wifi_nl *wifi_nl_new(struct event_base *base, const char *ifname, unsigned timeout_ms);
void wifi_nl_free(struct wifi_nl *nl);
/* One sample of the interface. -1 (EBUSY) while a sample is pending. */
int wifi_nl_sample(struct wifi_nl *nl, wifi_nl_cb cb, void *arg);
/* The neighbours and the survey; a fresh scan first only if may_trigger.
 * -1 (EBUSY) while a scan is pending. A sample may run meanwhile. */
int wifi_nl_scan(struct wifi_nl *nl, bool may_trigger, wifi_nl_cb cb, void *arg);
/* 0 while usable, else the errno that made it unusable (ENOENT: no nl80211). */
int wifi_nl_unavailable(const struct wifi_nl *nl);

/* For tests: a wifi_nl without a socket. Each request goes to send() (its
 * nlmsg_seq is what the replies must carry; return < 0 with errno to fail
 * it), and replies or events are handed in with wifi_nl_feed, which runs
 * the same code as the socket's read handler. */
typedef int (*wifi_nl_send_fn)(void *arg, const struct nlmsghdr *req);
struct wifi_nl *wifi_nl_new_detached(struct event_base *base, const char *ifname, unsigned timeout_ms,
				     wifi_nl_send_fn send, void *arg);
void wifi_nl_feed(struct wifi_nl *nl, const void *buf, size_t len);
/* Whether the socket is in the "scan" multicast group now (only while a
 * triggered scan is awaited). */
bool wifi_nl_scan_joined(const struct wifi_nl *nl);

/* ---- pure message parsing (the socket path uses the same) ---------------
 * Each takes one generic netlink message as the kernel builds it and
 * returns 0 when parsed, -1 when it is not that message or is malformed.
 * Attributes of a wrong size are ignored, unknown ones skipped. */

struct wifi_nl_family {
	uint16_t id;
	uint32_t scan_group;    /* multicast group "scan", 0 if none */
};
/* CTRL_CMD_NEWFAMILY (reply to CTRL_CMD_GETFAMILY). */
int wifi_nl_parse_family(const struct nlmsghdr *nlh, struct wifi_nl_family *out);
/* NL80211_CMD_NEW_INTERFACE: ifname, ssid, freq_mhz/channel; *iftype gets
 * NL80211_IFTYPE_* (0 unknown). */
int wifi_nl_parse_interface(const struct nlmsghdr *nlh, struct wifi_sample *s, uint32_t *iftype);
/* NL80211_CMD_NEW_STATION: the peer's MAC into bssid and its STA_INFO.
 * `associated` comes from STA_FLAGS when the kernel reports that flag.
 * Returns 1 (sample untouched) for a TDLS peer: not the AP. */
int wifi_nl_parse_station(const struct nlmsghdr *nlh, struct wifi_sample *s);
/* NL80211_CMD_NEW_SCAN_RESULTS with NL80211_ATTR_BSS. */
int wifi_nl_parse_bss(const struct nlmsghdr *nlh, struct wifi_bss *b);
/* NL80211_CMD_NEW_SURVEY_RESULTS with NL80211_ATTR_SURVEY_INFO. */
int wifi_nl_parse_survey(const struct nlmsghdr *nlh, struct wifi_survey *sv);
/* A scan event on the "scan" group: 1 NL80211_CMD_NEW_SCAN_RESULTS, 2
 * NL80211_CMD_SCAN_ABORTED, 0 another command; *ifindex gets its
 * interface (0 if none). -1 if malformed. */
int wifi_nl_parse_scan_event(const struct nlmsghdr *nlh, uint32_t *ifindex);
/* The SSID element (id 0) of an 802.11 information-element block into
 * out[33]; false if there is none or the block is cut inside it. */
bool wifi_nl_ie_ssid(const uint8_t *ie, size_t len, char out[33]);

/* Walks a buffer of netlink messages for the request with seq/portid:
 * data replies go to msg (its return value is ignored but for counting
 * failures), events (seq 0, port 0) to mcast, other sequence numbers are
 * stale and skipped. */
struct wifi_nl_walk {
	uint32_t seq, portid;
	int (*msg)(const struct nlmsghdr *nlh, void *arg);
	void (*mcast)(const struct nlmsghdr *nlh, void *arg);
	void *arg;
	int err;                /* set on WIFI_NL_FAILED: errno from the kernel,
				 * EBADMSG for a cut or malformed message */
	bool intr;              /* a message had NLM_F_DUMP_INTR: redo the dump */
	unsigned stale, bad;    /* skipped: another seq; msg() < 0 */
};
enum { WIFI_NL_MORE = 0, WIFI_NL_DONE = 1, WIFI_NL_FAILED = -1 };
/* WIFI_NL_DONE at NLMSG_DONE, an ACK, or a single (non-multipart) reply;
 * WIFI_NL_FAILED at an error reply (or a DONE carrying an error) or a
 * message cut short; WIFI_NL_MORE when the buffer ends first. */
int wifi_nl_walk(struct wifi_nl_walk *w, const void *buf, size_t len);

#endif
