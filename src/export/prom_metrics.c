/* prom_metrics: the metrics table — name, type, help and where the value
 * comes from, one row per metric — and the text exposition built from it.
 * Names follow Prometheus' conventions (base units: seconds, bytes, ratios;
 * counters end in _total) and keep the operations guide's two exactly:
 * autonomy_interface_health_score{interface} and
 * autonomy_failover_events_total{from,to,reason_kind}. Figures of the links'
 * hardware keep the unit they are measured in (dBm, dB): there is no base
 * unit to convert them to. docs/export.md lists them all. */
#include "export/prom.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>

#include "core/jsonutil.h"

struct prom_out {
	struct evbuffer *b;             /* the samples of the current family */
	const struct export_snap *s;
	const struct export_counts *fo;
	size_t samples;
};

/* Label values: backslash, double quote and newline escaped. */
static void put_label(struct evbuffer *b, const char *k, const char *v, bool first)
{
	evbuffer_add_printf(b, "%s%s=\"", first ? "" : ",", k);
	for (const char *p = v ? v : ""; *p; p++) {
		if (*p == '\\' || *p == '"')
			evbuffer_add_printf(b, "\\%c", *p);
		else if (*p == '\n')
			evbuffer_add(b, "\\n", 2);
		else
			evbuffer_add(b, p, 1);
	}
	evbuffer_add(b, "\"", 1);
}

/* Integers up to 2^53 exactly (byte counters), the rest with 9 digits. */
static void put_value(struct evbuffer *b, double v)
{
	if (v == floor(v) && fabs(v) < 9007199254740992.0)
		evbuffer_add_printf(b, " %.0f\n", v);
	else
		evbuffer_add_printf(b, " %.9g\n", v);
}

/* One sample: name{k1="v1",...} value; labels as NULL-terminated pairs. */
static void sample(struct prom_out *o, const char *name, const char *const *labels, double v)
{
	if (!isfinite(v))
		return;
	evbuffer_add_printf(o->b, "%s%s", name, labels && labels[0] ? "{" : "");
	for (size_t i = 0; labels && labels[i]; i += 2)
		put_label(o->b, labels[i], labels[i + 1], i == 0);
	if (labels && labels[0])
		evbuffer_add(o->b, "}", 1);
	put_value(o->b, v);
	o->samples++;
}

static void sample1(struct prom_out *o, const char *name, const char *k, const char *v,
		    double x)
{
	const char *l[] = { k, v, NULL };
	sample(o, name, l, x);
}

static double scaled(const struct prom_row *r, double v)
{
	return r->scale != 0 ? v * r->scale : v;
}

/* A row read from a path: every member, or the health/status object. */
static void emit_path(struct prom_out *o, const struct prom_row *r)
{
	if (r->src != PROM_MEMBER) {
		json_object *src = r->src == PROM_HEALTH ? o->s->health : o->s->status;
		sample(o, r->name, NULL, scaled(r, export_path_num(src, r->path)));
		return;
	}
	size_t n = o->s->members ? json_object_array_length(o->s->members) : 0;
	for (size_t i = 0; i < n; i++) {
		json_object *m = json_object_array_get_idx(o->s->members, i);
		double v = export_path_num(m, r->path);
		sample1(o, r->name, "interface", json_get_str(m, "name", ""), scaled(r, v));
	}
}

/* ---- rows with labels of their own ---------------------------------------- */

static void each_member(struct prom_out *o, void (*fn)(struct prom_out *, const struct prom_row *,
						       json_object *), const struct prom_row *r)
{
	size_t n = o->s->members ? json_object_array_length(o->s->members) : 0;
	for (size_t i = 0; i < n; i++)
		fn(o, r, json_object_array_get_idx(o->s->members, i));
}

static void info_of(struct prom_out *o, const struct prom_row *r, json_object *m)
{
	const char *l[] = { "interface", json_get_str(m, "name", ""),
			    "device", json_get_str(m, "device", ""),
			    "class", json_get_str(m, "class", ""), NULL };
	sample(o, r->name, l, 1);
}

static void fn_info(struct prom_out *o, const struct prom_row *r)
{
	each_member(o, info_of, r);
}

/* The state as a set of series, one per state, 1 for the current one: a
 * panel or alert matches on the label instead of decoding numbers. */
static void state_of(struct prom_out *o, const struct prom_row *r, json_object *m)
{
	static const char *const states[] = { "up", "degraded", "down", "unknown" };
	const char *cur = json_get_str(m, "state", "unknown");
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		const char *l[] = { "interface", json_get_str(m, "name", ""),
				    "state", states[i], NULL };
		sample(o, r->name, l, strcmp(cur, states[i]) == 0);
	}
}

static void fn_state(struct prom_out *o, const struct prom_row *r)
{
	each_member(o, state_of, r);
}

static void outage_of(struct prom_out *o, const struct prom_row *r, json_object *m)
{
	const char *st = json_get_str(export_path(m, "starlink"), "state", NULL);
	if (st)
		sample1(o, r->name, "interface", json_get_str(m, "name", ""),
			strcmp(st, "outage") == 0);
}

