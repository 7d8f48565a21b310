/* icmp_msg: our ICMP echo messages, built and recognised without sockets.
 *
 * Layout (24 bytes, network order):
 *   type code checksum | identifier sequence | nonce (8) | send stamp (8)
 * The nonce is per prober: ping sockets choose the identifier themselves,
 * and a raw socket sees every echo reply on its device, so the identifier
 * alone cannot tell our replies from another program's. */
#include "probe/probe_internal.h"

#include <netinet/icmp6.h>
#include <netinet/ip_icmp.h>
#include <string.h>

uint16_t probe_inet_cksum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;
	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

size_t probe_icmp_build(uint8_t *buf, int family, const struct probe_echo *e)
{
	memset(buf, 0, PROBE_ICMP_LEN);
	buf[0] = family == AF_INET6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO;
	put16(buf + 4, e->id);
	put16(buf + 6, e->seq);
	put64(buf + 8, e->nonce);
	put64(buf + 16, e->stamp);
	/* ICMPv6 checksums cover a pseudo-header only the kernel knows */
	if (family == AF_INET)
		put16(buf + 2, probe_inet_cksum(buf, PROBE_ICMP_LEN));
	return PROBE_ICMP_LEN;
}

int probe_icmp_parse(const uint8_t *buf, size_t len, int family, bool want_reply,
		     struct probe_echo *e)
{
	uint8_t type;
	if (family == AF_INET6)
		type = want_reply ? ICMP6_ECHO_REPLY : ICMP6_ECHO_REQUEST;
	else
		type = want_reply ? ICMP_ECHOREPLY : ICMP_ECHO;
	if (len != PROBE_ICMP_LEN || buf[0] != type || buf[1] != 0)
		return -1;
	e->type = type;
	e->id = get16(buf + 4);
	e->seq = get16(buf + 6);
	e->nonce = get64(buf + 8);
	e->stamp = get64(buf + 16);
	return 0;
}

int probe_ipv4_skip(const uint8_t *buf, size_t len)
{
	if (len < 20 || buf[0] >> 4 != 4)
		return -1;
	size_t ihl = (size_t)(buf[0] & 0x0f) * 4;
	if (ihl < 20 || ihl > len || buf[9] != IPPROTO_ICMP)
		return -1;
	return (int)ihl;
}

int probe_icmp_match(const uint8_t *buf, size_t len, int family, bool raw_v4, int want_id,
		     uint64_t nonce, struct probe_echo *e)
{
	if (raw_v4) {
		int off = probe_ipv4_skip(buf, len);
		if (off < 0)
			return -1;
		buf += off;
		len -= (size_t)off;
	}
	if (probe_icmp_parse(buf, len, family, true, e) < 0)
		return -1;
	if (want_id >= 0 && e->id != (uint16_t)want_id)
		return -1;
	return e->nonce == nonce ? 0 : -1;
}

int probe_icmp_parse_quote(const uint8_t *buf, size_t len, int family, struct probe_echo *e)
{
	if (len >= PROBE_ICMP_LEN)
		return probe_icmp_parse(buf, PROBE_ICMP_LEN, family, false, e) == 0 ? 1 : -1;
	uint8_t type = family == AF_INET6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO;
	if (len < 8 || buf[0] != type || buf[1] != 0)
		return -1;
	memset(e, 0, sizeof(*e));
	e->type = type;
	e->id = get16(buf + 4);
	e->seq = get16(buf + 6);
	return 0;
}
