/* wifi_src internals shared by wifi_src.c (polls, detection, delivery),
 * wifi_src_tools.c (the iwinfo, iw and procfs sample sources) and
 * wifi_src_scan.c (scans). Internal to src/wifi/. */
#ifndef AUTONOMY_LINK_WIFI_SRC_INT_H
#define AUTONOMY_LINK_WIFI_SRC_INT_H

#include "wifi/wifi_nl.h"
#include "wifi/wifi_src.h"

#include <net/if.h>
#include <stddef.h>

struct proc;
struct proc_result;

#define WSRC_PATH 256
#define WSRC_DEFAULT_TIMEOUT_MS 3000
#define WSRC_SAMPLE_OUTPUT (64 * 1024)
#define WSRC_SCAN_OUTPUT (1024 * 1024)  /* a crowded scan is ~3 KB a BSS */

struct wifi_src {
	struct event_base *base;
	char member[32], ifname[IF_NAMESIZE];
	char iwinfo[WSRC_PATH], iw[WSRC_PATH], procfs[WSRC_PATH];
	unsigned timeout_ms, sources;
	wifi_sample_cb on_sample;
	wifi_scan_cb on_scan;
	void *arg;

	struct wifi_nl *nl;             /* shared by polls and scans */
	bool nl_sampling, nl_scanning;  /* an operation of ours runs on it */

	/* the poll in progress */
	bool polling, detecting;
	int active;                     /* source in use (index), -1 none yet */
	int trying;                     /* source of the attempt in flight */
	unsigned fails;                 /* in a row, of the active source */
	uint64_t detected_us, poll_t0;
	struct proc *poll_proc;
	int poll_stage;                 /* iw: 0 link, 1 station get */
	struct wifi_sample acc;         /* what earlier stages found */
	char errs[160];                 /* each source's failure while detecting */
	struct event *poll_ev;
	struct wifi_sample out;
	struct wifi_src_info out_info;

	/* the scan in progress */
	bool scanning, scan_trigger;
	int scan_stage;                 /* iw: 0 "scan" (trigger), 1 "scan dump" */
	uint64_t scan_t0;
	struct proc *scan_proc;
	char scan_errs[160];
	struct event *scan_ev;
	struct wifi_scan scan_out;
	struct wifi_survey surv_out[WIFI_NL_SURVEY_MAX];
	unsigned n_surv;
	struct wifi_src_info scan_info;
};

/* A sample source: start() ends, now or later from the loop, in exactly
 * one wsrc_sample_ok or wsrc_sample_fail. */
struct wsrc_backend {
	const char *name;
	unsigned bit;
	void (*start)(struct wifi_src *src);
};

void wsrc_sample_ok(struct wifi_src *src, const struct wifi_sample *s);
void wsrc_sample_fail(struct wifi_src *src, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void wsrc_start_nl(struct wifi_src *src);
void wsrc_start_iwinfo(struct wifi_src *src);
void wsrc_start_iw(struct wifi_src *src);
void wsrc_start_proc(struct wifi_src *src);

/* The wifi_nl to use now: created on first use, and again when the last
 * one found no nl80211 and nothing of ours runs on it (a module may have
 * been loaded since). NULL with errno. */
struct wifi_nl *wsrc_nl(struct wifi_src *src);
/* Why a tool run failed ("not installed", "exit 1: No such wireless
 * device: wlan9", "no answer in 3000 ms"), or NULL if it ran fine. */
const char *wsrc_tool_error(const struct proc_result *r, char *buf, size_t size);
/* Copies every figure src knows over dst (unknowns leave dst's). */
void wsrc_merge(struct wifi_sample *dst, const struct wifi_sample *src);

int wsrc_scan_init(struct wifi_src *src);
void wsrc_scan_free(struct wifi_src *src);

#endif