static void fn_sl_outage(struct prom_out *o, const struct prom_row *r)
{
	each_member(o, outage_of, r);
}

static void registered_of(struct prom_out *o, const struct prom_row *r, json_object *m)
{
	const char *reg = json_get_str(export_path(m, "cellular"), "registration", NULL);
	if (reg)
		sample1(o, r->name, "interface", json_get_str(m, "name", ""),
			strcmp(reg, "home") == 0 || strcmp(reg, "roaming") == 0);
}

static void fn_cell_registered(struct prom_out *o, const struct prom_row *r)
{
	each_member(o, registered_of, r);
}

static void fn_failovers(struct prom_out *o, const struct prom_row *r)
{
	for (size_t i = 0; o->fo && i < o->fo->n; i++) {
		const struct export_fo *f = &o->fo->v[i];
		const char *l[] = { "from", f->from, "to", f->to, "reason_kind", f->kind, NULL };
		sample(o, r->name, l, (double)f->n);
	}
}

static void fn_build(struct prom_out *o, const struct prom_row *r)
{
	sample1(o, r->name, "version", json_get_str(o->s->status, "version", "?"), 1);
}

static void fn_active(struct prom_out *o, const struct prom_row *r)
{
	const char *a = json_get_str(o->s->status, "active_member", NULL);
	if (a)
		sample1(o, r->name, "interface", a, 1);
}

/* ---- the table ------------------------------------------------------------ */

#define G PROM_GAUGE
#define C PROM_COUNTER
#define M(n, t, h, p, sc) { n, t, h, PROM_MEMBER, p, sc, NULL }
#define H(n, t, h, p, sc) { n, t, h, PROM_HEALTH, p, sc, NULL }
#define S(n, t, h, p, sc) { n, t, h, PROM_STATUS, p, sc, NULL }
#define F(n, t, h, f)     { n, t, h, PROM_FN, NULL, 0, f }

