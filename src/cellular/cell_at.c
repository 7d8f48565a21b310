/* cell_at: AT responses, one walker over the lines and a table of response
 * prefixes. Handled here: the 3GPP TS 27.007 responses (+CSQ, +CESQ, +COPS,
 * +CREG/+CGREG/+CEREG/+C5GREG, +CPIN, +CME ERROR) and Huawei's ^SYSINFO;
 * the vendors' are in cell_at_quectel.c and cell_at_vendor.c.
 *
 * The text can be a modem port's raw reply (echoed command, blank lines,
 * OK), `gsmctl -A`'s, or `mmcli --command`'s, which wraps the reply in
 * response: '...' with the quote running over several lines. */
#include "cellular/cell_at_internal.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define N_OF(t) (sizeof(t) / sizeof((t)[0]))
#define MAX_FIELDS 40

struct at_handler {
	const char *prefix;     /* up to the ':' */
	at_fn fn;
	at_fn cont;             /* for the lines that follow (multi-line reply) */
};

static const struct at_handler handlers[] = {
	{ "+CSQ", cell_at_csq, NULL },
	{ "+CESQ", cell_at_cesq, NULL },
	{ "+COPS", cell_at_cops, NULL },
	{ "+CREG", cell_at_creg, NULL },
	{ "+CGREG", cell_at_creg, NULL },
	{ "+CEREG", cell_at_creg, NULL },
	{ "+C5GREG", cell_at_creg, NULL },
	{ "+CPIN", cell_at_cpin, NULL },
	{ "+CME ERROR", cell_at_cme, NULL },
	{ "^SYSINFO", cell_at_sysinfo, NULL },
	{ "+QENG", cell_at_qeng, NULL },
	{ "+QNWINFO", cell_at_qnwinfo, NULL },
	{ "+QCAINFO", cell_at_qcainfo, NULL },
	{ "+QSPN", cell_at_qspn, NULL },
	{ "!GSTATUS", cell_at_gstatus, cell_at_gstatus_line },
	{ "+XLEC", cell_at_xlec, NULL },
	{ "+RSRP", cell_at_xrsrp, NULL },
	{ "+RSRQ", cell_at_xrsrq, NULL },
	{ "+XMCI", cell_at_xmci, NULL },
	{ "+CPSI", cell_at_cpsi, NULL },
	{ "+CMGRMI", cell_at_cmgrmi, NULL },
};

/* ---- shared helpers ----------------------------------------------------- */

bool cell_at_long(struct cell_span f, long *v)
{
	return !cell_field_blank(f) && !cell_span_long(f, v);
}

bool cell_at_double(struct cell_span f, double *v)
{
	return !cell_field_blank(f) && !cell_span_double(f, v);
}

void cell_at_registered(struct at_ctx *c)
{
	if (c->s->state == CELL_MS_UNKNOWN || c->s->state == CELL_MS_SEARCHING)
		c->s->state = CELL_MS_REGISTERED;
}

int cell_at_band(struct cell_span f)
{
	long band;
	f = cell_trim(f);
	size_t i = f.n;
	while (i && isdigit((unsigned char)f.p[i - 1]))
		i--;
	/* the number must follow a "BAND" ("BAND_LTE_3") or a lone "B"/"n" */
	struct cell_span head = cell_trim(cell_span_of(f.p, i));
	while (head.n && (head.p[head.n - 1] == '_' || head.p[head.n - 1] == '-' ||
			  head.p[head.n - 1] == ' '))
		head.n--;
	bool ok = cell_span_ieq(head, "B") || cell_span_ieq(head, "n");
	for (size_t k = 0; !ok && k + 4 <= head.n; k++)
		ok = !strncasecmp(head.p + k, "BAND", 4);
	if (!ok || cell_span_long(cell_span_from(f, i), &band) || band <= 0 || band > 1024)
		return -1;
	return (int)band;
}

/* ---- 27.007 ------------------------------------------------------------- */

/* +CSQ: <rssi>,<ber>. rssi 0 is -113 dBm or less, 1 is -111, 2..30 are
 * -109..-53 in 2 dB steps, 31 is -51 or more: dBm = -113 + 2 * rssi;
 * 99 is unknown (an LTE-only modem often says 99). */
