/* cell_at_quectel: Quectel's +QENG="servingcell", +QNWINFO, +QCAINFO and
 * +QSPN (field layouts of Quectel's AT manuals, checked against the
 * captures in tests/data/cellular/). Quectel prints "-" for a figure it
 * does not have.
 *
 * +QENG "servingcell" comes in two shapes: LTE-only modules put the serving
 * radio on the first line ("servingcell",<state>,"LTE",...), the 5G ones
 * give the state alone and one line per radio ("LTE",... then
 * "NR5G-NSA",...). After the radio's name the fields are the same. */
#include "cellular/cell_at_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define MAX_FIELDS 24

/* Fields after "LTE". */
enum { L_DUPLEX, L_MCC, L_MNC, L_CELLID, L_PCI, L_EARFCN, L_BAND, L_ULBW, L_DLBW,
       L_TAC, L_RSRP, L_RSRQ, L_RSSI, L_SINR, L_COUNT_MIN };
/* Fields after "NR5G-NSA"; the ARFCN onwards only from newer firmware. */
enum { N_MCC, N_MNC, N_PCI, N_RSRP, N_SINR, N_RSRQ, N_COUNT_MIN, N_ARFCN = N_COUNT_MIN };
/* Fields after "NR5G-SA". */
enum { S_DUPLEX, S_MCC, S_MNC, S_CELLID, S_PCI, S_TAC, S_ARFCN, S_BAND, S_BW, S_RSRP,
       S_RSRQ, S_SINR, S_COUNT_MIN };

static void set_num(double *dst, struct cell_span f)
{
	double v;
	if (cell_at_double(f, &v))
		cell_put(dst, v);
}

static void set_int(int *dst, struct cell_span f)
{
	long v;
	if (cell_at_long(f, &v) && v >= 0 && v <= 0x7fffffff)
		*dst = (int)v;
}

static void qeng_plmn(struct at_ctx *c, struct cell_span mcc, struct cell_span mnc)
{
	if (!c->s->operator_code[0])
		cell_set_plmn(c->s, mcc, mnc);
}

static void qeng_lte(struct at_ctx *c, const struct cell_span *f, size_t n)
{
	struct cell_sample *s = c->s;
	if (n < L_COUNT_MIN)
		return;
	qeng_plmn(c, f[L_MCC], f[L_MNC]);
	if (!cell_field_blank(f[L_CELLID]))
		cell_copy_hex(s->cell_id, sizeof(s->cell_id), f[L_CELLID]);
	if (!cell_field_blank(f[L_TAC]))
		cell_copy_hex(s->tac, sizeof(s->tac), f[L_TAC]);
	set_int(&s->pci, f[L_PCI]);
	set_int(&s->earfcn, f[L_EARFCN]);
	set_int(&s->band, f[L_BAND]);
	set_num(&s->rsrp_dbm, f[L_RSRP]);
	set_num(&s->rsrq_db, f[L_RSRQ]);
	set_num(&s->rssi_dbm, f[L_RSSI]);
	/* SINR in dB: the RG500Q capture's 16 sits with its +QCAINFO SINR 15
	 * and CQI 15; the RM500Q's 25 with qmicli's 30.0 dB (QMI's ceiling) */
	set_num(&s->sinr_db, f[L_SINR]);
}

/* The NR leg of EN-DC. Its SINR is in dB on current firmware (RG500Q: 21,
 * with ARFCN and band after it) but was in 0.1 dB on the early RM500Q
 * firmware that printed only six fields: its 180 was taken with qmicli's
 * 18.5 dB for the same cell (libqmi PR #2). The field count tells them
 * apart. */
static void qeng_nsa(struct at_ctx *c, const struct cell_span *f, size_t n)
{
	struct cell_sample *s = c->s;
	double sinr;
	if (n < N_COUNT_MIN)
		return;
	set_num(&s->nr_rsrp_dbm, f[N_RSRP]);
	set_num(&s->nr_rsrq_db, f[N_RSRQ]);
	if (cell_at_double(f[N_SINR], &sinr))
		cell_put(&s->nr_sinr_db, n > N_ARFCN ? sinr : sinr / 10.0);
	if (s->band < 0 && n > N_ARFCN + 1)
		set_int(&s->band, f[N_ARFCN + 1]);
}

static void qeng_sa(struct at_ctx *c, const struct cell_span *f, size_t n)
{
	struct cell_sample *s = c->s;
	if (n < S_COUNT_MIN)
		return;
	qeng_plmn(c, f[S_MCC], f[S_MNC]);
	if (!cell_field_blank(f[S_CELLID]))
		cell_copy_hex(s->cell_id, sizeof(s->cell_id), f[S_CELLID]);
	if (!cell_field_blank(f[S_TAC]))
		cell_copy_hex(s->tac, sizeof(s->tac), f[S_TAC]);
	set_int(&s->pci, f[S_PCI]);
	set_int(&s->earfcn, f[S_ARFCN]);
	set_int(&s->band, f[S_BAND]);
	set_num(&s->nr_rsrp_dbm, f[S_RSRP]);
	set_num(&s->nr_rsrq_db, f[S_RSRQ]);
	set_num(&s->nr_sinr_db, f[S_SINR]);
}

