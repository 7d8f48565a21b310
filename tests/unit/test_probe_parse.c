/* Unit tests for the probe engine's pure message functions
 * (probe_internal.h): the DNS query builder and response parser/matcher,
 * the HTTP request builder and status-line parser, and ICMP echo building
 * and reply matching, on good, bad and truncated inputs. */
#include "probe/probe_internal.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

/* ==== DNS =============================================================== */

static void test_dns_build(void **state)
{
	uint8_t q[PROBE_DNS_QMAX];
	static const uint8_t root_ns[] = {
		0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
		0, 0, 2, 0, 1,
	};
	int n = probe_dns_build_query(q, sizeof(q), 0x1234, ".", probe_dns_qtype("."));
	assert_int_equal(n, sizeof(root_ns));
	assert_memory_equal(q, root_ns, sizeof(root_ns));

	static const uint8_t ex_a[] = {
		0xab, 0xcd, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
		7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 1, 0, 1,
	};
	n = probe_dns_build_query(q, sizeof(q), 0xabcd, "example.com", probe_dns_qtype("example.com"));
	assert_int_equal(n, sizeof(ex_a));
	assert_memory_equal(q, ex_a, sizeof(ex_a));
	/* a trailing dot makes no difference */
	n = probe_dns_build_query(q, sizeof(q), 0xabcd, "example.com.", PROBE_DNS_TYPE_A);
	assert_int_equal(n, sizeof(ex_a));
	assert_memory_equal(q, ex_a, sizeof(ex_a));
	/* too small a buffer */
	assert_int_equal(probe_dns_build_query(q, 20, 1, "example.com", 1), -1);
	assert_int_equal(probe_dns_build_query(q, sizeof(ex_a), 1, "example.com", 1), sizeof(ex_a));
	assert_int_equal(probe_dns_build_query(q, sizeof(ex_a) - 1, 1, "example.com", 1), -1);
}

static void test_dns_encode_limits(void **state)
{
	uint8_t buf[300];
	char name[300];
	memset(name, 'a', 63);
	name[63] = '\0';
	assert_int_equal(probe_dns_encode_name(buf, sizeof(buf), name), 65);
	name[63] = 'a';
	name[64] = '\0';
	assert_int_equal(probe_dns_encode_name(buf, sizeof(buf), name), -1);
	assert_int_equal(probe_dns_encode_name(buf, sizeof(buf), "a..b"), -1);
	assert_int_equal(probe_dns_encode_name(buf, sizeof(buf), ".a"), -1);
	/* 4 labels of 63 = 4 * 64 + 1 = 257 > 255 */
	size_t k = 0;
	for (int i = 0; i < 4; i++) {
		if (i)
			name[k++] = '.';
		memset(name + k, 'b', 63);
		k += 63;
	}
	name[k] = '\0';
	assert_int_equal(probe_dns_encode_name(buf, sizeof(buf), name), -1);
	assert_int_equal(probe_dns_encode_name(buf, 1, "."), 1);
	assert_int_equal(probe_dns_encode_name(buf, 0, "."), -1);
}

/* A response to "example.com" A, id 0xabcd: question + one A answer with a
 * compression pointer to the question's name. */
static const uint8_t good_resp[] = {
	0xab, 0xcd, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0,
	7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 1, 0, 1,
	0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 198, 51, 100, 1,
};

static int parse(const uint8_t *b, size_t n, struct probe_dns_reply *r)
{
	/* an exact-size heap copy: ASan sees any read past the end */
	uint8_t *copy = malloc(n ? n : 1);
	memcpy(copy, b, n);
	int rc = probe_dns_parse_response(copy, n, r);
	free(copy);
	return rc;
}

