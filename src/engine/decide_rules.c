/* decide_rules: the rules of decide.h in the order they apply, how each
 * decision is recorded (reason, scores, history), and the operator's manual
 * commands. Reasons are written for an operator reading a log:
 * "starlink: 11 probes lost in 0.45 s; lte score 91". */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "engine/decide.h"

#define MS 1000ULL

/* ---- recording ---------------------------------------------------------- */

static const char *score_text(int s, char *buf, size_t sz)
{
	if (s < 0)
		snprintf(buf, sz, "not measured");
	else
		snprintf(buf, sz, "%d", s);
	return buf;
}

static void record(struct decide *d, const struct decision *x)
{
	d->hist[d->hist_head] = *x;
	d->hist_head = (d->hist_head + 1) % DECIDE_HISTORY;
	if (d->hist_count < DECIDE_HISTORY)
		d->hist_count++;
	d->counts[x->type]++;
}

/* Records a decision with the scores of every member at this moment; a
 * decision other than a hold moves traffic to `to`. */
static void __attribute__((format(printf, 6, 7)))
emit(struct decide_ctx *c, enum decide_type type, enum decide_cause cause, int from, int to,
     const char *fmt, ...)
{
	struct decide *d = c->d;
	struct decision x;
	va_list ap;

	memset(&x, 0, sizeof(x));
	x.t_us = c->now;
	x.type = type;
	x.cause = cause;
	if (from >= 0)
		snprintf(x.from, sizeof(x.from), "%s", d->m[from].name);
	if (to >= 0)
		snprintf(x.to, sizeof(x.to), "%s", d->m[to].name);
	va_start(ap, fmt);
	vsnprintf(x.reason, sizeof(x.reason), fmt, ap);
	va_end(ap);
	if (c->kind)
		snprintf(x.precursor, sizeof(x.precursor), "%s", c->kind);
	x.flap_prevented = c->flap;
	c->kind = NULL;
	c->flap = false;
	for (unsigned i = 0; i < d->n; i++) {
		if (!d->m[i].present)
			continue;
		struct decide_score *s = &x.scores[x.n_scores++];
		snprintf(s->name, sizeof(s->name), "%s", d->m[i].name);
		s->score = d->m[i].in.score;
	}
	record(d, &x);
	if (c->n < c->max)
		c->out[c->n] = x;
	c->n++;
	if (type != DECIDE_HOLD && to >= 0 && to != d->active) {
		d->active = to;
		d->better_since_us = 0;
		d->holds = 0;
		d->m[to].returned_us = c->now;
	}
}

/* Why a member cannot carry traffic: "no carrier", "11 probes lost in
 * 0.45 s", "score 45 (loss 30% -37)". */
static void why_out(const struct decide_member *m, char *buf, size_t sz)
{
	const char *r = m->in.reason && m->in.reason[0] ? m->in.reason : NULL;

	if (!m->present)
		snprintf(buf, sz, "gone");
	else if (!m->in.enabled)
		snprintf(buf, sz, "disabled");
	else if (m->in.link_down)
		snprintf(buf, sz, "%s", r ? r : "link down");
	else if (m->in.score > 0)
		snprintf(buf, sz, "score %d (%s)", m->in.score, r ? r : "below critical");
	else
		snprintf(buf, sz, "%s", r ? r : "down");
}

/* ---- choosing a member ---------------------------------------------------- */

/* Among candidates: the lowest priority of those whose score is comparable
 * (within switch_margin) to the best known score; then the higher score.
 * Unmeasured members count only when none is measured. */
static int choose(const struct decide *d, const int *cand, unsigned k)
{
	int best_score = -1, pick = -1;

	for (unsigned i = 0; i < k; i++)
		if (d->m[cand[i]].in.score > best_score)
			best_score = d->m[cand[i]].in.score;
	for (unsigned i = 0; i < k; i++) {
		const struct decide_input *x = &d->m[cand[i]].in;
		if (best_score >= 0 && (x->score < 0 || x->score < best_score - d->p.switch_margin))
			continue;
		const struct decide_input *b = pick < 0 ? NULL : &d->m[pick].in;
		if (!b || x->priority < b->priority ||
		    (x->priority == b->priority && x->score > b->score))
			pick = cand[i];
	}
	return pick;
}

