/* wifi_text: bounded helpers for the Wi-Fi text parsers (wifi_proc.c,
 * wifi_iw*.c, wifi_iwinfo.c). Input is (pointer, length), never assumed
 * NUL-terminated; a number is copied into a small buffer before strtod, so
 * nothing reads past the caller's bytes. Internal to src/wifi/. */
#ifndef AUTONOMY_LINK_WIFI_TEXT_H
#define AUTONOMY_LINK_WIFI_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* A view into the input: p[0..n). */
struct wtext {
	const char *p;
	size_t n;
};

/* Next line of [*pos, end) into *line (without the '\n' and a '\r' before
 * it); advances *pos. False at the end of the input. */
bool wtext_line(const char **pos, const char *end, struct wtext *line);
/* Leading white space in columns (a tab advances to the next multiple of 8,
 * as a terminal shows it, so tab- and space-indented captures agree). */
size_t wtext_indent(struct wtext t);
struct wtext wtext_trim(struct wtext t);
bool wtext_blank(struct wtext t);
/* t starts with the literal s; *rest (may be NULL) is what follows. */
bool wtext_prefix(struct wtext t, const char *s, struct wtext *rest);
/* The trimmed line is "key: value" (key compared exactly, the colon right
 * after it); *val is the trimmed value. */
bool wtext_key(struct wtext line, const char *key, struct wtext *val);
/* First whitespace-separated word of t; *rest is what follows it. */
struct wtext wtext_word(struct wtext t, struct wtext *rest);
bool wtext_eq(struct wtext t, const char *s);

/* A number at the start of t (after blanks): *rest is what follows. */
bool wtext_double(struct wtext t, double *out, struct wtext *rest);
bool wtext_ll(struct wtext t, long long *out, struct wtext *rest);
/* "xx:xx:xx:xx:xx:xx" (hex, or 'x' as in a masked capture) at the start of
 * t, stored lower-case into out[18]. */
bool wtext_mac(struct wtext t, char out[18], struct wtext *rest);
/* Copies t into dst (always NUL-terminated, cut to fit). */
void wtext_copy(char *dst, size_t size, struct wtext t);
/* An SSID as iw prints it (\xNN escapes) decoded into out[33]. An SSID
 * with a NUL byte in it is a hidden network and becomes ""; other control
 * bytes become '?', so the text is safe to log and put into JSON. */
void wtext_ssid(char out[33], struct wtext t, bool unescape);

#endif
