#include "core/nlwalk.h"

#include <string.h>

#include <libmnl/libmnl.h>

bool nlwalk_msg_ok(const struct nlmsghdr *nlh, size_t left)
{
	return left >= NLMSG_HDRLEN && nlh->nlmsg_len >= NLMSG_HDRLEN && nlh->nlmsg_len <= left;
}

const struct nlmsghdr *nlwalk_msg_next(const struct nlmsghdr *nlh, size_t *left)
{
	size_t step = NLMSG_ALIGN((size_t)nlh->nlmsg_len);
	if (step > *left)
		step = *left;
	*left -= step;
	return (const struct nlmsghdr *)((const char *)nlh + step);
}

int nlwalk_attrs(const void *start, size_t len, nlwalk_attr_fn fn, void *arg)
{
	const char *p = start;
	size_t left = len;
	while (left >= sizeof(struct nlattr)) {
		const struct nlattr *a = (const struct nlattr *)p;
		if (a->nla_len < sizeof(struct nlattr) || a->nla_len > left)
			return 1;
		int rc = fn(a, arg);
		if (rc < 0)
			return rc;
		size_t step = NLA_ALIGN((size_t)a->nla_len);
		if (step >= left)
			return 0;       /* the last attribute may lack its padding */
		p += step;
		left -= step;
	}
	return left ? 1 : 0;
}

int nlwalk_attrs_msg(const struct nlmsghdr *nlh, size_t hdrlen, nlwalk_attr_fn fn, void *arg)
{
	size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(hdrlen);
	if (nlh->nlmsg_len < NLMSG_HDRLEN + hdrlen)
		return -1;
	if (nlh->nlmsg_len <= off)
		return 0;
	return nlwalk_attrs((const char *)nlh + off, nlh->nlmsg_len - off, fn, arg);
}

int nlwalk_attrs_nested(const struct nlattr *a, nlwalk_attr_fn fn, void *arg)
{
	return nlwalk_attrs(mnl_attr_get_payload(a), mnl_attr_get_payload_len(a), fn, arg);
}

struct index_ctx {
	const struct nlattr **tb;
	uint16_t max;
};

static int index_one(const struct nlattr *a, void *arg)
{
	struct index_ctx *c = arg;
	uint16_t type = mnl_attr_get_type(a);
	if (type <= c->max)
		c->tb[type] = a;
	return 0;
}

int nlwalk_index(const void *start, size_t len, const struct nlattr **tb, uint16_t max)
{
	struct index_ctx c = { tb, max };
	memset(tb, 0, ((size_t)max + 1) * sizeof(*tb));
	return nlwalk_attrs(start, len, index_one, &c) == 0 ? 0 : -1;
}

int nlwalk_index_msg(const struct nlmsghdr *nlh, size_t hdrlen, const struct nlattr **tb,
		     uint16_t max)
{
	struct index_ctx c = { tb, max };
	memset(tb, 0, ((size_t)max + 1) * sizeof(*tb));
	return nlwalk_attrs_msg(nlh, hdrlen, index_one, &c) == 0 ? 0 : -1;
}

int nlwalk_index_nested(const struct nlattr *a, const struct nlattr **tb, uint16_t max)
{
	return nlwalk_index(mnl_attr_get_payload(a), mnl_attr_get_payload_len(a), tb, max);
}
