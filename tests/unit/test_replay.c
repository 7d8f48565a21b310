/* replay: the trace parser (edge cases, merge semantics, bad lines), the
 * simulation on short traces through the library (autonomy and baselines),
 * determinism, and replay_main's command line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "config/config.h"
#include "engine/decide.h"
#include "replay/replay.h"

#define HEADER3 "{\"format\":\"autonomy-trace/1\",\"duration_s\":%s,\"members\":[" \
	"{\"name\":\"starlink\",\"class\":\"starlink\",\"priority\":1}," \
	"{\"name\":\"lte\",\"class\":\"cellular\",\"priority\":2,\"metered\":true}," \
	"{\"name\":\"wifi\",\"class\":\"wifi\",\"priority\":3}]}\n"

/* A trace: the 3-member header with the given duration, then body. */
static char *trace_text(const char *duration, const char *body)
{
	char *s = NULL;

	assert_true(asprintf(&s, HEADER3 "%s", duration, body) > 0);
	return s;
}

static int parse(const char *text, struct replay_trace *tr, struct replay_error *err)
{
	return replay_trace_parse(tr, text, strlen(text), err);
}

/* Parses body after the header; expects failure at `line` with msg inside. */
static void expect_bad(const char *body, int line, const char *msg)
{
	char *t = trace_text("60", body);
	struct replay_trace tr;
	struct replay_error err;

	assert_int_equal(parse(t, &tr, &err), -1);
	if (err.line != line || !strstr(err.msg, msg))
		fail_msg("body %s: got line %d \"%s\", want line %d \"%s\"", body, err.line,
			 err.msg, line, msg);
	assert_int_equal(tr.n_changes, 0);
	assert_null(tr.changes);
	free(t);
}

/* ---- parser ------------------------------------------------------------------ */

static void test_parse_header_and_changes(void **state)
{
	char *t = trace_text("3600.5",
		"{\"t\":0,\"wall\":1764300000}\n"
		"\r\n"
		"{\"t\":1.25,\"member\":\"lte\",\"path\":{\"rtt_ms\":80,\"loss\":0.1,\"x\":1},"
		"\"unknown\":[1,2]}\r\n"
		"{\"t\":1.25,\"member\":\"starlink\",\"carrier\":false,"
		"\"starlink\":{\"outage\":{\"cause\":\"OBSTRUCTED\"}},\"gps\":null}\n");
	struct replay_trace tr;
	struct replay_error err;

	assert_int_equal(parse(t, &tr, &err), 0);
	assert_true(tr.duration_s == 3600.5);
	assert_int_equal(tr.duration_us, 3600500000ULL);
	assert_int_equal(tr.n_members, 3);
	assert_string_equal(tr.members[1].name, "lte");
	assert_string_equal(tr.members[1].cls, "cellular");
	assert_int_equal(tr.members[1].priority, 2);
	assert_true(tr.members[1].metered);
	assert_false(tr.members[0].metered);
	assert_int_equal(tr.n_changes, 3);
	assert_int_equal(tr.changes[0].member, -1);
	assert_int_equal(tr.changes[0].has, REPLAY_HAS_WALL);
	assert_int_equal(tr.changes[0].wall, 1764300000);
	const struct replay_change *c = &tr.changes[1];
	assert_int_equal(c->line, 4);
	assert_int_equal(c->t_us, 1250000);
	assert_int_equal(c->has, REPLAY_HAS_RTT | REPLAY_HAS_LOSS);
	assert_true(c->path.rtt_ms == 80 && c->path.loss == 0.1);
	c = &tr.changes[2];
	assert_int_equal(c->has, REPLAY_HAS_CARRIER);
	assert_false(c->carrier);
	assert_int_equal(c->tel_given, (1u << REPLAY_TEL_STARLINK) | (1u << REPLAY_TEL_GPS));
	assert_non_null(c->tel[REPLAY_TEL_STARLINK]);
	assert_null(c->tel[REPLAY_TEL_GPS]);
	replay_trace_free(&tr);
	free(t);
}