bool cell_at_csq(struct at_ctx *c, struct cell_span body)
{
	struct cell_span f[2];
	long rssi;
	if (cell_fields(body, f, 2) < 1 || !cell_at_long(f[0], &rssi) || rssi < 0)
		return false;
	if (rssi <= 31) {
		c->s->csq = (int)rssi;
		cell_hint_double(&c->s->rssi_dbm, -113.0 + 2.0 * (double)rssi);
	}
	return true;
}

/* +CESQ: <rxlev>,<ber>,<rscp>,<ecno>,<rsrq>,<rsrp>. Each is an index of
 * 1 dB or 0.5 dB steps; the lower edge of the step is taken:
 *   rxlev 0..63 (99 unknown):  dBm = -111 + n   (0: < -110 dBm)
 *   rscp  0..96 (255 unknown): dBm = -121 + n   (0: < -120 dBm)
 *   ecno  0..49 (255 unknown): dB  = -24.5 + n/2 (0: < -24 dB)
 *   rsrq  0..34 (255 unknown): dB  = -20 + n/2   (0: < -19.5 dB)
 *   rsrp  0..97 (255 unknown): dBm = -141 + n   (0: < -140 dBm) */
bool cell_at_cesq(struct at_ctx *c, struct cell_span body)
{
	struct cell_span f[6];
	long v[6];
	if (cell_fields(body, f, 6) != 6)
		return false;
	for (int i = 0; i < 6; i++)
		if (!cell_at_long(f[i], &v[i]))
			return false;
	if (v[0] >= 0 && v[0] <= 63)
		cell_hint_double(&c->s->rssi_dbm, -111.0 + (double)v[0]);
	if (v[2] >= 0 && v[2] <= 96)
		c->s->rscp_dbm = -121.0 + (double)v[2];
	if (v[3] >= 0 && v[3] <= 49)
		c->s->ecio_db = -24.5 + (double)v[3] / 2.0;
	if (v[4] >= 0 && v[4] <= 34)
		c->s->rsrq_db = -20.0 + (double)v[4] / 2.0;
	if (v[5] >= 0 && v[5] <= 97)
		c->s->rsrp_dbm = -141.0 + (double)v[5];
	return true;
}

static void cops_operator(struct at_ctx *c, long format, struct cell_span oper)
{
	if (cell_field_blank(oper))
		return;
	if (format == 2)
		cell_copy_text(c->s->operator_code, sizeof(c->s->operator_code), oper);
	else if (format == 0 || format == 1)
		cell_copy_text(c->s->operator_name, sizeof(c->s->operator_name), oper);
}

/* 27.007's names of the <AcT> values, for tech_text. */
static const char *const act_names[] = {
	"GSM", "GSM Compact", "UTRAN", "GSM w/EGPRS", "UTRAN w/HSDPA", "UTRAN w/HSUPA",
	"UTRAN w/HSDPA+HSUPA", "E-UTRAN", "EC-GSM-IoT", "E-UTRAN NB-S1", "E-UTRA/5GCN",
	"NR/5GCN", "NG-RAN", "E-UTRA-NR dual",
};

static void act_hint(struct at_ctx *c, struct cell_span f)
{
	long act;
	if (!cell_at_long(f, &act) || act < 0 || (size_t)act >= N_OF(act_names))
		return;
	cell_tech_add(&c->act, cell_tech_from_act(act),
		      cell_span_of(act_names[act], strlen(act_names[act])));
}

/* The test form, +COPS: (<stat>,"long","short","numeric"[,<AcT>]),...: the
 * entry with stat 2 is the current operator. Some modems (the Marvell one
 * in the captures) answer the read command in that shape too:
 * (<mode>,<format>,"oper",<AcT>,...) — a small number second tells it. */
static bool cops_groups(struct at_ctx *c, struct cell_span body)
{
	bool any = false;
	for (size_t i = 0; i < body.n; i++) {
		if (body.p[i] != '(')
			continue;
		struct cell_span rest = cell_span_from(body, i + 1);
		long close = cell_span_find(rest, ')');
		if (close < 0)
			break;
		struct cell_span f[6];
		size_t n = cell_fields(cell_span_of(rest.p, (size_t)close), f, 6);
		long a, b;
		i += (size_t)close + 1;
		if (n >= 3 && cell_at_long(f[0], &a) && cell_at_long(f[1], &b) && b >= 0 && b <= 2) {
			cops_operator(c, b, f[2]);
			if (n >= 4)
				act_hint(c, f[3]);
			return true;
		}
		if (n >= 4 && cell_at_long(f[0], &a) && a == 2) {
			cops_operator(c, 0, f[1]);
			cops_operator(c, 2, f[3]);
			if (n >= 5)
				act_hint(c, f[4]);
			return true;
		}
		any = any || n >= 4;
	}
	return any;
}

