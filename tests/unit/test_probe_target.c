/* Unit tests for probe_target_parse: every form of the target syntax in
 * probe.h, the canonical label of each, and each error with its message
 * (config validation shows them after "FILE:LINE: member.target: "). */
#include "probe/probe.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

static uint16_t port_of(const struct probe_target *t)
{
	if (t->family == AF_INET)
		return ntohs(((const struct sockaddr_in *)&t->addr)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)&t->addr)->sin6_port);
}

static const char *addr_of(const struct probe_target *t, char *buf, size_t n)
{
	if (t->family == AF_INET)
		return inet_ntop(AF_INET, &((const struct sockaddr_in *)&t->addr)->sin_addr, buf, (socklen_t)n);
	return inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)&t->addr)->sin6_addr, buf, (socklen_t)n);
}

struct good {
	const char *spec;
	enum probe_kind kind;
	int family;
	const char *addr;
	uint16_t port;
	const char *label;
	const char *qname;      /* DNS */
	const char *path;       /* HTTP */
	int status;
	const char *host;
};

static const struct good goods[] = {
	{ "1.1.1.1", PROBE_ICMP, AF_INET, "1.1.1.1", 0, "icmp:1.1.1.1", NULL, NULL, 0, NULL },
	{ "2606:4700::1111", PROBE_ICMP, AF_INET6, "2606:4700::1111", 0, "icmp:2606:4700::1111", NULL, NULL, 0, NULL },
	{ "icmp:1.1.1.1", PROBE_ICMP, AF_INET, "1.1.1.1", 0, "icmp:1.1.1.1", NULL, NULL, 0, NULL },
	{ "icmp:2001:0DB8:0::0001", PROBE_ICMP, AF_INET6, "2001:db8::1", 0, "icmp:2001:db8::1", NULL, NULL, 0, NULL },
	{ "fe80::1", PROBE_ICMP, AF_INET6, "fe80::1", 0, "icmp:fe80::1", NULL, NULL, 0, NULL },
	{ "dead:beef::1", PROBE_ICMP, AF_INET6, "dead:beef::1", 0, "icmp:dead:beef::1", NULL, NULL, 0, NULL },
	{ "tcp:1.1.1.1:443", PROBE_TCP, AF_INET, "1.1.1.1", 443, "tcp:1.1.1.1:443", NULL, NULL, 0, NULL },
	{ "tcp:[2001:db8::1]:53", PROBE_TCP, AF_INET6, "2001:db8::1", 53, "tcp:[2001:db8::1]:53", NULL, NULL, 0, NULL },
	{ "tcp:10.0.0.1:65535", PROBE_TCP, AF_INET, "10.0.0.1", 65535, "tcp:10.0.0.1:65535", NULL, NULL, 0, NULL },
	{ "tcp:10.0.0.1:1", PROBE_TCP, AF_INET, "10.0.0.1", 1, "tcp:10.0.0.1:1", NULL, NULL, 0, NULL },
	{ "dns:9.9.9.9", PROBE_DNS, AF_INET, "9.9.9.9", 53, "dns:9.9.9.9", ".", NULL, 0, NULL },
	{ "dns:9.9.9.9/.", PROBE_DNS, AF_INET, "9.9.9.9", 53, "dns:9.9.9.9", ".", NULL, 0, NULL },
	{ "dns:9.9.9.9/example.com", PROBE_DNS, AF_INET, "9.9.9.9", 53, "dns:9.9.9.9/example.com", "example.com", NULL, 0, NULL },
	{ "dns:9.9.9.9/Example.COM.", PROBE_DNS, AF_INET, "9.9.9.9", 53, "dns:9.9.9.9/Example.COM", "Example.COM", NULL, 0, NULL },
	{ "dns:9.9.9.9:53/a_b-c.d", PROBE_DNS, AF_INET, "9.9.9.9", 53, "dns:9.9.9.9/a_b-c.d", "a_b-c.d", NULL, 0, NULL },
	{ "dns:9.9.9.9:5353/x.org", PROBE_DNS, AF_INET, "9.9.9.9", 5353, "dns:9.9.9.9:5353/x.org", "x.org", NULL, 0, NULL },
	{ "dns:2001:db8::53", PROBE_DNS, AF_INET6, "2001:db8::53", 53, "dns:2001:db8::53", ".", NULL, 0, NULL },
	{ "dns:2001:db8::53/example.com", PROBE_DNS, AF_INET6, "2001:db8::53", 53, "dns:2001:db8::53/example.com", "example.com", NULL, 0, NULL },
	{ "dns:[2001:db8::53]/x", PROBE_DNS, AF_INET6, "2001:db8::53", 53, "dns:2001:db8::53/x", "x", NULL, 0, NULL },
	{ "dns:[2001:db8::53]:5353/example.com", PROBE_DNS, AF_INET6, "2001:db8::53", 5353, "dns:[2001:db8::53]:5353/example.com", "example.com", NULL, 0, NULL },
	{ "http://198.51.100.1/path", PROBE_HTTP, AF_INET, "198.51.100.1", 80, "http://198.51.100.1/path", NULL, "/path", 0, NULL },
	{ "http://198.51.100.1", PROBE_HTTP, AF_INET, "198.51.100.1", 80, "http://198.51.100.1/", NULL, "/", 0, NULL },
	{ "http://198.51.100.1:80/", PROBE_HTTP, AF_INET, "198.51.100.1", 80, "http://198.51.100.1/", NULL, "/", 0, NULL },
	{ "https://198.51.100.1:8443/", PROBE_HTTPS, AF_INET, "198.51.100.1", 8443, "https://198.51.100.1:8443/", NULL, "/", 0, NULL },
	{ "https://198.51.100.1/", PROBE_HTTPS, AF_INET, "198.51.100.1", 443, "https://198.51.100.1/", NULL, "/", 0, NULL },
	{ "http://198.51.100.1/generate_204,status=204", PROBE_HTTP, AF_INET, "198.51.100.1", 80,
	  "http://198.51.100.1/generate_204,status=204", NULL, "/generate_204", 204, NULL },
	{ "https://[2001:db8::1]/,host=example.com,status=200", PROBE_HTTPS, AF_INET6, "2001:db8::1", 443, "https://[2001:db8::1]/,status=200,host=example.com", NULL, "/", 200, "example.com" },
	{ "http://[2001:db8::1]:8080/x?y=1&z=%2C", PROBE_HTTP, AF_INET6, "2001:db8::1", 8080, "http://[2001:db8::1]:8080/x?y=1&z=%2C", NULL, "/x?y=1&z=%2C", 0, NULL },
	{ "http://1.2.3.4,host=portal.example.", PROBE_HTTP, AF_INET, "1.2.3.4", 80, "http://1.2.3.4/,host=portal.example", NULL, "/", 0, "portal.example" },
};

