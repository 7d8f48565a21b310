/* cell_qmi: the modem's QMI answers as OpenWrt's uqmi (JSON) and libqmi's
 * qmicli (text) print them.
 *
 * Units (the QMI NAS "Get Signal Info" TLVs): RSSI, RSRP, RSCP in dBm and
 * LTE RSRQ in dB as integers; LTE and 5G SNR in 0.1 dB; WCDMA/CDMA Ec/Io in
 * -0.5 dB steps. qmicli scales them itself (qmicli-nas.c prints
 * "(0.1) * snr" and "(-0.5) * ecio"). uqmi (openwrt uqmi commands-nas.c,
 * cmd_nas_get_signal_info_cb) prints the raw integers — an LTE "snr" of 250
 * is 25.0 dB — except newer versions, which print the SNRs as doubles
 * already multiplied by 0.1 ("snr": 25.000000) and, with 5G EN-DC, an
 * array of two objects (LTE, then "type": "5gnr"). So an integer SNR is in
 * 0.1 dB and a double is in dB. -32768 marks a 5G figure of an NR leg that
 * is not connected. */
#include "cellular/cell_util.h"

#include <json-c/json.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define N_OF(t) (sizeof(t) / sizeof((t)[0]))
#define NR_NOT_CONNECTED (-32768.0)

enum scale { SC_1, SC_TENTH, SC_MINUS_HALF };

struct qmi_field {
	const char *block;      /* uqmi "type" / qmicli block name */
	const char *key;
	size_t off;
	enum scale scale;       /* of an integer value */
	bool hint;              /* only fills an unknown figure */
};

#define F(field) offsetof(struct cell_sample, field)

/* uqmi's keys per "type" (commands-nas.c). GSM's and TD-SCDMA's single
 * figure is called "signal". */
static const struct qmi_field uqmi_fields[] = {
	{ "lte", "rssi", F(rssi_dbm), SC_1, false },
	{ "lte", "rsrq", F(rsrq_db), SC_1, false },
	{ "lte", "rsrp", F(rsrp_dbm), SC_1, false },
	{ "lte", "snr", F(sinr_db), SC_TENTH, false },
	{ "5gnr", "rsrp", F(nr_rsrp_dbm), SC_1, false },
	{ "5gnr", "rsrq", F(nr_rsrq_db), SC_1, false },
	{ "5gnr", "snr", F(nr_sinr_db), SC_TENTH, false },
	{ "wcdma", "rssi", F(rssi_dbm), SC_1, true },
	{ "wcdma", "ecio", F(ecio_db), SC_MINUS_HALF, false },
	{ "tdma", "signal", F(rscp_dbm), SC_1, false },
	{ "gsm", "signal", F(rssi_dbm), SC_1, true },
	{ "cdma", "rssi", F(rssi_dbm), SC_1, true },
	{ "cdma", "ecio", F(ecio_db), SC_MINUS_HALF, true },
	{ "hdr", "rssi", F(rssi_dbm), SC_1, true },
	{ "hdr", "ecio", F(ecio_db), SC_MINUS_HALF, true },
};

/* qmicli's blocks and keys (get_signal_info_ready): values are already in
 * the unit printed next to them ('-47 dBm', '30.0 dB'). */
static const struct qmi_field qmicli_fields[] = {
	{ "LTE", "RSSI", F(rssi_dbm), SC_1, false },
	{ "LTE", "RSRQ", F(rsrq_db), SC_1, false },
	{ "LTE", "RSRP", F(rsrp_dbm), SC_1, false },
	{ "LTE", "SNR", F(sinr_db), SC_1, false },
	{ "5G", "RSRP", F(nr_rsrp_dbm), SC_1, false },
	{ "5G", "RSRQ", F(nr_rsrq_db), SC_1, false },
	{ "5G", "SNR", F(nr_sinr_db), SC_1, false },
	{ "WCDMA", "RSSI", F(rssi_dbm), SC_1, true },
	{ "WCDMA", "ECIO", F(ecio_db), SC_1, false },
	{ "TDMA", "RSCP", F(rscp_dbm), SC_1, false },
	{ "GSM", "RSSI", F(rssi_dbm), SC_1, true },
	{ "CDMA", "RSSI", F(rssi_dbm), SC_1, true },
	{ "CDMA", "ECIO", F(ecio_db), SC_1, true },
	{ "HDR", "RSSI", F(rssi_dbm), SC_1, true },
	{ "HDR", "ECIO", F(ecio_db), SC_1, true },
};

