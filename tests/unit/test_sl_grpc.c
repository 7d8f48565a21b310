/* Unit tests for the gRPC transport (sl_grpc): the pure helpers (backoff
 * arithmetic, grpc-timeout) and the protocol handling against an HTTP/2
 * server living in the same event loop (nghttp2's server session on a
 * loopback TCP socket) that answers as told: a normal unary response,
 * trailers-only errors, HTTP errors, a missing grpc-status, RST_STREAM,
 * GOAWAY, two messages, a wrong content-type, a closed connection, silence.
 * Also: callbacks never from inside sl_grpc_call, exactly one per call,
 * freeing the client from its callback, connect refused and backoff. */
#include "starlink/sl_grpc.h"

#include "core/clock.h"
#include "h2_test_server.h"
#include "starlink/sl_frame.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>
#include <nghttp2/nghttp2.h>

/* ---- the server (h2_test_server.h) -------------------------------------------- */

enum srv_mode {
	M_OK, M_TRAILERS_ONLY, M_HTTP503, M_NO_STATUS, M_RST, M_GOAWAY, M_TWO_MSGS,
	M_BAD_CTYPE, M_CLOSE, M_SILENT, M_SPLIT,
};

static const uint8_t REPLY[] = { 0x18, 0x11, 0xa2, 0x7d, 0x03, 0x08, 0x01, 0x10 };

static enum srv_mode mode;
static struct event_base *base;

static void respond(int32_t id, const uint8_t *req, size_t rlen)
{
	const nghttp2_nv ok[] = { SNV(":status", "200"), SNV("content-type", "application/grpc") };
	const nghttp2_nv bad[] = { SNV(":status", "200"), SNV("content-type", "text/html") };
	const nghttp2_nv e503[] = { SNV(":status", "503"), SNV("content-type", "text/plain") };
	uint8_t two[2 * (sizeof(REPLY) + 5)];
	size_t n;

	switch (mode) {
	case M_OK: case M_SPLIT:
		srv_reply_grpc(id, REPLY, sizeof(REPLY));
		break;
	case M_NO_STATUS:       /* the message, then END_STREAM without trailers */
		n = sl_frame_encode(REPLY, sizeof(REPLY), two, sizeof(two));
		srv_reply(id, ok, 2, two, n, NULL);
		break;
	case M_TWO_MSGS:
		n = sl_frame_encode(REPLY, sizeof(REPLY), two, sizeof(two));
		n += sl_frame_encode(REPLY, sizeof(REPLY), two + n, sizeof(two) - n);
		srv_reply(id, ok, 2, two, n, "0");
		break;
	case M_BAD_CTYPE:
		n = sl_frame_encode(REPLY, sizeof(REPLY), two, sizeof(two));
		srv_reply(id, bad, 2, two, n, "0");
		break;
	case M_TRAILERS_ONLY:
		srv_reply_error(id, "7", "Failed to get location: Disabled due to policy");
		break;
	case M_HTTP503:
		nghttp2_submit_response(srv.s, id, e503, 2, NULL);
		break;
	case M_RST:
		nghttp2_submit_rst_stream(srv.s, NGHTTP2_FLAG_NONE, id, NGHTTP2_INTERNAL_ERROR);
		break;
	case M_GOAWAY:
		nghttp2_submit_goaway(srv.s, NGHTTP2_FLAG_NONE, 0, NGHTTP2_NO_ERROR, NULL, 0);
		mode = M_OK;            /* the next connection answers */
		break;
	case M_CLOSE: case M_SILENT:
		break;
	}
}

static void set_mode(enum srv_mode m)
{
	mode = m;
	srv.silent = m == M_SILENT;
	srv.close_on_request = m == M_CLOSE;
	srv.split = m == M_SPLIT;
}

static int setup(void **st)
{
	base = event_base_new();
	assert_int_equal(srv_start(base), 0);
	srv.respond = respond;
	set_mode(M_OK);
	return 0;
}

static int teardown(void **st)
{
	srv_stop();
	event_base_free(base);
	return 0;
}

/* ---- the client side ----------------------------------------------------------- */

#define MAX_RES 16
static struct {
	struct sl_grpc_result r[MAX_RES];
	uint8_t msg[MAX_RES][64];
	size_t n;
	bool inside_call;               /* set while sl_grpc_call runs */
	bool cb_inside_call;
	struct sl_grpc *free_me;        /* freed from the callback */
} res;

