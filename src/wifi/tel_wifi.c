/* tel_wifi: a Wi-Fi client member's radio — the run-time source
 * (wifi/wifi_src: nl80211, iwinfo, iw or /proc/net/wireless) read every
 * rssi_check_interval, a neighbour scan every channel_scan_interval (from
 * the kernel's scan cache; an active scan only while the member carries no
 * traffic), the assessor (wifi/wifi_assess), and the `wifi` view. The
 * radio's channel is never changed: a client follows its access point, so
 * a better channel is only reported as a suggestion. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <event2/event.h>

#include "config/config.h"
#include "core/clock.h"
#include "core/jsonutil.h"
#include "core/log.h"
#include "daemon/daemon.h"
#include "daemon/members.h"
#include "daemon/tel.h"
#include "events/ev_emit.h"
#include "wifi/wifi_assess.h"
#include "wifi/wifi_kind.h"
#include "wifi/wifi_scan.h"
#include "wifi/wifi_src.h"
#include "wifi/wifi_trace.h"
#include "daemon/record.h"

static struct wifi_assess *assessor(const struct member_rt *m)
{
	return tel_member_part(&m->tm, &tel_kind_wifi);
}

static void on_sample(void *arg, const struct wifi_sample *s, const struct wifi_src_info *info)
{
	struct member_rt *m = arg;
	struct tel_wifi *t = tel_source(m);
	uint64_t now = clock_mono_us();

	t->polls++;
	snprintf(t->source, sizeof(t->source), "%s", info->source ? info->source : "");
	if (!info->ok) {
		t->failures++;
		if (strcmp(t->error, info->error) != 0)
			ev_emit_tel_source(m->d->bus, m->name, "radio", info->error, NULL);
		snprintf(t->error, sizeof(t->error), "%s", info->error);
		return;
	}
	t->error[0] = 0;
	bool was_assoc = !t->have || t->s.associated != 0;
	t->s = *s;
	t->have = true;
	t->s_us = now;
	record_telemetry(m, "wifi", wifi_trace_object(s), now);
	wifi_assess_sample(assessor(m), s, now);
	if (was_assoc && s->associated == 0)
		log_notice("member %s: Wi-Fi disassociated", m->name);
	tel_changed(m);
}

/* Busy share of the channel in use, from a survey. */
static double busy_pct(const struct wifi_survey *sv, unsigned n, int freq)
{
	for (unsigned i = 0; i < n; i++)
		if ((sv[i].in_use || sv[i].freq_mhz == freq) && sv[i].active_ms > 0 &&
		    sv[i].busy_ms >= 0)
			return 100.0 * (double)sv[i].busy_ms / (double)sv[i].active_ms;
	return NAN;
}

static void on_scan(void *arg, const struct wifi_scan *sc, const struct wifi_survey *sv,
		    unsigned n_sv, const struct wifi_src_info *info)
{
	struct member_rt *m = arg;
	struct tel_wifi *t = tel_source(m);
	struct wifi_congestion cg;
	uint64_t now = clock_mono_us();

	if (!info->ok) {
		snprintf(t->error, sizeof(t->error), "scan: %.150s", info->error);
		return;
	}
	t->scans++;
	t->scan_us = now;
	t->scan_seen = sc->n_seen;
	int freq = t->have ? t->s.freq_mhz : -1;
	wifi_congestion(sc, freq, &cg);
	struct wifi_scan_view v = {
		.neighbours = cg.neighbours, .strongest_dbm = cg.strongest_dbm,
		.busy_pct = busy_pct(sv, n_sv, freq), .suggest_channel = cg.suggest_channel,
	};
	t->neighbours = v.neighbours;
	t->strongest_dbm = v.strongest_dbm;
	t->busy_pct = v.busy_pct;
	t->suggest_channel = v.suggest_channel;
	t->scan_channel = freq > 0 ? wifi_freq_to_channel(freq) : -1;
	record_telemetry(m, "wifi", wifi_trace_scan_object(&v), now);
	wifi_assess_scan(assessor(m), &v, now);
	tel_changed(m);
}

static void on_poll_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	struct member_rt *m = arg;
	wifi_src_poll(((struct tel_wifi *)tel_source(m))->src);
}

static void on_scan_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	struct member_rt *m = arg;
	/* An active scan goes off-channel: only while the member is idle. */
	wifi_src_scan(((struct tel_wifi *)tel_source(m))->src, !m->active);
}

static struct event *every(struct member_rt *m, long long ms, event_callback_fn fn)
{
	struct event *e = event_new(m->d->base, -1, EV_PERSIST, fn, m);
	struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000 * 1000) };
	if (e)
		event_add(e, &tv);
	return e;
}

