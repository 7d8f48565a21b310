/* A config that uses a telemetry kind this build was made without gets a
 * warning naming it (config/cfg_kinds.c); with the kind built, none. Runs
 * in every build: the all-kinds-off build of scripts/test.sh checks the
 * warnings, the normal build their absence. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "config/config.h"

static const char conf[] =
	"config autonomy 'starlink'\n"          /* 1 */
	"\toption api_timeout_ms '900'\n"       /* 2 */
	"config autonomy 'gps'\n"               /* 3 */
	"\toption gpsd_port '2948'\n"           /* 4 */
	"config member 'sat'\n"                 /* 5 */
	"\toption device 'sl'\n"                /* 6 */
	"\toption class 'starlink'\n"           /* 7 */
	"config member 'lte'\n"                 /* 8 */
	"\toption device 'wwan0'\n"             /* 9 */
	"\toption class 'cellular'\n"           /* 10 */
	"\toption data_limit_mb '20000'\n"      /* 11 */
	"config member 'wlan'\n"                /* 12 */
	"\toption device 'wlan0'\n"             /* 13 */
	"\toption class 'wifi'\n";              /* 14 */

/* The warning about kind `name` at `line`, or NULL. */
static const char *find(const struct cfg_diags *dg, const char *name, int line)
{
	char what[64];
	snprintf(what, sizeof(what), "%s telemetry is not built", name);
	for (size_t i = 0; i < dg->n; i++)
		if (dg->v[i].line == line && strstr(dg->v[i].msg, what)) {
			assert_int_equal(dg->v[i].severity, CFG_WARNING);
			return dg->v[i].msg;
		}
	return NULL;
}

static void test_not_built_is_a_warning(void **st)
{
	struct cfg_diags dg = { 0 };
	struct config *cfg = config_load_buf("k.conf", conf, strlen(conf), &dg);
	assert_non_null(cfg);           /* a warning: the config loads */
	assert_int_equal(dg.n_errors, 0);
	assert_int_equal(find(&dg, "starlink", 2) != NULL, !AUTONOMY_WITH_STARLINK);
	assert_int_equal(find(&dg, "starlink", 7) != NULL, !AUTONOMY_WITH_STARLINK);
	assert_int_equal(find(&dg, "gps", 4) != NULL, !AUTONOMY_WITH_GPS);
	assert_int_equal(find(&dg, "cellular", 10) != NULL, !AUTONOMY_WITH_CELLULAR);
	assert_int_equal(find(&dg, "usage", 11) != NULL, !AUTONOMY_WITH_USAGE);
	assert_int_equal(find(&dg, "wifi", 14) != NULL, !AUTONOMY_WITH_WIFI);
	if (!AUTONOMY_WITH_STARLINK) {
		const char *m = find(&dg, "starlink", 7);
		assert_non_null(strstr(m, "k.conf:7: member.sat: class 'starlink'"));
		assert_non_null(strstr(m, "ignored"));
		assert_string_equal(cfg_kind_missing("starlink"), "starlink");
	} else {
		assert_null(cfg_kind_missing("starlink"));
	}
	assert_null(cfg_kind_missing("lan"));
	config_free(cfg);
	cfg_diags_free(&dg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_built_is_a_warning),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
