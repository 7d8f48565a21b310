/* wifi_src_scan: neighbour scans of wifi_src (see wifi_src.h): the nl80211
 * BSS cache and survey, else iw's, else "not available". */
#include "wifi/wifi_src_int.h"

#include "core/clock.h"
#include "core/proc.h"
#include "wifi/wifi_parse.h"
#include "wifi/wifi_scan.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <event2/event.h>

#define IW_SCAN_TIMEOUT_MS 15000        /* `iw scan` waits for the scan to end */

static void on_scan_done(evutil_socket_t fd, short what, void *arg)
{
	struct wifi_src *src = arg;
	/* Copies: the callback may start the next scan or free src. */
	struct wifi_src_info info = src->scan_info;
	struct wifi_scan sc = src->scan_out;
	struct wifi_survey sv[WIFI_NL_SURVEY_MAX];
	unsigned n = src->n_surv;
	memcpy(sv, src->surv_out, n * sizeof(sv[0]));
	src->scanning = false;
	src->on_scan(src->arg, &sc, sv, n, &info);
}

static void scan_finish(struct wifi_src *src, const char *source, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void scan_finish(struct wifi_src *src, const char *source, bool ok, const char *fmt, ...)
{
	struct wifi_src_info *info = &src->scan_info;
	memset(info, 0, sizeof(*info));
	info->source = source;
	info->ok = ok;
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(info->error, sizeof(info->error), fmt, ap);
		va_end(ap);
	}
	info->took_us = clock_mono_us() - src->scan_t0;
	if (!ok) {
		wifi_scan_init(&src->scan_out);
		src->n_surv = 0;
	}
	event_active(src->scan_ev, EV_TIMEOUT, 1);
}

static void scan_errs_add(struct wifi_src *src, const char *who, const char *err)
{
	size_t n = strlen(src->scan_errs), k = strlen(who);
	const char *e = strncmp(err, who, k) == 0 && err[k] == ' ' ? err + k + 1 : err;
	snprintf(src->scan_errs + n, sizeof(src->scan_errs) - n, "%s%s: %s", n ? "; " : "", who, e);
}

/* ---- iw ------------------------------------------------------------------------ */

static void iw_scan_start(struct wifi_src *src);

static void iw_scan_done(void *arg, const struct proc_result *r)
{
	struct wifi_src *src = arg;
	char err[128];
	src->scan_proc = NULL;
	if (r->end == PROC_SPAWN_FAILED) {
		scan_errs_add(src, "iw", wsrc_tool_error(r, err, sizeof(err)));
		scan_finish(src, "none", false, "scanning not available (%s)", src->scan_errs);
		return;
	}
	if (wsrc_tool_error(r, err, sizeof(err))) {
		/* A refused or busy trigger: the cache as it is. */
		if (src->scan_stage == 0) {
			src->scan_stage = 1;
			iw_scan_start(src);
			return;
		}
		scan_finish(src, "iw", false, "iw scan dump: %s", err);
		return;
	}
	wifi_scan_init(&src->scan_out);
	src->n_surv = 0;
	if (wifi_parse_iw_scan(r->out ? r->out : "", r->out_len, &src->scan_out) < 0) {
		scan_finish(src, "iw", false, "iw scan: unrecognised output");
		return;
	}
	wifi_scan_sort(&src->scan_out);
	scan_finish(src, "iw", true, NULL);
}

static void iw_scan_start(struct wifi_src *src)
{
	char *trig[] = { src->iw, "dev", src->ifname, "scan", NULL };
	char *dump[] = { src->iw, "dev", src->ifname, "scan", "dump", NULL };
	unsigned t = src->timeout_ms;
	if (src->scan_stage == 0 && t < IW_SCAN_TIMEOUT_MS)
		t = IW_SCAN_TIMEOUT_MS;
	struct proc_opts o = { t, WSRC_SCAN_OUTPUT };
	src->scan_proc = proc_spawn(src->base, src->scan_stage == 0 ? trig : dump, &o, iw_scan_done, src);
	if (!src->scan_proc)
		scan_finish(src, "iw", false, "iw: %s", strerror(errno));
}

static void iw_scan(struct wifi_src *src)
{
	if (!(src->sources & WIFI_SRC_IW)) {
		scan_finish(src, "none", false, "scanning not available (%s)",
			    src->scan_errs[0] ? src->scan_errs : "no source allowed");
		return;
	}
	/* Never an off-channel scan unless allowed: straight to the cache. */
	src->scan_stage = src->scan_trigger ? 0 : 1;
	iw_scan_start(src);
}

/* ---- nl80211 -------------------------------------------------------------------- */

static void nl_scan_done(void *arg, const struct wifi_nl_result *r)
{
	struct wifi_src *src = arg;
	src->nl_scanning = false;
	if (r->err == ENOENT || (r->err == ENODEV && if_nametoindex(src->ifname))) {
		scan_errs_add(src, "nl80211", r->error);
		iw_scan(src);   /* no nl80211, or it does not drive this radio */
		return;
	}
	if (r->err) {
		scan_finish(src, "nl80211", false, "%s", r->error);
		return;
	}
	src->scan_out = r->scan;
	src->n_surv = r->n_survey;
	memcpy(src->surv_out, r->survey, r->n_survey * sizeof(r->survey[0]));
	scan_finish(src, "nl80211", true, NULL);
}

int wifi_src_scan(struct wifi_src *src, bool may_trigger)
{
	if (src->scanning) {
		errno = EBUSY;
		return -1;
	}
	src->scanning = true;
	src->scan_trigger = may_trigger;
	src->scan_t0 = clock_mono_us();
	src->scan_errs[0] = '\0';
	wifi_scan_init(&src->scan_out);
	src->n_surv = 0;
	if (!if_nametoindex(src->ifname)) {
		scan_finish(src, "none", false, "no interface %s", src->ifname);
		return 0;
	}
	if (!(src->sources & WIFI_SRC_NL80211)) {
		iw_scan(src);
		return 0;
	}
	struct wifi_nl *nl = wsrc_nl(src);
	if (!nl || wifi_nl_scan(nl, may_trigger, nl_scan_done, src) < 0) {
		scan_errs_add(src, "nl80211", strerror(errno));
		iw_scan(src);
		return 0;
	}
	src->nl_scanning = true;
	return 0;
}

int wsrc_scan_init(struct wifi_src *src)
{
	src->scan_ev = event_new(src->base, -1, 0, on_scan_done, src);
	return src->scan_ev ? 0 : -1;
}

void wsrc_scan_free(struct wifi_src *src)
{
	if (src->scan_proc)
		proc_cancel(src->scan_proc);
	if (src->scan_ev)
		event_free(src->scan_ev);
}
