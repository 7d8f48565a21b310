/* wifi_drive: runs one wifi_src (src/wifi/wifi_src.h) on a libevent loop
 * and prints one JSON line per sample and per scan. Used by
 * tests/integration/run-wifi.sh.
 *
 *   wifi_drive -i IF [-I iwinfo] [-w iw] [-p procfs] [-t timeout_ms]
 *              [-s nl80211,iwinfo,iw,proc] [-n polls] [-S scans] [-T]
 *
 * Polls -n times (default 1), one after the other, then scans -S times
 * (default 0; -T allows a fresh scan), then exits 0. */
#include "core/log.h"
#include "wifi/wifi_scan.h"
#include "wifi/wifi_src.h"

#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

static struct {
	struct event_base *base;
	struct wifi_src *src;
	int polls, scans;
	bool trigger;
} g = { .polls = 1 };

static void num(json_object *o, const char *k, double v)
{
	json_object_object_add(o, k, isfinite(v) ? json_object_new_double(v) : NULL);
}

static void integer(json_object *o, const char *k, long long v)
{
	json_object_object_add(o, k, v >= 0 ? json_object_new_int64(v) : NULL);
}

static json_object *info_json(const char *kind, const struct wifi_src_info *info)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "kind", json_object_new_string(kind));
	json_object_object_add(o, "ok", json_object_new_boolean(info->ok));
	json_object_object_add(o, "source", json_object_new_string(info->source));
	json_object_object_add(o, "error", json_object_new_string(info->error));
	num(o, "took_ms", (double)info->took_us / 1000.0);
	return o;
}

static void next(void);

static void on_sample(void *arg, const struct wifi_sample *s, const struct wifi_src_info *info)
{
	json_object *o = info_json("sample", info);
	json_object_object_add(o, "associated", s->associated < 0 ? NULL : json_object_new_boolean(s->associated));
	json_object_object_add(o, "ifname", json_object_new_string(s->ifname));
	json_object_object_add(o, "ssid", json_object_new_string(s->ssid));
	json_object_object_add(o, "bssid", json_object_new_string(s->bssid));
	integer(o, "freq", s->freq_mhz);
	integer(o, "channel", s->channel);
	num(o, "signal", s->signal_dbm);
	num(o, "signal_avg", s->signal_avg_dbm);
	num(o, "noise", s->noise_dbm);
	num(o, "tx", s->tx_bitrate_mbps);
	num(o, "rx", s->rx_bitrate_mbps);
	num(o, "quality", s->link_quality);
	num(o, "quality_max", s->link_quality_max);
	json_object_object_add(o, "relative", json_object_new_boolean(s->relative_units));
	integer(o, "inactive_ms", s->inactive_ms);
	integer(o, "rx_bytes", s->rx_bytes);
	integer(o, "tx_bytes", s->tx_bytes);
	integer(o, "tx_retries", s->tx_retries);
	integer(o, "beacon_missed", s->beacon_missed);
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	fflush(stdout);
	json_object_put(o);
	g.polls--;
	next();
}

static void on_scan(void *arg, const struct wifi_scan *sc, const struct wifi_survey *sv, unsigned n_sv,
		    const struct wifi_src_info *info)
{
	json_object *o = info_json("scan", info);
	json_object_object_add(o, "n", json_object_new_int((int)sc->n));
	json_object_object_add(o, "n_seen", json_object_new_int((int)sc->n_seen));
	json_object_object_add(o, "n_survey", json_object_new_int((int)n_sv));
	const struct wifi_bss *a = wifi_scan_associated(sc);
	json_object_object_add(o, "associated", a ? json_object_new_string(a->bssid) : NULL);
	json_object_object_add(o, "strongest", sc->n ? json_object_new_string(sc->bss[0].ssid) : NULL);
	struct wifi_congestion c;
	if (wifi_congestion(sc, 0, &c) == 0) {
		integer(o, "channel", c.channel);
		json_object_object_add(o, "neighbours", json_object_new_int((int)c.neighbours));
		num(o, "strongest_neighbour", c.strongest_dbm);
		integer(o, "suggest", c.suggest_channel);
	}
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	fflush(stdout);
	json_object_put(o);
	g.scans--;
	next();
}

static void next(void)
{
	if (g.polls > 0)
		wifi_src_poll(g.src);
	else if (g.scans > 0)
		wifi_src_scan(g.src, g.trigger);
	else
		event_base_loopbreak(g.base);
}

static unsigned parse_sources(const char *s)
{
	static const struct { const char *name; unsigned bit; } t[] = {
		{ "nl80211", WIFI_SRC_NL80211 }, { "iwinfo", WIFI_SRC_IWINFO },
		{ "iw", WIFI_SRC_IW }, { "proc", WIFI_SRC_PROC },
	};
	unsigned bits = 0;
	char buf[64];
	snprintf(buf, sizeof(buf), "%s", s);
	for (char *save, *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		size_t i;
		for (i = 0; i < sizeof(t) / sizeof(t[0]) && strcmp(t[i].name, w); i++)
			;
		if (i == sizeof(t) / sizeof(t[0])) {
			fprintf(stderr, "unknown source %s\n", w);
			exit(2);
		}
		bits |= t[i].bit;
	}
	return bits;
}

int main(int argc, char **argv)
{
	struct wifi_src_opts o = { .member = "wifi" };
	int c;
	while ((c = getopt(argc, argv, "i:I:w:p:t:s:n:S:T")) != -1) {
		switch (c) {
		case 'i': o.ifname = optarg; break;
		case 'I': o.iwinfo = optarg; break;
		case 'w': o.iw = optarg; break;
		case 'p': o.procfs = optarg; break;
		case 't': o.timeout_ms = (unsigned)atoi(optarg); break;
		case 's': o.sources = parse_sources(optarg); break;
		case 'n': g.polls = atoi(optarg); break;
		case 'S': g.scans = atoi(optarg); break;
		case 'T': g.trigger = true; break;
		default:
			fprintf(stderr, "usage: wifi_drive -i IF [-I iwinfo] [-w iw] [-p procfs] [-t ms]"
				" [-s sources] [-n polls] [-S scans] [-T]\n");
			return 2;
		}
	}
	log_open("wifi_drive", true, LOG_LVL_WARN);
	g.base = event_base_new();
	g.src = g.base ? wifi_src_new(g.base, &o, on_sample, on_scan, NULL) : NULL;
	if (!g.src) {
		perror("wifi_src_new");
		return 1;
	}
	next();
	if (g.polls > 0 || g.scans > 0)
		event_base_dispatch(g.base);
	wifi_src_free(g.src);
	event_base_free(g.base);
	return 0;
}
