/* sl_predict: every rule of sl_predict.h on hand-made dish answers, with a
 * fake monotonic clock and wall clock that advance together. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "starlink/sl_predict.h"

#define S 1000000ULL
#define T0 (1000 * S)
#define W0 1764300000LL

struct dish {
	struct sl_predict p;
	struct loclearn learn;
	struct sl_status st;
	struct tel_verdict v;
	uint64_t now;
	int64_t wall;
};

static struct dish *dish_new(bool learn)
{
	static struct dish d;
	struct sl_predict_params pp;

	memset(&d, 0, sizeof(d));
	sl_predict_params_default(&pp);
	loclearn_init(&d.learn);
	if (learn)
		pp.learn = &d.learn;
	sl_predict_init(&d.p, &pp);
	d.now = T0;
	d.wall = W0;
	d.st.pop_ping_latency_ms = 30;
	d.st.uptime_s = 10000;
	d.st.disablement_code = SL_DIS_OKAY;
	d.st.software_update_state = SL_SWU_IDLE;
	return &d;
}

static void advance(struct dish *d, unsigned secs)
{
	d->now += secs * S;
	d->wall += secs;
	d->st.uptime_s += secs;
}

static const struct tel_verdict *poll(struct dish *d)
{
	sl_predict_status(&d->p, &d->st, d->now, d->wall);
	sl_predict_eval(&d->p, d->now, d->wall, &d->v);
	return &d->v;
}

static const struct tel_verdict *eval(struct dish *d)
{
	sl_predict_eval(&d->p, d->now, d->wall, &d->v);
	return &d->v;
}

static bool has_pen(const struct tel_verdict *v, const char *text, int points)
{
	for (unsigned i = 0; i < v->n_pen; i++)
		if (strstr(v->pen[i].reason, text) && (points < 0 || v->pen[i].points == points))
			return true;
	return false;
}

static void test_healthy_dish_says_nothing(void **st)
{
	struct dish *d = dish_new(false);
	const struct tel_verdict *v = poll(d);
	assert_false(v->predicted);
	assert_false(v->exclude);
	assert_int_equal(v->n_pen, 0);
	assert_false(sl_predict_suspect(&d->p));
}

/* Announced 10 min ahead: nothing until the lead, then predicted through
 * the reboot until the dish has been connected for recover_s. */
static void test_scheduled_reboot(void **st)
{
	struct dish *d = dish_new(false);
	poll(d);
	d->st.software_update_state = SL_SWU_REBOOT_REQUIRED;
	d->st.reboot_scheduled_utc = d->wall + 600;
	assert_false(poll(d)->predicted);
	assert_int_equal(d->p.plan, SL_PLAN_ANNOUNCED);
	uint64_t next = sl_predict_next_us(&d->p, d->now, d->wall);
	assert_int_equal(next, d->now + (600 - 60) * S);
	advance(d, 539);
	assert_false(eval(d)->predicted);
	advance(d, 1);
	assert_true(eval(d)->predicted);           /* time alone, no new answer */
	assert_non_null(strstr(d->v.predict_reason, "software update"));
	assert_string_equal(d->v.predict_kind, TEL_PRECURSOR_PLANNED);
	assert_true(fabs(d->v.predict_strength - 4) < 1e-9);
	assert_int_equal(d->v.predict_horizon_s, 60 + 120);     /* due in 60 s, 2 min slack */
	assert_true(sl_predict_suspect(&d->p));
	advance(d, 60);                             /* the reboot: outage BOOTING */
	d->st.has_outage = true;
	d->st.outage.cause = SL_CAUSE_BOOTING;
	d->st.uptime_s = 5;
	assert_true(poll(d)->predicted);
	assert_int_equal(d->p.plan, SL_PLAN_OUTAGE);
	advance(d, 90);
	d->st.has_outage = false;
	d->st.reboot_scheduled_utc = 0;
	d->st.software_update_state = SL_SWU_IDLE;
	assert_true(poll(d)->predicted);
	assert_int_equal(d->p.plan, SL_PLAN_RECOVERING);
	assert_int_equal(sl_predict_next_us(&d->p, d->now, d->wall), d->now + 30 * S);
	advance(d, 29);
	assert_true(eval(d)->predicted);
	advance(d, 1);
	assert_false(eval(d)->predicted);
	assert_int_equal(d->p.plan, SL_PLAN_NONE);
}