static void test_parse_member_defaults(void **state)
{
	const char *t = "{\"format\":\"autonomy-trace/1\",\"duration_s\":10,"
			"\"members\":[{\"name\":\"a\"},{\"name\":\"b\",\"class\":\"lan\"}]}";
	struct replay_trace tr;
	struct replay_error err;

	assert_int_equal(parse(t, &tr, &err), 0);
	assert_string_equal(tr.members[0].cls, "other");
	assert_int_equal(tr.members[0].priority, 1);
	assert_int_equal(tr.members[1].priority, 2);
	assert_int_equal(tr.n_changes, 0);
	replay_trace_free(&tr);
}

static void test_parse_bad_lines(void **state)
{
	expect_bad("{\"t\":1,\"member\":\"lte\"", 2, "not JSON");
	expect_bad("{\"t\":1}\n", 2, "member: missing");
	expect_bad("\n\n{\"t\":1,\"member\":\"x\"}\n", 4, "\"x\" is not in the header");
	expect_bad("[1,2]\n", 2, "expected a JSON object");
	expect_bad("{\"member\":\"lte\"}\n", 2, "t: must be a number");
	expect_bad("{\"t\":-1,\"member\":\"lte\"}\n", 2, "t: must be a number");
	expect_bad("{\"t\":\"5\",\"member\":\"lte\"}\n", 2, "t: must be a number");
	expect_bad("{\"t\":5,\"member\":\"lte\"}\n{\"t\":4,\"member\":\"lte\"}\n", 3,
		   "before the previous line");
	expect_bad("{\"t\":1,\"member\":\"lte\",\"path\":{\"loss\":1.5}}\n", 2, "path.loss");
	expect_bad("{\"t\":1,\"member\":\"lte\",\"path\":{\"rtt_ms\":\"30\"}}\n", 2, "path.rtt_ms");
	expect_bad("{\"t\":1,\"member\":\"lte\",\"path\":[30]}\n", 2, "path: must be an object");
	expect_bad("{\"t\":1,\"member\":\"lte\",\"carrier\":1}\n", 2, "carrier");
	expect_bad("{\"t\":1,\"member\":\"lte\",\"cellular\":[]}\n", 2, "cellular: must be");
	expect_bad("{\"t\":1,\"wall\":1.5}\n", 2, "wall: must be an integer");
	expect_bad("{\"t\":1,\"member\":7}\n", 2, "member: must be a string");
	expect_bad("{\"t\":1,\"member\":\"lte\"} x\n", 2, "not JSON");
	expect_bad("{\"t\":1,\"member\":\"lte\"}{}\n", 2, "not JSON");
	expect_bad("{\"t\":1e999,\"member\":\"lte\"}\n", 2, "");
	expect_bad("{\"t\":1,\"member\":\"lte\",\"path\":{\"loss\":NaN}}\n", 2, "path.loss");
}

static void expect_bad_header(const char *text, int line, const char *msg)
{
	struct replay_trace tr;
	struct replay_error err;

	assert_int_equal(replay_trace_parse(&tr, text, strlen(text), &err), -1);
	if (err.line != line || !strstr(err.msg, msg))
		fail_msg("%s: got line %d \"%s\", want line %d \"%s\"", text, err.line, err.msg,
			 line, msg);
}

