/* libFuzzer target for what sticky flows parse of the kernel's messages:
 * conntrack entries (route_ct_entry_parse, their attribution to a member,
 * the flush's match and delete request) and nftables events (the watch's
 * filter, route_nft_foreign_change).
 *
 * The read-back of our table's rules is parsed by libnftnl itself
 * (nftnl_rule_nlmsg_parse), which is not fuzzed here: on an attribute of
 * the wrong size it reports a broken kernel ABI and exits, by design. It is
 * only ever given the kernel's replies to our own dump request.
 *
 * Input: netlink messages back to back, each copied into a buffer of its
 * own size, so ASan sees any read past its end. */
#include "route/route_int.h"
#include "route/route_nft.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>


#define MASK 0x3f000000u

static struct route_member g_m[2];

static void members(void)
{
	if (g_m[0].name[0])
		return;
	snprintf(g_m[0].name, sizeof(g_m[0].name), "wan");
	g_m[0].fwmark = 0x01000000;
	route_addr_parse("10.1.0.2/30", &g_m[0].src[g_m[0].n_src++]);
	route_addr_parse("2001:db8:1::2/64", &g_m[0].src[g_m[0].n_src++]);
	snprintf(g_m[1].name, sizeof(g_m[1].name), "lte");
	g_m[1].fwmark = 0x02000000;
	route_addr_parse("10.3.0.2/30", &g_m[1].src[g_m[1].n_src++]);
}

static void one(const struct nlmsghdr *nlh)
{
	struct route_ct_entry e;
	char del[ROUTE_MSG_MAX] __attribute__((aligned(8)));
	int rc = route_ct_entry_parse(nlh, &e);
	if (rc == 0) {
		int owner = route_flows_owner(&e, MASK, g_m, 2);
		if (owner < -1 || owner > 1)
			abort();
		if (e.has_reply_dst && (e.family == AF_INET || e.family == AF_INET6))
			route_ct_msg_delete(del, &e, 1);
	}
	union route_ip a;
	memcpy(&a, &g_m[0].src[0].ip, sizeof(a));
	if (route_ct_match(nlh, AF_INET, &a, del, 2) == 1 &&
	    ((struct nlmsghdr *)del)->nlmsg_len > ROUTE_MSG_MAX)
		abort();
	route_nft_foreign_change("autonomy", 7, nlh);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	members();
	while (size >= sizeof(struct nlmsghdr)) {
		struct nlmsghdr h;
		memcpy(&h, data, sizeof(h));
		size_t len = h.nlmsg_len;
		if (len < sizeof(h) || len > size)
			break;
		void *buf = malloc(len);
		if (!buf)
			return 0;
		memcpy(buf, data, len);
		one(buf);
		free(buf);
		len = NLMSG_ALIGN(len);
		if (len >= size)
			break;
		data += len;
		size -= len;
	}
	return 0;
}