/* Block names -> the radio they report. */
static const struct cell_name_val qmi_blocks[] = {
	{ "lte", CELL_TECH_LTE }, { "5gnr", CELL_TECH_NR_SA }, { "5g", CELL_TECH_NR_SA },
	{ "wcdma", CELL_TECH_UMTS }, { "tdma", CELL_TECH_UMTS }, { "hdr", CELL_TECH_UMTS },
	{ "gsm", CELL_TECH_GSM }, { "cdma", CELL_TECH_GSM },
};

/* Stores v (already in its unit); false for a "not connected" marker. */
static bool put(struct cell_sample *s, const struct qmi_field *f, double v)
{
	/* -32768 (or the same scaled by 0.1) is below CELL_FIG_MIN too */
	if (!cell_fig_ok(v))
		return false;
	double *dst = (double *)((char *)s + f->off);
	if (f->hint)
		cell_hint_double(dst, v);
	else
		*dst = v;
	return true;
}

/* ---- uqmi --get-signal-info ---------------------------------------------- */

static bool uqmi_value(json_object *o, const struct qmi_field *f, double *out)
{
	json_object *v;
	if (!json_object_object_get_ex(o, f->key, &v) || !v)
		return false;
	if (json_object_is_type(v, json_type_double)) {
		*out = json_object_get_double(v);       /* newer uqmi: in the unit */
		return isfinite(*out);
	}
	if (!json_object_is_type(v, json_type_int))
		return false;
	double raw = (double)json_object_get_int64(v);
	if (raw <= NR_NOT_CONNECTED)
		return false;
	*out = f->scale == SC_TENTH ? raw * 0.1 : f->scale == SC_MINUS_HALF ? raw * -0.5 : raw;
	return true;
}

/* One {"type": ..., figures} object; false if it is not one. */
static bool uqmi_signal_obj(json_object *o, struct cell_sample *s, struct cell_tech_acc *acc)
{
	struct cell_span type = cell_json_str(o, "type");
	if (!type.n)
		return false;
	bool any = false;
	for (size_t i = 0; i < N_OF(uqmi_fields); i++) {
		double v;
		if (cell_span_ieq(type, uqmi_fields[i].block) &&
		    uqmi_value(o, &uqmi_fields[i], &v))
			any |= put(s, &uqmi_fields[i], v);
	}
	if (any)
		cell_tech_add(acc, cell_lookup(qmi_blocks, N_OF(qmi_blocks), type,
					       CELL_TECH_UNKNOWN), type);
	return true;
}

int cell_uqmi_signal(const char *text, size_t len, struct cell_sample *s)
{
	json_object *root = cell_json_parse(text, len);
	struct cell_tech_acc acc = { CELL_TECH_UNKNOWN, "" };
	bool ok = false;
	if (json_object_is_type(root, json_type_object)) {
		ok = uqmi_signal_obj(root, s, &acc);
	} else if (json_object_is_type(root, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(root); i++) {
			json_object *o = json_object_array_get_idx(root, i);
			if (json_object_is_type(o, json_type_object))
				ok |= uqmi_signal_obj(o, s, &acc);
		}
	}
	json_object_put(root);
	if (!ok)
		return -1;
	cell_tech_commit(s, &acc, false);
	cell_set_source(s, "uqmi");
	return 0;
}

/* ---- uqmi --get-serving-system ------------------------------------------- */

static const struct cell_name_val uqmi_regs[] = {
	{ "not_registered", CELL_REG_IDLE }, { "searching", CELL_REG_SEARCHING },
	{ "registering_denied", CELL_REG_DENIED }, { "unknown", CELL_REG_UNKNOWN },
};

static void uqmi_plmn(json_object *root, struct cell_sample *s)
{
	json_object *mcc = cell_json_child(root, "plmn_mcc", json_type_int);
	json_object *mnc = cell_json_child(root, "plmn_mnc", json_type_int);
	if (!mcc || !mnc)
		return;
	int64_t c = json_object_get_int64(mcc), n = json_object_get_int64(mnc);
	/* uqmi prints the MNC as a number: a 3-digit MNC with a leading zero
	 * ("030") cannot be told from a 2-digit one; 2 digits at least */
	if (c >= 0 && c <= 999 && n >= 0 && n <= 999)
		snprintf(s->operator_code, sizeof(s->operator_code), "%03d%02d", (int)c, (int)n);
}

