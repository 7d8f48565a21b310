/* owrt_mwan3_rules: mwan3's policy rules (owrt_mwan3_rules.h). */
#include "openwrt/owrt_mwan3_rules.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "core/nlwalk.h"
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#define DUMP_BUF 32768

struct rule_attrs {
	uint32_t pref, mark, mask, table;
	bool has_pref, has_mark, has_mask;
};

static void rule_attrs(const struct nlmsghdr *nlh, struct rule_attrs *ra)
{
	const struct fib_rule_hdr *frh = mnl_nlmsg_get_payload(nlh);
	const char *end = (const char *)nlh + nlh->nlmsg_len;
	const char *p = (const char *)nlh + NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(*frh));
	memset(ra, 0, sizeof(*ra));
	ra->table = frh->table;
	while (p < end && mnl_attr_ok((const struct nlattr *)p, (int)(end - p))) {
		const struct nlattr *a = (const struct nlattr *)p;
		bool u32 = mnl_attr_get_payload_len(a) == sizeof(uint32_t);
		switch (mnl_attr_get_type(a)) {
		case FRA_PRIORITY: ra->has_pref = u32; ra->pref = u32 ? mnl_attr_get_u32(a) : 0; break;
		case FRA_FWMARK: ra->has_mark = u32; ra->mark = u32 ? mnl_attr_get_u32(a) : 0; break;
		case FRA_FWMASK: ra->has_mask = u32; ra->mask = u32 ? mnl_attr_get_u32(a) : 0; break;
		case FRA_TABLE: if (u32) ra->table = mnl_attr_get_u32(a); break;
		default: break;
		}
		p += NLMSG_ALIGN(a->nla_len);
	}
}

static bool is_mwan3(const struct nlmsghdr *nlh)
{
	if (nlh->nlmsg_type != RTM_NEWRULE ||
	    nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(struct fib_rule_hdr))
		return false;
	const struct fib_rule_hdr *frh = mnl_nlmsg_get_payload(nlh);
	struct rule_attrs ra;
	rule_attrs(nlh, &ra);
	/* A mark under a mask other than all ones: mwan3's MMX_MASK. */
	if (!ra.has_pref || !ra.has_mark || !ra.has_mask || ra.mask == 0 ||
	    ra.mask == 0xffffffffu || ra.pref <= 2000 || ra.pref >= 4000)
		return false;
	if (frh->action == FR_ACT_BLACKHOLE || frh->action == FR_ACT_UNREACHABLE)
		return true;
	return frh->action == FR_ACT_TO_TBL && ra.pref < 3000 && ra.table == ra.pref - 2000;
}

unsigned owrt_mwan3_rules_scan(const void *buf, size_t len, struct owrt_mwan3_seen *seen)
{
	const char *p = buf;
	while (len >= NLMSG_HDRLEN) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)p;
		if (nlh->nlmsg_len < NLMSG_HDRLEN || nlh->nlmsg_len > len)
			break;
		if (is_mwan3(nlh) && seen->rules++ == 0) {
			struct rule_attrs ra;
			rule_attrs(nlh, &ra);
			seen->first_pref = ra.pref;
			seen->first_mark = ra.mark;
			seen->first_mask = ra.mask;
		}
		size_t step = NLMSG_ALIGN(nlh->nlmsg_len);
		if (step >= len)
			break;
		p += step;
		len -= step;
	}
	return seen->rules;
}

/* One family's dump, read to NLMSG_DONE (bounded: the kernel answers a
 * dump at once; a receive timeout keeps a wedged socket from hanging). */
static int dump_family(struct mnl_socket *nl, uint8_t family, uint32_t seq,
		       struct owrt_mwan3_seen *seen)
{
	static char buf[DUMP_BUF] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETRULE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	struct fib_rule_hdr *frh = mnl_nlmsg_put_extra_header(nlh, sizeof(*frh));
	frh->family = family;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	for (;;) {
		ssize_t got = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (got < 0)
			return -1;
		size_t n = (size_t)got;
		for (const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
		     nlwalk_msg_ok(h, n); h = nlwalk_msg_next(h, &n)) {
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				errno = EPROTO;
				return -1;
			}
			owrt_mwan3_rules_scan(h, h->nlmsg_len, seen);
		}
	}
}

int owrt_mwan3_detect(struct owrt_mwan3_seen *seen)
{
	memset(seen, 0, sizeof(*seen));
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl)
		return -1;
	struct timeval tv = { .tv_sec = 1 };
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	int rc = mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID);
	uint32_t seq = (uint32_t)time(NULL);
	if (rc == 0)
		rc = dump_family(nl, AF_INET, seq, seen);
	/* A kernel without IPv6 answers the v6 dump with an error: v4 counts. */
	if (rc == 0)
		(void)dump_family(nl, AF_INET6, seq + 1, seen);
	int e = errno;
	mnl_socket_close(nl);
	errno = e;
	return rc < 0 ? -1 : (int)seen->rules;
}