static void on_result(void *arg, const struct sl_grpc_result *r)
{
	if (res.inside_call)
		res.cb_inside_call = true;
	if (res.n < MAX_RES) {
		res.r[res.n] = *r;
		if (r->msg && r->len <= sizeof(res.msg[0]))
			memcpy(res.msg[res.n], r->msg, r->len);
		res.n++;
	}
	if (res.free_me) {
		sl_grpc_free(res.free_me);
		res.free_me = NULL;
	}
}

static void tick(evutil_socket_t fd, short what, void *arg) {}

static void run_until(size_t n, unsigned ms)
{
	struct timeval tv = { 0, 5000 };
	struct event *t = event_new(base, -1, EV_PERSIST, tick, NULL);
	event_add(t, &tv);
	uint64_t end = clock_mono_ms() + ms;
	while (res.n < n && clock_mono_ms() < end)
		event_base_loop(base, EVLOOP_ONCE);
	event_free(t);
}

static struct sl_grpc *client(unsigned backoff_min)
{
	const struct sl_grpc_opts o = { .host = "127.0.0.1", .port = srv.port,
		.connect_timeout_ms = 500, .backoff_min_ms = backoff_min, .backoff_max_ms = 4000 };
	memset(&res, 0, sizeof(res));
	struct sl_grpc *g = sl_grpc_new(base, &o);
	assert_non_null(g);
	return g;
}

static const uint8_t REQ[] = { 0xe2, 0x3e, 0x00 };      /* Request{get_status{}} */

static int call(struct sl_grpc *g, unsigned deadline)
{
	res.inside_call = true;
	int rc = sl_grpc_call(g, "/SpaceX.API.Device.Device/Handle", REQ, sizeof(REQ), deadline,
			      on_result, NULL);
	res.inside_call = false;
	return rc;
}

static struct sl_grpc_result one(enum srv_mode m)
{
	struct sl_grpc *g = client(1000);
	set_mode(m);
	assert_int_equal(call(g, 1000), 0);
	run_until(1, 2000);
	assert_int_equal(res.n, 1);
	sl_grpc_free(g);
	return res.r[0];
}

/* ---- tests ---------------------------------------------------------------------- */

static void test_backoff_arithmetic(void **st)
{
	assert_int_equal(sl_grpc_backoff_next(0, 1000, 60000), 1000);
	assert_int_equal(sl_grpc_backoff_next(1000, 1000, 60000), 2000);
	assert_int_equal(sl_grpc_backoff_next(16000, 1000, 60000), 32000);
	assert_int_equal(sl_grpc_backoff_next(32000, 1000, 60000), 60000);     /* capped */
	assert_int_equal(sl_grpc_backoff_next(60000, 1000, 60000), 60000);
	assert_int_equal(sl_grpc_backoff_next(500, 1000, 60000), 1000);         /* below min */
	assert_int_equal(sl_grpc_backoff_next(0, 5000, 100), 5000);             /* max < min */
	unsigned b = 0, steps = 0;
	while (b < 60000 && steps < 100) {
		b = sl_grpc_backoff_next(b, 1000, 60000);
		steps++;
	}
	assert_int_equal(steps, 7);     /* 1 2 4 8 16 32 60 s */
}

static void test_timeout_header(void **st)
{
	char buf[16];
	assert_int_equal(sl_grpc_timeout_header(1500, buf, sizeof(buf)), 5);
	assert_string_equal(buf, "1500m");
	sl_grpc_timeout_header(99999999, buf, sizeof(buf));
	assert_string_equal(buf, "99999999m");
	sl_grpc_timeout_header(100000000, buf, sizeof(buf));
	assert_string_equal(buf, "100000S");
	assert_string_equal(sl_grpc_code_name(SL_GRPC_E_DEADLINE), "deadline");
	assert_string_equal(sl_grpc_code_name(SL_GRPC_E_PROTOCOL), "protocol");
	assert_string_equal(sl_grpc_code_name(7), "PERMISSION_DENIED");
	assert_string_equal(sl_grpc_code_name(-99), "unknown");
}

static void test_bad_options(void **st)
{
	struct sl_grpc_opts o = { .host = "dish.local", .port = 9200 };
	errno = 0;
	assert_null(sl_grpc_new(base, &o));             /* no DNS on the loop */
	assert_int_equal(errno, EINVAL);
	o.host = "192.168.100.1";
	o.port = 0;
	assert_null(sl_grpc_new(base, &o));
	o.port = 9200;
	o.ifname = "an-interface-name-too-long";
	assert_null(sl_grpc_new(base, &o));
	o.ifname = NULL;
	o.host = "fe80::1";
	struct sl_grpc *g = sl_grpc_new(base, &o);      /* IPv6 is fine */
	assert_non_null(g);
	assert_int_equal(sl_grpc_call(g, "no-slash", REQ, 3, 100, on_result, NULL), -1);
	assert_int_equal(sl_grpc_call(g, "/x", REQ, 3, 0, on_result, NULL), -1);
	assert_int_equal(sl_grpc_call(g, "/x", REQ, 3, 100, NULL, NULL), -1);
	sl_grpc_free(g);
}