/* A dish that stops answering at its reboot time is rebooting. */
static void test_reboot_seen_as_silence(void **st)
{
	struct dish *d = dish_new(false);
	d->st.reboot_scheduled_utc = d->wall + 100;
	poll(d);
	advance(d, 45);
	assert_true(eval(d)->predicted);
	advance(d, 60);
	sl_predict_error(&d->p, "deadline", d->now);
	assert_true(eval(d)->predicted);
	assert_int_equal(d->p.plan, SL_PLAN_OUTAGE);
	advance(d, 60);
	d->st.reboot_scheduled_utc = 0;
	d->st.uptime_s = 40;
	poll(d);
	assert_int_equal(d->p.plan, SL_PLAN_RECOVERING);
}

static void test_reboot_that_never_comes_is_dropped(void **st)
{
	struct dish *d = dish_new(false);
	d->st.reboot_scheduled_utc = d->wall + 100;
	poll(d);
	advance(d, 50);
	assert_true(poll(d)->predicted);
	advance(d, 100 + 900);
	assert_false(poll(d)->predicted);
	assert_int_equal(d->p.plan, SL_PLAN_NONE);
}

static void test_reboot_cancelled_before_lead(void **st)
{
	struct dish *d = dish_new(false);
	d->st.reboot_scheduled_utc = d->wall + 3600;
	poll(d);
	assert_int_equal(d->p.plan, SL_PLAN_ANNOUNCED);
	d->st.reboot_scheduled_utc = 0;
	poll(d);
	assert_int_equal(d->p.plan, SL_PLAN_NONE);
}

static void test_reboot_ready_without_time(void **st)
{
	struct dish *d = dish_new(false);
	d->st.swupdate_reboot_ready = true;
	d->st.seconds_until_swupdate_reboot_possible = 30;
	assert_true(poll(d)->predicted);            /* within the 60 s lead */
}

static void test_stow(void **st)
{
	struct dish *d = dish_new(false);
	d->st.stow_requested = true;
	assert_true(poll(d)->predicted);
	assert_non_null(strstr(d->v.predict_reason, "stow"));
	advance(d, 5);
	d->st.has_outage = true;
	d->st.outage.cause = SL_CAUSE_STOWED;
	assert_true(poll(d)->predicted);
	advance(d, 60);
	d->st.stow_requested = false;
	d->st.has_outage = false;
	assert_true(poll(d)->predicted);            /* recovering */
	advance(d, 31);
	assert_false(poll(d)->predicted);
}

static void test_thermal(void **st)
{
	struct dish *d = dish_new(false);
	d->st.alerts = SL_ALERT(SL_AL_THERMAL_THROTTLE);
	const struct tel_verdict *v = poll(d);
	assert_false(v->predicted);
	assert_true(has_pen(v, "thermal throttling", 10));
	d->st.alerts |= SL_ALERT(SL_AL_THERMAL_SHUTDOWN);
	assert_true(poll(d)->predicted);
}

static void test_outage_reported_now(void **st)
{
	struct dish *d = dish_new(false);
	d->st.has_outage = true;
	d->st.outage.cause = SL_CAUSE_NO_SCHEDULE;
	assert_true(poll(d)->predicted);
	assert_non_null(strstr(d->v.predict_reason, "NO_SCHEDULE"));
	assert_string_equal(d->v.predict_kind, TEL_PRECURSOR_OUTAGE);
	d->st.has_outage = false;
	assert_false(poll(d)->predicted);
}

/* The replay library's obstruction trace: fraction rising, then obstructed
 * with drops: predicted (weakly, until the drops have lasted 4 s);
 * cleared 10 s after the sky is clear. */
static void test_obstruction_building(void **st)
{
	struct dish *d = dish_new(false);
	d->st.fraction_obstructed = 0.01f;
	assert_false(poll(d)->predicted);
	advance(d, 30);
	d->st.fraction_obstructed = 0.03f;
	assert_false(poll(d)->predicted);
	assert_true(sl_predict_suspect(&d->p));     /* the sky fraction is rising: poll fast */
	advance(d, 30);
	d->st.fraction_obstructed = 0.06f;
	d->st.currently_obstructed = true;
	d->st.pop_ping_drop_rate = 0.02f;
	const struct tel_verdict *v = poll(d);
	assert_true(v->predicted);                  /* obstructed, the sky filling in */
	assert_true(fabs(v->predict_strength - 0.5) < 1e-9);
	assert_null(strstr(v->predict_reason, "drop"));
	advance(d, 2);                              /* drops for 2 s: could be a blip */
	assert_true(fabs(poll(d)->predict_strength - 0.5) < 1e-9);
	advance(d, 2);                              /* for 4 s: a ramp */
	v = poll(d);
	assert_true(fabs(v->predict_strength - 2) < 1e-9);
	assert_non_null(strstr(v->predict_reason, "obstruction building"));
	/* The reason names the evidence there is, not an empty history. */
	assert_non_null(strstr(v->predict_reason, "dish drop rate 2 %"));
	assert_non_null(strstr(v->predict_reason, "obstructed fraction rising"));
	assert_null(strstr(v->predict_reason, "of the last 15 s"));
	assert_true(has_pen(v, "obstructed now", 10));
	assert_true(sl_predict_suspect(&d->p));
	advance(d, 20);
	d->st.currently_obstructed = false;
	d->st.pop_ping_drop_rate = 0;
	assert_true(poll(d)->predicted);
	advance(d, 9);
	assert_true(poll(d)->predicted);
	advance(d, 2);
	assert_false(poll(d)->predicted);
}

