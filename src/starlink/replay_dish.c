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
#include "replay/replay_internal.h"

#define S 1000000ULL
#define RING_SECONDS 900
/* GPS time = Unix time - 315964800 + 18 leap seconds (as sl_gps_ns_to_unix). */
#define GPS_EPOCH_UNIX 315964800LL
#define GPS_LEAP_S 18

int replay_dish_init(struct replay_dish *d)
{
	memset(d, 0, sizeof(*d));
	d->pts = calloc(REPLAY_DISH_POINTS, sizeof(*d->pts));
	return d->pts ? 0 : -1;
}

void replay_dish_free(struct replay_dish *d)
{
	free(d->pts);
	d->pts = NULL;
}

static int64_t gps_ns_at(const struct replay_sim *s, uint64_t t)
{
	int64_t unix_us = (s->have_wall ? s->wall_at_t0_us : REPLAY_DEFAULT_WALL * 1000000) +
			  (int64_t)(t - REPLAY_T0_US);
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

void replay_dish_note(struct replay_sim *s, unsigned i)
{
	struct replay_member *m = &s->m[i];
	struct replay_dish *d = &m->dish;
	json_object *st = m->tel[REPLAY_TEL_STARLINK], *out = NULL;

	if (!d->pts)
		return;
	bool is_out = st && json_object_object_get_ex(st, "outage", &out) && out &&
		      json_object_is_type(out, json_type_object);
	struct replay_dish_point *p = &d->pts[d->head];
	p->t = s->now;
	p->drop = (float)json_get_num(st, "pop_ping_drop_rate", 0);
	p->latency = (float)json_get_num(st, "pop_ping_latency_ms", 0);
	p->out = is_out;
	d->head = (d->head + 1) % REPLAY_DISH_POINTS;
	if (d->n < REPLAY_DISH_POINTS)
		d->n++;
	if (is_out && !d->out) {
		d->out_since = s->now;
		d->cause = cause_of(out);
	} else if (!is_out && d->out) {
		d->outs[d->ohead].start = d->out_since;
		d->outs[d->ohead].dur = s->now - d->out_since;
		d->outs[d->ohead].cause = d->cause;
		d->ohead = (d->ohead + 1) % REPLAY_DISH_OUTAGES;
		if (d->on < REPLAY_DISH_OUTAGES)
			d->on++;
	} else if (is_out) {
		d->cause = cause_of(out);
	}
	d->out = is_out;
}

int64_t replay_dish_outage_ns(const struct replay_sim *s, unsigned i)
{
	const struct replay_dish *d = &s->m[i].dish;
	return d->out ? gps_ns_at(s, d->out_since) : 0;
}

/* Newest first: k = 0 is the latest change point. */
static const struct replay_dish_point *point(const struct replay_dish *d, unsigned k)
{
	return &d->pts[(d->head + REPLAY_DISH_POINTS - 1 - k) % REPLAY_DISH_POINTS];
}

void replay_dish_history(const struct replay_sim *s, unsigned i, struct sl_history *h)
{
	const struct replay_dish *d = &s->m[i].dish;
	uint64_t secs = (s->now - REPLAY_T0_US) / S + 1;
	unsigned n = secs < RING_SECONDS ? (unsigned)secs : RING_SECONDS, k = 0;

	memset(h, 0, sizeof(*h));
	h->current = secs;
	h->ring_len = RING_SECONDS;
	h->n = n < SL_HIST_MAX ? n : SL_HIST_MAX;
	/* Sample j (oldest first) is the state at now - (n - 1 - j) s: walk the
	 * change points back in time alongside. */
	for (unsigned j = h->n; j-- > 0;) {
		uint64_t t = s->now - (uint64_t)(h->n - 1 - j) * S;
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
		x->start_ns = gps_ns_at(s, d->outs[idx].start);
		x->duration_ns = d->outs[idx].dur * 1000;
		x->did_switch = true;
	}
}
