/* libFuzzer target for the dish transport: the input is what "the dish"
 * sends on the TCP connection (HTTP/2 frames: SETTINGS, HEADERS with HPACK,
 * DATA with a gRPC message, trailers, RST_STREAM, GOAWAY, garbage), written
 * by an in-process server on loopback in two pieces (split where the first
 * byte says), then the server closes. The client (sl_grpc) made two calls on
 * that connection; each must end in exactly one callback, with a status in
 * range and a message within its bounds, and nothing may leak or crash.
 * Seed corpus: corpus/sl_grpc/ — the bytes the dish emulator (a real gRPC
 * server, tests/dish/) sent for each kind of call, an error, a
 * PermissionDenied and unknown fields (dish_emulator.py --dump). */
#include "starlink/sl_grpc.h"

#include "core/clock.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct event_base *base;
static int lfd = -1;
static uint16_t port;
static unsigned results[2];

static void setup(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	base = event_base_new();
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (!base || lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(lfd, 16) < 0 || getsockname(lfd, (struct sockaddr *)&a, &len) < 0)
		abort();
	port = ntohs(a.sin_port);
}

static void on_result(void *arg, const struct sl_grpc_result *r)
{
	unsigned *n = arg;
	(*n)++;
	if (r->status < SL_GRPC_E_PROTOCOL || r->status > 16 ||
	    !memchr(r->message, '\0', sizeof(r->message)) || (r->status == 0 && !r->msg && r->len))
		__builtin_trap();
	if (r->len) {   /* the message must be readable during the callback */
		volatile uint8_t x = r->msg[0];
		x = r->msg[r->len - 1];
		(void)x;
	}
}

static const uint8_t REQ[] = { 0xe2, 0x3e, 0x00 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!base)
		setup();
	const struct sl_grpc_opts o = { .host = "127.0.0.1", .port = port,
					.connect_timeout_ms = 1000, .max_message = 64 * 1024 };
	struct sl_grpc *g = sl_grpc_new(base, &o);
	results[0] = results[1] = 0;
	sl_grpc_call(g, "/SpaceX.API.Device.Device/Handle", REQ, sizeof(REQ), 1000, on_result,
		     &results[0]);
	sl_grpc_call(g, "/SpaceX.API.Device.Device/Handle", REQ, sizeof(REQ), 1000, on_result,
		     &results[1]);
	/* let the client connect and send its preface and requests */
	for (int i = 0; i < 4; i++)
		event_base_loop(base, EVLOOP_NONBLOCK);
	int c = accept(lfd, NULL, NULL);
	if (c < 0)
		abort();
	size_t cut = size ? data[0] % (size + 1) : 0;
	/* a failed send means the client closed already: fine, it must still
	 * have ended both calls */
	if (send(c, data, cut, MSG_NOSIGNAL) >= 0) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		send(c, data + cut, size - cut, MSG_NOSIGNAL);
	}
	shutdown(c, SHUT_WR);
	uint64_t end = clock_mono_ms() + 3000;
	while ((results[0] == 0 || results[1] == 0) && clock_mono_ms() < end)
		event_base_loop(base, EVLOOP_ONCE);
	close(c);
	if (results[0] != 1 || results[1] != 1)
		__builtin_trap();       /* a call without exactly one callback */
	sl_grpc_free(g);
	/* nothing of the freed client may run later */
	event_base_loop(base, EVLOOP_NONBLOCK);
	return 0;
}
