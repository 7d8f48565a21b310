/* Unit tests for sticky flows: the mark mask option, the nftables rules as
 * libnftnl prints them (what sync compares with the kernel's), and the
 * fallback when nftables refuses (test_route.c has the conntrack side: marks,
 * attribution to a member, the mark-filtered dump): a child without
 * CAP_NET_ADMIN gets exactly what a kernel without nf_tables gives (an
 * error from nfnetlink), through the real backend. */
#include "config/config.h"
#include "route/route_int.h"
#include "route/route_nft.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <linux/capability.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libnftnl/rule.h>

#define MASK 0x3f000000u

/* ---- the option ------------------------------------------------------------ */

static void test_mark_mask_option(void **state)
{
	uint32_t m = 0;
	assert_true(cfg_mark_mask_parse("0x3f000000", &m));
	assert_int_equal(m, MASK);
	assert_true(cfg_mark_mask_parse("255", &m));
	assert_int_equal(m, 0xff);
	assert_true(cfg_mark_mask_parse("0x80000000", &m));
	static const char *const bad[] = {
		"", "0", "0x0", "0x3f00f000", "0x5", "-1", "+8", "0x100000000", "0x3f000000 ",
		"abc", "0xff0000zz",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (cfg_mark_mask_parse(bad[i], &m))
			fail_msg("accepted \"%s\"", bad[i]);
	const char *conf = "config autonomy 'main'\n\toption flow_mark_mask '0xf0f0'\n";
	struct cfg_diags d = { 0 };
	struct config *cfg = config_load_buf("t.conf", conf, strlen(conf), &d);
	assert_null(cfg);
	assert_true(d.n >= 1);
	assert_non_null(strstr(d.v[0].msg, "main.flow_mark_mask: '0xf0f0' must be one run of contiguous bits"));
	cfg_diags_free(&d);
}

/* ---- the rules --------------------------------------------------------------- */

static void test_nft_rules(void **state)
{
	struct route_nft_member m[2] = { { "wan", 0x01000000 }, { "wwan0", 0x02000000 } };
	struct nftnl_rule *r[8];
	char text[1024];
	/* prerouting: unmarked packets leave at the first rule; then a restore
	 * per member */
	assert_int_equal(route_nft_rules("autonomy", MASK, m, 2, 0, r, 8), 3);
	route_nft_rule_text(r[0], text, sizeof(text));
	assert_string_equal(text,
		"inet autonomy prerouting\n"
		"  [ ct load mark => reg 1 ]\n"
		"  [ bitwise reg 1 = ( reg 1 & 0x3f000000 ) ^ 0x00000000 ]\n"
		"  [ cmp eq reg 1 0x00000000 ]\n"
		"  [ immediate reg 0 accept ]\n");
	route_nft_rule_text(r[2], text, sizeof(text));
	assert_string_equal(text,
		"inet autonomy prerouting\n"
		"  [ ct load mark => reg 1 ]\n"
		"  [ bitwise reg 1 = ( reg 1 & 0x3f000000 ) ^ 0x00000000 ]\n"
		"  [ cmp eq reg 1 0x02000000 ]\n"
		"  [ meta load mark => reg 1 ]\n"
		"  [ bitwise reg 1 = ( reg 1 & 0xc0ffffff ) ^ 0x02000000 ]\n"
		"  [ meta set mark with reg 1 ]\n"
		"  [ immediate reg 0 accept ]\n");
	for (int i = 0; i < 3; i++)
		nftnl_rule_free(r[i]);
	/* forward: marked packets leave at once; new flows are marked by their
	 * output interface, or their input interface (port forwards) */
	assert_int_equal(route_nft_rules("autonomy", MASK, m, 2, 1, r, 8), 5);
	route_nft_rule_text(r[0], text, sizeof(text));
	assert_non_null(strstr(text, "[ cmp neq reg 1 0x00000000 ]\n  [ immediate reg 0 accept ]"));
	/* libnftnl prints the name as 32-bit words in host order */
	uint32_t w[4] = { 0 };
	char want[1024];
	memcpy(w, "wwan0", 5);
	snprintf(want, sizeof(want),
		"inet autonomy forward\n"
		"  [ ct load direction => reg 1 ]\n"
		"  [ cmp eq reg 1 0x00000000 ]\n"
		"  [ meta load iifname => reg 1 ]\n"
		"  [ cmp eq reg 1 0x%08x 0x%08x 0x00000000 0x00000000 ]\n"
		"  [ ct load mark => reg 1 ]\n"
		"  [ bitwise reg 1 = ( reg 1 & 0xc0ffffff ) ^ 0x02000000 ]\n"
		"  [ ct set mark with reg 1 ]\n"
		"  [ immediate reg 0 accept ]\n", w[0], w[1]);
	route_nft_rule_text(r[4], text, sizeof(text));
	assert_string_equal(text, want);
	route_nft_rule_text(r[1], text, sizeof(text));
	assert_non_null(strstr(text, "[ meta load oifname => reg 1 ]"));
	for (int i = 0; i < 5; i++)
		nftnl_rule_free(r[i]);
	/* no room: refused, nothing leaked; no members: no rules */
	assert_int_equal(route_nft_rules("autonomy", MASK, m, 2, 1, r, 4), -1);
	assert_int_equal(route_nft_rules("autonomy", MASK, m, 0, 1, r, 0), 0);
}

/* ---- without nftables ------------------------------------------------------------- */

static int drop_net_admin(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d) < 0)
		return -1;
	d[CAP_NET_ADMIN / 32].effective &= ~(1u << (CAP_NET_ADMIN % 32));
	d[CAP_NET_ADMIN / 32].permitted &= ~(1u << (CAP_NET_ADMIN % 32));
	return (int)syscall(SYS_capset, &h, d);
}

/* In the child: 0 when the backend fell back as documented. */
static int fallback_child(void)
{
	struct route_params p = { .flow_mask = MASK, .verify_interval_s = -1 };
	struct route_member m = { .name = "lo", .device = "lo", .table = 201 };
	if (drop_net_admin() < 0)
		return 10;
	struct route_backend *rb = route_new(ROUTE_KIND_NONE, NULL, &p);
	if (!rb)    /* qemu-user (the cross-architecture runs): no faithful netlink */
		return errno == EOPNOTSUPP || errno == EPROTONOSUPPORT ? 77 : 11;
	route_set_members(rb, &m, 1);
	json_object *st = route_status_json(rb), *f = NULL, *w = NULL;
	json_object_object_get_ex(st, "flows", &f);
	json_object_object_get_ex(st, "warnings", &w);
	const char *text = json_object_to_json_string(st);
	int rc = 0;
	if (route_flows_sticky(rb) || route_flows_mask(rb) || rb->ms[0].m.fwmark)
		rc = 12;        /* nothing may be marked */
	else if (!f || !strstr(json_object_to_json_string(f), "needs CAP_NET_ADMIN"))
		rc = 13;        /* the status says why */
	else if (!w || !strstr(json_object_to_json_string(w), "sticky flows unavailable"))
		rc = 14;
	if (rc)
		fprintf(stderr, "status: %s\n", text);
	json_object_put(st);
	route_free(rb, ROUTE_KEEP);
	return rc;
}

static void test_fallback_without_nftables(void **state)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(fallback_child());
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77) {
		print_message("netlink refused as unsupported (qemu-user): skipped\n");
		skip();
	}
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mark_mask_option),
		cmocka_unit_test(test_nft_rules),
		cmocka_unit_test(test_fallback_without_nftables),
	};
	return cmocka_run_group_tests_name("route_flows", tests, NULL, NULL);
}
