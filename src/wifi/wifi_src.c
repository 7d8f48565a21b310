/* wifi_src: the per-member Wi-Fi source (see wifi_src.h): polls, source
 * detection, and delivery of results from the loop. */
#include "wifi/wifi_src_int.h"

#include "core/clock.h"
#include "core/proc.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#define WSRC_FAILS_REDETECT 3
#define WSRC_REDETECT_US (10ull * 60 * 1000000)

/* In the order they are tried. */
static const struct wsrc_backend backends[] = {
	{ "nl80211", WIFI_SRC_NL80211, wsrc_start_nl },
	{ "iwinfo", WIFI_SRC_IWINFO, wsrc_start_iwinfo },
	{ "iw", WIFI_SRC_IW, wsrc_start_iw },
	{ "proc", WIFI_SRC_PROC, wsrc_start_proc },
};
#define N_BACKENDS ((int)(sizeof(backends) / sizeof(backends[0])))

static int next_backend(const struct wifi_src *src, int after)
{
	for (int i = after + 1; i < N_BACKENDS; i++)
		if (src->sources & backends[i].bit)
			return i;
	return -1;
}

/* ---- delivery -------------------------------------------------------------- */

static void on_poll_done(evutil_socket_t fd, short what, void *arg)
{
	struct wifi_src *src = arg;
	struct wifi_sample s = src->out;
	struct wifi_src_info info = src->out_info;
	src->polling = false;
	src->on_sample(src->arg, &s, &info);    /* may free src: nothing after */
}

static void deliver(struct wifi_src *src, const char *source, bool ok, const struct wifi_sample *s,
		    const char *err)
{
	struct wifi_src_info *info = &src->out_info;
	memset(info, 0, sizeof(*info));
	info->source = source;
	info->ok = ok;
	if (err)
		snprintf(info->error, sizeof(info->error), "%s", err);
	info->took_us = clock_mono_us() - src->poll_t0;
	if (s)
		src->out = *s;
	else
		wifi_sample_init(&src->out);
	snprintf(src->out.source, sizeof(src->out.source), "%s", source);
	if (!src->out.ifname[0] || !ok)
		snprintf(src->out.ifname, sizeof(src->out.ifname), "%s", src->ifname);
	event_active(src->poll_ev, EV_TIMEOUT, 1);
}

/* ---- detection --------------------------------------------------------------- */

static void start_trying(struct wifi_src *src)
{
	src->poll_stage = 0;
	wifi_sample_init(&src->acc);
	backends[src->trying].start(src);
}

void wsrc_sample_ok(struct wifi_src *src, const struct wifi_sample *s)
{
	if (src->detecting) {
		src->active = src->trying;
		src->detected_us = clock_mono_us();
	}
	src->fails = 0;
	deliver(src, backends[src->trying].name, true, s, NULL);
}

void wsrc_sample_fail(struct wifi_src *src, const char *fmt, ...)
{
	char err[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, sizeof(err), fmt, ap);
	va_end(ap);
	const char *name = backends[src->trying].name;
	if (!src->detecting) {
		if (++src->fails >= WSRC_FAILS_REDETECT)
			src->active = -1;
		deliver(src, name, false, NULL, err);
		return;
	}
	size_t n = strlen(src->errs), k = strlen(name);
	/* "nl80211: not available", not "nl80211: nl80211 not available" */
	const char *e = strncmp(err, name, k) == 0 && err[k] == ' ' ? err + k + 1 : err;
	snprintf(src->errs + n, sizeof(src->errs) - n, "%s%s: %s", n ? "; " : "", name, e);
	int next = next_backend(src, src->trying);
	if (next < 0) {
		deliver(src, "none", false, NULL, src->errs);
		return;
	}
	src->trying = next;
	start_trying(src);
}

int wifi_src_poll(struct wifi_src *src)
{
	if (src->polling) {
		errno = EBUSY;
		return -1;
	}
	src->polling = true;
	src->poll_t0 = clock_mono_us();
	src->errs[0] = '\0';
	if (!if_nametoindex(src->ifname)) {
		char err[64];
		snprintf(err, sizeof(err), "no interface %s", src->ifname);
		deliver(src, wifi_src_current(src), false, NULL, err);
		return 0;
	}
	/* A later source in use: look again now and then for a better one. */
	int first = next_backend(src, -1);
	if (src->active > first && src->poll_t0 - src->detected_us > WSRC_REDETECT_US)
		src->active = -1;
	src->detecting = src->active < 0;
	src->trying = src->detecting ? first : src->active;
	start_trying(src);
	return 0;
}

const char *wifi_src_current(const struct wifi_src *src)
{
	return src->active >= 0 ? backends[src->active].name : "none";
}

/* ---- helpers for the sources ------------------------------------------------ */

struct wifi_nl *wsrc_nl(struct wifi_src *src)
{
	if (src->nl && wifi_nl_unavailable(src->nl) && !src->nl_sampling && !src->nl_scanning) {
		wifi_nl_free(src->nl);
		src->nl = NULL;
	}
	if (!src->nl)
		src->nl = wifi_nl_new(src->base, src->ifname, src->timeout_ms);
	return src->nl;
}

