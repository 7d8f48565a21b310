/* ucidiff: our UCI parser (src/config/uci.c) and OpenWrt's libuci read the
 * same bytes; each result is written in one canonical text form, so that
 * the two can be compared: "ERROR\n" for a file that fails to parse, else
 * per section "S type name" (name "*" when anonymous: libuci invents
 * cfgXXXXXX names for those) and per option "O name value" or, for a list,
 * "L name value" per value, in order; bytes outside printable ASCII and
 * the backslash are written as \xHH. The two sides live in files of their
 * own: the parsers' struct names clash. */
#ifndef AUTONOMY_TESTS_UCIDIFF_H
#define AUTONOMY_TESTS_UCIDIFF_H

#include <stddef.h>
#include <stdio.h>

/* Both write the canonical form of buf[0..len) to out. */
void ucidiff_ours(const char *buf, size_t len, FILE *out);
void ucidiff_libuci(const char *buf, size_t len, FILE *out);
void ucidiff_put(FILE *out, const char *s);

#endif