static void test_dns_parse_good(void **state)
{
	struct probe_dns_reply r;
	uint8_t q[PROBE_DNS_QMAX];
	int qn = probe_dns_build_query(q, sizeof(q), 0xabcd, "example.com", PROBE_DNS_TYPE_A);
	assert_int_equal(parse(good_resp, sizeof(good_resp), &r), 0);
	assert_int_equal(r.id, 0xabcd);
	assert_int_equal(r.rcode, 0);
	assert_false(r.tc);
	assert_int_equal(r.qdcount, 1);
	assert_int_equal(r.ancount, 1);
	assert_int_equal(r.qtype, 1);
	assert_int_equal(r.qclass, 1);
	assert_int_equal(r.qname_off, 12);
	assert_int_equal(r.qname_len, 13);
	assert_true(probe_dns_matches(&r, good_resp, q, (size_t)qn));
	/* case does not matter in names (0x20 randomisation, RFC 4343) */
	uint8_t upper[sizeof(good_resp)];
	memcpy(upper, good_resp, sizeof(upper));
	upper[13] = 'E';
	upper[21] = 'C';
	assert_int_equal(parse(upper, sizeof(upper), &r), 0);
	assert_true(probe_dns_matches(&r, upper, q, (size_t)qn));
	/* trailing bytes after the records are tolerated */
	uint8_t longer[sizeof(good_resp) + 3];
	memcpy(longer, good_resp, sizeof(good_resp));
	memset(longer + sizeof(good_resp), 0xee, 3);
	assert_int_equal(parse(longer, sizeof(longer), &r), 0);
}

static void test_dns_parse_rcodes(void **state)
{
	struct probe_dns_reply r;
	uint8_t q[PROBE_DNS_QMAX];
	int qn = probe_dns_build_query(q, sizeof(q), 0x0102, ".", PROBE_DNS_TYPE_NS);
	/* NXDOMAIN with the question: a reply (the resolver answered) */
	uint8_t nx[] = { 0x01, 0x02, 0x81, 0x83, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 1 };
	assert_int_equal(parse(nx, sizeof(nx), &r), 0);
	assert_int_equal(r.rcode, 3);
	assert_true(probe_dns_matches(&r, nx, q, (size_t)qn));
	/* SERVFAIL without the question: matched by id alone */
	uint8_t sf[] = { 0x01, 0x02, 0x81, 0x82, 0, 0, 0, 0, 0, 0, 0, 0 };
	assert_int_equal(parse(sf, sizeof(sf), &r), 0);
	assert_int_equal(r.rcode, 2);
	assert_true(probe_dns_matches(&r, sf, q, (size_t)qn));
	sf[1] = 0x03;
	assert_int_equal(parse(sf, sizeof(sf), &r), 0);
	assert_false(probe_dns_matches(&r, sf, q, (size_t)qn));
	/* TC: the records may be cut, the header and question must be sound */
	uint8_t tc[] = { 0x01, 0x02, 0x83, 0x80, 0, 1, 0, 5, 0, 0, 0, 0, 0, 0, 2, 0, 1, 0xc0 };
	assert_int_equal(parse(tc, sizeof(tc), &r), 0);
	assert_true(r.tc);
	assert_int_equal(parse(tc, 16, &r), -1);
}

static void test_dns_mismatch(void **state)
{
	struct probe_dns_reply r;
	uint8_t q[PROBE_DNS_QMAX];
	assert_int_equal(parse(good_resp, sizeof(good_resp), &r), 0);
	int qn = probe_dns_build_query(q, sizeof(q), 0xabce, "example.com", PROBE_DNS_TYPE_A);
	assert_false(probe_dns_matches(&r, good_resp, q, (size_t)qn));         /* id */
	qn = probe_dns_build_query(q, sizeof(q), 0xabcd, "example.org", PROBE_DNS_TYPE_A);
	assert_false(probe_dns_matches(&r, good_resp, q, (size_t)qn));         /* name */
	qn = probe_dns_build_query(q, sizeof(q), 0xabcd, "example.co", PROBE_DNS_TYPE_A);
	assert_false(probe_dns_matches(&r, good_resp, q, (size_t)qn));         /* length */
	qn = probe_dns_build_query(q, sizeof(q), 0xabcd, "example.com", PROBE_DNS_TYPE_NS);
	assert_false(probe_dns_matches(&r, good_resp, q, (size_t)qn));         /* type */
	uint8_t ch[sizeof(good_resp)];
	memcpy(ch, good_resp, sizeof(ch));
	ch[28] = 3;     /* class CH */
	qn = probe_dns_build_query(q, sizeof(q), 0xabcd, "example.com", PROBE_DNS_TYPE_A);
	assert_int_equal(parse(ch, sizeof(ch), &r), 0);
	assert_false(probe_dns_matches(&r, ch, q, (size_t)qn));
	assert_false(probe_dns_matches(&r, ch, q, 12));                         /* short query */
}

