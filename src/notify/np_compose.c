/* np_compose: how a group of events reads — the title a phone shows and the
 * plain-text lines a mail carries (np_int.h). Words come from the events'
 * own texts and fields; the titles of the two incidents operators meet most
 * (a member down, every member down) are written out. */
#include "notify/np_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/jsonutil.h"

void np_fmt_duration(uint64_t ms, char *out, size_t size)
{
	uint64_t s = (ms + 500) / 1000;
	if (ms < 10000)
		snprintf(out, size, "%.1f s", (double)ms / 1000.0);
	else if (s < 60)
		snprintf(out, size, "%u s", (unsigned)s);
	else if (s < 3600)
		snprintf(out, size, "%u min %u s", (unsigned)(s / 60), (unsigned)(s % 60));
	else if (s < 86400)
		snprintf(out, size, "%u h %u min", (unsigned)(s / 3600), (unsigned)(s % 3600 / 60));
	else
		snprintf(out, size, "%u d %u h", (unsigned)(s / 86400), (unsigned)(s % 86400 / 3600));
}

void np_fmt_clock(int64_t wall_ms, char *out, size_t size)
{
	time_t t = (time_t)(wall_ms / 1000);
	struct tm tm;
	if (!localtime_r(&t, &tm) || !strftime(out, size, "%H:%M:%S", &tm))
		snprintf(out, size, "?");
}

struct buf {
	char *p;
	size_t len, cap;
};

static void add(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	if (b->len + 1 >= b->cap)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len += (size_t)n < b->cap - b->len ? (size_t)n : b->cap - b->len - 1;
}

static const char *text_of(json_object *rec)
{
	return json_get_str(rec, "text", "");
}

static json_object *fields_of(json_object *rec)
{
	json_object *f = NULL;
	json_object_object_get_ex(rec, "fields", &f);
	return f;
}

/* The latest item of the group with this event name (NULL: none). */
static json_object *latest(const struct np_inc *inc, const char *ev)
{
	for (unsigned i = inc->n_items; i-- > 0;)
		if (strcmp(json_get_str(inc->items[i].rec, "event", ""), ev) == 0)
			return inc->items[i].rec;
	return NULL;
}

/* The traffic left this incident's member in the group: where it went. */
static const char *moved_to(const struct np_inc *inc)
{
	for (unsigned i = inc->n_items; i-- > 0;) {
		json_object *f = fields_of(inc->items[i].rec);
		const char *from = json_get_str(f, "from", NULL), *to = json_get_str(f, "to", NULL);
		if (from && to && strcmp(from, inc->member) == 0)
			return to;
	}
	return NULL;
}

/* The most severe item, the latest of equals. */
static json_object *worst(const struct np_inc *inc)
{
	unsigned best = 0;
	for (unsigned i = 1; i < inc->n_items; i++)
		if (inc->items[i].sev >= inc->items[best].sev)
			best = i;
	return inc->n_items ? inc->items[best].rec : NULL;
}

static uint64_t group_span_ms(const struct np_inc *inc)
{
	if (inc->n_items < 2)
		return 0;
	double a = json_get_num(inc->items[0].rec, "ts", 0);
	double b = json_get_num(inc->items[inc->n_items - 1].rec, "ts", 0);
	return b > a ? (uint64_t)((b - a) * 1000.0 + 0.5) : 0;
}

static void health_title(const struct np_inc *inc, const struct np_verdict *v,
			 const struct np_clock *now, char *t, size_t n)
{
	json_object *st = latest(inc, "state");
	const char *state = st ? json_get_str(fields_of(st), "state", "down") : "down";
	const char *to = moved_to(inc);
	char dur[32];
	if (v->action == NA_RESOLVE && v->opened_now) {
		np_fmt_duration(group_span_ms(inc), dur, sizeof(dur));
		snprintf(t, n, "%s was down for %s and is up again", inc->member, dur);
	} else if (v->action == NA_RESOLVE) {
		np_fmt_duration(now->mono_ms - inc->opened_mono, dur, sizeof(dur));
		snprintf(t, n, "%s recovered after %s", inc->member, dur);
	} else if (v->action == NA_OPEN) {
		snprintf(t, n, "%s %s%s%s", inc->member, state, to ? ", traffic moved to " : "",
			 to ? to : "");
	} else if (to) {
		snprintf(t, n, "traffic moved from %s to %s", inc->member, to);
	} else if (st) {
		snprintf(t, n, "%s %s", inc->member, state);
	} else {
		snprintf(t, n, "%s", worst(inc) ? text_of(worst(inc)) : inc->key);
	}
}

