/* notify_policy: incidents, grouping, dedup, flapping and quiet hours as a
 * state machine over bus records (notify_policy.h). */
#include "notify/np_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfg_alerts.h"
#include "core/jsonutil.h"

#define NP_MAX_INC 128

struct notify_policy {
	struct np_cfg cfg;
	np_emit_fn emit;
	np_incident_fn incf;
	void *arg;
	struct np_inc *inc[NP_MAX_INC];
	unsigned n;
	struct np_stats st;
};

struct notify_policy *np_new(const struct np_cfg *c, np_emit_fn emit, np_incident_fn incf,
			     void *arg)
{
	struct notify_policy *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->cfg = *c;
	p->emit = emit;
	p->incf = incf;
	p->arg = arg;
	return p;
}

void np_set_cfg(struct notify_policy *p, const struct np_cfg *c)
{
	p->cfg = *c;
}

static void clear_items(struct np_inc *inc)
{
	for (unsigned i = 0; i < inc->n_items; i++)
		json_object_put(inc->items[i].rec);
	inc->n_items = inc->n_dropped = 0;
	inc->due_mono = 0;
}

void np_free(struct notify_policy *p)
{
	if (!p)
		return;
	for (unsigned i = 0; i < p->n; i++) {
		clear_items(p->inc[i]);
		free(p->inc[i]);
	}
	free(p);
}

static struct np_inc *find(struct notify_policy *p, const char *key)
{
	for (unsigned i = 0; i < p->n; i++)
		if (strcmp(p->inc[i]->key, key) == 0)
			return p->inc[i];
	return NULL;
}

/* Room for one more: the longest-unused closed incident with nothing
 * waiting goes (its dedup and flap memory with it). */
static bool make_room(struct notify_policy *p)
{
	int victim = -1;
	for (unsigned i = 0; i < p->n; i++) {
		struct np_inc *c = p->inc[i];
		if (c->open || c->n_items || c->flapping)
			continue;
		if (victim < 0 || c->last_mono < p->inc[victim]->last_mono)
			victim = (int)i;
	}
	if (victim < 0)
		return false;
	free(p->inc[victim]);
	p->inc[victim] = p->inc[--p->n];
	return true;
}

static struct np_inc *create(struct notify_policy *p, const struct np_target *t)
{
	if (p->n == NP_MAX_INC && !make_room(p))
		return NULL;
	struct np_inc *inc = calloc(1, sizeof(*inc));
	if (!inc)
		return NULL;
	snprintf(inc->key, sizeof(inc->key), "%s", t->key);
	snprintf(inc->member, sizeof(inc->member), "%s", t->member);
	inc->kind = t->kind;
	p->inc[p->n++] = inc;
	return inc;
}

static void close_incident(struct notify_policy *p, struct np_inc *inc)
{
	inc->open = inc->quiet_open = inc->restored = false;
	inc->sev = EV_INFO;
	inc->updates = 0;
	if (p->incf)
		p->incf(p->arg, inc->key, inc->opened_ms, EV_INFO, NULL);
}

static void opened(struct notify_policy *p, struct np_inc *inc, const char *title)
{
	inc->open = true;
	inc->updates = 0;
	snprintf(inc->title, sizeof(inc->title), "%s", title);
	if (p->incf)
		p->incf(p->arg, inc->key, inc->opened_ms, inc->sev, title);
}

void np_restore(struct notify_policy *p, const char *key, int64_t opened_ms,
		enum ev_severity sev, const char *title, const struct np_clock *now)
{
	struct np_target t = { .kind = NPK_ONEOFF };
	snprintf(t.key, sizeof(t.key), "%s", key);
	if (find(p, key))
		return;
	struct np_inc *inc = create(p, &t);
	if (!inc)
		return;
	const char *colon = strchr(key, ':');
	if (colon && strcmp(colon, ":health") == 0) {
		inc->kind = NPK_HEALTH;
		snprintf(inc->member, sizeof(inc->member), "%.*s", (int)(colon - key), key);
	} else if (strcmp(key, "all:down") == 0) {
		inc->kind = NPK_ALLDOWN;
	}
	uint64_t ago = now->wall_ms > opened_ms ? (uint64_t)(now->wall_ms - opened_ms) : 0;
	inc->opened_ms = opened_ms;
	inc->opened_mono = now->mono_ms > ago ? now->mono_ms - ago : 0;
	inc->sev = sev;
	inc->open = inc->restored = true;
	inc->restored_mono = now->mono_ms;
	inc->last_mono = now->mono_ms;
	inc->down_now = true;
	snprintf(inc->title, sizeof(inc->title), "%s", title);
}

