/* libFuzzer target for the Starlink JSON readers: text -> json-c ->
 * sl_json_reply, and the same object as a status, history, location, device
 * info and diagnostics object (a trace's `starlink` object is a status).
 * Checks invariants. Seed corpus: corpus/sl_json/ (the grpcurl captures,
 * the masked ones as posted and with make_bin.py's stated values, synthetic
 * edge cases, a trimmed history, the traces' starlink objects). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <json-c/json.h>

#include "starlink/sl_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_history(const struct sl_history *h)
{
	if (h->n > SL_HIST_MAX || h->n > h->ring_len || h->n > h->current ||
	    h->n_outages > SL_HIST_OUTAGES)
		__builtin_trap();
	for (unsigned i = 1; i < h->n_outages; i++)
		if (h->outages[i - 1].start_ns > h->outages[i].start_ns)
			__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sl_reply r;
	static struct sl_history h;
	struct sl_status s;
	struct sl_location l;
	struct sl_device_info di;
	struct sl_diag g;
	unsigned bad = 0;
	json_tokener *tok = json_tokener_new();
	json_object *o;

	if (!tok)
		return 0;
	o = json_tokener_parse_ex(tok, (const char *)data, (int)(size > 1 << 20 ? 1 << 20 : size));
	json_tokener_free(tok);
	int is_obj = json_object_is_type(o, json_type_object);
	if (sl_json_reply(o, &r, &bad) != (is_obj ? 0 : -1))
		__builtin_trap();
	check_history(&r.history);
	if (!memchr(r.status_message, '\0', sizeof(r.status_message)) ||
	    !memchr(r.device_info.id, '\0', sizeof(r.device_info.id)))
		__builtin_trap();
	(void)sl_json_status(o, &s, &bad);
	if (!memchr(s.info.software_version, '\0', sizeof(s.info.software_version)))
		__builtin_trap();
	(void)sl_json_history(o, &h, NULL);
	check_history(&h);
	(void)sl_json_location(o, &l, &bad);
	(void)sl_json_device_info(o, &di, &bad);
	(void)sl_json_diag(o, &g, NULL);
	json_object_put(o);
	return 0;
}
