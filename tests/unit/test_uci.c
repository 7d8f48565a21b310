/* Unit tests for config/uci: the UCI reader must give the structure OpenWrt's
 * libuci gives (`uci show`), down to its quirks and error wording. The fixture
 * tables below were written from the files in tests/data/uci (drafted with an
 * independent shlex-based reader, then checked against the files by eye). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/uci.h"

#define UCI_DATA TEST_DATA "/uci/"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define O 0                     /* `option` */
#define L 1                     /* `list` */
#define MAXV 12

/* Expected sections, in order; NULL name = anonymous. */
struct xsec {
	const char *type;
	const char *name;
};

/* Expected options, section by section and in each section's order; values
 * end at the first NULL. */
struct xopt {
	size_t sec;
	int is_list;
	const char *name;
	const char *v[MAXV];
};

/* --- helpers ---------------------------------------------------------------- */

static void check_option(const struct uci_option *o, const struct xopt *x)
{
	size_t n = 0;

	while (n < MAXV && x->v[n])
		n++;
	assert_string_equal(o->name, x->name);
	assert_int_equal(o->is_list, x->is_list);
	assert_int_equal(o->n_values, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(o->values[i], x->v[i]);
}

static void check_package(const struct uci_package *pkg, const struct xsec *xs,
			  size_t nxs, const struct xopt *xo, size_t nxo)
{
	size_t k = 0;

	assert_int_equal(pkg->n_secs, nxs);
	for (size_t i = 0; i < nxs; i++) {
		const struct uci_section *s = &pkg->secs[i];

		assert_string_equal(s->type, xs[i].type);
		if (xs[i].name)
			assert_string_equal(s->name ? s->name : "(anonymous)", xs[i].name);
		else
			assert_null(s->name);
		for (size_t j = 0; j < s->n_opts; j++, k++) {
			assert_true(k < nxo);
			assert_int_equal(xo[k].sec, i);
			check_option(&s->opts[j], &xo[k]);
		}
	}
	assert_int_equal(k, nxo);
}

static void check_file(const char *file, const struct xsec *xs, size_t nxs,
		       const struct xopt *xo, size_t nxo)
{
	struct uci_package pkg;
	struct uci_error err;
	char path[512];

	snprintf(path, sizeof(path), UCI_DATA "%s", file);
	if (uci_parse_file(path, &pkg, &err) != 0)
		fail_msg("%s:%d: %s", path, err.line, err.msg);
	assert_null(pkg.name);
	check_package(&pkg, xs, nxs, xo, nxo);
	uci_package_free(&pkg);
}

static void parse_ok(const char *text, struct uci_package *pkg)
{
	struct uci_error err;

	if (uci_parse(text, strlen(text), pkg, &err) != 0)
		fail_msg("line %d: %s", err.line, err.msg);
}

static void check_text(const char *text, const struct xsec *xs, size_t nxs,
		       const struct xopt *xo, size_t nxo)
{
	struct uci_package pkg;

	parse_ok(text, &pkg);
	check_package(&pkg, xs, nxs, xo, nxo);
	uci_package_free(&pkg);
}

static void expect_error_n(const char *buf, size_t len, int line, const char *msg)
{
	struct uci_package pkg;
	struct uci_error err;

	memset(&pkg, 0x5a, sizeof(pkg));
	assert_int_equal(uci_parse(buf, len, &pkg, &err), -1);
	assert_string_equal(err.msg, msg);
	assert_int_equal(err.line, line);
	/* nothing is left behind on error */
	assert_null(pkg.name);
	assert_null(pkg.secs);
	assert_int_equal(pkg.n_secs, 0);
}

static void expect_error(const char *text, int line, const char *msg)
{
	expect_error_n(text, strlen(text), line, msg);
}

/* --- fixture tables ---------------------------------------------------------- */

static const struct xsec firewall_firewall4_default_secs[] = {
	{ "defaults", NULL },
	{ "zone", NULL },
	{ "zone", NULL },
	{ "forwarding", NULL },
	{ "rule", NULL },
	{ "rule", NULL },
	{ "rule", NULL },
	{ "rule", NULL },
	{ "rule", NULL },
	{ "rule", NULL },
	{ "rule", NULL },
	{ "rule", NULL },
	{ "rule", NULL },
};
static const struct xopt firewall_firewall4_default_opts[] = {
	{ 0, O, "syn_flood", { "1" } },
	{ 0, O, "input", { "REJECT" } },
	{ 0, O, "output", { "ACCEPT" } },
	{ 0, O, "forward", { "REJECT" } },
	{ 1, O, "name", { "lan" } },
	{ 1, L, "network", { "lan" } },
	{ 1, O, "input", { "ACCEPT" } },
	{ 1, O, "output", { "ACCEPT" } },
	{ 1, O, "forward", { "ACCEPT" } },
	{ 2, O, "name", { "wan" } },
	{ 2, L, "network", { "wan", "wan6" } },
	{ 2, O, "input", { "REJECT" } },
	{ 2, O, "output", { "ACCEPT" } },
	{ 2, O, "forward", { "DROP" } },
	{ 2, O, "masq", { "1" } },
	{ 2, O, "mtu_fix", { "1" } },
	{ 3, O, "src", { "lan" } },
	{ 3, O, "dest", { "wan" } },
	{ 4, O, "name", { "Allow-DHCP-Renew" } },
	{ 4, O, "src", { "wan" } },
	{ 4, O, "proto", { "udp" } },
	{ 4, O, "dest_port", { "68" } },
	{ 4, O, "target", { "ACCEPT" } },
	{ 4, O, "family", { "ipv4" } },
	{ 5, O, "name", { "Allow-Ping" } },
	{ 5, O, "src", { "wan" } },
	{ 5, O, "proto", { "icmp" } },
	{ 5, O, "icmp_type", { "echo-request" } },
	{ 5, O, "family", { "ipv4" } },
	{ 5, O, "target", { "ACCEPT" } },
	{ 6, O, "name", { "Allow-IGMP" } },
	{ 6, O, "src", { "wan" } },
	{ 6, O, "proto", { "igmp" } },
	{ 6, O, "family", { "ipv4" } },
	{ 6, O, "target", { "ACCEPT" } },
	{ 7, O, "name", { "Allow-DHCPv6" } },
	{ 7, O, "src", { "wan" } },
	{ 7, O, "proto", { "udp" } },
	{ 7, O, "dest_port", { "546" } },
	{ 7, O, "family", { "ipv6" } },
	{ 7, O, "target", { "ACCEPT" } },
	{ 8, O, "name", { "Allow-MLD" } },
	{ 8, O, "src", { "wan" } },
	{ 8, O, "proto", { "icmp" } },
	{ 8, O, "src_ip", { "fe80::/10" } },
	{ 8, L, "icmp_type", { "130/0", "131/0", "132/0", "143/0" } },
	{ 8, O, "family", { "ipv6" } },
	{ 8, O, "target", { "ACCEPT" } },
	{ 9, O, "name", { "Allow-ICMPv6-Input" } },
	{ 9, O, "src", { "wan" } },
	{ 9, O, "proto", { "icmp" } },
	{ 9, L, "icmp_type", { "echo-request", "echo-reply", "destination-unreachable", "packet-too-big", "time-exceeded", "bad-header", "unknown-header-type", "router-solicitation", "neighbour-solicitation", "router-advertisement", "neighbour-advertisement" } },
	{ 9, O, "limit", { "1000/sec" } },
	{ 9, O, "family", { "ipv6" } },
	{ 9, O, "target", { "ACCEPT" } },
	{ 10, O, "name", { "Allow-ICMPv6-Forward" } },
	{ 10, O, "src", { "wan" } },
	{ 10, O, "dest", { "*" } },
	{ 10, O, "proto", { "icmp" } },
	{ 10, L, "icmp_type", { "echo-request", "echo-reply", "destination-unreachable", "packet-too-big", "time-exceeded", "bad-header", "unknown-header-type" } },
	{ 10, O, "limit", { "1000/sec" } },
	{ 10, O, "family", { "ipv6" } },
	{ 10, O, "target", { "ACCEPT" } },
	{ 11, O, "name", { "Allow-IPSec-ESP" } },
	{ 11, O, "src", { "wan" } },
	{ 11, O, "dest", { "lan" } },
	{ 11, O, "proto", { "esp" } },
	{ 11, O, "target", { "ACCEPT" } },
	{ 12, O, "name", { "Allow-ISAKMP" } },
	{ 12, O, "src", { "wan" } },
	{ 12, O, "dest", { "lan" } },
	{ 12, O, "dest_port", { "500" } },
	{ 12, O, "proto", { "udp" } },
	{ 12, O, "target", { "ACCEPT" } },
};

static const struct xsec mwan3_glinet_wan_wwan_tethering_modem_secs[] = {
	{ "interface", "wan" },
	{ "interface", "wwan" },
	{ "interface", "tethering" },
	{ "interface", "modem" },
	{ "member", "wan_only" },
	{ "member", "wwan_only" },
	{ "member", "tethering_only" },
	{ "member", "modem_only" },
	{ "policy", "default" },
	{ "rule", "default_rule" },
};
static const struct xopt mwan3_glinet_wan_wwan_tethering_modem_opts[] = {
	{ 0, O, "enabled", { "1" } },
	{ 0, L, "track_ip", { "208.67.222.222", "208.67.220.220", "8.8.4.4", "8.8.8.8" } },
	{ 0, O, "reliability", { "1" } },
	{ 0, O, "count", { "1" } },
	{ 0, O, "timeout", { "2" } },
	{ 0, O, "interval", { "5" } },
	{ 0, O, "down", { "5" } },
	{ 0, O, "up", { "3" } },
	{ 1, O, "enabled", { "1" } },
	{ 1, L, "track_ip", { "208.67.222.222", "208.67.220.220", "8.8.4.4", "8.8.8.8" } },
	{ 1, O, "reliability", { "1" } },
	{ 1, O, "count", { "1" } },
	{ 1, O, "timeout", { "2" } },
	{ 1, O, "interval", { "5" } },
	{ 1, O, "down", { "5" } },
	{ 1, O, "up", { "3" } },
	{ 2, O, "enabled", { "1" } },
	{ 2, L, "track_ip", { "208.67.222.222", "208.67.220.220", "8.8.4.4", "8.8.8.8" } },
	{ 2, O, "reliability", { "1" } },
	{ 2, O, "count", { "1" } },
	{ 2, O, "timeout", { "2" } },
	{ 2, O, "interval", { "5" } },
	{ 2, O, "down", { "5" } },
	{ 2, O, "up", { "3" } },
	{ 3, O, "enabled", { "1" } },
	{ 3, L, "track_ip", { "208.67.222.222", "208.67.220.220", "8.8.4.4", "8.8.8.8" } },
	{ 3, O, "reliability", { "1" } },
	{ 3, O, "count", { "1" } },
	{ 3, O, "timeout", { "2" } },
	{ 3, O, "interval", { "5" } },
	{ 3, O, "down", { "5" } },
	{ 3, O, "up", { "3" } },
	{ 4, O, "interface", { "wan" } },
	{ 4, O, "metric", { "1" } },
	{ 4, O, "weight", { "3" } },
	{ 5, O, "interface", { "wwan" } },
	{ 5, O, "metric", { "2" } },
	{ 5, O, "weight", { "3" } },
	{ 6, O, "interface", { "tethering" } },
	{ 6, O, "metric", { "3" } },
	{ 6, O, "weight", { "3" } },
	{ 7, O, "interface", { "modem" } },
	{ 7, O, "metric", { "4" } },
	{ 7, O, "weight", { "3" } },
	{ 8, L, "use_member", { "wan_only", "wwan_only", "tethering_only", "modem_only" } },
	{ 8, O, "last_resort", { "default" } },
	{ 9, O, "dest_ip", { "0.0.0.0/0" } },
	{ 9, O, "use_policy", { "default" } },
};

static const struct xsec mwan3_homelab_wan_wanb_v4v6_secs[] = {
	{ "globals", "globals" },
	{ "interface", "wan" },
	{ "member", "wan_m1_w3" },
	{ "member", "wan_m2_w3" },
	{ "member", "wanb_m1_w2" },
	{ "member", "wanb_m1_w3" },
	{ "member", "wanb_m2_w2" },
	{ "member", "wan6_m1_w3" },
	{ "member", "wan6_m2_w3" },
	{ "member", "wanb6_m1_w2" },
	{ "member", "wanb6_m1_w3" },
	{ "member", "wanb6_m2_w2" },
	{ "policy", "wan_only" },
	{ "policy", "wanb_only" },
	{ "policy", "balanced" },
	{ "policy", "wan_wanb" },
	{ "policy", "wanb_wan" },
	{ "rule", "https" },
	{ "rule", "default_rule_v4" },
	{ "rule", "default_rule_v6" },
};
static const struct xopt mwan3_homelab_wan_wanb_v4v6_opts[] = {
	{ 0, O, "mmx_mask", { "0x3F00" } },
	{ 1, O, "enabled", { "1" } },
	{ 1, L, "track_ip", { "1.0.0.1", "1.1.1.1", "208.67.222.222", "208.67.220.220" } },
	{ 1, O, "family", { "ipv4" } },
	{ 1, O, "reliability", { "2" } },
	{ 2, O, "interface", { "wan" } },
	{ 2, O, "metric", { "1" } },
	{ 2, O, "weight", { "3" } },
	{ 3, O, "interface", { "wan" } },
	{ 3, O, "metric", { "2" } },
	{ 3, O, "weight", { "3" } },
	{ 4, O, "interface", { "wanb" } },
	{ 4, O, "metric", { "1" } },
	{ 4, O, "weight", { "2" } },
	{ 5, O, "interface", { "wanb" } },
	{ 5, O, "metric", { "1" } },
	{ 5, O, "weight", { "3" } },
	{ 6, O, "interface", { "wanb" } },
	{ 6, O, "metric", { "2" } },
	{ 6, O, "weight", { "2" } },
	{ 7, O, "interface", { "wan6" } },
	{ 7, O, "metric", { "1" } },
	{ 7, O, "weight", { "3" } },
	{ 8, O, "interface", { "wan6" } },
	{ 8, O, "metric", { "2" } },
	{ 8, O, "weight", { "3" } },
	{ 9, O, "interface", { "wanb6" } },
	{ 9, O, "metric", { "1" } },
	{ 9, O, "weight", { "2" } },
	{ 10, O, "interface", { "wanb6" } },
	{ 10, O, "metric", { "1" } },
	{ 10, O, "weight", { "3" } },
	{ 11, O, "interface", { "wanb6" } },
	{ 11, O, "metric", { "2" } },
	{ 11, O, "weight", { "2" } },
	{ 12, L, "use_member", { "wan_m1_w3", "wan6_m1_w3" } },
	{ 13, L, "use_member", { "wanb_m1_w2", "wanb6_m1_w2" } },
	{ 14, L, "use_member", { "wan_m1_w3", "wanb_m1_w3", "wan6_m1_w3", "wanb6_m1_w3" } },
	{ 15, L, "use_member", { "wan_m1_w3", "wanb_m2_w2", "wan6_m1_w3", "wanb6_m2_w2" } },
	{ 16, L, "use_member", { "wan_m2_w3", "wanb_m1_w2", "wan6_m2_w3", "wanb6_m1_w2" } },
	{ 17, O, "sticky", { "1" } },
	{ 17, O, "dest_port", { "443" } },
	{ 17, O, "proto", { "tcp" } },
	{ 17, O, "use_policy", { "balanced" } },
	{ 18, O, "dest_ip", { "0.0.0.0/0" } },
	{ 18, O, "use_policy", { "balanced" } },
	{ 18, O, "family", { "ipv4" } },
	{ 19, O, "dest_ip", { "::/0" } },
	{ 19, O, "use_policy", { "balanced" } },
	{ 19, O, "family", { "ipv6" } },
};

static const struct xsec mwan3_openwrt_default_secs[] = {
	{ "rule", "https" },
	{ "rule", "default_rule" },
	{ "interface", "wan" },
	{ "policy", "balanced" },
	{ "member", "wan_m1_w1" },
};
static const struct xopt mwan3_openwrt_default_opts[] = {
	{ 0, O, "sticky", { "1" } },
	{ 0, O, "dest_port", { "443" } },
	{ 0, O, "proto", { "tcp" } },
	{ 0, O, "use_policy", { "balanced" } },
	{ 1, O, "dest_ip", { "0.0.0.0/0" } },
	{ 1, O, "use_policy", { "balanced" } },
	{ 2, O, "enabled", { "1" } },
	{ 2, O, "count", { "1" } },
	{ 2, O, "timeout", { "2" } },
	{ 2, O, "interval", { "5" } },
	{ 2, O, "down", { "3" } },
	{ 2, O, "up", { "8" } },
	{ 2, L, "track_ip", { "114.114.114.114", "114.114.115.115" } },
	{ 2, O, "reliability", { "1" } },
	{ 3, L, "use_member", { "wan_m1_w1" } },
	{ 3, O, "last_resort", { "default" } },
	{ 4, O, "interface", { "wan" } },
	{ 4, O, "metric", { "1" } },
	{ 4, O, "weight", { "1" } },
};

static const struct xsec mwan3_rutos_rutx09_gpl_default_secs[] = {
	{ "globals", "globals" },
	{ "interface", "wan" },
	{ "condition", NULL },
	{ "member", "wan_member_mwan" },
	{ "member", "wan_member_balance" },
	{ "policy", "mwan_default" },
	{ "policy", "balance_default" },
	{ "rule", "default_rule" },
};
static const struct xopt mwan3_rutos_rutx09_gpl_default_opts[] = {
	{ 0, O, "mmx_mask", { "0x3F00" } },
	{ 0, O, "rtmon_interval", { "5" } },
	{ 1, O, "enabled", { "0" } },
	{ 1, O, "interval", { "3" } },
	{ 1, O, "family", { "ipv4" } },
	{ 2, O, "interface", { "wan" } },
	{ 2, O, "track_method", { "ping" } },
	{ 2, L, "track_ip", { "1.1.1.1", "8.8.8.8" } },
	{ 2, O, "reliability", { "1" } },
	{ 2, O, "count", { "1" } },
	{ 2, O, "timeout", { "2" } },
	{ 2, O, "down", { "3" } },
	{ 2, O, "up", { "3" } },
	{ 3, O, "interface", { "wan" } },
	{ 3, O, "metric", { "1" } },
	{ 4, O, "interface", { "wan" } },
	{ 4, O, "weight", { "1" } },
	{ 5, L, "use_member", { "wan_member_mwan" } },
	{ 6, L, "use_member", { "wan_member_balance" } },
	{ 7, O, "dest_ip", { "0.0.0.0/0" } },
	{ 7, O, "use_policy", { "mwan_default" } },
	{ 7, O, "family", { "ipv4" } },
};

static const struct xsec mwan3_two_wan_rules_sticky_secs[] = {
	{ "globals", "globals" },
	{ "interface", "wan" },
	{ "member", "wan_m1_w3" },
	{ "member", "wan_m2_w3" },
	{ "member", "wanb_m1_w2" },
	{ "member", "wanb_m1_w3" },
	{ "member", "wanb_m2_w2" },
	{ "policy", "wan_only" },
	{ "policy", "wanb_only" },
	{ "policy", "balanced" },
	{ "policy", "wan_wanb" },
	{ "policy", "wanb_wan" },
	{ "rule", "Citi" },
	{ "rule", "Mega_DNS" },
	{ "rule", "DNS" },
	{ "rule", "Beryl" },
	{ "rule", "Glcloud" },
	{ "rule", "IOT" },
	{ "rule", "Normal" },
	{ "rule", "wgserver" },
	{ "rule", "papertrail" },
	{ "rule", "Mega" },
	{ "interface", "secondwan" },
	{ "member", "wan_bal" },
	{ "member", "wanb_bal" },
	{ "rule", "default_rule_v4" },
};
static const struct xopt mwan3_two_wan_rules_sticky_opts[] = {
	{ 0, O, "mmx_mask", { "0x3F00" } },
	{ 0, L, "rt_table_lookup", { "220" } },
	{ 0, O, "logging", { "1" } },
	{ 0, O, "loglevel", { "notice" } },
	{ 1, O, "family", { "ipv4" } },
	{ 1, O, "reliability", { "1" } },
	{ 1, O, "initial_state", { "online" } },
	{ 1, O, "track_method", { "ping" } },
	{ 1, O, "count", { "3" } },
	{ 1, O, "size", { "56" } },
	{ 1, O, "max_ttl", { "60" } },
	{ 1, O, "timeout", { "4" } },
	{ 1, O, "interval", { "3" } },
	{ 1, O, "failure_interval", { "5" } },
	{ 1, O, "recovery_interval", { "5" } },
	{ 1, O, "down", { "5" } },
	{ 1, O, "up", { "5" } },
	{ 1, O, "enabled", { "1" } },
	{ 1, O, "keep_failure_interval", { "1" } },
	{ 1, L, "track_ip", { "8.8.8.8", "1.1.1.1" } },
	{ 2, O, "interface", { "wan" } },
	{ 2, O, "metric", { "1" } },
	{ 2, O, "weight", { "3" } },
	{ 3, O, "interface", { "wan" } },
	{ 3, O, "metric", { "2" } },
	{ 3, O, "weight", { "3" } },
	{ 4, O, "interface", { "secondwan" } },
	{ 4, O, "metric", { "1" } },
	{ 4, O, "weight", { "2" } },
	{ 5, O, "interface", { "secondwan" } },
	{ 5, O, "metric", { "1" } },
	{ 5, O, "weight", { "3" } },
	{ 6, O, "interface", { "secondwan" } },
	{ 6, O, "metric", { "2" } },
	{ 6, O, "weight", { "2" } },
	{ 7, L, "use_member", { "wan_m1_w3" } },
	{ 8, L, "use_member", { "wanb_m1_w2" } },
	{ 9, L, "use_member", { "wan_bal", "wanb_bal" } },
	{ 10, L, "use_member", { "wan_m1_w3", "wanb_m2_w2" } },
	{ 11, L, "use_member", { "wan_m2_w3", "wanb_m1_w2" } },
	{ 12, O, "family", { "ipv4" } },
	{ 12, O, "proto", { "all" } },
	{ 12, O, "src_ip", { "0.0.0.0/0" } },
	{ 12, O, "dest_ip", { "192.193.0.0/16" } },
	{ 12, O, "sticky", { "1" } },
	{ 12, O, "timeout", { "600" } },
	{ 12, O, "use_policy", { "balanced" } },
	{ 13, O, "family", { "ipv4" } },
	{ 13, O, "proto", { "all" } },
	{ 13, O, "dest_ip", { "8.8.4.4" } },
	{ 13, O, "sticky", { "0" } },
	{ 13, O, "use_policy", { "wanb_only" } },
	{ 14, O, "family", { "ipv4" } },
	{ 14, O, "proto", { "all" } },
	{ 14, O, "sticky", { "0" } },
	{ 14, O, "ipset", { "dns_servers" } },
	{ 14, O, "use_policy", { "wan_wanb" } },
	{ 15, O, "proto", { "all" } },
	{ 15, O, "src_ip", { "192.168.10.2" } },
	{ 15, O, "sticky", { "0" } },
	{ 15, O, "use_policy", { "wanb_wan" } },
	{ 15, O, "family", { "ipv4" } },
	{ 16, O, "family", { "ipv4" } },
	{ 16, O, "proto", { "all" } },
	{ 16, O, "sticky", { "0" } },
	{ 16, O, "ipset", { "glcloud" } },
	{ 16, O, "use_policy", { "wanb_wan" } },
	{ 17, O, "family", { "ipv4" } },
	{ 17, O, "proto", { "all" } },
	{ 17, O, "src_ip", { "192.168.8.0/24" } },
	{ 17, O, "dest_ip", { "0.0.0.0/0" } },
	{ 17, O, "sticky", { "1" } },
	{ 17, O, "use_policy", { "wanb_wan" } },
	{ 17, O, "timeout", { "600" } },
	{ 18, O, "proto", { "all" } },
	{ 18, O, "src_ip", { "192.168.10.0/24" } },
	{ 18, O, "dest_ip", { "0.0.0.0/0" } },
	{ 18, O, "sticky", { "1" } },
	{ 18, O, "use_policy", { "balanced" } },
	{ 18, O, "timeout", { "600" } },
	{ 18, O, "family", { "ipv4" } },
	{ 19, O, "family", { "ipv4" } },
	{ 19, O, "proto", { "all" } },
	{ 19, O, "src_ip", { "10.0.0.0/24" } },
	{ 19, O, "dest_ip", { "0.0.0.0/0" } },
	{ 19, O, "sticky", { "0" } },
	{ 19, O, "use_policy", { "wan_wanb" } },
	{ 20, O, "family", { "ipv4" } },
	{ 20, O, "proto", { "udp" } },
	{ 20, O, "sticky", { "1" } },
	{ 20, O, "use_policy", { "wanb_wan" } },
	{ 20, O, "src_ip", { "0.0.0.0/0" } },
	{ 20, O, "dest_ip", { "0.0.0.0/0" } },
	{ 20, O, "dest_port", { "52356" } },
	{ 21, O, "proto", { "all" } },
	{ 21, O, "src_ip", { "192.168.100.0/24" } },
	{ 21, O, "dest_ip", { "0.0.0.0/0" } },
	{ 21, O, "sticky", { "0" } },
	{ 21, O, "use_policy", { "wanb_only" } },
	{ 21, O, "family", { "ipv4" } },
	{ 22, O, "initial_state", { "online" } },
	{ 22, O, "family", { "ipv4" } },
	{ 22, O, "track_method", { "ping" } },
	{ 22, O, "reliability", { "1" } },
	{ 22, O, "count", { "3" } },
	{ 22, O, "size", { "56" } },
	{ 22, O, "max_ttl", { "60" } },
	{ 22, O, "timeout", { "4" } },
	{ 22, O, "interval", { "3" } },
	{ 22, O, "failure_interval", { "5" } },
	{ 22, O, "recovery_interval", { "5" } },
	{ 22, O, "down", { "5" } },
	{ 22, O, "up", { "5" } },
	{ 22, O, "enabled", { "1" } },
	{ 22, O, "keep_failure_interval", { "1" } },
	{ 22, L, "track_ip", { "8.8.4.4", "1.0.0.1" } },
	{ 23, O, "interface", { "wan" } },
	{ 23, O, "metric", { "1" } },
	{ 23, O, "weight", { "25" } },
	{ 24, O, "interface", { "secondwan" } },
	{ 24, O, "metric", { "1" } },
	{ 24, O, "weight", { "11" } },
	{ 25, O, "dest_ip", { "0.0.0.0/0" } },
	{ 25, O, "use_policy", { "balanced" } },
	{ 25, O, "family", { "ipv4" } },
	{ 25, O, "proto", { "all" } },
	{ 25, O, "sticky", { "1" } },
	{ 25, O, "src_ip", { "0.0.0.0/0" } },
	{ 25, O, "timeout", { "3600" } },
};

static const struct xsec mwan3_usb_tether_5x_httping_secs[] = {
	{ "globals", "globals" },
	{ "rule", "default_rule_v4" },
	{ "interface", "tether0" },
	{ "interface", "tether1" },
	{ "member", "tether0_m1_w2" },
	{ "member", "tether1_m1_w2" },
	{ "policy", "tether_lb" },
	{ "interface", "tether2" },
	{ "member", "tether2_m1_w2" },
	{ "interface", "tether3" },
	{ "member", "tether3_m1_w2" },
	{ "interface", "tether4" },
	{ "member", "tether4_m1_w2" },
};
static const struct xopt mwan3_usb_tether_5x_httping_opts[] = {
	{ 0, O, "mmx_mask", { "0x3F00" } },
	{ 0, L, "rt_table_lookup", { "220" } },
	{ 1, O, "dest_ip", { "0.0.0.0/0" } },
	{ 1, O, "family", { "ipv4" } },
	{ 1, O, "proto", { "all" } },
	{ 1, O, "sticky", { "0" } },
	{ 1, O, "use_policy", { "tether_lb" } },
	{ 2, O, "enabled", { "1" } },
	{ 2, O, "initial_state", { "online" } },
	{ 2, O, "family", { "ipv4" } },
	{ 2, O, "track_method", { "httping" } },
	{ 2, O, "reliability", { "1" } },
	{ 2, O, "count", { "1" } },
	{ 2, O, "recovery_interval", { "5" } },
	{ 2, O, "up", { "3" } },
	{ 2, O, "down", { "1" } },
	{ 2, O, "timeout", { "1" } },
	{ 2, O, "interval", { "3" } },
	{ 2, O, "failure_interval", { "3" } },
	{ 2, L, "flush_conntrack", { "disconnected", "connected", "ifup", "ifdown" } },
	{ 2, O, "httping_ssl", { "1" } },
	{ 2, L, "track_ip", { "8.8.8.8", "cloudflarestatus.com" } },
	{ 3, O, "enabled", { "1" } },
	{ 3, O, "initial_state", { "online" } },
	{ 3, O, "family", { "ipv4" } },
	{ 3, O, "track_method", { "httping" } },
	{ 3, O, "reliability", { "1" } },
	{ 3, O, "count", { "1" } },
	{ 3, O, "recovery_interval", { "5" } },
	{ 3, O, "down", { "1" } },
	{ 3, O, "up", { "3" } },
	{ 3, O, "timeout", { "1" } },
	{ 3, O, "interval", { "3" } },
	{ 3, O, "failure_interval", { "3" } },
	{ 3, L, "flush_conntrack", { "connected", "disconnected", "ifup", "ifdown" } },
	{ 3, L, "track_ip", { "8.8.8.8", "cloudflarestatus.com" } },
	{ 3, O, "httping_ssl", { "1" } },
	{ 4, O, "interface", { "tether0" } },
	{ 4, O, "metric", { "1" } },
	{ 4, O, "weight", { "2" } },
	{ 5, O, "interface", { "tether1" } },
	{ 5, O, "metric", { "1" } },
	{ 5, O, "weight", { "2" } },
	{ 6, O, "last_resort", { "unreachable" } },
	{ 6, L, "use_member", { "tether0_m1_w2", "tether1_m1_w2", "tether2_m1_w2", "tether3_m1_w2", "tether4_m1_w2" } },
	{ 7, O, "enabled", { "1" } },
	{ 7, O, "initial_state", { "online" } },
	{ 7, O, "family", { "ipv4" } },
	{ 7, O, "track_method", { "httping" } },
	{ 7, O, "reliability", { "1" } },
	{ 7, O, "count", { "1" } },
	{ 7, O, "recovery_interval", { "5" } },
	{ 7, O, "down", { "1" } },
	{ 7, O, "up", { "3" } },
	{ 7, L, "flush_conntrack", { "connected", "disconnected", "ifup", "ifdown" } },
	{ 7, O, "timeout", { "1" } },
	{ 7, O, "interval", { "3" } },
	{ 7, O, "failure_interval", { "3" } },
	{ 7, L, "track_ip", { "8.8.8.8", "cloudflarestatus.com" } },
	{ 7, O, "httping_ssl", { "1" } },
	{ 8, O, "interface", { "tether2" } },
	{ 8, O, "metric", { "1" } },
	{ 8, O, "weight", { "2" } },
	{ 9, O, "enabled", { "1" } },
	{ 9, O, "initial_state", { "online" } },
	{ 9, O, "family", { "ipv4" } },
	{ 9, O, "track_method", { "httping" } },
	{ 9, O, "reliability", { "1" } },
	{ 9, O, "count", { "1" } },
	{ 9, O, "recovery_interval", { "5" } },
	{ 9, O, "down", { "1" } },
	{ 9, O, "up", { "3" } },
	{ 9, L, "flush_conntrack", { "ifup", "ifdown", "connected", "disconnected" } },
	{ 9, O, "timeout", { "1" } },
	{ 9, O, "interval", { "3" } },
	{ 9, O, "failure_interval", { "3" } },
	{ 9, L, "track_ip", { "8.8.8.8", "cloudflarestatus.com" } },
	{ 9, O, "httping_ssl", { "1" } },
	{ 10, O, "interface", { "tether3" } },
	{ 10, O, "metric", { "1" } },
	{ 10, O, "weight", { "2" } },
	{ 11, O, "enabled", { "1" } },
	{ 11, O, "initial_state", { "online" } },
	{ 11, O, "family", { "ipv4" } },
	{ 11, O, "track_method", { "httping" } },
	{ 11, O, "reliability", { "1" } },
	{ 11, O, "count", { "1" } },
	{ 11, O, "timeout", { "1" } },
	{ 11, O, "interval", { "3" } },
	{ 11, O, "failure_interval", { "3" } },
	{ 11, O, "recovery_interval", { "5" } },
	{ 11, O, "down", { "1" } },
	{ 11, O, "up", { "3" } },
	{ 11, L, "flush_conntrack", { "ifup", "ifdown", "connected", "disconnected" } },
	{ 11, L, "track_ip", { "8.8.8.8", "cloudflarestatus.com" } },
	{ 11, O, "httping_ssl", { "1" } },
	{ 12, O, "interface", { "tether0" } },
	{ 12, O, "metric", { "1" } },
	{ 12, O, "weight", { "2" } },
};

static const struct xsec network_glinet_mt300n_wan_wwan_tethering_secs[] = {
	{ "interface", "loopback" },
	{ "globals", "globals" },
	{ "interface", "lan" },
	{ "interface", "wan" },
	{ "interface", "wan6" },
	{ "switch", NULL },
	{ "switch_vlan", NULL },
	{ "switch_vlan", NULL },
	{ "interface", "tethering" },
	{ "interface", "wwan" },
};
static const struct xopt network_glinet_mt300n_wan_wwan_tethering_opts[] = {
	{ 0, O, "ifname", { "lo" } },
	{ 0, O, "proto", { "static" } },
	{ 0, O, "ipaddr", { "127.0.0.1" } },
	{ 0, O, "netmask", { "255.0.0.0" } },
	{ 1, O, "ula_prefix", { "fd82:38a4:5fe9::/48" } },
	{ 2, O, "ifname", { "eth0.1" } },
	{ 2, O, "force_link", { "1" } },
	{ 2, O, "macaddr", { "e4:95:6e:42:d1:75" } },
	{ 2, O, "type", { "bridge" } },
	{ 2, O, "proto", { "static" } },
	{ 2, O, "netmask", { "255.255.255.0" } },
	{ 2, O, "ip6assign", { "60" } },
	{ 2, O, "hostname", { "GL-MT300N-175" } },
	{ 2, O, "ipaddr", { "192.168.8.3" } },
	{ 3, O, "ifname", { "eth0.2" } },
	{ 3, O, "force_link", { "1" } },
	{ 3, O, "macaddr", { "e4:95:6e:42:d1:76" } },
	{ 3, O, "proto", { "dhcp" } },
	{ 3, O, "hostname", { "GL-MT300N-175" } },
	{ 3, O, "metric", { "10" } },
	{ 3, O, "type", { "bridge" } },
	{ 4, O, "ifname", { "eth0.2" } },
	{ 4, O, "proto", { "dhcpv6" } },
	{ 5, O, "name", { "switch0" } },
	{ 5, O, "reset", { "1" } },
	{ 5, O, "enable_vlan", { "1" } },
	{ 6, O, "device", { "switch0" } },
	{ 6, O, "vlan", { "2" } },
	{ 6, O, "ports", { "0 6t" } },
	{ 7, O, "device", { "switch0" } },
	{ 7, O, "vlan", { "1" } },
	{ 7, O, "ports", { "1 2 3 4 6t" } },
	{ 8, O, "proto", { "dhcp" } },
	{ 8, O, "ifname", { "eth1" } },
	{ 8, O, "metric", { "30" } },
	{ 9, O, "proto", { "dhcp" } },
	{ 9, O, "metric", { "20" } },
};

static const struct xsec network_usb_tether_5x_secs[] = {
	{ "interface", "loopback" },
	{ "globals", "globals" },
	{ "device", NULL },
	{ "interface", "lan" },
	{ "interface", "tether0" },
	{ "interface", "tether1" },
	{ "interface", "tether2" },
	{ "interface", "tether3" },
	{ "device", NULL },
	{ "interface", "tether4" },
	{ "interface", "docker" },
	{ "device", NULL },
	{ "device", NULL },
	{ "interface", "dockerlanshim" },
	{ "route", NULL },
};
static const struct xopt network_usb_tether_5x_opts[] = {
	{ 0, O, "device", { "lo" } },
	{ 0, O, "proto", { "static" } },
	{ 0, O, "ipaddr", { "127.0.0.1" } },
	{ 0, O, "netmask", { "255.0.0.0" } },
	{ 1, O, "ula_prefix", { "fd87:1c94:cbc2::/48" } },
	{ 2, O, "name", { "br-lan" } },
	{ 2, O, "type", { "bridge" } },
	{ 2, O, "ipv6", { "0" } },
	{ 2, L, "ports", { "eth0", "eth1" } },
	{ 3, O, "device", { "br-lan" } },
	{ 3, O, "proto", { "static" } },
	{ 3, O, "ipaddr", { "192.168.1.1" } },
	{ 3, O, "netmask", { "255.255.255.0" } },
	{ 3, O, "delegate", { "0" } },
	{ 4, O, "proto", { "dhcp" } },
	{ 4, O, "device", { "usb0" } },
	{ 4, O, "metric", { "30" } },
	{ 5, O, "proto", { "dhcp" } },
	{ 5, O, "device", { "usb1" } },
	{ 5, O, "metric", { "40" } },
	{ 6, O, "proto", { "dhcp" } },
	{ 6, O, "device", { "usb2" } },
	{ 6, O, "metric", { "50" } },
	{ 7, O, "proto", { "dhcp" } },
	{ 7, O, "device", { "usb3" } },
	{ 7, O, "metric", { "60" } },
	{ 8, O, "name", { "usb0" } },
	{ 9, O, "proto", { "dhcp" } },
	{ 9, O, "device", { "usb4" } },
	{ 9, O, "metric", { "70" } },
	{ 10, O, "device", { "docker0" } },
	{ 10, O, "proto", { "none" } },
	{ 10, O, "auto", { "0" } },
	{ 11, O, "type", { "bridge" } },
	{ 11, O, "name", { "docker0" } },
	{ 12, O, "type", { "macvlan" } },
	{ 12, O, "ifname", { "br-lan" } },
	{ 12, O, "mode", { "bridge" } },
	{ 12, O, "name", { "docker-lan-shim" } },
	{ 13, O, "proto", { "static" } },
	{ 13, O, "device", { "docker-lan-shim" } },
	{ 13, O, "ipaddr", { "192.168.1.2" } },
	{ 13, O, "netmask", { "255.255.255.255" } },
	{ 14, O, "interface", { "dockerlanshim" } },
	{ 14, O, "target", { "192.168.1.64/28" } },
};

static const struct xsec rpcd_openwrt_default_secs[] = {
	{ "rpcd", NULL },
	{ "policy", "policy" },
	{ "login", NULL },
};
static const struct xopt rpcd_openwrt_default_opts[] = {
	{ 0, O, "socket", { "/var/run/ubus/ubus.sock" } },
	{ 0, O, "timeout", { "30" } },
	{ 2, O, "username", { "root" } },
	{ 2, O, "password", { "$p$root" } },
	{ 2, L, "read", { "*" } },
	{ 2, L, "write", { "*" } },
};

static const struct xsec uhttpd_openwrt_default_secs[] = {
	{ "uhttpd", "main" },
	{ "cert", "defaults" },
};
static const struct xopt uhttpd_openwrt_default_opts[] = {
	{ 0, L, "listen_http", { "0.0.0.0:80", "[::]:80" } },
	{ 0, L, "listen_https", { "0.0.0.0:443", "[::]:443" } },
	{ 0, O, "redirect_https", { "1" } },
	{ 0, O, "home", { "/www" } },
	{ 0, O, "rfc1918_filter", { "1" } },
	{ 0, O, "max_requests", { "3" } },
	{ 0, O, "max_connections", { "100" } },
	{ 0, O, "cert", { "/etc/uhttpd.crt" } },
	{ 0, O, "key", { "/etc/uhttpd.key" } },
	{ 0, O, "cgi_prefix", { "/cgi-bin" } },
	{ 0, L, "lua_prefix", { "/cgi-bin/luci=/usr/lib/lua/luci/sgi/uhttpd.lua" } },
	{ 0, O, "script_timeout", { "60" } },
	{ 0, O, "network_timeout", { "30" } },
	{ 0, O, "http_keepalive", { "20" } },
	{ 0, O, "tcp_keepalive", { "1" } },
	{ 1, O, "days", { "730" } },
	{ 1, O, "key_type", { "rsa" } },
	{ 1, O, "bits", { "2048" } },
	{ 1, O, "ec_curve", { "P-256" } },
	{ 1, O, "country", { "ZZ" } },
	{ 1, O, "state", { "Somewhere" } },
	{ 1, O, "location", { "Unknown" } },
	{ 1, O, "commonname", { "%D" } },
};

static const struct xsec wireless_glinet_mt300n_sta_secs[] = {
	{ "wifi-device", "radio0" },
	{ "wifi-iface", NULL },
	{ "wifi-device", "radio1" },
	{ "wifi-iface", "sta" },
};
static const struct xopt wireless_glinet_mt300n_sta_opts[] = {
	{ 0, O, "type", { "mac80211" } },
	{ 0, O, "path", { "10180000.wmac" } },
	{ 0, O, "country", { "CN" } },
	{ 0, O, "txpower", { "20" } },
	{ 0, O, "hwmode", { "11ng" } },
	{ 0, O, "htmode", { "HT40+" } },
	{ 0, O, "noscan", { "1" } },
	{ 0, O, "channel", { "6" } },
	{ 1, O, "device", { "radio0" } },
	{ 1, O, "network", { "lan" } },
	{ 1, O, "mode", { "ap" } },
	{ 1, O, "key", { "goodlife" } },
	{ 1, O, "encryption", { "psk-mixed" } },
	{ 1, O, "ifname", { "wlan0" } },
	{ 1, O, "ssid", { "GL-MT300N-175" } },
	{ 1, O, "wds", { "1" } },
	{ 1, O, "macaddr", { "e4:95:6e:42:d1:77" } },
	{ 2, O, "type", { "mac80211" } },
	{ 2, O, "path", { "101c0000.ehci/usb1/1-1/1-1:1.0" } },
	{ 2, O, "htmode", { "HT20" } },
	{ 2, O, "hwmode", { "11g" } },
	{ 2, O, "txpower", { "20" } },
	{ 2, O, "channel", { "1" } },
	{ 2, O, "country", { "PL" } },
	{ 3, O, "mode", { "sta" } },
	{ 3, O, "network", { "wwan" } },
	{ 3, O, "bssid", { "A6:EC:80:4C:71:BE" } },
	{ 3, O, "ifname", { "wlan-sta" } },
	{ 3, O, "encryption", { "psk2" } },
	{ 3, O, "wds", { "0" } },
	{ 3, O, "ssid", { "Galaxy S6" } },
	{ 3, O, "device", { "radio1" } },
	{ 3, O, "key", { "nomore70" } },
	{ 3, O, "disabled", { "0" } },
};

/* --- fixture tests ------------------------------------------------------------ */

#define FIXTURE_TEST(fn, file, t)                                              \
	static void fn(void **state)                                           \
	{                                                                      \
		(void)state;                                                   \
		check_file(file, t##_secs, N(t##_secs), t##_opts, N(t##_opts)); \
	}

FIXTURE_TEST(test_fixture_firewall4_default, "firewall.firewall4-default",
	     firewall_firewall4_default)
FIXTURE_TEST(test_fixture_mwan3_glinet, "mwan3.glinet-wan-wwan-tethering-modem",
	     mwan3_glinet_wan_wwan_tethering_modem)
FIXTURE_TEST(test_fixture_mwan3_homelab, "mwan3.homelab-wan-wanb-v4v6",
	     mwan3_homelab_wan_wanb_v4v6)
FIXTURE_TEST(test_fixture_mwan3_openwrt_default, "mwan3.openwrt-default",
	     mwan3_openwrt_default)
FIXTURE_TEST(test_fixture_mwan3_rutos, "mwan3.rutos-rutx09-gpl-default",
	     mwan3_rutos_rutx09_gpl_default)
FIXTURE_TEST(test_fixture_mwan3_two_wan, "mwan3.two-wan-rules-sticky",
	     mwan3_two_wan_rules_sticky)
FIXTURE_TEST(test_fixture_mwan3_usb_tether, "mwan3.usb-tether-5x-httping",
	     mwan3_usb_tether_5x_httping)
FIXTURE_TEST(test_fixture_network_glinet, "network.glinet-mt300n-wan-wwan-tethering",
	     network_glinet_mt300n_wan_wwan_tethering)
FIXTURE_TEST(test_fixture_network_usb_tether, "network.usb-tether-5x",
	     network_usb_tether_5x)
FIXTURE_TEST(test_fixture_rpcd_default, "rpcd.openwrt-default",
	     rpcd_openwrt_default)
FIXTURE_TEST(test_fixture_uhttpd_default, "uhttpd.openwrt-default",
	     uhttpd_openwrt_default)
FIXTURE_TEST(test_fixture_wireless_glinet, "wireless.glinet-mt300n-sta",
	     wireless_glinet_mt300n_sta)

/* Line numbers survive comments and blank lines; a list's line is its last
 * `list` statement. */
static void test_fixture_lines(void **state)
{
	struct uci_package pkg;
	struct uci_error err;
	const struct uci_section *s;

	(void)state;
	assert_int_equal(uci_parse_file(UCI_DATA "uhttpd.openwrt-default", &pkg, &err), 0);
	s = uci_find_section(&pkg, "main");
	assert_non_null(s);
	assert_int_equal(s->line, 2);
	assert_int_equal(uci_find_option(s, "listen_http")->line, 6);
	assert_int_equal(uci_find_option(s, "lua_prefix")->line, 58);
	s = uci_find_section(&pkg, "defaults");
	assert_non_null(s);
	assert_int_equal(s->line, 116);
	assert_int_equal(uci_find_option(s, "commonname")->line, 138);
	uci_package_free(&pkg);
}

/* --- quoting, escapes, comments ------------------------------------------------ */

/* Single quotes take everything literally, backslashes included. */
static void test_single_quotes(void **state)
{
	static const struct xsec xs[] = { { "t", NULL } };
	static const struct xopt xo[] = {
		{ 0, O, "a", { "x y\tz" } },
		{ 0, O, "b", { "back\\slash\\" } },
		{ 0, O, "c", { "say \"hi\"" } },
		{ 0, O, "d", { "#not a comment; nor a separator" } },
		{ 0, O, "e", { "$HOME `x` \\n" } },
	};

	(void)state;
	check_text("config t\n"
		   "option a 'x y\tz'\n"
		   "option b 'back\\slash\\'\n"
		   "option c 'say \"hi\"'\n"
		   "option d '#not a comment; nor a separator'\n"
		   "option e '$HOME `x` \\n'\n",
		   xs, N(xs), xo, N(xo));
}

/* In double quotes a backslash takes the next character as it is: libuci
 * decodes no escape sequences, so "\n" is the letter n. */
static void test_double_quotes(void **state)
{
	static const struct xsec xs[] = { { "t", NULL } };
	static const struct xopt xo[] = {
		{ 0, O, "a", { "x y" } },
		{ 0, O, "b", { "say \"hi\"" } },
		{ 0, O, "c", { "back\\slash" } },
		{ 0, O, "d", { "ntab" } },
		{ 0, O, "e", { "it's #1; ok" } },
		{ 0, O, "f", { "$HOME" } },
	};

	(void)state;
	check_text("config t\n"
		   "option a \"x y\"\n"
		   "option b \"say \\\"hi\\\"\"\n"
		   "option c \"back\\\\slash\"\n"
		   "option d \"\\n\\tab\"\n"
		   "option e \"it's #1; ok\"\n"
		   "option f \"$HOME\"\n",
		   xs, N(xs), xo, N(xo));
}

/* Unquoted, a backslash also takes the next character literally, so it can
 * escape a blank, '#', ';' or a quote. */
static void test_unquoted_escapes(void **state)
{
	static const struct xsec xs[] = { { "t", NULL } };
	static const struct xopt xo[] = {
		{ 0, O, "a", { "x y" } },
		{ 0, O, "b", { "#x" } },
		{ 0, O, "c", { "a;b" } },
		{ 0, O, "d", { "it's" } },
		{ 0, O, "e", { "a\\b" } },
		{ 0, O, "f", { "n" } },
	};

	(void)state;
	check_text("config t\n"
		   "option a x\\ y\n"
		   "option b \\#x\n"
		   "option c a\\;b\n"
		   "option d it\\'s\n"
		   "option e a\\\\b\n"
		   "option f \\n\n",
		   xs, N(xs), xo, N(xo));
}

/* Quoted and unquoted pieces that touch are one argument. */
static void test_concatenation(void **state)
{
	static const struct xsec xs[] = { { "t", "na_me" } };
	static const struct xopt xo[] = {
		{ 0, O, "a", { "abc" } },
		{ 0, O, "b", { "xy zw" } },
		{ 0, O, "c", { "abc" } },
		{ 0, O, "d", { "it's" } },
		{ 0, O, "opt", { "v" } },
	};

	(void)state;
	check_text("config t na'_'\"me\"\n"
		   "option a 'a'\"b\"c\n"
		   "option b x'y z'w\n"
		   "option c ''abc''\n"
		   "option d 'it'\\''s'\n"
		   "option 'o'pt v\n",
		   xs, N(xs), xo, N(xo));
}

/* A quote open at the end of a line goes on with the next one; the value
 * keeps the newlines (the example from openwrt/uci's own tests). */
static void test_multiline_quotes(void **state)
{
	static const char text[] =
		"config main\n"
		"        option version  1.4.1\n"
		"config sockd 'instance0'\n"
		"        option extra_config '\n"
		"\t\tuser.unprivileged: nobody\n"
		"\t\tclient pass {\n"
		"\t\t} ' # the long multi-line option ends here\n"
		"        option after \"a\n"
		"b\"\n";
	static const struct xsec xs[] = { { "main", NULL }, { "sockd", "instance0" } };
	static const struct xopt xo[] = {
		{ 0, O, "version", { "1.4.1" } },
		{ 1, O, "extra_config",
		  { "\n\t\tuser.unprivileged: nobody\n\t\tclient pass {\n\t\t} " } },
		{ 1, O, "after", { "a\nb" } },
	};
	struct uci_package pkg;

	(void)state;
	check_text(text, xs, N(xs), xo, N(xo));
	parse_ok(text, &pkg);
	/* an option's line is where its statement starts */
	assert_int_equal(pkg.secs[1].opts[0].line, 4);
	assert_int_equal(pkg.secs[1].opts[1].line, 8);
	uci_package_free(&pkg);
}

/* A backslash before a line end joins the next line (unquoted and in double
 * quotes); in single quotes both stay. At the very end of the input the
 * backslash just disappears. */
static void test_line_continuation(void **state)
{
	static const struct xsec xs[] = { { "t", NULL } };
	static const struct xopt xo[] = {
		{ 0, O, "a", { "bc" } },
		{ 0, O, "d", { "xy" } },
		{ 0, O, "e", { "x\\\ny" } },
		{ 0, O, "f", { "crlf" } },
		{ 0, O, "h", { "end" } },
	};
	struct uci_package pkg;
	const char *text = "config t\n"
			   "option a b\\\n"
			   "c\n"
			   "option d \"x\\\n"
			   "y\"\n"
			   "option e 'x\\\n"
			   "y'\n"
			   "option f cr\\\r\n"
			   "lf\n"
			   "option \\\n"
			   "g\n"
			   "option h end\\";

	(void)state;
	check_text(text, xs, N(xs), xo, N(xo));
	parse_ok(text, &pkg);
	assert_int_equal(pkg.secs[0].opts[4].line, 12);
	uci_package_free(&pkg);
	/* a blank after the joined line ends the argument */
	expect_error("config t\noption a b\\\n c\n", 3, "too many arguments");
}

/* '#' outside quotes ends the line, wherever it is. */
static void test_comments(void **state)
{
	static const struct xsec xs[] = {
		{ "t", "n" }, { "u", NULL }, { "v", NULL },
	};
	static const struct xopt xo[] = {
		{ 0, O, "a", { "b" } },
		{ 0, O, "c", { "d" } },
		{ 0, O, "q", { "#in quotes" } },
		{ 0, O, "r", { "x" } },
	};

	(void)state;
	check_text("# leading comment\n"
		   "#config ignored\n"
		   "config t n # trailing comment\n"
		   "\t# indented comment\n"
		   "option a b # c d e\n"
		   "option c d#attached\n"
		   "option q '#in quotes'\n"
		   "option r 'x'#attached after a quote\n"
		   /* the name ends at '#', so the value is empty: a no-op */
		   "option s#t u\n"
		   "config u #name\n"
		   "config v#x\n"
		   "#\n",
		   xs, N(xs), xo, N(xo));
}

/* CRLF line ends: '\r' is a blank to the argument reader, so values do not
 * keep it; in a multi-line quote the "\r\n" is part of the value. */
static void test_crlf(void **state)
{
	static const struct xsec xs[] = { { "interface", "wan" }, { "t", NULL } };
	static const struct xopt xo[] = {
		{ 0, O, "proto", { "dhcp" } },
		{ 0, L, "dns", { "1.1.1.1", "8.8.8.8" } },
		{ 0, O, "multi", { "a\r\nb" } },
		{ 1, O, "x", { "y" } },
	};

	(void)state;
	check_text("# comment\r\n"
		   "\r\n"
		   "config interface 'wan'\r\n"
		   "\toption proto 'dhcp'\r\n"
		   "\tlist dns 1.1.1.1\r\n"
		   "\tlist dns \"8.8.8.8\"  \r\n"
		   "\toption multi 'a\r\n"
		   "b'\r\n"
		   "config t\r\n"
		   "option x y",
		   xs, N(xs), xo, N(xo));
	/* strtok(" \t") leaves "\r\n" in a lone command word */
	expect_error("config t\r\nconfig\r\n", 2, "invalid command");
}

/* Any isspace() character separates arguments; blank and whitespace-only
 * lines are skipped; the last line needs no newline. */
static void test_whitespace(void **state)
{
	static const struct xsec xs[] = { { "t", "n" } };
	static const struct xopt xo[] = {
		{ 0, O, "a", { "b" } },
		{ 0, O, "c", { "d" } },
		{ 0, L, "e", { "f" } },
	};

	(void)state;
	check_text("\n\n   \n\t\t\n"
		   "  \tconfig \t t\t\t'n'   \n"
		   "\toption\ta\tb\t\n"
		   "option \v c \f d\n"
		   "\n"
		   "list e f",
		   xs, N(xs), xo, N(xo));
}

/* The first letter alone names a command, as in libuci. */
static void test_short_commands(void **state)
{
	static const struct xsec xs[] = { { "t", "n" } };
	static const struct xopt xo[] = {
		{ 0, O, "a", { "b" } },
		{ 0, L, "c", { "d" } },
	};
	struct uci_package pkg;

	(void)state;
	check_text("p pkg\nc t n\no a b\nl c d\n", xs, N(xs), xo, N(xo));
	parse_ok("p pkg\n", &pkg);
	assert_string_equal(pkg.name, "pkg");
	uci_package_free(&pkg);
	expect_error("config t\nopt a b\n", 2, "invalid command");
	expect_error("configs t\n", 1, "invalid command");
	expect_error("Config t\n", 1, "invalid command");
}

/* ';' separates commands, with libuci's quirk: libuci unquotes in place, so
 * when the argument before ';' had no quote or backslash the ';' is
 * overwritten and the rest of the line is lost. */
static void test_semicolons(void **state)
{
	static const struct xsec xs[] = { { "t", "n" }, { "u", NULL } };
	static const struct xopt xo[] = {
		{ 0, O, "a", { "b" } },
		{ 0, L, "c", { "d" } },
		{ 0, O, "e", { "f" } },
		{ 0, O, "g", { "h" } },
		{ 0, O, "k", { "l" } },
		{ 1, O, "x", { "1" } },
	};

	(void)state;
	check_text("config t 'n'; option a 'b'; list c \"d\"\n"
		   "option e f ; option g h\n"
		   "option k l;option lost m\n"
		   "config u;option lost 2\n"
		   "option x 1 ;# comment\n",
		   xs, N(xs), xo, N(xo));
	/* after a ';' only blanks are skipped: a bare newline is a command */
	expect_error("config t\noption a 'b';\n", 2, "invalid command");
	/* a ';' read as the value leaves the next word as an extra argument */
	expect_error("config t\noption a ; option b c\n", 2, "too many arguments");
}

/* --- repeats ---------------------------------------------------------------------- */

/* A repeated option: the later value wins, and since libuci frees the old
 * option and appends a new one, it moves to the end. The same value again
 * changes nothing, so the option keeps its place. */
static void test_repeated_option(void **state)
{
	static const struct xsec xs[] = { { "t", NULL } };
	static const struct xopt xo[] = {
		{ 0, O, "a", { "3" } },
		{ 0, O, "keep", { "1" } },
		{ 0, O, "b", { "2" } },
	};
	static const char text[] = "config t\n"
				   "option a 1\n"
				   "option keep 1\n"
				   "option b 2\n"
				   "option a 3\n"
				   "option keep 1\n";
	struct uci_package pkg;

	(void)state;
	check_text(text, xs, N(xs), xo, N(xo));
	parse_ok(text, &pkg);
	assert_int_equal(uci_find_option(&pkg.secs[0], "a")->line, 5);
	assert_int_equal(uci_find_option(&pkg.secs[0], "keep")->line, 6);
	uci_package_free(&pkg);
}

/* libuci names an anonymous section when it makes it (`uci -X show` prints
 * cfg013777 for the first `config switch`); that name is taken: a later
 * section with it merges (same type) or is an error (another type). Found
 * by the differential fuzzing against libuci (tests/openwrt). */
static void test_anonymous_names_are_taken(void **state)
{
	static const struct xsec xs[] = { { "switch", NULL } };
	static const struct xopt xo[] = {
		{ 0, O, "name", { "x" } },
		{ 0, O, "reset", { "1" } },
	};
	struct uci_package pkg;
	struct uci_error err;

	(void)state;
	check_text("config switch\n\toption name x\n"
		   "config switch 'cfg013777'\n\toption reset 1\n", xs, N(xs), xo, N(xo));
	static const char bad[] = "config switch\nconfig vlan 'cfg013777'\n";

	assert_int_equal(uci_parse(bad, sizeof(bad) - 1, &pkg, &err), -1);
	assert_string_equal(err.msg, "section of different type overwrites prior section with "
			    "same name");
}

/* list after list appends in place; list after option makes a list of the
 * old value and the new one, in the option's place; option after list
 * replaces the whole list with a plain option, in its place (libuci of
 * 2025: uci_alloc_option/uci_alloc_list insert after the old element). */
static void test_list_and_option_mix(void **state)
{
	static const struct xsec xs[] = { { "t", NULL } };
	static const struct xopt xo[] = {
		{ 0, L, "l", { "1", "2", "3" } },
		{ 0, L, "o", { "old", "new" } },
		{ 0, O, "r", { "single" } },
		{ 0, O, "z", { "z" } },
	};

	(void)state;
	check_text("config t\n"
		   "list l 1\n"
		   "option o old\n"
		   "list r a\n"
		   "list r b\n"
		   "list l 2\n"
		   "option z z\n"
		   "list o new\n"
		   "option r single\n"
		   "list l 3\n",
		   xs, N(xs), xo, N(xo));
}

/* An empty option value changes nothing (libuci's uci_set() only deletes for
 * a fully looked-up pointer, which the parser never passes); an empty list
 * value is an item like any other. */
static void test_empty_values(void **state)
{
	static const struct xsec xs[] = { { "t", NULL } };
	static const struct xopt xo[] = {
		{ 0, O, "kept", { "1" } },
		{ 0, L, "l", { "", "x", "" } },
		{ 0, L, "lk", { "a" } },
	};

	(void)state;
	check_text("config t\n"
		   "option kept 1\n"
		   "option none ''\n"
		   "option bare\n"
		   "option kept ''\n"
		   "option kept\n"
		   "list l ''\n"
		   "list l x\n"
		   "list l\n"
		   "list lk a\n"
		   "option lk \"\"\n",
		   xs, N(xs), xo, N(xo));
}

/* A named section opened again is the same section: it keeps its place and
 * first line, and later options merge into it. Anonymous sections never
 * merge; an empty name makes a section anonymous. */
static void test_repeated_section(void **state)
{
	static const struct xsec xs[] = {
		{ "iface", "wan" }, { "iface", "lan" }, { "rule", NULL },
		{ "rule", NULL }, { "rule", NULL },
	};
	static const struct xopt xo[] = {
		{ 0, O, "a", { "2" } },
		{ 0, O, "c", { "3" } },
		{ 1, O, "b", { "1" } },
		{ 2, O, "r", { "1" } },
		{ 3, O, "r", { "2" } },
	};
	static const char text[] = "config iface wan\n"
				   "option a 1\n"
				   "config iface lan\n"
				   "option b 1\n"
				   "config rule\n"
				   "option r 1\n"
				   "config iface 'wan'\n"
				   "option a 2\n"
				   "option c 3\n"
				   "config rule\n"
				   "option r 2\n"
				   "config rule ''\n";
	struct uci_package pkg;

	(void)state;
	check_text(text, xs, N(xs), xo, N(xo));
	parse_ok(text, &pkg);
	assert_int_equal(pkg.secs[0].line, 1);
	assert_int_equal(pkg.secs[4].line, 12);
	uci_package_free(&pkg);
	expect_error("config iface wan\nconfig rule x\nconfig zone wan\n", 3,
		     "section of different type overwrites prior section with same name");
}

/* --- names --------------------------------------------------------------------- */

/* Types take any printable ASCII but space; section and option names only
 * [A-Za-z0-9_]; package names also '-'. Quoting does not change that. */
static void test_name_rules(void **state)
{
	static const struct xsec xs[] = {
		{ "wifi-iface", "sta_1" }, { "a.b:c/d@e[0]!~", NULL },
		{ "_", "X9" },
	};
	static const struct xopt xo[] = {
		{ 0, O, "Opt_9", { "v" } },
		{ 2, O, "quoted", { "v" } },
	};
	struct uci_package pkg;

	(void)state;
	check_text("config wifi-iface sta_1\n"
		   "option Opt_9 v\n"
		   "config 'a.b:c/d@e[0]!~'\n"
		   "config \"_\" 'X9'\n"
		   "option 'quoted' v\n",
		   xs, N(xs), xo, N(xo));
	parse_ok("package 'my-pkg_2'\nconfig t\n", &pkg);
	assert_string_equal(pkg.name, "my-pkg_2");
	uci_package_free(&pkg);
}

static void test_name_errors(void **state)
{
	(void)state;
	expect_error("config t 'a-b'\n", 1, "invalid character in name field");
	expect_error("config t a.b\n", 1, "invalid character in name field");
	expect_error("config t\noption a-b 1\n", 2, "invalid character in name field");
	expect_error("config t\nlist 'a b' 1\n", 2, "invalid character in name field");
	expect_error("config t\noption \xc3\xa9 1\n", 2, "invalid character in name field");
	expect_error("package my.pkg\n", 1, "invalid character in name field");
	expect_error("\nconfig 'a b'\n", 2, "invalid character in type field");
	expect_error("config t\xc3\xa9\n", 1, "invalid character in type field");
	expect_error("config 'a\tb'\n", 1, "invalid character in type field");
}

/* --- package ------------------------------------------------------------------ */

/* uci_load() ignores `package` lines after checking them; we keep the first
 * name. Without one the name is NULL. */
static void test_package(void **state)
{
	static const struct xsec xs[] = { { "t", NULL }, { "u", NULL } };
	static const struct xopt xo[] = { { 0, O, "a", { "b" } }, { 0, O, "c", { "d" } } };
	struct uci_package pkg;

	(void)state;
	parse_ok("package network\nconfig t\noption a b\npackage other\noption c d\n"
		 "config u\n", &pkg);
	assert_string_equal(pkg.name, "network");
	check_package(&pkg, xs, N(xs), xo, N(xo));
	uci_package_free(&pkg);
	parse_ok("config t\n", &pkg);
	assert_null(pkg.name);
	uci_package_free(&pkg);
}

/* --- errors -------------------------------------------------------------------- */

static void test_error_invalid_command(void **state)
{
	(void)state;
	expect_error("config t\n\noption a b\nfoo bar\n", 4, "invalid command");
	expect_error("config\n", 1, "invalid command");
	expect_error("config t\n'option' a b\n", 2, "invalid command");
	expect_error("config t\noption a b\\\nfoo\nbar x\n", 4, "invalid command");
}

/* A command word at the very end of the input has no room for arguments. */
static void test_error_without_name(void **state)
{
	(void)state;
	expect_error("config", 1, "config without name");
	expect_error("config t\n  option", 2, "option without name");
	expect_error("config t\nlist", 2, "option without name");
	expect_error("package", 1, "package without name");
	expect_error("config t 'n';config", 1, "config without name");
}

static void test_error_insufficient_arguments(void **state)
{
	(void)state;
	expect_error("config \n", 1, "insufficient arguments");
	expect_error("config ''\n", 1, "insufficient arguments");
	expect_error("config # no type\n", 1, "insufficient arguments");
	expect_error("config t\noption '' x\n", 2, "insufficient arguments");
	expect_error("config t\nlist ;\n", 2, "insufficient arguments");
	expect_error("package \n", 1, "insufficient arguments");
}

static void test_error_too_many_arguments(void **state)
{
	(void)state;
	expect_error("config t n extra\n", 1, "too many arguments");
	expect_error("config t\noption a b c\n", 2, "too many arguments");
	expect_error("config t\nlist a 'b' 'c'\n", 2, "too many arguments");
	expect_error("config t\noption a 'b'c d\n", 2, "too many arguments");
	expect_error("package p q\n", 1, "too many arguments");
}

/* libuci only objects to a non-empty extra argument. */
static void test_empty_extra_argument(void **state)
{
	static const struct xsec xs[] = { { "t", NULL } };
	static const struct xopt xo[] = { { 0, O, "a", { "b" } } };

	(void)state;
	check_text("config t\noption a b ''\n", xs, N(xs), xo, N(xo));
}

static void test_error_option_before_section(void **state)
{
	(void)state;
	expect_error("# hi\noption a b\nconfig t\n", 2,
		     "option/list command found before the first section");
	expect_error("package p\nlist a b\n", 2,
		     "option/list command found before the first section");
}

/* Reported at the line where the quote opened. */
static void test_error_unterminated_quote(void **state)
{
	(void)state;
	expect_error("config t\noption a 'b\n\noption c d\n", 2,
		     "EOF with unterminated '");
	expect_error("config t\noption a \"b\\\"", 2, "EOF with unterminated \"");
	expect_error("config t\noption a \"b\\", 2, "EOF with unterminated \"");
	expect_error("config 't\n", 1, "EOF with unterminated '");
}

static void test_error_nul_byte(void **state)
{
	static const char text[] = "config t\noption a b\noption c d\0e\n";

	(void)state;
	expect_error_n(text, sizeof(text) - 1, 3, "NUL byte in input");
	expect_error_n("\0", 1, 1, "NUL byte in input");
}

/* A parse stops at the first error, as libuci's strict mode does. */
static void test_error_is_first_one(void **state)
{
	(void)state;
	expect_error("config t\nbad\noption a b c\n", 2, "invalid command");
}

/* --- API ---------------------------------------------------------------------- */

static void test_empty_input(void **state)
{
	struct uci_package pkg;
	struct uci_error err;

	(void)state;
	assert_int_equal(uci_parse("", 0, &pkg, &err), 0);
	assert_int_equal(pkg.n_secs, 0);
	assert_null(pkg.name);
	uci_package_free(&pkg);
	assert_int_equal(uci_parse(NULL, 0, &pkg, &err), 0);
	uci_package_free(&pkg);
	parse_ok("\n# only comments\n\n", &pkg);
	assert_int_equal(pkg.n_secs, 0);
	uci_package_free(&pkg);
	uci_package_free(&pkg);         /* freeing twice is harmless */
}

/* Only len bytes are read: a config cut in the middle of a word. */
static void test_len_is_respected(void **state)
{
	static const char text[] = "config t\noption a bcdef";
	struct uci_package pkg;
	struct uci_error err;

	(void)state;
	assert_int_equal(uci_parse(text, sizeof(text) - 4, &pkg, &err), 0);
	assert_string_equal(pkg.secs[0].opts[0].values[0], "bc");
	uci_package_free(&pkg);
}

static void test_find(void **state)
{
	struct uci_package pkg;
	const struct uci_section *s;

	(void)state;
	parse_ok("config a\noption x 1\nconfig b first\noption y 2\nconfig c\n", &pkg);
	s = uci_find_section(&pkg, "first");
	assert_ptr_equal(s, &pkg.secs[1]);
	assert_null(uci_find_section(&pkg, "nope"));
	assert_null(uci_find_section(&pkg, NULL));
	assert_string_equal(uci_find_option(s, "y")->values[0], "2");
	assert_null(uci_find_option(s, "x"));
	assert_null(uci_find_option(NULL, "x"));
	uci_package_free(&pkg);
}

static void test_parse_file_errors(void **state)
{
	struct uci_package pkg;
	struct uci_error err;

	(void)state;
	assert_int_equal(uci_parse_file(UCI_DATA "does-not-exist", &pkg, &err), -1);
	assert_int_equal(err.line, 0);
	assert_non_null(strstr(err.msg, "cannot open file"));
	assert_int_equal(pkg.n_secs, 0);
	assert_int_equal(uci_parse_file(UCI_DATA, &pkg, &err), -1);
	assert_int_equal(err.line, 0);
	assert_non_null(strstr(err.msg, "cannot read file"));
}

/* Big inputs stay linear: many options in one section, each set twice, many
 * named sections, one long value. */
static void test_huge_input(void **state)
{
	enum { NOPT = 50000, NSEC = 20000, VLEN = 1 << 20 };
	size_t cap = (size_t)NOPT * 40 + (size_t)NSEC * 40 + VLEN + 64, n = 0;
	char *buf = malloc(cap);
	struct uci_package pkg;

	(void)state;
	assert_non_null(buf);
	n += (size_t)sprintf(buf + n, "config big\n");
	for (int r = 0; r < 2; r++)
		for (int i = 0; i < NOPT; i++)
			n += (size_t)sprintf(buf + n, "option o%d %d\n", i, i + r);
	for (int i = 0; i < NSEC; i++)
		n += (size_t)sprintf(buf + n, "config s s%d\n", i);
	n += (size_t)sprintf(buf + n, "option v '");
	memset(buf + n, 'x', VLEN);
	n += VLEN;
	n += (size_t)sprintf(buf + n, "'\n");
	assert_int_equal(uci_parse(buf, n, &pkg, NULL), 0);
	assert_int_equal(pkg.n_secs, NSEC + 1);
	assert_int_equal(pkg.secs[0].n_opts, NOPT);
	assert_string_equal(pkg.secs[0].opts[0].name, "o0");
	assert_string_equal(pkg.secs[0].opts[0].values[0], "1");
	assert_string_equal(pkg.secs[0].opts[NOPT - 1].values[0], "50000");
	assert_int_equal(strlen(pkg.secs[NSEC].opts[0].values[0]), VLEN);
	uci_package_free(&pkg);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_firewall4_default),
		cmocka_unit_test(test_fixture_mwan3_glinet),
		cmocka_unit_test(test_fixture_mwan3_homelab),
		cmocka_unit_test(test_fixture_mwan3_openwrt_default),
		cmocka_unit_test(test_fixture_mwan3_rutos),
		cmocka_unit_test(test_fixture_mwan3_two_wan),
		cmocka_unit_test(test_fixture_mwan3_usb_tether),
		cmocka_unit_test(test_fixture_network_glinet),
		cmocka_unit_test(test_fixture_network_usb_tether),
		cmocka_unit_test(test_fixture_rpcd_default),
		cmocka_unit_test(test_fixture_uhttpd_default),
		cmocka_unit_test(test_fixture_wireless_glinet),
		cmocka_unit_test(test_fixture_lines),
		cmocka_unit_test(test_single_quotes),
		cmocka_unit_test(test_double_quotes),
		cmocka_unit_test(test_unquoted_escapes),
		cmocka_unit_test(test_concatenation),
		cmocka_unit_test(test_multiline_quotes),
		cmocka_unit_test(test_line_continuation),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_whitespace),
		cmocka_unit_test(test_short_commands),
		cmocka_unit_test(test_semicolons),
		cmocka_unit_test(test_repeated_option),
		cmocka_unit_test(test_list_and_option_mix),
		cmocka_unit_test(test_anonymous_names_are_taken),
		cmocka_unit_test(test_empty_values),
		cmocka_unit_test(test_repeated_section),
		cmocka_unit_test(test_name_rules),
		cmocka_unit_test(test_name_errors),
		cmocka_unit_test(test_package),
		cmocka_unit_test(test_error_invalid_command),
		cmocka_unit_test(test_error_without_name),
		cmocka_unit_test(test_error_insufficient_arguments),
		cmocka_unit_test(test_error_too_many_arguments),
		cmocka_unit_test(test_empty_extra_argument),
		cmocka_unit_test(test_error_option_before_section),
		cmocka_unit_test(test_error_unterminated_quote),
		cmocka_unit_test(test_error_nul_byte),
		cmocka_unit_test(test_error_is_first_one),
		cmocka_unit_test(test_empty_input),
		cmocka_unit_test(test_len_is_respected),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_parse_file_errors),
		cmocka_unit_test(test_huge_input),
	};

	return cmocka_run_group_tests_name("uci", tests, NULL, NULL);
}