bool tel_wifi_answering(const struct member_rt *m)
{
	const struct tel_wifi *t = tel_source(m);
	return t && t->have && !t->error[0];
}

int tel_wifi_start(struct member_rt *m)
{
	const struct cfg_section *c = config_section(m->d->cfg, "wifi");
	struct tel_wifi *t = tel_source(m);
	long long iv = cfg_duration_ms(c, "rssi_check_interval");
	struct wifi_src_opts o = {
		.member = m->name, .ifname = m->device,
		.timeout_ms = iv < 5000 ? (unsigned)iv : 5000,
	};
	t->scan_channel = t->suggest_channel = -1;
	t->strongest_dbm = t->busy_pct = NAN;
	t->src = wifi_src_new(m->d->base, &o, on_sample, on_scan, m);
	if (!t->src) {
		log_errno(LOG_LVL_ERR, "member %s: Wi-Fi source", m->name);
		return -1;
	}
	t->poll_timer = every(m, iv, on_poll_timer);
	if (cfg_bool(c, "interference_detection"))
		t->scan_timer = every(m, cfg_duration_ms(c, "channel_scan_interval"), on_scan_timer);
	if (!t->poll_timer)
		return -1;
	wifi_src_poll(t->src);
	return 0;
}

void tel_wifi_stop(struct member_rt *m)
{
	struct tel_wifi *t = tel_source(m);
	if (t->poll_timer)
		event_free(t->poll_timer);
	if (t->scan_timer)
		event_free(t->scan_timer);
	wifi_src_free(t->src);
	memset(t, 0, sizeof(*t));
}

static json_object *scan_json(const struct member_rt *m, const struct tel_wifi *t)
{
	const struct cfg_section *c = config_section(m->d->cfg, "wifi");
	if (!t->scan_us)
		return NULL;
	json_object *o = json_object_new_object();
	json_add_num(o, "age_s", (double)(clock_mono_us() - t->scan_us) / 1e6, 0);
	json_object_object_add(o, "networks_seen", json_object_new_int((int)t->scan_seen));
	json_object_object_add(o, "neighbours_on_channel", json_object_new_int((int)t->neighbours));
	json_add_num(o, "strongest_neighbour_dbm", t->strongest_dbm, 0);
	json_add_num(o, "channel_busy_pct", t->busy_pct, 0);
	json_add_count(o, "channel", t->scan_channel);
	/* Only a suggestion: the access point chooses the channel. */
	json_add_count(o, "suggested_channel", cfg_bool(c, "auto_optimization") &&
		t->suggest_channel != t->scan_channel ? t->suggest_channel : -1);
	return o;
}

json_object *tel_wifi_json(struct member_rt *m)
{
	const struct tel_wifi *t = tel_source(m);
	if (!t)
		return NULL;
	json_object *o = json_object_new_object();
	const struct wifi_sample *s = &t->s;
	json_add_str(o, "source", t->source);
	json_add_str(o, "error", t->error);
	json_object_object_add(o, "polls", json_object_new_int64((int64_t)t->polls));
	if (!t->have) {
		json_add_str(o, "state", t->src ? "not read yet" : "not polled (member disabled)");
		return o;
	}
	json_add_num(o, "age_s", (double)(clock_mono_us() - t->s_us) / 1e6, 1);
	json_object_object_add(o, "associated", s->associated < 0 ? NULL :
			       json_object_new_boolean(s->associated));
	json_add_str(o, "ssid", s->ssid);
	json_add_str(o, "bssid", s->bssid);
	json_add_count(o, "freq_mhz", s->freq_mhz);
	json_add_count(o, "channel", s->channel);
	json_add_num(o, "signal_dbm", wifi_signal_dbm(s), 0);
	json_add_num(o, "signal_avg_dbm", s->signal_avg_dbm < 0 ? s->signal_avg_dbm : NAN, 0);
	json_add_num(o, "noise_dbm", s->noise_dbm, 0);
	json_add_num(o, "tx_bitrate_mbps", s->tx_bitrate_mbps, 1);
	json_add_num(o, "rx_bitrate_mbps", s->rx_bitrate_mbps, 1);
	json_add_num(o, "link_quality", s->link_quality, 0);
	json_object_object_add(o, "relative_units", json_object_new_boolean(s->relative_units));
	json_add_count(o, "tx_retries", s->tx_retries);
	json_add_count(o, "tx_failed", s->tx_failed);
	json_add_count(o, "beacon_missed", s->beacon_missed);
	json_add_num(o, "slope_db_per_min", assessor(m)->slope_db_min, 1);
	json_object_object_add(o, "scan", scan_json(m, t));
	return o;
}
