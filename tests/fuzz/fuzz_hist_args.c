/* libFuzzer target for the history commands' arguments as operators type
 * them: `--period` (hist_period_parse) and `--older-than`
 * (hist_duration_parse), also what rpcd callers send.
 *
 * Oracles: a duration is -1 or 0..10 years and prints back (with its unit
 * dropped, as seconds) to the same value; a period is refused with a
 * message or has a NUL-terminated name and a span of 0 (all) or what the
 * duration says. */
#include "history/hist.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[64], err[256] = "", back[32];
	struct hist_period p;
	if (size >= sizeof(s))
		size = sizeof(s) - 1;
	memcpy(s, data, size);
	s[size] = '\0';
	int64_t d = hist_duration_parse(s);
	if (d < -1 || d > 3650LL * 86400)
		abort();
	if (d >= 0) {
		snprintf(back, sizeof(back), "%lld", (long long)d);
		if (hist_duration_parse(back) != d)
			abort();
	}
	if (hist_period_parse(s, &p, err, sizeof(err)) < 0) {
		if (!err[0] || !memchr(err, '\0', sizeof(err)))
			abort();
		return 0;
	}
	if (!memchr(p.name, '\0', sizeof(p.name)) || p.span_s < 0)
		abort();
	if (p.span_s != 0 && strcmp(s, "daily") && strcmp(s, "weekly") && strcmp(s, "monthly") &&
	    p.span_s != d)
		abort();
	return 0;
}
