/* libFuzzer target for the ModemManager parsers (src/cellular/cell_mmcli*.c).
 * The first byte picks the parser (modem JSON, signal JSON, modem text,
 * bearer text, modem list), the rest is mmcli's output. Seed corpus:
 * corpus/cell_mmcli/ (the mmcli-* captures behind their selector byte). */
#include "cell_fuzz_check.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int modem_json(const char *t, size_t n, struct cell_sample *s)
{
	struct cell_modem_id id;
	int rc = cell_mmcli_modem_json(t, n, s, &id);
	if (rc == 0 && (!memchr(id.manufacturer, 0, sizeof(id.manufacturer)) ||
			!memchr(id.model, 0, sizeof(id.model)) || id.bearer < -1))
		__builtin_trap();
	return rc;
}

static int modem_text(const char *t, size_t n, struct cell_sample *s)
{
	struct cell_modem_id id;
	int rc = cell_mmcli_modem_text(t, n, s, &id);
	if (rc == 0 && (!memchr(id.model, 0, sizeof(id.model)) || id.bearer < -1))
		__builtin_trap();
	return rc;
}

/* The list as a "parser": indices must be >= 0 and at most max. */
static int list(const char *t, size_t n, struct cell_sample *s)
{
	int idx[4];
	int k = cell_mmcli_list(t, n, idx, 4);
	if (k < -1 || k > 4)
		__builtin_trap();
	for (int i = 0; i < k; i++)
		if (idx[i] < 0)
			__builtin_trap();
	(void)s;
	return k < 0 ? -1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const cell_fuzz_fn fns[] = {
		modem_json, cell_mmcli_signal_json, modem_text, cell_mmcli_bearer_text, list,
	};
	if (!size)
		return 0;
	cell_fuzz_run(fns[data[0] % (sizeof(fns) / sizeof(fns[0]))], data + 1, size - 1);
	return 0;
}