static void test_good_forms(void **state)
{
	char err[256], a[INET6_ADDRSTRLEN];
	for (size_t i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
		const struct good *g = &goods[i];
		struct probe_target t;
		err[0] = '\0';
		int rc = probe_target_parse(g->spec, &t, err, sizeof(err));
		if (rc != 0)
			fail_msg("%s: %s", g->spec, err);
		assert_int_equal(t.kind, g->kind);
		assert_int_equal(t.family, g->family);
		assert_string_equal(addr_of(&t, a, sizeof(a)), g->addr);
		assert_int_equal(port_of(&t), g->port);
		assert_string_equal(t.label, g->label);
		assert_int_equal(t.addrlen, g->family == AF_INET ? sizeof(struct sockaddr_in)
								 : sizeof(struct sockaddr_in6));
		assert_int_equal(t.addr.ss_family, g->family);
		if (g->qname)
			assert_string_equal(t.qname, g->qname);
		if (g->path)
			assert_string_equal(t.path, g->path);
		assert_int_equal(t.expect_status, g->status);
		assert_string_equal(t.host, g->host ? g->host : "");
		/* the label is itself a valid target meaning the same */
		struct probe_target t2;
		assert_int_equal(probe_target_parse(t.label, &t2, err, sizeof(err)), 0);
		assert_string_equal(t2.label, t.label);
		assert_memory_equal(&t2.addr, &t.addr, t.addrlen);
	}
}

struct bad {
	const char *spec;
	const char *msg;        /* a substring of the message */
};

