/* libFuzzer target for openwrt/owrt_mwan3: an mwan3 config (outside input:
 * the router's /etc/config/mwan3) through our UCI parser into the importer.
 * Whatever it writes must be UCI that our parser reads back. Seed corpus:
 * corpus/mwan3_import/ (mwan3 configs). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "config/uci.h"
#include "openwrt/owrt_mwan3.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uci_package pkg, back;
	struct uci_error uerr;
	char err[160], *out = NULL;
	size_t len = 0;
	if (uci_parse((const char *)data, size, &pkg, &uerr) < 0)
		return 0;
	FILE *f = open_memstream(&out, &len);
	if (!f) {
		uci_package_free(&pkg);
		return 0;
	}
	int n = owrt_mwan3_import(&pkg, "fuzz", f, err, sizeof(err));
	fclose(f);
	uci_package_free(&pkg);
	if (uci_parse(out, len, &back, &uerr) < 0)
		__builtin_trap();       /* we wrote something that is not UCI */
	if (n >= 0 && back.n_secs != (size_t)n)
		__builtin_trap();       /* one section per member written */
	uci_package_free(&back);
	free(out);
	return 0;
}
