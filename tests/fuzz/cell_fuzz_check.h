/* Shared by the cellular fuzz targets: run one parser on an exact-size copy
 * of the input (ASan sees any read past it), twice, and check what a parser
 * must never do whatever the bytes: return other than 0/-1, leave a string
 * unterminated, produce a figure outside any physical range, or give a
 * different answer for the same text. */
#ifndef AUTONOMY_TESTS_CELL_FUZZ_CHECK_H
#define AUTONOMY_TESTS_CELL_FUZZ_CHECK_H

#include "cellular/cell_parse.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef int (*cell_fuzz_fn)(const char *text, size_t len, struct cell_sample *s);

static void cell_fuzz_sane(const struct cell_sample *s)
{
	const double v[] = { s->rsrp_dbm, s->rsrq_db, s->sinr_db, s->rssi_dbm, s->nr_rsrp_dbm,
			     s->nr_rsrq_db, s->nr_sinr_db, s->rscp_dbm, s->ecio_db };
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (!isnan(v[i]) && !(v[i] > -200.0 && v[i] < 100.0))
			__builtin_trap();
	if (s->csq < -1 || s->csq > 31 || s->signal_pct < -1 || s->signal_pct > 100)
		__builtin_trap();
	if (s->roaming < -1 || s->roaming > 1)
		__builtin_trap();
	if ((unsigned)s->tech > CELL_TECH_NR_SA || (unsigned)s->reg > CELL_REG_IDLE ||
	    (unsigned)s->state > CELL_MS_CONNECTED)
		__builtin_trap();
	if (!memchr(s->source, 0, sizeof(s->source)) ||
	    !memchr(s->state_reason, 0, sizeof(s->state_reason)) ||
	    !memchr(s->tech_text, 0, sizeof(s->tech_text)) ||
	    !memchr(s->operator_name, 0, sizeof(s->operator_name)) ||
	    !memchr(s->operator_code, 0, sizeof(s->operator_code)) ||
	    !memchr(s->cell_id, 0, sizeof(s->cell_id)) || !memchr(s->tac, 0, sizeof(s->tac)))
		__builtin_trap();
	for (const unsigned char *p = (const unsigned char *)s->operator_name; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			__builtin_trap();       /* kept printable */
}

static void cell_fuzz_run(cell_fuzz_fn fn, const uint8_t *data, size_t size)
{
	char *copy = malloc(size ? size : 1);
	if (!copy)
		return;
	memcpy(copy, data, size);
	struct cell_sample a, b;
	cell_sample_init(&a);
	cell_sample_init(&b);
	int ra = fn(copy, size, &a), rb = fn(copy, size, &b);
	if ((ra != 0 && ra != -1) || ra != rb || memcmp(&a, &b, sizeof(a)))
		__builtin_trap();
	cell_fuzz_sane(&a);
	free(copy);
}

#endif
