/* ev_bus: subscribers and delivery (ev.h). */
#include "events/ev.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "events/ev_types.h"

/* Records published by subscribers during a delivery wait here; a storm of
 * them (a subscriber that publishes for every record it gets) is cut off:
 * at most EV_QUEUE_MAX waiting, at most EV_CHAIN_MAX delivered per record
 * published from outside. */
#define EV_QUEUE_MAX 64
#define EV_CHAIN_MAX 256

struct ev_sub {
	int id;
	enum ev_severity min;
	unsigned kinds;
	ev_sub_fn fn;
	void *arg;
	bool dead;
};

struct ev_bus {
	struct ev_clock clk;
	struct ev_sub *subs;
	unsigned n_subs, cap_subs;
	int next_id;
	unsigned levels;                /* bit per severity: notify */
	bool delivering, dirty;
	struct ev_record queue[EV_QUEUE_MAX];
	unsigned q_head, q_n;
	struct ev_bus_stats st;
};

static int64_t real_wall_ms(void *arg)
{
	(void)arg;
	return clock_wall_ms();
}

static uint64_t real_mono_us(void *arg)
{
	(void)arg;
	return clock_mono_us();
}

struct ev_bus *ev_bus_new(const struct ev_clock *clk)
{
	struct ev_bus *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->clk.wall_ms = clk && clk->wall_ms ? clk->wall_ms : real_wall_ms;
	b->clk.mono_us = clk && clk->mono_us ? clk->mono_us : real_mono_us;
	b->clk.arg = clk ? clk->arg : NULL;
	b->levels = (1u << EV_SEV_N) - 1;
	b->next_id = 1;
	return b;
}

void ev_bus_free(struct ev_bus *b)
{
	if (!b)
		return;
	for (unsigned i = 0; i < b->q_n; i++)
		json_object_put(b->queue[(b->q_head + i) % EV_QUEUE_MAX].fields);
	free(b->subs);
	free(b);
}

void ev_bus_set_levels(struct ev_bus *b, unsigned enabled_mask)
{
	b->levels = enabled_mask;
}

int ev_subscribe(struct ev_bus *b, enum ev_severity min, unsigned kinds, ev_sub_fn fn,
		 void *arg)
{
	if (b->n_subs == b->cap_subs) {
		unsigned cap = b->cap_subs ? b->cap_subs * 2 : 8;
		struct ev_sub *s = realloc(b->subs, cap * sizeof(*s));
		if (!s)
			return -1;
		b->subs = s;
		b->cap_subs = cap;
	}
	struct ev_sub *s = &b->subs[b->n_subs++];
	*s = (struct ev_sub){ .id = b->next_id++, .min = min, .kinds = kinds ? kinds : EV_KINDS_ALL,
			      .fn = fn, .arg = arg };
	return s->id;
}

static void compact(struct ev_bus *b)
{
	unsigned k = 0;
	for (unsigned i = 0; i < b->n_subs; i++)
		if (!b->subs[i].dead)
			b->subs[k++] = b->subs[i];
	b->n_subs = k;
	b->dirty = false;
}

void ev_unsubscribe(struct ev_bus *b, int id)
{
	for (unsigned i = 0; i < b->n_subs; i++)
		if (b->subs[i].id == id)
			b->subs[i].dead = true;
	/* During a delivery the array is being walked: compact afterwards. */
	if (b->delivering)
		b->dirty = true;
	else
		compact(b);
}

static void deliver(struct ev_bus *b, const struct ev_record *e)
{
	/* New subscribers added during this delivery wait for the next record. */
	unsigned n = b->n_subs;
	for (unsigned i = 0; i < n; i++) {
		const struct ev_sub *s = &b->subs[i];
		if (s->dead || e->severity < s->min || !(s->kinds & EV_KIND_BIT(e->kind)))
			continue;
		s->fn(s->arg, e);
	}
}

