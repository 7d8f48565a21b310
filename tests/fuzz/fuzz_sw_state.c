/* libFuzzer target for starwatch/sw_state: the bytes are the persistent
 * state file that bounds reboots. Oracles: a refused file leaves an empty
 * state and says why; an accepted one holds at most SW_STATE_MAX times in
 * range, counts no more than it holds, and survives format → parse. */
#include "starwatch/sw_state.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sw_state st, back;
	char err[96] = "";
	if (sw_state_parse((const char *)data, size, &st, err, sizeof(err)) < 0) {
		if (!err[0] || st.n != 0)
			abort();
		return 0;
	}
	if (st.n > SW_STATE_MAX)
		abort();
	for (size_t i = 0; i < st.n; i++)
		if (st.reboots[i] < 0)
			abort();
	if (sw_state_count_day(&st, 1800000000) > st.n)
		abort();
	char *text = sw_state_format(&st);
	if (!text || sw_state_parse(text, strlen(text), &back, err, sizeof(err)) < 0 ||
	    back.n != st.n || memcmp(back.reboots, st.reboots, st.n * sizeof(st.reboots[0])))
		abort();
	free(text);
	sw_state_add(&st, 1800000000);
	if (st.n == 0 || st.n > SW_STATE_MAX || st.reboots[st.n - 1] != 1800000000)
		abort();
	return 0;
}