/* ---- events in ---- */

static enum ev_severity sev_of(json_object *rec)
{
	int s = ev_severity_parse(json_get_str(rec, "severity", "info"));
	return s < 0 ? EV_INFO : (enum ev_severity)s;
}

static void add_item(struct notify_policy *p, struct np_inc *inc, json_object *rec,
		     const struct np_target *t, enum ev_severity sev, const struct np_clock *now)
{
	if (!inc->open && !inc->n_items) {      /* a group that may open it */
		inc->opened_ms = now->wall_ms;
		inc->opened_mono = now->mono_ms;
	}
	if (inc->n_items < NP_GROUP_MAX)
		inc->items[inc->n_items++] = (struct np_item){ json_object_get(rec), t->role, sev };
	else
		inc->n_dropped++;
	if (t->role == NPR_PROBLEM && sev > inc->sev)
		inc->sev = sev;
	bool down = t->role == NPR_PROBLEM || (t->role == NPR_DETAIL && inc->down_now);
	if (inc->kind == NPK_HEALTH && t->role != NPR_DETAIL && down != inc->down_now) {
		inc->since_mono = now->mono_ms;
		inc->since_wall = now->wall_ms;
	}
	if (t->role == NPR_PROBLEM && !inc->down_now)
		inc->went_down = true;
	if (t->role != NPR_DETAIL)
		inc->down_now = t->role == NPR_PROBLEM;
	inc->restored = false;
	inc->last_mono = now->mono_ms;
	if (!inc->due_mono)
		inc->due_mono = now->mono_ms + p->cfg.group_ms;
	/* A member down and the traffic moved away from it: the message has
	 * what it needs, nothing is worth waiting for. */
	if (inc->kind == NPK_HEALTH && t->role == NPR_DETAIL && inc->down_now &&
	    strcmp(json_get_str(json_object_object_get(rec, "fields"), "from", ""),
		   inc->member) == 0)
		inc->due_mono = now->mono_ms;
}

void np_event(struct notify_policy *p, json_object *rec, const struct np_clock *now)
{
	struct np_target t[2];
	struct np_inc *ad = find(p, "all:down");
	p->st.events++;
	int n = np_classify(rec, ad && ad->open, t);
	enum ev_severity sev = sev_of(rec);
	for (int i = 0; i < n; i++) {
		struct np_inc *inc = find(p, t[i].key);
		bool live = inc && (inc->open || inc->n_items);
		bool wanted = t[i].role == NPR_PROBLEM ? (p->cfg.levels & (1u << sev)) || live : live;
		if (!wanted)
			continue;
		if (!inc && !(inc = create(p, &t[i])))
			continue;
		p->st.relevant++;
		add_item(p, inc, rec, &t[i], sev, now);
	}
}

/* ---- messages out ---- */

static bool in_quiet(const struct notify_policy *p, const struct np_clock *now)
{
	return p->cfg.quiet_start >= 0 &&
	       cfg_quiet_contains(p->cfg.quiet_start, p->cfg.quiet_end, now->local_min);
}

/* Marks quiet-hours messages, counts, remembers the title, hands it over. */
static void send(struct notify_policy *p, struct np_inc *inc, struct notify_msg *m,
		 const struct np_clock *now)
{
	bool held_kind = m->action == NA_OPEN || m->action == NA_ALERT || m->action == NA_DIGEST ||
			 m->opened_now || inc->quiet_open;
	m->inc_sev = inc->sev > m->sev ? inc->sev : m->sev;
	m->quiet = in_quiet(p, now) && m->sev <= EV_WARNING && held_kind;
	if (m->quiet)
		p->st.quiet++;
	if (m->action == NA_OPEN)
		inc->quiet_open = m->quiet;
	else if (!m->quiet)
		inc->quiet_open = false;
	snprintf(inc->last_title, sizeof(inc->last_title), "%s", m->title);
	inc->last_mono = inc->sent_mono = now->mono_ms;
	inc->updates++;
	p->st.messages++;
	p->emit(p->arg, m);
}