/* The first line of s, at most size-1 bytes of it. */
static void first_line(char *out, size_t size, const char *s)
{
	size_t n = strcspn(s, "\n");
	if (n >= size)
		n = size - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

const char *wsrc_tool_error(const struct proc_result *r, char *buf, size_t size)
{
	char line[41];  /* kept short: several reasons share one message */
	switch (r->end) {
	case PROC_SPAWN_FAILED:
		snprintf(buf, size, "%s", r->err == ENOENT ? "not installed" : strerror(r->err));
		return buf;
	case PROC_TIMEOUT:
		snprintf(buf, size, "no answer in %llu ms (killed)", (unsigned long long)(r->took_us / 1000));
		return buf;
	case PROC_SIGNALED:
		snprintf(buf, size, "killed by signal %d", r->status);
		return buf;
	case PROC_EXITED:
		if (r->status == 0)
			return NULL;
		first_line(line, sizeof(line), r->errout && r->errout[0] ? r->errout : r->out ? r->out : "");
		snprintf(buf, size, "exit %d%s%s", r->status, line[0] ? ": " : "", line);
		return buf;
	}
	snprintf(buf, size, "failed");
	return buf;
}

void wsrc_merge(struct wifi_sample *d, const struct wifi_sample *s)
{
#define MERGE_NUM(f) do { if (!isnan(s->f)) d->f = s->f; } while (0)
#define MERGE_INT(f) do { if (s->f >= 0) d->f = s->f; } while (0)
	if (s->associated >= 0)
		d->associated = s->associated;
	if (s->ssid[0])
		memcpy(d->ssid, s->ssid, sizeof(d->ssid));
	if (s->bssid[0])
		memcpy(d->bssid, s->bssid, sizeof(d->bssid));
	if (s->freq_mhz > 0) {
		d->freq_mhz = s->freq_mhz;
		d->channel = s->channel;
	}
	MERGE_NUM(signal_dbm);
	MERGE_NUM(signal_avg_dbm);
	MERGE_NUM(noise_dbm);
	MERGE_NUM(tx_bitrate_mbps);
	MERGE_NUM(rx_bitrate_mbps);
	MERGE_NUM(link_quality);
	MERGE_NUM(link_quality_max);
	MERGE_INT(inactive_ms);
	MERGE_INT(rx_bytes);
	MERGE_INT(tx_bytes);
	MERGE_INT(tx_retries);
	MERGE_INT(tx_failed);
	MERGE_INT(beacon_missed);
	MERGE_INT(connected_s);
#undef MERGE_NUM
#undef MERGE_INT
}

/* ---- life cycle ------------------------------------------------------------- */

static void copy_opt(char *dst, size_t size, const char *v, const char *dflt)
{
	snprintf(dst, size, "%s", v && v[0] ? v : dflt);
}

struct wifi_src *wifi_src_new(struct event_base *base, const struct wifi_src_opts *o,
			      wifi_sample_cb on_sample, wifi_scan_cb on_scan, void *arg)
{
	if (!o || !o->ifname || !o->ifname[0] || strlen(o->ifname) >= IF_NAMESIZE || !on_sample || !on_scan) {
		errno = EINVAL;
		return NULL;
	}
	struct wifi_src *src = calloc(1, sizeof(*src));
	if (!src)
		return NULL;
	src->base = base;
	copy_opt(src->member, sizeof(src->member), o->member, o->ifname);
	copy_opt(src->ifname, sizeof(src->ifname), o->ifname, "");
	copy_opt(src->iwinfo, sizeof(src->iwinfo), o->iwinfo, "iwinfo");
	copy_opt(src->iw, sizeof(src->iw), o->iw, "iw");
	copy_opt(src->procfs, sizeof(src->procfs), o->procfs, "/proc/net/wireless");
	src->timeout_ms = o->timeout_ms ? o->timeout_ms : WSRC_DEFAULT_TIMEOUT_MS;
	src->sources = o->sources ? o->sources : WIFI_SRC_NL80211 | WIFI_SRC_IWINFO | WIFI_SRC_IW | WIFI_SRC_PROC;
	src->on_sample = on_sample;
	src->on_scan = on_scan;
	src->arg = arg;
	src->active = -1;
	src->poll_ev = event_new(base, -1, 0, on_poll_done, src);
	if (!src->poll_ev || wsrc_scan_init(src) < 0 || next_backend(src, -1) < 0) {
		int e = src->poll_ev && src->scan_ev ? EINVAL : ENOMEM;
		wifi_src_free(src);
		errno = e;
		return NULL;
	}
	return src;
}

void wifi_src_free(struct wifi_src *src)
{
	if (!src)
		return;
	if (src->poll_proc)
		proc_cancel(src->poll_proc);
	wsrc_scan_free(src);
	wifi_nl_free(src->nl);
	if (src->poll_ev)
		event_free(src->poll_ev);
	free(src);
}