static void test_parse_bad_headers(void **state)
{
	static const char nul[] = "{\"format\":\"autonomy-trace/1\"\0}";

	expect_bad_header("", 1, "no header");
	expect_bad_header("\n{\"format\":\"autonomy-trace/1\"}", 1, "empty line");
	expect_bad_header("{\"format\":\"autonomy-trace/2\",\"duration_s\":1,\"members\":[]}", 1,
			  "format");
	expect_bad_header("{\"t\":0,\"member\":\"a\"}", 1, "format");
	expect_bad_header("{\"format\":\"autonomy-trace/1\",\"duration_s\":0,"
			  "\"members\":[{\"name\":\"a\"}]}", 1, "duration_s");
	expect_bad_header("{\"format\":\"autonomy-trace/1\",\"duration_s\":1e12,"
			  "\"members\":[{\"name\":\"a\"}]}", 1, "duration_s");
	expect_bad_header("{\"format\":\"autonomy-trace/1\",\"duration_s\":5,\"members\":[]}", 1,
			  "members");
	expect_bad_header("{\"format\":\"autonomy-trace/1\",\"duration_s\":5,"
			  "\"members\":[{\"name\":\"a\"},{\"name\":\"a\"}]}", 1, "appears twice");
	expect_bad_header("{\"format\":\"autonomy-trace/1\",\"duration_s\":5,"
			  "\"members\":[{\"name\":\"\"}]}", 1, "members[0].name");
	expect_bad_header("{\"format\":\"autonomy-trace/1\",\"duration_s\":5,"
			  "\"members\":[{\"name\":\"a\",\"class\":\"sat\"}]}", 1, "members[0].class");
	expect_bad_header("{\"format\":\"autonomy-trace/1\",\"duration_s\":5,"
			  "\"members\":[{\"name\":\"a\",\"priority\":1.5}]}", 1, "priority");
	expect_bad_header("{\"format\":\"autonomy-trace/1\",\"duration_s\":5,"
			  "\"members\":[{\"name\":\"a\",\"metered\":\"yes\"}]}", 1, "metered");
	expect_bad_header("{\"format\":\"autonomy-trace/1\",\"duration_s\":5,"
			  "\"members\":[{\"name\":\"0123456789012345678901234567890123\"}]}", 1,
			  "members[0].name");
	struct replay_trace tr;
	struct replay_error err;
	assert_int_equal(replay_trace_parse(&tr, nul, sizeof(nul) - 1, &err), -1);
	assert_int_equal(err.line, 1);
	assert_non_null(strstr(err.msg, "NUL"));
}

/* ---- telemetry merge ---------------------------------------------------------------- */

static json_object *js(const char *s)
{
	return json_tokener_parse(s);
}

static void apply(json_object **st, const char *patch)
{
	json_object *p = patch ? js(patch) : NULL;

	replay_tel_apply(st, p);
	json_object_put(p);
}

static void assert_state(json_object *st, const char *want)
{
	json_object *w = js(want);

	if (!json_object_equal(st, w))
		fail_msg("state %s, want %s", json_object_to_json_string(st), want);
	json_object_put(w);
}

static void test_telemetry_merge(void **state)
{
	json_object *st = NULL;

	apply(&st, "{\"pop_ping_drop_rate\":0.02,\"obstruction_stats\":"
		   "{\"currently_obstructed\":true,\"fraction_obstructed\":0.04}}");
	/* A nested key not given keeps its value. */
	apply(&st, "{\"obstruction_stats\":{\"fraction_obstructed\":0.06}}");
	assert_state(st, "{\"pop_ping_drop_rate\":0.02,\"obstruction_stats\":"
			 "{\"currently_obstructed\":true,\"fraction_obstructed\":0.06}}");
	/* null removes the key at its level, nested too. */
	apply(&st, "{\"pop_ping_drop_rate\":null,\"obstruction_stats\":"
		   "{\"currently_obstructed\":null},\"outage\":{\"cause\":\"OBSTRUCTED\",\"x\":null}}");
	assert_state(st, "{\"obstruction_stats\":{\"fraction_obstructed\":0.06},"
			 "\"outage\":{\"cause\":\"OBSTRUCTED\"}}");
	/* An object replaces a scalar and the other way round; arrays are values. */
	apply(&st, "{\"outage\":5,\"obstruction_stats\":{\"wedges\":[1,2]}}");
	apply(&st, "{\"obstruction_stats\":{\"wedges\":[3]}}");
	assert_state(st, "{\"obstruction_stats\":{\"fraction_obstructed\":0.06,\"wedges\":[3]},"
			 "\"outage\":5}");
	/* Removing a key that is not there is fine; null at the top clears all. */
	apply(&st, "{\"nope\":null}");
	apply(&st, NULL);
	assert_null(st);
	apply(&st, "{\"a\":{\"b\":null}}");
	assert_state(st, "{\"a\":{}}");
	json_object_put(st);
}

/* ---- running traces ------------------------------------------------------------------- */

struct run_out {
	char *buf;
	size_t len;
	struct replay_result res;
};

static void run_text(const char *text, enum replay_policy pol, uint64_t seed,
		     struct run_out *o)
{
	struct replay_trace tr;
	struct replay_error err;
	struct replay_opts opt;