static const struct bad bads[] = {
	{ "", "is empty" },
	{ "tcp:1.1.1.1", "'tcp:1.1.1.1' needs a port (tcp:ADDR:PORT or tcp:[ADDR6]:PORT)" },
	{ "tcp:2001:db8::1:53", "needs brackets" },
	{ "tcp:[2001:db8::1]", "needs a port" },
	{ "tcp:1.1.1.1:0", "bad port '0'" },
	{ "tcp:1.1.1.1:65536", "bad port '65536'" },
	{ "tcp:1.1.1.1:0443", "bad port '0443'" },
	{ "tcp:1.1.1.1:https", "bad port 'https'" },
	{ "tcp:1.1.1.1:+80", "bad port" },
	{ "tcp:1.1.1.1:", "empty port" },
	{ "tcp:1.1.1.1:123456", "bad port" },
	{ "tcp::80", "has no address" },
	{ "tcp:[1.1.1.1]:80", "IPv4 address in brackets" },
	{ "tcp:[2001:db8::1:80", "'[' without ']'" },
	{ "tcp:[2001:db8::1]x", "text after ']'" },
	{ "tcp:[2001:db8::1]:", "empty port" },
	{ "udp:1.1.1.1", "unknown probe kind 'udp' (icmp, tcp, dns, http, https)" },
	{ "HTTP://1.1.1.1/", "unknown probe kind 'HTTP'" },
	{ "ftp://1.1.1.1/", "unknown probe kind 'ftp'" },
	{ "x1://1.1.1.1/", "unknown scheme" },
	{ "example.com", "'example.com' is not a numeric IPv4 or IPv6 address" },
	{ "1.1.1", "not a numeric" },
	{ "1.1.1.1.1", "not a numeric" },
	{ "01.1.1.1", "not a numeric" },
	{ "1.1.1.1 ", "space, control or non-ASCII" },
	{ "1.1.1.1\t", "space, control or non-ASCII" },
	{ "h\xc3\xa9llo", "non-ASCII" },
	{ "0.0.0.0", "unspecified" },
	{ "0.1.2.3", "unspecified" },
	{ "127.0.0.1", "loopback" },
	{ "224.0.0.1", "multicast" },
	{ "255.255.255.255", "broadcast" },
	{ "240.0.0.1", "reserved" },
	{ "::", "unspecified" },
	{ "::1", "loopback" },
	{ "ff02::1", "multicast" },
	{ "::ffff:1.2.3.4", "IPv4-mapped" },
	{ "fe80::1%wan", "zone index" },
	{ "[2001:db8::1]", "bare address" },
	{ "icmp:", "has no address" },
	{ "dns:9.9.9.9/", "empty query name" },
	{ "dns:9.9.9.9/a..b", "empty label" },
	{ "dns:9.9.9.9/..", "empty label" },
	{ "dns:9.9.9.9/.a", "empty label" },
	{ "dns:9.9.9.9/ex!ample", "bad character '!'" },
	{ "dns:9.9.9.9/a/b", "bad character '/'" },
	{ "dns:9.9.9.9/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com",
	  "label longer than 63" },
	{ "dns:9.9.9.9:0", "bad port" },
	{ "dns:127.0.0.53", "loopback" },
	{ "http://1.1.1.1/x,status=99", "bad status '99'" },
	{ "http://1.1.1.1/x,status=600", "bad status '600'" },
	{ "http://1.1.1.1/x,status=20x", "bad status" },
	{ "http://1.1.1.1/x,status=2000", "bad status" },
	{ "http://1.1.1.1/x,status=", "unknown option 'status='" },
	{ "http://1.1.1.1/,status=204,status=200", "status= twice" },
	{ "http://1.1.1.1/,host=a,host=b", "host= twice" },
	{ "http://1.1.1.1/,foo=1", "unknown option 'foo=1' (status=NNN, host=NAME)" },
	{ "http://1.1.1.1/,", "unknown option ''" },
	{ "http://1.1.1.1/,host=a..b", "empty label" },
	{ "http://1.1.1.1/,host=.", "bad host" },
	{ "http://1.1.1.1/,host=a_b!", "bad character" },
	{ "http://1.1.1.1/a#b", "fragment" },
	{ "http:///x", "has no address" },
	{ "http://", "has no address" },
	{ "http://1.1.1.1:99999/", "bad port" },
	{ "http://example.com/", "not a numeric" },
	{ "https://[2001:db8::1/", "'[' without ']'" },
};

