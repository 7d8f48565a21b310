#include "starlink/sl_text.h"

#include <string.h>

static bool is_cont(char c)
{
	return ((unsigned char)c & 0xC0) == 0x80;
}

size_t sl_text_utf8_cut(const char *s, size_t len, char next)
{
	/* If next continues a UTF-8 sequence (10xxxxxx), drop the sequence's
	 * first bytes too: back off to its lead byte, at most 3 bytes (a longer
	 * run of continuation bytes is not UTF-8 and is cut where it is). */
	size_t lead = len;

	if (!is_cont(next))
		return len;
	while (lead > 0 && len - lead < 3 && is_cont(s[lead - 1]))
		lead--;
	return lead > 0 && !is_cont(s[lead - 1]) ? lead - 1 : len;
}

void sl_text_copy(char *dst, size_t size, const char *src, size_t n)
{
	if (size == 0)
		return;
	const char *nul = src ? memchr(src, '\0', n) : NULL;
	size_t len = src ? (nul ? (size_t)(nul - src) : n) : 0;

	if (len > size - 1)
		len = sl_text_utf8_cut(src, size - 1, src[size - 1]);
	if (len)
		memcpy(dst, src, len);
	dst[len] = '\0';
}

bool sl_text_name_eq(const char *snake, const char *key)
{
	if (strcmp(snake, key) == 0)
		return true;
	for (;;) {
		char c = *snake++;
		if (c == '_' && *snake != '\0') {
			c = *snake++;
			if (c >= 'a' && c <= 'z')
				c = (char)(c - 'a' + 'A');
		}
		if (c != *key++)
			return false;
		if (c == '\0')
			return true;
	}
}
