/* health: the health score of one member (formula in health.h and
 * docs/health-score.md). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "engine/health.h"

#define MAX_PENALTIES 24

struct pen_list {
	struct health_item it[MAX_PENALTIES];
	unsigned n;
};

void health_params_default(struct health_params *p)
{
	p->warning = 70;
	p->critical = 50;
	p->hysteresis = 3;
	p->short_span_us = 30ULL * 1000000;
	p->short_min_n = 40;
	p->loss_min_n = 20;
	p->latency_good_ms = 100;
	p->jitter_good_ms = 10;
	p->baseline_up_tau_s = 600;
	p->baseline_down_tau_s = 60;
}

void health_init(struct health *h, const struct health_params *p)
{
	memset(h, 0, sizeof(*h));
	if (p)
		h->p = *p;
	else
		health_params_default(&h->p);
	h->state = HEALTH_UNKNOWN;
	h->score = -1;
	h->baseline_ms = -1;
}

const char *health_state_name(enum health_state st)
{
	switch (st) {
	case HEALTH_UNKNOWN: return "unknown";
	case HEALTH_UP: return "up";
	case HEALTH_DEGRADED: return "degraded";
	case HEALTH_DOWN: return "down";
	}
	return "?";
}

/* Adds a penalty of round(points) if that is at least 1; the text is the
 * measurement followed by " -N". */
static void __attribute__((format(printf, 4, 5)))
pen_add(struct pen_list *l, const char *label, double points, const char *fmt, ...)
{
	int pts = (int)lround(points > 100 ? 100 : points);
	va_list ap;

	if (pts < 1 || l->n >= MAX_PENALTIES)
		return;
	struct health_item *it = &l->it[l->n++];
	snprintf(it->label, sizeof(it->label), "%s", label);
	it->points = pts;
	va_start(ap, fmt);
	int len = vsnprintf(it->text, sizeof(it->text), fmt, ap);
	va_end(ap);
	if (len >= 0 && (size_t)len < sizeof(it->text))
		snprintf(it->text + len, sizeof(it->text) - len, " -%d", pts);
}

double health_loss_points(double L)
{
	if (isnan(L) || L <= 0)
		return 0;
	if (L <= 10)
		return 3.2 * L;
	if (L <= 42)
		return 32 + 0.25 * (L - 10);
	return fmin(100, 40 + 3 * (L - 42));
}

/* The span that only reaches back to the detector's last recovery. */
static uint64_t span_since(uint64_t span_us, uint64_t since_us, uint64_t now_us)
{
	if (since_us == 0 || since_us > now_us)
		return span_us;
	uint64_t s = now_us - since_us + 1;
	return span_us == 0 || s < span_us ? s : span_us;
}

/* "2.5" below 10 %, "12" above: the precision the sample size supports. */
static void pct_text(char *buf, size_t sz, double v)
{
	if (v < 10)
		snprintf(buf, sz, "%.1f", v);
	else
		snprintf(buf, sz, "%.0f", v);
}

static void pen_loss(struct pen_list *l, const struct health_params *p,
		     const struct window_stats *lg, const struct window_stats *sh,
		     struct health_result *out)
{
	double L_long = lg->n ? 100.0 * lg->lost / (lg->n > p->loss_min_n ? lg->n : p->loss_min_n) : 0;
	double L_short = sh->n >= p->short_min_n ? 100.0 * sh->lost / sh->n : NAN;
	bool by_short = !isnan(L_short) && L_short > L_long;
	double L = by_short ? L_short : L_long;
	char num[16];

	out->loss_pct = lg->loss_pct;
	out->loss_short_pct = L_short;
	pct_text(num, sizeof(num), L);
	if (by_short)
		pen_add(l, "loss", health_loss_points(L), "loss %s%% in %.0f s", num,
			p->short_span_us / 1e6);
	else
		pen_add(l, "loss", health_loss_points(L), "loss %s%%", num);
}

static void pen_latency(struct health *h, struct pen_list *l, const struct window_stats *lg,
			const struct window_stats *sh, struct health_result *out)
{
	/* The short span when it has enough replies, else all we have. */
	const struct window_stats *st = sh->n - sh->lost >= 5 ? sh : lg;
	const struct health_params *p = &h->p;

	out->latency_ms = st->p50_ms;
	out->p95_ms = st->p95_ms;
	out->jitter_ms = st->jitter_ms;
	out->baseline_ms = h->baseline_ms < 0 ? NAN : h->baseline_ms;
	if (isnan(st->p50_ms))
		return;
	pen_add(l, "latency", fmin(60, 0.1 * (st->p50_ms - p->latency_good_ms)),
		"latency p50 %.0f ms", st->p50_ms);
	pen_add(l, "jitter", fmin(20, 0.5 * (st->jitter_ms - p->jitter_good_ms)),
		"jitter %.0f ms", st->jitter_ms);
	if (h->baseline_ms >= 0) {
		double rise = st->p50_ms - h->baseline_ms;
		double thr = fmax(20, h->baseline_ms / 2);
		pen_add(l, "latency rise", fmin(20, 0.25 * (rise - thr)),
			"latency +%.0f ms over %.0f ms baseline", rise, h->baseline_ms);
	}
}

