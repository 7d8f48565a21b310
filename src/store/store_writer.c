/* store_writer: the RAM queue in front of a store (store_writer.h). */
#include "store/store_writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

enum item_kind { I_SAMPLE, I_SYS, I_EVENT, I_DECISION, I_OUTAGE, I_USAGE };

struct item {
	enum item_kind kind;
	union {
		struct store_sample sample;
		struct store_sys sys;
		struct store_event event;
		struct store_decision decision;
		struct store_outage outage;
		struct store_usage usage;
	} u;
};

struct spell {
	char member[STORE_NAME_MAX];
	int64_t since_ms;
	bool active;
	char reason[160];
	char place[32];
};

struct store_writer {
	struct item *q;                 /* ring */
	unsigned head, n;
	struct store_member members[STORE_WRITER_MEMBERS];
	unsigned n_members;
	bool members_dirty;
	struct spell spells[STORE_WRITER_MEMBERS];
	unsigned n_spells;
	char place[32];
	struct ev_bus *bus;
	int sub;
	struct store_writer_stats st;
};

struct store_writer *store_writer_new(void)
{
	struct store_writer *w = calloc(1, sizeof(*w));
	if (w && !(w->q = calloc(STORE_WRITER_MAX, sizeof(*w->q)))) {
		free(w);
		return NULL;
	}
	return w;
}

static void item_free(struct item *it)
{
	if (it->kind == I_EVENT)
		free(it->u.event.fields);
	else if (it->kind == I_DECISION)
		free(it->u.decision.scores);
}

void store_writer_free(struct store_writer *w)
{
	if (!w)
		return;
	store_writer_detach(w);
	for (unsigned i = 0; i < w->n; i++)
		item_free(&w->q[(w->head + i) % STORE_WRITER_MAX]);
	free(w->q);
	free(w);
}

static struct item *push(struct store_writer *w, enum item_kind k)
{
	if (w->n == STORE_WRITER_MAX) {
		item_free(&w->q[w->head]);
		w->head = (w->head + 1) % STORE_WRITER_MAX;
		w->n--;
		w->st.dropped++;
	}
	struct item *it = &w->q[(w->head + w->n) % STORE_WRITER_MAX];
	memset(it, 0, sizeof(*it));
	it->kind = k;
	w->n++;
	w->st.queued++;
	return it;
}

static const char *fstr(json_object *f, const char *k)
{
	json_object *v;
	return json_object_object_get_ex(f, k, &v) && v ? json_object_get_string(v) : "";
}

static char *json_text(json_object *o)
{
	return o ? strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN)) : NULL;
}

static void decision_row(struct store_writer *w, const struct ev_record *e)
{
	struct store_decision *d = &push(w, I_DECISION)->u.decision;
	json_object *sc = NULL;
	d->ts_ms = e->wall_ms;
	snprintf(d->type, sizeof(d->type), "%s", e->type);
	if (strcmp(e->type, "test") == 0) {
		snprintf(d->cause, sizeof(d->cause), "manual");
		snprintf(d->from, sizeof(d->from), "%s", e->member);
		snprintf(d->to, sizeof(d->to), "%s", e->member);
		snprintf(d->reason, sizeof(d->reason), "%s", e->text);
		return;
	}
	snprintf(d->cause, sizeof(d->cause), "%s", fstr(e->fields, "cause"));
	snprintf(d->from, sizeof(d->from), "%s", fstr(e->fields, "from"));
	snprintf(d->to, sizeof(d->to), "%s", fstr(e->fields, "to"));
	snprintf(d->reason, sizeof(d->reason), "%s", fstr(e->fields, "reason"));
	if (json_object_object_get_ex(e->fields, "scores", &sc))
		d->scores = json_text(sc);
}

static struct spell *spell_find(struct store_writer *w, const char *member)
{
	for (unsigned i = 0; i < w->n_spells; i++)
		if (strcmp(w->spells[i].member, member) == 0)
			return &w->spells[i];
	return NULL;
}

static void outage_row(struct store_writer *w, struct spell *sp, int64_t end_ms, bool cut)
{
	struct store_outage *o = &push(w, I_OUTAGE)->u.outage;
	o->start_ms = sp->since_ms;
	o->dur_ms = end_ms > sp->since_ms ? end_ms - sp->since_ms : 0;
	snprintf(o->member, sizeof(o->member), "%s", sp->member);
	o->active = sp->active;
	o->cut = cut;
	snprintf(o->reason, sizeof(o->reason), "%s", sp->reason);
	snprintf(o->place, sizeof(o->place), "%s", sp->place);
	*sp = w->spells[--w->n_spells];
}

/* Down spells: from a `state` event saying down to the next that does not. */
static void track_state(struct store_writer *w, const struct ev_record *e)
{
	struct spell *sp = spell_find(w, e->member);
	bool down = strcmp(fstr(e->fields, "state"), "down") == 0;
	json_object *v;
	if (down && !sp && w->n_spells < STORE_WRITER_MEMBERS) {
		sp = &w->spells[w->n_spells++];
		memset(sp, 0, sizeof(*sp));
		snprintf(sp->member, sizeof(sp->member), "%s", e->member);
		sp->since_ms = e->wall_ms;
		sp->active = json_object_object_get_ex(e->fields, "active", &v) &&
			     json_object_get_boolean(v);
		snprintf(sp->reason, sizeof(sp->reason), "%s", fstr(e->fields, "reason"));
		snprintf(sp->place, sizeof(sp->place), "%s", w->place);
	} else if (!down && sp) {
		outage_row(w, sp, e->wall_ms, false);
	}
}