/* +COPS: <mode>[,<format>,<oper>[,<AcT>]] */
bool cell_at_cops(struct at_ctx *c, struct cell_span body)
{
	struct cell_span f[4];
	long mode, format;
	body = cell_trim(body);
	if (body.n && body.p[0] == '(')
		return cops_groups(c, body);
	size_t n = cell_fields(body, f, 4);
	if (n < 1 || !cell_at_long(f[0], &mode))
		return false;
	if (n >= 3 && cell_at_long(f[1], &format))
		cops_operator(c, format, f[2]);
	if (n >= 4)
		act_hint(c, f[3]);
	return true;
}

/* <stat> of +CREG/+CGREG/+CEREG/+C5GREG (27.007 10.1.19-22). */
static const enum cell_reg reg_stats[] = {
	[0] = CELL_REG_IDLE,            /* not registered, not searching */
	[1] = CELL_REG_HOME,
	[2] = CELL_REG_SEARCHING,
	[3] = CELL_REG_DENIED,
	[4] = CELL_REG_UNKNOWN,
	[5] = CELL_REG_ROAMING,
	[6] = CELL_REG_HOME,            /* home, SMS only */
	[7] = CELL_REG_ROAMING,         /* roaming, SMS only */
	[8] = CELL_REG_IDLE,            /* attached for emergency bearer services only */
	[9] = CELL_REG_HOME,            /* home, CSFB not preferred */
	[10] = CELL_REG_ROAMING,        /* roaming, CSFB not preferred */
	[11] = CELL_REG_IDLE,           /* attached for access to RLOS */
};

/* Read form <n>,<stat>[,<lac|tac>,<ci>[,<AcT>...]], unsolicited form
 * <stat>[,<lac|tac>,<ci>[,<AcT>]]: the area code is quoted hex in the
 * unsolicited form ("+CREG: 1,\"00A8\",..."), so a quoted second field
 * means no <n>. Bare hex ("3584,ef4a08") is read the same. */
bool cell_at_creg(struct at_ctx *c, struct cell_span body)
{
	struct cell_span f[8];
	size_t n = cell_fields(body, f, 8);
	long stat;
	size_t k = 1;           /* index of <stat> */
	if (n < 1)
		return false;
	if (n == 1 || (n >= 3 && f[1].p > body.p && f[1].p[-1] == '"'))
		k = 0;
	if (!cell_at_long(f[k], &stat) || stat < 0)
		return false;
	enum cell_reg r = (size_t)stat < N_OF(reg_stats) ? reg_stats[stat] : CELL_REG_UNKNOWN;
	cell_merge_reg(c->s, r);
	if (r == CELL_REG_HOME || r == CELL_REG_ROAMING) {
		cell_at_registered(c);
		if (n > k + 2 && !cell_field_blank(f[k + 1]) && !cell_field_blank(f[k + 2])) {
			cell_copy_hex(c->s->tac, sizeof(c->s->tac), f[k + 1]);
			cell_copy_hex(c->s->cell_id, sizeof(c->s->cell_id), f[k + 2]);
		}
		if (n > k + 3)
			act_hint(c, f[k + 3]);
	} else if (r == CELL_REG_SEARCHING && c->s->state == CELL_MS_UNKNOWN) {
		c->s->state = CELL_MS_SEARCHING;
	}
	return true;
}

static void sim_failed(struct cell_sample *s, const char *reason)
{
	s->state = CELL_MS_FAILED;
	snprintf(s->state_reason, sizeof(s->state_reason), "%s", reason);
}

static void sim_locked(struct cell_sample *s, const char *reason)
{
	s->state = CELL_MS_LOCKED;
	snprintf(s->state_reason, sizeof(s->state_reason), "%s", reason);
}

