/* cell_at_vendor: Sierra Wireless !GSTATUS?, Fibocom (Intel XMM) +XLEC,
 * +RSRP, +RSRQ, +XMCI, and SIMCom +CPSI, +CMGRMI. */
#include "cellular/cell_at_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define N_OF(t) (sizeof(t) / sizeof((t)[0]))

/* ---- Sierra !GSTATUS? ---------------------------------------------------- */

/* "!GSTATUS:" alone; the report follows in "Key:  value   Key:  value"
 * columns (cell_at_gstatus_line). */
bool cell_at_gstatus(struct at_ctx *c, struct cell_span body)
{
	(void)c;
	return !cell_trim(body).n;
}

/* The value up to the first blank: "D5AC (54700)" -> "D5AC". */
static struct cell_span first_word(struct cell_span v)
{
	v = cell_trim(v);
	long sp = cell_span_find(v, ' ');
	return sp < 0 ? v : cell_span_of(v.p, (size_t)sp);
}

static void best_of(double *acc, struct cell_span v)
{
	double d;
	if (cell_at_double(first_word(v), &d) && cell_fig_ok(d) && (isnan(*acc) || d > *acc))
		*acc = d;
}

static void gs_value(struct at_ctx *c, struct cell_span key, struct cell_span val)
{
	struct cell_sample *s = c->s;
	double d;
	long l;
	if (cell_span_ieq(key, "System mode")) {
		char name[16];
		cell_copy_text(name, sizeof(name), first_word(val));
		cell_tech_add(&c->tech, cell_tech_parse(name), first_word(val));
	} else if (cell_span_ieq(key, "LTE band")) {
		int band = cell_at_band(first_word(val));
		if (band > 0)
			s->band = band;
	} else if (cell_span_ieq(key, "LTE Rx chan")) {
		if (cell_at_long(first_word(val), &l) && l >= 0 && l <= 0x7fffffff)
			s->earfcn = (int)l;
	} else if (cell_span_ieq(key, "EMM state")) {
		if (cell_span_ieq(first_word(val), "Registered"))
			cell_at_registered(c);
	} else if (cell_span_ieq(key, "PCC RxM RSSI") || cell_span_ieq(key, "PCC RxD RSSI")) {
		best_of(&c->gs_rssi, val);
	} else if (cell_span_ieq(key, "RSRP (dBm)")) {
		/* once per receive branch (RxM, RxD): the modem combines both, so
		 * the better one is the floor of what it receives */
		best_of(&c->gs_rsrp, val);
	} else if (cell_span_ieq(key, "RSRQ (dB)")) {
		if (cell_at_double(first_word(val), &d))
			cell_put(&s->rsrq_db, d);
	} else if (cell_span_ieq(key, "SINR (dB)")) {
		if (cell_at_double(first_word(val), &d))
			cell_put(&s->sinr_db, d);
	} else if (cell_span_ieq(key, "TAC")) {
		cell_copy_hex(s->tac, sizeof(s->tac), first_word(val));
	} else if (cell_span_ieq(key, "Cell ID")) {
		cell_copy_hex(s->cell_id, sizeof(s->cell_id), first_word(val));
	}
}

/* The next column of a line: text up to a run of two or more blanks. */
static bool next_column(struct cell_span line, size_t *pos, struct cell_span *col)
{
	size_t i = *pos;
	while (i < line.n && (line.p[i] == ' ' || line.p[i] == '\t'))
		i++;
	if (i >= line.n)
		return false;
	size_t start = i;
	while (i < line.n && line.p[i] != '\t' &&
	       !(line.p[i] == ' ' && (i + 1 >= line.n || line.p[i + 1] == ' ' ||
				      line.p[i + 1] == '\t')))
		i++;
	*col = cell_span_of(line.p + start, i - start);
	*pos = i;
	return true;
}

/* "RSRP (dBm):  -112" may be one column or "Key:" and a value column; a
 * column without ':' after a value ("Normal Service") adds nothing. */
bool cell_at_gstatus_line(struct at_ctx *c, struct cell_span line)
{
	struct cell_span col, key = { "", 0 };
	size_t pos = 0;
	bool any = false;
	while (next_column(line, &pos, &col)) {
		long colon = cell_span_find(col, ':');
		if (colon > 0) {
			key = cell_trim(cell_span_of(col.p, (size_t)colon));
			struct cell_span val = cell_trim(cell_span_from(col, (size_t)colon + 1));
			if (val.n) {
				gs_value(c, key, val);
				key.n = 0;
			}
			any = true;
		} else if (key.n) {
			gs_value(c, key, col);
			key.n = 0;
		}
	}
	return any;
}

/* ---- Fibocom (Intel XMM7360: L850-GL) ------------------------------------ */

