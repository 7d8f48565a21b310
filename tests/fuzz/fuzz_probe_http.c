/* libFuzzer target for the HTTP status-line parser (http_msg.c): the bytes
 * a web server, a captive portal or something else entirely sends back to
 * an HTTP(S) probe.
 *
 * The input is the bytes received, in a buffer of exactly its size. Besides
 * memory safety, the parser must be consistent as bytes arrive: for every
 * prefix, "malformed" stays malformed and a complete status line stays the
 * same line with the same status once more bytes follow; a status is
 * always 100..599 and a line never longer than the input.
 *
 * clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc src/probe/http_msg.c
 *   src/probe/target.c tests/fuzz/fuzz_probe_http.c -o /tmp/fuzz_probe_http */
#include "probe/probe_internal.h"

#include <stdlib.h>
#include <string.h>

static int parse_copy(const uint8_t *data, size_t n, int *status, bool whole)
{
	char *buf = malloc(n ? n : 1);
	if (!buf)
		abort();
	memcpy(buf, data, n);
	int rc = whole ? probe_http_parse_response(buf, n, status)
		       : probe_http_parse_status(buf, n, status);
	free(buf);
	return rc;
}

static void check(const uint8_t *data, size_t size, bool whole)
{
	int st_full = 0;
	int full = parse_copy(data, size, &st_full, whole);
	if (full > (int)size || full < -1)
		abort();
	if (full > 0 && (st_full < 100 || st_full > 599))
		abort();
	if (!whole && full > 0 && data[full - 1] != '\n')
		abort();
	/* a few prefixes (all of them for short inputs) */
	size_t step = size > 64 ? size / 32 : 1;
	for (size_t k = 0; k < size; k += step) {
		int st = 0;
		int rc = parse_copy(data, k, &st, whole);
		if (rc < 0 && full != -1)
			abort();        /* malformed, then fine with more bytes? */
		if (rc > 0 && (rc != full || st != st_full))
			abort();        /* complete, then different with more? */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check(data, size, false);
	check(data, size, true);
	return 0;
}
