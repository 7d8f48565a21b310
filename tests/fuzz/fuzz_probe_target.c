/* libFuzzer target for probe_target_parse (target.c): config text, checked
 * by `autonomyd -n` and on every reload.
 *
 * The input, cut at 300 bytes and NUL-terminated, is parsed; an error must
 * be a message quoting the text; a target must be sound (family, address
 * length, kind) and its label, when not cut short, must parse back to the
 * same label and address.
 *
 * clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc src/probe/target.c
 *   tests/fuzz/fuzz_probe_target.c -o /tmp/fuzz_probe_target */
#include "probe/probe.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char spec[301];
	char err[256] = "";
	struct probe_target t, t2;
	if (size > 300)
		size = 300;
	memcpy(spec, data, size);
	spec[size] = '\0';
	if (probe_target_parse(spec, &t, err, sizeof(err)) < 0) {
		if (err[0] != '\'' || strnlen(err, sizeof(err)) == sizeof(err))
			abort();
		return 0;
	}
	if ((t.family != AF_INET && t.family != AF_INET6) || t.addr.ss_family != t.family ||
	    t.addrlen == 0 || (unsigned)t.kind > PROBE_HTTPS)
		abort();
	size_t ll = strnlen(t.label, sizeof(t.label));
	if (ll == sizeof(t.label))
		abort();
	if (ll == sizeof(t.label) - 1)
		return 0;       /* cut short for display */
	if (probe_target_parse(t.label, &t2, err, sizeof(err)) < 0)
		abort();
	if (strcmp(t.label, t2.label) != 0 || memcmp(&t.addr, &t2.addr, t.addrlen) != 0 ||
	    t.kind != t2.kind || t.expect_status != t2.expect_status)
		abort();
	return 0;
}
