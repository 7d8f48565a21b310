/* The starlink kind through tel_member (engine/tel_kind.h): a scheduled
 * stow is a predicted outage; location learning follows the config; the
 * replay's dish (status objects, the virtual dish's outage start). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "config/config.h"
#include "engine/tel_member.h"
#include "starlink/replay_dish.h"
#include "starlink/sl_predict.h"

#define S 1000000ULL
#define T0 (1000 * S)
#define WALL 1764300000LL

static void test_predicted(void **st)
{
	struct tel_env e;
	struct tel_member t;
	struct decide_input in;
	struct sl_status s;

	assert_int_equal(tel_env_init(&e, NULL), 0);
	assert_int_equal(tel_member_init(&t, "starlink", &e), 0);
	struct sl_predict *p = tel_member_part(&t, t.kind);
	/* learning is on by default, with the kind's shared table */
	assert_ptr_equal(p->p.learn, e.shared[tel_kind_index(t.kind)]);
	memset(&s, 0, sizeof(s));
	s.stow_requested = true;
	sl_predict_status(p, &s, T0, WALL);
	tel_member_eval(&t, T0, WALL);
	memset(&in, 0, sizeof(in));
	tel_member_input(&t, &in);
	assert_true(in.predicted_outage);
	assert_string_equal(in.predict_reason, "dish stow requested");
	assert_int_equal(tel_member_next_us(&t, T0, WALL), t.kind->next_us(p, T0, WALL));
	tel_member_free(&t);
	tel_env_free(&e);
}

static void test_no_learning(void **st)
{
	const char *text = "config autonomy 'starlink'\n\toption location_learning '0'\n";
	struct cfg_diags dg = { 0 };
	struct config *cfg = config_load_buf("t.conf", text, strlen(text), &dg);
	struct tel_env e;
	struct tel_member t;

	assert_non_null(cfg);
	assert_int_equal(tel_env_init(&e, cfg), 0);
	assert_int_equal(tel_member_init(&t, "starlink", &e), 0);
	struct sl_predict *p = tel_member_part(&t, t.kind);
	assert_null(p->p.learn);
	tel_member_place(&t, "u33d9");
	assert_string_equal(p->place, "u33d9");
	tel_member_free(&t);
	tel_env_free(&e);
	config_free(cfg);
	cfg_diags_free(&dg);
}

/* The trace says the dish is out (no start time, as traces do): the status
 * the predictor gets carries the start the virtual dish saw. */
static void test_trace_outage_start(void **st)
{
	struct tel_env e;
	struct tel_member t;
	struct tel_clock c = { .now_us = T0, .wall_us = WALL * 1000000, .t0_us = T0 };
	json_object *out = json_tokener_parse("{\"outage\":{\"cause\":\"BOOTING\"}}");
	void *dish = replay_dish_new();

	assert_non_null(dish);
	assert_int_equal(tel_env_init(&e, NULL), 0);
	assert_int_equal(tel_member_init(&t, "starlink", &e), 0);
	c.now_us = T0 + 10 * S;
	c.wall_us += 10 * S;
	t.kind->peer_note(dish, out, &c);
	c.now_us += 5 * S;
	c.wall_us += 5 * S;
	assert_true(replay_dish_outage_ns(dish, &c) > 0);
	t.kind->trace_feed(&t, tel_member_part(&t, t.kind), dish, 0, out, &c);
	struct sl_predict *p = tel_member_part(&t, t.kind);
	assert_true(p->have);
	assert_true(p->st.has_outage);
	assert_true(p->st.outage.start_ns == replay_dish_outage_ns(dish, &c));
	/* fast polling while the link is suspect */
	assert_int_equal(t.kind->poll_ms(p, 0, 30000), sl_predict_suspect(p) ? 2000 : 0);
	replay_dish_free(dish);
	tel_member_free(&t);
	tel_env_free(&e);
	json_object_put(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_predicted),
		cmocka_unit_test(test_no_learning),
		cmocka_unit_test(test_trace_outage_start),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
