#include "engine/telemetry.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void tel_verdict_clear(struct tel_verdict *v)
{
	memset(v, 0, sizeof(*v));
}

/* Keeps the largest penalties when there are more than fit. */
static int weakest(const struct tel_verdict *v)
{
	int k = 0;
	for (unsigned i = 1; i < v->n_pen; i++)
		if (v->pen[i].points < v->pen[k].points)
			k = (int)i;
	return k;
}

static void add_pen(struct tel_verdict *v, const char *source, int points, const char *text)
{
	unsigned slot;
	if (points <= 0)
		return;
	if (points > 100)
		points = 100;
	if (v->n_pen < TEL_PEN_MAX) {
		slot = v->n_pen++;
	} else {
		int w = weakest(v);
		if (v->pen[w].points >= points)
			return;
		slot = (unsigned)w;
	}
	snprintf(v->pen[slot].source, sizeof(v->pen[slot].source), "%s", source);
	v->pen[slot].points = points;
	snprintf(v->pen[slot].reason, sizeof(v->pen[slot].reason), "%s", text);
}

void tel_add_penalty(struct tel_verdict *v, const char *source, int points, const char *fmt, ...)
{
	char text[TEL_REASON_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	add_pen(v, source, points, text);
}

/* Sets a flag; the first reason given is kept (it is usually the strongest:
 * assessors test the hard conditions first). */
static void __attribute__((format(printf, 3, 0)))
flag(bool *f, char *reason, const char *fmt, va_list ap)
{
	if (*f)
		return;
	*f = true;
	vsnprintf(reason, TEL_REASON_MAX, fmt, ap);
}

void tel_predict(struct tel_verdict *v, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	flag(&v->predicted, v->predict_reason, fmt, ap);
	va_end(ap);
}

void tel_predict_as(struct tel_verdict *v, const char *kind, double strength,
		    uint32_t horizon_s)
{
	if (!v->predicted || v->predict_kind[0] || !kind)
		return;
	snprintf(v->predict_kind, sizeof(v->predict_kind), "%s", kind);
	v->predict_strength = strength;
	v->predict_horizon_s = horizon_s;
}

void tel_exclude(struct tel_verdict *v, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	flag(&v->exclude, v->exclude_reason, fmt, ap);
	va_end(ap);
}

void tel_link_down(struct tel_verdict *v, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	flag(&v->link_down, v->link_reason, fmt, ap);
	va_end(ap);
}

void tel_merge(struct tel_verdict *a, const struct tel_verdict *b)
{
	for (unsigned i = 0; i < b->n_pen; i++)
		add_pen(a, b->pen[i].source, b->pen[i].points, b->pen[i].reason);
	if (b->predicted) {
		tel_predict(a, "%s", b->predict_reason);
		tel_predict_as(a, b->predict_kind, b->predict_strength, b->predict_horizon_s);
	}
	if (b->exclude)
		tel_exclude(a, "%s", b->exclude_reason);
	if (b->link_down)
		tel_link_down(a, "%s", b->link_reason);
}

unsigned tel_penalties(const struct tel_verdict *v, struct health_penalty *out, unsigned max)
{
	unsigned n = 0;
	for (unsigned i = 0; i < v->n_pen && n < max; i++)
		out[n++] = (struct health_penalty){ .source = v->pen[i].source,
						    .points = v->pen[i].points,
						    .reason = v->pen[i].reason };
	return n;
}