	replay_opts_default(&opt);
	opt.policy = pol;
	opt.seed = seed;
	if (parse(text, &tr, &err) != 0)
		fail_msg("trace: line %d: %s", err.line, err.msg);
	FILE *f = open_memstream(&o->buf, &o->len);
	assert_non_null(f);
	assert_int_equal(replay_run(&tr, &opt, f, &o->res), 0);
	fclose(f);
	replay_trace_free(&tr);
}

/* The n-th line (0-based) containing needle, or NULL. */
static const char *find_line(const char *buf, const char *needle, int n)
{
	for (const char *p = buf; (p = strstr(p, needle)); p++) {
		const char *bol = p;
		while (bol > buf && bol[-1] != '\n')
			bol--;
		if (n-- == 0)
			return bol;
		p = strchr(p, '\n');
		if (!p)
			break;
	}
	return NULL;
}

static double line_t(const char *line)
{
	assert_non_null(line);
	return strtod(strstr(line, "\"t\":") + 4, NULL);
}

static void test_run_carrier_loss(void **state)
{
	char *t = trace_text("600", "{\"t\":200,\"member\":\"starlink\",\"carrier\":false}\n"
				    "{\"t\":260,\"member\":\"starlink\",\"carrier\":true}\n");
	struct run_out o = { 0 };

	run_text(t, REPLAY_AUTONOMY, 1, &o);
	const char *first = find_line(o.buf, "\"event\":\"active\"", 0);
	assert_non_null(first);
	assert_true(line_t(first) == 0.0);
	assert_non_null(strstr(first, "\"member\":\"starlink\""));
	const char *sw = find_line(o.buf, "\"event\":\"switch\"", 0);
	assert_true(line_t(sw) == 200.0);       /* at the carrier event itself */
	assert_non_null(strstr(sw, "\"from\":\"starlink\",\"to\":\"lte\""));
	assert_non_null(strstr(sw, "starlink: no carrier; lte score"));
	/* Back after the hold: 90 s (1.5 x the 60 s outage) of good health. */
	const char *back = find_line(o.buf, "\"event\":\"switch\"", 1);
	assert_non_null(strstr(back, "\"type\":\"restore\""));
	assert_true(line_t(back) > 260 + 90 && line_t(back) < 260 + 100);
	assert_int_equal(o.res.switches, 2);
	assert_non_null(strstr(o.buf, "{\"summary\":{\"policy\":\"autonomy\",\"seed\":1,"
				      "\"switches\":2,"));
	assert_non_null(strstr(o.buf, "\"virtual_s\":600,\"wall_ms\":0,"));
	free(o.buf);
	free(t);
}

static void test_run_blackhole_detected_within_a_second_or_so(void **state)
{
	char *t = trace_text("400", "{\"t\":100.25,\"member\":\"starlink\",\"path\":{\"loss\":1}}\n");

	for (uint64_t seed = 1; seed <= 5; seed++) {
		struct run_out o = { 0 };
		run_text(t, REPLAY_AUTONOMY, seed, &o);
		const char *sw = find_line(o.buf, "\"event\":\"switch\"", 0);
		double dt = line_t(sw) - 100.25;
		if (dt < 0.3 || dt > 1.2)
			fail_msg("seed %llu: switched %.3f s after the blackhole",
				 (unsigned long long)seed, dt);
		assert_non_null(strstr(sw, "probes lost in"));
		assert_null(find_line(o.buf, "\"event\":\"switch\"", 1));      /* never back */
		free(o.buf);
	}
	free(t);
}

static void test_run_micro_outage_no_switch(void **state)
{
	char body[4096] = "";
	size_t off = 0;

	for (int k = 1; k <= 20; k++)
		off += (size_t)snprintf(body + off, sizeof(body) - off,
			"{\"t\":%d.0,\"member\":\"starlink\",\"path\":{\"loss\":1}}\n"
			"{\"t\":%d.3,\"member\":\"starlink\",\"path\":{\"loss\":0}}\n", k * 80, k * 80);
	char *t = trace_text("1800", body);
	struct run_out o = { 0 };
	run_text(t, REPLAY_AUTONOMY, 3, &o);
	assert_int_equal(o.res.switches, 0);
	assert_true(o.res.holds >= 1);  /* the degradations are recorded as holds */
	free(o.buf);
	free(t);
}

