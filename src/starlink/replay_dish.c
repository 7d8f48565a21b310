/* replay_dish: the virtual dish behind a starlink member in the replay. The
 * trace says what the dish reports (its status) at each change; a real dish
 * also keeps a 1 Hz history ring (drop rate, latency) and a list of its past
 * outages, which the daemon reads about once a minute. This reconstructs
 * both from the trace's changes, so get_history in virtual time answers what
 * a dish in that state would have recorded. */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "core/jsonutil.h"
#include "starlink/replay_dish.h"

#define S 1000000ULL
#define RING_SECONDS 900
/* GPS time = Unix time - 315964800 + 18 leap seconds (as sl_gps_ns_to_unix). */
#define GPS_EPOCH_UNIX 315964800LL
#define GPS_LEAP_S 18

void *replay_dish_new(void)
{
	struct replay_dish *d = calloc(1, sizeof(*d));
	if (d && !(d->pts = calloc(REPLAY_DISH_POINTS, sizeof(*d->pts)))) {
		free(d);
		d = NULL;
	}
	return d;
}

void replay_dish_free(void *p)
{
	struct replay_dish *d = p;
	if (d)
		free(d->pts);
	free(d);
}

/* The wall clock maps linearly onto virtual time (c: now). */
static int64_t gps_ns_at(const struct tel_clock *c, uint64_t t)
{
	int64_t unix_us = c->wall_us - (int64_t)(c->now_us - t);
	return (unix_us / 1000000 - GPS_EPOCH_UNIX + GPS_LEAP_S) * 1000000000LL +
	       (unix_us % 1000000) * 1000;
}

static uint8_t cause_of(json_object *out)
{
	json_object *c;
	if (!json_object_object_get_ex(out, "cause", &c))
		return SL_CAUSE_UNKNOWN;
	if (json_object_is_type(c, json_type_int))
		return (uint8_t)json_object_get_int(c);
	int k = sl_cause_parse(json_object_get_string(c));
	return k < 0 ? SL_CAUSE_UNKNOWN : (uint8_t)k;
}

void replay_dish_note(void *p, json_object *st, const struct tel_clock *c)
{
	struct replay_dish *d = p;
	json_object *out = NULL;

	if (!d->pts)
		return;
	bool is_out = st && json_object_object_get_ex(st, "outage", &out) && out &&
		      json_object_is_type(out, json_type_object);
	struct replay_dish_point *pt = &d->pts[d->head];
	pt->t = c->now_us;
	pt->drop = (float)json_get_num(st, "pop_ping_drop_rate", 0);
	pt->latency = (float)json_get_num(st, "pop_ping_latency_ms", 0);
	pt->out = is_out;
	d->head = (d->head + 1) % REPLAY_DISH_POINTS;
	if (d->n < REPLAY_DISH_POINTS)
		d->n++;
	if (is_out && !d->out) {
		d->out_since = c->now_us;
		d->cause = cause_of(out);
	} else if (!is_out && d->out) {
		d->outs[d->ohead].start = d->out_since;
		d->outs[d->ohead].dur = c->now_us - d->out_since;
		d->outs[d->ohead].cause = d->cause;
		d->ohead = (d->ohead + 1) % REPLAY_DISH_OUTAGES;
		if (d->on < REPLAY_DISH_OUTAGES)
			d->on++;
	} else if (is_out) {
		d->cause = cause_of(out);
	}
	d->out = is_out;
}

int64_t replay_dish_outage_ns(const struct replay_dish *d, const struct tel_clock *c)
{
	return d->out ? gps_ns_at(c, d->out_since) : 0;
}

/* Newest first: k = 0 is the latest change point. */
static const struct replay_dish_point *point(const struct replay_dish *d, unsigned k)
{
	return &d->pts[(d->head + REPLAY_DISH_POINTS - 1 - k) % REPLAY_DISH_POINTS];
}

void replay_dish_history(const struct replay_dish *d, const struct tel_clock *c,
			 struct sl_history *h)
{
	uint64_t secs = (c->now_us - c->t0_us) / S + 1;
	unsigned n = secs < RING_SECONDS ? (unsigned)secs : RING_SECONDS, k = 0;

	memset(h, 0, sizeof(*h));
	h->current = secs;
	h->ring_len = RING_SECONDS;
	h->n = n < SL_HIST_MAX ? n : SL_HIST_MAX;
	/* Sample j (oldest first) is the state at now - (n - 1 - j) s: walk the
	 * change points back in time alongside. */
	for (unsigned j = h->n; j-- > 0;) {
		uint64_t t = c->now_us - (uint64_t)(h->n - 1 - j) * S;
		while (d->pts && k < d->n && point(d, k)->t > t)
			k++;
		const struct replay_dish_point *p = d->pts && k < d->n ? point(d, k) : NULL;
		h->drop[j] = p ? (p->out ? 1.0f : p->drop) : 0;
		h->latency_ms[j] = p && !p->out ? p->latency : 0;
	}
	for (unsigned o = 0; o < d->on && h->n_outages < SL_HIST_OUTAGES; o++) {
		unsigned idx = (d->ohead + REPLAY_DISH_OUTAGES - d->on + o) % REPLAY_DISH_OUTAGES;
		struct sl_outage *x = &h->outages[h->n_outages++];
		x->cause = (enum sl_cause)d->outs[idx].cause;
		x->start_ns = gps_ns_at(c, d->outs[idx].start);
		x->duration_ns = d->outs[idx].dur * 1000;
		x->did_switch = true;
	}
}
