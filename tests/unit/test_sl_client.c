/* Unit tests for the dish client (sl_client) against an HTTP/2 server in the
 * test's own loop (h2_test_server.h) that answers each call kind with the
 * real fixture for it (tests/data/starlink/, .bin files, made from the captures),
 * or with the error the test asks for: replies decoded and handed over,
 * PermissionDenied reported once and no error line, Unimplemented once,
 * an answer of the wrong kind, actions one at a time, freeing the client
 * from its own callback, fast mode, stats. */
#include "starlink/sl_client.h"

#include "core/clock.h"
#include "h2_test_server.h"
#include "starlink/sl_pb.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dish.pb-c.h"
#include "sl_fixture.h"

static struct event_base *base;

/* ---- the dish ------------------------------------------------------------------ */

enum answer { A_FIXTURE, A_DENIED, A_UNIMPLEMENTED, A_WRONG_KIND };
static enum answer answer_of[SL_CALL_UNSTOW + 1];
static unsigned asked[SL_CALL_UNSTOW + 1];

static enum sl_call call_of(const uint8_t *req, size_t len)
{
	static const struct { int c; enum sl_call call; } map[] = {
		{ SPACE_X__API__DEVICE__REQUEST__REQUEST_GET_STATUS, SL_CALL_STATUS },
		{ SPACE_X__API__DEVICE__REQUEST__REQUEST_GET_HISTORY, SL_CALL_HISTORY },
		{ SPACE_X__API__DEVICE__REQUEST__REQUEST_GET_DEVICE_INFO, SL_CALL_DEVICE_INFO },
		{ SPACE_X__API__DEVICE__REQUEST__REQUEST_GET_LOCATION, SL_CALL_LOCATION },
		{ SPACE_X__API__DEVICE__REQUEST__REQUEST_GET_DIAGNOSTICS, SL_CALL_DIAGNOSTICS },
		{ SPACE_X__API__DEVICE__REQUEST__REQUEST_REBOOT, SL_CALL_REBOOT },
		{ SPACE_X__API__DEVICE__REQUEST__REQUEST_DISH_STOW, SL_CALL_STOW },
	};
	if (!req || len < 5)
		return SL_CALL_NONE;
	SpaceX__API__Device__Request *r = space_x__api__device__request__unpack(NULL, len - 5,
										  req + 5);
	enum sl_call c = SL_CALL_NONE;
	for (size_t i = 0; r && i < sizeof(map) / sizeof(map[0]); i++)
		if ((int)r->request_case == map[i].c)
			c = map[i].call;
	if (r && c == SL_CALL_STOW && r->dish_stow && r->dish_stow->unstow)
		c = SL_CALL_UNSTOW;
	if (r)
		space_x__api__device__request__free_unpacked(r, NULL);
	return c;
}

static const char *const fixture[SL_CALL_UNSTOW + 1] = {
	[SL_CALL_STATUS] = "status.rev4_2024.bin", [SL_CALL_HISTORY] = "history.rev4_2024.bin",
	[SL_CALL_DEVICE_INFO] = "device_info.rev3_2023.bin",
	[SL_CALL_LOCATION] = "location.2025-06.bin",
	[SL_CALL_DIAGNOSTICS] = "diagnostics.2024-12.bin",
};

/* Response{reboot{}} and Response{dish_stow{}}: an empty message in field
 * 1001 / 2002 (key varints CA 3E and 92 7D) */
static const uint8_t REBOOT_RESP[] = { 0xca, 0x3e, 0x00 };
static const uint8_t STOW_RESP[] = { 0x92, 0x7d, 0x00 };

static void respond(int32_t id, const uint8_t *req, size_t len)
{
	enum sl_call c = call_of(req, len);
	asked[c]++;
	switch (answer_of[c]) {
	case A_DENIED:
		srv_reply_error(id, "7", "Failed to get location: Disabled due to policy");
		return;
	case A_UNIMPLEMENTED:
		srv_reply_error(id, "12", "Unimplemented");
		return;
	case A_WRONG_KIND:
		c = SL_CALL_STATUS;
		break;
	case A_FIXTURE:
		break;
	}
	if (c == SL_CALL_REBOOT || c == SL_CALL_STOW || c == SL_CALL_UNSTOW) {
		srv_reply_grpc(id, c == SL_CALL_REBOOT ? REBOOT_RESP : STOW_RESP, 3);
		return;
	}
	size_t n;
	uint8_t *b = sl_fix_load(SL_FIX_DIR, fixture[c], &n);
	srv_reply_grpc(id, b, n);
	free(b);
}

/* ---- the daemon's side ------------------------------------------------------------- */

static struct {
	unsigned replies[SL_CALL_UNSTOW + 1], errors[SL_CALL_UNSTOW + 1], denied, actions;
	int last_status[SL_CALL_UNSTOW + 1];
	char last_msg[SL_CALL_UNSTOW + 1][160];
	int action_status;
	double drop;
	uint64_t uptime, history_current;
	bool free_on_reply;
	struct sl_client *c;
} ev;

