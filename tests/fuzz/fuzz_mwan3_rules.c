/* libFuzzer target for openwrt/owrt_mwan3_rules: rtnetlink rule dumps are
 * read to tell whether mwan3 runs. Any bytes scan without reading past the
 * buffer. Seed corpus: corpus/mwan3_rules/. */
#include <stddef.h>
#include <stdint.h>

#include "openwrt/owrt_mwan3_rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct owrt_mwan3_seen seen = { 0 };
	unsigned n = owrt_mwan3_rules_scan(data, size, &seen);
	if (n != seen.rules || (n && (seen.first_pref <= 2000 || seen.first_pref >= 4000)))
		__builtin_trap();
	return 0;
}