static struct np_verdict judge(const struct np_inc *inc, bool *drop)
{
	struct np_verdict v = { .sev = EV_INFO };
	bool problem = false;
	for (unsigned i = 0; i < inc->n_items; i++) {
		problem |= inc->items[i].role == NPR_PROBLEM;
		if (inc->items[i].sev > v.sev)
			v.sev = inc->items[i].sev;
	}
	bool resolved = inc->items[inc->n_items - 1].role == NPR_RESOLVE;
	*drop = false;
	if (inc->open)
		v.action = resolved ? NA_RESOLVE : NA_UPDATE;
	else if (inc->kind == NPK_ONEOFF)
		v.action = NA_ALERT;
	else if (!problem)
		*drop = true;
	else if (resolved)
		v.action = NA_RESOLVE, v.opened_now = true;
	else
		v.action = NA_OPEN;
	return v;
}

static void prune_outages(struct np_inc *inc, uint64_t now, uint32_t window)
{
	unsigned k = 0;
	for (unsigned i = 0; i < inc->n_outages; i++)
		if (inc->outages[i] + window > now)
			inc->outages[k++] = inc->outages[i];
	inc->n_outages = k;
}

/* A health incident's outage: counted; the one that makes it flap says so,
 * the ones after it are folded into the window's digest. True when the
 * message is taken care of here. */
static bool flap_outage(struct notify_policy *p, struct np_inc *inc, const struct np_verdict *v,
			const struct np_clock *now)
{
	bool outage = inc->went_down;
	inc->went_down = false;
	if (inc->kind != NPK_HEALTH || !p->cfg.flap_threshold)
		return false;
	if (outage) {
		prune_outages(inc, now->mono_ms, p->cfg.flap_window_ms);
		if (inc->n_outages == sizeof(inc->outages) / sizeof(inc->outages[0]))
			memmove(inc->outages, inc->outages + 1, sizeof(inc->outages) - sizeof(uint64_t));
		else
			inc->n_outages++;
		inc->outages[inc->n_outages - 1] = now->mono_ms;
		inc->in_window++;
	}
	if (inc->flapping) {
		p->st.flap++;
		inc->open = true;       /* stays open until it settles */
		return true;
	}
	if (!outage || inc->n_outages < p->cfg.flap_threshold)
		return false;
	char title[NOTIFY_TITLE_MAX], line[256], win[32];
	np_fmt_duration(p->cfg.flap_window_ms, win, sizeof(win));
	snprintf(title, sizeof(title), "%s is flapping: %u outages in %s", inc->member,
		 inc->n_outages, win);
	snprintf(line, sizeof(line), "Until it settles: one summary every %s.", win);
	struct notify_msg *m = notify_msg_new();
	if (!m)
		return true;
	inc->flapping = true;
	inc->window_end = now->mono_ms + p->cfg.flap_window_ms;
	inc->in_window = 0;
	m->action = inc->open ? NA_UPDATE : NA_OPEN;
	m->sev = v->sev;
	np_compose_note(inc, title, line, now, m);
	if (!inc->open)
		opened(p, inc, title);
	send(p, inc, m, now);
	return true;
}

static void flush(struct notify_policy *p, struct np_inc *inc, const struct np_clock *now)
{
	bool drop;
	struct np_verdict v = judge(inc, &drop);
	if (drop || flap_outage(p, inc, &v, now)) {
		clear_items(inc);
		return;
	}
	struct notify_msg *m = notify_msg_new();
	if (!m) {
		clear_items(inc);
		return;
	}
	np_compose(inc, &v, now, m);
	clear_items(inc);
	bool dup = (v.action == NA_UPDATE || v.action == NA_ALERT) && inc->updates &&
		   strcmp(m->title, inc->last_title) == 0 &&
		   now->mono_ms < inc->sent_mono + p->cfg.dedup_ms;
	if (dup) {
		p->st.dedup++;
		notify_msg_unref(m);
		return;
	}
	if (v.action == NA_OPEN)
		opened(p, inc, m->title);
	send(p, inc, m, now);
	if (v.action == NA_RESOLVE && !v.opened_now)
		close_incident(p, inc);
}

