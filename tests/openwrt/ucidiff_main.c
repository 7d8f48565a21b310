/* ucidiff: compares our UCI parser with libuci (ucidiff.h).
 *   ucidiff FILE...      each file: "same" or "DIFFERENT" with both forms;
 *                        exit status = the number of differences
 * Built with -fsanitize=fuzzer and -DUCIDIFF_FUZZ it is a libFuzzer target
 * with libuci as the oracle: a difference aborts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ucidiff.h"

/* The one deliberate difference: libuci reads lines as C strings, so a NUL
 * byte silently cuts the rest of its line off; we refuse such a file (a
 * corrupt config gets an error, not a shortened value). For those inputs
 * the oracle is "ours fails". */
static int differ(const char *buf, size_t len, char **a, char **b)
{
	size_t la = 0, lb = 0;
	FILE *fa = open_memstream(a, &la), *fb = open_memstream(b, &lb);
	if (!fa || !fb)
		abort();
	ucidiff_ours(buf, len, fa);
	if (memchr(buf, '\0', len))
		fputs("ERROR\n", fb);
	else
		ucidiff_libuci(buf, len, fb);
	fclose(fa);
	fclose(fb);
	return la != lb || memcmp(*a, *b, la) != 0;
}

#ifdef UCIDIFF_FUZZ
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char *a = NULL, *b = NULL;
	if (differ((const char *)data, size, &a, &b)) {
		fprintf(stderr, "ours:\n%s\nlibuci:\n%s\n", a, b);
		abort();
	}
	free(a);
	free(b);
	return 0;
}
#else
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0;
	*len = 0;
	if (!f)
		return NULL;
	for (;;) {
		if (*len + 4096 > cap && !(buf = realloc(buf, cap = cap * 2 + 4096)))
			abort();
		size_t n = fread(buf + *len, 1, 4096, f);
		*len += n;
		if (n == 0)
			break;
	}
	fclose(f);
	return buf;
}

int main(int argc, char **argv)
{
	int bad = 0;
	for (int i = 1; i < argc; i++) {
		size_t len;
		char *buf = slurp(argv[i], &len), *a = NULL, *b = NULL;
		if (!buf) {
			perror(argv[i]);
			bad++;
			continue;
		}
		if (differ(buf, len, &a, &b)) {
			printf("DIFFERENT %s\n--- ours:\n%s--- libuci:\n%s", argv[i], a, b);
			bad++;
		} else {
			printf("same %s (%s)\n", argv[i], strncmp(a, "ERROR", 5) ? "parses" : "fails in both");
		}
		free(a);
		free(b);
		free(buf);
	}
	return bad > 255 ? 255 : bad;
}
#endif