/* Slow EWMA of p50 on time, faster downwards: a baseline is the latency the
 * path can do, and a rise must stay visible for minutes. */
static void baseline_update(struct health *h, const struct window_stats *sh, uint64_t now_us)
{
	if (sh->n - sh->lost < 5 || isnan(sh->p50_ms))
		return;
	if (h->baseline_ms < 0) {
		h->baseline_ms = sh->p50_ms;
	} else if (now_us > h->baseline_us) {
		double tau = sh->p50_ms > h->baseline_ms ? h->p.baseline_up_tau_s :
			     h->p.baseline_down_tau_s;
		double dt_s = (double)(now_us - h->baseline_us) / 1e6;
		double a = 1 - exp(-dt_s / tau);
		h->baseline_ms += a * (sh->p50_ms - h->baseline_ms);
	}
	h->baseline_us = now_us;
}

static int rank(enum health_state st)
{
	return st == HEALTH_UP ? 2 : st == HEALTH_DEGRADED ? 1 : 0;
}

static enum health_state by_score(const struct health_params *p, int score, int lift)
{
	if (score >= p->warning + lift)
		return HEALTH_UP;
	return score >= p->critical + lift ? HEALTH_DEGRADED : HEALTH_DOWN;
}

/* Worse at once; better only past threshold + hysteresis. */
static enum health_state next_state(const struct health *h, int score)
{
	enum health_state raw = by_score(&h->p, score, 0);

	if (h->state == HEALTH_UNKNOWN || rank(raw) <= rank(h->state))
		return raw;
	enum health_state lifted = by_score(&h->p, score, h->p.hysteresis);
	return rank(lifted) > rank(h->state) ? lifted : h->state;
}

/* Largest first; stable, so equal penalties keep the order they were added
 * in and the explanation is the same on every libc. */
static void sort_items(struct health_item *it, unsigned n)
{
	for (unsigned i = 1; i < n; i++) {
		struct health_item x = it[i];
		unsigned j = i;
		for (; j > 0 && it[j - 1].points < x.points; j--)
			it[j] = it[j - 1];
		it[j] = x;
	}
}

static void explain(const struct pen_list *l, struct health_result *out)
{
	struct pen_list s = *l;
	size_t off = 0;

	sort_items(s.it, s.n);
	out->n_items = s.n < HEALTH_EXPLAIN_MAX ? s.n : HEALTH_EXPLAIN_MAX;
	memcpy(out->items, s.it, out->n_items * sizeof(s.it[0]));
	snprintf(out->reason, sizeof(out->reason), "ok");
	for (unsigned i = 0; i < out->n_items && off < sizeof(out->reason); i++) {
		int len = snprintf(out->reason + off, sizeof(out->reason) - off, "%s%s",
				   i ? ", " : "", out->items[i].text);
		if (len < 0)
			break;
		off += (size_t)len;
	}
}

static void pen_detector(struct pen_list *l, const struct detect *d)
{
	if (d->link != DETECT_LINK_UP)
		pen_add(l, "link", 100, "%s", detect_link_name(d->link));
	else if (d->state == DETECT_DOWN)
		pen_add(l, "down", 100, "%s", d->reason);
	else if (d->consec_lost >= 3)
		pen_add(l, "lost in a row", fmin(10, 2.0 * (d->consec_lost - 2)),
			"%u lost in a row", d->consec_lost);
}

static void pen_telemetry(struct pen_list *l, const struct health_penalty *tel, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		double pts = tel[i].points < 0 ? 0 : tel[i].points;
		pen_add(l, tel[i].source ? tel[i].source : "telemetry", pts, "%s",
			tel[i].reason ? tel[i].reason : "");
	}
}

void health_update(struct health *h, const struct window *w, const struct detect *d,
		   const struct health_penalty *tel, unsigned n_tel, uint64_t now_us,
		   struct health_result *out)
{
	struct window_stats lg, sh;
	struct pen_list l = { .n = 0 };
	int total = 0;

	memset(out, 0, sizeof(*out));
	out->loss_pct = out->loss_short_pct = out->latency_ms = NAN;
	out->p95_ms = out->jitter_ms = out->baseline_ms = NAN;
	window_stats(w, now_us, span_since(0, d->up_since_sent_us, now_us), &lg);
	window_stats(w, now_us, span_since(h->p.short_span_us, d->up_since_sent_us, now_us), &sh);
	bool down = d->state == DETECT_DOWN || d->link != DETECT_LINK_UP;
	if (!down && lg.n == 0 && d->state == DETECT_UNKNOWN) {
		h->state = HEALTH_UNKNOWN;
		h->score = out->score = -1;
		out->state = HEALTH_UNKNOWN;
		snprintf(out->reason, sizeof(out->reason), "no data yet");
		return;
	}
	pen_detector(&l, d);
	pen_loss(&l, &h->p, &lg, &sh, out);
	pen_latency(h, &l, &lg, &sh, out);
	pen_telemetry(&l, tel, n_tel);
	for (unsigned i = 0; i < l.n; i++)
		total += l.it[i].points;
	out->score = total >= 100 ? 0 : 100 - total;
	out->state = down ? HEALTH_DOWN : next_state(h, out->score);
	explain(&l, out);
	if (!down)
		baseline_update(h, &sh, now_us);
	h->state = out->state;
	h->score = out->score;
}