static bool is_decision(const char *type)
{
	static const char *const t[] = { "switch", "restore", "hold", "manual", "test" };
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(type, t[i]) == 0)
			return true;
	return false;
}

void store_writer_event(struct store_writer *w, const struct ev_record *e)
{
	struct store_event *x = &push(w, I_EVENT)->u.event;
	x->ts_ms = e->wall_ms;
	x->severity = (int)e->severity;
	x->kind = (int)e->kind;
	snprintf(x->type, sizeof(x->type), "%s", e->type);
	snprintf(x->member, sizeof(x->member), "%s", e->member);
	x->notify = e->notify;
	snprintf(x->text, sizeof(x->text), "%s", e->text);
	x->fields = json_object_object_length(e->fields) ? json_text(e->fields) : NULL;
	if (e->kind == EV_K_SWITCH && is_decision(e->type))
		decision_row(w, e);
	else if (strcmp(e->type, "state") == 0 && e->member[0])
		track_state(w, e);
}

static void on_event(void *arg, const struct ev_record *e)
{
	store_writer_event(arg, e);
}

int store_writer_attach(struct store_writer *w, struct ev_bus *b)
{
	w->bus = b;
	w->sub = ev_subscribe(b, EV_INFO, 0, on_event, w);
	return w->sub < 0 ? -1 : 0;
}

void store_writer_detach(struct store_writer *w)
{
	if (w->bus && w->sub > 0)
		ev_unsubscribe(w->bus, w->sub);
	w->bus = NULL;
	w->sub = 0;
}

void store_writer_sample(struct store_writer *w, const struct store_sample *x)
{
	push(w, I_SAMPLE)->u.sample = *x;
}

void store_writer_sys(struct store_writer *w, const struct store_sys *x)
{
	push(w, I_SYS)->u.sys = *x;
}

void store_writer_usage(struct store_writer *w, const struct store_usage *u)
{
	push(w, I_USAGE)->u.usage = *u;
}

void store_writer_members(struct store_writer *w, const struct store_member *m, unsigned n)
{
	if (n > STORE_WRITER_MEMBERS)
		n = STORE_WRITER_MEMBERS;
	memcpy(w->members, m, n * sizeof(*m));
	w->n_members = n;
	w->members_dirty = true;
}

void store_writer_place(struct store_writer *w, const char *place)
{
	snprintf(w->place, sizeof(w->place), "%s", place ? place : "");
}

void store_writer_cut_outages(struct store_writer *w, int64_t now_ms)
{
	while (w->n_spells)
		outage_row(w, &w->spells[w->n_spells - 1], now_ms, true);
}

/* Rows name their member; the tables want its id. A member the table has
 * no room for (63 names with rows) is not recorded: 0, not an error. */
static int ensure_member(struct store *s, const char *name)
{
	int mid = store_member_find(s, name);
	if (!mid) {
		struct store_member m = { .priority = 0 };
		snprintf(m.name, sizeof(m.name), "%s", name);
		mid = store_member_id(s, &m);
	}
	return mid;
}

static int put_sample(struct store *s, const struct store_sample *x)
{
	struct store_sample y = *x;
	y.mid = ensure_member(s, x->member);
	return y.mid ? store_put_sample(s, &y, y.span_s >= 3600) : 0;
}

static int put(struct store *s, const struct item *it)
{
	switch (it->kind) {
	case I_SAMPLE: return put_sample(s, &it->u.sample);
	case I_SYS: return store_put_sys(s, &it->u.sys);
	case I_EVENT: return store_put_event(s, &it->u.event);
	case I_DECISION: return store_put_decision(s, &it->u.decision);
	case I_OUTAGE:
		return ensure_member(s, it->u.outage.member) ?
		       store_put_outage(s, &it->u.outage) : 0;
	case I_USAGE:
		return ensure_member(s, it->u.usage.member) ? store_put_usage(s, &it->u.usage) : 0;
	}
	return -1;
}

static int fail(struct store_writer *w, struct store *s)
{
	w->st.errors++;
	w->st.last_rc = sqlite3_extended_errcode(store_db(s));
	snprintf(w->st.last_error, sizeof(w->st.last_error), "%s", store_errmsg(s));
	store_rollback(s);
	return -1;
}

int store_writer_flush(struct store_writer *w, struct store *s)
{
	if (!w->n && !w->members_dirty)
		return 0;
	int rc = store_begin(s);
	if (rc == 1) {
		w->st.busy++;
		return 1;
	}
	if (rc < 0)
		return fail(w, s);
	for (unsigned i = 0; w->members_dirty && i < w->n_members; i++)
		if (!store_member_id(s, &w->members[i]))
			return fail(w, s);
	for (unsigned i = 0; i < w->n; i++)
		if (put(s, &w->q[(w->head + i) % STORE_WRITER_MAX]) < 0)
			return fail(w, s);
	if (store_commit(s) < 0)
		return fail(w, s);
	w->members_dirty = false;
	w->st.written += w->n;
	w->st.flushes++;
	while (w->n) {
		item_free(&w->q[w->head]);
		w->head = (w->head + 1) % STORE_WRITER_MAX;
		w->n--;
	}
	w->head = 0;
	return 0;
}

unsigned store_writer_pending(const struct store_writer *w)
{
	return w->n;
}

void store_writer_stats(const struct store_writer *w, struct store_writer_stats *out)
{
	*out = w->st;
	out->pending = w->n;
}
