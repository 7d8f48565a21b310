/* wifi_src_tools: the sample sources of wifi_src (see wifi_src.h): nl80211
 * through wifi_nl, and the iwinfo and iw tools and /proc/net/wireless for
 * radios or systems nl80211 does not serve. */
#include "wifi/wifi_src_int.h"

#include "core/fsutil.h"
#include "core/proc.h"
#include "wifi/wifi_parse.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PROC_WIRELESS_MAX (64 * 1024)

/* ---- nl80211 ---------------------------------------------------------------- */

static void nl_done(void *arg, const struct wifi_nl_result *r)
{
	struct wifi_src *src = arg;
	src->nl_sampling = false;
	if (r->err)
		wsrc_sample_fail(src, "%s", r->error);
	else
		wsrc_sample_ok(src, &r->sample);
}

void wsrc_start_nl(struct wifi_src *src)
{
	struct wifi_nl *nl = wsrc_nl(src);
	if (!nl) {
		wsrc_sample_fail(src, "netlink socket: %s", strerror(errno));
		return;
	}
	if (wifi_nl_sample(nl, nl_done, src) < 0) {
		wsrc_sample_fail(src, "%s", strerror(errno));
		return;
	}
	src->nl_sampling = true;
}

/* ---- tools -------------------------------------------------------------------- */

static bool spawn(struct wifi_src *src, char *const argv[], proc_cb cb)
{
	struct proc_opts o = { src->timeout_ms, WSRC_SAMPLE_OUTPUT };
	src->poll_proc = proc_spawn(src->base, argv, &o, cb, src);
	if (!src->poll_proc) {
		wsrc_sample_fail(src, "%s", strerror(errno));
		return false;
	}
	return true;
}

/* The run's output, or NULL after reporting why there is none. */
static const char *tool_output(struct wifi_src *src, const struct proc_result *r, size_t *len)
{
	char err[128];
	src->poll_proc = NULL;
	if (wsrc_tool_error(r, err, sizeof(err))) {
		wsrc_sample_fail(src, "%s", err);
		return NULL;
	}
	*len = r->out_len;
	return r->out ? r->out : "";
}

/* `iwinfo IF info assoclist`: for a client, assoclist lists its AP with
 * the receive rate and inactive time that `info` lacks. */
static void iwinfo_done(void *arg, const struct proc_result *r)
{
	struct wifi_src *src = arg;
	size_t n;
	const char *out = tool_output(src, r, &n);
	if (!out)
		return;
	struct wifi_sample s;
	wifi_sample_init(&s);
	int rc = wifi_parse_iwinfo_info(out, n, src->ifname, &s);
	if (rc < 0) {
		wsrc_sample_fail(src, "unrecognised output");
		return;
	}
	if (rc > 0) {
		wsrc_sample_fail(src, "%s not in its output", src->ifname);
		return;
	}
	struct wifi_sample a;
	wifi_sample_init(&a);
	if (s.associated == 1 && wifi_parse_iwinfo_assoclist(out, n, s.bssid, &a) == 0)
		wsrc_merge(&s, &a);
	wsrc_sample_ok(src, &s);
}

void wsrc_start_iwinfo(struct wifi_src *src)
{
	char *argv[] = { src->iwinfo, src->ifname, "info", "assoclist", NULL };
	spawn(src, argv, iwinfo_done);
}

/* `iw dev IF link`, then for an associated link `iw dev IF station get
 * BSSID` for the counters and averages `link` does not print. A failure of
 * the second run still leaves a good sample. */
static void iw_done(void *arg, const struct proc_result *r)
{
	struct wifi_src *src = arg;
	size_t n;
	if (src->poll_stage == 1) {
		char err[128];
		src->poll_proc = NULL;
		struct wifi_sample st;
		wifi_sample_init(&st);
		if (!wsrc_tool_error(r, err, sizeof(err)) &&
		    wifi_parse_iw_station(r->out ? r->out : "", r->out_len, src->acc.bssid, &st) == 0) {
			st.associated = -1;     /* `link` has said it */
			wsrc_merge(&src->acc, &st);
		}
		wsrc_sample_ok(src, &src->acc);
		return;
	}
	const char *out = tool_output(src, r, &n);
	if (!out)
		return;
	if (wifi_parse_iw_link(out, n, &src->acc) < 0) {
		wsrc_sample_fail(src, "unrecognised output");
		return;
	}
	if (src->acc.associated != 1 || !src->acc.bssid[0]) {
		wsrc_sample_ok(src, &src->acc);
		return;
	}
	src->poll_stage = 1;
	char *argv[] = { src->iw, "dev", src->ifname, "station", "get", src->acc.bssid, NULL };
	struct proc_opts o = { src->timeout_ms, WSRC_SAMPLE_OUTPUT };
	src->poll_proc = proc_spawn(src->base, argv, &o, iw_done, src);
	if (!src->poll_proc)
		wsrc_sample_ok(src, &src->acc);
}

void wsrc_start_iw(struct wifi_src *src)
{
	char *argv[] = { src->iw, "dev", src->ifname, "link", NULL };
	spawn(src, argv, iw_done);
}

/* ---- /proc/net/wireless ------------------------------------------------------- */

/* cfg80211 devices have this link; their wext statistics print no row
 * while the client is not connected. */
static bool is_cfg80211(const char *ifname)
{
	char path[64];
	struct stat st;
	snprintf(path, sizeof(path), "/sys/class/net/%s/phy80211", ifname);
	return stat(path, &st) == 0;
}

void wsrc_start_proc(struct wifi_src *src)
{
	size_t n;
	char *text = fs_read_file(src->procfs, PROC_WIRELESS_MAX, &n);
	if (!text) {
		if (errno == ENOENT)
			wsrc_sample_fail(src, "no %s (a kernel without wireless extensions)", src->procfs);
		else
			wsrc_sample_fail(src, "%s: %s", src->procfs, strerror(errno));
		return;
	}
	struct wifi_sample s;
	wifi_sample_init(&s);
	int rc = wifi_parse_proc(text, n, src->ifname, &s);
	free(text);
	if (rc == 1 && is_cfg80211(src->ifname)) {
		s.associated = 0;
		rc = 0;
	}
	if (rc < 0)
		wsrc_sample_fail(src, "%s: unrecognised contents", src->procfs);
	else if (rc > 0)
		wsrc_sample_fail(src, "no row for %s", src->ifname);
	else
		wsrc_sample_ok(src, &s);
}
