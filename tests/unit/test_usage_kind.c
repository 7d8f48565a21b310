/* The usage kind through tel_member (engine/tel_kind.h): the data-cap rule
 * on every member, switched by bandwidth.data_limit_enabled. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "config/config.h"
#include "engine/tel_member.h"
#include "usage/usage_assess.h"

#define S 1000000ULL
#define T0 (1000 * S)

static void test_cap(void **st)
{
	const char *off = "config autonomy 'bandwidth'\n\toption data_limit_enabled '0'\n";
	struct cfg_diags dg = { 0 };
	struct config *cfg = config_load_buf("t.conf", off, strlen(off), &dg);
	const struct tel_kind *k = tel_kind_find("usage");
	struct tel_env e;
	struct tel_member t;
	struct decide_input in;

	assert_non_null(cfg);
	assert_non_null(k);
	assert_int_equal(tel_env_init(&e, NULL), 0);
	assert_int_equal(tel_member_init(&t, "lan", &e), 0);     /* on every member */
	struct usage_assess *a = tel_member_part(&t, k);
	assert_non_null(a);
	usage_assess_set(a, 94.9, "18980 of 20000 MB");
	tel_member_eval(&t, T0, 0);
	assert_false(t.v.exclude);
	usage_assess_set(a, 95.0, "19000 of 20000 MB");
	tel_member_eval(&t, T0, 0);
	assert_true(t.v.exclude);
	memset(&in, 0, sizeof(in));
	tel_member_input(&t, &in);
	assert_true(in.exclude);
	assert_string_equal(in.exclude_reason, "data cap: 95 % used (19000 of 20000 MB)");
	e.cfg = cfg;
	tel_member_configure(&t, &e);
	tel_member_eval(&t, T0, 0);
	assert_false(t.v.exclude);
	e.cfg = NULL;
	usage_assess_set(a, NAN, "");
	tel_member_configure(&t, &e);
	tel_member_eval(&t, T0, 0);
	assert_false(t.v.exclude);
	/* the replay's usage_mb lines */
	k->trace_usage(a, 19500, 20000);
	tel_member_eval(&t, T0, 0);
	assert_string_equal(t.v.exclude_reason, "data cap: 98 % used (19500 of 20000 MB)");
	tel_member_free(&t);
	tel_env_free(&e);
	config_free(cfg);
	cfg_diags_free(&dg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
