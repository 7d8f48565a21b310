/* libFuzzer target for starwatch's kernel-facing parsers: the bytes are one
 * datagram from the rtnetlink socket (walked, every message parsed as a
 * link, an address and a route) and, as they are, an ICMP packet from a
 * ping or a raw socket. Built with ASan: any read past the bytes received
 * is a finding. Oracles: parsed objects are in range. */
#include "starwatch/sw_icmp.h"
#include "starwatch/sw_nl.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void each(void *arg, const void *msg, size_t len)
{
	struct sw_link li;
	struct sw_addr4 a;
	struct sw_rt r;
	if (sw_nl_parse_link(msg, len, &li) == 1 &&
	    (li.ifindex <= 0 || !memchr(li.name, '\0', sizeof(li.name))))
		abort();
	if (sw_nl_parse_addr4(msg, len, &a) == 1 && a.prefixlen > 32)
		abort();
	if (sw_nl_parse_route4(msg, len, &r) == 1 && (r.dst_len > 32 || r.raw_len > len))
		abort();
	(*(int *)arg)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The kernel hands out 4-byte aligned buffers; so do we. */
	uint32_t *buf = malloc(size + 4);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	int n = 0;
	uint32_t seq = size >= 12 ? ((const uint32_t *)(const void *)buf)[2] : 0;
	sw_nl_walk(buf, size, seq, each, &n);
	volatile bool r1 = sw_ping_is_reply(buf, size, false, 7, 100, 4);
	volatile bool r2 = sw_ping_is_reply(buf, size, true, 7, 100, 4);
	(void)r1;
	(void)r2;
	free(buf);
	return 0;
}