static void on_reply(void *arg, const struct sl_reply *r)
{
	ev.replies[r->call]++;
	if (r->call == SL_CALL_STATUS) {
		ev.drop = r->status.pop_ping_drop_rate;
		ev.uptime = r->status.uptime_s;
	}
	if (r->call == SL_CALL_HISTORY)
		ev.history_current = r->history.current;
	if (ev.free_on_reply) {
		sl_client_free(ev.c);
		ev.c = NULL;
		ev.free_on_reply = false;
	}
}

static void on_error(void *arg, enum sl_call call, int status, const char *message)
{
	ev.errors[call]++;
	ev.last_status[call] = status;
	snprintf(ev.last_msg[call], sizeof(ev.last_msg[call]), "%s", message);
}

static void on_denied(void *arg)
{
	ev.denied++;
}

static void on_action(void *arg, int status, const char *text)
{
	ev.actions++;
	ev.action_status = status;
}

static void tick(evutil_socket_t fd, short what, void *arg) {}

static void run_for(unsigned ms)
{
	struct timeval tv = { 0, 5000 };
	struct event *t = event_new(base, -1, EV_PERSIST, tick, NULL);
	event_add(t, &tv);
	uint64_t end = clock_mono_ms() + ms;
	while (clock_mono_ms() < end)
		event_base_loop(base, EVLOOP_ONCE);
	event_free(t);
}

static struct sl_client *client(uint32_t every_ms)
{
	const struct sl_client_opts o = { .host = "127.0.0.1", .port = srv.port,
		.call_timeout_ms = 1000, .status_interval_ms = every_ms,
		.history_interval_ms = every_ms, .location_interval_ms = every_ms,
		.diag_interval_ms = every_ms, .device_info_interval_ms = every_ms,
		.fast_interval_ms = 50 };
	const struct sl_client_cbs cbs = { on_reply, on_error, on_denied, NULL };
	ev.c = sl_client_new(base, &o, &cbs);
	assert_non_null(ev.c);
	return ev.c;
}

static int setup(void **st)
{
	base = event_base_new();
	assert_int_equal(srv_start(base), 0);
	srv.respond = respond;
	memset(answer_of, 0, sizeof(answer_of));
	memset(asked, 0, sizeof(asked));
	memset(&ev, 0, sizeof(ev));
	return 0;
}

static int teardown(void **st)
{
	if (ev.c)
		sl_client_free(ev.c);
	if (srv.lfd >= 0)
		srv_stop();
	event_base_free(base);
	return 0;
}

/* ---- tests ------------------------------------------------------------------------------ */

static void test_polls_every_kind(void **st)
{
	struct sl_client *c = client(200);
	run_for(500);
	for (int k = SL_CALL_STATUS; k <= SL_CALL_DIAGNOSTICS; k++) {
		assert_true(ev.replies[k] >= 2);
		assert_int_equal(ev.errors[k], 0);
	}
	/* values from the captures came through the codec */
	assert_int_equal(ev.uptime, 6328);
	assert_int_equal(ev.history_current, 13547);
	struct sl_client_stats s;
	sl_client_stats(c, &s);
	assert_true(s.reachable);
	assert_int_equal(s.grpc.connects, 1);
	const struct sl_call_stats *cs = &s.call[SL_CALL_HISTORY];
	assert_int_equal(cs->errors, 0);
	assert_true(cs->ok >= 2 && cs->last_ok_us > 0);
	assert_true(cs->last_bytes_in > 10000);         /* the 900-sample rings */
	assert_true(s.call[SL_CALL_STATUS].last_bytes_out > 9 + 8);
	assert_int_equal(s.status_interval_ms, 200);
}

static void test_denied_and_unimplemented_once(void **st)
{
	answer_of[SL_CALL_LOCATION] = A_DENIED;
	answer_of[SL_CALL_DIAGNOSTICS] = A_UNIMPLEMENTED;
	struct sl_client *c = client(100);
	run_for(600);
	assert_int_equal(ev.denied, 1);
	assert_int_equal(ev.errors[SL_CALL_LOCATION], 0);       /* a normal answer, not an error */
	assert_int_equal(asked[SL_CALL_LOCATION], 1);           /* next ask in an hour */
	assert_int_equal(ev.errors[SL_CALL_DIAGNOSTICS], 1);
	assert_int_equal(ev.last_status[SL_CALL_DIAGNOSTICS], 12);
	assert_int_equal(asked[SL_CALL_DIAGNOSTICS], 1);        /* paused 24 h */
	assert_true(ev.replies[SL_CALL_STATUS] >= 4);
	struct sl_client_stats s;
	sl_client_stats(c, &s);
	assert_true(s.location_denied);
	assert_true(s.diag_unimplemented);
	assert_non_null(strstr(s.call[SL_CALL_LOCATION].last_error, "PERMISSION_DENIED"));
}

