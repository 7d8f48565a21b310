/* libFuzzer target for the learnt-places state file (state_dir/
 * locations.json): the bytes go through what the daemon's loader does
 * (json_strict_parse, loclearn_from_json); whatever loads must keep the
 * table's invariants, judge, learn and save without a fault (UBSan: no
 * overflow in the time arithmetic), and what is saved must load back to the
 * same table. Seed corpus: corpus/loclearn/ (a saved file, and issue 13's
 * {"format":null}). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_strict.h"
#include "starlink/loclearn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct loclearn l, back;

static void check(const struct loclearn *t)
{
	if (t->n > LOCLEARN_CELLS)
		__builtin_trap();
	for (unsigned i = 0; i < t->n; i++) {
		const struct loclearn_cell *c = &t->c[i];
		size_t k = strnlen(c->key, sizeof(c->key));
		if (k == 0 || k == sizeof(c->key) || c->n_times > LOCLEARN_OUTAGES ||
		    c->head >= LOCLEARN_OUTAGES)
			__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1), why[160];
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	json_object *o = json_strict_parse(buf, size, why, sizeof(why));
	free(buf);
	if (loclearn_from_json(&l, o) < 0) {
		if (l.n)
			__builtin_trap();
		json_object_put(o);
		return 0;
	}
	json_object_put(o);
	check(&l);
	/* Judge every place at a few times, then learn something new. */
	static const int64_t now[] = { 0, 1764300000, INT64_C(253402300799) };
	struct loclearn_verdict v;
	for (unsigned i = 0; i < l.n; i++)
		for (size_t k = 0; k < sizeof(now) / sizeof(now[0]); k++)
			loclearn_judge(&l, l.c[i].key, now[k], &v);
	if (l.n) {
		char key[LOCLEARN_KEY_MAX];
		memcpy(key, l.c[0].key, sizeof(key));
		loclearn_observe(&l, key, 1764300000, 1764300600);
		loclearn_outage(&l, key, 1764300300);
	}
	loclearn_observe(&l, "fuzz", 1764300000, 1764300010);
	check(&l);
	/* Saved and loaded again: the same places. */
	json_object *saved = loclearn_to_json(&l);
	const char *txt = json_object_to_json_string_ext(saved, JSON_C_TO_STRING_PLAIN);
	json_object *again = json_strict_parse(txt, strlen(txt), why, sizeof(why));
	if (!again || loclearn_from_json(&back, again) < 0 || back.n != l.n)
		__builtin_trap();
	for (unsigned i = 0; i < l.n; i++)
		if (strcmp(back.c[i].key, l.c[i].key) || back.c[i].n_times != l.c[i].n_times ||
		    back.c[i].outages != l.c[i].outages)
			__builtin_trap();
	json_object_put(again);
	json_object_put(saved);
	return 0;
}
