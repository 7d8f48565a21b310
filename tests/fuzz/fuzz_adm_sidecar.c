/* libFuzzer target for the config-backup sidecar parser (adm_sidecar_parse):
 * the input, in a buffer of exactly its size, is parsed; what parses must
 * satisfy the parser's promises and survive format -> parse unchanged. */
#include "admin/adm.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct adm_sidecar s, r;
	char err[160], text[8192];
	char *buf = malloc(size ? size : 1);
	memcpy(buf, data, size);
	if (adm_sidecar_parse(buf, size, &s, err, sizeof(err)) == 0) {
		if (s.format != 1 || strlen(s.sha256) != 64 || s.size > ADM_MAX_CONFIG ||
		    strchr(s.file, '/'))
			abort();
		size_t n = adm_sidecar_format(&s, text, sizeof(text));
		if (n && (adm_sidecar_parse(text, n, &r, err, sizeof(err)) != 0 ||
			  strcmp(r.sha256, s.sha256) || r.size != s.size ||
			  r.created_ts != s.created_ts || strcmp(r.file, s.file)))
			abort();
	} else if (!err[0]) {
		abort();        /* a refusal always says why */
	}
	free(buf);
	return 0;
}