/* Obstructed alone is a penalty, not a move (it is common and short). */
static void test_obstructed_without_ramp_is_penalty_only(void **st)
{
	struct dish *d = dish_new(false);
	d->st.currently_obstructed = true;
	const struct tel_verdict *v = poll(d);
	assert_false(v->predicted);
	assert_true(has_pen(v, "obstructed now", 10));
}

static void fill_history(struct sl_history *h, unsigned n, unsigned drops_at_end, float drop)
{
	memset(h, 0, sizeof(*h));
	h->current = 5000;
	h->ring_len = 900;
	h->n = n;
	for (unsigned i = 0; i < n; i++) {
		h->latency_ms[i] = 30;
		h->drop[i] = i >= n - drops_at_end ? drop : 0;
	}
}

static void test_history_ramp_with_obstruction(void **st)
{
	struct dish *d = dish_new(false);
	static struct sl_history h;
	d->st.currently_obstructed = true;
	poll(d);
	assert_false(d->v.predicted);
	fill_history(&h, 900, 4, 0.2f);
	sl_predict_history(&d->p, &h, d->now, d->wall);
	assert_true(eval(d)->predicted);
	assert_non_null(strstr(d->v.predict_reason, "4 of the last 15 s"));
}

/* The captured dish's normal (drops at every 15-s slot boundary, 1-3 s of
 * them) with a flicker of `obstructed`: a busy quarter-minute is no ramp
 * there. The same count on a clean dish is one. */
static void test_ramp_is_judged_against_the_dishs_normal(void **st)
{
	struct dish *d = dish_new(false);
	static struct sl_history h;
	fill_history(&h, 900, 0, 0);
	for (unsigned i = 0; i < 900; i++)
		h.drop[i] = i % 15 < 3 ? 1.0f / 15 : 0;
	d->st.currently_obstructed = true;
	d->st.pop_ping_drop_rate = 1.0f / 15;       /* polled in a blip */
	sl_predict_history(&d->p, &h, d->now, d->wall);
	assert_false(poll(d)->predicted);
	assert_true(has_pen(&d->v, "obstructed now", 10));
	fill_history(&h, 900, 3, 1.0f / 15);
	sl_predict_history(&d->p, &h, d->now, d->wall);
	assert_true(poll(d)->predicted);
	assert_string_equal(d->v.predict_kind, TEL_PRECURSOR_OBSTRUCTION);
	assert_true(fabs(d->v.predict_strength - 1) < 1e-9);
	assert_int_equal(d->v.predict_horizon_s, 120);
}

/* Obstructed with the sky fraction rising but no drops: half the evidence
 * (the engine moves on it only when the probes agree). */
static void test_rising_without_drops_is_weak(void **st)
{
	struct dish *d = dish_new(false);
	d->st.fraction_obstructed = 0.03f;
	poll(d);
	advance(d, 60);
	d->st.fraction_obstructed = 0.05f;
	d->st.currently_obstructed = true;
	assert_true(poll(d)->predicted);
	assert_true(fabs(d->v.predict_strength - 0.5) < 1e-9);
	assert_null(strstr(d->v.predict_reason, "drop"));
}

static void test_history_drop_penalty(void **st)
{
	struct dish *d = dish_new(false);
	static struct sl_history h;
	poll(d);
	fill_history(&h, 900, 60, 0.22f);          /* 22 % over the last minute */
	sl_predict_history(&d->p, &h, d->now, d->wall);
	assert_true(has_pen(eval(d), "drop rate 22 %", 10));
	assert_false(d->v.predicted);              /* no obstruction: probes judge */
}

static void test_disablement_excludes(void **st)
{
	struct dish *d = dish_new(false);
	d->st.disablement_code = SL_DIS_NO_ACTIVE_ACCOUNT;
	const struct tel_verdict *v = poll(d);
	assert_true(v->exclude);
	assert_non_null(strstr(v->exclude_reason, "NO_ACTIVE_ACCOUNT"));
	d->st.disablement_code = SL_DIS_UNKNOWN;   /* not reported: fine */
	assert_false(poll(d)->exclude);
}