/* +XLEC: <n>,<cells>,<bw>...,BAND_LTE_<b>...: the first band is the PCC's. */
bool cell_at_xlec(struct at_ctx *c, struct cell_span body)
{
	struct cell_span f[16];
	size_t n = cell_fields(body, f, 16);
	for (size_t i = 0; i < n; i++) {
		if (!cell_span_iprefix(f[i], "BAND_LTE_"))
			continue;
		int band = cell_at_band(f[i]);
		if (band > 0)
			c->s->band = band;
		cell_tech_add(&c->tech, CELL_TECH_LTE, cell_span_of("LTE", 3));
		return true;
	}
	return n >= 2;
}

/* +RSRP / +RSRQ: <pci>,<earfcn>,<value> per measured cell, the serving cell
 * first (in the capture its PCI and EARFCN are +XMCI's serving cell's).
 * Only fills in: +XMCI's serving-cell line is authoritative. */
static bool triplet_first(struct cell_span body, double *dst)
{
	struct cell_span f[3];
	long pci, earfcn;
	double v;
	if (cell_fields(body, f, 3) != 3 || !cell_at_long(f[0], &pci) ||
	    !cell_at_long(f[1], &earfcn) || !cell_at_double(f[2], &v))
		return false;
	cell_hint_double(dst, v);
	return true;
}

bool cell_at_xrsrp(struct at_ctx *c, struct cell_span body)
{
	return triplet_first(body, &c->s->rsrp_dbm);
}

bool cell_at_xrsrq(struct at_ctx *c, struct cell_span body)
{
	return triplet_first(body, &c->s->rsrq_db);
}

static bool hex_int(struct cell_span f, int *dst)
{
	unsigned long long v;
	if (cell_field_blank(f) || cell_span_hex(f, &v) || v > 0x7fffffff)
		return false;
	*dst = (int)v;
	return true;
}

/* +XMCI: <type>,<mcc>,<mnc>,"<tac>","<ci>","<pci>","<dl earfcn>",
 * "<ul earfcn>",<...>,<rsrp>,<rsrq>,...: type 4 is the LTE serving cell
 * (5 its neighbours). RSRP and RSRQ are 36.133 report indices:
 * dBm = n - 141 (0..97), dB = n / 2 - 20 (0..34) — in the capture 63 and 14
 * are +RSRP's -78.00 and +RSRQ's -13.00 for the same cell. */
enum { X_TYPE, X_MCC, X_MNC, X_TAC, X_CI, X_PCI, X_DL, X_UL, X_X8, X_RSRP, X_RSRQ, X_MIN };

bool cell_at_xmci(struct at_ctx *c, struct cell_span body)
{
	struct cell_span f[16];
	size_t n = cell_fields(body, f, 16);
	long type, rsrp, rsrq;
	struct cell_sample *s = c->s;
	if (n < X_MIN || !cell_at_long(f[X_TYPE], &type))
		return false;
	if (type != 4)
		return true;
	if (!s->operator_code[0])
		cell_set_plmn(s, f[X_MCC], f[X_MNC]);
	cell_copy_hex(s->tac, sizeof(s->tac), f[X_TAC]);
	cell_copy_hex(s->cell_id, sizeof(s->cell_id), f[X_CI]);
	hex_int(f[X_PCI], &s->pci);
	hex_int(f[X_DL], &s->earfcn);
	if (cell_at_long(f[X_RSRP], &rsrp) && rsrp >= 0 && rsrp <= 97)
		s->rsrp_dbm = (double)rsrp - 141.0;
	if (cell_at_long(f[X_RSRQ], &rsrq) && rsrq >= 0 && rsrq <= 34)
		s->rsrq_db = (double)rsrq / 2.0 - 20.0;
	cell_tech_add(&c->tech, CELL_TECH_LTE, cell_span_of("LTE", 3));
	return true;
}

/* ---- SIMCom --------------------------------------------------------------- */

/* A decimal cell id as hex, as every other source prints it (an NR cell
 * identity has 36 bits, an LTE one 28). */
static void dec_to_hex(char *dst, size_t size, struct cell_span f)
{
	long long v;
	char buf[24];
	if (cell_field_blank(f) || cell_span_llong(f, &v) || v < 0 || v > 0xfffffffffLL)
		return;
	int n = snprintf(buf, sizeof(buf), "%llX", (unsigned long long)v);
	if (n > 0 && (size_t)n < size)
		memcpy(dst, buf, (size_t)n + 1);
}

/* +CPSI (SIM7500/SIM7600/SIM7906 manuals): <mode>,<operation>,
 * <mcc>-<mnc>,<tac>,<cell id>,<pci>,<band>,<earfcn>,<dlbw>,<ulbw>,<rsrq>,
 * <rsrp>,<rssi>,<rssnr> for LTE, RSRQ/RSRP/RSSI in 0.1 dB(m), RSSNR in dB.
 * Other modes: the technology only. */
enum { P_MODE, P_OPER, P_PLMN, P_TAC, P_CELLID, P_PCI, P_BAND, P_EARFCN, P_DLBW, P_ULBW,
       P_RSRQ, P_RSRP, P_RSSI, P_SNR, P_LTE_MIN };