const struct prom_row prom_rows[] = {
	/* members: measured through themselves */
	M("autonomy_interface_health_score", G, "Health score of the member, 0-100",
	  "health_score", 0),
	F("autonomy_interface_state", G, "Member state: 1 for the current one of up, degraded, "
	  "down, unknown", fn_state),
	M("autonomy_interface_active", G, "1 if the member carries the traffic", "active", 0),
	M("autonomy_interface_carrier", G, "1 if the member's device has carrier", "carrier", 0),
	M("autonomy_interface_priority", G, "Configured priority (lower is preferred)",
	  "priority", 0),
	M("autonomy_interface_loss_ratio", G, "Probe loss over the measurement window, 0-1",
	  "loss_pct", 0.01),
	M("autonomy_interface_latency_p50_seconds", G, "Median probe round-trip time",
	  "latency_ms", 1e-3),
	M("autonomy_interface_latency_p95_seconds", G, "95th percentile probe round-trip time",
	  "p95_ms", 1e-3),
	M("autonomy_interface_jitter_seconds", G, "Probe round-trip jitter", "jitter_ms", 1e-3),
	M("autonomy_interface_probes_sent_total", C, "Probes sent through the member",
	  "probes.sent", 0),
	M("autonomy_interface_probes_lost_total", C, "Probes lost (no reply in time)",
	  "probes.lost", 0),
	F("autonomy_interface_info", G, "The member's device and class (always 1)", fn_info),
	/* data usage in the current billing cycle (reset on data_reset_day) */
	M("autonomy_interface_data_received_bytes", G, "Bytes received in the current cycle",
	  "data_usage.rx_bytes", 0),
	M("autonomy_interface_data_sent_bytes", G, "Bytes sent in the current cycle",
	  "data_usage.tx_bytes", 0),
	M("autonomy_interface_data_limit_bytes", G, "Data included per cycle (data_limit_mb)",
	  "data_usage.limit_bytes", 0),
	M("autonomy_interface_data_cap_ratio", G, "Share of the cycle's data cap used, 0-1",
	  "data_usage.used_pct", 0.01),
	/* decisions */
	F("autonomy_failover_events_total", C, "Times traffic moved from one member to "
	  "another since the daemon started, by reason kind", fn_failovers),
	F("autonomy_active_interface", G, "The member carrying the traffic (always 1)",
	  fn_active),
	S("autonomy_pinned", G, "1 while an operator pins traffic to a member", "pinned", 0),
	/* the Starlink dish */
	M("autonomy_starlink_reachable", G, "1 if the dish answers its API",
	  "starlink.reachable", 0),
	F("autonomy_starlink_outage", G, "1 while the dish reports an outage", fn_sl_outage),
	M("autonomy_starlink_obstruction_ratio", G, "Fraction of the sky obstructed, 0-1",
	  "starlink.obstruction.fraction_obstructed", 0),
	M("autonomy_starlink_obstructed", G, "1 while the dish is obstructed right now",
	  "starlink.obstruction.currently_obstructed", 0),
	M("autonomy_starlink_obstruction_building", G, "1 while obstruction is building up "
	  "(traffic leaves before the outage)", "starlink.prediction.obstruction_building", 0),
	M("autonomy_starlink_pop_ping_drop_ratio", G, "Dish-reported ping drop rate to the PoP",
	  "starlink.pop_ping_drop_rate", 0),
	M("autonomy_starlink_pop_ping_latency_seconds", G, "Dish-reported latency to the PoP",
	  "starlink.pop_ping_latency_ms", 1e-3),
	M("autonomy_starlink_downlink_throughput_bytes_per_second", G, "Dish-reported downlink "
	  "throughput", "starlink.downlink_bps", 1.0 / 8),
	M("autonomy_starlink_uplink_throughput_bytes_per_second", G, "Dish-reported uplink "
	  "throughput", "starlink.uplink_bps", 1.0 / 8),
	M("autonomy_starlink_snr_above_noise_floor", G, "1 if the dish's SNR is above the "
	  "noise floor", "starlink.snr_above_noise_floor", 0),
	M("autonomy_starlink_uptime_seconds", G, "Dish uptime", "starlink.uptime_s", 0),
	/* the cellular modem */
	F("autonomy_cellular_registered", G, "1 if the modem is registered (home or roaming)",
	  fn_cell_registered),
	M("autonomy_cellular_roaming", G, "1 if the modem is roaming", "cellular.roaming", 0),
	M("autonomy_cellular_rsrp_dbm", G, "LTE reference signal received power (dBm)",
	  "cellular.rsrp_dbm", 0),
	M("autonomy_cellular_rsrq_db", G, "LTE reference signal received quality (dB)",
	  "cellular.rsrq_db", 0),
	M("autonomy_cellular_sinr_db", G, "Signal to interference plus noise ratio (dB)",
	  "cellular.sinr_db", 0),
	M("autonomy_cellular_rssi_dbm", G, "Received signal strength (dBm)",
	  "cellular.rssi_dbm", 0),
	M("autonomy_cellular_nr_rsrp_dbm", G, "5G NR reference signal received power (dBm)",
	  "cellular.nr_rsrp_dbm", 0),
	M("autonomy_cellular_signal_ratio", G, "Signal quality as the modem reports it, 0-1",
	  "cellular.signal_pct", 0.01),
	/* the Wi-Fi client radio */
	M("autonomy_wifi_associated", G, "1 if the radio is associated",
	  "wifi.associated", 0),
	M("autonomy_wifi_signal_dbm", G, "Signal of the access point (dBm)",
	  "wifi.signal_dbm", 0),
	M("autonomy_wifi_noise_dbm", G, "Noise floor (dBm)", "wifi.noise_dbm", 0),
	M("autonomy_wifi_tx_bitrate_bytes_per_second", G, "Transmit rate of the radio link",
	  "wifi.tx_bitrate_mbps", 1e6 / 8),
	M("autonomy_wifi_rx_bitrate_bytes_per_second", G, "Receive rate of the radio link",
	  "wifi.rx_bitrate_mbps", 1e6 / 8),
	/* the daemon itself */
	F("autonomy_build_info", G, "autonomyd's version (always 1)", fn_build),
	S("autonomy_process_start_time_seconds", G, "When autonomyd started, Unix time",
	  "started_ts", 0),
	H("autonomy_process_cpu_seconds_total", C, "CPU time autonomyd used (user and system)",
	  "cpu_total_s", 0),
	H("autonomy_process_resident_memory_bytes", G, "autonomyd's resident memory",
	  "rss_kb", 1024),
	H("autonomy_process_resident_memory_max_bytes", G, "autonomyd's peak resident memory",
	  "peak_rss_kb", 1024),
	H("autonomy_loop_lag_seconds", G, "How late the event loop's last tick ran",
	  "loop_lag_ms", 1e-3),
	H("autonomy_loop_lag_max_seconds", G, "Longest event-loop lag of the last minute",
	  "loop_lag_max_ms", 1e-3),
	H("autonomy_config_last_reload_successful", G, "1 if the last config (re)load was "
	  "accepted", "config_ok", 0),
};
const size_t prom_n_rows = sizeof(prom_rows) / sizeof(prom_rows[0]);

size_t prom_render(struct evbuffer *out, const struct export_snap *s,
		   const struct export_counts *fo)
{
	struct prom_out o = { .b = evbuffer_new(), .s = s, .fo = fo };
	if (!o.b)
		return 0;
	for (size_t i = 0; i < prom_n_rows; i++) {
		const struct prom_row *r = &prom_rows[i];
		size_t before = o.samples;
		if (r->src == PROM_FN)
			r->fn(&o, r);
		else
			emit_path(&o, r);
		if (o.samples == before)
			continue;       /* no HELP/TYPE for a family without samples */
		evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s %s\n", r->name, r->help, r->name,
				    r->type == PROM_COUNTER ? "counter" : "gauge");
		evbuffer_add_buffer(out, o.b);
	}
	evbuffer_free(o.b);
	return o.samples;
}