/* Applies one byte change to good_resp and expects a malformed verdict. */
static void expect_bad(size_t off, uint8_t val, const char *why)
{
	struct probe_dns_reply r;
	uint8_t b[sizeof(good_resp)];
	memcpy(b, good_resp, sizeof(b));
	b[off] = val;
	if (parse(b, sizeof(b), &r) != -1)
		fail_msg("accepted: %s", why);
}

static void test_dns_malformed(void **state)
{
	struct probe_dns_reply r;
	expect_bad(2, 0x01, "QR clear (a query)");
	expect_bad(2, 0x89, "opcode 1");
	expect_bad(5, 2, "two questions");
	expect_bad(7, 2, "two answers, one present");
	expect_bad(9, 1, "an authority record that is not there");
	expect_bad(12, 0xc0, "compression in the question");
	expect_bad(12, 0x47, "label type 0x40");
	expect_bad(12, 20, "label past the end of the question");
	expect_bad(30, 0x1d, "pointer to itself (forward)");
	expect_bad(30, 0x05, "pointer into the header");
	expect_bad(30, 0x40, "pointer past the end");
	expect_bad(29, 0x80, "extended label type in an answer");
	expect_bad(40, 5, "rdlength past the end");
	assert_int_equal(parse(good_resp, 11, &r), -1);
	assert_int_equal(parse(good_resp, 0, &r), -1);
	/* every truncation of a good message is malformed */
	for (size_t n = 0; n < sizeof(good_resp); n++)
		if (parse(good_resp, n, &r) != -1)
			fail_msg("accepted a truncation to %zu bytes", n);
}

static void test_dns_name_too_long(void **state)
{
	/* a question name of 256 bytes (limit 255) */
	uint8_t b[12 + 300];
	struct probe_dns_reply r;
	memset(b, 0, sizeof(b));
	b[2] = 0x81;
	b[5] = 1;
	size_t p = 12;
	for (int i = 0; i < 4; i++) {
		b[p++] = 63;
		memset(b + p, 'x', 63);
		p += 63;
	}
	b[p++] = 0;     /* 4 * 64 + 1 = 257 */
	p += 4;
	assert_int_equal(parse(b, p, &r), -1);
	/* 3 * 64 + 1 + 61 + 1 = 255 bytes: fine */
	p = 12 + 3 * 64;
	b[p++] = 61;
	memset(b + p, 'y', 61);
	p += 61;
	b[p++] = 0;
	b[p++] = 0;
	b[p++] = 1;
	b[p++] = 0;
	b[p++] = 1;
	assert_int_equal(parse(b, p, &r), 0);
	assert_int_equal(r.qname_len, 255);
}

/* ==== HTTP ============================================================== */

