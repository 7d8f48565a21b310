/* Recorded traces (docs/replay.md "Recording"): the extension keys a
 * recording daemon writes, parsed strictly, and played back — the engine gets
 * exactly the recorded probes, link events and operator commands, nothing
 * simulated. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engine/detect.h"
#include "engine/mstate.h"
#include "replay/replay.h"

#define HEAD "{\"format\":\"autonomy-trace/1\",\"duration_s\":%s,\"members\":[" \
	"{\"name\":\"a\",\"class\":\"lan\",\"priority\":1,\"targets\":2,\"link\":\"up\"}," \
	"{\"name\":\"b\",\"class\":\"lan\",\"priority\":2,\"enabled\":true,\"link\":\"up\"}]," \
	"\"recorded\":{\"by\":\"test\"}}\n"

static char *text(const char *duration, const char *body)
{
	char *s = NULL;
	assert_true(asprintf(&s, HEAD "%s", duration, body) > 0);
	return s;
}

/* Both members probed every 0.5 s and answering; from `lose` on, a's probes
 * are lost (the daemon's timer fires, the loss comes at its timeout). */
static char *probes(double until, double lose)
{
	size_t cap = 1 << 16, len = 0;
	char *b = malloc(cap);
	assert_non_null(b);
	b[0] = '\0';
	for (double t = 0.5; t < until; t += 0.5) {
		const char *m[] = { "a", "b" };
		for (int i = 0; i < 2; i++) {
			bool lost = i == 0 && t >= lose;
			len += (size_t)snprintf(b + len, cap - len,
				"{\"t\":%.3f,\"member\":\"%s\",\"probe\":{\"fire\":true,\"tick\":true}}\n"
				"{\"t\":%.3f,\"member\":\"%s\",\"probe\":{\"result\":\"%s\","
				"\"sent\":%.3f,\"rtt_us\":%d}}\n",
				t + 0.2 * i, m[i], t + 0.2 * i + (lost ? 0.15 : 0.002), m[i],
				lost ? "lost" : "reply", t + 0.2 * i, lost ? 0 : 2000);
			assert_true(len < cap - 512);
		}
	}
	return b;
}

static char *run(const char *t)
{
	struct replay_trace tr;
	struct replay_error err;
	struct replay_opts o;
	struct replay_result res;
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);

	assert_int_equal(replay_trace_parse(&tr, t, strlen(t), &err), 0);
	assert_true(tr.recorded);
	replay_opts_default(&o);
	assert_int_equal(replay_run(&tr, &o, f, &res), 0);
	fclose(f);
	replay_trace_free(&tr);
	return out;
}

static void test_parse(void **st)
{
	struct replay_trace tr;
	struct replay_error err;
	char *t = text("10", "{\"t\":1,\"member\":\"a\",\"probe\":{\"fire\":true,\"tick\":true,"
			     "\"load\":40}}\n"
			     "{\"t\":1.2,\"member\":\"a\",\"probe\":{\"result\":\"late\",\"sent\":1,"
			     "\"rtt_us\":1500000}}\n"
			     "{\"t\":2,\"member\":\"b\",\"link\":\"admin_down\",\"carrier\":false}\n"
			     "{\"t\":3,\"member\":\"b\",\"eval\":true}\n"
			     "{\"t\":4,\"member\":\"a\",\"manual\":\"pin\"}\n"
			     "{\"t\":5,\"manual\":\"auto\"}\n");

	assert_int_equal(replay_trace_parse(&tr, t, strlen(t), &err), 0);
	assert_true(tr.recorded);
	assert_int_equal(tr.members[0].targets, 2);
	assert_int_equal(tr.members[0].link, DETECT_LINK_UP);
	assert_true(tr.members[1].enabled);
	assert_int_equal(tr.n_changes, 6);
	const struct replay_rec *r = &tr.changes[0].rec;
	assert_int_equal(r->has, REPLAY_REC_FIRE | REPLAY_REC_TICK);
	assert_int_equal(r->load, 40);
	r = &tr.changes[1].rec;
	assert_int_equal(r->has, REPLAY_REC_RESULT);
	assert_int_equal(r->result, MSTATE_LATE);
	assert_int_equal(r->sent_us, 1000000);
	assert_int_equal(r->rtt_us, 1500000);
	assert_int_equal(tr.changes[2].rec.link, DETECT_LINK_ADMIN_DOWN);
	assert_int_equal(tr.changes[3].rec.has, REPLAY_REC_EVAL);
	assert_int_equal(tr.changes[4].rec.manual, REPLAY_MANUAL_PIN);
	assert_int_equal(tr.changes[5].member, -1);
	assert_int_equal(tr.changes[5].rec.manual, REPLAY_MANUAL_AUTO);
	replay_trace_free(&tr);
	free(t);
	assert_string_equal(replay_link_name(DETECT_LINK_NO_CARRIER), "no_carrier");
	assert_int_equal(replay_link_parse("missing"), DETECT_LINK_MISSING);
	assert_int_equal(replay_link_parse("down"), -1);
}

