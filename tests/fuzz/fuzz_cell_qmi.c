/* libFuzzer target for the QMI tools' parsers (src/cellular/cell_qmi.c). The
 * first byte picks uqmi --get-signal-info, uqmi --get-serving-system or
 * qmicli --nas-get-signal-info; the rest is the tool's output. Seed corpus:
 * corpus/cell_qmi/ (the uqmi-* and qmicli-* captures behind their selector). */
#include "cell_fuzz_check.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const cell_fuzz_fn fns[] = {
		cell_uqmi_signal, cell_uqmi_serving, cell_qmicli_signal,
	};
	if (!size)
		return 0;
	cell_fuzz_run(fns[data[0] % (sizeof(fns) / sizeof(fns[0]))], data + 1, size - 1);
	return 0;
}