static struct probe_target target(const char *spec)
{
	struct probe_target t;
	char err[128];
	if (probe_target_parse(spec, &t, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	return t;
}

static void test_http_request(void **state)
{
	char buf[PROBE_HTTP_REQ_MAX];
	struct probe_target t = target("http://198.51.100.1/generate_204");
	int n = probe_http_build_request(buf, sizeof(buf), &t);
	const char *want = "HEAD /generate_204 HTTP/1.1\r\nHost: 198.51.100.1\r\n"
			   "User-Agent: autonomy-probe\r\nConnection: close\r\n\r\n";
	assert_int_equal(n, strlen(want));
	assert_string_equal(buf, want);
	t = target("http://[2001:db8::1]:8080/x");
	probe_http_build_request(buf, sizeof(buf), &t);
	assert_non_null(strstr(buf, "HEAD /x HTTP/1.1\r\nHost: [2001:db8::1]:8080\r\n"));
	t = target("https://198.51.100.1/,host=probe.example");
	probe_http_build_request(buf, sizeof(buf), &t);
	assert_non_null(strstr(buf, "\r\nHost: probe.example\r\n"));
	t = target("https://198.51.100.1:8443/,host=probe.example");
	probe_http_build_request(buf, sizeof(buf), &t);
	assert_non_null(strstr(buf, "\r\nHost: probe.example:8443\r\n"));
	t = target("https://198.51.100.1:80/");
	probe_http_build_request(buf, sizeof(buf), &t);
	assert_non_null(strstr(buf, "\r\nHost: 198.51.100.1:80\r\n"));
	assert_int_equal(probe_http_build_request(buf, 40, &t), -1);
}

static int status_of(const char *line, int *status)
{
	size_t n = strlen(line);
	char *copy = malloc(n ? n : 1);
	memcpy(copy, line, n);
	int rc = probe_http_parse_status(copy, n, status);
	free(copy);
	return rc;
}

static void test_http_status_good(void **state)
{
	static const struct { const char *line; int status; } good[] = {
		{ "HTTP/1.1 200 OK\r\n", 200 },
		{ "HTTP/1.0 204 No Content\r\n", 204 },
		{ "HTTP/1.1 404\r\n", 404 },
		{ "HTTP/1.1 302 \r\n", 302 },
		{ "HTTP/1.1 200 OK\n", 200 },
		{ "HTTP/1.1 503 Service\tUnavailable\r\n", 503 },
		{ "HTTP/1.1 200 \xc3\x96K\r\n", 200 },
		{ "HTTP/1.9 599 x\r\n", 599 },
		{ "HTTP/1.1 100 Continue\r\n", 100 },
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int st = -1;
		int n = status_of(good[i].line, &st);
		if (n != (int)strlen(good[i].line) || st != good[i].status)
			fail_msg("'%s': %d status %d", good[i].line, n, st);
		/* every prefix needs more */
		for (size_t k = 0; k < strlen(good[i].line); k++) {
			char pre[64];
			memcpy(pre, good[i].line, k);
			pre[k] = '\0';
			if (status_of(pre, &st) != 0)
				fail_msg("prefix %zu of '%s' not 'need more'", k, good[i].line);
		}
	}
	/* the line ends at the first LF: what follows is not its business */
	int st;
	assert_int_equal(status_of("HTTP/1.1 200 OK\r\nServer: x\r\n\r\n", &st), 17);
}

static void test_http_status_bad(void **state)
{
	static const char *const bad[] = {
		"HTTP/2 200\r\n", "HTTP/1.1 20\r\n", "HTTP/1.1 600 X\r\n", "HTTP/1.1 099 X\r\n",
		"http/1.1 200 OK\r\n", "SSH-2.0-OpenSSH_9.2\r\n", "HTTP/1.1 200 OK\rX",
		"HTTP/1.1 200 O\x01K\r\n", "HTTP/1.1  200 OK\r\n", "HTTP/1.1 2000 OK\r\n",
		"HTTP/1.1 200OK\r\n", "HTTP/1.x 200 OK\r\n", "HTTP/1.1 200 O\x7fK\r\n",
		"HTTP/1.1 200 OK\r\r\n", "\r\n", "HTTP/1.1 20a OK\r\n", "S", "HTTP/1.1 2",
	};
	int st;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* "HTTP/1.1 2" is a good prefix: the only one here that waits */
		int want = strcmp(bad[i], "HTTP/1.1 2") == 0 ? 0 : -1;
		if (status_of(bad[i], &st) != want)
			fail_msg("'%s' not %d", bad[i], want);
	}
	/* garbage is refused from its first wrong byte, without waiting for LF */
	assert_int_equal(status_of("<", &st), -1);
	assert_int_equal(status_of("HTTP/1.1 200 OK", &st), 0);
	/* no LF within the limit */
	char longline[PROBE_HTTP_LINE_MAX + 40];
	memcpy(longline, "HTTP/1.1 200 ", 13);
	memset(longline + 13, 'a', sizeof(longline) - 13);
	assert_int_equal(probe_http_parse_status(longline, PROBE_HTTP_LINE_MAX - 1, &st), 0);
	assert_int_equal(probe_http_parse_status(longline, PROBE_HTTP_LINE_MAX, &st), -1);
	longline[sizeof(longline) - 1] = '\n';
	assert_int_equal(probe_http_parse_status(longline, sizeof(longline), &st), -1);
	/* the empty input waits */
	assert_int_equal(probe_http_parse_status("", 0, &st), 0);
}

static void test_http_interim(void **state)
{
	int st = 0;
	const char *hints = "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"
			    "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
	size_t first = strlen("HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n");
	assert_int_equal(probe_http_parse_response(hints, strlen(hints), &st),
			 (int)(first + strlen("HTTP/1.1 200 OK\r\n")));
	assert_int_equal(st, 200);
	/* the interim response's headers have not all arrived */
	assert_int_equal(probe_http_parse_response(hints, first - 1, &st), 0);
	assert_int_equal(probe_http_parse_response(hints, first + 4, &st), 0);
	const char *cont = "HTTP/1.1 100 Continue\n\nHTTP/1.1 204 No Content\n";
	assert_int_equal(probe_http_parse_response(cont, strlen(cont), &st), (int)strlen(cont));
	assert_int_equal(st, 204);
	/* 101 is final (a HEAD has no business switching, the check will fail) */
	const char *sw = "HTTP/1.1 101 Switching\r\n\r\n";
	assert_int_equal(probe_http_parse_response(sw, strlen(sw), &st), 26 - 2);
	assert_int_equal(st, 101);
	const char *bad = "HTTP/1.1 103 Early Hints\r\n\r\nSSH-2.0\r\n";
	assert_int_equal(probe_http_parse_response(bad, strlen(bad), &st), -1);
	assert_int_equal(probe_http_parse_response("HTTP/1.1 200 OK\r\n", 17, &st), 17);
}

static void test_http_status_ok(void **state)
{
	assert_true(probe_http_status_ok(200, 0));
	assert_true(probe_http_status_ok(204, 0));
	assert_true(probe_http_status_ok(301, 0));
	assert_true(probe_http_status_ok(399, 0));
	assert_false(probe_http_status_ok(199, 0));
	assert_false(probe_http_status_ok(400, 0));
	assert_false(probe_http_status_ok(503, 0));
	assert_true(probe_http_status_ok(204, 204));
	assert_false(probe_http_status_ok(200, 204));
	assert_false(probe_http_status_ok(302, 204));       /* a captive portal */
	assert_true(probe_http_status_ok(404, 404));
}

/* ==== ICMP ============================================================== */

static void test_cksum(void **state)
{
	/* RFC 1071's example: the sum is ddf2, the checksum its complement */
	static const uint8_t v[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	assert_int_equal(probe_inet_cksum(v, sizeof(v)), 0x220d);
	static const uint8_t odd[] = { 0x01 };
	assert_int_equal(probe_inet_cksum(odd, 1), 0xfeff);
	assert_int_equal(probe_inet_cksum(v, 0), 0xffff);
}

static const struct probe_echo echo = {
	.id = 0x4242, .seq = 0x0102, .nonce = 0x1122334455667788ull, .stamp = 0x99aabbccddeeff00ull,
};

static void test_icmp_build(void **state)
{
	uint8_t b[PROBE_ICMP_LEN];
	assert_int_equal(probe_icmp_build(b, AF_INET, &echo), 24);
	static const uint8_t head[] = { 8, 0 };
	assert_memory_equal(b, head, 2);
	assert_int_equal(b[4] << 8 | b[5], 0x4242);
	assert_int_equal(b[6] << 8 | b[7], 0x0102);
	assert_int_equal(b[8], 0x11);
	assert_int_equal(b[23], 0x00);
	/* a correct checksum sums to zero */
	assert_int_equal(probe_inet_cksum(b, sizeof(b)), 0);
	probe_icmp_build(b, AF_INET6, &echo);
	assert_int_equal(b[0], 128);
	assert_int_equal(b[2] | b[3], 0);   /* the kernel fills ICMPv6's */
	struct probe_echo e;
	assert_int_equal(probe_icmp_parse(b, sizeof(b), AF_INET6, false, &e), 0);
	assert_int_equal(e.seq, echo.seq);
	assert_true(e.nonce == echo.nonce && e.stamp == echo.stamp);
}

/* An echo reply as received: the request with the type changed. */
static void make_reply(uint8_t *b, int family)
{
	probe_icmp_build(b, family, &echo);
	b[0] = family == AF_INET ? 0 : 129;
}

static void test_icmp_match(void **state)
{
	uint8_t b[PROBE_ICMP_LEN];
	struct probe_echo e;
	make_reply(b, AF_INET);
	assert_int_equal(probe_icmp_match(b, sizeof(b), AF_INET, false, -1, echo.nonce, &e), 0);
	assert_int_equal(e.seq, 0x0102);
	assert_true(e.stamp == echo.stamp);
	/* ping sockets: the kernel chose the id, so it is not checked */
	assert_int_equal(probe_icmp_match(b, sizeof(b), AF_INET, false, -1, echo.nonce, &e), 0);
	assert_int_equal(probe_icmp_match(b, sizeof(b), AF_INET, false, 0x4242, echo.nonce, &e), 0);
	assert_int_equal(probe_icmp_match(b, sizeof(b), AF_INET, false, 0x4243, echo.nonce, &e), -1);
	assert_int_equal(probe_icmp_match(b, sizeof(b), AF_INET, false, -1, echo.nonce + 1, &e), -1);
	assert_int_equal(probe_icmp_match(b, sizeof(b) - 1, AF_INET, false, -1, echo.nonce, &e), -1);
	assert_int_equal(probe_icmp_match(b, 8, AF_INET, false, -1, echo.nonce, &e), -1);
	/* a request is not a reply; nor is a v4 reply a v6 one */
	b[0] = 8;
	assert_int_equal(probe_icmp_match(b, sizeof(b), AF_INET, false, -1, echo.nonce, &e), -1);
	b[0] = 0;
	b[1] = 1;
	assert_int_equal(probe_icmp_match(b, sizeof(b), AF_INET, false, -1, echo.nonce, &e), -1);
	b[1] = 0;
	assert_int_equal(probe_icmp_match(b, sizeof(b), AF_INET6, false, -1, echo.nonce, &e), -1);
	uint8_t big[PROBE_ICMP_LEN + 8];
	memcpy(big, b, sizeof(b));
	memset(big + sizeof(b), 0, 8);
	assert_int_equal(probe_icmp_match(big, sizeof(big), AF_INET, false, -1, echo.nonce, &e), -1);
	make_reply(b, AF_INET6);
	assert_int_equal(probe_icmp_match(b, sizeof(b), AF_INET6, false, -1, echo.nonce, &e), 0);
	assert_int_equal(probe_icmp_match(b, sizeof(b), AF_INET, false, -1, echo.nonce, &e), -1);
}

static void test_icmp_match_raw_v4(void **state)
{
	/* raw IPv4 sockets deliver the IP header too, with or without options */
	uint8_t pkt[24 + PROBE_ICMP_LEN];
	struct probe_echo e;
	memset(pkt, 0, sizeof(pkt));
	pkt[0] = 0x45;
	pkt[9] = 1;
	make_reply(pkt + 20, AF_INET);
	assert_int_equal(probe_ipv4_skip(pkt, 20 + PROBE_ICMP_LEN), 20);
	assert_int_equal(probe_icmp_match(pkt, 20 + PROBE_ICMP_LEN, AF_INET, true, 0x4242,
					  echo.nonce, &e), 0);
	assert_int_equal(probe_icmp_match(pkt, 20 + PROBE_ICMP_LEN, AF_INET, true, 0x1111,
					  echo.nonce, &e), -1);
	memmove(pkt + 24, pkt + 20, PROBE_ICMP_LEN);
	pkt[0] = 0x46;
	assert_int_equal(probe_icmp_match(pkt, sizeof(pkt), AF_INET, true, 0x4242, echo.nonce, &e), 0);
	pkt[9] = 17;
	assert_int_equal(probe_icmp_match(pkt, sizeof(pkt), AF_INET, true, 0x4242, echo.nonce, &e), -1);
	pkt[9] = 1;
	pkt[0] = 0x65;
	assert_int_equal(probe_ipv4_skip(pkt, sizeof(pkt)), -1);  /* not version 4 */
	pkt[0] = 0x44;
	assert_int_equal(probe_ipv4_skip(pkt, sizeof(pkt)), -1);  /* ihl < 5 */
	pkt[0] = 0x4f;
	assert_int_equal(probe_ipv4_skip(pkt, 40), -1);           /* ihl past the end */
	assert_int_equal(probe_ipv4_skip(pkt, 19), -1);
}

static void test_icmp_quote(void **state)
{
	uint8_t b[PROBE_ICMP_LEN + 10];
	struct probe_echo e;
	probe_icmp_build(b, AF_INET, &echo);
	assert_int_equal(probe_icmp_parse_quote(b, PROBE_ICMP_LEN, AF_INET, &e), 1);
	assert_true(e.nonce == echo.nonce);
	/* longer quotes are cut to our message */
	assert_int_equal(probe_icmp_parse_quote(b, sizeof(b), AF_INET, &e), 1);
	/* RFC 792 routers quote only 8 bytes */
	assert_int_equal(probe_icmp_parse_quote(b, 8, AF_INET, &e), 0);
	assert_int_equal(e.id, 0x4242);
	assert_int_equal(e.seq, 0x0102);
	assert_true(e.nonce == 0);
	assert_int_equal(probe_icmp_parse_quote(b, 7, AF_INET, &e), -1);
	assert_int_equal(probe_icmp_parse_quote(b, 8, AF_INET6, &e), -1);
	b[0] = 0;       /* a reply quoted: not ours */
	assert_int_equal(probe_icmp_parse_quote(b, 8, AF_INET, &e), -1);
	assert_int_equal(probe_icmp_parse_quote(b, PROBE_ICMP_LEN, AF_INET, &e), -1);
	probe_icmp_build(b, AF_INET6, &echo);
	assert_int_equal(probe_icmp_parse_quote(b, 12, AF_INET6, &e), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dns_build),
		cmocka_unit_test(test_dns_encode_limits),
		cmocka_unit_test(test_dns_parse_good),
		cmocka_unit_test(test_dns_parse_rcodes),
		cmocka_unit_test(test_dns_mismatch),
		cmocka_unit_test(test_dns_malformed),
		cmocka_unit_test(test_dns_name_too_long),
		cmocka_unit_test(test_http_request),
		cmocka_unit_test(test_http_status_good),
		cmocka_unit_test(test_http_status_bad),
		cmocka_unit_test(test_http_interim),
		cmocka_unit_test(test_http_status_ok),
		cmocka_unit_test(test_cksum),
		cmocka_unit_test(test_icmp_build),
		cmocka_unit_test(test_icmp_match),
		cmocka_unit_test(test_icmp_match_raw_v4),
		cmocka_unit_test(test_icmp_quote),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
