/* wifi_src: the run-time source of one Wi-Fi client member's radio.
 *
 * Samples (signal, bitrate, association) come from the first source that
 * works, found at run time in this order:
 *   nl80211  the kernel itself (src/wifi/wifi_nl.c), no process spawned
 *   iwinfo   OpenWrt's tool: `iwinfo IF info assoclist` in one run
 *   iw       `iw dev IF link`, then `iw dev IF station get BSSID`
 *   proc     /proc/net/wireless, read directly (a bounded local read)
 * During detection every failure moves on to the next source; once one
 * works it is kept, its failures are reported as they happen, and after 3
 * in a row (or every 10 minutes while a later source is in use, so a
 * cfg80211 module or an iwinfo installed later is picked up) the order is
 * tried again from the top. A missing interface is reported at once
 * ("no interface wlan0") without asking anything.
 *
 * Scans (neighbours and, from nl80211, the channel survey): the nl80211 BSS
 * cache (a fresh scan first only when may_trigger), else iw (`iw dev IF
 * scan dump`, the cache; `iw dev IF scan` only when may_trigger), else the
 * scan callback reports that scanning is not available. Nothing here
 * changes the radio's channel or any other setting.
 *
 * Tools run through core/proc (argv, timeout, no shell). Every callback
 * comes from the event loop, never from inside wifi_src_poll/scan; a
 * callback may free the source. */
#ifndef AUTONOMY_LINK_WIFI_SRC_H
#define AUTONOMY_LINK_WIFI_SRC_H

#include "wifi/wifi_types.h"

#include <stdbool.h>
#include <stdint.h>

struct event_base;

enum wifi_src_kind {
	WIFI_SRC_NL80211 = 1 << 0,
	WIFI_SRC_IWINFO = 1 << 1,
	WIFI_SRC_IW = 1 << 2,
	WIFI_SRC_PROC = 1 << 3,
};

struct wifi_src_opts {
	const char *member, *ifname;
	const char *iwinfo, *iw;        /* paths; NULL = looked up on PATH */
	const char *procfs;             /* NULL = /proc/net/wireless */
	unsigned timeout_ms;            /* per request or tool run; 0 = 3000 */
	unsigned sources;               /* WIFI_SRC_* allowed; 0 = all */
};

struct wifi_src_info {
	const char *source;     /* "nl80211", "iwinfo", "iw", "proc"; "none"
				 * when nothing worked */
	bool ok;
	char error[160];        /* when !ok: what failed (each source's
				 * reason while detecting) */
	uint64_t took_us;
};

typedef void (*wifi_sample_cb)(void *arg, const struct wifi_sample *s, const struct wifi_src_info *info);
typedef void (*wifi_scan_cb)(void *arg, const struct wifi_scan *sc, const struct wifi_survey *surv,
			     unsigned n_surv, const struct wifi_src_info *info);

/* NULL with errno when the options are unusable (no ifname) or memory
 * runs out. Nothing is asked before the first poll or scan. */
struct wifi_src *wifi_src_new(struct event_base *base, const struct wifi_src_opts *o,
			      wifi_sample_cb on_sample, wifi_scan_cb on_scan, void *arg);
/* Signal, bitrate and association: one on_sample call follows. -1 (EBUSY)
 * while the previous poll is still running. */
int wifi_src_poll(struct wifi_src *src);
/* Neighbours and survey: one on_scan call follows. may_trigger allows a
 * fresh (off-channel) scan: only while the member carries no traffic.
 * -1 (EBUSY) while the previous scan is still running. */
int wifi_src_scan(struct wifi_src *src, bool may_trigger);
/* Stops whatever runs (children are killed and reaped); no callback after. */
void wifi_src_free(struct wifi_src *src);
/* The source in use now, "none" before one worked. */
const char *wifi_src_current(const struct wifi_src *src);

#endif
