/* policy: the one place where member state, telemetry and config become the
 * decision engine's input and the probing role (daemon and replay alike). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "config/config.h"
#include "engine/policy.h"

#define S 1000000ULL
#define T0 (1000 * S)

static void up_member(struct mstate *ms, uint64_t *now)
{
	struct mstate_params mp;
	mstate_params_default(&mp);
	mstate_init(ms, &mp, 1, SCHED_STANDBY, 1, *now);
	for (int i = 0; i < 20; i++) {
		*now += 500000;
		mstate_outcome(ms, MSTATE_REPLY, *now - 30000, 30000, *now);
	}
}

static struct config *load(const char *text)
{
	struct cfg_diags dg = { 0 };
	struct config *cfg = config_load_buf("test.conf", text, strlen(text), &dg);
	cfg_diags_free(&dg);
	assert_non_null(cfg);
	return cfg;
}

static void test_metered(void **st)
{
	assert_false(policy_metered(false, 0));
	assert_true(policy_metered(true, 0));
	/* a data cap makes a member metered whatever its flag says */
	assert_true(policy_metered(false, 20000));
}

/* bandwidth.metered_mode decides whether a metered standby is probed
 * sparsely; the daemon honoured it and the replay did not. */
static void test_role(void **st)
{
	struct policy_params on, off;
	struct policy_member m = { .name = "lte", .metered = true };
	struct policy_member w = { .name = "wan", .metered = false };
	struct config *cfg = load("config autonomy 'bandwidth'\n\toption metered_mode '0'\n");

	policy_params_from_config(NULL, &on);
	assert_true(on.metered_mode);
	policy_params_from_config(cfg, &off);
	assert_false(off.metered_mode);
	config_free(cfg);

	assert_int_equal(policy_role(&on, &m, false, false), SCHED_METERED_STANDBY);
	assert_int_equal(policy_role(&off, &m, false, false), SCHED_STANDBY);
	assert_int_equal(policy_role(&on, &w, false, false), SCHED_STANDBY);
	assert_int_equal(policy_role(&on, &m, true, false), SCHED_ACTIVE);
	/* the active member is down: everyone is a candidate, probed fast */
	assert_int_equal(policy_role(&on, &m, false, true), SCHED_ACTIVE);
	assert_int_equal(policy_role(&on, &w, false, true), SCHED_ACTIVE);
}

/* link_down comes from the detector's last link event, the reason from the
 * detector when it says down, else from the score. */
static void test_input_link(void **st)
{
	struct mstate ms;
	struct decide_input in;
	uint64_t now = T0;
	up_member(&ms, &now);
	struct policy_member m = { .name = "wan", .priority = 2, .enabled = true, .ms = &ms };

	policy_input(&m, &in);
	assert_string_equal(in.name, "wan");
	assert_int_equal(in.priority, 2);
	assert_true(in.enabled);
	assert_int_equal(in.state, HEALTH_UP);
	assert_int_equal(in.score, 100);
	assert_false(in.link_down);
	assert_false(in.predicted_outage || in.exclude);

	mstate_link(&ms, DETECT_LINK_NO_CARRIER, now + 1000);
	policy_input(&m, &in);
	assert_true(in.link_down);
	assert_int_equal(in.state, HEALTH_DOWN);
	assert_string_equal(in.reason, "no carrier");
}

/* Telemetry flags join the input: a data cap nearly used excludes. */
static void test_input_telemetry(void **st)
{
	struct mstate ms;
	struct tel_member tm;
	struct decide_input in;
	uint64_t now = T0;
	up_member(&ms, &now);
	memset(&tm, 0, sizeof(tm));
	struct policy_member m = { .name = "lte", .enabled = true, .ms = &ms, .tm = &tm };

	tel_exclude(&tm.v, "data cap: 97 %% used (19.4 of 20 GB)");
	policy_input(&m, &in);
	assert_true(in.exclude);
	assert_non_null(strstr(in.exclude_reason, "data cap"));
	assert_false(in.link_down);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_metered),
		cmocka_unit_test(test_role),
		cmocka_unit_test(test_input_link),
		cmocka_unit_test(test_input_telemetry),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