/* One radio's fields, after its name. */
static bool qeng_radio(struct at_ctx *c, struct cell_span rat, const struct cell_span *f, size_t n)
{
	enum cell_tech t;
	char name[16];
	cell_copy_text(name, sizeof(name), rat);
	t = cell_tech_parse(name);
	if (t == CELL_TECH_UNKNOWN)
		return false;
	cell_tech_add(&c->tech, t, rat);
	if (cell_span_ieq(rat, "LTE"))
		qeng_lte(c, f, n);
	else if (cell_span_ieq(rat, "NR5G-NSA"))
		qeng_nsa(c, f, n);
	else if (cell_span_ieq(rat, "NR5G-SA"))
		qeng_sa(c, f, n);
	return true;
}

/* <state>: SEARCH (no cell), LIMSRV (camped, limited service), NOCONN
 * (registered, idle), CONNECT (registered, RRC connected). */
static void qeng_state(struct at_ctx *c, struct cell_span state)
{
	if (cell_span_ieq(state, "SEARCH")) {
		if (c->s->state == CELL_MS_UNKNOWN)
			c->s->state = CELL_MS_SEARCHING;
	} else if (cell_span_ieq(state, "NOCONN") || cell_span_ieq(state, "CONNECT")) {
		cell_at_registered(c);
	}
}

bool cell_at_qeng(struct at_ctx *c, struct cell_span body)
{
	struct cell_span f[MAX_FIELDS];
	size_t n = cell_fields(body, f, MAX_FIELDS);
	if (n < 1)
		return false;
	if (cell_span_ieq(f[0], "servingcell")) {
		if (n >= 2)
			qeng_state(c, f[1]);
		if (n >= 3)
			qeng_radio(c, f[2], f + 3, n - 3);
		return n >= 2;
	}
	if (cell_span_iprefix(f[0], "neighbourcell"))
		return true;    /* neighbours: not the serving cell */
	return qeng_radio(c, f[0], f + 1, n - 1);
}

/* +QNWINFO: <AcT>,<oper>,<band>,<channel> — one line per radio with EN-DC
 * ("FDD LTE", then "TDD NR5G"). The LTE line's band and channel are the
 * serving cell's; an NR line's only if there is no LTE one. */
bool cell_at_qnwinfo(struct at_ctx *c, struct cell_span body)
{
	struct cell_span f[4];
	size_t n = cell_fields(body, f, 4);
	char name[24];
	if (n < 1)
		return false;
	cell_copy_text(name, sizeof(name), f[0]);
	enum cell_tech t = cell_tech_parse(name);
	if (t == CELL_TECH_UNKNOWN)
		return cell_span_ieq(f[0], "No Service");
	cell_tech_add(&c->tech, t, f[0]);
	if (n >= 2 && !cell_field_blank(f[1]) && !c->s->operator_code[0])
		cell_copy_text(c->s->operator_code, sizeof(c->s->operator_code), f[1]);
	bool primary = t != CELL_TECH_NR_SA || c->s->band < 0;
	if (n >= 3 && primary) {
		int band = cell_at_band(f[2]);
		if (band > 0)
			c->s->band = band;
	}
	if (n >= 4 && primary)
		set_int(&c->s->earfcn, f[3]);
	return true;
}

/* +QCAINFO: "PCC",<earfcn>,<bw>,"LTE BAND 1",<pcell_state>,<PCI>,<RSRP>,
 * <RSRQ>,<RSSI>,<SINR> (an NR PCC stops after its PCI). Only the primary
 * cell, and only to fill in: +QENG is the serving-cell report. */
bool cell_at_qcainfo(struct at_ctx *c, struct cell_span body)
{
	struct cell_span f[12];
	size_t n = cell_fields(body, f, 12);
	struct cell_sample *s = c->s;
	double v;
	long l;
	if (n < 4)
		return false;
	if (!cell_span_ieq(f[0], "PCC"))
		return cell_span_ieq(f[0], "SCC");
	int band = cell_at_band(f[3]);
	if (s->band < 0 && band > 0)
		s->band = band;
	if (s->earfcn < 0 && cell_at_long(f[1], &l) && l >= 0 && l <= 0x7fffffff)
		s->earfcn = (int)l;
	if (n < 10 || !cell_span_iprefix(f[3], "LTE"))
		return true;
	if (s->pci < 0 && cell_at_long(f[5], &l) && l >= 0 && l <= 0xffff)
		s->pci = (int)l;
	if (cell_at_double(f[6], &v))
		cell_hint_double(&s->rsrp_dbm, v);
	if (cell_at_double(f[7], &v))
		cell_hint_double(&s->rsrq_db, v);
	if (cell_at_double(f[8], &v))
		cell_hint_double(&s->rssi_dbm, v);
	if (cell_at_double(f[9], &v))
		cell_hint_double(&s->sinr_db, v);
	return true;
}

/* +QSPN: <FNN>,<SNN>,<SPN>,<alphabet>,<RPLMN>: the network's full name and
 * the registered PLMN. */
bool cell_at_qspn(struct at_ctx *c, struct cell_span body)
{
	struct cell_span f[5];
	size_t n = cell_fields(body, f, 5);
	if (n < 5)
		return false;
	if (!cell_field_blank(f[0]))
		cell_copy_text(c->s->operator_name, sizeof(c->s->operator_name), f[0]);
	if (!cell_field_blank(f[4]))
		cell_copy_text(c->s->operator_code, sizeof(c->s->operator_code), f[4]);
	return true;
}
