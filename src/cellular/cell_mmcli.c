/* cell_mmcli: ModemManager's JSON (`mmcli -m N -J`, `--signal-get -J`,
 * `-L -J`) and the names ModemManager uses, shared with the text parser.
 * mmcli prints one line of JSON; projects that keep captures often
 * pretty-print it (tabs or spaces): json-c reads both. Every value is a
 * string and "--" means unknown. */
#include "cellular/cell_util.h"

#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stddef.h>
#include <string.h>

static const struct cell_name_val mm_states[] = {
	{ "failed", CELL_MS_FAILED }, { "unknown", CELL_MS_UNKNOWN },
	{ "initializing", CELL_MS_UNKNOWN }, { "locked", CELL_MS_LOCKED },
	{ "disabled", CELL_MS_DISABLED }, { "disabling", CELL_MS_DISABLED },
	{ "enabling", CELL_MS_DISABLED },
	/* enabled but not (yet) registered: ModemManager moves on to
	 * searching/registered, so a modem left here is not in service */
	{ "enabled", CELL_MS_SEARCHING },
	{ "searching", CELL_MS_SEARCHING }, { "registered", CELL_MS_REGISTERED },
	{ "disconnecting", CELL_MS_REGISTERED }, { "connecting", CELL_MS_CONNECTING },
	{ "connected", CELL_MS_CONNECTED },
};

/* MMModem3gppRegistrationState names. */
static const struct cell_name_val mm_regs[] = {
	{ "home", CELL_REG_HOME }, { "roaming", CELL_REG_ROAMING },
	{ "searching", CELL_REG_SEARCHING }, { "denied", CELL_REG_DENIED },
	{ "idle", CELL_REG_IDLE }, { "unknown", CELL_REG_UNKNOWN },
	{ "home-sms-only", CELL_REG_HOME }, { "roaming-sms-only", CELL_REG_ROAMING },
	{ "home-csfb-not-preferred", CELL_REG_HOME },
	{ "roaming-csfb-not-preferred", CELL_REG_ROAMING },
	/* attached for emergency calls only: no service for us */
	{ "emergency-only", CELL_REG_IDLE }, { "attached-rlos", CELL_REG_IDLE },
};

#define N_OF(t) (sizeof(t) / sizeof((t)[0]))

void cell_mm_state(struct cell_sample *s, struct cell_span v)
{
	if (!cell_field_blank(v))
		s->state = cell_lookup(mm_states, N_OF(mm_states), v, CELL_MS_UNKNOWN);
}

void cell_mm_reg(struct cell_sample *s, struct cell_span v)
{
	if (!cell_field_blank(v))
		cell_set_reg(s, cell_lookup(mm_regs, N_OF(mm_regs), v, CELL_REG_UNKNOWN));
}

/* ModemManager starts every modem at quality 0, not recent: 0 that is not
 * recent is "never measured", any other value is a reading. */
void cell_mm_quality(struct cell_sample *s, long pct, bool recent)
{
	if (pct < 0 || pct > 100 || (pct == 0 && !recent))
		return;
	s->signal_pct = (int)pct;
}

int cell_mm_path_index(struct cell_span path, const char *kind)
{
	char want[24];
	long idx;
	int n = snprintf(want, sizeof(want), "/%s/", kind);
	path = cell_trim(path);
	if (n <= 0 || (size_t)n >= sizeof(want) || path.n <= (size_t)n)
		return -1;
	/* the last "/Kind/" in the path, then digits to the end */
	for (size_t k = path.n - (size_t)n + 1; k-- > 0;) {
		size_t i = k;
		if (strncmp(path.p + i, want, (size_t)n))
			continue;
		struct cell_span tail = cell_span_from(path, i + (size_t)n);
		if (cell_span_long(tail, &idx) || idx < 0 || idx > INT_MAX ||
		    tail.p[0] < '0' || tail.p[0] > '9')
			return -1;
		return (int)idx;
	}
	return -1;
}

static void copy_known(char *dst, size_t size, struct cell_span v)
{
	if (!cell_field_blank(v))
		cell_copy_text(dst, size, v);
}

/* ---- mmcli -m N -J ------------------------------------------------------- */

