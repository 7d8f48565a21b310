/* dns_msg: the DNS query we send and the checks a response must pass.
 *
 * Any well-formed response to our query counts as a reply, NXDOMAIN and
 * SERVFAIL included: the resolver answered through this uplink, which is
 * what the probe measures. Well-formed is checked strictly (everything
 * within the message) because the bytes come from the network. */
#include "probe/probe_internal.h"

#include <string.h>

#define HDR     12

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }

uint16_t probe_dns_qtype(const char *qname)
{
	return strcmp(qname, ".") == 0 ? PROBE_DNS_TYPE_NS : PROBE_DNS_TYPE_A;
}

int probe_dns_encode_name(uint8_t *buf, size_t cap, const char *qname)
{
	size_t n = 0;
	if (strcmp(qname, ".") != 0) {
		const char *s = qname;
		while (*s) {
			size_t l = strcspn(s, ".");
			if (l == 0 || l > 63 || n + 1 + l + 1 > cap || n + 1 + l + 1 > 255)
				return -1;
			buf[n++] = (uint8_t)l;
			memcpy(buf + n, s, l);
			n += l;
			s += l;
			if (*s == '.' && *++s == '\0')
				break;  /* a trailing dot */
		}
	}
	if (n + 1 > cap)
		return -1;
	buf[n++] = 0;
	return (int)n;
}

int probe_dns_build_query(uint8_t *buf, size_t cap, uint16_t id, const char *qname,
			  uint16_t qtype)
{
	if (cap < HDR + 1 + 4)
		return -1;
	memset(buf, 0, HDR);
	put16(buf, id);
	put16(buf + 2, 0x0100);         /* RD: a resolver recurses for us */
	put16(buf + 4, 1);
	int nl = probe_dns_encode_name(buf + HDR, cap - HDR - 4, qname);
	if (nl < 0)
		return -1;
	size_t n = HDR + (size_t)nl;
	put16(buf + n, qtype);
	put16(buf + n + 2, 1);          /* class IN */
	return (int)(n + 4);
}

/* The question's name: plain labels only (a compression pointer there could
 * only point into the header). Advances *pos past it. */
static int skip_qname(const uint8_t *buf, size_t len, size_t *pos)
{
	size_t p = *pos, start = p;
	for (;;) {
		if (p >= len)
			return -1;
		uint8_t l = buf[p++];
		if (l == 0)
			break;
		if (l & 0xc0 || p + l > len)
			return -1;
		p += l;
		if (p - start > 255)
			return -1;
	}
	if (p - start > 255)
		return -1;
	*pos = p;
	return 0;
}

/* A record's owner name: labels ending in a zero byte or in a compression
 * pointer, which must point backwards (so no loops), to before this name. */
static int skip_name(const uint8_t *buf, size_t len, size_t *pos)
{
	size_t p = *pos, start = p;
	for (;;) {
		if (p >= len)
			return -1;
		uint8_t l = buf[p];
		if ((l & 0xc0) == 0xc0) {
			if (p + 2 > len)
				return -1;
			size_t target = (size_t)(get16(buf + p) & 0x3fff);
			if (target < HDR || target >= start)
				return -1;
			p += 2;
			break;
		}
		if (l & 0xc0)
			return -1;      /* 0x40/0x80: obsolete label types */
		p++;
		if (l == 0)
			break;
		if (p + l > len)
			return -1;
		p += l;
		if (p - start > 255)
			return -1;
	}
	*pos = p;
	return 0;
}

static int skip_rrs(const uint8_t *buf, size_t len, size_t *pos, unsigned count)
{
	for (unsigned i = 0; i < count; i++) {
		if (skip_name(buf, len, pos) < 0 || *pos + 10 > len)
			return -1;
		size_t rdlen = get16(buf + *pos + 8);
		*pos += 10;
		if (*pos + rdlen > len)
			return -1;
		*pos += rdlen;
	}
	return 0;
}

int probe_dns_parse_response(const uint8_t *buf, size_t len, struct probe_dns_reply *r)
{
	if (len < HDR)
		return -1;
	uint16_t flags = get16(buf + 2);
	if (!(flags & 0x8000) || ((flags >> 11) & 0xf) != 0)
		return -1;      /* not a response, or not to a standard query */
	memset(r, 0, sizeof(*r));
	r->id = get16(buf);
	r->rcode = flags & 0xf;
	r->tc = (flags & 0x0200) != 0;
	r->qdcount = get16(buf + 4);
	r->ancount = get16(buf + 6);
	r->nscount = get16(buf + 8);
	r->arcount = get16(buf + 10);
	if (r->qdcount > 1)
		return -1;
	size_t pos = HDR;
	if (r->qdcount == 1) {
		if (skip_qname(buf, len, &pos) < 0 || pos + 4 > len)
			return -1;
		r->qname_off = HDR;
		r->qname_len = (uint16_t)(pos - HDR);
		r->qtype = get16(buf + pos);
		r->qclass = get16(buf + pos + 2);
		pos += 4;
	}
	/* TC: the server cut the message; it owes us no more than this */
	if (r->tc)
		return 0;
	return skip_rrs(buf, len, &pos, (unsigned)r->ancount + r->nscount + r->arcount);
}

static uint8_t lower(uint8_t c) { return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c; }

bool probe_dns_matches(const struct probe_dns_reply *r, const uint8_t *resp,
		       const uint8_t *q, size_t qlen)
{
	if (qlen < HDR + 5 || r->id != get16(q))
		return false;
	if (r->qdcount == 0)
		return true;    /* FORMERR and the like may omit the question */
	size_t nl = qlen - HDR - 4;
	if (r->qname_len != nl || r->qtype != get16(q + HDR + nl) ||
	    r->qclass != get16(q + HDR + nl + 2))
		return false;
	/* length bytes are < 64, so lowering them changes nothing */
	for (size_t i = 0; i < nl; i++)
		if (lower(resp[r->qname_off + i]) != lower(q[HDR + i]))
			return false;
	return true;
}