/* +CPIN: READY | SIM PIN | SIM PUK | PH-SIM PIN | ... (27.007 8.3). PIN2/
 * PUK2 lock only the fixed dialling numbers, not the modem. */
bool cell_at_cpin(struct at_ctx *c, struct cell_span body)
{
	static const struct { const char *code, *reason; } locks[] = {
		{ "SIM PIN", "sim-pin" }, { "SIM PUK", "sim-puk" },
		{ "PH-SIM PIN", "ph-sim-pin" }, { "PH-FSIM PIN", "ph-fsim-pin" },
		{ "PH-FSIM PUK", "ph-fsim-puk" }, { "PH-NET PIN", "ph-net-pin" },
		{ "PH-NET PUK", "ph-net-puk" }, { "PH-NETSUB PIN", "ph-netsub-pin" },
		{ "PH-SP PIN", "ph-sp-pin" }, { "PH-CORP PIN", "ph-corp-pin" },
	};
	body = cell_trim(body);
	if (cell_span_ieq(body, "READY") || cell_span_ieq(body, "SIM PIN2") ||
	    cell_span_ieq(body, "SIM PUK2"))
		return true;
	if (cell_span_ieq(body, "NOT INSERTED") || cell_span_ieq(body, "NO SIM")) {
		sim_failed(c->s, "sim-missing");
		return true;
	}
	for (size_t i = 0; i < N_OF(locks); i++) {
		if (cell_span_ieq(body, locks[i].code)) {
			sim_locked(c->s, locks[i].reason);
			return true;
		}
	}
	return false;
}

/* +CME ERROR: 10 / "SIM not inserted" and the other SIM errors are about
 * the SIM whatever command got them (27.007 9.2.1). */
bool cell_at_cme(struct at_ctx *c, struct cell_span body)
{
	long code = -1;
	body = cell_trim(body);
	if (cell_span_long(body, &code) < 0)
		code = -1;
	if (code == 10 || cell_span_ieq(body, "SIM not inserted")) {
		sim_failed(c->s, "sim-missing");
		return true;
	}
	if (code == 13 || code == 15 || cell_span_ieq(body, "SIM failure") ||
	    cell_span_ieq(body, "SIM wrong")) {
		sim_failed(c->s, "sim-error");
		return true;
	}
	return false;
}

/* Huawei ^SYSINFO: <srv_status>,<srv_domain>,<roam_status>,<sys_mode>,
 * <sim_state>[,<lock_state>,<sys_submode>]. srv_status 2 is "valid
 * service"; sys_mode 0 none, 1 AMPS, 2 CDMA, 3 GSM/GPRS, 4 HDR, 5 WCDMA,
 * 6 GPS, 7 GSM/WCDMA, 8 CDMA/HDR hybrid, 15 TD-SCDMA, 17 LTE; sim_state 255
 * is "no SIM". */
bool cell_at_sysinfo(struct at_ctx *c, struct cell_span body)
{
	static const struct cell_name_val modes[] = {
		{ "2", CELL_TECH_GSM }, { "3", CELL_TECH_GSM }, { "4", CELL_TECH_UMTS },
		{ "5", CELL_TECH_UMTS }, { "7", CELL_TECH_UMTS }, { "8", CELL_TECH_UMTS },
		{ "15", CELL_TECH_UMTS }, { "17", CELL_TECH_LTE },
	};
	static const char *const mode_text[] = {
		[2] = "CDMA", [3] = "GSM", [4] = "HDR", [5] = "WCDMA", [7] = "GSM/WCDMA",
		[8] = "CDMA/HDR", [15] = "TD-SCDMA", [17] = "LTE",
	};
	struct cell_span f[7];
	long srv, roam, mode, sim;
	if (cell_fields(body, f, 7) < 5 || !cell_at_long(f[0], &srv) ||
	    !cell_at_long(f[2], &roam) || !cell_at_long(f[3], &mode) || !cell_at_long(f[4], &sim))
		return false;
	if (srv == 2) {
		cell_merge_reg(c->s, roam ? CELL_REG_ROAMING : CELL_REG_HOME);
		cell_at_registered(c);
	}
	enum cell_tech t = cell_lookup(modes, N_OF(modes), f[3], CELL_TECH_UNKNOWN);
	if (t != CELL_TECH_UNKNOWN && mode >= 0 && (size_t)mode < N_OF(mode_text))
		cell_tech_add(&c->tech, t, cell_span_of(mode_text[mode], strlen(mode_text[mode])));
	if (sim == 255)
		sim_failed(c->s, "sim-missing");
	return true;
}