static void test_wrong_kind_is_an_error(void **st)
{
	answer_of[SL_CALL_HISTORY] = A_WRONG_KIND;
	client(3600000);        /* everything once, at start */
	run_for(300);
	assert_int_equal(ev.replies[SL_CALL_HISTORY], 0);
	assert_int_equal(ev.errors[SL_CALL_HISTORY], 1);
	assert_int_equal(ev.last_status[SL_CALL_HISTORY], SL_GRPC_E_PROTOCOL);
	assert_string_equal(ev.last_msg[SL_CALL_HISTORY], "answer is get_status, asked for get_history");
	assert_int_equal(ev.replies[SL_CALL_STATUS], 1);
}

static void test_actions_one_at_a_time(void **st)
{
	struct sl_client *c = client(SL_SCHED_OFF);     /* no polling: only the actions */
	assert_int_equal(sl_client_action(c, SL_CALL_REBOOT, on_action, NULL), 0);
	errno = 0;
	assert_int_equal(sl_client_action(c, SL_CALL_STOW, on_action, NULL), -1);
	assert_int_equal(errno, EBUSY);
	assert_int_equal(sl_client_action(c, SL_CALL_STATUS, on_action, NULL), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ev.actions, 0);                /* never from inside the call */
	run_for(200);
	assert_int_equal(ev.actions, 1);
	assert_int_equal(ev.action_status, 0);
	assert_int_equal(asked[SL_CALL_REBOOT], 1);
	assert_int_equal(sl_client_action(c, SL_CALL_UNSTOW, on_action, NULL), 0);
	run_for(200);
	assert_int_equal(ev.actions, 2);
	assert_int_equal(ev.action_status, 0);          /* a stow answer to unstow is right */
	assert_int_equal(asked[SL_CALL_UNSTOW], 1);
}

static void test_free_from_callback(void **st)
{
	client(50);
	ev.free_on_reply = true;
	run_for(300);
	assert_null(ev.c);
	unsigned total = 0;
	for (int k = 0; k <= SL_CALL_UNSTOW; k++)
		total += ev.replies[k] + ev.errors[k];
	assert_int_equal(total, 1);     /* nothing after the free */
}

static void test_fast_mode(void **st)
{
	struct sl_client *c = client(SL_SCHED_OFF);
	run_for(100);
	assert_int_equal(ev.replies[SL_CALL_STATUS], 0);
	/* status off: fast mode does not turn it on */
	sl_client_set_fast(c, true);
	run_for(200);
	assert_int_equal(ev.replies[SL_CALL_STATUS], 0);
	sl_client_free(c);
	memset(&ev, 0, sizeof(ev));
	const struct sl_client_opts o = { .host = "127.0.0.1", .port = srv.port,
		.status_interval_ms = 60000, .history_interval_ms = SL_SCHED_OFF,
		.location_interval_ms = SL_SCHED_OFF, .diag_interval_ms = SL_SCHED_OFF,
		.device_info_interval_ms = SL_SCHED_OFF, .fast_interval_ms = 50 };
	const struct sl_client_cbs cbs = { on_reply, on_error, on_denied, NULL };
	ev.c = c = sl_client_new(base, &o, &cbs);
	run_for(100);
	assert_int_equal(ev.replies[SL_CALL_STATUS], 1);
	sl_client_set_fast(c, true);    /* suspect: every 50 ms */
	run_for(520);
	assert_true(ev.replies[SL_CALL_STATUS] >= 6 && ev.replies[SL_CALL_STATUS] <= 12);
	sl_client_set_fast(c, false);   /* back to a minute */
	unsigned n = ev.replies[SL_CALL_STATUS];
	run_for(200);
	assert_true(ev.replies[SL_CALL_STATUS] <= n + 1);      /* one may have been in flight */
}

static void test_unreachable(void **st)
{
	srv_stop();                     /* nobody listens on the port any more */
	srv.lfd = -1;
	uint16_t port = srv.port;
	const struct sl_client_opts o = { .host = "127.0.0.1", .port = port,
		.call_timeout_ms = 300, .status_interval_ms = 100, .history_interval_ms = SL_SCHED_OFF,
		.location_interval_ms = SL_SCHED_OFF, .diag_interval_ms = SL_SCHED_OFF,
		.device_info_interval_ms = SL_SCHED_OFF, .backoff_min_ms = 1000 };
	const struct sl_client_cbs cbs = { on_reply, on_error, on_denied, NULL };
	ev.c = sl_client_new(base, &o, &cbs);
	run_for(450);
	/* refused, then failed at once while the 1 s backoff runs: one error per call */
	assert_true(ev.errors[SL_CALL_STATUS] >= 3 && ev.errors[SL_CALL_STATUS] <= 6);
	assert_int_equal(ev.last_status[SL_CALL_STATUS], SL_GRPC_E_CONNECT);
	struct sl_client_stats s;
	sl_client_stats(ev.c, &s);
	assert_false(s.reachable);
	assert_string_equal(s.grpc.state, "backoff");
	assert_int_equal(s.call[SL_CALL_STATUS].count, ev.errors[SL_CALL_STATUS]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_polls_every_kind, setup, teardown),
		cmocka_unit_test_setup_teardown(test_denied_and_unimplemented_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_kind_is_an_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_actions_one_at_a_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_from_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fast_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unreachable, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
