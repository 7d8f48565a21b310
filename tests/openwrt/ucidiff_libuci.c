/* ucidiff: libuci's side (ucidiff.h): uci_import of the bytes as one
 * package, as `uci import` does. */
#include "ucidiff.h"

#include <stdlib.h>

#include <uci.h>

void ucidiff_libuci(const char *buf, size_t len, FILE *out)
{
	struct uci_context *ctx = uci_alloc_context();
	struct uci_package *p = NULL;
	struct uci_element *e, *oe, *le;
	/* fmemopen of 0 bytes is refused: an empty file reads as one. */
	FILE *in = len ? fmemopen((void *)buf, len, "r") : fopen("/dev/null", "r");
	if (!ctx || !in || uci_import(ctx, in, "ucidiff", &p, true) != UCI_OK || !p) {
		fputs("ERROR\n", out);
		goto done;
	}
	uci_foreach_element(&p->sections, e) {
		struct uci_section *s = uci_to_section(e);
		fputs("S ", out);
		ucidiff_put(out, s->type);
		fputc(' ', out);
		ucidiff_put(out, s->anonymous ? "*" : s->e.name);
		fputc('\n', out);
		uci_foreach_element(&s->options, oe) {
			struct uci_option *o = uci_to_option(oe);
			if (o->type == UCI_TYPE_STRING) {
				fputs("O ", out);
				ucidiff_put(out, o->e.name);
				fputc(' ', out);
				ucidiff_put(out, o->v.string);
				fputc('\n', out);
				continue;
			}
			uci_foreach_element(&o->v.list, le) {
				fputs("L ", out);
				ucidiff_put(out, o->e.name);
				fputc(' ', out);
				ucidiff_put(out, le->name);
				fputc('\n', out);
			}
		}
	}
done:
	if (in)
		fclose(in);
	if (ctx) {
		if (p)
			uci_unload(ctx, p);
		uci_free_context(ctx);
	}
}