static void test_run_deterministic(void **state)
{
	char *t = trace_text("900",
		"{\"t\":100,\"member\":\"starlink\",\"path\":{\"loss\":0.3,\"jitter_ms\":20}}\n"
		"{\"t\":400,\"member\":\"starlink\",\"path\":{\"loss\":1}}\n"
		"{\"t\":500,\"member\":\"lte\",\"carrier\":false}\n"
		"{\"t\":600,\"member\":\"starlink\",\"path\":{\"loss\":0,\"jitter_ms\":2}}\n");
	for (int p = REPLAY_AUTONOMY; p <= REPLAY_PFSENSE; p++) {
		struct run_out a = { 0 }, b = { 0 }, c = { 0 };
		run_text(t, (enum replay_policy)p, 7, &a);
		run_text(t, (enum replay_policy)p, 7, &b);
		run_text(t, (enum replay_policy)p, 8, &c);
		assert_int_equal(a.len, b.len);
		assert_memory_equal(a.buf, b.buf, a.len);
		assert_true(a.res.probes == b.res.probes);
		/* Another seed: another network (the probe counts differ). */
		assert_true(strcmp(a.buf, c.buf) != 0);
		free(a.buf);
		free(b.buf);
		free(c.buf);
	}
	free(t);
}

static void test_run_baselines(void **state)
{
	char *t = trace_text("600", "{\"t\":100,\"member\":\"starlink\",\"carrier\":false}\n"
				    "{\"t\":300,\"member\":\"starlink\",\"carrier\":true}\n"
				    "{\"t\":400,\"member\":\"starlink\",\"path\":{\"loss\":1}}\n");
	struct run_out o = { 0 };

	/* mwan3: ifdown at once, ifup at once (initial_state online); a
	 * blackhole takes 3 failed checks of 2 pings (timeout 2 s, every 5 s). */
	run_text(t, REPLAY_MWAN3, 1, &o);
	assert_true(line_t(find_line(o.buf, "\"event\":\"switch\"", 0)) == 100.0);
	assert_non_null(strstr(o.buf, "mwan3: starlink ifdown (no carrier)"));
	assert_true(line_t(find_line(o.buf, "\"event\":\"switch\"", 1)) == 300.0);
	double t3 = line_t(find_line(o.buf, "\"event\":\"switch\"", 2));
	assert_true(t3 > 400 + 3 * 4 && t3 < 400 + 3 * 9 + 1);
	assert_non_null(strstr(o.buf, "offline (3 checks failed)"));
	free(o.buf);
	/* pfSense: no link events; 20 % of a 60 s window lost takes 12 s + 2 s. */
	memset(&o, 0, sizeof(o));
	run_text(t, REPLAY_PFSENSE, 1, &o);
	double t1 = line_t(find_line(o.buf, "\"event\":\"switch\"", 0));
	assert_true(t1 >= 112 && t1 <= 116);
	assert_non_null(strstr(o.buf, "pfsense: starlink alarm (loss 2"));
	assert_non_null(strstr(o.buf, "\"policy\":\"pfsense\""));
	free(o.buf);
	free(t);
}

/* A member's telemetry polls in the summary line, -1 if not found. */
static int polls_of(const char *out, const char *member)
{
	char key[64];
	snprintf(key, sizeof(key), "\"%s\":{\"probes\":", member);
	const char *p = strstr(out, "{\"summary\":");
	p = p ? strstr(p, key) : NULL;
	p = p ? strstr(p, "\"telemetry_polls\":") : NULL;
	return p ? atoi(p + strlen("\"telemetry_polls\":")) : -1;
}

