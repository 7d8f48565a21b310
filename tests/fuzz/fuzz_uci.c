/* libFuzzer target for config/uci: any bytes must parse or fail cleanly,
 * without reading past the buffer or leaking. Seed corpus: corpus/uci/. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "config/uci.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Walk the result so that every pointer in it is touched. */
static size_t touch(const struct uci_package *pkg)
{
	size_t n = pkg->name ? strlen(pkg->name) : 0;

	for (size_t i = 0; i < pkg->n_secs; i++) {
		const struct uci_section *s = &pkg->secs[i];

		n += strlen(s->type) + (s->name ? strlen(s->name) : 0);
		for (size_t j = 0; j < s->n_opts; j++) {
			const struct uci_option *o = &s->opts[j];

			n += strlen(o->name);
			if (o->n_values == 0 || (!o->is_list && o->n_values != 1))
				__builtin_trap();
			for (size_t k = 0; k < o->n_values; k++)
				n += strlen(o->values[k]);
			if (uci_find_option(s, o->name) == NULL)
				__builtin_trap();
		}
		if (s->name && uci_find_section(pkg, s->name) != s)
			__builtin_trap();
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uci_package pkg;
	struct uci_error err;
	volatile size_t sink;

	if (uci_parse((const char *)data, size, &pkg, &err) == 0) {
		sink = touch(&pkg);
	} else {
		if (pkg.n_secs || pkg.secs || pkg.name || err.msg[0] == '\0' ||
		    memchr(err.msg, '\0', sizeof(err.msg)) == NULL)
			__builtin_trap();
		sink = (size_t)err.line;
	}
	(void)sink;
	uci_package_free(&pkg);
	return 0;
}
