/* libFuzzer target for the DNS response parser and matcher (dns_msg.c):
 * the bytes a resolver, or anyone spoofing one, sends to a DNS probe.
 *
 * The input is the response, in a buffer of exactly its size (ASan sees
 * any read past the end). When it parses, the fields must lie within it,
 * and a query rebuilt from its own question must match it (id, name in
 * any case, type, class), while one with another id must not.
 *
 * clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc src/probe/dns_msg.c
 *   tests/fuzz/fuzz_probe_dns.c -o /tmp/fuzz_probe_dns */
#include "probe/probe_internal.h"

#include <stdlib.h>
#include <string.h>

static void check_match(const uint8_t *buf, size_t size, const struct probe_dns_reply *r)
{
	uint8_t q[12 + 255 + 4];
	size_t nl = r->qname_len;
	memset(q, 0, 12);
	q[0] = (uint8_t)(r->id >> 8);
	q[1] = (uint8_t)r->id;
	q[5] = 1;
	/* the question's name, its letters' case flipped */
	for (size_t i = 0; i < nl; i++) {
		uint8_t c = buf[r->qname_off + i];
		q[12 + i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ? c ^ 0x20 : c;
	}
	q[12 + nl] = (uint8_t)(r->qtype >> 8);
	q[13 + nl] = (uint8_t)r->qtype;
	q[14 + nl] = (uint8_t)(r->qclass >> 8);
	q[15 + nl] = (uint8_t)r->qclass;
	if (!probe_dns_matches(r, buf, q, 16 + nl))
		abort();
	q[1] ^= 1;
	if (probe_dns_matches(r, buf, q, 16 + nl))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	struct probe_dns_reply r;
	if (probe_dns_parse_response(buf, size, &r) == 0) {
		if (size < 12 || r.qdcount > 1 || r.rcode > 15)
			abort();
		if (r.qdcount == 1) {
			if (r.qname_off != 12 || r.qname_len < 1 || r.qname_len > 255 ||
			    (size_t)r.qname_off + r.qname_len + 4 > size)
				abort();
			if (buf[r.qname_off + r.qname_len - 1] != 0)
				abort();        /* a name ends with the root label */
			check_match(buf, size, &r);
		}
		/* any query matches a question-less response by id alone */
		uint8_t q[PROBE_DNS_QMAX];
		int qn = probe_dns_build_query(q, sizeof(q), r.id, "example.com", PROBE_DNS_TYPE_A);
		if (qn < 0)
			abort();
		bool m = probe_dns_matches(&r, buf, q, (size_t)qn);
		if (r.qdcount == 0 && !m)
			abort();
	}
	free(buf);
	return 0;
}