static void test_run_telemetry_polled(void **state)
{
	char *t = trace_text("100",
		"{\"t\":0,\"wall\":1764300000}\n"
		"{\"t\":5,\"member\":\"starlink\",\"starlink\":{\"outage\":{\"cause\":\"BOOTING\"}}}\n"
		"{\"t\":6,\"member\":\"wifi\",\"wifi\":{\"signal_dbm\":-70},\"cellular\":{\"x\":1}}\n"
		"{\"t\":7,\"member\":\"starlink\",\"starlink\":{\"outage\":null}}\n");
	struct run_out o = { 0 };

	run_text(t, REPLAY_AUTONOMY, 1, &o);
	/* starlink: dish status every 30 s, history every 60 s, GPS every
	 * 300 s, from t = 0: 0, 30, 60, 90 + 0, 60 + 0 -> 7 polls (the outage
	 * between two status polls is not seen, so no fast polling); lte:
	 * signal every 15 s + GPS: 7 + 1; wifi: every 10 s: 10. A kind that is
	 * not built is not polled. */
	assert_int_equal(polls_of(o.buf, "starlink"), 6 * AUTONOMY_WITH_STARLINK + AUTONOMY_WITH_GPS);
	assert_int_equal(polls_of(o.buf, "lte"), 7 * AUTONOMY_WITH_CELLULAR + AUTONOMY_WITH_GPS);
	assert_int_equal(polls_of(o.buf, "wifi"), 10 * AUTONOMY_WITH_WIFI);
	free(o.buf);
	free(t);
}

static void test_policy_names(void **state)
{
	enum replay_policy p;

	assert_int_equal(replay_policy_parse("mwan3-10s", &p), 0);
	assert_int_equal(p, REPLAY_MWAN3_10S);
	assert_string_equal(replay_policy_name(REPLAY_PFSENSE), "pfsense");
	assert_int_equal(replay_policy_parse("openmptcprouter", &p), -1);
	assert_string_equal(replay_tel_name(REPLAY_TEL_GPS), "gps");
}

/* ---- replay_main ----------------------------------------------------------------------- */

