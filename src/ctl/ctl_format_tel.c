/* ctl_format_tel: the CLI's readable output of link telemetry — the
 * `starlink`, `cellular` and `wifi` commands, the dish actions, and the
 * telemetry lines under `members` and the position under `status`. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/jsonutil.h"
#include "ctl/ctl_format.h"
#include "ctl/ctl_format_int.h"

static json_object *get(json_object *o, const char *k)
{
	json_object *v = NULL;
	return o && json_object_object_get_ex(o, k, &v) ? v : NULL;
}

static const char *s_or(json_object *o, const char *k, const char *dflt)
{
	const char *s = json_get_str(o, k, NULL);
	return s && *s ? s : dflt;
}

static void put_list(json_object *a, FILE *out)
{
	size_t n = a ? json_object_array_length(a) : 0;
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%s%s", i ? ", " : "", json_object_get_string(json_object_array_get_idx(a, i)));
	if (!n)
		fprintf(out, "none");
}

static void head(json_object *m, FILE *out)
{
	fprintf(out, "%s (%s)%s\n", s_or(m, "name", "?"), s_or(m, "device", "?"),
		json_get_bool(m, "active", 0) ? ", carrying traffic" : "");
}

/* The verdict of a member's telemetry: penalties and flags. */
void ctl_format_telemetry(json_object *m, FILE *out)
{
	json_object *t = get(m, "telemetry"), *p = get(t, "penalties");
	size_t n = p ? json_object_array_length(p) : 0;
	if (!t)
		return;
	static const char *const flags[][2] = {
		{ "predicted_outage", "outage predicted" }, { "excluded", "last resort only" },
		{ "link_down", "link down" },
	};
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (json_has(t, flags[i][0]))
			fprintf(out, "  %-12s %s\n", flags[i][1], s_or(t, flags[i][0], "?"));
	if (!n)
		return;
	fprintf(out, "  %-12s", "penalties");
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(p, i);
		fprintf(out, "%s%s -%d", i ? ", " : " ", s_or(e, "text", "?"),
			(int)json_get_num(e, "points", 0));
	}
	fputc('\n', out);
}

static void dish_state(json_object *s, FILE *out)
{
	char up[32];
	ctl_format_duration(json_get_num(s, "uptime_s", 0), up, sizeof(up));
	if (json_has(s, "outage"))
		fprintf(out, "  %-12s OUTAGE %s", "dish", s_or(get(s, "outage"), "cause", "?"));
	else
		fprintf(out, "  %-12s %s, up %s", "dish", s_or(s, "state", "?"), up);
	fprintf(out, "; drop %.1f %%", 100 * json_get_num(s, "pop_ping_drop_rate", 0));
	if (json_has(s, "pop_ping_latency_ms"))
		fprintf(out, ", latency %.1f ms", json_get_num(s, "pop_ping_latency_ms", 0));
	else if (json_has(s, "latency_believed") && !json_get_bool(s, "latency_believed", 1))
		fprintf(out, ", latency not believed (reads 0 ms: firmware bug)");
	fputc('\n', out);
	json_object *ob = get(s, "obstruction");
	if (ob) {
		fprintf(out, "  %-12s %.1f %% of the sky, %s", "obstruction",
			100 * json_get_num(ob, "fraction_obstructed", 0),
			json_get_bool(ob, "currently_obstructed", 0) ? "OBSTRUCTED NOW" :
			"clear now");
		if (json_has(ob, "avg_prolonged_interval_s"))
			fprintf(out, "; prolonged ones every %.0f s for %.1f s",
				json_get_num(ob, "avg_prolonged_interval_s", 0),
				json_get_num(ob, "avg_prolonged_duration_s", 0));
		fputc('\n', out);
	}
	fprintf(out, "  %-12s %s, %s\n", "signal",
		json_get_bool(s, "snr_above_noise_floor", 0) ? "above the noise floor" :
		"not above the noise floor", json_get_bool(s, "snr_persistently_low", 0) ?
		"PERSISTENTLY LOW" : "not persistently low");
	fprintf(out, "  %-12s ", "alerts");
	put_list(get(s, "alerts"), out);
	fputc('\n', out);
	json_object *u = get(s, "software_update");
	fprintf(out, "  %-12s %s", "update", s_or(u, "state", "?"));
	if (json_has(u, "reboot_scheduled"))
		fprintf(out, ", reboot scheduled %s", s_or(u, "reboot_scheduled", "?"));
	else if (json_get_bool(u, "reboot_ready", 0))
		fprintf(out, ", ready to reboot");
	fprintf(out, "; %s, %s%s\n", s_or(s, "mobility_class", "?"), s_or(s, "disablement", "?"),
		json_get_bool(s, "stow_requested", 0) ? ", STOW REQUESTED" : "");
}

