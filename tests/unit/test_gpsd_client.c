/* Unit tests for gpsd_client against a fake gpsd on loopback that the test
 * drives by hand: the WATCH it sends, lines split across writes, SKY
 * satellites on the next TPV, an over-long line dropped and resync, garbage,
 * gpsd's ERROR, the peer closing (backoff, reconnect), silence (stale),
 * silence while gpsd has no device (kept), refused and timed-out connects.
 * The real gpsd is in tests/integration/run-gps.sh. */
#include "gps/gpsd_client.h"

#include "core/clock.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#define TPV "{\"class\":\"TPV\",\"device\":\"/dev/gps0\",\"mode\":3,\"lat\":-37.5,\"lon\":175.25," \
	    "\"altMSL\":60.1,\"eph\":20.9,\"time\":\"2034-08-16T03:07:19.000Z\"}\n"
#define HELLO "{\"class\":\"VERSION\",\"release\":\"3.22\",\"rev\":\"3.22\",\"proto_major\":3," \
	      "\"proto_minor\":14}\r\n" \
	      "{\"class\":\"DEVICES\",\"devices\":[{\"class\":\"DEVICE\",\"path\":\"/dev/gps0\"," \
	      "\"activated\":\"2026-12-02T15:52:00.081Z\"}]}\r\n"

struct fake {
	struct event_base *base;
	int lfd, port;          /* the listening "gpsd" */
	int cfd;                /* its accepted connection, -1 none */
	struct gpsd_client *c;
	int fixes;
	struct gps_fix fix;     /* the last callback's */
	char dev[64];           /* gpsd_client_fix_device() in that callback */
};

static void on_fix(void *arg, const struct gps_fix *f)
{
	struct fake *k = arg;
	k->fixes++;
	k->fix = *f;
	snprintf(k->dev, sizeof(k->dev), "%s", gpsd_client_fix_device(k->c));
}

static int listen_any(int backlog, int *port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, backlog), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

static struct gpsd_client *start(struct fake *k, unsigned stale_ms)
{
	struct gpsd_client_opts o = {
		.host = "127.0.0.1", .port = k->port, .connect_timeout_ms = 200,
		.backoff_min_ms = 20, .backoff_max_ms = 80, .stale_ms = stale_ms,
	};
	k->c = gpsd_client_new(k->base, &o, on_fix, k);
	assert_non_null(k->c);
	return k->c;
}

static int setup(void **state)
{
	struct fake *k = calloc(1, sizeof(*k));
	k->base = event_base_new();
	k->lfd = listen_any(8, &k->port);
	k->cfd = -1;
	*state = k;
	return 0;
}

static int teardown(void **state)
{
	struct fake *k = *state;
	gpsd_client_free(k->c);
	if (k->cfd >= 0)
		close(k->cfd);
	close(k->lfd);
	event_base_free(k->base);
	free(k);
	return 0;
}