static void cpsi_plmn(struct cell_sample *s, struct cell_span f)
{
	long dash = cell_span_find(f, '-');
	if (dash > 0)
		cell_set_plmn(s, cell_span_of(f.p, (size_t)dash), cell_span_from(f, (size_t)dash + 1));
}

static void tenth(double *dst, struct cell_span f)
{
	double v;
	if (cell_at_double(f, &v))
		cell_put(dst, v / 10.0);
}

bool cell_at_cpsi(struct at_ctx *c, struct cell_span body)
{
	struct cell_span f[20];
	size_t n = cell_fields(body, f, 20);
	struct cell_sample *s = c->s;
	char name[24];
	double v;
	long l;
	if (n < 2)
		return false;
	if (cell_span_ieq(f[P_MODE], "NO SERVICE")) {
		if (s->state == CELL_MS_UNKNOWN)
			s->state = CELL_MS_SEARCHING;
		return true;
	}
	cell_copy_text(name, sizeof(name), f[P_MODE]);
	enum cell_tech t = cell_tech_parse(name);
	if (t == CELL_TECH_UNKNOWN)
		return false;
	cell_tech_add(&c->tech, t, f[P_MODE]);
	if (n > P_PLMN)
		cpsi_plmn(s, f[P_PLMN]);
	if (t != CELL_TECH_LTE || n < P_LTE_MIN)
		return true;
	cell_copy_hex(s->tac, sizeof(s->tac), f[P_TAC]);
	dec_to_hex(s->cell_id, sizeof(s->cell_id), f[P_CELLID]);
	if (cell_at_long(f[P_PCI], &l) && l >= 0 && l <= 0xffff)
		s->pci = (int)l;
	int band = cell_at_band(f[P_BAND]);
	if (band > 0)
		s->band = band;
	if (cell_at_long(f[P_EARFCN], &l) && l >= 0 && l <= 0x7fffffff)
		s->earfcn = (int)l;
	tenth(&s->rsrq_db, f[P_RSRQ]);
	tenth(&s->rsrp_dbm, f[P_RSRP]);
	tenth(&s->rssi_dbm, f[P_RSSI]);
	if (cell_at_double(f[P_SNR], &v))
		cell_put(&s->sinr_db, v);
	return true;
}

/* +CMGRMI: Serving_Cell,<earfcn>,<mcc>,<mnc>,<tac>,<?>,<cell id>,<band>,
 * <?>,<?>,<sinr>,<pci>,<rsrq>,<rsrp>,<rssi>,... No manual describes it; the
 * layout is read off the SIM7906 capture, where every field matches the
 * same modem's +CPSI (EARFCN 1725, TAC 3832 = 0x0EF8, cell 22060, band 3,
 * SINR 19, PCI 58, -107/-890/-625 next to -108/-889/-614 tenths). So it only
 * fills in what +CPSI did not give; the other +CMGRMI lines are skipped. */
enum { G_KIND, G_EARFCN, G_MCC, G_MNC, G_TAC, G_X5, G_CELLID, G_BAND, G_X8, G_X9, G_SINR,
       G_PCI, G_RSRQ, G_RSRP, G_RSSI, G_MIN };

static void hint_tenth(double *dst, struct cell_span f)
{
	double v;
	if (cell_at_double(f, &v))
		cell_hint_double(dst, v / 10.0);
}

static void hint_int(int *dst, struct cell_span f, long max)
{
	long v;
	if (*dst < 0 && cell_at_long(f, &v) && v >= 0 && v <= max)
		*dst = (int)v;
}

bool cell_at_cmgrmi(struct at_ctx *c, struct cell_span body)
{
	struct cell_span f[20];
	size_t n = cell_fields(body, f, 20);
	struct cell_sample *s = c->s;
	double v;
	long tac;
	if (n < 2)
		return false;
	if (!cell_span_ieq(f[G_KIND], "Serving_Cell") || n < G_MIN)
		return true;
	hint_int(&s->earfcn, f[G_EARFCN], 0x7fffffff);
	if (!s->operator_code[0])
		cell_set_plmn(s, f[G_MCC], f[G_MNC]);
	if (!s->tac[0] && cell_at_long(f[G_TAC], &tac) && tac >= 0 && tac <= 0xffffff)
		dec_to_hex(s->tac, sizeof(s->tac), f[G_TAC]);
	if (!s->cell_id[0])
		dec_to_hex(s->cell_id, sizeof(s->cell_id), f[G_CELLID]);
	hint_int(&s->band, f[G_BAND], 1024);
	hint_int(&s->pci, f[G_PCI], 0xffff);
	if (cell_at_double(f[G_SINR], &v))
		cell_hint_double(&s->sinr_db, v);
	hint_tenth(&s->rsrq_db, f[G_RSRQ]);
	hint_tenth(&s->rsrp_dbm, f[G_RSRP]);
	hint_tenth(&s->rssi_dbm, f[G_RSSI]);
	return true;
}