static void modem_generic(json_object *g, struct cell_sample *s, struct cell_modem_id *id)
{
	cell_mm_state(s, cell_json_str(g, "state"));
	copy_known(s->state_reason, sizeof(s->state_reason), cell_json_str(g, "state-failed-reason"));

	struct cell_tech_acc acc = { CELL_TECH_UNKNOWN, "" };
	json_object *techs = cell_json_child(g, "access-technologies", json_type_array);
	for (size_t i = 0; techs && i < json_object_array_length(techs); i++) {
		json_object *t = json_object_array_get_idx(techs, i);
		if (json_object_is_type(t, json_type_string))
			cell_tech_add(&acc, cell_tech_parse(json_object_get_string(t)),
				      cell_span_of(json_object_get_string(t),
						   (size_t)json_object_get_string_len(t)));
	}
	cell_tech_commit(s, &acc, false);

	json_object *q = cell_json_child(g, "signal-quality", json_type_object);
	long pct;
	if (q && !cell_span_long(cell_json_str(q, "value"), &pct))
		cell_mm_quality(s, pct, cell_span_ieq(cell_json_str(q, "recent"), "yes"));

	if (!id)
		return;
	copy_known(id->manufacturer, sizeof(id->manufacturer), cell_json_str(g, "manufacturer"));
	copy_known(id->model, sizeof(id->model), cell_json_str(g, "model"));
	json_object *bearers = cell_json_child(g, "bearers", json_type_array);
	json_object *b0 = bearers && json_object_array_length(bearers) ?
			  json_object_array_get_idx(bearers, 0) : NULL;
	if (b0 && json_object_is_type(b0, json_type_string))
		id->bearer = cell_mm_path_index(cell_span_of(json_object_get_string(b0),
					(size_t)json_object_get_string_len(b0)), "Bearer");
}

static void modem_3gpp(json_object *g, struct cell_sample *s)
{
	cell_mm_reg(s, cell_json_str(g, "registration-state"));
	copy_known(s->operator_code, sizeof(s->operator_code), cell_json_str(g, "operator-code"));
	copy_known(s->operator_name, sizeof(s->operator_name), cell_json_str(g, "operator-name"));
}

int cell_mmcli_modem_json(const char *text, size_t len, struct cell_sample *s,
			  struct cell_modem_id *id)
{
	json_object *root = cell_json_parse(text, len);
	json_object *modem = cell_json_child(root, "modem", json_type_object);
	json_object *gen = cell_json_child(modem, "generic", json_type_object);
	json_object *g3 = cell_json_child(modem, "3gpp", json_type_object);
	if (!gen && !g3) {
		json_object_put(root);
		return -1;
	}
	if (id) {
		memset(id, 0, sizeof(*id));
		id->bearer = -1;
	}
	if (gen)
		modem_generic(gen, s, id);
	if (g3)
		modem_3gpp(g3, s);
	cell_set_source(s, "mmcli");
	json_object_put(root);
	return 0;
}

/* ---- mmcli -m N --signal-get -J ------------------------------------------ */

/* Which figure each section's key fills. A 3G/2G RSSI only fills in: with
 * several sections reporting, the LTE one is the serving radio's. */
static const struct {
	const char *section, *key;
	size_t off;
	bool hint;
} sig_fields[] = {
	{ "lte", "rsrp", offsetof(struct cell_sample, rsrp_dbm), false },
	{ "lte", "rsrq", offsetof(struct cell_sample, rsrq_db), false },
	{ "lte", "rssi", offsetof(struct cell_sample, rssi_dbm), false },
	{ "lte", "snr", offsetof(struct cell_sample, sinr_db), false },
	{ "5g", "rsrp", offsetof(struct cell_sample, nr_rsrp_dbm), false },
	{ "5g", "rsrq", offsetof(struct cell_sample, nr_rsrq_db), false },
	{ "5g", "snr", offsetof(struct cell_sample, nr_sinr_db), false },
	{ "nr5g", "rsrp", offsetof(struct cell_sample, nr_rsrp_dbm), false },
	{ "nr5g", "rsrq", offsetof(struct cell_sample, nr_rsrq_db), false },
	{ "nr5g", "snr", offsetof(struct cell_sample, nr_sinr_db), false },
	{ "umts", "rscp", offsetof(struct cell_sample, rscp_dbm), false },
	{ "umts", "ecio", offsetof(struct cell_sample, ecio_db), false },
	{ "umts", "rssi", offsetof(struct cell_sample, rssi_dbm), true },
	{ "gsm", "rssi", offsetof(struct cell_sample, rssi_dbm), true },
	{ "cdma1x", "rssi", offsetof(struct cell_sample, rssi_dbm), true },
	{ "cdma1x", "ecio", offsetof(struct cell_sample, ecio_db), true },
	{ "evdo", "rssi", offsetof(struct cell_sample, rssi_dbm), true },
	{ "evdo", "ecio", offsetof(struct cell_sample, ecio_db), true },
};