/* The best member other than skip of the best class up to max_cl. */
static int pick(const struct decide *d, int skip, int max_cl, uint64_t now)
{
	int cand[DECIDE_MAX_MEMBERS];

	for (int cl = DECIDE_CL_HEALTHY; cl <= max_cl; cl++) {
		unsigned k = 0;
		for (unsigned i = 0; i < d->n; i++)
			if ((int)i != skip && decide_class(d, &d->m[i], now) == cl)
				cand[k++] = (int)i;
		if (k)
			return choose(d, cand, k);
	}
	return -1;
}

/* b is less bad than a when every member is down: carrier beats none, then a
 * score better by the switch margin (so traffic does not wander between
 * dead members on noise). */
static bool less_bad(const struct decide *d, const struct decide_member *a,
		     const struct decide_member *b)
{
	if (a->in.link_down != b->in.link_down)
		return a->in.link_down;
	return b->in.score >= a->in.score + d->p.switch_margin;
}

static int least_bad(const struct decide *d, int cur)
{
	int best = -1;

	if (cur >= 0 && d->m[cur].present && d->m[cur].in.enabled)
		best = cur;
	for (unsigned i = 0; i < d->n; i++) {
		const struct decide_member *m = &d->m[i];
		if ((int)i == cur || !m->present || !m->in.enabled)
			continue;
		if (best < 0 || less_bad(d, &d->m[best], m))
			best = (int)i;
	}
	return best;
}

static const char *class_note(const struct decide *d, int i, uint64_t now)
{
	switch (decide_class(d, &d->m[i], now)) {
	case DECIDE_CL_RESERVE:
		return d->m[i].in.predicted_outage ? " (outage predicted)" : " (still recovering)";
	case DECIDE_CL_EXCLUDED:
		return " (excluded: last resort)";
	default:
		return "";
	}
}

/* ---- the rules -------------------------------------------------------------- */

void decide_rule_initial(struct decide_ctx *c)
{
	struct decide *d = c->d;
	int to = pick(d, -1, DECIDE_CL_EXCLUDED, c->now);

	if (to < 0)
		to = least_bad(d, -1);
	if (to < 0)
		return;
	const struct decide_input *x = &d->m[to].in;
	if (x->score < 0)
		emit(c, DECIDE_SWITCH, DECIDE_CAUSE_INITIAL, -1, to,
		     "initial: %s (priority %d; not measured yet)",
		     d->m[to].name, x->priority);
	else
		emit(c, DECIDE_SWITCH, DECIDE_CAUSE_INITIAL, -1, to,
		     "initial: %s (priority %d, score %d)",
		     d->m[to].name, x->priority, x->score);
}

void decide_rule_pinned(struct decide_ctx *c)
{
	struct decide *d = c->d;
	const struct decide_member *a = &d->m[d->pinned];
	char why[128];

	if (decide_usable(a)) {
		d->holds &= ~DECIDE_HOLD_PINNED;
		return;
	}
	if (d->holds & DECIDE_HOLD_PINNED)
		return;
	d->holds |= DECIDE_HOLD_PINNED;
	why_out(a, why, sizeof(why));
	emit(c, DECIDE_HOLD, DECIDE_CAUSE_MANUAL, d->pinned, d->pinned,
	     "%s: %s; pinned by operator", a->name, why);
}

