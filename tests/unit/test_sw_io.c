/* starwatch's I/O pieces: the ping reply parser, ICMP reply matching,
 * rtnetlink parsing and gateway learning, the alert's body and curl config,
 * the poll loop's timers, child processes, and the config it resolves. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <linux/icmp.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "core/clock.h"
#include "starwatch/sw_alert.h"
#include "starwatch/sw_cfg.h"
#include "starwatch/sw_failsafe.h"
#include "starwatch/sw_icmp.h"
#include "starwatch/sw_loop.h"
#include "starwatch/sw_nl.h"
#include "starwatch/sw_proc.h"
#include "starwatch/sw_query.h"

static void test_query_reply(void **state)
{
	struct sw_answer a;
	const char *ok = "{\"ok\":true,\"data\":{\"pid\":42,\"loop_ticks\":1234,\"uptime_s\":3.5}}";
	assert_int_equal(sw_query_parse_reply(ok, strlen(ok), &a), 0);
	assert_true(a.answered && a.has_counter);
	assert_int_equal(a.counter, 1234);
	assert_int_equal(a.pid, 42);
	/* busy, or a daemon without `ping`: an answer without a counter */
	const char *busy = "{\"ok\":false,\"error\":{\"code\":\"busy\",\"message\":\"x\"}}";
	assert_int_equal(sw_query_parse_reply(busy, strlen(busy), &a), 0);
	assert_true(a.answered);
	assert_false(a.has_counter);
	static const char *const bad[] = { "", "{", "[1]", "{\"data\":{}}", "{\"ok\":1}", "garbage" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(sw_query_parse_reply(bad[i], strlen(bad[i]), &a), -1);
		assert_false(a.answered);
	}
	/* a counter of the wrong type or sign is no counter */
	const char *neg = "{\"ok\":true,\"data\":{\"loop_ticks\":-5}}";
	assert_int_equal(sw_query_parse_reply(neg, strlen(neg), &a), 0);
	assert_false(a.has_counter);
}

static void test_ping_reply_matching(void **state)
{
	unsigned char pkt[64] = { 0 };
	struct icmphdr h = { .type = ICMP_ECHOREPLY };
	h.un.echo.id = htons(0x1234);
	h.un.echo.sequence = htons(101);
	memcpy(pkt, &h, sizeof(h));
	/* ping socket: no IP header, id not checked */
	assert_true(sw_ping_is_reply(pkt, 16, false, 0x9999, 100, 4));
	assert_false(sw_ping_is_reply(pkt, 16, false, 0x9999, 102, 4));
	assert_false(sw_ping_is_reply(pkt, 7, false, 0x9999, 100, 4));
	/* raw: IP header first, id must match */
	unsigned char raw[64] = { 0x45 };
	memcpy(raw + 20, &h, sizeof(h));
	assert_true(sw_ping_is_reply(raw, 36, true, 0x1234, 100, 4));
	assert_false(sw_ping_is_reply(raw, 36, true, 0x1235, 100, 4));
	raw[0] = 0x4f;     /* header longer than the packet */
	assert_false(sw_ping_is_reply(raw, 36, true, 0x1234, 100, 4));
	raw[0] = 0x65;
	assert_false(sw_ping_is_reply(raw, 36, true, 0x1234, 100, 4));
	h.type = ICMP_ECHO;
	memcpy(pkt, &h, sizeof(h));
	assert_false(sw_ping_is_reply(pkt, 16, false, 0, 100, 4));
	/* sequence numbers wrap */
	h.type = ICMP_ECHOREPLY;
	h.un.echo.sequence = htons(1);
	memcpy(pkt, &h, sizeof(h));
	assert_true(sw_ping_is_reply(pkt, 16, false, 0, 65534, 4));
}

