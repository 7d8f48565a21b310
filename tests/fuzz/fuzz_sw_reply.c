/* libFuzzer target for starwatch/sw_query: the bytes are one reply line from
 * whatever answers on the control socket. Oracles: a refused line is no
 * answer and says why; a counter is only ever reported with an answer. */
#include "starwatch/sw_query.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sw_answer a;
	int rc = sw_query_parse_reply((const char *)data, size, &a);
	if (rc < 0 && (a.answered || a.has_counter || !a.why[0]))
		abort();
	if (rc == 0 && !a.answered)
		abort();
	if (a.has_counter && !a.answered)
		abort();
	if (!memchr(a.why, '\0', sizeof(a.why)))
		abort();
	return 0;
}
