/* Unit tests for the cellular parsers (src/cellular/cell_parse.h): every capture
 * in tests/data/cellular/ parsed by its parser with its figures
 * asserted, then other real shapes quoted from public sources (cited next
 * to each), garbage, truncation at every byte (exact-size buffers, so ASan
 * sees any over-read), fields the parsers do not know, and the merge rules. */
#include "cellular/cell_parse.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CELL_DATA TEST_DATA "/cellular/"

static char *load(const char *name, size_t *len)
{
	char path[512];
	snprintf(path, sizeof(path), CELL_DATA "%s", name);
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc(n > 0 ? (size_t)n : 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;     /* exactly n bytes, no terminator */
}

#define assert_near(a, b) assert_true(fabs((double)(a) - (double)(b)) < 1e-6)

typedef int (*parse_fn)(const char *text, size_t len, struct cell_sample *s);

static int modem_json(const char *t, size_t n, struct cell_sample *s)
{
	return cell_mmcli_modem_json(t, n, s, NULL);
}

static int modem_text(const char *t, size_t n, struct cell_sample *s)
{
	return cell_mmcli_modem_text(t, n, s, NULL);
}

static int parse_file(const char *name, parse_fn fn, struct cell_sample *s)
{
	size_t n;
	char *t = load(name, &n);
	cell_sample_init(s);
	int rc = fn(t, n, s);
	free(t);
	return rc;
}

static int parse_str(const char *text, parse_fn fn, struct cell_sample *s)
{
	cell_sample_init(s);
	size_t n = strlen(text);
	char *t = malloc(n ? n : 1);
	memcpy(t, text, n);
	int rc = fn(t, n, s);
	free(t);
	return rc;
}

/* ==== types ============================================================== */

static void test_init_and_names(void **state)
{
	struct cell_sample s;
	cell_sample_init(&s);
	assert_true(isnan(s.rsrp_dbm) && isnan(s.nr_sinr_db) && isnan(s.ecio_db));
	assert_int_equal(s.csq, -1);
	assert_int_equal(s.signal_pct, -1);
	assert_int_equal(s.roaming, -1);
	assert_int_equal(s.band, -1);
	assert_int_equal(s.bearer_rx_bytes, -1);
	assert_int_equal(s.tech, CELL_TECH_UNKNOWN);
	assert_false(cell_sample_has_signal(&s));
	assert_string_equal(cell_tech_name(CELL_TECH_NR_NSA), "5g-nsa");
	assert_string_equal(cell_tech_name(CELL_TECH_GSM), "2g");
	assert_string_equal(cell_tech_name((enum cell_tech)99), "unknown");
	assert_string_equal(cell_reg_name(CELL_REG_ROAMING), "roaming");
	assert_string_equal(cell_modem_state_name(CELL_MS_CONNECTED), "connected");
	assert_string_equal(cell_modem_state_name((enum cell_modem_state)-1), "unknown");
}

static void test_tech_parse(void **state)
{
	static const struct { const char *s; enum cell_tech t; } cases[] = {
		{ "lte", CELL_TECH_LTE }, { "umts", CELL_TECH_UMTS }, { "hspa", CELL_TECH_UMTS },
		{ "gsm", CELL_TECH_GSM }, { "edge", CELL_TECH_GSM }, { "5gnr", CELL_TECH_NR_SA },
		{ "wcdma", CELL_TECH_UMTS }, { "hspa-plus", CELL_TECH_UMTS },
		{ "FDD LTE", CELL_TECH_LTE }, { "TDD LTE", CELL_TECH_LTE },
		{ "TDD NR5G", CELL_TECH_NR_SA }, { "NR5G-NSA", CELL_TECH_NR_NSA },
		{ "NR5G-SA", CELL_TECH_NR_SA }, { "NR5G_SA", CELL_TECH_NR_SA },
		{ "LTE", CELL_TECH_LTE }, { "WCDMA", CELL_TECH_UMTS }, { "HSPA+", CELL_TECH_UMTS },
		{ "lte-cat-m", CELL_TECH_LTE }, { " \"LTE\" ", CELL_TECH_LTE },
		{ "", CELL_TECH_UNKNOWN }, { "warp-drive", CELL_TECH_UNKNOWN },
		{ "No Service", CELL_TECH_UNKNOWN },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (cell_tech_parse(cases[i].s) != cases[i].t)
			fail_msg("cell_tech_parse(\"%s\") = %d, want %d", cases[i].s,
				 cell_tech_parse(cases[i].s), cases[i].t);
	}
	assert_int_equal(cell_tech_parse(NULL), CELL_TECH_UNKNOWN);
	/* a long string is cut, never overrun */
	char big[200];
	memset(big, 'l', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(cell_tech_parse(big), CELL_TECH_UNKNOWN);
}

static void test_tech_from_act(void **state)
{
	assert_int_equal(cell_tech_from_act(0), CELL_TECH_GSM);
	assert_int_equal(cell_tech_from_act(2), CELL_TECH_UMTS);
	assert_int_equal(cell_tech_from_act(3), CELL_TECH_GSM);
	for (int a = 4; a <= 6; a++)
		assert_int_equal(cell_tech_from_act(a), CELL_TECH_UMTS);
	assert_int_equal(cell_tech_from_act(7), CELL_TECH_LTE);
	assert_int_equal(cell_tech_from_act(10), CELL_TECH_LTE);
	assert_int_equal(cell_tech_from_act(11), CELL_TECH_NR_SA);
	assert_int_equal(cell_tech_from_act(12), CELL_TECH_NR_SA);
	assert_int_equal(cell_tech_from_act(13), CELL_TECH_NR_NSA);
	assert_int_equal(cell_tech_from_act(14), CELL_TECH_UNKNOWN);
	assert_int_equal(cell_tech_from_act(-1), CELL_TECH_UNKNOWN);
}

/* ==== mmcli =============================================================== */

static void test_mmcli_eg25(void **state)
{
	struct cell_sample s;
	struct cell_modem_id id;
	size_t n;
	char *t = load("mmcli-m-J.quectel-eg25.connected.pretty.json", &n);
	cell_sample_init(&s);
	assert_int_equal(cell_mmcli_modem_json(t, n, &s, &id), 0);
	free(t);
	assert_string_equal(s.source, "mmcli");
	assert_int_equal(s.state, CELL_MS_CONNECTED);
	assert_string_equal(s.state_reason, "");
	assert_int_equal(s.tech, CELL_TECH_LTE);
	assert_string_equal(s.tech_text, "lte");
	assert_int_equal(s.reg, CELL_REG_HOME);
	assert_int_equal(s.roaming, 0);
	assert_string_equal(s.operator_name, "O2.CZ O2-CZ");
	assert_string_equal(s.operator_code, "23002");
	assert_int_equal(s.signal_pct, 60);
	assert_string_equal(id.manufacturer, "Quectel");
	assert_string_equal(id.model, "EG25");
	assert_int_equal(id.bearer, 0);
}

static void test_mmcli_telit_oneline(void **state)
{
	struct cell_sample s;
	assert_int_equal(parse_file("mmcli-m-J.telit-le910c4.connected.json", modem_json, &s), 0);
	assert_int_equal(s.state, CELL_MS_CONNECTED);
	assert_int_equal(s.reg, CELL_REG_ROAMING);
	assert_int_equal(s.roaming, 1);
	assert_string_equal(s.operator_name, "vodafone.de");
	assert_string_equal(s.operator_code, "26202");
	assert_int_equal(s.signal_pct, 75);
	assert_int_equal(s.tech, CELL_TECH_LTE);
}

static void test_mmcli_huawei_failed(void **state)
{
	struct cell_sample s;
	struct cell_modem_id id;
	size_t n;
	char *t = load("mmcli-m-J.huawei-e3131.sim-missing.pretty.json", &n);
	cell_sample_init(&s);
	assert_int_equal(cell_mmcli_modem_json(t, n, &s, &id), 0);
	free(t);
	assert_int_equal(s.state, CELL_MS_FAILED);
	assert_string_equal(s.state_reason, "sim-missing");
	assert_int_equal(s.reg, CELL_REG_UNKNOWN);          /* "--" */
	assert_string_equal(s.operator_code, "");
	assert_int_equal(s.tech, CELL_TECH_UNKNOWN);        /* [] */
	assert_int_equal(s.signal_pct, -1);                 /* 0, not recent */
	assert_string_equal(id.manufacturer, "huawei");
	assert_int_equal(id.bearer, -1);
}

static void test_mmcli_bg96_searching(void **state)
{
	struct cell_sample s;
	assert_int_equal(parse_file("mmcli-m-J.quectel-bg96.searching.pretty.json", modem_json,
				    &s), 0);
	assert_int_equal(s.state, CELL_MS_SEARCHING);
	assert_int_equal(s.reg, CELL_REG_SEARCHING);
	assert_int_equal(s.roaming, -1);
	assert_string_equal(s.operator_name, "");
}

static void test_mmcli_em12g_hspa(void **state)
{
	struct cell_sample s;
	struct cell_modem_id id;
	size_t n;
	char *t = load("mmcli-m-J.quectel-em12g.openwisp.pretty.json", &n);
	cell_sample_init(&s);
	assert_int_equal(cell_mmcli_modem_json(t, n, &s, &id), 0);
	free(t);
	assert_int_equal(s.state, CELL_MS_CONNECTED);
	assert_int_equal(s.tech, CELL_TECH_UMTS);
	assert_string_equal(s.tech_text, "hsdpa,hsupa");
	assert_int_equal(s.signal_pct, 29);
	assert_int_equal(s.reg, CELL_REG_HOME);
	assert_int_equal(id.bearer, 5);
	assert_string_equal(id.model, "EM12-G");
}

static void test_mmcli_signal_lte(void **state)
{
	struct cell_sample s;
	assert_int_equal(parse_file("mmcli-signal-get-J.lte.openwisp.pretty.json",
				    cell_mmcli_signal_json, &s), 0);
	assert_near(s.rsrp_dbm, -92);
	assert_near(s.rsrq_db, -9);
	assert_near(s.rssi_dbm, -64);
	assert_near(s.sinr_db, 19.2);
	assert_true(isnan(s.rscp_dbm) && isnan(s.nr_rsrp_dbm));
	assert_true(cell_sample_has_signal(&s));
}

static void test_mmcli_signal_umts(void **state)
{
	struct cell_sample s;
	assert_int_equal(parse_file("mmcli-signal-get-J.umts.openwisp.pretty.json",
				    cell_mmcli_signal_json, &s), 0);
	assert_near(s.rscp_dbm, -96);
	assert_near(s.ecio_db, -3.5);
	assert_true(isnan(s.rsrp_dbm) && isnan(s.rssi_dbm));
	assert_true(isnan(s.nr_rsrp_dbm));                  /* "5g": all "--" */
}

static void test_mmcli_signal_nothing(void **state)
{
	/* signal-get before --signal-setup: every figure "--" */
	struct cell_sample s;
	assert_int_equal(parse_str("{\"modem\":{\"signal\":{\"lte\":{\"rsrp\":\"--\"},"
				   "\"refresh\":{\"rate\":\"0\"}}}}", cell_mmcli_signal_json, &s), 0);
	assert_false(cell_sample_has_signal(&s));
	/* a new section, a 5G block, numbers instead of strings */
	assert_int_equal(parse_str("{\"modem\":{\"signal\":{\"5g\":{\"rsrp\":\"-101.00\","
				   "\"snr\":\"7.50\",\"rsrq\":\"-12.00\"},\"lte\":{\"rsrp\":-95},"
				   "\"error-rate\":{\"value\":\"1\"},\"sixg\":{\"rsrp\":\"1\"}}}}",
				   cell_mmcli_signal_json, &s), 0);
	assert_near(s.nr_rsrp_dbm, -101);
	assert_near(s.nr_sinr_db, 7.5);
	assert_near(s.nr_rsrq_db, -12);
	assert_near(s.rsrp_dbm, -95);
}

static void test_mmcli_text_sierra(void **state)
{
	struct cell_sample s;
	struct cell_modem_id id;
	size_t n;
	char *t = load("mmcli-m.sierra-em7565.txt", &n);
	cell_sample_init(&s);
	assert_int_equal(cell_mmcli_modem_text(t, n, &s, &id), 0);
	free(t);
	assert_int_equal(s.state, CELL_MS_CONNECTED);
	assert_int_equal(s.tech, CELL_TECH_LTE);
	assert_int_equal(s.signal_pct, 19);
	assert_string_equal(s.operator_code, "23106");
	assert_string_equal(s.operator_name, "Tesco - SK");
	assert_int_equal(s.reg, CELL_REG_HOME);
	assert_string_equal(id.manufacturer, "Sierra Wireless, Incorporated");
	/* 47 bytes at most, cut on a character boundary (® and ™ are UTF-8) */
	assert_true(strlen(id.model) < sizeof(id.model));
	assert_true(!strncmp(id.model, "Sierra Wireless EM7565 Qualcomm", 31));
	assert_int_equal(id.bearer, 3);
}

static void test_mmcli_text_continuations(void **state)
{
	/* a continuation line with its own ':' ("slot 2: ...") is a value,
	 * not a key; an unknown section and key are skipped */
	static const char text[] =
		"  Status   |                   state: registered\n"
		"           |          signal quality: 0% (cached)\n"
		"  SIM      |       primary sim path: /org/freedesktop/ModemManager1/SIM/1\n"
		"           |                         registration: roaming\n"
		"  Future   |           registration: denied\n"
		"  3GPP     |           registration: roaming\n";
	struct cell_sample s;
	assert_int_equal(parse_str(text, modem_text, &s), 0);
	assert_int_equal(s.state, CELL_MS_REGISTERED);
	assert_int_equal(s.signal_pct, -1);                 /* 0, cached */
	assert_int_equal(s.reg, CELL_REG_ROAMING);
	assert_int_equal(parse_str("no bars here\n", modem_text, &s), -1);
	assert_int_equal(parse_str("a | b: c\n", modem_text, &s), -1);
}

static void test_mmcli_bearer(void **state)
{
	struct cell_sample s;
	assert_int_equal(parse_file("mmcli-b.sierra-em7565.txt", cell_mmcli_bearer_text, &s), 0);
	/* "bytes rx", not "total-bytes rx" */
	assert_int_equal(s.bearer_rx_bytes, 81514);
	assert_int_equal(s.bearer_tx_bytes, 10878);
	assert_int_equal(parse_str("  Statistics |  bytes rx: 6000000000\n",
				   cell_mmcli_bearer_text, &s), 0);
	assert_true(s.bearer_rx_bytes == 6000000000LL);
	/* the modem text is not a bearer */
	assert_int_equal(parse_file("mmcli-m.sierra-em7565.txt", cell_mmcli_bearer_text, &s), 0);
	assert_int_equal(s.bearer_rx_bytes, -1);
}

/* mmcli -L: no capture in tests/data; the shapes are ModemManager's
 * documented ones (one "PATH [MANUFACTURER] MODEL" line per modem, or
 * "No modems were found"; -J: {"modem-list":[paths]}). */
static void test_mmcli_list(void **state)
{
	int idx[4];
	static const char text[] =
		"    /org/freedesktop/ModemManager1/Modem/0 [Quectel] EG25\n"
		"    /org/freedesktop/ModemManager1/Modem/12 [Sierra Wireless, Incorporated] EM7565\n";
	assert_int_equal(cell_mmcli_list(text, strlen(text), idx, 4), 2);
	assert_int_equal(idx[0], 0);
	assert_int_equal(idx[1], 12);
	static const char none[] = "No modems were found\n";
	assert_int_equal(cell_mmcli_list(none, strlen(none), idx, 4), 0);
	static const char json[] = "{\"modem-list\":[\"/org/freedesktop/ModemManager1/Modem/3\","
				   "\"/org/freedesktop/ModemManager1/Modem/x\",7]}";
	assert_int_equal(cell_mmcli_list(json, strlen(json), idx, 4), 1);
	assert_int_equal(idx[0], 3);
	static const char empty[] = "{\"modem-list\":[]}";
	assert_int_equal(cell_mmcli_list(empty, strlen(empty), idx, 4), 0);
	assert_int_equal(cell_mmcli_list(text, strlen(text), idx, 1), 1);
	static const char bad[] = "error: couldn't find the ModemManager process in the bus\n";
	assert_int_equal(cell_mmcli_list(bad, strlen(bad), idx, 4), -1);
	assert_int_equal(cell_mmcli_list("", 0, idx, 4), -1);
}

/* ==== uqmi / qmicli ========================================================= */

static void test_uqmi_signal(void **state)
{
	struct cell_sample s;
	assert_int_equal(parse_file("uqmi-get-signal-info.lte.json", cell_uqmi_signal, &s), 0);
	assert_string_equal(s.source, "uqmi");
	assert_int_equal(s.tech, CELL_TECH_LTE);
	assert_near(s.rsrp_dbm, -90);
	assert_near(s.rsrq_db, -10);
	assert_near(s.rssi_dbm, -67);
	assert_near(s.sinr_db, 25.0);                       /* 250 x 0.1 dB */
}

/* Newer uqmi (openwrt uqmi commands-nas.c): SNRs as doubles already in dB,
 * and an array for EN-DC with -32768 for an NR figure it has not got. */
static void test_uqmi_signal_newer(void **state)
{
	struct cell_sample s;
	assert_int_equal(parse_str("[{\"type\":\"lte\",\"rssi\":-60,\"rsrq\":-11,\"rsrp\":-88,"
				   "\"snr\":12.400000},{\"type\":\"5gnr\",\"rsrp\":-95,"
				   "\"snr\":8.500000,\"rsrq\":-32768}]", cell_uqmi_signal, &s), 0);
	assert_int_equal(s.tech, CELL_TECH_NR_NSA);
	assert_near(s.sinr_db, 12.4);
	assert_near(s.nr_rsrp_dbm, -95);
	assert_near(s.nr_sinr_db, 8.5);
	assert_true(isnan(s.nr_rsrq_db));
	assert_int_equal(parse_str("{\"type\":\"wcdma\",\"rssi\":-80,\"ecio\":7}",
				   cell_uqmi_signal, &s), 0);
	assert_int_equal(s.tech, CELL_TECH_UMTS);
	assert_near(s.ecio_db, -3.5);                       /* -0.5 dB steps */
	assert_near(s.rssi_dbm, -80);
	assert_int_equal(parse_str("{\"type\":\"gsm\",\"signal\":-71}", cell_uqmi_signal, &s), 0);
	assert_int_equal(s.tech, CELL_TECH_GSM);
	assert_near(s.rssi_dbm, -71);
	/* uqmi's error strings are JSON strings, not objects */
	assert_int_equal(parse_str("\"Failed to connect to service\"\n", cell_uqmi_signal, &s), -1);
	assert_int_equal(parse_str("{\"rssi\":-60}", cell_uqmi_signal, &s), -1);
}

static void test_uqmi_serving(void **state)
{
	struct cell_sample s;
	assert_int_equal(parse_file("uqmi-get-serving-system.json", cell_uqmi_serving, &s), 0);
	assert_int_equal(s.state, CELL_MS_REGISTERED);
	assert_int_equal(s.reg, CELL_REG_HOME);
	assert_int_equal(s.roaming, 0);
	assert_string_equal(s.operator_code, "20815");
	/* "Fy" U+2592 and a form feed: the control byte is dropped */
	assert_string_equal(s.operator_name, "Fy\xe2\x96\x92");
	for (const char *p = s.operator_name; *p; p++)
		assert_true((unsigned char)*p >= 0x20);
	assert_int_equal(parse_str("{\"registration\":\"searching\",\"radio_interface\":[\"lte\"]}",
				   cell_uqmi_serving, &s), 0);
	assert_int_equal(s.reg, CELL_REG_SEARCHING);
	assert_int_equal(s.state, CELL_MS_SEARCHING);
	assert_int_equal(s.tech, CELL_TECH_LTE);
	assert_int_equal(parse_str("{\"registration\":\"registered\",\"roaming\":true,"
				   "\"plmn_mcc\":310,\"plmn_mnc\":260}", cell_uqmi_serving, &s), 0);
	assert_int_equal(s.reg, CELL_REG_ROAMING);
	assert_string_equal(s.operator_code, "310260");
	assert_int_equal(parse_str("{}", cell_uqmi_serving, &s), -1);
}

static void test_qmicli_signal(void **state)
{
	struct cell_sample s;
	assert_int_equal(parse_file("qmicli-nas-get-signal-info.quectel-rm500q.txt",
				    cell_qmicli_signal, &s), 0);
	assert_string_equal(s.source, "qmicli");
	assert_int_equal(s.tech, CELL_TECH_NR_NSA);
	assert_near(s.rsrp_dbm, -70);
	assert_near(s.rsrq_db, -5);
	assert_near(s.rssi_dbm, -47);
	assert_near(s.sinr_db, 30.0);
	assert_near(s.nr_rsrp_dbm, -75);
	assert_near(s.nr_rsrq_db, -11);
	assert_near(s.nr_sinr_db, 18.5);
	/* tabs as qmicli prints them; an NR leg that is not connected; a
	 * block we do not know */
	static const char tabs[] =
		"[/dev/cdc-wdm0] Successfully got signal info\n"
		"WCDMA:\n\tRSSI: '-77 dBm'\n\tECIO: '-6.5 dBm'\n"
		"5G:\n\tRSRP: '-32768 dBm'\n\tSNR: '-3276.8 dB'\n"
		"WiMAX:\n\tRSSI: '-10 dBm'\n";
	assert_int_equal(parse_str(tabs, cell_qmicli_signal, &s), 0);
	assert_int_equal(s.tech, CELL_TECH_UMTS);
	assert_near(s.ecio_db, -6.5);
	assert_near(s.rssi_dbm, -77);
	assert_true(isnan(s.nr_rsrp_dbm) && isnan(s.nr_sinr_db));
	assert_int_equal(parse_str("error: couldn't open the QmiDevice: Transaction timed out\n",
				   cell_qmicli_signal, &s), -1);
}

/* ==== AT ==================================================================== */

static void test_at_ec200a(void **state)
{
	struct cell_sample s;
	assert_int_equal(parse_file("at-cpin-csq-creg-cops.quectel-ec200a.txt", cell_at_parse,
				    &s), 0);
	assert_string_equal(s.source, "at");
	assert_int_equal(s.csq, 17);
	assert_near(s.rssi_dbm, -79);                       /* -113 + 2 x 17 */
	assert_int_equal(s.reg, CELL_REG_HOME);
	assert_int_equal(s.state, CELL_MS_REGISTERED);
	assert_string_equal(s.tac, "00A8");
	assert_string_equal(s.cell_id, "5355E8D");
	assert_string_equal(s.operator_name, "NOS");        /* format 0 */
	assert_string_equal(s.operator_code, "26803");      /* format 2 */
	assert_int_equal(s.tech, CELL_TECH_LTE);            /* <AcT> 7 */
}

static void test_at_marvell(void **state)
{
	struct cell_sample s;
	assert_int_equal(parse_file("at-csq-cesq.marvell-oem-lte.txt", cell_at_parse, &s), 0);
	assert_int_equal(s.csq, -1);                        /* 99 */
	assert_near(s.rsrq_db, -14.0);                      /* -20 + 12/2 */
	assert_near(s.rsrp_dbm, -101.0);                    /* -141 + 40 */
	assert_true(isnan(s.rscp_dbm) && isnan(s.ecio_db) && isnan(s.rssi_dbm));

	assert_int_equal(parse_file("at-csq-sysinfo-cops-creg-cereg.marvell-oem-lte.3ginfo-test.txt",
				    cell_at_parse, &s), 0);
	assert_int_equal(s.reg, CELL_REG_HOME);             /* CGREG 0 does not undo it */
	assert_int_equal(s.roaming, 0);
	assert_int_equal(s.tech, CELL_TECH_LTE);            /* ^SYSINFO sys_mode 17 */
	assert_string_equal(s.operator_code, "25001");      /* (0,2,"25001",7,0) */
	assert_string_equal(s.tac, "3584");
	assert_string_equal(s.cell_id, "00EF4A08");
}

static void test_at_qeng_mmcli(void **state)
{
	struct cell_sample s;
	assert_int_equal(parse_file("at-qeng-servingcell.quectel-rm500q.mmcli-command.txt",
				    cell_at_parse, &s), 0);
	assert_int_equal(s.tech, CELL_TECH_NR_NSA);
	assert_int_equal(s.state, CELL_MS_REGISTERED);      /* NOCONN */
	assert_string_equal(s.cell_id, "1A2D001");
	assert_int_equal(s.pci, 1);
	assert_int_equal(s.earfcn, 1575);
	assert_int_equal(s.band, 3);
	assert_string_equal(s.tac, "1");
	assert_near(s.rsrp_dbm, -70);
	assert_near(s.rsrq_db, -9);
	assert_near(s.rssi_dbm, -46);
	assert_near(s.sinr_db, 25);
	assert_near(s.nr_rsrp_dbm, -75);
	assert_near(s.nr_rsrq_db, -11);
	assert_near(s.nr_sinr_db, 18.0);                    /* 180: 0.1 dB, 6-field form */
	assert_string_equal(s.operator_code, "00101");
}

static void test_at_quectel_rg500q(void **state)
{
	struct cell_sample s;
	assert_int_equal(parse_file("at-qnwinfo-qcainfo-qeng-qspn.quectel-rg500q-ea.txt",
				    cell_at_parse, &s), 0);
	assert_int_equal(s.tech, CELL_TECH_NR_NSA);
	assert_int_equal(s.band, 1);                        /* the LTE anchor's */
	assert_int_equal(s.earfcn, 150);
	assert_int_equal(s.pci, 1);
	assert_near(s.rsrp_dbm, -89);
	assert_near(s.rsrq_db, -13);                        /* +QENG over +QCAINFO's -10 */
	assert_near(s.rssi_dbm, -58);
	assert_near(s.sinr_db, 16);
	assert_near(s.nr_rsrp_dbm, -76);
	assert_near(s.nr_rsrq_db, -11);
	assert_near(s.nr_sinr_db, 21);                      /* dB in the long form */
	assert_string_equal(s.tac, "4AA3");
	assert_string_equal(s.cell_id, "3359966");
	assert_string_equal(s.operator_name, "SUN");
	assert_string_equal(s.operator_code, "51503");
}

/* +QENG shapes from other public captures: the LTE-only modules' single
 * line (openqti, src/cell.h comment) and a 5G SA line
 * (4IceG/luci-app-3ginfo-lite issue #57). */
static void test_at_qeng_shapes(void **state)
{
	struct cell_sample s;
	assert_int_equal(parse_str("+QENG: \"servingcell\",\"NOCONN\",\"LTE\",\"FDD\",214,01,"
				   "7676A09,188,6300,20,3,3,603,-104,-9,-78,11,23\r\nOK\r\n",
				   cell_at_parse, &s), 0);
	assert_int_equal(s.tech, CELL_TECH_LTE);
	assert_int_equal(s.band, 20);
	assert_int_equal(s.pci, 188);
	assert_near(s.rsrp_dbm, -104);
	assert_near(s.sinr_db, 11);
	assert_string_equal(s.operator_code, "21401");
	assert_string_equal(s.tac, "603");

	assert_int_equal(parse_str("+QENG: \"servingcell\",\"NOCONN\",\"NR5G-SA\",\"TDD\", 515,66,"
				   "100072000,538,114000,620640,78,12,-109,-12,14,1,-\n",
				   cell_at_parse, &s), 0);
	assert_int_equal(s.tech, CELL_TECH_NR_SA);
	assert_near(s.nr_rsrp_dbm, -109);
	assert_near(s.nr_rsrq_db, -12);
	assert_near(s.nr_sinr_db, 14);
	assert_true(isnan(s.rsrp_dbm));
	assert_int_equal(s.band, 78);
	assert_int_equal(s.pci, 538);
	assert_int_equal(s.earfcn, 620640);
	assert_string_equal(s.tac, "114000");
	assert_string_equal(s.operator_code, "51566");

	assert_int_equal(parse_str("+QENG: \"servingcell\",\"SEARCH\"\n", cell_at_parse, &s), 0);
	assert_int_equal(s.state, CELL_MS_SEARCHING);
	/* "-" for what it has not got, and fields added after srxlev */
	assert_int_equal(parse_str("+QENG: \"LTE\",\"FDD\",262,01,-,-,1300,3,5,5,-,-,-,-,-,-,-,-,"
				   "9,9,9\n", cell_at_parse, &s), 0);
	assert_int_equal(s.pci, -1);
	assert_true(isnan(s.rsrp_dbm));
	assert_int_equal(s.band, 3);
}

static void test_at_gstatus(void **state)
{
	struct cell_sample s;
	assert_int_equal(parse_file("at-gstatus.sierra-em7455.txt", cell_at_parse, &s), 0);
	assert_int_equal(s.tech, CELL_TECH_LTE);
	assert_near(s.rsrp_dbm, -112);                      /* better of -112 / -118 */
	assert_near(s.rssi_dbm, -74);
	assert_near(s.rsrq_db, -20.0);
	assert_near(s.sinr_db, -6.4);
	assert_int_equal(s.band, 3);
	assert_int_equal(s.earfcn, 1749);
	assert_string_equal(s.tac, "D5AC");
	assert_string_equal(s.cell_id, "023E3E34");
	assert_int_equal(s.state, CELL_MS_REGISTERED);      /* EMM state */
	/* the report ends at OK: a later "TAC:" line is not its */
	assert_int_equal(parse_str("!GSTATUS:\nTAC:  00FF\nOK\nTAC:  1111\n", cell_at_parse, &s), 0);
	assert_string_equal(s.tac, "00FF");
	/* through mmcli --command */
	assert_int_equal(parse_str("response: '!GSTATUS:\nRSRP (dBm):  -99\nSINR (dB):     3.2'\n",
				   cell_at_parse, &s), 0);
	assert_near(s.rsrp_dbm, -99);
	assert_near(s.sinr_db, 3.2);
}

static void test_at_fibocom(void **state)
{
	struct cell_sample s;
	assert_int_equal(parse_file("at-xlec-rsrp-rsrq-xmci.fibocom-l850gl.txt", cell_at_parse,
				    &s), 0);
	assert_int_equal(s.tech, CELL_TECH_LTE);
	assert_int_equal(s.band, 3);                        /* BAND_LTE_3 */
	assert_near(s.rsrp_dbm, -78);                       /* XMCI 63 - 141 */
	assert_near(s.rsrq_db, -13);                        /* XMCI 14 / 2 - 20 */
	assert_int_equal(s.pci, 113);                       /* 0x0071 */
	assert_int_equal(s.earfcn, 1325);                   /* 0x052D */
	assert_string_equal(s.tac, "7D08");
	assert_string_equal(s.cell_id, "04E23C06");
	assert_string_equal(s.operator_code, "51011");
}

static void test_at_simcom(void **state)
{
	struct cell_sample s;
	assert_int_equal(parse_file("at-cpsi-cmgrmi.simcom-sim7906.txt", cell_at_parse, &s), 0);
	assert_int_equal(s.tech, CELL_TECH_LTE);
	assert_string_equal(s.operator_code, "25002");
	assert_string_equal(s.tac, "0EF8");
	assert_string_equal(s.cell_id, "562C");             /* 22060 */
	assert_int_equal(s.pci, 58);
	assert_int_equal(s.band, 3);
	assert_int_equal(s.earfcn, 1725);
	assert_near(s.rsrq_db, -10.8);                      /* +CPSI, not +CMGRMI's -10.7 */
	assert_near(s.rsrp_dbm, -88.9);
	assert_near(s.rssi_dbm, -61.4);
	assert_near(s.sinr_db, 19);
	/* +CMGRMI alone fills what it has */
	assert_int_equal(parse_str("+CMGRMI: Serving_Cell,1725,250,02,3832,2,22060,3,3,3,19,58,"
				   "-107,-890,-625,0\n", cell_at_parse, &s), 0);
	assert_near(s.rsrp_dbm, -89.0);
	assert_string_equal(s.tac, "EF8");
	assert_int_equal(s.pci, 58);
	assert_int_equal(parse_str("+CPSI: NO SERVICE,Online\n", cell_at_parse, &s), 0);
	assert_int_equal(s.state, CELL_MS_SEARCHING);
}

static void test_at_registration_forms(void **state)
{
	struct cell_sample s;
	/* unsolicited form: quoted area code second */
	assert_int_equal(parse_str("+CEREG: 5,\"1A2B\",\"01C3D4E5\",7\n", cell_at_parse, &s), 0);
	assert_int_equal(s.reg, CELL_REG_ROAMING);
	assert_int_equal(s.roaming, 1);
	assert_string_equal(s.tac, "1A2B");
	/* read form without location */
	assert_int_equal(parse_str("+CREG: 0,3\n", cell_at_parse, &s), 0);
	assert_int_equal(s.reg, CELL_REG_DENIED);
	assert_int_equal(parse_str("+CGREG: 2,2\n", cell_at_parse, &s), 0);
	assert_int_equal(s.reg, CELL_REG_SEARCHING);
	assert_int_equal(s.state, CELL_MS_SEARCHING);
	/* 5GS, from 4IceG/luci-app-3ginfo-lite issue #57 */
	assert_int_equal(parse_str("+C5GREG: 2,1,\"114000\",\"100072000\",11,4,\"01.010101\"\n",
				   cell_at_parse, &s), 0);
	assert_int_equal(s.reg, CELL_REG_HOME);
	assert_int_equal(s.tech, CELL_TECH_NR_SA);
	/* a serving-cell report outranks a registration's <AcT> */
	assert_int_equal(parse_str("+CEREG: 2,1,\"1\",\"2\",7\n+QNWINFO: \"TDD NR5G\",\"51566\","
				   "\"NR5G BAND 78\",620640\n", cell_at_parse, &s), 0);
	assert_int_equal(s.tech, CELL_TECH_NR_SA);
	/* COPS: deregistered, alphanumeric short, the test form */
	assert_int_equal(parse_str("+COPS: 2\n", cell_at_parse, &s), 0);
	assert_string_equal(s.operator_name, "");
	assert_int_equal(parse_str("+COPS: (1,\"Orange\",\"OR\",\"20801\",7),(2,\"SFR\",\"SFR\","
				   "\"20810\",7),,(0-4),(0-2)\n", cell_at_parse, &s), 0);
	assert_string_equal(s.operator_name, "SFR");
	assert_string_equal(s.operator_code, "20810");
}

static void test_at_sim_states(void **state)
{
	struct cell_sample s;
	assert_int_equal(parse_str("+CPIN: SIM PIN\nOK\n", cell_at_parse, &s), 0);
	assert_int_equal(s.state, CELL_MS_LOCKED);
	assert_string_equal(s.state_reason, "sim-pin");
	assert_int_equal(parse_str("AT+CPIN?\r\n+CME ERROR: 10\r\n", cell_at_parse, &s), 0);
	assert_int_equal(s.state, CELL_MS_FAILED);
	assert_string_equal(s.state_reason, "sim-missing");
	assert_int_equal(parse_str("+CPIN: READY\n", cell_at_parse, &s), 0);
	assert_int_equal(s.state, CELL_MS_UNKNOWN);
	assert_int_equal(parse_str("^SYSINFO: 0,0,0,0,255\n", cell_at_parse, &s), 0);
	assert_string_equal(s.state_reason, "sim-missing");
}

static void test_at_tolerance(void **state)
{
	struct cell_sample s;
	/* echoes, blanks, OK, unknown responses and lines, CRLF */
	static const char mixed[] =
		"AT+QTEMP;+CSQ\r\n\r\n+QTEMP: \"soc\",\"41\"\r\nsome banner\r\n"
		"+CSQ: 31,99\r\n\r\nOK\r\n+WHATEVER: 1,2,3\r\n";
	assert_int_equal(parse_str(mixed, cell_at_parse, &s), 0);
	assert_int_equal(s.csq, 31);
	assert_near(s.rssi_dbm, -51);
	/* nothing we know */
	assert_int_equal(parse_str("OK\n", cell_at_parse, &s), -1);
	assert_int_equal(parse_str("ERROR\n", cell_at_parse, &s), -1);
	assert_int_equal(parse_str("+CSQ: x,y\n", cell_at_parse, &s), -1);
	assert_int_equal(parse_str("+CESQ: 1,2,3\n", cell_at_parse, &s), -1);
	assert_int_equal(parse_str("", cell_at_parse, &s), -1);
	/* errors */
	assert_true(cell_at_error("AT+QENG=\"servingcell\"\r\nERROR\r\n", 29));
	assert_true(cell_at_error("+CME ERROR: 3\n", 14));
	assert_true(cell_at_error("response: 'ERROR'\n", 18));
	assert_false(cell_at_error("+CSQ: 1,2\nOK\n", 13));
	/* a coarse CSQ does not override a measured RSSI from another reply */
	cell_sample_init(&s);
	s.rssi_dbm = -60.5;
	assert_int_equal(cell_at_parse("+CSQ: 10,99\n", 12, &s), 0);
	assert_near(s.rssi_dbm, -60.5);
	assert_int_equal(s.csq, 10);
}

/* ==== robustness ============================================================= */

static const struct { const char *file; parse_fn fn; } corpus[] = {
	{ "mmcli-m-J.telit-le910c4.connected.json", modem_json },
	{ "mmcli-m-J.quectel-eg25.connected.pretty.json", modem_json },
	{ "mmcli-signal-get-J.lte.openwisp.pretty.json", cell_mmcli_signal_json },
	{ "mmcli-m.sierra-em7565.txt", modem_text },
	{ "mmcli-b.sierra-em7565.txt", cell_mmcli_bearer_text },
	{ "uqmi-get-signal-info.lte.json", cell_uqmi_signal },
	{ "uqmi-get-serving-system.json", cell_uqmi_serving },
	{ "qmicli-nas-get-signal-info.quectel-rm500q.txt", cell_qmicli_signal },
	{ "at-gstatus.sierra-em7455.txt", cell_at_parse },
	{ "at-qnwinfo-qcainfo-qeng-qspn.quectel-rg500q-ea.txt", cell_at_parse },
	{ "at-qeng-servingcell.quectel-rm500q.mmcli-command.txt", cell_at_parse },
	{ "at-cpsi-cmgrmi.simcom-sim7906.txt", cell_at_parse },
	{ "at-xlec-rsrp-rsrq-xmci.fibocom-l850gl.txt", cell_at_parse },
};

static const parse_fn all_parsers[] = {
	modem_json, cell_mmcli_signal_json, modem_text, cell_mmcli_bearer_text,
	cell_uqmi_signal, cell_uqmi_serving, cell_qmicli_signal, cell_at_parse,
};

/* Sane or unknown: never a figure out of any physical range. */
static void assert_sane(const struct cell_sample *s)
{
	const double v[] = { s->rsrp_dbm, s->rsrq_db, s->sinr_db, s->rssi_dbm, s->nr_rsrp_dbm,
			     s->nr_rsrq_db, s->nr_sinr_db, s->rscp_dbm, s->ecio_db };
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		assert_true(isnan(v[i]) || (v[i] > -200.0 && v[i] < 100.0));
	assert_true(s->csq >= -1 && s->csq <= 31);
	assert_true(s->signal_pct >= -1 && s->signal_pct <= 100);
	assert_true(memchr(s->operator_name, 0, sizeof(s->operator_name)) != NULL);
	assert_true(memchr(s->tech_text, 0, sizeof(s->tech_text)) != NULL);
	assert_true(memchr(s->cell_id, 0, sizeof(s->cell_id)) != NULL);
	assert_true(memchr(s->tac, 0, sizeof(s->tac)) != NULL);
	assert_true(memchr(s->source, 0, sizeof(s->source)) != NULL);
}

static void test_truncation(void **state)
{
	for (size_t i = 0; i < sizeof(corpus) / sizeof(corpus[0]); i++) {
		size_t n;
		char *t = load(corpus[i].file, &n);
		for (size_t k = 0; k <= n; k++) {
			char *cut = malloc(k ? k : 1);
			memcpy(cut, t, k);
			struct cell_sample s;
			cell_sample_init(&s);
			int rc = corpus[i].fn(cut, k, &s);
			assert_true(rc == 0 || rc == -1);
			assert_sane(&s);
			free(cut);
		}
		/* the whole text parses */
		struct cell_sample s;
		cell_sample_init(&s);
		assert_int_equal(corpus[i].fn(t, n, &s), 0);
		free(t);
	}
}

static void test_garbage(void **state)
{
	unsigned seed = 12345;
	char buf[2048];
	for (int round = 0; round < 400; round++) {
		size_t n = (size_t)(rand_r(&seed) % (int)sizeof(buf));
		for (size_t i = 0; i < n; i++) {
			/* mostly bytes of the formats, some anything */
			static const char alpha[] = "+:,\"'-0123456789 \n\t{}[]|().QENGCSQLTEabc";
			buf[i] = rand_r(&seed) % 4 ? alpha[rand_r(&seed) % (int)(sizeof(alpha) - 1)]
						   : (char)rand_r(&seed);
		}
		for (size_t p = 0; p < sizeof(all_parsers) / sizeof(all_parsers[0]); p++) {
			struct cell_sample s;
			cell_sample_init(&s);
			int rc = all_parsers[p](buf, n, &s);
			assert_true(rc == 0 || rc == -1);
			assert_sane(&s);
		}
		int idx[4];
		assert_true(cell_mmcli_list(buf, n, idx, 4) <= 4);
	}
	/* NUL bytes, binary, one very long line */
	static const char nul[] = "+CSQ: 1\0,2\n\0\0\0{\"modem\":";
	for (size_t p = 0; p < sizeof(all_parsers) / sizeof(all_parsers[0]); p++) {
		struct cell_sample s;
		cell_sample_init(&s);
		all_parsers[p](nul, sizeof(nul) - 1, &s);
		assert_sane(&s);
	}
	size_t big = 1u << 20;
	char *long_line = malloc(big);
	memset(long_line, '9', big);
	memcpy(long_line, "+CSQ: ", 6);
	for (size_t p = 0; p < sizeof(all_parsers) / sizeof(all_parsers[0]); p++) {
		struct cell_sample s;
		cell_sample_init(&s);
		assert_int_equal(all_parsers[p](long_line, big, &s), -1);
	}
	free(long_line);
}

/* Outputs of one format are not mistaken for another's. */
static void test_cross_format(void **state)
{
	for (size_t i = 0; i < sizeof(corpus) / sizeof(corpus[0]); i++) {
		size_t n;
		char *t = load(corpus[i].file, &n);
		for (size_t p = 0; p < sizeof(all_parsers) / sizeof(all_parsers[0]); p++) {
			parse_fn fn = all_parsers[p];
			if (fn == corpus[i].fn)
				continue;
			/* the modem JSON is a bearer-less JSON for the signal
			 * parser and vice versa; text layouts share nothing */
			struct cell_sample s;
			cell_sample_init(&s);
			int rc = fn(t, n, &s);
			bool same_family = (corpus[i].fn == modem_text && fn == cell_mmcli_bearer_text) ||
					   (corpus[i].fn == cell_mmcli_bearer_text && fn == modem_text);
			if (!same_family && rc == 0)
				fail_msg("%s recognised by parser %zu", corpus[i].file, p);
		}
		free(t);
	}
}

/* Parsing several outputs into one sample merges them. */
static void test_merge(void **state)
{
	struct cell_sample s;
	size_t n;
	char *t = load("mmcli-m-J.quectel-eg25.connected.pretty.json", &n);
	cell_sample_init(&s);
	assert_int_equal(cell_mmcli_modem_json(t, n, &s, NULL), 0);
	free(t);
	t = load("mmcli-signal-get-J.lte.openwisp.pretty.json", &n);
	assert_int_equal(cell_mmcli_signal_json(t, n, &s), 0);
	free(t);
	t = load("mmcli-b.sierra-em7565.txt", &n);
	assert_int_equal(cell_mmcli_bearer_text(t, n, &s), 0);
	free(t);
	t = load("at-qeng-servingcell.quectel-rm500q.mmcli-command.txt", &n);
	assert_int_equal(cell_at_parse(t, n, &s), 0);
	free(t);
	assert_int_equal(s.state, CELL_MS_CONNECTED);       /* not lowered by NOCONN */
	assert_int_equal(s.signal_pct, 60);
	assert_string_equal(s.operator_code, "23002");      /* QENG does not replace it */
	assert_int_equal(s.bearer_rx_bytes, 81514);
	assert_near(s.rsrp_dbm, -70);                       /* the last reply's */
	assert_near(s.nr_sinr_db, 18.0);
	assert_int_equal(s.tech, CELL_TECH_NR_NSA);
	assert_string_equal(s.source, "at");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_and_names),
		cmocka_unit_test(test_tech_parse),
		cmocka_unit_test(test_tech_from_act),
		cmocka_unit_test(test_mmcli_eg25),
		cmocka_unit_test(test_mmcli_telit_oneline),
		cmocka_unit_test(test_mmcli_huawei_failed),
		cmocka_unit_test(test_mmcli_bg96_searching),
		cmocka_unit_test(test_mmcli_em12g_hspa),
		cmocka_unit_test(test_mmcli_signal_lte),
		cmocka_unit_test(test_mmcli_signal_umts),
		cmocka_unit_test(test_mmcli_signal_nothing),
		cmocka_unit_test(test_mmcli_text_sierra),
		cmocka_unit_test(test_mmcli_text_continuations),
		cmocka_unit_test(test_mmcli_bearer),
		cmocka_unit_test(test_mmcli_list),
		cmocka_unit_test(test_uqmi_signal),
		cmocka_unit_test(test_uqmi_signal_newer),
		cmocka_unit_test(test_uqmi_serving),
		cmocka_unit_test(test_qmicli_signal),
		cmocka_unit_test(test_at_ec200a),
		cmocka_unit_test(test_at_marvell),
		cmocka_unit_test(test_at_qeng_mmcli),
		cmocka_unit_test(test_at_quectel_rg500q),
		cmocka_unit_test(test_at_qeng_shapes),
		cmocka_unit_test(test_at_gstatus),
		cmocka_unit_test(test_at_fibocom),
		cmocka_unit_test(test_at_simcom),
		cmocka_unit_test(test_at_registration_forms),
		cmocka_unit_test(test_at_sim_states),
		cmocka_unit_test(test_at_tolerance),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_cross_format),
		cmocka_unit_test(test_merge),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
