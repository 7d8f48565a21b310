/* ucidiff: our parser's side (ucidiff.h). */
#include "ucidiff.h"

#include "config/uci.h"

void ucidiff_put(FILE *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c > 0x7e || c == '\\')
			fprintf(out, "\\x%02x", c);
		else
			fputc(c, out);
	}
}

void ucidiff_ours(const char *buf, size_t len, FILE *out)
{
	struct uci_package pkg;
	struct uci_error err;
	if (uci_parse(buf, len, &pkg, &err) < 0) {
		fputs("ERROR\n", out);
		return;
	}
	for (size_t i = 0; i < pkg.n_secs; i++) {
		const struct uci_section *s = &pkg.secs[i];
		fputs("S ", out);
		ucidiff_put(out, s->type);
		fputc(' ', out);
		ucidiff_put(out, s->name ? s->name : "*");
		fputc('\n', out);
		for (size_t j = 0; j < s->n_opts; j++) {
			const struct uci_option *o = &s->opts[j];
			for (size_t k = 0; k < o->n_values; k++) {
				fputs(o->is_list ? "L " : "O ", out);
				ucidiff_put(out, o->name);
				fputc(' ', out);
				ucidiff_put(out, o->values[k]);
				fputc('\n', out);
			}
		}
	}
	uci_package_free(&pkg);
}