/* Every member down: stay, unless another one is less bad. */
static void last_resort(struct decide_ctx *c)
{
	struct decide *d = c->d;
	int a = d->active, to = least_bad(d, a);
	char why[128];

	why_out(&d->m[a], why, sizeof(why));
	if (to >= 0 && to != a) {
		emit(c, DECIDE_SWITCH, DECIDE_CAUSE_ALL_DOWN, a, to,
		     "%s: %s; all members down, %s is the least bad%s",
		     d->m[a].name, why, d->m[to].name,
		     d->m[to].in.link_down ? "" : " (carrier up)");
		d->holds |= DECIDE_HOLD_ALL_DOWN;
		return;
	}
	if (d->holds & DECIDE_HOLD_ALL_DOWN)
		return;
	d->holds |= DECIDE_HOLD_ALL_DOWN;
	emit(c, DECIDE_HOLD, DECIDE_CAUSE_ALL_DOWN, a, a,
	     "%s: %s; all members down, keeping it as the least bad",
	     d->m[a].name, why);
}

static void leave_down(struct decide_ctx *c)
{
	struct decide *d = c->d;
	int a = d->active, to = pick(d, a, DECIDE_CL_EXCLUDED, c->now);
	char why[128], s[16];

	if (to < 0) {
		last_resort(c);
		return;
	}
	why_out(&d->m[a], why, sizeof(why));
	emit(c, DECIDE_SWITCH, DECIDE_CAUSE_DOWN, a, to, "%s: %s; %s score %s%s", d->m[a].name, why,
	     d->m[to].name, score_text(d->m[to].in.score, s, sizeof(s)),
	     class_note(d, to, c->now));
}

/* The best member that is healthy and up (not merely usable). */
static int pick_good(const struct decide *d, int skip, uint64_t now)
{
	int cand[DECIDE_MAX_MEMBERS];
	unsigned k = 0;

	for (unsigned i = 0; i < d->n; i++)
		if ((int)i != skip && d->m[i].good &&
		    decide_class(d, &d->m[i], now) == DECIDE_CL_HEALTHY)
			cand[k++] = (int)i;
	return k ? choose(d, cand, k) : -1;
}

/* Pre-emptive: only for a member that is up and healthy, or the move could
 * be worse than the outage it avoids. */
static bool leave_predicted(struct decide_ctx *c)
{
	struct decide *d = c->d;
	const struct decide_member *a = &d->m[d->active];
	const char *r = a->in.predict_reason && a->in.predict_reason[0] ?
			a->in.predict_reason : "no reason given";
	int to = pick_good(d, d->active, c->now);
	char s[16];

	if (to < 0) {
		if (!(d->holds & DECIDE_HOLD_FLAGGED)) {
			d->holds |= DECIDE_HOLD_FLAGGED;
			emit(c, DECIDE_HOLD, DECIDE_CAUSE_PREDICTED, d->active, d->active,
			     "%s: outage predicted (%s); no healthy member to move to", a->name, r);
		}
		return false;
	}
	decide_prec_moved(&d->m[d->active]);
	c->kind = a->raw_kind;
	emit(c, DECIDE_SWITCH, DECIDE_CAUSE_PREDICTED, d->active, to,
	     "%s: outage predicted (%s); %s score %s",
	     a->name, r, d->m[to].name, score_text(d->m[to].in.score, s, sizeof(s)));
	return true;
}

/* A prediction on the active member that the engine does not act on: too
 * weak for its kind's record, or the flap guard. Said once per episode. */