/* ---- the walker ---------------------------------------------------------- */

static const struct at_handler *find_handler(struct cell_span line, struct cell_span *body)
{
	if (!line.n || !line.p[0] || !strchr("+^!$#*", line.p[0]))
		return NULL;
	long colon = cell_span_find(line, ':');
	if (colon <= 1)
		return NULL;
	struct cell_span prefix = cell_trim(cell_span_of(line.p, (size_t)colon));
	for (size_t i = 0; i < N_OF(handlers); i++) {
		if (cell_span_ieq(prefix, handlers[i].prefix)) {
			*body = cell_span_from(line, (size_t)colon + 1);
			return &handlers[i];
		}
	}
	return NULL;
}

/* An echoed command: "AT+CSQ", "at+qnwinfo;+qcainfo", "AT!GSTATUS?", "ATI"
 * (a report line such as "ATTACH state: ..." has a ':'). */
static bool is_echo(struct cell_span l)
{
	if (l.n < 2 || (l.p[0] != 'A' && l.p[0] != 'a') || (l.p[1] != 'T' && l.p[1] != 't'))
		return false;
	if (l.n == 2)
		return true;
	char c = l.p[2];
	return (c && strchr("+^!$#*&", c)) ||
	       (isalpha((unsigned char)c) && cell_span_find(l, ':') < 0);
}

static bool is_final_error(struct cell_span l)
{
	return cell_span_ieq(l, "ERROR") || cell_span_iprefix(l, "+CME ERROR") ||
	       cell_span_iprefix(l, "+CMS ERROR") || cell_span_ieq(l, "COMMAND NOT SUPPORT") ||
	       cell_span_ieq(l, "NO CARRIER");
}

/* The next response line: mmcli's "response: '" wrapper and its closing
 * quote removed, blanks trimmed. */
static bool next_at_line(const char *text, size_t len, size_t *pos, bool *quoted,
			 struct cell_span *out)
{
	struct cell_span line;
	if (!cell_next_line(text, len, pos, &line))
		return false;
	line = cell_trim(line);
	if (cell_span_iprefix(line, "response: '")) {
		line = cell_span_from(line, strlen("response: '"));
		*quoted = true;
	}
	if (*quoted && line.n && line.p[line.n - 1] == '\'') {
		line.n--;
		*quoted = false;
	}
	*out = cell_trim(line);
	return true;
}

static void finish(struct at_ctx *c)
{
	if (!isnan(c->gs_rsrp))
		c->s->rsrp_dbm = c->gs_rsrp;
	if (!isnan(c->gs_rssi))
		c->s->rssi_dbm = c->gs_rssi;
	cell_tech_commit(c->s, &c->tech, false);
	cell_tech_commit(c->s, &c->act, true);
}

int cell_at_parse(const char *text, size_t len, struct cell_sample *s)
{
	struct at_ctx c = { .s = s, .gs_rsrp = NAN, .gs_rssi = NAN };
	const struct at_handler *cur = NULL;
	struct cell_span line, body;
	size_t pos = 0;
	bool quoted = false, known = false;
	while (next_at_line(text, len, &pos, &quoted, &line)) {
		if (!line.n)
			continue;       /* blank lines also sit inside !GSTATUS */
		const struct at_handler *h = find_handler(line, &body);
		if (h) {
			known |= h->fn(&c, body);
			cur = h->cont ? h : NULL;
		} else if (cell_span_ieq(line, "OK") || is_final_error(line) || is_echo(line)) {
			cur = NULL;
		} else if (cur) {
			known |= cur->cont(&c, line);
		}
	}
	if (!known)
		return -1;
	finish(&c);
	cell_set_source(s, "at");
	return 0;
}

bool cell_at_error(const char *text, size_t len)
{
	struct cell_span line;
	size_t pos = 0;
	bool quoted = false;
	while (next_at_line(text, len, &pos, &quoted, &line))
		if (is_final_error(line))
			return true;
	return false;
}
