/* baseline_mwan3: mwan3track's check loop and score (see baseline.h), as in
 * openwrt/packages net/mwan3/files/usr/sbin/mwan3track. */
#include <string.h>

#include "replay/baseline.h"

#define MS 1000ULL

/* /etc/config/mwan3 as shipped: interface 'wan'. */
void baseline_mwan3_params_shipped(struct baseline_mwan3_params *p)
{
	p->interval_ms = 5000;
	p->timeout_ms = 2000;
	p->down = 3;
	p->up = 8;
	p->n_track_ips = 2;
	p->reliability = 1;
}

/* mwan3track's config_get defaults, for options the config leaves out. */
void baseline_mwan3_params_builtin(struct baseline_mwan3_params *p)
{
	baseline_mwan3_params_shipped(p);
	p->interval_ms = 10000;
	p->timeout_ms = 4000;
	p->down = 5;
	p->up = 5;
}

void baseline_mwan3_init(struct baseline_mwan3 *t, const struct baseline_mwan3_params *p,
			 uint64_t now_us)
{
	memset(t, 0, sizeof(*t));
	t->p = *p;
	if (t->p.n_track_ips == 0)
		t->p.n_track_ips = 1;
	if (t->p.reliability == 0)
		t->p.reliability = 1;
	t->online = true;               /* initial_state 'online' */
	t->score = t->p.down + t->p.up;
	t->due_us = now_us;
}

unsigned baseline_mwan3_fire(struct baseline_mwan3 *t, uint64_t now_us)
{
	t->due_us = UINT64_MAX;
	return t->target;
}

/* The end of one check: the score logic of mwan3track's main loop. */
static bool end_check(struct baseline_mwan3 *t, bool ok)
{
	bool was = t->online;

	t->checks++;
	if (!ok) {
		t->failed++;
		if (t->score > 0)
			t->score--;
		if (t->score < t->p.up)
			t->score = 0;   /* a failure during recovery starts over */
		if (t->score == t->p.up) {
			t->online = false;      /* ifdown */
			t->score = 0;
		}
		return was != t->online;
	}
	t->failed = 0;
	t->score++;
	if (t->score > t->p.up) {
		t->score = t->p.down + t->p.up;
	} else if (t->score == t->p.up) {
		/* ifup; mwan3track restarts with the full score. */
		t->online = true;
		t->score = t->p.down + t->p.up;
	}
	return was != t->online;
}

bool baseline_mwan3_result(struct baseline_mwan3 *t, uint32_t gen, bool ok, uint64_t now_us)
{
	if (gen != t->gen || t->due_us != UINT64_MAX)
		return false;           /* from before a restart */
	if (ok)
		t->host_up++;
	t->target++;
	if (t->host_up < t->p.reliability && t->target < t->p.n_track_ips) {
		t->due_us = now_us;     /* the next track IP, right away */
		return false;
	}
	bool changed = end_check(t, t->host_up >= t->p.reliability);
	t->target = 0;
	t->host_up = 0;
	t->due_us = now_us + (uint64_t)t->p.interval_ms * MS;
	return changed;
}

bool baseline_mwan3_link(struct baseline_mwan3 *t, bool up, uint64_t now_us)
{
	bool was = t->online;

	t->gen++;
	t->target = 0;
	t->host_up = 0;
	t->online = up;
	t->score = up ? t->p.down + t->p.up : 0;
	t->failed = 0;
	t->due_us = up ? now_us : now_us + (uint64_t)t->p.interval_ms * MS;
	return was != t->online;
}