/* A route message as the kernel sends it. */
static size_t build_route(unsigned char *buf, uint32_t table, uint8_t proto, uint32_t metric,
			  int oif, const char *gw, uint8_t dst_len)
{
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	memset(buf, 0, 256);
	h->nlmsg_type = RTM_NEWROUTE;
	h->nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
	struct rtmsg *r = NLMSG_DATA(h);
	r->rtm_family = AF_INET;
	r->rtm_table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	r->rtm_protocol = proto;
	r->rtm_type = RTN_UNICAST;
	r->rtm_dst_len = dst_len;
	struct { unsigned short type; uint32_t v; } u32s[] = {
		{ RTA_TABLE, table }, { RTA_PRIORITY, metric }, { RTA_OIF, (uint32_t)oif },
	};
	for (size_t i = 0; i < 3; i++) {
		struct rtattr *a = (struct rtattr *)(buf + NLMSG_ALIGN(h->nlmsg_len));
		a->rta_type = u32s[i].type;
		a->rta_len = RTA_LENGTH(4);
		memcpy(RTA_DATA(a), &u32s[i].v, 4);
		h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + RTA_ALIGN(a->rta_len);
	}
	if (gw) {
		struct rtattr *a = (struct rtattr *)(buf + NLMSG_ALIGN(h->nlmsg_len));
		a->rta_type = RTA_GATEWAY;
		a->rta_len = RTA_LENGTH(4);
		inet_pton(AF_INET, gw, RTA_DATA(a));
		h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + RTA_ALIGN(a->rta_len);
	}
	return h->nlmsg_len;
}

static void test_nl_parse_route(void **state)
{
	unsigned char buf[256];
	struct sw_rt r;
	size_t n = build_route(buf, 101, 165, 7, 3, "10.1.0.1", 0);
	assert_int_equal(sw_nl_parse_route4(buf, n, &r), 1);
	assert_int_equal(r.table, 101);
	assert_int_equal(r.protocol, 165);
	assert_int_equal(r.metric, 7);
	assert_int_equal(r.oif, 3);
	assert_true(r.has_gw);
	assert_string_equal(inet_ntoa(r.gw), "10.1.0.1");
	assert_int_equal(r.raw_len, n);
	/* cut short anywhere: never read past what was received */
	for (size_t k = 0; k < n; k++) {
		int rc = sw_nl_parse_route4(buf, k, &r);
		assert_true(rc <= 0 || k >= n);
	}
	/* an attribute claiming more than the message holds */
	struct rtattr *a = (struct rtattr *)(buf + NLMSG_LENGTH(sizeof(struct rtmsg)));
	a->rta_len = 200;
	assert_int_equal(sw_nl_parse_route4(buf, n, &r), 1);
	assert_int_equal(r.metric, 0);  /* the bad attribute ended the walk */
	assert_int_equal(r.oif, 0);
}

static int walked;
static void count_cb(void *arg, const void *msg, size_t len) { walked++; }

static void test_nl_walk(void **state)
{
	unsigned char buf[600];
	size_t a = build_route(buf, 254, 3, 0, 2, "192.0.2.1", 0);
	size_t b = build_route(buf + NLMSG_ALIGN(a), 254, 3, 0, 2, NULL, 24);
	for (size_t off = 0; off < NLMSG_ALIGN(a) + b; off += NLMSG_ALIGN(a))
		((struct nlmsghdr *)(buf + off))->nlmsg_seq = 9;
	size_t total = NLMSG_ALIGN(a) + b;
	struct nlmsghdr *done = (struct nlmsghdr *)(buf + NLMSG_ALIGN(total));
	*done = (struct nlmsghdr){ .nlmsg_len = NLMSG_LENGTH(4), .nlmsg_type = NLMSG_DONE,
				   .nlmsg_seq = 9 };
	walked = 0;
	assert_int_equal(sw_nl_walk(buf, NLMSG_ALIGN(total) + done->nlmsg_len, 9, count_cb, NULL), 1);
	assert_int_equal(walked, 2);
	walked = 0;     /* other sequence numbers are skipped */
	assert_int_equal(sw_nl_walk(buf, total, 8, count_cb, NULL), 0);
	assert_int_equal(walked, 0);
	/* a header overrunning the datagram */
	assert_int_equal(sw_nl_walk(buf, a - 1, 9, count_cb, NULL), -EBADMSG);
	/* an error and an ACK */
	struct { struct nlmsghdr h; struct nlmsgerr e; } err = {
		{ .nlmsg_len = sizeof(err), .nlmsg_type = NLMSG_ERROR, .nlmsg_seq = 5 },
		{ .error = -EEXIST } };
	assert_int_equal(sw_nl_walk(&err, sizeof(err), 5, NULL, NULL), -EEXIST);
	err.e.error = 0;
	assert_int_equal(sw_nl_walk(&err, sizeof(err), 5, NULL, NULL), 1);
}

