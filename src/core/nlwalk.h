/* nlwalk: netlink messages and attributes walked within the bytes that are
 * really there. libmnl's walkers trust the message: mnl_attr_parse and
 * mnl_attr_for_each stop at the *aligned* nlmsg_len, up to 3 bytes past
 * the end of a message whose length is not a multiple of 4, and
 * mnl_nlmsg_ok compares (int)nlmsg_len, so 0xffffffff passes as -1. The
 * kernel pads its messages; a truncated or hostile buffer need not (found
 * by fuzz_wifi_nl). Every netlink parser here walks with these. */
#ifndef AUTONOMY_CORE_NLWALK_H
#define AUTONOMY_CORE_NLWALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>

/* A whole message header and body within the left bytes. */
bool nlwalk_msg_ok(const struct nlmsghdr *nlh, size_t left);
/* The next message; *left shrinks by the aligned length (to 0 at the end). */
const struct nlmsghdr *nlwalk_msg_next(const struct nlmsghdr *nlh, size_t *left);

/* Returns < 0 to stop the walk with that value. */
typedef int (*nlwalk_attr_fn)(const struct nlattr *a, void *arg);

/* Every attribute in [start, start + len). Returns 0 when the bytes were
 * whole attributes, 1 when bytes are left over that are not one (a cut
 * message), or the callback's negative value. */
int nlwalk_attrs(const void *start, size_t len, nlwalk_attr_fn fn, void *arg);
/* The attributes after a family header of hdrlen bytes, up to nlmsg_len;
 * -1 when the header itself does not fit. */
int nlwalk_attrs_msg(const struct nlmsghdr *nlh, size_t hdrlen, nlwalk_attr_fn fn, void *arg);
/* The attributes nested in a. */
int nlwalk_attrs_nested(const struct nlattr *a, nlwalk_attr_fn fn, void *arg);

/* Index form: tb[type] = the last attribute of each type up to max (others
 * skipped). -1 when the message is malformed (header too short, or bytes
 * left that are not a whole attribute). */
int nlwalk_index_msg(const struct nlmsghdr *nlh, size_t hdrlen, const struct nlattr **tb,
		     uint16_t max);
int nlwalk_index_nested(const struct nlattr *a, const struct nlattr **tb, uint16_t max);
int nlwalk_index(const void *start, size_t len, const struct nlattr **tb, uint16_t max);

#endif