int cell_uqmi_serving(const char *text, size_t len, struct cell_sample *s)
{
	json_object *root = cell_json_parse(text, len);
	struct cell_span reg = cell_json_str(root, "registration");
	json_object *roam = cell_json_child(root, "roaming", json_type_boolean);
	if (!reg.n && !roam && !cell_json_child(root, "plmn_mcc", json_type_int)) {
		json_object_put(root);
		return -1;
	}
	if (cell_span_ieq(reg, "registered")) {
		if (s->state == CELL_MS_UNKNOWN)
			s->state = CELL_MS_REGISTERED;
		/* registered, but home or roaming only if uqmi says which */
		if (roam)
			cell_set_reg(s, json_object_get_boolean(roam) ? CELL_REG_ROAMING
								       : CELL_REG_HOME);
	} else if (reg.n) {
		enum cell_reg r = cell_lookup(uqmi_regs, N_OF(uqmi_regs), reg, CELL_REG_UNKNOWN);
		if (r != CELL_REG_UNKNOWN)
			cell_set_reg(s, r);
		if (r == CELL_REG_SEARCHING && s->state == CELL_MS_UNKNOWN)
			s->state = CELL_MS_SEARCHING;
	}
	uqmi_plmn(root, s);
	struct cell_span desc = cell_json_str(root, "plmn_description");
	if (desc.n)
		cell_copy_text(s->operator_name, sizeof(s->operator_name), desc);
	/* newer uqmi: "radio_interface": ["lte"] */
	json_object *radios = cell_json_child(root, "radio_interface", json_type_array);
	struct cell_tech_acc acc = { CELL_TECH_UNKNOWN, "" };
	for (size_t i = 0; radios && i < json_object_array_length(radios); i++) {
		json_object *r = json_object_array_get_idx(radios, i);
		if (json_object_is_type(r, json_type_string))
			cell_tech_add(&acc, cell_tech_parse(json_object_get_string(r)),
				      cell_span_of(json_object_get_string(r),
						   (size_t)json_object_get_string_len(r)));
	}
	cell_tech_commit(s, &acc, true);
	json_object_put(root);
	cell_set_source(s, "uqmi");
	return 0;
}

/* ---- qmicli --nas-get-signal-info ---------------------------------------- */

/* "\tRSRP: '-70 dBm'": key and the number inside the quotes. */
static bool qmicli_line(struct cell_span line, struct cell_span *key, double *v)
{
	long colon = cell_span_find(line, ':');
	if (colon <= 0)
		return false;
	*key = cell_trim(cell_span_of(line.p, (size_t)colon));
	struct cell_span val = cell_trim(cell_span_from(line, (size_t)colon + 1));
	if (val.n < 2 || val.p[0] != '\'')
		return false;
	val = cell_span_from(val, 1);
	long sp = cell_span_find(val, ' '), q = cell_span_find(val, '\'');
	long end = sp >= 0 && (q < 0 || sp < q) ? sp : q;
	if (end <= 0)
		return false;
	return !cell_span_double(cell_span_of(val.p, (size_t)end), v);
}

int cell_qmicli_signal(const char *text, size_t len, struct cell_sample *s)
{
	struct cell_span line, block = { "", 0 };
	struct cell_tech_acc acc = { CELL_TECH_UNKNOWN, "" };
	size_t pos = 0;
	bool known = false, block_any = false;
	while (cell_next_line(text, len, &pos, &line)) {
		struct cell_span t = cell_trim(line);
		if (cell_span_iprefix(t, "[") && cell_span_has(t, "] Successfully got signal info")) {
			known = true;
			continue;
		}
		/* a block header starts in column 0 and ends with ':' */
		if (t.n > 1 && t.p == line.p && t.p[t.n - 1] == ':') {
			block = cell_span_of(t.p, t.n - 1);
			block_any = false;
			continue;
		}
		struct cell_span key;
		double v;
		if (!block.n || !qmicli_line(t, &key, &v))
			continue;
		for (size_t i = 0; i < N_OF(qmicli_fields); i++) {
			if (!cell_span_ieq(block, qmicli_fields[i].block) ||
			    !cell_span_ieq(key, qmicli_fields[i].key) ||
			    !put(s, &qmicli_fields[i], v))
				continue;
			known = true;
			if (!block_any)
				cell_tech_add(&acc, cell_lookup(qmi_blocks, N_OF(qmi_blocks), block,
							       CELL_TECH_UNKNOWN), block);
			block_any = true;
		}
	}
	if (!known)
		return -1;
	cell_tech_commit(s, &acc, false);
	cell_set_source(s, "qmicli");
	return 0;
}
