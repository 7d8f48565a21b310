/* libFuzzer target for the shaper's tc dump parser (qos_parse) and what
 * consumes it (qos_have_add, qos_compare): the bytes are walked as a dump
 * of netlink messages, each parsed in a buffer of exactly the bytes left,
 * so ASan sees any read past the end. Invariants: counts within their
 * arrays, and compare answers one of its values. */
#include "qos/qos_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t canon[QOS_N_CATS] = { 1, 2, 3, 4 };
	uint8_t *buf = malloc(size ? size : 1);
	struct qos_have h;
	struct qos_plan p;
	struct qos_want w;
	memcpy(buf, data, size);
	memset(&h, 0, sizeof(h));
	size_t off = 0;
	while (off + sizeof(struct nlmsghdr) <= size) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)(buf + off);
		struct qos_kobj o;
		size_t left = size - off;
		int rc = qos_parse(nlh, left, &o);
		if (rc == 0) {
			if (strnlen(o.kind, sizeof(o.kind)) == sizeof(o.kind))
				abort();
			qos_have_add(&h, &o, o.ifindex);
		}
		size_t step = NLMSG_ALIGN(nlh->nlmsg_len);
		if (rc < 0 || step == 0 || step > left)
			break;
		off += step;
	}
	if (h.n_classes > 1 + QOS_MAX_TIERS || h.n_leaves > QOS_MAX_TIERS ||
	    h.n_filters > QOS_MAX_FILTERS)
		abort();
	qos_plan_build(&p, size & 1, QOS_SHARE_FAIR, 4, canon, false);
	qos_want_build(&w, &p, (size & 2) ? QOS_KIND_CAKE : QOS_KIND_HTB, QOS_LEAF_PFIFO, 10000);
	if ((unsigned)qos_compare(&w, &h) > QOS_FOREIGN)
		abort();
	free(buf);
	return 0;
}