/* Runs replay_main with stdout and stderr captured into files. */
static int run_main(int argc, char **argv, char *out, size_t osz, char *err, size_t esz)
{
	char on[] = "/tmp/test_replay_out.XXXXXX", en[] = "/tmp/test_replay_err.XXXXXX";
	int ofd = mkstemp(on), efd = mkstemp(en);
	int so = dup(1), se = dup(2);

	fflush(stdout);
	fflush(stderr);
	dup2(ofd, 1);
	dup2(efd, 2);
	int rc = replay_main(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(so);
	close(se);
	ssize_t n = pread(ofd, out, osz - 1, 0);
	out[n > 0 ? n : 0] = '\0';
	n = pread(efd, err, esz - 1, 0);
	err[n > 0 ? n : 0] = '\0';
	close(ofd);
	close(efd);
	unlink(on);
	unlink(en);
	return rc;
}

static char *write_tmp(const char *text)
{
	static char path[64];

	snprintf(path, sizeof(path), "/tmp/test_replay_trace.XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void test_main_cli(void **state)
{
	static char out[65536], err[4096];
	char *t = trace_text("60", "{\"t\":10,\"member\":\"starlink\",\"carrier\":false}\n");
	char *path = write_tmp(t);

	char *ok[] = { "autonomyd", "--replay", path, "--seed=3", "--policy", "mwan3", NULL };
	assert_int_equal(run_main(6, ok, out, sizeof(out), err, sizeof(err)), 0);
	assert_non_null(strstr(out, "\"event\":\"active\""));
	assert_non_null(strstr(out, "{\"summary\":{\"policy\":\"mwan3\",\"seed\":3,"));
	assert_string_equal(err, "");

	char *bad_seed[] = { "autonomyd", "--replay", path, "--seed", "x1", NULL };
	assert_int_equal(run_main(5, bad_seed, out, sizeof(out), err, sizeof(err)), 2);
	assert_non_null(strstr(err, "--seed"));
	char *no_val[] = { "autonomyd", "--replay", NULL };
	assert_int_equal(run_main(2, no_val, out, sizeof(out), err, sizeof(err)), 2);
	assert_non_null(strstr(err, "needs a value"));
	char *unknown[] = { "autonomyd", "--replay", path, "-x", NULL };
	assert_int_equal(run_main(4, unknown, out, sizeof(out), err, sizeof(err)), 2);
	char *help[] = { "autonomyd", "--help", NULL };
	assert_int_equal(run_main(2, help, out, sizeof(out), err, sizeof(err)), 0);
	assert_non_null(strstr(out, "usage: autonomyd --replay TRACE"));
	char *missing[] = { "autonomyd", "--replay", "/nonexistent/trace.jsonl", NULL };
	assert_int_equal(run_main(3, missing, out, sizeof(out), err, sizeof(err)), 1);
	assert_non_null(strstr(err, "/nonexistent/trace.jsonl: cannot open"));
	char *badcfg[] = { "autonomyd", "--replay", path, "-c", "/nonexistent.conf", NULL };
	assert_int_equal(run_main(5, badcfg, out, sizeof(out), err, sizeof(err)), 1);
	unlink(path);
	free(t);

	/* A bad line: exit 1, the file and line on stderr, nothing on stdout. */
	t = trace_text("60", "{\"t\":1,\"member\":\"lte\"}\n{\"t\":2,\"member\":\"lte\",\"path\":7}\n");
	path = write_tmp(t);
	char *bad[] = { "autonomyd", "--replay", path, NULL };
	assert_int_equal(run_main(3, bad, out, sizeof(out), err, sizeof(err)), 1);
	assert_string_equal(out, "");
	char want[128];
	snprintf(want, sizeof(want), "%s:3: path: must be an object", path);
	assert_non_null(strstr(err, want));
	unlink(path);
	free(t);
}

static void test_main_config_polling(void **state)
{
	static char out[65536], err[4096];
	char *t = trace_text("100", "");
	char tpath[64], cpath[] = "/tmp/test_replay_cfg.XXXXXX";

	snprintf(tpath, sizeof(tpath), "%s", write_tmp(t));
	int fd = mkstemp(cpath);
	const char *cfg = "config autonomy 'wifi'\n\toption rssi_check_interval '50'\n";
	assert_int_equal(write(fd, cfg, strlen(cfg)), (ssize_t)strlen(cfg));
	close(fd);
	char *argv[] = { "autonomyd", "-c", cpath, "--replay", tpath, NULL };
	assert_int_equal(run_main(5, argv, out, sizeof(out), err, sizeof(err)), 0);
	/* wifi polled at 0 and 50 s only (when the wifi kind is built). */
	assert_non_null(strstr(out, "\"wifi\":{\"probes\":"));
	assert_int_equal(polls_of(out, "wifi"), 2 * AUTONOMY_WITH_WIFI);
	unlink(cpath);
	unlink(tpath);
	free(t);
}

static void test_decide_params_from_config(void **state)
{
	static const char text[] = "config autonomy 'main'\n"
				   "\toption switch_margin '30'\n"
				   "\toption switch_sustain '90'\n"
				   "\toption failback_hold '2m'\n";
	struct decide_params p, def;
	struct config *cfg = config_load_buf("test.conf", text, sizeof(text) - 1, NULL);

	assert_non_null(cfg);
	decide_params_default(&def);
	decide_params_from_config(cfg, &p);
	assert_int_equal(p.switch_margin, 30);
	assert_int_equal(p.sustain_ms, 90000);
	assert_int_equal(p.failback_hold_ms, 120000);
	assert_int_equal(p.outage_hold_pct, def.outage_hold_pct);
	decide_params_from_config(NULL, &p);
	assert_int_equal(p.sustain_ms, def.sustain_ms);
	config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_header_and_changes),
		cmocka_unit_test(test_parse_member_defaults),
		cmocka_unit_test(test_parse_bad_lines),
		cmocka_unit_test(test_parse_bad_headers),
		cmocka_unit_test(test_telemetry_merge),
		cmocka_unit_test(test_run_carrier_loss),
		cmocka_unit_test(test_run_blackhole_detected_within_a_second_or_so),
		cmocka_unit_test(test_run_micro_outage_no_switch),
		cmocka_unit_test(test_run_deterministic),
		cmocka_unit_test(test_run_baselines),
		cmocka_unit_test(test_run_telemetry_polled),
		cmocka_unit_test(test_policy_names),
		cmocka_unit_test(test_main_cli),
		cmocka_unit_test(test_main_config_polling),
		cmocka_unit_test(test_decide_params_from_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