static void note_prediction(struct decide_ctx *c)
{
	struct decide *d = c->d;
	const struct decide_member *a = &d->m[d->active];
	const struct decide_prec *p = NULL;

	if (!a->below_bar && !a->guarded) {
		d->holds &= ~DECIDE_HOLD_PREC;
		return;
	}
	if (d->holds & DECIDE_HOLD_PREC)
		return;
	d->holds |= DECIDE_HOLD_PREC;
	for (unsigned i = 0; i < DECIDE_KINDS && !p; i++)
		if (strcmp(a->prec[i].kind, a->raw_kind) == 0)
			p = &a->prec[i];
	if (a->guarded) {
		c->flap = true;
		emit(c, DECIDE_HOLD, DECIDE_CAUSE_PREDICTED, d->active, d->active,
		     "%s: %s predicted an outage again %.0f s after traffic came back from a "
		     "false alarm; staying (flap prevented)",
		     a->name, a->raw_kind, (double)(c->now - a->returned_us) / 1e6);
		return;
	}
	if (p && p->alarms)
		emit(c, DECIDE_HOLD, DECIDE_CAUSE_PREDICTED, d->active, d->active,
		     "%s: %s predicted an outage, not acted on: right %u of %u times here, so it "
		     "needs strength %.1f (has %.1f)", a->name, a->raw_kind, p->hits, p->alarms,
		     a->raw_bar, a->raw_strength);
	else
		emit(c, DECIDE_HOLD, DECIDE_CAUSE_PREDICTED, d->active, d->active,
		     "%s: %s predicted an outage, not acted on: too weak alone (strength %.1f of "
		     "%.1f; the probes agreeing would double it)", a->name, a->raw_kind,
		     a->raw_strength, a->raw_bar);
}

static bool leave_excluded(struct decide_ctx *c)
{
	struct decide *d = c->d;
	int to = pick(d, d->active, DECIDE_CL_RESERVE, c->now);
	char s[16];

	if (to < 0)
		return false;
	const char *r = d->m[d->active].in.exclude_reason;
	emit(c, DECIDE_SWITCH, DECIDE_CAUSE_EXCLUDED, d->active, to,
	     "%s: excluded unless last resort (%s); %s score %s%s",
	     d->m[d->active].name, r && r[0] ? r : "no reason given", d->m[to].name,
	     score_text(d->m[to].in.score, s, sizeof(s)), class_note(d, to, c->now));
	return true;
}

/* The most preferred member that could take traffic back from the active
 * one: more preferred, good, not excluded, comparable. With `settled`, only
 * one that has also served its hold. */
static int fb_pick(const struct decide *d, bool settled, uint64_t now)
{
	const struct decide_member *a = &d->m[d->active];
	int as = a->in.score < 0 ? 100 : a->in.score, best = -1;

	for (unsigned i = 0; i < d->n; i++) {
		const struct decide_member *m = &d->m[i];
		if ((int)i == d->active || m->in.priority >= a->in.priority || !m->good ||
		    decide_class(d, m, now) > DECIDE_CL_RESERVE ||
		    m->in.score < as - d->p.failback_margin ||
		    (settled && !decide_settled(d, m, now)))
			continue;
		const struct decide_member *b = best < 0 ? NULL : &d->m[best];
		if (!b || m->in.priority < b->in.priority ||
		    (m->in.priority == b->in.priority && m->in.score > b->in.score))
			best = (int)i;
	}
	return best;
}

/* A member left pre-emptively whose prediction is still open is not
 * returned to yet: if the outage comes after all, traffic would leave again
 * at once. Recorded once per prediction. */
static bool pending_hold(struct decide_ctx *c, int i)
{
	struct decide *d = c->d;
	struct decide_member *m = &d->m[i];
	uint64_t until;

	if (!decide_prec_pending(m, &until))
		return false;
	for (unsigned k = 0; k < DECIDE_KINDS; k++) {
		struct decide_prec *p = &m->prec[k];
		if (!p->open || !p->moved || p->noted)
			continue;
		p->noted = true;
		c->flap = true;
		emit(c, DECIDE_HOLD, DECIDE_CAUSE_FAILBACK, d->active, d->active,
		     "%s is up again, but the outage %s predicted %.0f s ago may still come "
		     "(%.0f s left): %s keeps traffic (flap prevented)", m->name, p->kind, (double)(c->now - p->open_us) / 1e6,
		     (double)(until - c->now) / 1e6, d->m[d->active].name);
		break;
	}
	return true;
}

/* Back to the most preferred member that is up and comparable, once it has
 * served its hold. While it serves it, traffic waits rather than hopping
 * through a member in between (one switch where two would do) -- but only
 * when it is due within the minimum hold: a wired line that is back should
 * not sit idle for minutes behind a dish serving an escalated hold while a
 * metered backup carries the traffic. */
