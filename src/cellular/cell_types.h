/* cell_types: what a cellular modem reports, as plain C values. Every source
 * (ModemManager JSON or text, uqmi JSON, qmicli text, AT responses through
 * mmcli --command or gsmctl -A) fills the same struct, and the replay fills
 * it from trace `cellular` objects, so the engine's assessment
 * (src/cellular/cell_assess.c) sees one shape. A figure the source did not
 * report is NAN (doubles) or -1 / CELL_*_UNKNOWN (others); parsers only set
 * what they found, so several outputs can be merged into one sample by
 * parsing them into the same struct in turn. No pointers. */
#ifndef AUTONOMY_LINK_CELL_TYPES_H
#define AUTONOMY_LINK_CELL_TYPES_H

#include <stdbool.h>
#include <stdint.h>

/* Radio access technology, ordered from worst to best, so "a downgrade" is
 * a smaller value than before (UNKNOWN is never a downgrade). */
enum cell_tech {
	CELL_TECH_UNKNOWN = 0,
	CELL_TECH_GSM,          /* 2G: GSM, GPRS, EDGE */
	CELL_TECH_UMTS,         /* 3G: UMTS, HSPA, HSPA+, TD-SCDMA, CDMA/EVDO */
	CELL_TECH_LTE,          /* 4G */
	CELL_TECH_NR_NSA,       /* 5G non-standalone (LTE anchor + NR) */
	CELL_TECH_NR_SA,        /* 5G standalone */
};

enum cell_reg {
	CELL_REG_UNKNOWN = 0,
	CELL_REG_HOME,          /* registered on the home network */
	CELL_REG_ROAMING,       /* registered, roaming */
	CELL_REG_SEARCHING,     /* not registered, searching */
	CELL_REG_DENIED,        /* registration denied */
	CELL_REG_IDLE,          /* not registered, not searching */
};

/* ModemManager-style modem states, as far as sources tell them. */
enum cell_modem_state {
	CELL_MS_UNKNOWN = 0, CELL_MS_FAILED, CELL_MS_DISABLED, CELL_MS_LOCKED,
	CELL_MS_SEARCHING, CELL_MS_REGISTERED, CELL_MS_CONNECTING, CELL_MS_CONNECTED,
};

struct cell_sample {
	char source[16];        /* "mmcli", "uqmi", "qmicli", "at" (the last that added to it) */
	enum cell_modem_state state;
	char state_reason[32];  /* "sim-missing" for a failed modem, "" if none */
	enum cell_reg reg;
	int roaming;            /* 1 roaming, 0 home, -1 unknown (also set from reg) */
	enum cell_tech tech;
	char tech_text[32];     /* as the source said it: "lte", "FDD LTE", "NR5G-NSA" */
	char operator_name[48];
	char operator_code[8];  /* MCC+MNC, "23002" */
	/* LTE (or the anchor of 5G NSA) */
	double rsrp_dbm, rsrq_db, sinr_db, rssi_dbm;
	/* 5G NR */
	double nr_rsrp_dbm, nr_rsrq_db, nr_sinr_db;
	/* 3G / 2G */
	double rscp_dbm, ecio_db;
	int csq;                /* AT+CSQ 0..31, -1 unknown (99 on the wire) */
	int signal_pct;         /* ModemManager's signal quality 0..100, -1 unknown */
	/* serving cell */
	char cell_id[16];       /* hex as reported */
	char tac[12];           /* tracking/location area code, hex */
	int pci;                /* physical cell id, -1 unknown */
	int earfcn;             /* -1 unknown */
	int band;               /* LTE/NR band number, -1 unknown */
	/* bearer statistics (mmcli -b), -1 unknown */
	long long bearer_rx_bytes, bearer_tx_bytes;
};

/* A sample with nothing known: every figure NAN / -1 / UNKNOWN. */
void cell_sample_init(struct cell_sample *s);

const char *cell_tech_name(enum cell_tech t);   /* "2g" "3g" "lte" "5g-nsa" "5g-sa" "unknown" */
const char *cell_reg_name(enum cell_reg r);     /* "home" "roaming" "searching" ... */
const char *cell_modem_state_name(enum cell_modem_state s);
/* "lte", "5g", "umts", "hspa", "gsm", "edge", "FDD LTE", "NR5G-NSA", ... */
enum cell_tech cell_tech_parse(const char *s);

#endif
