/* cell_types: the empty sample, names, and the technology spellings of
 * every source (ModemManager, uqmi, qmicli, the vendors' AT replies). */
#include "cellular/cell_types.h"
#include "cellular/cell_parse.h"

#include <ctype.h>
#include <math.h>
#include <stddef.h>
#include <string.h>

void cell_sample_init(struct cell_sample *s)
{
	memset(s, 0, sizeof(*s));
	s->state = CELL_MS_UNKNOWN;
	s->reg = CELL_REG_UNKNOWN;
	s->roaming = -1;
	s->tech = CELL_TECH_UNKNOWN;
	s->rsrp_dbm = s->rsrq_db = s->sinr_db = s->rssi_dbm = NAN;
	s->nr_rsrp_dbm = s->nr_rsrq_db = s->nr_sinr_db = NAN;
	s->rscp_dbm = s->ecio_db = NAN;
	s->csq = -1;
	s->signal_pct = -1;
	s->pci = s->earfcn = s->band = -1;
	s->bearer_rx_bytes = s->bearer_tx_bytes = -1;
}

const char *cell_tech_name(enum cell_tech t)
{
	static const char *const names[] = {
		[CELL_TECH_UNKNOWN] = "unknown", [CELL_TECH_GSM] = "2g",
		[CELL_TECH_UMTS] = "3g", [CELL_TECH_LTE] = "lte",
		[CELL_TECH_NR_NSA] = "5g-nsa", [CELL_TECH_NR_SA] = "5g-sa",
	};
	return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] : "unknown";
}

const char *cell_reg_name(enum cell_reg r)
{
	static const char *const names[] = {
		[CELL_REG_UNKNOWN] = "unknown", [CELL_REG_HOME] = "home",
		[CELL_REG_ROAMING] = "roaming", [CELL_REG_SEARCHING] = "searching",
		[CELL_REG_DENIED] = "denied", [CELL_REG_IDLE] = "idle",
	};
	return (unsigned)r < sizeof(names) / sizeof(names[0]) ? names[r] : "unknown";
}

const char *cell_modem_state_name(enum cell_modem_state s)
{
	static const char *const names[] = {
		[CELL_MS_UNKNOWN] = "unknown", [CELL_MS_FAILED] = "failed",
		[CELL_MS_DISABLED] = "disabled", [CELL_MS_LOCKED] = "locked",
		[CELL_MS_SEARCHING] = "searching", [CELL_MS_REGISTERED] = "registered",
		[CELL_MS_CONNECTING] = "connecting", [CELL_MS_CONNECTED] = "connected",
	};
	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "unknown";
}

/* Spellings after normalisation (lower case, ' ' and '_' as '-', a leading
 * duplex "fdd-"/"tdd-" removed): ModemManager's access technologies
 * ("hspa-plus", "lte-cat-m", "5gnr"), uqmi's types ("wcdma", "hdr", "tdma"),
 * +QNWINFO ("FDD LTE", "TDD NR5G", "HSPA+"), +QENG ("NR5G-NSA"), +CPSI
 * ("NR5G_SA", "CDMA1X"), Sierra's "System mode". A bare NR name means NR is
 * the only radio (standalone); parsers that also see LTE make it NSA. */
