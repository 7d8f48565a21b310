/* libFuzzer target for the whole Starlink response path: DATA bytes ->
 * gRPC frame decoder (fed in two pieces split where the input says) ->
 * sl_pb_decode. The unframed bytes after the prefix are decoded too, so
 * that mutations which break the length still reach the protobuf decoder.
 * Checks the reply's invariants. Seed corpus: corpus/sl_reply/ (every
 * .bin of tests/data/starlink/ with its 5-byte prefix, made by make_bin.py). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "starlink/sl_frame.h"
#include "starlink/sl_pb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_str(const char *s, size_t size)
{
	if (!memchr(s, '\0', size))
		__builtin_trap();
}

static void check_reply(const struct sl_reply *r)
{
	const struct sl_history *h = &r->history;

	if (r->call > SL_CALL_UNSTOW || h->n > SL_HIST_MAX || h->n > h->ring_len ||
	    h->n > h->current || h->n_outages > SL_HIST_OUTAGES)
		__builtin_trap();
	for (unsigned i = 1; i < h->n_outages; i++)
		if (h->outages[i - 1].start_ns > h->outages[i].start_ns)
			__builtin_trap();
	check_str(r->status_message, sizeof(r->status_message));
	check_str(r->device_info.id, sizeof(r->device_info.id));
	check_str(r->device_info.software_version, sizeof(r->device_info.software_version));
	check_str(r->status.info.hardware_version, sizeof(r->status.info.hardware_version));
	check_str(r->diag.id, sizeof(r->diag.id));
}

static void decode(const uint8_t *msg, size_t len, struct sl_reply *r)
{
	char err[160];

	if (sl_pb_decode(msg, len, r, err, sizeof(err)) == 0)
		check_reply(r);
	else if (err[0] == '\0' || r->call != SL_CALL_NONE || !memchr(err, '\0', sizeof(err)))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sl_reply r;       /* ~8 KB: not on the stack */
	struct sl_frame_dec d;
	const uint8_t *msg = NULL;
	size_t len = 0, cut = size ? data[size - 1] % (size + 1) : 0;
	int rc;

	sl_frame_dec_init(&d, 1 << 20);
	rc = sl_frame_dec_feed(&d, data, cut, &msg, &len);
	if (rc == 0)
		rc = sl_frame_dec_feed(&d, data + cut, size - cut, &msg, &len);
	if (rc == 0)
		rc = sl_frame_dec_finish(&d, &msg, &len);
	if (rc == 1)
		decode(msg, len, &r);
	else if (rc == -1 && d.error[0] == '\0')
		__builtin_trap();
	sl_frame_dec_free(&d);
	if (size > SL_FRAME_PREFIX)
		decode(data + SL_FRAME_PREFIX, size - SL_FRAME_PREFIX, &r);
	return 0;
}
