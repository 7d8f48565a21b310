/* libFuzzer target for the API keys' file (sec_keys_parse, state_dir/
 * api_keys) and the keys requests present (sec_keys_check): the input's
 * first line is taken as a presented key, the rest as the file. What parses
 * must keep the parser's promises and survive format -> parse unchanged; a
 * presented key is judged without reading past it, and only a key whose
 * hash is in the file is ever OK. */
#include "security/sec_keys.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static struct sec_keys k, r;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[160], text[SEC_KEYS_FILE_MAX + 1];
	const uint8_t *nl = memchr(data, '\n', size);
	size_t kl = nl ? (size_t)(nl - data) : 0, fl = nl ? size - kl - 1 : size;
	char *key = malloc(kl + 1), *file = malloc(fl ? fl : 1);
	memcpy(key, data, kl);
	key[kl] = '\0';
	memcpy(file, nl ? nl + 1 : data, fl);
	err[0] = '\0';
	if (sec_keys_parse(&k, file, fl, err, sizeof(err)) == 0) {
		if (k.n > SEC_KEYS_MAX)
			abort();
		for (size_t i = 0; i < k.n; i++)
			if (strlen(k.v[i].id) != SEC_KEY_ID_LEN || !sec_key_name_ok(k.v[i].name))
				abort();
		size_t n = sec_keys_format(&k, text, sizeof(text));
		if (n < sizeof(text)) {
			if (sec_keys_parse(&r, text, n, err, sizeof(err)) != 0 || r.n != k.n)
				abort();
			for (size_t i = 0; i < k.n; i++)
				if (strcmp(r.v[i].id, k.v[i].id) || strcmp(r.v[i].name, k.v[i].name) ||
				    r.v[i].created != k.v[i].created ||
				    r.v[i].revoked != k.v[i].revoked ||
				    memcmp(r.v[i].hash, k.v[i].hash, 32))
					abort();
		}
		struct sec_key *which = NULL;
		enum sec_key_check c = sec_keys_check(&k, key, 1800000000, 90 * 86400, &which);
		if (c == SEC_KEY_OK && (!which || which->revoked))
			abort();
	} else if (!err[0] || k.n) {
		abort();        /* a refusal says why and leaves no keys */
	}
	free(key);
	free(file);
	return 0;
}