static void dish_more(json_object *s, FILE *out)
{
	json_object *dv = get(s, "device"), *g = get(s, "gps"), *l = get(s, "location");
	if (dv)
		fprintf(out, "  %-12s %s, %s, %s, api %d\n", "device", s_or(dv, "id", "?"),
			s_or(dv, "hardware_version", "?"), s_or(dv, "software_version", "?"),
			(int)json_get_num(dv, "api_version", 0));
	fprintf(out, "  %-12s %s, %d satellites", "gps", json_get_bool(g, "valid", 0) ?
		"valid" : "not valid", (int)json_get_num(g, "satellites", 0));
	if (l)
		fprintf(out, "; at %.5f, %.5f", json_get_num(l, "lat", 0), json_get_num(l, "lon", 0));
	else if (json_get_bool(s, "location_denied", 0))
		fprintf(out, "; location not shared by the dish");
	fputc('\n', out);
	json_object *p = get(s, "prediction");
	if (p)
		fprintf(out, "  %-12s plan %s%s%s; obstruction outages here in 2 h: %d%s%s\n",
			"prediction", s_or(p, "plan", "?"), json_has(p, "plan_kind") ? " " : "",
			s_or(p, "plan_kind", ""), (int)json_get_num(p, "obstruction_outages_here_2h", 0),
			json_get_bool(p, "outages_recur_here", 0) ? " (recurring)" : "",
			json_get_bool(p, "fast_polling", 0) ? "; polling fast" : "");
	fprintf(out, "  %-12s %s %s%s%s\n", "api", s_or(s, "api", "?"), s_or(s, "connection", "?"),
		json_has(s, "error") ? ", last error: " : "", s_or(s, "error", ""));
}

static void fmt_one_dish(json_object *m, FILE *out)
{
	json_object *s = get(m, "starlink");
	head(m, out);
	if (!s)
		return;
	if (json_has(s, "uptime_s"))
		dish_state(s, out);
	else
		fprintf(out, "  %-12s %s\n", "dish", s_or(s, "state", "?"));
	dish_more(s, out);
	ctl_format_telemetry(m, out);
}

static void each(json_object *d, void (*fn)(json_object *, FILE *), const char *none, FILE *out)
{
	size_t n = json_object_is_type(d, json_type_array) ? json_object_array_length(d) : 0;
	if (!n)
		fprintf(out, "%s\n", none);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputc('\n', out);
		fn(json_object_array_get_idx(d, i), out);
	}
}

void ctl_fmt_starlink(json_object *d, FILE *out)
{
	each(d, fmt_one_dish, "no member of class starlink", out);
}

static void put_dbm(json_object *o, const char *k, const char *label, const char *unit,
		    bool *first, FILE *out)
{
	if (!json_has(o, k))
		return;
	fprintf(out, "%s%s %.1f %s", *first ? "" : ", ", label, json_get_num(o, k, 0), unit);
	*first = false;
}

static void put_data(json_object *m, FILE *out)
{
	json_object *u = get(m, "data_usage");
	if (!u)
		return;
	fprintf(out, "  %-12s %.1f MB this cycle", "data", json_get_num(u, "total_bytes", 0) / 1e6);
	if (json_has(u, "limit_bytes"))
		fprintf(out, " of %.0f MB (%.1f %%)%s", json_get_num(u, "limit_bytes", 0) / 1e6,
			json_get_num(u, "used_pct", 0),
			json_get_bool(u, "last_resort", 0) ? ", LAST RESORT" : "");
	if (json_has(u, "next_reset"))
		fprintf(out, ", resets %.10s", s_or(u, "next_reset", "?"));
	fputc('\n', out);
}