/* The end of a flapping member's window: a digest, or it has settled. */
static void flap_window_end(struct notify_policy *p, struct np_inc *inc,
			    const struct np_clock *now)
{
	char title[NOTIFY_TITLE_MAX], line[256], win[32], since[16];
	struct notify_msg *m = notify_msg_new();
	if (!m)
		return;
	np_fmt_duration(p->cfg.flap_window_ms, win, sizeof(win));
	np_fmt_clock(inc->since_wall, since, sizeof(since));
	if (inc->in_window) {
		snprintf(title, sizeof(title), "%s flapped %u time%s in %s (now %s)", inc->member,
			 inc->in_window, inc->in_window == 1 ? "" : "s", win,
			 inc->down_now ? "down" : "up");
		snprintf(line, sizeof(line), "%s has been %s since %s.", inc->member,
			 inc->down_now ? "down" : "up", since);
		m->action = NA_DIGEST;
		m->sev = inc->down_now ? inc->sev : EV_WARNING;
		inc->window_end = now->mono_ms + p->cfg.flap_window_ms;
		inc->in_window = 0;
	} else {
		inc->flapping = false;
		snprintf(title, sizeof(title), inc->down_now ? "%s stopped flapping, down since %s" :
			 "%s is stable again, up since %s", inc->member, since);
		snprintf(line, sizeof(line), "No outage in the last %s.", win);
		m->action = inc->down_now ? NA_UPDATE : NA_RESOLVE;
		m->sev = inc->down_now ? inc->sev : EV_INFO;
	}
	np_compose_note(inc, title, line, now, m);
	send(p, inc, m, now);
	if (!inc->flapping && !inc->down_now)
		close_incident(p, inc);
}

static void resolve_restored(struct notify_policy *p, struct np_inc *inc,
			     const struct np_clock *now)
{
	char title[NOTIFY_TITLE_MAX];
	struct notify_msg *m = notify_msg_new();
	inc->restored = false;
	if (!m)
		return;
	snprintf(title, sizeof(title), "resolved: %.150s", inc->title);
	m->action = NA_RESOLVE;
	m->sev = EV_INFO;
	np_compose_note(inc, title, "Not seen again since autonomyd restarted.", now, m);
	send(p, inc, m, now);
	close_incident(p, inc);
}

static uint64_t earliest(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

uint64_t np_tick(struct notify_policy *p, const struct np_clock *now)
{
	uint64_t next = UINT64_MAX;
	for (unsigned i = 0; i < p->n; i++) {
		struct np_inc *inc = p->inc[i];
		if (inc->n_items && inc->due_mono <= now->mono_ms)
			flush(p, inc, now);
		if (inc->restored && now->mono_ms >= inc->restored_mono + p->cfg.restore_grace_ms)
			resolve_restored(p, inc, now);
		if (inc->flapping && inc->window_end <= now->mono_ms)
			flap_window_end(p, inc, now);
		if (inc->n_items)
			next = earliest(next, inc->due_mono);
		if (inc->restored)
			next = earliest(next, inc->restored_mono + p->cfg.restore_grace_ms);
		if (inc->flapping)
			next = earliest(next, inc->window_end);
	}
	return next == UINT64_MAX ? next : next > now->mono_ms ? next - now->mono_ms : 0;
}

void np_stats(const struct notify_policy *p, struct np_stats *out)
{
	*out = p->st;
	out->open = 0;
	for (unsigned i = 0; i < p->n; i++)
		out->open += p->inc[i]->open;
}

json_object *np_view(const struct notify_policy *p)
{
	json_object *a = json_object_new_array();
	for (unsigned i = 0; i < p->n; i++) {
		const struct np_inc *inc = p->inc[i];
		if (!inc->open)
			continue;
		json_object *o = json_object_new_object();
		json_object_object_add(o, "key", json_object_new_string(inc->key));
		json_object_object_add(o, "opened_ts", json_object_new_int64(inc->opened_ms / 1000));
		json_object_object_add(o, "severity", json_object_new_string(ev_severity_name(inc->sev)));
		json_object_object_add(o, "title", json_object_new_string(inc->title));
		json_object_object_add(o, "flapping", json_object_new_boolean(inc->flapping));
		json_object_object_add(o, "restored", json_object_new_boolean(inc->restored));
		json_object_array_add(a, o);
	}
	return a;
}
