/* Unit tests for gRPC framing (sl_frame): the decoder fed a real framed
 * response split at every point, byte by byte and in three pieces; the
 * limits and errors (oversize, compressed flag, a second message, a stream
 * that ends early); grpc-status parsing and names; grpc-message
 * percent-decoding, including the dish's PermissionDenied text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "starlink/sl_frame.h"
#include "sl_fixture.h"

struct framed {
	uint8_t *msg, *frame;
	size_t len, flen;
};

static struct framed load_framed(const char *bin)
{
	struct framed f;
	f.msg = sl_fix_load(SL_FIX_DIR, bin, &f.len);
	f.frame = malloc(f.len + SL_FRAME_PREFIX);
	f.flen = sl_frame_encode(f.msg, f.len, f.frame, f.len + SL_FRAME_PREFIX);
	assert_int_equal(f.flen, f.len + SL_FRAME_PREFIX);
	return f;
}

static void free_framed(struct framed *f)
{
	free(f->msg);
	free(f->frame);
}

static void test_encode(void **state)
{
	uint8_t out[16];
	static const uint8_t m[] = { 0xe2, 0x3e, 0x00 };

	assert_int_equal(sl_frame_encode(m, 3, out, sizeof(out)), 8);
	assert_memory_equal(out, "\x00\x00\x00\x00\x03\xe2\x3e\x00", 8);
	assert_int_equal(sl_frame_encode(m, 3, out, 8), 8);
	assert_int_equal(sl_frame_encode(m, 3, out, 7), 0);
	assert_int_equal(sl_frame_encode(m, 3, out, 4), 0);
	assert_int_equal(sl_frame_encode(NULL, 0, out, 5), 5);
	assert_memory_equal(out, "\0\0\0\0\0", 5);
}

/* The real status and history responses, split at every byte. */
static void check_splits(const char *bin)
{
	struct framed f = load_framed(bin);
	const uint8_t *msg = NULL;
	size_t len = 0;

	for (size_t cut = 0; cut <= f.flen; cut++) {
		struct sl_frame_dec d;
		sl_frame_dec_init(&d, 0);
		int rc = sl_frame_dec_feed(&d, f.frame, cut, &msg, &len);
		assert_int_equal(rc, cut == f.flen ? 1 : 0);
		if (cut < f.flen)
			assert_int_equal(sl_frame_dec_feed(&d, f.frame + cut, f.flen - cut, &msg, &len), 1);
		assert_int_equal(len, f.len);
		assert_memory_equal(msg, f.msg, f.len);
		assert_true(d.cap <= f.len);    /* never more than the message */
		assert_int_equal(sl_frame_dec_finish(&d, &msg, &len), 1);
		sl_frame_dec_free(&d);
	}
	free_framed(&f);
}

static void test_every_split(void **state)
{
	check_splits("status.rev4_2024.bin");
	check_splits("location.2025-06.bin");
}

static void test_byte_by_byte_and_thirds(void **state)
{
	struct framed f = load_framed("history.rev4_2024.bin");
	const uint8_t *msg = NULL;
	size_t len = 0;
	struct sl_frame_dec d;

	sl_frame_dec_init(&d, 0);
	for (size_t i = 0; i < f.flen; i++)
		assert_int_equal(sl_frame_dec_feed(&d, f.frame + i, 1, &msg, &len), i + 1 == f.flen);
	assert_int_equal(len, f.len);
	assert_memory_equal(msg, f.msg, f.len);
	/* nothing more: the message is still there */
	assert_int_equal(sl_frame_dec_feed(&d, NULL, 0, &msg, &len), 1);
	assert_int_equal(len, f.len);
	sl_frame_dec_free(&d);

	for (size_t a = 0; a < f.flen; a += 997)
		for (size_t b = a; b < f.flen; b += 1499) {
			sl_frame_dec_init(&d, 0);
			assert_int_equal(sl_frame_dec_feed(&d, f.frame, a, &msg, &len), 0);
			assert_int_equal(sl_frame_dec_feed(&d, f.frame + a, b - a, &msg, &len), 0);
			assert_int_equal(sl_frame_dec_feed(&d, f.frame + b, f.flen - b, &msg, &len), 1);
			assert_memory_equal(msg, f.msg, f.len);
			sl_frame_dec_free(&d);
		}
	free_framed(&f);
}