static void test_learn_gateway(void **state)
{
	struct sw_rt rts[3] = { 0 };
	struct sw_addr4 addrs[2] = { 0 };
	struct in_addr gw;
	/* someone's default route via the device: the lowest metric, main first */
	rts[0] = (struct sw_rt){ .table = 101, .protocol = 165, .type = RTN_UNICAST, .oif = 3,
				 .has_gw = true, .metric = 0 };
	inet_pton(AF_INET, "10.1.0.1", &rts[0].gw);
	rts[1] = (struct sw_rt){ .table = RT_TABLE_MAIN, .protocol = 16, .type = RTN_UNICAST,
				 .oif = 3, .has_gw = true, .metric = 10 };
	inet_pton(AF_INET, "10.1.0.9", &rts[1].gw);
	rts[2] = (struct sw_rt){ .table = RT_TABLE_MAIN, .protocol = SW_RTPROT,
				 .type = RTN_UNICAST, .oif = 3, .has_gw = true };
	inet_pton(AF_INET, "10.1.0.77", &rts[2].gw);   /* our own: never learnt from */
	assert_true(sw_failsafe_learn_gw(3, rts, 3, addrs, 0, &gw));
	assert_string_equal(inet_ntoa(gw), "10.1.0.9");
	assert_true(sw_failsafe_learn_gw(3, rts, 1, addrs, 0, &gw));
	assert_string_equal(inet_ntoa(gw), "10.1.0.1");
	/* no route: the other end of a /30 or /31 */
	addrs[0] = (struct sw_addr4){ .ifindex = 4, .prefixlen = 30 };
	inet_pton(AF_INET, "10.2.0.2", &addrs[0].addr);
	assert_true(sw_failsafe_learn_gw(4, rts, 3, addrs, 1, &gw));
	assert_string_equal(inet_ntoa(gw), "10.2.0.1");
	addrs[0].prefixlen = 31;
	assert_true(sw_failsafe_learn_gw(4, rts, 3, addrs, 1, &gw));
	assert_string_equal(inet_ntoa(gw), "10.2.0.3");
	addrs[0].prefixlen = 24;
	assert_false(sw_failsafe_learn_gw(4, rts, 3, addrs, 1, &gw));
}

static void test_alert_texts(void **state)
{
	char *body = sw_alert_body("rv-router", "held_down", "autonomyd \"hung\"", 1800000000);
	json_object *o = json_tokener_parse(body), *v;
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "text", &v));
	assert_string_equal(json_object_get_string(v), "EMERGENCY on rv-router: autonomyd \"hung\"");
	assert_true(json_object_object_get_ex(o, "event", &v));
	assert_string_equal(json_object_get_string(v), "held_down");
	json_object_put(o);
	char *cfg = sw_alert_curl_config("https://ntfy.example/t?a=\"b\"", "{\"x\":\"a\\nb\"}\n");
	assert_non_null(strstr(cfg, "url = \"https://ntfy.example/t?a=\\\"b\\\"\"\n"));
	assert_non_null(strstr(cfg, "data-binary = \"{\\\"x\\\":\\\"a\\\\nb\\\"}\\n\"\n"));
	assert_non_null(strstr(cfg, "fail\n"));
	free(cfg);
	free(body);
}

static uint64_t fake_now;
static uint64_t fake_clock(void) { return fake_now; }
static int fired[3];
static void fire(void *arg) { fired[(intptr_t)arg]++; }