static const struct { const char *name; enum cell_tech tech; } tech_names[] = {
	{ "gsm", CELL_TECH_GSM }, { "gsm-compact", CELL_TECH_GSM },
	{ "gprs", CELL_TECH_GSM }, { "edge", CELL_TECH_GSM },
	{ "egprs", CELL_TECH_GSM }, { "2g", CELL_TECH_GSM },
	{ "geran", CELL_TECH_GSM }, { "1xrtt", CELL_TECH_GSM },
	{ "cdma", CELL_TECH_GSM }, { "cdma1x", CELL_TECH_GSM },
	{ "cdma-1x", CELL_TECH_GSM }, { "ec-gsm-iot", CELL_TECH_GSM },
	{ "umts", CELL_TECH_UMTS }, { "wcdma", CELL_TECH_UMTS },
	{ "utran", CELL_TECH_UMTS }, { "3g", CELL_TECH_UMTS },
	{ "hsdpa", CELL_TECH_UMTS }, { "hsupa", CELL_TECH_UMTS },
	{ "hspa", CELL_TECH_UMTS }, { "hspa+", CELL_TECH_UMTS },
	{ "hspa-plus", CELL_TECH_UMTS }, { "dc-hspa+", CELL_TECH_UMTS },
	{ "hsdpa+hsupa", CELL_TECH_UMTS }, { "td-scdma", CELL_TECH_UMTS },
	{ "tdscdma", CELL_TECH_UMTS }, { "tdma", CELL_TECH_UMTS },
	{ "evdo", CELL_TECH_UMTS }, { "evdo0", CELL_TECH_UMTS },
	{ "evdoa", CELL_TECH_UMTS }, { "evdob", CELL_TECH_UMTS },
	{ "hdr", CELL_TECH_UMTS }, { "cdma-1x-evdo", CELL_TECH_UMTS },
	{ "cdma-1xevdo", CELL_TECH_UMTS },
	{ "lte", CELL_TECH_LTE }, { "4g", CELL_TECH_LTE },
	{ "e-utran", CELL_TECH_LTE }, { "eutran", CELL_TECH_LTE },
	{ "lte-cat-m", CELL_TECH_LTE }, { "lte-cat-m1", CELL_TECH_LTE },
	{ "cat-m1", CELL_TECH_LTE }, { "lte-nb-iot", CELL_TECH_LTE },
	{ "nb-iot", CELL_TECH_LTE }, { "cat-nb1", CELL_TECH_LTE },
	{ "lte-a", CELL_TECH_LTE },
	{ "nr5g-nsa", CELL_TECH_NR_NSA }, { "5g-nsa", CELL_TECH_NR_NSA },
	{ "nr-nsa", CELL_TECH_NR_NSA }, { "endc", CELL_TECH_NR_NSA },
	{ "en-dc", CELL_TECH_NR_NSA },
	{ "nr5g-sa", CELL_TECH_NR_SA }, { "5g-sa", CELL_TECH_NR_SA },
	{ "nr-sa", CELL_TECH_NR_SA }, { "5gnr", CELL_TECH_NR_SA },
	{ "5g", CELL_TECH_NR_SA }, { "nr5g", CELL_TECH_NR_SA },
	{ "nr", CELL_TECH_NR_SA }, { "5g-nr", CELL_TECH_NR_SA },
	{ "ng-ran", CELL_TECH_NR_SA },
};

enum cell_tech cell_tech_parse(const char *s)
{
	char norm[32];
	size_t n = 0;
	if (!s)
		return CELL_TECH_UNKNOWN;
	while (*s == ' ' || *s == '\t' || *s == '"')
		s++;
	for (; *s && n + 1 < sizeof(norm); s++) {
		unsigned char c = (unsigned char)*s;
		norm[n++] = (c == ' ' || c == '_') ? '-' : (char)tolower(c);
	}
	while (n && (norm[n - 1] == '-' || norm[n - 1] == '"' || norm[n - 1] == '\t'))
		n--;
	norm[n] = '\0';
	const char *p = norm;
	if (!strncmp(p, "fdd-", 4) || !strncmp(p, "tdd-", 4))
		p += 4;
	for (size_t i = 0; i < sizeof(tech_names) / sizeof(tech_names[0]); i++)
		if (!strcmp(p, tech_names[i].name))
			return tech_names[i].tech;
	return CELL_TECH_UNKNOWN;
}

/* 3GPP TS 27.007 <AcT> of +COPS, +CREG, +CGREG, +CEREG, +C5GREG. */
enum cell_tech cell_tech_from_act(long act)
{
	static const enum cell_tech acts[] = {
		[0] = CELL_TECH_GSM,            /* GSM */
		[1] = CELL_TECH_GSM,            /* GSM Compact */
		[2] = CELL_TECH_UMTS,           /* UTRAN */
		[3] = CELL_TECH_GSM,            /* GSM w/EGPRS */
		[4] = CELL_TECH_UMTS,           /* UTRAN w/HSDPA */
		[5] = CELL_TECH_UMTS,           /* UTRAN w/HSUPA */
		[6] = CELL_TECH_UMTS,           /* UTRAN w/HSDPA and HSUPA */
		[7] = CELL_TECH_LTE,            /* E-UTRAN */
		[8] = CELL_TECH_GSM,            /* EC-GSM-IoT */
		[9] = CELL_TECH_LTE,            /* E-UTRAN (NB-S1 mode) */
		[10] = CELL_TECH_LTE,           /* E-UTRA connected to a 5GCN */
		[11] = CELL_TECH_NR_SA,         /* NR connected to a 5GCN */
		[12] = CELL_TECH_NR_SA,         /* NG-RAN */
		[13] = CELL_TECH_NR_NSA,        /* E-UTRA-NR dual connectivity */
	};
	if (act < 0 || (size_t)act >= sizeof(acts) / sizeof(acts[0]))
		return CELL_TECH_UNKNOWN;
	return acts[act];
}

bool cell_sample_has_signal(const struct cell_sample *s)
{
	const double v[] = { s->rsrp_dbm, s->rsrq_db, s->sinr_db, s->rssi_dbm,
			     s->nr_rsrp_dbm, s->nr_rsrq_db, s->nr_sinr_db,
			     s->rscp_dbm, s->ecio_db };
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (!isnan(v[i]))
			return true;
	return s->csq >= 0;
}