static void test_errors(void **state)
{
	char err[256];
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		struct probe_target t;
		memset(&t, 0xa5, sizeof(t));
		err[0] = '\0';
		if (probe_target_parse(bads[i].spec, &t, err, sizeof(err)) != -1)
			fail_msg("'%s' was accepted (%s)", bads[i].spec, t.label);
		if (!strstr(err, bads[i].msg))
			fail_msg("'%s': message \"%s\" lacks \"%s\"", bads[i].spec, err, bads[i].msg);
		/* every message quotes the text it is about */
		char quoted[300];
		snprintf(quoted, sizeof(quoted), strlen(bads[i].spec) > 64 ? "'%.64s...'" : "'%s'",
			 bads[i].spec);
		if (strncmp(err, quoted, strlen(quoted)) != 0)
			fail_msg("'%s': message \"%s\" does not start with the spec", bads[i].spec, err);
		/* nothing half-parsed is left behind */
		struct probe_target zero;
		memset(&zero, 0, sizeof(zero));
		assert_memory_equal(&t, &zero, sizeof(t));
	}
}

static void test_long_inputs(void **state)
{
	char spec[600], err[256];
	struct probe_target t;
	/* a path at the limit (127) is fine, one more is not */
	int n = snprintf(spec, sizeof(spec), "http://1.1.1.1/");
	memset(spec + n, 'p', 126);
	spec[n + 126] = '\0';
	assert_int_equal(probe_target_parse(spec, &t, err, sizeof(err)), 0);
	assert_int_equal(strlen(t.path), 127);
	strcat(spec, "p");
	assert_int_equal(probe_target_parse(spec, &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "path longer than 127"));
	/* a query name of 128 characters */
	n = snprintf(spec, sizeof(spec), "dns:9.9.9.9/");
	for (int i = 0; i < 4; i++)
		n += snprintf(spec + n, sizeof(spec) - (size_t)n, "%s%.31s", i ? "." : "",
			      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	assert_int_equal(probe_target_parse(spec, &t, err, sizeof(err)), 0);      /* 127 */
	strcat(spec, "b");
	assert_int_equal(probe_target_parse(spec, &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "query name longer than 127"));
	/* the whole text */
	memset(spec, '1', 300);
	spec[300] = '\0';
	assert_int_equal(probe_target_parse(spec, &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "longer than 255"));
}

static void test_err_buffers(void **state)
{
	struct probe_target t;
	char small[8];
	/* no buffer, a tiny buffer: no crash, still an error */
	assert_int_equal(probe_target_parse("tcp:1.1.1.1", &t, NULL, 0), -1);
	assert_int_equal(probe_target_parse("tcp:1.1.1.1", &t, small, sizeof(small)), -1);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_int_equal(probe_target_parse(NULL, &t, small, sizeof(small)), -1);
}

static void test_long_label_truncated(void **state)
{
	/* an https target with IPv6, a port, a long path and both options does
	 * not fit the label: it is cut, never overflows */
	char spec[300], err[256];
	struct probe_target t;
	snprintf(spec, sizeof(spec), "https://[2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff]:8443/%0120d"
		 ",status=204,host=a-rather-long-host-name.example.org", 0);
	assert_int_equal(probe_target_parse(spec, &t, err, sizeof(err)), 0);
	assert_int_equal(strlen(t.label), sizeof(t.label) - 1);
	assert_int_equal(strncmp(t.label, "https://[2001:db8:aaaa:", 23), 0);
}

static void test_names(void **state)
{
	assert_string_equal(probe_kind_name(PROBE_ICMP), "icmp");
	assert_string_equal(probe_kind_name(PROBE_HTTPS), "https");
	assert_string_equal(probe_kind_name((enum probe_kind)99), "?");
	assert_string_equal(probe_outcome_name(PROBE_LATE), "late");
	assert_string_equal(probe_outcome_name(PROBE_SEND_ERR), "send_err");
	assert_string_equal(probe_outcome_name((enum probe_outcome)-1), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_forms),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_long_inputs),
		cmocka_unit_test(test_err_buffers),
		cmocka_unit_test(test_long_label_truncated),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
