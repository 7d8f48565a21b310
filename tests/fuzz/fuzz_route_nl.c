/* libFuzzer target for the route backend's netlink parsing (route_msg.c,
 * route_ct.c): the bytes are a netlink message stream, walked with
 * nlwalk_msg_ok/next as the backend walks what it receives; every message
 * goes through the route and rule parsers, the dump collector and the
 * conntrack matcher (both families, with a delete request built). The
 * stream sits in a heap buffer of exactly its size, so ASan sees any read
 * past what was received. Seed corpus: corpus/route_nl/ (kernel-layout
 * route, multipath route, rule, conntrack entry, and a cut message). */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/nlwalk.h"
#include "route/route_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_rt(const struct route_rt *r)
{
	if (r->n_nh > ROUTE_MAX_NH || (r->family != AF_INET && r->family != AF_INET6))
		__builtin_trap();
	char buf[256];
	route_fmt_rt(r, buf, sizeof(buf));
}

static void one(const struct nlmsghdr *nlh, struct route_objs *objs)
{
	struct route_rt r;
	struct route_rule rule;
	char buf[256];
	if (route_msg_parse_route(nlh, &r) == 0)
		check_rt(&r);
	if (route_msg_parse_rule(nlh, &rule) == 0)
		route_fmt_rule(&rule, buf, sizeof(buf));
	if (route_objs_feed(objs, nlh, 165) == 0 && objs->n)
		route_fmt_obj(&objs->v[objs->n - 1], buf, sizeof(buf));
	union route_ip v4 = { .v4 = { htonl(0x0a000001) } };
	union route_ip v6;
	memset(&v6, 0, sizeof(v6));
	v6.v6.s6_addr[15] = 1;
	uint64_t del[ROUTE_MSG_MAX / 8];
	int m = route_ct_match(nlh, AF_INET, &v4, del, 7);
	if (m < -1 || m > 1)
		__builtin_trap();
	if (m == 1 && ((struct nlmsghdr *)del)->nlmsg_len > ROUTE_MSG_MAX)
		__builtin_trap();
	m = route_ct_match(nlh, AF_INET6, &v6, NULL, 8);
	if (m < -1 || m > 1)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t *buf = malloc(size ? size : 1);     /* nlmsghdr alignment */
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	struct route_objs objs = { 0 };
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	size_t left = size;
	for (; nlwalk_msg_ok(nlh, left); nlh = nlwalk_msg_next(nlh, &left))
		one(nlh, &objs);
	route_objs_free(&objs);
	free(buf);
	return 0;
}