static bool fail_back(struct decide_ctx *c)
{
	struct decide *d = c->d;
	const struct decide_member *a = &d->m[d->active];
	uint64_t min_hold = (uint64_t)d->p.failback_hold_ms * MS;
	char s[16], also[96] = "";

	/* An operator's one-shot switch is not undone by preference at once. */
	if (d->oneshot_us && c->now - d->oneshot_us < min_hold)
		return false;
	int best = fb_pick(d, false, c->now), to = best;
	if (best < 0)
		return false;
	const struct decide_member *b = &d->m[best];
	if (b->good && pending_hold(c, best))
		return false;
	if (!decide_settled(d, b, c->now)) {
		uint64_t left = b->good_since_us + decide_member_hold_us(d, b, c->now) - c->now;
		if (left <= min_hold || (to = fb_pick(d, true, c->now)) < 0)
			return false;
		snprintf(also, sizeof(also), "; %s still serving its hold (%.0f s left)",
			 b->name, (double)left / 1e6);
	}
	const struct decide_member *p = &d->m[to];
	emit(c, DECIDE_RESTORE, DECIDE_CAUSE_FAILBACK, d->active, to,
	     "%s healthy for %.0f s (score %d); %s score %s%s",
	     p->name, (double)(c->now - p->good_since_us) / 1e6, p->in.score, a->name,
	     score_text(a->in.score, s, sizeof(s)), also);
	return true;
}

/* A healthy member better by the margin, continuously for the sustain time. */
static bool quality(struct decide_ctx *c)
{
	struct decide *d = c->d;
	struct decide_member *a = &d->m[d->active];
	int cand[DECIDE_MAX_MEMBERS];
	unsigned k = 0;

	int probes = a->in.score + (a->in.tel_points > 0 ? a->in.tel_points : 0);
	c->cand = c->tel_only = -1;
	for (unsigned i = 0; a->in.score >= 0 && i < d->n; i++) {
		const struct decide_member *m = &d->m[i];
		if ((int)i == d->active || decide_class(d, m, c->now) != DECIDE_CL_HEALTHY ||
		    m->in.score < a->in.score + d->p.switch_margin)
			continue;
		if (m->in.score >= (probes > 100 ? 100 : probes) + d->p.switch_margin / 2)
			cand[k++] = (int)i;
		else if (c->tel_only < 0 || m->in.score > d->m[c->tel_only].in.score)
			c->tel_only = (int)i;
	}
	if (k == 0) {
		d->better_since_us = 0;
		return false;
	}
	c->cand = choose(d, cand, k);
	if (!d->better_since_us)
		d->better_since_us = c->now;
	uint64_t held = c->now - d->better_since_us;
	if (held < (uint64_t)d->p.sustain_ms * MS)
		return false;
	int from = d->active, to = c->cand;
	emit(c, DECIDE_SWITCH, DECIDE_CAUSE_QUALITY, from, to,
	     "%s: score %d (%s) for %.0f s; %s score %d",
	     a->name, a->in.score, a->in.reason ? a->in.reason : "", (double)held / 1e6,
	     d->m[to].name, d->m[to].in.score);
	/* A quality departure counts as an outage: the member must prove itself
	 * for its hold before traffic returns, and repeats escalate. */
	decide_spell_begin(a, c->now);
	return true;
}