static void test_loop_timers(void **state)
{
	struct sw_loop l;
	struct sw_timer t[3];
	sw_loop_init(&l);
	l.now = fake_clock;
	fake_now = 1000;
	memset(fired, 0, sizeof(fired));
	for (intptr_t i = 0; i < 3; i++)
		assert_int_equal(sw_timer_register(&l, &t[i], fire, (void *)i), 0);
	sw_timer_in(&l, &t[0], 0);
	sw_timer_in(&l, &t[1], 50);
	sw_loop_once(&l, 0);
	assert_int_equal(fired[0], 1);
	assert_int_equal(fired[1], 0);
	fake_now = 1049;
	sw_loop_once(&l, 0);
	assert_int_equal(fired[1], 0);
	fake_now = 1050;
	sw_loop_once(&l, 0);
	assert_int_equal(fired[1], 1);
	sw_timer_in(&l, &t[2], 10);
	sw_timer_cancel(&t[2]);
	fake_now = 2000;
	sw_loop_once(&l, 0);
	assert_int_equal(fired[2], 0);
	assert_int_equal(fired[0], 1);  /* one-shot */
}

struct proc_result {
	int calls, status;
	bool timed_out;
	char out[SW_PROC_OUT_MAX + 1];
};

static void on_proc(void *arg, int status, bool timed_out, const char *out)
{
	struct proc_result *r = arg;
	r->calls++;
	r->status = status;
	r->timed_out = timed_out;
	snprintf(r->out, sizeof(r->out), "%s", out);
}

/* Runs the loop until the child's callback came (reaping as SIGCHLD would). */
static void run_child(struct sw_loop *l, struct sw_procs *ps, struct proc_result *r)
{
	uint64_t end = clock_mono_ms() + 20000;
	while (!r->calls && clock_mono_ms() < end) {
		sw_loop_once(l, 20);
		sw_procs_reap(ps);
	}
	assert_int_equal(r->calls, 1);
}

static void test_proc(void **state)
{
	struct sw_loop l;
	struct sw_procs ps;
	sw_loop_init(&l);
	sw_procs_init(&ps, &l);
	struct proc_result r = { 0 };
	char *cat[] = { "cat", NULL };
	assert_true(sw_proc_spawn(&ps, cat, "hello from stdin", 10000, on_proc, &r) > 0);
	run_child(&l, &ps, &r);
	assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
	assert_string_equal(r.out, "hello from stdin");
	memset(&r, 0, sizeof(r));
	char *missing[] = { "/nonexistent/program", NULL };
	assert_true(sw_proc_spawn(&ps, missing, NULL, 10000, on_proc, &r) > 0);
	run_child(&l, &ps, &r);
	assert_int_equal(WEXITSTATUS(r.status), 127);
	assert_non_null(strstr(r.out, "No such file"));
	/* the deadline kills the whole group, grandchildren too */
	memset(&r, 0, sizeof(r));
	char *sh[] = { "sh", "-c", "sleep 30 & sleep 30", NULL };
	assert_true(sw_proc_spawn(&ps, sh, NULL, 100, on_proc, &r) > 0);
	run_child(&l, &ps, &r);
	assert_true(r.timed_out);
	assert_int_equal(sw_procs_running(&ps), 0);
	char how[48];
	assert_string_equal(sw_proc_status_text(r.status, true, how, sizeof(how)),
			    "timed out (killed)");
	char found[256];
	assert_true(sw_proc_find("sh", found, sizeof(found)));
	assert_false(sw_proc_find("no-such-program-here", found, sizeof(found)));
}

static const char *write_conf(const char *text)
{
	static char p[64];
	snprintf(p, sizeof(p), "/tmp/sw-cfg-%d.conf", (int)getpid());
	FILE *f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
	return p;
}