static void fmt_one_modem(json_object *m, FILE *out)
{
	json_object *c = get(m, "cellular"), *tr;
	bool first = true;
	head(m, out);
	if (!c)
		return;
	if (!json_has(c, "registration")) {
		fprintf(out, "  %-12s %s%s%s\n", "modem", s_or(c, "state", "?"),
			json_has(c, "error") ? ": " : "", s_or(c, "error", ""));
	} else {
		fprintf(out, "  %-12s %s%s%s, %s%s on %s (%s), %s\n", "modem", s_or(c, "state", "?"),
			json_has(c, "state_reason") ? " " : "", s_or(c, "state_reason", ""),
			s_or(c, "registration", "?"), json_get_bool(c, "roaming", 0) ? " (ROAMING)" : "",
			s_or(c, "operator", "?"), s_or(c, "operator_code", "?"),
			s_or(c, "technology", "?"));
		fprintf(out, "  %-12s ", "signal");
		put_dbm(c, "rsrp_dbm", "RSRP", "dBm", &first, out);
		put_dbm(c, "rsrq_db", "RSRQ", "dB", &first, out);
		put_dbm(c, "sinr_db", "SINR", "dB", &first, out);
		put_dbm(c, "rssi_dbm", "RSSI", "dBm", &first, out);
		put_dbm(c, "nr_rsrp_dbm", "NR RSRP", "dBm", &first, out);
		put_dbm(c, "rscp_dbm", "RSCP", "dBm", &first, out);
		if (first)
			fprintf(out, "not reported");
		fputc('\n', out);
		if (json_has(c, "cell_id"))
			fprintf(out, "  %-12s id %s, TAC %s, band %s\n", "cell", s_or(c, "cell_id", "?"),
				s_or(c, "tac", "-"), json_has(c, "band") ?
				json_object_get_string(get(c, "band")) : "-");
		if ((tr = get(c, "trend")) && json_has(tr, "metric"))
			fprintf(out, "  %-12s %s %+.1f dB/min, +-%.1f dB, %d cell changes, stability %s\n",
				"trend", s_or(tr, "metric", "?"), json_get_num(tr, "slope_db_per_min", 0),
				json_get_num(tr, "stdev_db", 0),
				(int)json_get_num(tr, "cell_changes_10min", 0),
				json_has(tr, "stability") ? json_object_get_string(get(tr, "stability")) : "-");
	}
	fprintf(out, "  %-12s %s, %d polls, %d failures\n", "source", s_or(c, "source", "none found"),
		(int)json_get_num(c, "polls", 0), (int)json_get_num(c, "failures", 0));
	put_data(m, out);
	ctl_format_telemetry(m, out);
}

void ctl_fmt_cellular(json_object *d, FILE *out)
{
	each(d, fmt_one_modem, "no member of class cellular", out);
}

static void fmt_one_radio(json_object *m, FILE *out)
{
	json_object *w = get(m, "wifi"), *sc;
	head(m, out);
	if (!w)
		return;
	if (json_has(w, "state")) {
		fprintf(out, "  %-12s %s%s%s\n", "radio", s_or(w, "state", "?"),
			json_has(w, "error") ? ": " : "", s_or(w, "error", ""));
	} else if (json_has(w, "associated") && !json_get_bool(w, "associated", 0)) {
		fprintf(out, "  %-12s NOT ASSOCIATED\n", "radio");
	} else {
		fprintf(out, "  %-12s %s %s (%s), channel %s\n", "radio",
			json_has(w, "associated") ? "associated with" : "on (association not reported)",
			s_or(w, "ssid", "?"), s_or(w, "bssid", "?"), json_has(w, "channel") ?
			json_object_get_string(get(w, "channel")) : "?");
		fprintf(out, "  %-12s %s dBm", "signal", json_has(w, "signal_dbm") ?
			json_object_get_string(get(w, "signal_dbm")) : "?");
		if (json_has(w, "noise_dbm"))
			fprintf(out, ", noise %.0f dBm", json_get_num(w, "noise_dbm", 0));
		if (json_has(w, "tx_bitrate_mbps"))
			fprintf(out, ", tx %.1f Mbit/s", json_get_num(w, "tx_bitrate_mbps", 0));
		if (json_has(w, "slope_db_per_min"))
			fprintf(out, ", %+.1f dB/min", json_get_num(w, "slope_db_per_min", 0));
		fputc('\n', out);
	}
	if ((sc = get(w, "scan")))
		fprintf(out, "  %-12s %d networks, %d on or next to our channel%s%s\n", "neighbours",
			(int)json_get_num(sc, "networks_seen", 0),
			(int)json_get_num(sc, "neighbours_on_channel", 0),
			json_has(sc, "suggested_channel") ? "; less crowded: channel " : "",
			json_has(sc, "suggested_channel") ?
			json_object_get_string(get(sc, "suggested_channel")) : "");
	fprintf(out, "  %-12s %s, %d polls\n", "source", s_or(w, "source", "none found"),
		(int)json_get_num(w, "polls", 0));
	put_data(m, out);
	ctl_format_telemetry(m, out);
}

void ctl_fmt_wifi(json_object *d, FILE *out)
{
	each(d, fmt_one_radio, "no member of class wifi", out);
}

void ctl_fmt_dish_action(json_object *d, FILE *out)
{
	fprintf(out, "dish of %s: %s accepted; traffic on %s\n", s_or(d, "member", "?"),
		s_or(d, "action", "?"), s_or(d, "active_member", "none"));
}

void ctl_format_position(json_object *p, FILE *out)
{
	if (!p)
		return;
	if (!json_has(p, "source")) {
		fprintf(out, "  position     unknown (%s)\n", s_or(p, "reason", "no source"));
		return;
	}
	fprintf(out, "  position     %.5f, %.5f", json_get_num(p, "lat", 0), json_get_num(p, "lon", 0));
	if (json_has(p, "accuracy_m"))
		fprintf(out, " +-%.0f m", json_get_num(p, "accuracy_m", 0));
	fprintf(out, " from %s, %.0f s old\n", s_or(p, "source", "?"), json_get_num(p, "age_s", 0));
}
