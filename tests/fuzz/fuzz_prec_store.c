/* libFuzzer target for engine/decide_prec_json: the bytes are
 * state_dir/precursors.json as the daemon reads it (decide_prec_load).
 *
 * Oracles: a refused document leaves the engine as it was (no member slot
 * made); an accepted one leaves only sound records (hits <= alarms, moves <=
 * alarms, move hits <= moves, finite non-negative weights, a bar between 1
 * and 8, NUL-terminated kinds), and writing them out and reading that back
 * gives the same records. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/decide_prec_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct decide_prec_view *v)
{
	if (!memchr(v->kind, '\0', sizeof(v->kind)) || !v->kind[0])
		abort();
	if (v->hits > v->alarms || v->moves > v->alarms || v->move_hits > v->moves)
		abort();
	if (!isfinite(v->w_alarms) || !isfinite(v->w_hits) || v->w_alarms < 0 || v->w_hits < 0 ||
	    v->w_hits > v->w_alarms)
		abort();
	if (!(v->bar >= 1 && v->bar <= 8))
		abort();
}

static unsigned records(const struct decide *d, struct decide_prec_view *out, unsigned max)
{
	unsigned n = 0;
	for (unsigned i = 0; i < d->n && n < max; i++)
		n += decide_precursors(d, d->m[i].name, out + n, max - n);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct decide d, back;
	static struct decide_prec_view a[DECIDE_MAX_MEMBERS * DECIDE_KINDS],
		b[DECIDE_MAX_MEMBERS * DECIDE_KINDS];

	decide_init(&d, NULL);
	int n = decide_prec_load(&d, (const char *)data, size);
	if (n < 0 && d.n != 0)
		abort();
	unsigned na = records(&d, a, sizeof(a) / sizeof(a[0]));
	for (unsigned i = 0; i < na; i++)
		check(&a[i]);
	json_object *o = decide_prec_to_json(&d);
	const char *txt = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	decide_init(&back, NULL);
	if (decide_prec_load(&back, txt, strlen(txt)) < 0)
		abort();
	json_object_put(o);
	unsigned nb = records(&back, b, sizeof(b) / sizeof(b[0]));
	if (nb != na)
		abort();
	for (unsigned i = 0; i < na; i++)
		if (strcmp(a[i].kind, b[i].kind) || a[i].alarms != b[i].alarms ||
		    a[i].hits != b[i].hits || a[i].moves != b[i].moves ||
		    a[i].move_hits != b[i].move_hits || fabs(a[i].bar - b[i].bar) > 1e-6)
			abort();
	return 0;
}
