/* Unit tests for the cellular source's contract (src/cellular/cell_src.h) with
 * real children: small /bin/sh tools written to a temporary directory that
 * print lines of the captures in tests/data/cellular/ (the end-to-end
 * matrix of tools and failures is tests/integration/run-cellular.sh).
 * Checked here: options, the callback never inside cell_src_poll, one
 * cycle at a time, the configured path, cell_src_free mid-cycle, and the
 * tool name before and after detection. */
#include "cellular/cell_src.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>

#include "core/proc.h"

struct run {
	struct event_base *base;
	struct cell_src *src;
	int calls;
	bool in_poll;
	struct cell_sample s;
	struct cell_src_info info;
};

static char dir[64];

static void write_tool(const char *name, const char *body)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	assert_int_equal(chmod(path, 0755), 0);
}

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/test_cell_src.XXXXXX");
	assert_non_null(mkdtemp(dir));
	/* +CSQ and +CREG lines of the Quectel EC200A capture */
	write_tool("gsmctl", "case \"$2\" in\n"
		   "AT+CSQ) printf '+CSQ: 17,99\\n\\nOK\\n';;\n"
		   "AT+CREG?) printf '+CREG: 2,1,\"00A8\",\"5355E8D\",7\\n\\nOK\\n';;\n"
		   "*) echo ERROR;;\nesac");
	write_tool("slow", "sleep 30");
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void on_sample(void *arg, const struct cell_sample *s, const struct cell_src_info *info)
{
	struct run *r = arg;
	if (r->in_poll)
		fail_msg("callback from inside cell_src_poll");
	r->calls++;
	r->s = *s;
	r->info = *info;
	event_base_loopexit(r->base, NULL);
}

static struct cell_src *make(struct run *r, const char *gsmctl, unsigned timeout_ms)
{
	char none[128];
	/* the other tools: paths that do not exist, so nothing on this
	 * machine's PATH takes part */
	snprintf(none, sizeof(none), "%s/absent", dir);
	struct cell_src_opts o = {
		.member = "wwan", .mmcli = none, .uqmi = none, .qmicli = none,
		.gsmctl = gsmctl, .modem = -1, .timeout_ms = timeout_ms,
	};
	memset(r, 0, sizeof(*r));
	r->base = event_base_new();
	assert_non_null(r->base);
	r->src = cell_src_new(r->base, &o, on_sample, r);
	assert_non_null(r->src);
	return r->src;
}

static void done(struct run *r)
{
	cell_src_free(r->src);
	event_base_free(r->base);
}

static void test_bad_options(void **state)
{
	struct event_base *base = event_base_new();
	struct cell_src_opts o = { .member = NULL, .modem = -1 };
	assert_null(cell_src_new(base, &o, on_sample, NULL));
	o.member = "";
	assert_null(cell_src_new(base, &o, on_sample, NULL));
	o.member = "wwan";
	assert_null(cell_src_new(base, &o, NULL, NULL));
	assert_null(cell_src_new(NULL, &o, on_sample, NULL));
	cell_src_free(NULL);
	event_base_free(base);
}

static void test_cycle(void **state)
{
	struct run r;
	char path[128];
	snprintf(path, sizeof(path), "%s/gsmctl", dir);
	make(&r, path, 2000);
	assert_null(cell_src_tool(r.src));
	r.in_poll = true;
	assert_int_equal(cell_src_poll(r.src), 0);
	assert_int_equal(cell_src_poll(r.src), 1);      /* one at a time */
	r.in_poll = false;
	event_base_dispatch(r.base);
	assert_int_equal(r.calls, 1);
	assert_string_equal(r.info.tool, "gsmctl");
	assert_string_equal(cell_src_tool(r.src), "gsmctl");
	assert_int_equal(r.s.csq, 17);
	assert_int_equal(r.s.reg, CELL_REG_HOME);
	assert_string_equal(r.s.tac, "00A8");
	assert_string_equal(r.s.source, "at");
	/* +COPS? and +CEREG? answer ERROR: the first is a failure (the
	 * sample still holds the others' figures), the second only makes it
	 * ask +CREG? */
	assert_true(r.info.ok);
	assert_int_equal(r.info.failed, 1);
	assert_string_equal(r.info.error, "gsmctl -A AT+COPS?: ERROR");
	assert_true(r.info.commands >= 4);
	assert_true(r.info.took_us > 0);
	/* the next cycle remembers the refusals of the vendors' commands */
	unsigned first = r.info.commands;
	assert_int_equal(cell_src_poll(r.src), 0);
	event_base_dispatch(r.base);
	assert_int_equal(r.calls, 2);
	assert_true(r.info.commands < first);
	assert_int_equal(r.info.commands, 3);           /* CSQ, COPS, CREG */
	done(&r);
}

static void test_no_tool(void **state)
{
	struct run r;
	char path[128];
	snprintf(path, sizeof(path), "%s/absent", dir);
	make(&r, path, 1000);
	r.in_poll = true;
	assert_int_equal(cell_src_poll(r.src), 0);
	r.in_poll = false;
	event_base_dispatch(r.base);
	assert_int_equal(r.calls, 1);
	assert_string_equal(r.info.tool, "none");
	assert_false(r.info.ok);
	assert_int_equal(r.info.failed, r.info.commands);
	assert_non_null(strstr(r.info.error, "gsmctl: gsmctl -A AT+CSQ: cannot run"));
	assert_null(cell_src_tool(r.src));
	assert_true(isnan(r.s.rsrp_dbm));
	done(&r);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct run *r = arg;
	cell_src_free(r->src);
	r->src = NULL;
	event_base_loopexit(r->base, NULL);
}

static void test_free_mid_cycle(void **state)
{
	struct run r;
	char path[128];
	snprintf(path, sizeof(path), "%s/slow", dir);
	make(&r, path, 20000);
	assert_int_equal(cell_src_poll(r.src), 0);
	assert_int_equal(proc_running(), 1);
	struct event *t = evtimer_new(r.base, on_timer, &r);
	struct timeval tv = { 0, 200000 };
	evtimer_add(t, &tv);
	event_base_dispatch(r.base);
	assert_int_equal(r.calls, 0);
	/* the killed child is reaped from the loop */
	for (int i = 0; i < 100 && proc_running(); i++) {
		struct timeval step = { 0, 20000 };
		event_base_loopexit(r.base, &step);
		event_base_dispatch(r.base);
	}
	assert_int_equal(proc_running(), 0);
	assert_int_equal(r.calls, 0);
	event_free(t);
	event_base_free(r.base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_cycle),
		cmocka_unit_test(test_no_tool),
		cmocka_unit_test(test_free_mid_cycle),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