/* Degraded (or beaten) and staying: say why, once per episode. */
static void note_hold(struct decide_ctx *c)
{
	struct decide *d = c->d;
	const struct decide_member *a = &d->m[d->active];
	char s[16];

	if (a->in.state != HEALTH_DEGRADED && !d->better_since_us) {
		d->holds &= ~DECIDE_HOLD_QUALITY;
		return;
	}
	if (d->holds & DECIDE_HOLD_QUALITY)
		return;
	d->holds |= DECIDE_HOLD_QUALITY;
	const char *r = a->in.reason ? a->in.reason : "";
	if (c->tel_only >= 0) {
		emit(c, DECIDE_HOLD, DECIDE_CAUSE_QUALITY, d->active, d->active,
		     "%s: score %d (%s); %s score %d is better on link telemetry alone, the "
		     "probes on %s are fine", a->name, a->in.score, r, d->m[c->tel_only].name,
		     d->m[c->tel_only].in.score, a->name);
		return;
	}
	if (c->cand >= 0) {
		emit(c, DECIDE_HOLD, DECIDE_CAUSE_QUALITY, d->active, d->active,
		     "%s: score %d (%s); %s score %d must stay %d points better for %.0f s",
		     a->name, a->in.score, r, d->m[c->cand].name, d->m[c->cand].in.score,
		     d->p.switch_margin, d->p.sustain_ms / 1e3);
		return;
	}
	int o = pick(d, d->active, DECIDE_CL_EXCLUDED, c->now);
	if (o < 0)
		emit(c, DECIDE_HOLD, DECIDE_CAUSE_QUALITY, d->active, d->active,
		     "%s degraded: score %d (%s); no other member usable", a->name, a->in.score, r);
	else
		emit(c, DECIDE_HOLD, DECIDE_CAUSE_QUALITY, d->active, d->active,
		     "%s degraded: score %d (%s); no member better by %d points (%s score %s%s)",
		     a->name, a->in.score, r, d->p.switch_margin, d->m[o].name,
		     score_text(d->m[o].in.score, s, sizeof(s)), class_note(d, o, c->now));
}

void decide_rule_auto(struct decide_ctx *c)
{
	struct decide *d = c->d;
	const struct decide_member *a = &d->m[d->active];

	if (!decide_usable(a)) {
		leave_down(c);
		return;
	}
	d->holds &= ~DECIDE_HOLD_ALL_DOWN;
	if (!a->in.predicted_outage)
		d->holds &= ~DECIDE_HOLD_FLAGGED;
	if (a->in.predicted_outage && leave_predicted(c))
		return;
	note_prediction(c);
	if (a->in.exclude && leave_excluded(c))
		return;
	if (fail_back(c) || quality(c))
		return;
	note_hold(c);
}

/* ---- operator commands and history ------------------------------------------ */

int decide_manual(struct decide *d, const char *name, bool pin, uint64_t now_us,
		  struct decision *out)
{
	struct decide_ctx c = { .d = d, .now = now_us, .out = out, .max = out ? 1 : 0 };
	int to = name ? decide_find(d, name) : -1, from = d->active;

	if (to < 0)
		return -1;
	d->pinned = pin ? to : -1;
	/* The member left behind must serve a hold before traffic returns to
	 * it automatically, or a one-shot switch would be undone at once. */
	if (!pin && from >= 0 && from != to)
		decide_spell_begin(&d->m[from], now_us);
	d->oneshot_us = pin ? 0 : now_us;
	if (pin)
		emit(&c, DECIDE_MANUAL, DECIDE_CAUSE_MANUAL, from, to,
		     "operator: %s pinned until auto", d->m[to].name);
	else
		emit(&c, DECIDE_MANUAL, DECIDE_CAUSE_MANUAL, from, to,
		     "operator: one-shot switch to %s", d->m[to].name);
	d->holds = 0;
	return 0;
}

int decide_auto(struct decide *d, uint64_t now_us, struct decision *out)
{
	struct decide_ctx c = { .d = d, .now = now_us, .out = out, .max = out ? 1 : 0 };

	if (d->pinned < 0)
		return -1;
	d->pinned = -1;
	d->holds = 0;
	emit(&c, DECIDE_MANUAL, DECIDE_CAUSE_MANUAL, d->active, d->active,
	     "operator: back to automatic selection");
	return 0;
}

unsigned decide_history_count(const struct decide *d)
{
	return d->hist_count;
}

const struct decision *decide_history(const struct decide *d, unsigned i)
{
	if (i >= d->hist_count)
		return NULL;
	return &d->hist[(d->hist_head + DECIDE_HISTORY - 1 - i) % DECIDE_HISTORY];
}
