/* ev_thresh: threshold watchers (ev_thresh.h). */
#include "events/ev_thresh.h"

#include <string.h>

#include "events/ev_emit.h"

void ev_rate_init(struct ev_rate *r)
{
	memset(r, 0, sizeof(*r));
}

void ev_rate_add(struct ev_rate *r, int64_t wall_s)
{
	if (r->n == EV_RATE_CAP) {
		r->head = (r->head + 1) % EV_RATE_CAP;
		r->n--;
	}
	r->t[(r->head + r->n) % EV_RATE_CAP] = wall_s;
	r->n++;
}

unsigned ev_rate_count(struct ev_rate *r, int64_t now_s)
{
	/* Times are added in order, so the expired ones are at the head. */
	while (r->n && r->t[r->head] <= now_s - EV_RATE_WINDOW_S) {
		r->head = (r->head + 1) % EV_RATE_CAP;
		r->n--;
	}
	return r->n;
}

bool ev_rate_check(struct ev_rate *r, int64_t now_s, unsigned warn, unsigned crit,
		   unsigned *count)
{
	unsigned n = ev_rate_count(r, now_s);
	enum ev_rate_level was = r->level, lvl = EV_RATE_NONE;
	if (crit && n >= crit)
		lvl = EV_RATE_CRITICAL;
	else if (warn && n >= warn)
		lvl = EV_RATE_WARNING;
	if (count)
		*count = n;
	r->level = lvl;
	return lvl > was || (lvl == EV_RATE_NONE && was != EV_RATE_NONE);
}

static void report(struct ev_failover_watch *w, int64_t now_s)
{
	unsigned n;
	if (!ev_rate_check(&w->rate, now_s, w->warn, w->crit, &n))
		return;
	if (w->rate.level == EV_RATE_NONE)
		ev_emit_failover_rate(w->bus, n, w->warn, false, true);
	else
		ev_emit_failover_rate(w->bus, n, w->rate.level == EV_RATE_CRITICAL ? w->crit : w->warn,
				      w->rate.level == EV_RATE_CRITICAL, false);
}

static void on_switch(void *arg, const struct ev_record *e)
{
	struct ev_failover_watch *w = arg;
	json_object *v;
	/* A failover is a move the engine made on its own: not the first choice,
	 * not a return to a preferred member, not the operator's. */
	if (strcmp(e->type, "switch") != 0 || !json_object_object_get_ex(e->fields, "from", &v) ||
	    !v || !json_object_object_get_ex(e->fields, "cause", &v) ||
	    strcmp(json_object_get_string(v), "initial") == 0)
		return;
	ev_rate_add(&w->rate, e->wall_ms / 1000);
	report(w, e->wall_ms / 1000);
}

int ev_failover_watch_start(struct ev_failover_watch *w, struct ev_bus *b, unsigned warn,
			    unsigned crit)
{
	w->bus = b;
	w->warn = warn;
	w->crit = crit;
	ev_rate_init(&w->rate);
	w->sub = ev_subscribe(b, EV_INFO, EV_KIND_BIT(EV_K_SWITCH), on_switch, w);
	return w->sub < 0 ? -1 : 0;
}

void ev_failover_watch_stop(struct ev_failover_watch *w)
{
	if (w->bus && w->sub > 0)
		ev_unsubscribe(w->bus, w->sub);
	w->sub = 0;
}

void ev_failover_watch_tick(struct ev_failover_watch *w, int64_t now_s)
{
	report(w, now_s);
}

int ev_level_check(struct ev_level *l, double value, double limit)
{
	if (limit <= 0) {
		l->over = false;
		return 0;
	}
	if (!l->over && value > limit) {
		l->over = true;
		return 1;
	}
	if (l->over && value < 0.9 * limit) {
		l->over = false;
		return -1;
	}
	return 0;
}