static void test_cfg(void **state)
{
	struct sw_cfg c;
	struct cfg_diags dg = { 0 };
	const char *p = write_conf(
		"config autonomy 'main'\n\toption control_socket '/tmp/x/a.sock'\n"
		"config autonomy 'starwatch'\n\toption check_interval '2'\n"
		"\toption hang_timeout '8'\n\toption restart_command '/bin/true now'\n"
		"\tlist escalation 'restart_daemon'\n\tlist escalation 'reboot'\n"
		"\toption max_reboots_per_day '2'\n\toption failsafe_route '1'\n"
		"config member 'b'\n\toption device 'eth2'\n\toption priority '2'\n"
		"\tlist target '198.51.100.7'\n"
		"config member 'a'\n\toption device 'eth1'\n\toption priority '1'\n"
		"\toption gateway '10.0.0.1'\n\tlist target 'tcp:203.0.113.9:443'\n"
		"\tlist target '2001:db8::1'\n");
	assert_int_equal(sw_cfg_load(p, &c, &dg), 0);
	assert_int_equal(c.watch.check_ms, 2000);
	assert_int_equal(c.watch.hang_ms, 8000);
	assert_string_equal(c.restart_argv[0], "/bin/true");
	assert_string_equal(c.restart_argv[1], "now");
	assert_null(c.restart_argv[2]);
	assert_string_equal(c.restart_how, "configured");
	assert_int_equal(c.watch.n_ladder, 2);
	assert_int_equal(c.watch.ladder[1], SW_STEP_REBOOT);
	assert_string_equal(c.status_file, "/tmp/x/starwatch.json");
	assert_true(c.failsafe);
	assert_int_equal(c.n_members, 2);   /* by priority */
	assert_string_equal(c.members[0].name, "a");
	assert_true(c.members[0].has_gw);
	assert_string_equal(c.members[1].dev, "eth2");
	assert_int_equal(c.n_targets, 2);   /* IPv4 addresses of any target kind */
	assert_string_equal(inet_ntoa(c.targets[0]), "203.0.113.9");
	sw_cfg_free(&c);
	cfg_diags_free(&dg);
	/* defaults: direct restart with this file, fail-safe off without routing */
	memset(&dg, 0, sizeof(dg));
	p = write_conf("config autonomy 'main'\n\toption backend 'none'\n");
	assert_int_equal(sw_cfg_load(p, &c, &dg), 0);
	assert_int_equal(c.watch.check_ms, 10000);
	assert_int_equal(c.watch.hang_ms, 30000);
	assert_int_equal(c.watch.max_restarts, 5);
	assert_int_equal(c.watch.window_ms, 1800000);
	assert_false(c.failsafe);
	assert_string_equal(c.restart_argv[1], "-c");
	assert_string_equal(c.restart_argv[2], p);
	assert_string_equal(c.pid_file, "/var/run/starwatch.pid");
	assert_string_equal(c.log_file, "/var/log/starwatch.log");
	assert_int_equal(c.n_targets, 3);   /* built-in */
	sw_cfg_free(&c);
	cfg_diags_free(&dg);
	/* errors the schema catches */
	memset(&dg, 0, sizeof(dg));
	p = write_conf("config autonomy 'starwatch'\n\tlist escalation 'restart_daemon'\n"
		       "\tlist escalation 'reboto'\n\toption check_interval '60'\n"
		       "\toption hang_timeout '30'\n\toption alert_url 'ftp://x'\n");
	assert_int_equal(sw_cfg_load(p, &c, &dg), -1);
	assert_int_equal(dg.n_errors, 3);
	bool step = false, order = false, url = false;
	for (size_t i = 0; i < dg.n; i++) {
		step |= strstr(dg.v[i].msg, "'reboto' is not a step") != NULL;
		order |= strstr(dg.v[i].msg, "check_interval (60) must not be greater") != NULL;
		url |= strstr(dg.v[i].msg, "alert_url: value is not") != NULL;
	}
	assert_true(step && order && url);
	cfg_diags_free(&dg);
	unlink(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query_reply),
		cmocka_unit_test(test_ping_reply_matching),
		cmocka_unit_test(test_nl_parse_route),
		cmocka_unit_test(test_nl_walk),
		cmocka_unit_test(test_learn_gateway),
		cmocka_unit_test(test_alert_texts),
		cmocka_unit_test(test_loop_timers),
		cmocka_unit_test(test_proc),
		cmocka_unit_test(test_cfg),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