static void test_latency_zero_bug(void **st)
{
	struct dish *d = dish_new(false);
	d->st.pop_ping_latency_ms = 0;
	poll(d);
	advance(d, 30);
	poll(d);
	assert_false(d->p.latency_bogus);
	advance(d, 30);
	poll(d);
	assert_true(d->p.latency_bogus);
	d->st.pop_ping_latency_ms = 33;
	poll(d);
	assert_false(d->p.latency_bogus);
	/* a real outage (all pings dropped) is not the bug */
	d->st.pop_ping_latency_ms = 0;
	d->st.pop_ping_drop_rate = 1;
	for (int i = 0; i < 4; i++)
		poll(d);
	assert_false(d->p.latency_bogus);
}

static void test_dish_not_answering(void **st)
{
	struct dish *d = dish_new(false);
	sl_predict_error(&d->p, "connect refused", d->now);
	sl_predict_error(&d->p, "connect refused", d->now);
	assert_int_equal(eval(d)->n_pen, 0);        /* never answered: not a signal */
	poll(d);
	advance(d, 30);
	sl_predict_error(&d->p, "deadline exceeded", d->now);
	assert_int_equal(eval(d)->n_pen, 0);
	sl_predict_error(&d->p, "deadline exceeded", d->now);
	assert_true(has_pen(eval(d), "dish not answering (2 calls failed: deadline exceeded)", 10));
}

static void test_stale_status_ignored(void **st)
{
	struct dish *d = dish_new(false);
	d->st.is_snr_persistently_low = true;
	assert_true(has_pen(poll(d), "SNR", 15));
	advance(d, 301);
	assert_int_equal(eval(d)->n_pen, 0);
}

static void test_predictive_off(void **st)
{
	struct dish *d = dish_new(false);
	struct sl_predict_params pp = d->p.p;
	pp.predictive = false;
	sl_predict_configure(&d->p, &pp);
	d->st.stow_requested = true;
	d->st.currently_obstructed = true;
	d->st.pop_ping_drop_rate = 0.05f;
	const struct tel_verdict *v = poll(d);
	assert_false(v->predicted);
	assert_true(has_pen(v, "obstructed now", 10));
}

/* Obstruction outages recurring here: obstructed alone is then enough. */
static void test_learned_place(void **st)
{
	struct dish *d = dish_new(true);
	sl_predict_place(&d->p, "cell-a");
	poll(d);
	for (int k = 0; k < 4; k++) {
		advance(d, 600);
		d->st.has_outage = true;
		d->st.outage.cause = SL_CAUSE_OBSTRUCTED;
		d->st.outage.start_ns = 0;
		poll(d);
		advance(d, 10);
		d->st.has_outage = false;
		poll(d);
	}
	assert_true(d->p.here.recurring);
	d->st.currently_obstructed = true;
	assert_true(poll(d)->predicted);
	/* somewhere else nothing is known */
	d->st.currently_obstructed = false;
	advance(d, 40);
	poll(d);
	sl_predict_place(&d->p, "cell-b");
	advance(d, 1);
	d->st.currently_obstructed = true;
	poll(d);
	assert_false(d->p.here.recurring);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_healthy_dish_says_nothing),
		cmocka_unit_test(test_scheduled_reboot),
		cmocka_unit_test(test_reboot_seen_as_silence),
		cmocka_unit_test(test_reboot_that_never_comes_is_dropped),
		cmocka_unit_test(test_reboot_cancelled_before_lead),
		cmocka_unit_test(test_reboot_ready_without_time),
		cmocka_unit_test(test_stow),
		cmocka_unit_test(test_thermal),
		cmocka_unit_test(test_outage_reported_now),
		cmocka_unit_test(test_obstruction_building),
		cmocka_unit_test(test_obstructed_without_ramp_is_penalty_only),
		cmocka_unit_test(test_history_ramp_with_obstruction),
		cmocka_unit_test(test_history_drop_penalty),
		cmocka_unit_test(test_ramp_is_judged_against_the_dishs_normal),
		cmocka_unit_test(test_rising_without_drops_is_weak),
		cmocka_unit_test(test_disablement_excludes),
		cmocka_unit_test(test_latency_zero_bug),
		cmocka_unit_test(test_dish_not_answering),
		cmocka_unit_test(test_stale_status_ignored),
		cmocka_unit_test(test_predictive_off),
		cmocka_unit_test(test_learned_place),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
