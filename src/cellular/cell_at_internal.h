/* cell_at_internal: the AT response walker's context and the handlers its
 * prefix table dispatches to (cell_at.c: 3GPP TS 27.007 and Huawei's
 * ^SYSINFO; cell_at_quectel.c; cell_at_vendor.c: Sierra, Fibocom, SIMCom). */
#ifndef AUTONOMY_LINK_CELL_AT_INTERNAL_H
#define AUTONOMY_LINK_CELL_AT_INTERNAL_H

#include "cellular/cell_util.h"

struct at_ctx {
	struct cell_sample *s;
	struct cell_tech_acc tech;      /* serving-radio reports in this text */
	struct cell_tech_acc act;       /* registration <AcT>s: fill in only */
	/* !GSTATUS lists a figure once per receive branch: the best is kept */
	double gs_rsrp, gs_rssi;
};

/* A response's text after "PREFIX:" (or, for a multi-line response, one of
 * its following lines); true if understood. */
typedef bool (*at_fn)(struct at_ctx *c, struct cell_span body);

bool cell_at_csq(struct at_ctx *c, struct cell_span body);
bool cell_at_cesq(struct at_ctx *c, struct cell_span body);
bool cell_at_cops(struct at_ctx *c, struct cell_span body);
bool cell_at_creg(struct at_ctx *c, struct cell_span body);
bool cell_at_cpin(struct at_ctx *c, struct cell_span body);
bool cell_at_cme(struct at_ctx *c, struct cell_span body);
bool cell_at_sysinfo(struct at_ctx *c, struct cell_span body);

bool cell_at_qeng(struct at_ctx *c, struct cell_span body);
bool cell_at_qnwinfo(struct at_ctx *c, struct cell_span body);
bool cell_at_qcainfo(struct at_ctx *c, struct cell_span body);
bool cell_at_qspn(struct at_ctx *c, struct cell_span body);

bool cell_at_gstatus(struct at_ctx *c, struct cell_span body);
bool cell_at_gstatus_line(struct at_ctx *c, struct cell_span line);
bool cell_at_xlec(struct at_ctx *c, struct cell_span body);
bool cell_at_xrsrp(struct at_ctx *c, struct cell_span body);
bool cell_at_xrsrq(struct at_ctx *c, struct cell_span body);
bool cell_at_xmci(struct at_ctx *c, struct cell_span body);
bool cell_at_cpsi(struct at_ctx *c, struct cell_span body);
bool cell_at_cmgrmi(struct at_ctx *c, struct cell_span body);

/* ---- shared by the handlers ---- */
/* A field as a number; false if blank ("-") or not a number. */
bool cell_at_long(struct cell_span f, long *v);
bool cell_at_double(struct cell_span f, double *v);
/* Registered (home/roaming): the modem has service. */
void cell_at_registered(struct at_ctx *c);
/* "LTE BAND 3", "NR5G BAND 41", "EUTRAN-BAND3", "BAND_LTE_3", "B3" -> 3. */
int cell_at_band(struct cell_span f);

#endif
