/* sl_kind: the Starlink dish as a telemetry kind (engine/tel_kind.h): the
 * predictor (sl_predict, with the learnt places of loclearn), the replay's
 * dish (trace `starlink` objects through sl_json; the virtual dish's
 * history), and the daemon's gRPC client (tel_sl*.c, sl_places.c). */
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "daemon/daemon.h"
#include "starlink/loclearn.h"
#include "starlink/replay_dish.h"
#include "starlink/sl_json.h"
#include "starlink/sl_predict.h"
#include "starlink/tel_sl_int.h"

/* The client polls the dish this often while the link looks suspect. */
#define FAST_STATUS_MS 2000

enum { POLL_STATUS, POLL_HISTORY };

static void *shared_new(void)
{
	struct loclearn *l = calloc(1, sizeof(*l));
	if (l)
		loclearn_init(l);
	return l;
}

static void params(const struct tel_ctx *c, struct sl_predict_params *p)
{
	const struct cfg_section *s = c->cfg ? config_section(c->cfg, "starlink") : NULL;
	sl_predict_params_default(p);
	if (s) {
		p->predictive = cfg_bool(s, "predictive_enabled");
		p->reboot_lead_s = (uint32_t)(cfg_duration_ms(s, "reboot_lead") / 1000);
	}
	/* location_learning is on by default */
	if (!s || cfg_bool(s, "location_learning"))
		p->learn = c->shared;
}

static void a_init(void *a, const struct tel_ctx *c)
{
	struct sl_predict_params p;
	params(c, &p);
	sl_predict_init(a, &p);
}

static void a_configure(void *a, const struct tel_ctx *c)
{
	struct sl_predict_params p;
	params(c, &p);
	sl_predict_configure(a, &p);
}

static void a_eval(void *a, uint64_t now_us, int64_t wall_s, struct tel_verdict *v)
{
	sl_predict_eval(a, now_us, wall_s, v);
}

static uint64_t a_next_us(const void *a, uint64_t now_us, int64_t wall_s)
{
	return sl_predict_next_us(a, now_us, wall_s);
}

static void a_place(void *a, const char *key)
{
	sl_predict_place(a, key);
}

/* A recorded answer (sl_record.c and tel_sl.c wrote it): a status, or
 * {"history":...}, {"error":"..."}, {"operator":"reboot"|"stow"}. */
static void recorded(void *a, json_object *o, const struct tel_clock *c)
{
	int64_t wall_s = c->wall_us / 1000000;
	json_object *v;
	if (json_object_object_get_ex(o, "history", &v)) {
		static struct sl_history h;     /* 7 KB; the replay is single-threaded */
		if (sl_json_history(v, &h, NULL) == 0)
			sl_predict_history(a, &h, c->now_us, wall_s);
	} else if (json_object_object_get_ex(o, "error", &v)) {
		sl_predict_error(a, json_object_get_string(v), c->now_us);
	} else if (json_object_object_get_ex(o, "operator", &v)) {
		const char *k = json_object_get_string(v);
		sl_predict_operator(a, strcmp(k, "stow") == 0 ? SL_PK_STOW : SL_PK_REBOOT,
				    c->now_us, wall_s);
	} else {
		struct sl_status st;
		sl_json_status(o, &st, NULL);
		sl_predict_status(a, &st, c->now_us, wall_s);
	}
}

/* What the dish answered, as the gRPC client would decode it. */
static void trace_feed(struct tel_member *t, void *a, const void *peer, unsigned poll,
		       json_object *seen, const struct tel_clock *c)
{
	int64_t wall_s = c->wall_us / 1000000;
	if (poll == TEL_POLL_RECORDED) {
		if (seen)
			recorded(a, seen, c);
		return;
	}
	if (poll == POLL_HISTORY) {
		static struct sl_history h;     /* 7 KB; the replay is single-threaded */
		replay_dish_history(peer, c, &h);
		sl_predict_history(a, &h, c->now_us, wall_s);
		return;
	}
	struct sl_status st;
	memset(&st, 0, sizeof(st));
	if (seen)
		sl_json_status(seen, &st, NULL);
	if (st.has_outage && !st.outage.start_ns)
		st.outage.start_ns = replay_dish_outage_ns(peer, c);
	sl_predict_status(a, &st, c->now_us, wall_s);
}

static uint32_t poll_ms(const void *a, unsigned poll, uint32_t configured_ms)
{
	if (poll == POLL_STATUS && sl_predict_suspect(a) && configured_ms > FAST_STATUS_MS)
		return FAST_STATUS_MS;
	return 0;
}

static void signature(const struct member_rt *m, json_object *sig)
{
	/* the dish's address, intervals, and whether its location is asked */
	tel_sig_section(m->d->cfg, "starlink", sig);
	tel_sig_section(m->d->cfg, "gps", sig);
}

static bool answering(const struct member_rt *m)
{
	const struct tel_sl *t = tel_sl_of(m);
	return t && t->have_st && !t->last_error[0];
}

/* The dish's drop rate (the history's newest minute, else the status's
 * figure), its obstructed fraction, and the place it is at. */
static void history(const void *a, uint64_t now_us, uint64_t max_age_us,
		    const struct tel_hist_put *put)
{
	const struct sl_predict *p = a;
	bool st = p->have && tel_fresh(p->st_us, now_us, max_age_us);
	if (put->str && p->place[0])
		put->str(put->arg, "place", p->place);
	if (!put->num)
		return;
	if (p->have_hist && tel_fresh(p->hist_us, now_us, max_age_us))
		put->num(put->arg, "dish_drop", p->hist_drop60);
	else if (st)
		put->num(put->arg, "dish_drop", p->st.pop_ping_drop_rate);
	if (st)
		put->num(put->arg, "dish_obstructed", p->st.fraction_obstructed);
}

const struct tel_kind tel_kind_starlink = {
	.name = "starlink", .cls = "starlink", .units = "dishes",
	.shared_new = shared_new, .shared_free = free,
	.size = sizeof(struct sl_predict),
	.init = a_init, .configure = a_configure, .eval = a_eval, .next_us = a_next_us,
	.place = a_place, .history = history,
	.trace_key = "starlink",
	.polls = {
		[POLL_STATUS] = { "starlink", "health_check_interval", 30000 },
		[POLL_HISTORY] = { "starlink", "obstruction_check_interval", 60000 },
	},
	.n_polls = 2,
	.peer_new = replay_dish_new, .peer_free = replay_dish_free, .peer_note = replay_dish_note,
	.trace_feed = trace_feed, .poll_ms = poll_ms,
	.src_size = sizeof(struct tel_sl),
	.start = tel_sl_start, .stop = tel_sl_stop, .signature = signature,
	.evaluated = tel_sl_suspect,
	.view_key = "starlink", .member_view = tel_sl_json, .answering = answering,
	.action = tel_sl_action,
	.d_start = sl_places_start, .d_stop = sl_places_stop, .health_add = sl_places_health,
};