static void expect_bad(const char *body, const char *msg)
{
	struct replay_trace tr;
	struct replay_error err;
	char *t = text("10", body);
	assert_int_equal(replay_trace_parse(&tr, t, strlen(t), &err), -1);
	if (!strstr(err.msg, msg))
		fail_msg("%s: got \"%s\", want \"%s\"", body, err.msg, msg);
	free(t);
}

static void test_parse_bad(void **st)
{
	expect_bad("{\"t\":1,\"member\":\"a\",\"probe\":[]}\n", "probe: must be an object");
	expect_bad("{\"t\":1,\"member\":\"a\",\"probe\":{\"result\":\"ok\"}}\n", "probe.result");
	expect_bad("{\"t\":1,\"member\":\"a\",\"probe\":{\"result\":\"reply\"}}\n", "probe.sent");
	expect_bad("{\"t\":1,\"member\":\"a\",\"probe\":{\"result\":\"reply\",\"sent\":1,"
		   "\"rtt_us\":-5}}\n", "probe.rtt_us");
	expect_bad("{\"t\":1,\"member\":\"a\",\"probe\":{\"tick\":true,\"load\":\"x\"}}\n",
		   "probe.load");
	expect_bad("{\"t\":1,\"member\":\"a\",\"link\":\"down\"}\n", "link: must be");
	expect_bad("{\"t\":1,\"manual\":\"pin\"}\n", "member: missing");
	expect_bad("{\"t\":1,\"eval\":true}\n", "member: missing");
	expect_bad("{\"t\":1,\"member\":\"a\",\"manual\":\"always\"}\n", "manual: must be");
}

/* 11 recorded losses in a row on a: down, traffic to b; the probes counted
 * are the recorded ones (no simulated probe runs). */
static void test_playback_losses(void **st)
{
	char *body = probes(20, 10), *t = text("20", body);
	char *out = run(t);
	const char *sw = strstr(out, "\"event\":\"switch\"");
	assert_non_null(strstr(out, "\"event\":\"active\",\"member\":\"a\""));
	assert_non_null(sw);
	assert_non_null(strstr(sw, "\"from\":\"a\",\"to\":\"b\""));
	assert_null(strstr(sw + 1, "\"event\":\"switch\""));    /* a never came back */
	/* 39 timer lines per member fired a probe: nothing else was sent */
	assert_non_null(strstr(out, "\"a\":{\"probes\":39,"));
	assert_non_null(strstr(out, "\"b\":{\"probes\":39,"));
	free(out);
	free(t);
	free(body);
}

/* A recorded carrier loss moves traffic at once; the operator's commands
 * are decisions of their own. */
static void test_playback_link_and_operator(void **st)
{
	char *body = probes(8, 100), *t = NULL;
	assert_true(asprintf(&t, HEAD "%s"
			     "{\"t\":8.1,\"member\":\"a\",\"link\":\"no_carrier\",\"carrier\":false}\n"
			     "{\"t\":8.5,\"member\":\"a\",\"manual\":\"pin\"}\n"
			     "{\"t\":9,\"manual\":\"auto\"}\n", "10", body) > 0);
	char *out = run(t);
	const char *sw = strstr(out, "\"t\":8.100,\"event\":\"switch\"");
	assert_non_null(sw);
	assert_non_null(strstr(sw, "a: no carrier; b score"));
	assert_non_null(strstr(out, "\"t\":8.500,\"event\":\"switch\",\"type\":\"manual\","
				    "\"from\":\"b\",\"to\":\"a\""));
	assert_non_null(strstr(out, "operator: back to automatic selection"));
	free(out);
	free(t);
	free(body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_playback_losses),
		cmocka_unit_test(test_playback_link_and_operator),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
