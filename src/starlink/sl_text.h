/* sl_text: the small string rules shared by the Starlink codec (protobuf,
 * JSON and gRPC trailers): copy a string of untrusted length into a fixed
 * buffer without cutting a UTF-8 sequence in half, and match a protobuf
 * field name against a JSON key in either of the two spellings the dish's
 * tools use (snake_case as in the .proto and the traces, lowerCamelCase as
 * grpcurl prints it). Internal to src/starlink/sl_*.c. */
#ifndef AUTONOMY_LINK_SL_TEXT_H
#define AUTONOMY_LINK_SL_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Copies at most size-1 bytes of src[0..n) (stopping at a NUL) into dst and
 * NUL-terminates it; a cut never splits a UTF-8 sequence. size 0: no-op. */
void sl_text_copy(char *dst, size_t size, const char *src, size_t n);

/* Where to cut s[0..len) when the byte after it, next, is dropped: len,
 * or less so that no UTF-8 sequence is left incomplete. */
size_t sl_text_utf8_cut(const char *s, size_t len, char next);

/* True if key is snake (e.g. "slow_ethernet_speeds_100") or its protobuf
 * JSON name ("slowEthernetSpeeds100": "_x" becomes "X", "_1" becomes "1"). */
bool sl_text_name_eq(const char *snake, const char *key);

#endif
