/* export_count: failovers since the daemon started, by from, to and reason
 * kind — what autonomy_failover_events_total and the SNMP scalar show.
 * Counted from the event bus's decision records; not persisted: a counter
 * that restarts at 0 is what Prometheus' rate() and increase() expect, and
 * the start time is exported beside it. */
#include "export/export_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonutil.h"

/* decide_cause_name() of every cause that moves traffic ("initial", the
 * first choice, moves nothing). */
const char *const export_reason_kinds[EXPORT_KINDS_N] = {
	"down", "all_down", "predicted", "excluded", "failback", "quality", "manual",
};

static struct export_fo *find(struct export_counts *c, const char *from, const char *to,
			      const char *kind)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->v[i].from, from) && !strcmp(c->v[i].to, to) &&
		    !strcmp(c->v[i].kind, kind))
			return &c->v[i];
	return NULL;
}

static struct export_fo *add(struct export_counts *c, const char *from, const char *to,
			     const char *kind)
{
	struct export_fo *f = find(c, from, to, kind);
	if (f)
		return f;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct export_fo *v = realloc(c->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		c->v = v;
		c->cap = cap;
	}
	f = &c->v[c->n++];
	memset(f, 0, sizeof(*f));
	snprintf(f->from, sizeof(f->from), "%s", from);
	snprintf(f->to, sizeof(f->to), "%s", to);
	snprintf(f->kind, sizeof(f->kind), "%s", kind);
	return f;
}

int export_counts_seed(struct export_counts *c, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++)
			for (size_t k = 0; i != j && k < EXPORT_KINDS_N; k++)
				if (!add(c, names[i], names[j], export_reason_kinds[k]))
					return -1;
	return 0;
}

int export_counts_event(struct export_counts *c, json_object *ev)
{
	const char *type = json_get_str(ev, "event", "");
	json_object *f = NULL;
	if (strcmp(type, "switch") && strcmp(type, "restore") && strcmp(type, "manual"))
		return 0;
	if (!json_object_object_get_ex(ev, "fields", &f) || !f)
		return 0;
	const char *from = json_get_str(f, "from", NULL), *to = json_get_str(f, "to", NULL);
	return export_counts_add(c, from, to, json_get_str(f, "cause", "unknown")) == 0 ? 1 : 0;
}

int export_counts_add(struct export_counts *c, const char *from, const char *to,
		      const char *kind)
{
	if (!from || !to || !*from || !*to || !strcmp(from, to))
		return -1;
	struct export_fo *fo = add(c, from, to, kind);
	if (!fo)
		return -1;
	fo->n++;
	c->total++;
	return 0;
}

void export_counts_free(struct export_counts *c)
{
	free(c->v);
	memset(c, 0, sizeof(*c));
}
