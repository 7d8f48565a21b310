/* sl_codec: cost of the Starlink codec on the real fixtures. Prints one
 * JSON object: per sl_pb_decode of get_status and of get_history (from
 * tests/data/starlink/, made from real captures) the time (median of 7
 * batches, each at least 100 ms) and the heap protobuf-c uses (bytes and
 * allocations per decode, peak live bytes; all freed before it returns),
 * and the bytes on the wire of each request and response with the 5-byte
 * gRPC prefix. sizeof(struct sl_reply) is the caller's one allocation.
 * Usage: sl_codec [FIXTURE_DIR]   (bench/sl_codec.sh builds and runs it) */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <protobuf-c/protobuf-c.h>

#include "starlink/sl_frame.h"
#include "starlink/sl_pb.h"

/* ---- a counting allocator (size kept in a 16-byte header) ---- */

struct heap {
	uint64_t bytes, allocs, live, peak;
};

static void *count_alloc(void *data, size_t size)
{
	struct heap *h = data;
	size_t *p = malloc(size + 16);

	if (!p)
		return NULL;
	p[0] = size;
	h->bytes += size;
	h->allocs++;
	h->live += size;
	if (h->live > h->peak)
		h->peak = h->live;
	return (char *)p + 16;
}

static void count_free(void *data, void *ptr)
{
	struct heap *h = data;

	if (!ptr)
		return;
	size_t *p = (size_t *)((char *)ptr - 16);
	h->live -= p[0];
	free(p);
}

static uint8_t *load(const char *dir, const char *name, size_t *len)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "sl_codec: cannot open %s\n", path);
		exit(1);
	}
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *b = malloc((size_t)n + 1);
	if (!b || fread(b, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "sl_codec: cannot read %s\n", path);
		exit(1);
	}
	fclose(f);
	*len = (size_t)n;
	return b;
}

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* ns per decode: 7 batches of at least 100 ms each, the median. */
static double time_decode(const uint8_t *b, size_t len, struct sl_reply *r)
{
	double per[7];
	uint64_t iters = 64;

	for (int k = 0; k < 7; k++) {
		for (;;) {
			double t0 = now_ns();
			for (uint64_t i = 0; i < iters; i++)
				if (sl_pb_decode(b, len, r, NULL, 0) != 0)
					exit(1);
			double dt = now_ns() - t0;
			if (dt >= 1e8) {
				per[k] = dt / (double)iters;
				break;
			}
			iters *= 2;
		}
	}
	qsort(per, 7, sizeof(per[0]), cmp_double);
	return per[3];
}

static void bench_decode(const char *dir, const char *file, const char *key, struct sl_reply *r)
{
	size_t len;
	uint8_t *b = load(dir, file, &len);
	struct heap h = { 0 };
	ProtobufCAllocator a = { .alloc = count_alloc, .free = count_free, .allocator_data = &h };
	char err[160];

	if (sl_pb_decode_with(b, len, r, &a, err, sizeof(err)) != 0 || h.live != 0) {
		fprintf(stderr, "sl_codec: %s: %s\n", file, err);
		exit(1);
	}
	printf("  \"%s\": {\"message_bytes\": %zu, \"ns_per_decode\": %.0f, "
	       "\"heap_bytes_per_decode\": %" PRIu64 ", \"heap_allocs_per_decode\": %" PRIu64
	       ", \"heap_peak_bytes\": %" PRIu64 "},\n",
	       key, len, time_decode(b, len, r), h.bytes, h.allocs, h.peak);
	free(b);
}

static void wire_requests(void)
{
	static const enum sl_call calls[] = {
		SL_CALL_STATUS, SL_CALL_HISTORY, SL_CALL_DEVICE_INFO, SL_CALL_LOCATION,
		SL_CALL_DIAGNOSTICS, SL_CALL_REBOOT, SL_CALL_STOW, SL_CALL_UNSTOW,
	};
	uint8_t buf[SL_PB_REQUEST_MAX];

	printf("  \"request_wire_bytes\": {");
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		/* id 1000: a daemon that counts its requests has a 2-byte id soon */
		size_t n = sl_pb_encode_request(calls[i], 1000, buf, sizeof(buf));
		printf("%s\"%s\": %zu", i ? ", " : "", sl_call_name(calls[i]), n + SL_FRAME_PREFIX);
	}
	printf("},\n");
}

static void wire_responses(const char *dir)
{
	static const char *const files[][2] = {
		{ "get_status", "status.rev4_2024.bin" }, { "get_history", "history.rev4_2024.bin" },
		{ "get_device_info", "device_info.rev3_2023.bin" },
		{ "get_location", "location.2025-06.bin" },
		{ "get_diagnostics", "diagnostics.2024-12.bin" },
	};

	printf("  \"response_wire_bytes\": {");
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		size_t len;
		free(load(dir, files[i][1], &len));
		printf("%s\"%s\": %zu", i ? ", " : "", files[i][0], len + SL_FRAME_PREFIX);
	}
	printf("},\n");
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "tests/data/starlink";
	struct sl_reply *r = malloc(sizeof(*r));

	if (!r)
		return 1;
	printf("{\n");
	bench_decode(dir, "status.rev4_2024.bin", "get_status", r);
	bench_decode(dir, "history.rev4_2024.bin", "get_history", r);
	wire_requests();
	wire_responses(dir);
	printf("  \"sizeof_sl_reply\": %zu\n}\n", sizeof(*r));
	free(r);
	return 0;
}