static void test_unary_ok(void **st)
{
	struct sl_grpc *g = client(1000);
	set_mode(M_OK);
	assert_int_equal(call(g, 1000), 0);
	assert_int_equal(res.n, 0);
	run_until(1, 2000);
	assert_int_equal(res.n, 1);
	assert_false(res.cb_inside_call);
	assert_int_equal(res.r[0].status, 0);
	assert_int_equal(res.r[0].len, sizeof(REPLY));
	assert_memory_equal(res.msg[0], REPLY, sizeof(REPLY));
	assert_true(res.r[0].bytes_out > 9 + 8 && res.r[0].bytes_in > 9 + 13);
	/* the request as the dish sees it */
	assert_string_equal(srv.path, "/SpaceX.API.Device.Device/Handle");
	assert_string_equal(srv.te, "trailers");
	assert_string_equal(srv.ctype, "application/grpc");
	assert_true(srv.timeout[0] && srv.timeout[strlen(srv.timeout) - 1] == 'm');
	/* the connection is kept: a second call reuses it */
	assert_int_equal(call(g, 1000), 0);
	run_until(2, 2000);
	assert_int_equal(res.r[1].status, 0);
	struct sl_grpc_stats s;
	sl_grpc_stats(g, &s);
	assert_string_equal(s.state, "connected");
	assert_int_equal(s.connects, 1);
	assert_int_equal(s.calls, 2);
	assert_int_equal(s.ok, 2);
	assert_int_equal(srv.accepts, 1);
	assert_true(s.bytes_out >= res.r[0].bytes_out + res.r[1].bytes_out + 24);  /* + preface */
	sl_grpc_free(g);
}

static void test_split_data(void **st)
{
	struct sl_grpc_result r = one(M_SPLIT);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.len, sizeof(REPLY));
	assert_memory_equal(res.msg[0], REPLY, sizeof(REPLY));
}

static void test_trailers_only(void **st)
{
	struct sl_grpc_result r = one(M_TRAILERS_ONLY);
	assert_int_equal(r.status, 7);
	assert_string_equal(r.message, "Failed to get location: Disabled due to policy");
	assert_int_equal(r.len, 0);
}

/* what the dish does -> what the caller gets (message: a substring) */
static const struct {
	enum srv_mode mode;
	int status;
	const char *message;
} errors[] = {
	{ M_HTTP503, SL_GRPC_E_PROTOCOL, "HTTP status 503" },
	{ M_NO_STATUS, SL_GRPC_E_PROTOCOL, "response ended without grpc-status" },
	{ M_TWO_MSGS, SL_GRPC_E_PROTOCOL, "bad gRPC message" },
	{ M_BAD_CTYPE, SL_GRPC_E_PROTOCOL, "content-type is not gRPC" },
	{ M_RST, SL_GRPC_E_RESET, "stream reset by the dish (INTERNAL_ERROR)" },
	{ M_CLOSE, SL_GRPC_E_RESET, "connection closed by the dish" },
};

static void test_error_table(void **st)
{
	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		struct sl_grpc_result r = one(errors[i].mode);
		if (r.status != errors[i].status || !strstr(r.message, errors[i].message))
			fail_msg("mode %d: got %d \"%s\", want %d \"%s\"", errors[i].mode, r.status,
				 r.message, errors[i].status, errors[i].message);
	}
}

static void test_goaway_reconnects(void **st)
{
	struct sl_grpc *g = client(1000);
	set_mode(M_GOAWAY);
	assert_int_equal(call(g, 1000), 0);
	run_until(1, 2000);
	assert_int_equal(res.n, 1);
	assert_int_equal(res.r[0].status, SL_GRPC_E_RESET);     /* refused by GOAWAY */
	/* the next call gets a new connection, without backoff */
	assert_int_equal(call(g, 1000), 0);
	run_until(2, 2000);
	assert_int_equal(res.r[1].status, 0);
	struct sl_grpc_stats s;
	sl_grpc_stats(g, &s);
	assert_int_equal(s.connects, 2);
	assert_int_equal(s.backoff_ms, 0);
	sl_grpc_free(g);
}

