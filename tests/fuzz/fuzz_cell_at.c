/* libFuzzer target for the AT response parser (src/cellular/cell_at*.c): what a
 * modem, gsmctl -A or mmcli --command prints. cell_at_error runs on the same
 * bytes. Seed corpus: corpus/cell_at/ (the at-*.txt captures). */
#include "cell_fuzz_check.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cell_fuzz_run(cell_at_parse, data, size);
	char *copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	(void)cell_at_error(copy, size);
	free(copy);
	return 0;
}