static void title_of(const struct np_inc *inc, const struct np_verdict *v,
		     const struct np_clock *now, char *t, size_t n)
{
	char dur[32];
	np_fmt_duration(now->mono_ms - inc->opened_mono, dur, sizeof(dur));
	if (inc->kind == NPK_HEALTH) {
		health_title(inc, v, now, t, n);
	} else if (inc->kind == NPK_ALLDOWN && v->action == NA_RESOLVE) {
		snprintf(t, n, "back online via %s after %s offline",
			 json_get_str(inc->items[inc->n_items - 1].rec, "member", "?"), dur);
	} else if (inc->kind == NPK_ALLDOWN) {
		snprintf(t, n, "every uplink is down");
	} else if (v->action == NA_RESOLVE && v->opened_now && worst(inc)) {
		np_fmt_duration(group_span_ms(inc), dur, sizeof(dur));
		snprintf(t, n, "%s (resolved within %s)", text_of(worst(inc)), dur);
	} else if (v->action == NA_RESOLVE && inc->n_items) {
		snprintf(t, n, "%s (after %s)", text_of(inc->items[inc->n_items - 1].rec), dur);
	} else {
		snprintf(t, n, "%s", worst(inc) ? text_of(worst(inc)) : inc->key);
	}
}

static const char *upper(const char *sev, char *out, size_t size)
{
	size_t i = 0;
	for (; sev[i] && i + 1 < size; i++)
		out[i] = (char)(sev[i] >= 'a' && sev[i] <= 'z' ? sev[i] - 32 : sev[i]);
	out[i] = '\0';
	return out;
}

/* "scores: wan 0, sat 92" from the latest decision of the group. */
static void scores_line(const struct np_inc *inc, struct buf *b)
{
	for (unsigned i = inc->n_items; i-- > 0;) {
		json_object *sc = NULL;
		if (!json_object_object_get_ex(fields_of(inc->items[i].rec), "scores", &sc) ||
		    !json_object_is_type(sc, json_type_object))
			continue;
		const char *sep = "scores: ";
		json_object_object_foreach(sc, name, val) {
			if (val)
				add(b, "%s%s %d", sep, name, json_object_get_int(val));
			else
				add(b, "%s%s -", sep, name);
			sep = ", ";
		}
		if (strcmp(sep, ", ") == 0)
			add(b, "\n");
		return;
	}
}

static void event_lines(const struct np_inc *inc, struct buf *b)
{
	char when[16], sev[16];
	for (unsigned i = 0; i < inc->n_items; i++) {
		json_object *r = inc->items[i].rec;
		np_fmt_clock((int64_t)(json_get_num(r, "ts", 0) * 1000.0), when, sizeof(when));
		add(b, "%s  %-9s  %s\n", when, upper(json_get_str(r, "severity", ""), sev, sizeof(sev)),
		    text_of(r));
	}
	if (inc->n_dropped)
		add(b, "(and %u more events)\n", inc->n_dropped);
}

static void incident_line(const struct np_inc *inc, enum notify_action a,
			  const struct np_clock *now, struct buf *b)
{
	char when[16], dur[32];
	if (inc->kind == NPK_ONEOFF)
		return;
	np_fmt_clock(inc->opened_ms, when, sizeof(when));
	np_fmt_duration(now->mono_ms - inc->opened_mono, dur, sizeof(dur));
	add(b, "\nincident %s, opened %s%s%s\n", inc->key, when,
	    a == NA_RESOLVE ? ", lasted " : "", a == NA_RESOLVE ? dur : "");
}

static void fill_common(const struct np_inc *inc, const struct np_clock *now,
			struct notify_msg *m)
{
	m->wall_ms = now->wall_ms;
	snprintf(m->key, sizeof(m->key), "%s", inc->key);
	snprintf(m->member, sizeof(m->member), "%s", inc->member);
	m->opened_ms = inc->opened_ms;
	m->update = inc->updates;
}

void np_compose(const struct np_inc *inc, const struct np_verdict *v, const struct np_clock *now,
		struct notify_msg *m)
{
	struct buf b = { malloc(NOTIFY_TEXT_MAX), 0, NOTIFY_TEXT_MAX };
	fill_common(inc, now, m);
	m->action = v->action;
	m->opened_now = v->opened_now;
	m->sev = v->sev;
	title_of(inc, v, now, m->title, sizeof(m->title));
	m->events = json_object_new_array();
	for (unsigned i = 0; i < inc->n_items && i < NOTIFY_MSG_EVENTS; i++)
		json_object_array_add(m->events, json_object_get(inc->items[i].rec));
	m->more = inc->n_items > NOTIFY_MSG_EVENTS ? inc->n_items - NOTIFY_MSG_EVENTS : 0;
	m->more += inc->n_dropped;
	if (b.p) {
		b.p[0] = '\0';
		event_lines(inc, &b);
		scores_line(inc, &b);
		incident_line(inc, v->action, now, &b);
		m->text = b.p;
	}
}

void np_compose_note(const struct np_inc *inc, const char *title, const char *line,
		     const struct np_clock *now, struct notify_msg *m)
{
	struct buf b = { malloc(NOTIFY_TEXT_MAX), 0, NOTIFY_TEXT_MAX };
	fill_common(inc, now, m);
	snprintf(m->title, sizeof(m->title), "%s", title);
	m->events = json_object_new_array();
	if (b.p) {
		b.p[0] = '\0';
		add(&b, "%s\n", line);
		incident_line(inc, m->action, now, &b);
		m->text = b.p;
	}
}
