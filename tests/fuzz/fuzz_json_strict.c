/* libFuzzer target for the strict JSON parser (core/json_strict.c), which
 * every control request, rpcd call and state file goes through. Besides
 * surviving any bytes, it keeps its promises:
 *  - what it accepts json-c accepts too, with the same tree (nothing the
 *    scanner allows is something json-c reads differently);
 *  - json-c's own output of an accepted value is accepted again and equal
 *    (what the daemon writes, it reads back);
 *  - every string in an accepted tree is valid, NUL-free UTF-8 of the
 *    length json-c reports.
 * The input sits in a heap buffer of exactly its size. Seed corpus:
 * corpus/json_strict/ (requests, state-file shapes, each rejected form). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_strict.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_strings(json_object *o)
{
	if (json_object_is_type(o, json_type_string)) {
		size_t n = (size_t)json_object_get_string_len(o);
		if (strlen(json_object_get_string(o)) != n)
			__builtin_trap();
	} else if (json_object_is_type(o, json_type_object)) {
		json_object_object_foreach(o, k, v) {
			(void)k;
			check_strings(v);
		}
	} else if (json_object_is_type(o, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(o); i++)
			check_strings(json_object_array_get_idx(o, i));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1), err[160];
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	json_object *o = json_strict_parse(buf, size, err, sizeof(err));
	if (!o) {
		if (!err[0] || !memchr(err, '\0', sizeof(err)))
			__builtin_trap();
		free(buf);
		return 0;
	}
	check_strings(o);
	json_tokener *tok = json_tokener_new_ex(JSON_STRICT_MAX_DEPTH + 1);
	json_object *lenient = json_tokener_parse_ex(tok, buf, (int)size);
	if (!lenient && json_tokener_get_error(tok) == json_tokener_continue)
		lenient = json_tokener_parse_ex(tok, " ", 1);   /* a bare number's end */
	if (!lenient || !json_object_equal(o, lenient))
		__builtin_trap();
	json_object_put(lenient);
	json_tokener_free(tok);
	size_t n;
	const char *out = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN, &n);
	char *copy = malloc(n ? n : 1);
	memcpy(copy, out, n);
	json_object *again = json_strict_parse(copy, n, err, sizeof(err));
	if (!again || !json_object_equal(o, again))
		__builtin_trap();
	json_object_put(again);
	free(copy);
	json_object_put(o);
	free(buf);
	return 0;
}