static void test_silent_dish(void **st)
{
	struct sl_grpc *g = client(300);
	set_mode(M_SILENT);
	uint64_t t0 = clock_mono_ms();
	assert_int_equal(call(g, 200), 0);
	assert_int_equal(call(g, 1000), 0);
	run_until(1, 2000);
	uint64_t took = clock_mono_ms() - t0;
	assert_int_equal(res.r[0].status, SL_GRPC_E_DEADLINE);
	assert_true(took >= 195 && took < 600);
	run_until(2, 100);
	/* no byte since the call started: the connection is dead, the other call
	 * on it ends too, and the next connect waits out a backoff */
	assert_int_equal(res.n, 2);
	assert_int_equal(res.r[1].status, SL_GRPC_E_RESET);
	struct sl_grpc_stats s;
	sl_grpc_stats(g, &s);
	assert_string_equal(s.state, "backoff");
	assert_int_equal(s.backoff_ms, 300);
	assert_int_equal(s.deadlines, 1);
	/* a call whose deadline ends before the backoff fails at once ... */
	assert_int_equal(call(g, 100), 0);
	run_until(3, 50);
	assert_int_equal(res.r[2].status, SL_GRPC_E_CONNECT);
	assert_non_null(strstr(res.r[2].message, "in backoff"));
	/* ... one that outlives it waits and gets a fresh connection */
	set_mode(M_OK);
	assert_int_equal(call(g, 1000), 0);
	run_until(4, 2000);
	assert_int_equal(res.r[3].status, 0);
	sl_grpc_stats(g, &s);
	assert_int_equal(s.connects, 2);
	assert_int_equal(s.backoff_ms, 0);      /* reset by the answer */
	sl_grpc_free(g);
}

static void test_refused_backoff(void **st)
{
	/* a port nobody listens on: bind one and close it */
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	bind(fd, (struct sockaddr *)&a, sizeof(a));
	getsockname(fd, (struct sockaddr *)&a, &len);
	close(fd);
	const struct sl_grpc_opts o = { .host = "127.0.0.1", .port = ntohs(a.sin_port),
					.backoff_min_ms = 50, .backoff_max_ms = 150 };
	memset(&res, 0, sizeof(res));
	struct sl_grpc *g = sl_grpc_new(base, &o);
	unsigned steps[4];
	for (int i = 0; i < 4; i++) {
		assert_int_equal(call(g, 1000), 0);    /* waits out the backoff, then refused */
		run_until((size_t)i + 1, 2000);
		assert_int_equal(res.r[i].status, SL_GRPC_E_CONNECT);
		struct sl_grpc_stats s;
		sl_grpc_stats(g, &s);
		steps[i] = s.backoff_ms;
		assert_string_equal(s.state, "backoff");
	}
	assert_false(res.cb_inside_call);
	assert_non_null(strstr(res.r[0].message, "refused"));
	assert_int_equal(steps[0], 50);
	assert_int_equal(steps[1], 100);
	assert_int_equal(steps[2], 150);
	assert_int_equal(steps[3], 150);
	sl_grpc_free(g);
}

static void test_free_from_callback(void **st)
{
	struct sl_grpc *g = client(1000);
	set_mode(M_OK);
	for (int i = 0; i < 3; i++)
		assert_int_equal(call(g, 1000), 0);
	res.free_me = g;
	run_until(3, 500);
	/* the first result freed the client: the other two never come */
	assert_int_equal(res.n, 1);
	/* freeing with calls in flight: no callback at all */
	g = client(1000);
	assert_int_equal(call(g, 1000), 0);
	sl_grpc_free(g);
	run_until(1, 100);
	assert_int_equal(res.n, 0);
}

static void test_many_calls_one_callback_each(void **st)
{
	struct sl_grpc *g = client(1000);
	set_mode(M_OK);
	for (int i = 0; i < MAX_RES; i++)
		assert_int_equal(call(g, 2000), 0);
	run_until(MAX_RES, 3000);
	assert_int_equal(res.n, MAX_RES);
	for (int i = 0; i < MAX_RES; i++)
		assert_int_equal(res.r[i].status, 0);
	run_until(MAX_RES + 1, 100);
	assert_int_equal(res.n, MAX_RES);
	sl_grpc_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff_arithmetic),
		cmocka_unit_test(test_timeout_header),
		cmocka_unit_test_setup_teardown(test_bad_options, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unary_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(test_split_data, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trailers_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_goaway_reconnects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_silent_dish, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_backoff, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_from_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_calls_one_callback_each, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
