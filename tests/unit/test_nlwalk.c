/* nlwalk: netlink walks bounded by the bytes received (issue 13). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/nlwalk.h"

/* A message of len bytes (header included) in a zeroed 4-aligned buffer. */
static struct nlmsghdr *msg(uint32_t *buf, size_t size, uint32_t len)
{
	memset(buf, 0, size);
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	nlh->nlmsg_len = len;
	return nlh;
}

static void put_attr(void *at, uint16_t len, uint16_t type)
{
	struct nlattr a = { .nla_len = len, .nla_type = type };
	memcpy(at, &a, sizeof(a));
}

static void test_msg_bounds(void **state)
{
	uint32_t buf[16];
	size_t left = sizeof(buf);
	/* libmnl's (int)nlmsg_len let 0xffffffff pass as -1 */
	assert_false(nlwalk_msg_ok(msg(buf, sizeof(buf), 0xffffffffu), left));
	assert_false(nlwalk_msg_ok(msg(buf, sizeof(buf), 8), left));
	assert_false(nlwalk_msg_ok(msg(buf, sizeof(buf), 16), 12));
	assert_true(nlwalk_msg_ok(msg(buf, sizeof(buf), 21), left));
	/* The next message starts at the aligned length, never past the end. */
	const struct nlmsghdr *n = nlwalk_msg_next((struct nlmsghdr *)buf, &left);
	assert_int_equal(left, sizeof(buf) - 24);
	assert_ptr_equal(n, (const char *)buf + 24);
	left = 22;
	nlwalk_msg_next((struct nlmsghdr *)buf, &left);
	assert_int_equal(left, 0);
}

static int count(const struct nlattr *a, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

static void test_attrs_within_nlmsg_len(void **state)
{
	uint32_t buf[16];
	const struct nlattr *tb[8];
	int n = 0;
	/* header 16 + family header 4 + an 8-byte attribute + one of 10 bytes
	 * of which only 9 are in the message (nlmsg_len 37, as the fuzzer's) */
	struct nlmsghdr *nlh = msg(buf, sizeof(buf), 37);
	char *p = (char *)buf;
	put_attr(p + 20, 8, 3);
	put_attr(p + 28, 10, 6);
	assert_int_equal(nlwalk_attrs_msg(nlh, 4, count, &n), 1);    /* 1: cut */
	assert_int_equal(n, 1);
	assert_int_equal(nlwalk_index_msg(nlh, 4, tb, 7), -1);
	/* The whole attribute there, the last one without its padding: fine. */
	nlh->nlmsg_len = 38;
	assert_int_equal(nlwalk_index_msg(nlh, 4, tb, 7), 0);
	assert_non_null(tb[3]);
	assert_non_null(tb[6]);
	/* Types past max are skipped (tb[max + 1..] untouched); a header that
	 * does not fit is an error. */
	tb[6] = (const struct nlattr *)buf;
	assert_int_equal(nlwalk_index_msg(nlh, 4, tb, 5), 0);
	assert_non_null(tb[3]);
	assert_ptr_equal(tb[6], buf);
	nlh->nlmsg_len = 18;
	assert_int_equal(nlwalk_index_msg(nlh, 4, tb, 7), -1);
	nlh->nlmsg_len = 38;
	n = 0;
	assert_int_equal(nlwalk_attrs_msg(nlh, 4, count, &n), 0);
	assert_int_equal(n, 2);
}

static int stop_at_first(const struct nlattr *a, void *arg)
{
	return -7;
}

static void test_nested_and_stop(void **state)
{
	uint32_t buf[8];
	memset(buf, 0, sizeof(buf));
	char *p = (char *)buf;
	put_attr(p, 4 + 8 + 5, 1);       /* a nest holding one 8-byte and a cut one */
	put_attr(p + 4, 8, 2);
	put_attr(p + 12, 6, 3);
	const struct nlattr *tb[4];
	assert_int_equal(nlwalk_index_nested((const struct nlattr *)p, tb, 3), -1);
	/* A callback's negative value stops the walk and is returned. */
	assert_int_equal(nlwalk_attrs_nested((const struct nlattr *)p, stop_at_first, NULL), -7);
	/* Fewer than 4 bytes left over is not an attribute either. */
	assert_int_equal(nlwalk_index(p + 4, 10, tb, 3), -1);
	assert_int_equal(nlwalk_index(p + 4, 8, tb, 3), 0);
	assert_non_null(tb[2]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_msg_bounds),
		cmocka_unit_test(test_attrs_within_nlmsg_len),
		cmocka_unit_test(test_nested_and_stop),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