/* Runs the loop until pred(k) or ms pass; returns pred's last value. */
static bool run_until(struct fake *k, bool (*pred)(struct fake *), unsigned ms)
{
	uint64_t end = clock_mono_ms() + ms;
	while (!pred(k) && clock_mono_ms() < end) {
		event_base_loop(k->base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		usleep(1000);
	}
	return pred(k);
}

static void run_for(struct fake *k, unsigned ms)
{
	uint64_t end = clock_mono_ms() + ms;
	while (clock_mono_ms() < end) {
		event_base_loop(k->base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		usleep(1000);
	}
}

static bool accepted(struct fake *k)
{
	if (k->cfd < 0)
		k->cfd = accept4(k->lfd, NULL, NULL, SOCK_CLOEXEC);
	return k->cfd >= 0;
}

static struct gpsd_client_stats stats(struct fake *k)
{
	struct gpsd_client_stats st;
	gpsd_client_stats(k->c, &st);
	return st;
}

static bool is_backoff(struct fake *k)
{
	return strcmp(stats(k).state, "backoff") == 0;
}

static bool is_watching(struct fake *k)
{
	return strcmp(stats(k).state, "watching") == 0;
}

static bool got_fix(struct fake *k)
{
	return k->fixes > 0;
}

static void say(struct fake *k, const char *s)
{
	assert_int_equal(send(k->cfd, s, strlen(s), MSG_NOSIGNAL), (ssize_t)strlen(s));
}

/* Accepts the client's connection and reads its WATCH. */
static void accept_watch(struct fake *k)
{
	assert_true(run_until(k, accepted, 2000));
	assert_true(run_until(k, is_watching, 2000));
	char buf[128];
	struct pollfd p = { .fd = k->cfd, .events = POLLIN };
	assert_int_equal(poll(&p, 1, 1000), 1);
	ssize_t n = recv(k->cfd, buf, sizeof(buf) - 1, 0);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, "?WATCH={\"enable\":true,\"json\":true};");
}

static void drop_conn(struct fake *k)
{
	close(k->cfd);
	k->cfd = -1;
}

/* ==== tests ============================================================== */

static void test_stream(void **state)
{
	struct fake *k = *state;
	start(k, 5000);
	struct gpsd_client_stats st = stats(k);
	assert_string_equal(st.state, "connecting");
	assert_int_equal(st.mode, -1);
	assert_null(gpsd_client_last(k->c));
	assert_string_equal(gpsd_client_fix_device(k->c), "");
	accept_watch(k);
	say(k, HELLO);
	/* a TPV without a fix: reported, but not a position */
	say(k, "{\"class\":\"TPV\",\"device\":\"/dev/gps0\",\"mode\":1}\n");
	assert_true(run_until(k, got_fix, 1000));
	assert_false(k->fix.valid);
	assert_null(gpsd_client_last(k->c));
	st = stats(k);
	assert_string_equal(st.version, "3.22");
	assert_string_equal(st.device, "/dev/gps0");
	assert_int_equal(st.devices, 1);
	assert_int_equal(st.mode, 1);
	assert_int_equal(st.connects, 1);
	assert_int_equal(st.reports, 3);

	/* SKY, then a TPV in three pieces */
	k->fixes = 0;
	say(k, "{\"class\":\"SKY\",\"nSat\":12,\"uSat\":8}\n{\"class\":\"TPV\",\"device\":");
	run_for(k, 20);
	assert_int_equal(k->fixes, 0);
	say(k, "\"/dev/gps0\",\"mode\":3,\"lat\":-37.5,\"lon\":175.25,\"eph\":20.9");
	run_for(k, 20);
	uint64_t before = clock_mono_us();
	say(k, "}\r\n");
	assert_true(run_until(k, got_fix, 1000));
	assert_true(k->fix.valid);
	assert_int_equal(k->fix.source, GPS_SRC_GPSD);
	assert_int_equal(k->fix.satellites, 8);
	assert_true(k->fix.lat == -37.5 && k->fix.lon == 175.25 && k->fix.accuracy_m == 20.9);
	assert_true(k->fix.mono_us >= before && k->fix.mono_us <= clock_mono_us());
	assert_string_equal(gpsd_client_fix_device(k->c), "/dev/gps0");
	const struct gps_fix *last = gpsd_client_last(k->c);
	assert_non_null(last);
	assert_true(last->lat == -37.5);
	/* a second device (say a modem's NMEA port): the callback can tell */
	k->fixes = 0;
	say(k, "{\"class\":\"DEVICE\",\"path\":\"/dev/ttyUSB0\",\"activated\":1}\n"
	       "{\"class\":\"TPV\",\"device\":\"/dev/ttyUSB0\",\"mode\":2,\"lat\":1,\"lon\":2}\n");
	assert_true(run_until(k, got_fix, 1000));
	assert_string_equal(k->dev, "/dev/ttyUSB0");
	assert_string_equal(stats(k).device, "/dev/ttyUSB0");
	assert_int_equal(stats(k).devices, 2);
	assert_true(gpsd_client_last(k->c)->lat == 1);
	st = stats(k);
	assert_int_equal(st.tpv, 3);
	assert_int_equal(st.mode, 2);
	assert_int_equal(st.errors, 0);
	assert_string_equal(st.last_error, "");
}

static void test_long_line_and_garbage(void **state)
{
	struct fake *k = *state;
	start(k, 5000);
	accept_watch(k);
	say(k, HELLO);
	/* 40000 bytes without a newline, then the end of that line and a TPV */
	char *junk = malloc(40001);
	memset(junk, 'x', 40000);
	junk[40000] = '\0';
	say(k, "{\"class\":\"TPV\",\"mode\":3,\"lat\":1,\"lon\":");
	say(k, junk);
	free(junk);
	say(k, "2}\n" TPV);
	assert_true(run_until(k, got_fix, 2000));
	assert_int_equal(k->fixes, 1);  /* the long TPV's tail is not taken for one */
	assert_true(k->fix.lat == -37.5);
	struct gpsd_client_stats st = stats(k);
	assert_int_equal(st.errors, 1);
	assert_non_null(strstr(st.last_error, "dropped"));

	/* garbage and gpsd's own ERROR: counted, the connection stays */
	say(k, "\x01\x02garbage\n\n{\"class\":\"ERROR\",\"message\":\"Unrecognized request\"}\n"
	       "{\"class\":\"PPS\",\"device\":\"/dev/gps0\"}\n" TPV);
	k->fixes = 0;
	assert_true(run_until(k, got_fix, 2000));
	st = stats(k);
	assert_int_equal(st.errors, 3);
	assert_string_equal(st.last_error, "gpsd: Unrecognized request");
	assert_int_equal(st.connects, 1);
	assert_string_equal(st.state, "watching");
}

static void test_reconnect(void **state)
{
	struct fake *k = *state;
	start(k, 5000);
	accept_watch(k);
	say(k, HELLO TPV);
	assert_true(run_until(k, got_fix, 1000));
	drop_conn(k);
	assert_true(run_until(k, is_backoff, 1000));
	struct gpsd_client_stats st = stats(k);
	assert_string_equal(st.last_error, "gpsd closed the connection");
	assert_int_equal(st.devices, 0);
	assert_string_equal(st.device, "");
	/* the last position is kept for the caller to age */
	assert_non_null(gpsd_client_last(k->c));
	accept_watch(k);
	assert_int_equal(stats(k).connects, 2);
	k->fixes = 0;
	say(k, HELLO TPV);
	assert_true(run_until(k, got_fix, 1000));
}

static void test_stale(void **state)
{
	struct fake *k = *state;
	start(k, 300);
	accept_watch(k);
	say(k, HELLO);          /* a device, then nothing */
	uint64_t t0 = clock_mono_ms();
	assert_true(run_until(k, is_backoff, 2000));
	assert_in_range(clock_mono_ms() - t0, 250, 800);
	struct gpsd_client_stats st = stats(k);
	assert_int_equal(st.stale, 1);
	assert_non_null(strstr(st.last_error, "silent for"));
	/* it comes back; lines that are not reports are no sign of life */
	drop_conn(k);
	accept_watch(k);
	t0 = clock_mono_ms();
	say(k, HELLO);
	for (int i = 0; i < 5; i++) {
		run_for(k, 40);
		say(k, "not json\n");
	}
	assert_true(run_until(k, is_backoff, 2000));
	assert_in_range(clock_mono_ms() - t0, 250, 450);
	assert_int_equal(stats(k).stale, 2);
}

static void test_idle_gpsd(void **state)
{
	struct fake *k = *state;
	start(k, 100);
	accept_watch(k);
	/* gpsd with no device: VERSION, empty DEVICES, WATCH, then silence */
	say(k, "{\"class\":\"VERSION\",\"release\":\"3.22\"}\n{\"class\":\"DEVICES\","
	       "\"devices\":[]}\n{\"class\":\"WATCH\",\"enable\":true,\"json\":true}\n");
	run_for(k, 450);
	struct gpsd_client_stats st = stats(k);
	assert_string_equal(st.state, "watching");
	assert_int_equal(st.stale, 0);
	assert_int_equal(st.devices, 0);
	assert_int_equal(k->fixes, 0);
	/* a device appears: fixes flow, and silence counts again */
	say(k, "{\"class\":\"DEVICE\",\"path\":\"/dev/gps0\",\"activated\":\"2026-12-02T15:52:49Z\"}\n"
	       TPV);
	assert_true(run_until(k, got_fix, 1000));
	assert_int_equal(stats(k).devices, 1);
	assert_string_equal(stats(k).device, "/dev/gps0");
	/* the device goes: idle again */
	say(k, "{\"class\":\"DEVICE\",\"path\":\"/dev/gps0\",\"activated\":0}\n");
	run_for(k, 400);
	st = stats(k);
	assert_string_equal(st.state, "watching");
	assert_int_equal(st.devices, 0);
	assert_string_equal(st.device, "");
	say(k, "{\"class\":\"DEVICE\",\"path\":\"/dev/gps0\",\"activated\":1}\n");
	assert_true(run_until(k, is_backoff, 1000));
	assert_int_equal(stats(k).stale, 1);
}

static void test_refused(void **state)
{
	struct fake *k = *state;
	int port = k->port;
	close(k->lfd);          /* nobody listens there now */
	k->lfd = listen_any(1, &k->port);
	k->port = port;
	start(k, 5000);
	assert_true(run_until(k, is_backoff, 1000));
	assert_string_equal(stats(k).last_error, "connect: Connection refused");
	/* 20, 40, 80, 80... ms: several attempts in 600 ms, but not a spin */
	run_for(k, 600);
	struct gpsd_client_stats st = stats(k);
	assert_in_range(st.errors, 5, 12);
	assert_int_equal(st.connects, 0);
}

static void test_connect_timeout(void **state)
{
	struct fake *k = *state;
	/* a listener whose accept queue is full drops further SYNs: the
	 * connect hangs, as to a host that does not answer */
	close(k->lfd);
	k->lfd = listen_any(0, &k->port);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)k->port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fill[3];
	for (int i = 0; i < 3; i++) {
		fill[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		connect(fill[i], (struct sockaddr *)&a, sizeof(a));
	}
	usleep(50000);
	start(k, 5000);
	assert_true(run_until(k, is_backoff, 1500));
	assert_string_equal(stats(k).last_error, "connect timed out after 200 ms");
	for (int i = 0; i < 3; i++)
		close(fill[i]);
}

static void test_bad_opts(void **state)
{
	struct fake *k = *state;
	struct gpsd_client_opts o = { .host = "localhost", .port = 2947 };
	errno = 0;
	assert_null(gpsd_client_new(k->base, &o, on_fix, k));
	assert_int_equal(errno, EINVAL);
	o.host = "127.0.0.1";
	o.port = 0;
	assert_null(gpsd_client_new(k->base, &o, on_fix, k));
	o.port = 65536;
	assert_null(gpsd_client_new(k->base, &o, on_fix, k));
	o.port = 2947;
	assert_null(gpsd_client_new(k->base, &o, NULL, k));
	assert_null(gpsd_client_new(k->base, NULL, on_fix, k));
	o.host = NULL;
	assert_null(gpsd_client_new(k->base, &o, on_fix, k));
	gpsd_client_free(NULL);
}

static void test_ipv6(void **state)
{
	struct fake *k = *state;
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	socklen_t len = sizeof(a);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		if (fd >= 0)
			close(fd);
		skip();         /* no IPv6 loopback here */
	}
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(k->lfd);
	k->lfd = fd;
	struct gpsd_client_opts o = { .host = "::1", .port = ntohs(a.sin6_port) };
	k->c = gpsd_client_new(k->base, &o, on_fix, k);
	assert_non_null(k->c);
	accept_watch(k);
	say(k, HELLO TPV);
	assert_true(run_until(k, got_fix, 1000));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stream, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_line_and_garbage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reconnect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idle_gpsd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_connect_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_opts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipv6, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
