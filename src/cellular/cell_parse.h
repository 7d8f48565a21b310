/* cell_parse: parsers for what the tools that own a cellular modem print.
 * Pure functions, no I/O. Each takes the output (text + length, need not be
 * NUL-terminated, any bytes) and fills a struct cell_sample: it sets only
 * what it found, so outputs of several commands merge when parsed into the
 * same sample in turn. Each returns 0 if it recognised the output (even if
 * every figure in it was "unknown"), -1 if the text is not that format.
 * Fields a parser does not know are ignored (new firmware, new tools).
 * Every parser also sets s->source to its family ("mmcli", "uqmi",
 * "qmicli", "at") when it recognises the text. */
#ifndef AUTONOMY_LINK_CELL_PARSE_H
#define AUTONOMY_LINK_CELL_PARSE_H

#include "cellular/cell_types.h"

#include <stdbool.h>
#include <stddef.h>

/* What ModemManager says about the modem itself: used to choose the
 * vendor's AT commands and the bearer to read. */
struct cell_modem_id {
	char manufacturer[48];  /* "Quectel", "Sierra Wireless, Incorporated" */
	char model[48];
	int bearer;             /* index of the first bearer, -1 none */
};

/* 3GPP TS 27.007 <AcT> number -> technology (UNKNOWN for others). */
enum cell_tech cell_tech_from_act(long act);
/* true if any radio figure (LTE, NR, 3G, CSQ) is known. */
bool cell_sample_has_signal(const struct cell_sample *s);

/* ---- ModemManager (cell_mmcli.c, cell_mmcli_text.c) ---- */
/* `mmcli -m N -J`, one-line or pretty-printed. id may be NULL. */
int cell_mmcli_modem_json(const char *text, size_t len, struct cell_sample *s,
			  struct cell_modem_id *id);
/* `mmcli -m N --signal-get -J` */
int cell_mmcli_signal_json(const char *text, size_t len, struct cell_sample *s);
/* `mmcli -m N` text ("Section | key: value"). id may be NULL. */
int cell_mmcli_modem_text(const char *text, size_t len, struct cell_sample *s,
			  struct cell_modem_id *id);
/* `mmcli -b N` text: bearer statistics. */
int cell_mmcli_bearer_text(const char *text, size_t len, struct cell_sample *s);
/* `mmcli -L` text ("/org/freedesktop/ModemManager1/Modem/0 [Quectel] EG25")
 * or `mmcli -L -J` ({"modem-list":[paths]}): the modem indices, in the
 * order listed, into idx (at most max). Returns how many (0: "No modems
 * were found" or an empty list), -1 if neither format. */
int cell_mmcli_list(const char *text, size_t len, int *idx, size_t max);

/* ---- QMI (cell_qmi.c) ---- */
/* `uqmi -d DEV --get-signal-info`: one object, or an array of objects (LTE
 * + 5G NR with EN-DC, newer uqmi). */
int cell_uqmi_signal(const char *text, size_t len, struct cell_sample *s);
/* `uqmi -d DEV --get-serving-system` */
int cell_uqmi_serving(const char *text, size_t len, struct cell_sample *s);
/* `qmicli -d DEV -p --nas-get-signal-info` text. */
int cell_qmicli_signal(const char *text, size_t len, struct cell_sample *s);

/* ---- AT responses (cell_at.c and its vendor tables) ---- */
/* Any mix of AT responses as a modem port, `gsmctl -A` or
 * `mmcli --command` (response: '...') prints them: echoed commands, blank
 * lines, OK/ERROR and unknown lines are skipped. Returns 0 if at least one
 * response line was understood. */
int cell_at_parse(const char *text, size_t len, struct cell_sample *s);
/* true if the text holds a final ERROR / +CME ERROR / +CMS ERROR result. */
bool cell_at_error(const char *text, size_t len);

#endif
