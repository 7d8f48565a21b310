/* decide_world: three members on a fake monotonic clock, for the decision
 * engine's unit tests (test_decide.c, test_decide_prec.c). */
#ifndef AUTONOMY_TEST_DECIDE_WORLD_H
#define AUTONOMY_TEST_DECIDE_WORLD_H

#include <stdint.h>
#include <string.h>

#include "engine/decide.h"

#define MS 1000ULL
#define S  1000000ULL
#define T0 (1000 * S)

/* Three members as a router usually has them; tests change their health. */
struct world {
	struct decide d;
	struct decide_input in[3];
	struct decision last[8];
	unsigned n_last;
	uint64_t now;
};

static inline void member(struct decide_input *x, const char *name, int prio)
{
	memset(x, 0, sizeof(*x));
	x->name = name;
	x->priority = prio;
	x->enabled = true;
	x->state = HEALTH_UP;
	x->score = 100;
	x->reason = "ok";
}

static inline struct world *world_new(void)
{
	static struct world w;

	memset(&w, 0, sizeof(w));
	decide_init(&w.d, NULL);
	member(&w.in[0], "starlink", 1);
	member(&w.in[1], "lte", 2);
	member(&w.in[2], "wifi", 3);
	w.now = T0;
	return &w;
}

static inline unsigned eval(struct world *w)
{
	w->n_last = decide_eval(&w->d, w->in, 3, w->now, w->last, 8);
	return w->n_last;
}

/* Evaluates once a second for `secs`, returning the moves (not holds). */
static inline unsigned run(struct world *w, unsigned secs)
{
	unsigned moves = 0;

	for (unsigned i = 0; i < secs; i++) {
		w->now += S;
		eval(w);
		for (unsigned k = 0; k < w->n_last; k++)
			moves += w->last[k].type != DECIDE_HOLD;
	}
	return moves;
}

static inline void set(struct decide_input *x, enum health_state st, int score, const char *why)
{
	x->state = st;
	x->score = score;
	x->reason = why;
}

static inline void down(struct decide_input *x, const char *why)
{
	set(x, HEALTH_DOWN, 0, why);
}

static inline const char *active(const struct world *w)
{
	return decide_active(&w->d);
}

#endif