/* "-92.00" (what mmcli prints) or a JSON number (in case it ever does). */
static int sig_value(json_object *sec, const char *key, double *out)
{
	json_object *v;
	if (!json_object_object_get_ex(sec, key, &v) || !v)
		return -1;
	if (json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)) {
		*out = json_object_get_double(v);
		return 0;
	}
	if (!json_object_is_type(v, json_type_string))
		return -1;
	return cell_span_double(cell_span_of(json_object_get_string(v),
				(size_t)json_object_get_string_len(v)), out);
}

int cell_mmcli_signal_json(const char *text, size_t len, struct cell_sample *s)
{
	json_object *root = cell_json_parse(text, len);
	json_object *sig = cell_json_child(cell_json_child(root, "modem", json_type_object), "signal",
				 json_type_object);
	if (!sig) {
		json_object_put(root);
		return -1;
	}
	for (size_t i = 0; i < N_OF(sig_fields); i++) {
		json_object *sec = cell_json_child(sig, sig_fields[i].section, json_type_object);
		double v;
		if (!sec || sig_value(sec, sig_fields[i].key, &v))
			continue;
		double *dst = (double *)((char *)s + sig_fields[i].off);
		if (sig_fields[i].hint)
			cell_hint_double(dst, v);
		else
			cell_put(dst, v);
	}
	cell_set_source(s, "mmcli");
	json_object_put(root);
	return 0;
}

/* ---- mmcli -L [-J] ------------------------------------------------------- */

static int list_json(json_object *root, int *idx, size_t max)
{
	json_object *list = cell_json_child(root, "modem-list", json_type_array);
	if (!list)
		return -1;
	size_t n = 0;
	for (size_t i = 0; i < json_object_array_length(list) && n < max; i++) {
		json_object *p = json_object_array_get_idx(list, i);
		if (!json_object_is_type(p, json_type_string))
			continue;
		int k = cell_mm_path_index(cell_span_of(json_object_get_string(p),
				(size_t)json_object_get_string_len(p)), "Modem");
		if (k >= 0)
			idx[n++] = k;
	}
	return (int)n;
}

/* One modem a line: "    /org/freedesktop/ModemManager1/Modem/0 [Quectel] EG25";
 * with none, mmcli prints "No modems were found". */
static int list_text(const char *text, size_t len, int *idx, size_t max)
{
	struct cell_span line;
	size_t pos = 0, n = 0;
	bool known = false;
	while (cell_next_line(text, len, &pos, &line)) {
		line = cell_trim(line);
		if (cell_span_iprefix(line, "No modems were found")) {
			known = true;
			continue;
		}
		long sp = cell_span_find(line, ' ');
		struct cell_span path = sp < 0 ? line : cell_span_of(line.p, (size_t)sp);
		if (!cell_span_iprefix(path, "/org/freedesktop/ModemManager1/Modem/"))
			continue;
		int k = cell_mm_path_index(path, "Modem");
		if (k < 0)
			continue;
		known = true;
		if (n < max)
			idx[n++] = k;
	}
	return known ? (int)n : -1;
}

int cell_mmcli_list(const char *text, size_t len, int *idx, size_t max)
{
	json_object *root = cell_json_parse(text, len);
	int n = root ? list_json(root, idx, max) : -1;
	json_object_put(root);
	return n >= 0 ? n : list_text(text, len, idx, max);
}