static void build(struct ev_bus *b, struct ev_record *e, int type, const char *member, int sev,
		  json_object *fields)
{
	const struct ev_type_def *t = ev_type(type);
	memset(e, 0, sizeof(*e));
	e->seq = ++b->st.published;
	e->wall_ms = b->clk.wall_ms(b->clk.arg);
	e->mono_us = b->clk.mono_us(b->clk.arg);
	e->type = t ? t->name : "unknown";
	e->kind = t ? t->kind : EV_K_SYSTEM;
	e->severity = sev >= 0 && sev < EV_SEV_N ? (enum ev_severity)sev :
		      t ? t->severity : EV_INFO;
	snprintf(e->member, sizeof(e->member), "%s", member ? member : "");
	e->fields = fields && json_object_is_type(fields, json_type_object) ? fields :
		    json_object_new_object();
	if (fields && e->fields != fields)
		json_object_put(fields);
	ev_render(t ? t->tmpl : "{member}", e->fields, e->member, e->text, sizeof(e->text));
	e->notify = e->severity >= EV_WARNING && (b->levels & (1u << e->severity));
	b->st.by_severity[e->severity]++;
}

void ev_publish(struct ev_bus *b, int type, const char *member, int sev, json_object *fields)
{
	if (b->delivering) {
		if (b->q_n == EV_QUEUE_MAX) {
			b->st.dropped++;
			json_object_put(fields);
			return;
		}
		build(b, &b->queue[(b->q_head + b->q_n) % EV_QUEUE_MAX], type, member, sev, fields);
		b->q_n++;
		return;
	}
	struct ev_record e;
	build(b, &e, type, member, sev, fields);
	b->delivering = true;
	deliver(b, &e);
	json_object_put(e.fields);
	for (unsigned chained = 0; b->q_n; chained++) {
		if (chained == EV_CHAIN_MAX) {
			while (b->q_n) {
				json_object_put(b->queue[b->q_head].fields);
				b->q_head = (b->q_head + 1) % EV_QUEUE_MAX;
				b->q_n--;
				b->st.dropped++;
			}
			break;
		}
		/* Copied out: a subscriber may queue more while this one is delivered. */
		e = b->queue[b->q_head];
		b->q_head = (b->q_head + 1) % EV_QUEUE_MAX;
		b->q_n--;
		deliver(b, &e);
		json_object_put(e.fields);
	}
	b->delivering = false;
	if (b->dirty)
		compact(b);
}

void ev_bus_stats(const struct ev_bus *b, struct ev_bus_stats *out)
{
	*out = b->st;
	out->subscribers = 0;
	for (unsigned i = 0; i < b->n_subs; i++)
		out->subscribers += !b->subs[i].dead;
}

static const char *const sev_names[EV_SEV_N] = { "info", "warning", "critical", "emergency" };
static const char *const kind_names[EV_KIND_N] = {
	"state", "switch", "route", "telemetry", "config", "security", "system",
};

const char *ev_severity_name(enum ev_severity s)
{
	return s < EV_SEV_N ? sev_names[s] : "unknown";
}

int ev_severity_parse(const char *s)
{
	for (int i = 0; s && i < EV_SEV_N; i++)
		if (strcmp(s, sev_names[i]) == 0)
			return i;
	return -1;
}

const char *ev_kind_name(enum ev_kind k)
{
	return k < EV_KIND_N ? kind_names[k] : "unknown";
}

json_object *ev_record_json(const struct ev_record *e)
{
	char buf[32];
	json_object *o = json_object_new_object();
	json_object_object_add(o, "event", json_object_new_string(e->type));
	json_object_object_add(o, "time", json_object_new_string(
		clock_iso8601(e->wall_ms / 1000, buf, sizeof(buf))));
	json_object_object_add(o, "ts", json_object_new_double((double)e->wall_ms / 1e3));
	json_object_object_add(o, "severity", json_object_new_string(ev_severity_name(e->severity)));
	json_object_object_add(o, "kind", json_object_new_string(ev_kind_name(e->kind)));
	json_object_object_add(o, "member", e->member[0] ? json_object_new_string(e->member) : NULL);
	json_object_object_add(o, "text", json_object_new_string(e->text));
	json_object_object_add(o, "notify", json_object_new_boolean(e->notify));
	json_object_object_add(o, "fields", json_object_get(e->fields));
	return o;
}