static void test_limits_and_errors(void **state)
{
	struct framed f = load_framed("status.rev4_2024.bin");
	const uint8_t *msg;
	size_t len;
	struct sl_frame_dec d;

	/* the limit: exactly the message fits, one byte less does not */
	sl_frame_dec_init(&d, f.len);
	assert_int_equal(sl_frame_dec_feed(&d, f.frame, f.flen, &msg, &len), 1);
	sl_frame_dec_free(&d);
	sl_frame_dec_init(&d, f.len - 1);
	assert_int_equal(sl_frame_dec_feed(&d, f.frame, 5, &msg, &len), -1);
	assert_non_null(strstr(d.error, "over the limit"));
	/* sticky */
	assert_int_equal(sl_frame_dec_feed(&d, f.frame + 5, 1, &msg, &len), -1);
	assert_int_equal(sl_frame_dec_finish(&d, &msg, &len), -1);
	sl_frame_dec_free(&d);

	/* default limit 4 MiB; a length that lies costs no allocation */
	static const uint8_t big[] = { 0, 0x00, 0x40, 0x00, 0x00, 1, 2, 3 };    /* 4 MiB */
	static const uint8_t over[] = { 0, 0x00, 0x40, 0x00, 0x01 };
	sl_frame_dec_init(&d, 0);
	assert_int_equal(d.max_len, 4u << 20);
	assert_int_equal(sl_frame_dec_feed(&d, big, sizeof(big), &msg, &len), 0);
	assert_true(d.cap <= 4096);
	assert_int_equal(sl_frame_dec_finish(&d, &msg, &len), -1);
	assert_non_null(strstr(d.error, "3 bytes into a 4194304-byte message"));
	sl_frame_dec_free(&d);
	sl_frame_dec_init(&d, 0);
	assert_int_equal(sl_frame_dec_feed(&d, over, sizeof(over), &msg, &len), -1);
	sl_frame_dec_free(&d);

	/* compressed flag, and an unknown flag */
	static const uint8_t comp[] = { 1, 0, 0, 0, 1, 0x08 };
	static const uint8_t flag[] = { 0x80, 0, 0, 0, 0 };
	sl_frame_dec_init(&d, 0);
	assert_int_equal(sl_frame_dec_feed(&d, comp, sizeof(comp), &msg, &len), -1);
	assert_non_null(strstr(d.error, "compressed"));
	sl_frame_dec_free(&d);
	sl_frame_dec_init(&d, 0);
	assert_int_equal(sl_frame_dec_feed(&d, flag, sizeof(flag), &msg, &len), -1);
	assert_non_null(strstr(d.error, "0x80"));
	sl_frame_dec_free(&d);

	/* two messages in one chunk, and a second one in a later chunk */
	uint8_t two[2 * 600];
	memcpy(two, f.frame, f.flen);
	memcpy(two + f.flen, f.frame, f.flen);
	sl_frame_dec_init(&d, 0);
	assert_int_equal(sl_frame_dec_feed(&d, two, 2 * f.flen, &msg, &len), -1);
	assert_non_null(strstr(d.error, "after the response message"));
	sl_frame_dec_free(&d);
	sl_frame_dec_init(&d, 0);
	assert_int_equal(sl_frame_dec_feed(&d, two, f.flen, &msg, &len), 1);
	assert_int_equal(sl_frame_dec_feed(&d, two + f.flen, 1, &msg, &len), -1);
	assert_non_null(strstr(d.error, "1 more bytes"));
	sl_frame_dec_free(&d);

	/* end of stream: nothing (trailers only), inside the prefix */
	sl_frame_dec_init(&d, 0);
	assert_int_equal(sl_frame_dec_finish(&d, &msg, &len), 0);
	assert_int_equal(sl_frame_dec_feed(&d, f.frame, 3, &msg, &len), 0);
	assert_int_equal(sl_frame_dec_finish(&d, &msg, &len), -1);
	assert_non_null(strstr(d.error, "prefix (3 of 5"));
	sl_frame_dec_free(&d);

	/* an empty message is a message */
	static const uint8_t empty[] = { 0, 0, 0, 0, 0 };
	sl_frame_dec_init(&d, 0);
	assert_int_equal(sl_frame_dec_feed(&d, empty, sizeof(empty), &msg, &len), 1);
	assert_non_null(msg);
	assert_int_equal(len, 0);
	sl_frame_dec_free(&d);
	sl_frame_dec_free(&d);          /* twice is harmless */
	free_framed(&f);
}

static void test_grpc_status(void **state)
{
	static const struct {
		const char *v;
		int code;
	} cases[] = {
		{ "0", 0 }, { "7", 7 }, { "16", 16 }, { "04", 4 }, { "17", -1 }, { "", -1 },
		{ "-1", -1 }, { "1a", -1 }, { " 7", -1 }, { "100", -1 }, { "+1", -1 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(sl_grpc_status_parse(cases[i].v, strlen(cases[i].v)), cases[i].code);
	assert_int_equal(sl_grpc_status_parse("14xyz", 2), 14);        /* n bounds it */
	assert_int_equal(sl_grpc_status_parse(NULL, 0), -1);
	assert_string_equal(sl_grpc_status_name(0), "OK");
	assert_string_equal(sl_grpc_status_name(4), "DEADLINE_EXCEEDED");
	assert_string_equal(sl_grpc_status_name(7), "PERMISSION_DENIED");
	assert_string_equal(sl_grpc_status_name(12), "UNIMPLEMENTED");
	assert_string_equal(sl_grpc_status_name(14), "UNAVAILABLE");
	assert_string_equal(sl_grpc_status_name(16), "UNAUTHENTICATED");
	assert_string_equal(sl_grpc_status_name(17), "UNKNOWN");
	assert_string_equal(sl_grpc_status_name(-1), "UNKNOWN");
}

static void test_grpc_message(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "Failed%20to%20get%20location", "Failed to get location" },
		/* the dish's PermissionDenied (get_location.error-permission-denied) */
		{ "Failed%20to%20get%20location%3A%20Disabled%20due%20to%20policy",
		  "Failed to get location: Disabled due to policy" },
		{ "plain", "plain" }, { "", "" },
		{ "100%", "100%" }, { "%zz", "%zz" }, { "%4", "%4" }, { "a%2", "a%2" },
		{ "%2a%2A", "**" }, { "line%0Abreak", "line?break" }, { "nul%00", "nul?" },
		{ "caf%C3%A9", "caf\xc3\xa9" },
	};
	char out[128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sl_grpc_message_decode(cases[i].in, strlen(cases[i].in), out, sizeof(out));
		assert_string_equal(out, cases[i].out);
	}
	/* cut to the buffer, never inside a UTF-8 sequence */
	sl_grpc_message_decode("ab%C3%A9", 8, out, 4);
	assert_string_equal(out, "ab");
	sl_grpc_message_decode("ab%C3%A9", 8, out, 5);
	assert_string_equal(out, "ab\xc3\xa9");
	sl_grpc_message_decode("abcdef", 6, out, 4);
	assert_string_equal(out, "abc");
	sl_grpc_message_decode("%41BC", 2, out, sizeof(out));   /* n bounds the escape */
	assert_string_equal(out, "%4");
	sl_grpc_message_decode(NULL, 0, out, sizeof(out));
	assert_string_equal(out, "");
	sl_grpc_message_decode("x", 1, out, 1);
	assert_string_equal(out, "");
	sl_grpc_message_decode("x", 1, NULL, 0);        /* no output buffer: no-op */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode),
		cmocka_unit_test(test_every_split),
		cmocka_unit_test(test_byte_by_byte_and_thirds),
		cmocka_unit_test(test_limits_and_errors),
		cmocka_unit_test(test_grpc_status),
		cmocka_unit_test(test_grpc_message),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
