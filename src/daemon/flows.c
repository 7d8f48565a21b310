/* flows: what each switch did to the connections through the router, and
 * the flush of a failed member's connections (route/route_flows.c keeps
 * them on their uplink).
 *
 * A member has failed when it is down, has no carrier (or its radio or
 * modem says the link is gone), or an outage is predicted for it: its
 * connections cannot go on, so they are flushed and the applications
 * reconnect at once through the new uplink. That happens at the switch away
 * from it (decisions.c passes ROUTE_ACT_FLUSH_OLD) and, with sticky flows,
 * also when a member that is not active fails: connections a voluntary
 * switch left on it would otherwise hang.
 *
 * Each switch gets a record: how many connections were flushed (the live
 * ones among the entries the backend deleted) and how many stayed on the
 * member left, from the
 * conntrack count that the switch starts (asynchronous: it fills in a few
 * ms later). `decisions` shows them with the decision. */
#include "daemon/flows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "daemon/daemon.h"
#include "daemon/members.h"
#include "engine/decide.h"
#include "engine/policy.h"
#include "events/ev_emit.h"
#include "route/route.h"

#define FLOW_RECORDS DECIDE_HISTORY

struct flow_record {
	uint64_t t_us;
	char from[DECIDE_NAME_MAX], to[DECIDE_NAME_MAX];
	long kept;              /* -1: not counted yet (or no conntrack) */
	long flushed;           /* -1: no flush (the member left works) */
	bool sticky, pending;
};

struct flows_state {
	struct flow_record rec[FLOW_RECORDS];
	size_t head, n;
	/* members seen failed at the last check, by name: a flush is due
	 * once per failure, not at every evaluation */
	char failed[DECIDE_MAX_MEMBERS][ROUTE_NAME_MAX];
	size_t n_failed;
};

int flows_start(struct daemon *d)
{
	d->flows = calloc(1, sizeof(*d->flows));
	return d->flows ? 0 : -1;
}

void flows_stop(struct daemon *d)
{
	free(d->flows);
	d->flows = NULL;
}

/* The decision engine's own view of the member (engine/policy.c), so that
 * "failed" here is exactly what the engine leaves a member for. */
bool flows_member_failed(const struct member_rt *m)
{
	struct policy_member pm;
	struct decide_input in;
	member_policy(m, &pm);
	policy_input(&pm, &in);
	return in.state == HEALTH_DOWN || in.link_down || in.predicted_outage;
}

static bool was_failed(const struct flows_state *f, const char *name)
{
	for (size_t i = 0; i < f->n_failed; i++)
		if (strcmp(f->failed[i], name) == 0)
			return true;
	return false;
}

static void note_failed(struct flows_state *f, const char *name)
{
	if (!was_failed(f, name) && f->n_failed < DECIDE_MAX_MEMBERS)
		snprintf(f->failed[f->n_failed++], ROUTE_NAME_MAX, "%s", name);
}

void flows_switched(struct daemon *d, const struct decision *dc, const struct route_result *res,
		    bool flushed)
{
	struct flows_state *f = d->flows;
	if (!f || !dc->from[0])
		return;
	struct flow_record *r = &f->rec[f->head];
	f->head = (f->head + 1) % FLOW_RECORDS;
	if (f->n < FLOW_RECORDS)
		f->n++;
	memset(r, 0, sizeof(*r));
	r->t_us = dc->t_us;
	snprintf(r->from, sizeof(r->from), "%s", dc->from);
	snprintf(r->to, sizeof(r->to), "%s", dc->to);
	r->kept = -1;
	r->flushed = flushed && res->ct_deleted >= 0 ? res->ct_flows : -1;
	r->sticky = route_flows_sticky(d->rb);
	r->pending = true;
	if (flushed)
		note_failed(f, dc->from);       /* its flush is done */
	route_flows_refresh(d->rb);
}

void flows_counted(void *arg)
{
	struct daemon *d = arg;
	struct flows_state *f = d->flows;
	for (size_t i = 0; f && i < f->n; i++) {
		struct flow_record *r = &f->rec[i];
		if (r->pending) {
			r->kept = route_member_flows(d->rb, r->from);
			r->pending = false;
		}
	}
}

/* A member that is not active failed: its flows (sticky ones a voluntary
 * switch left there) are flushed once. */
void flows_check_failed(struct daemon *d)
{
	struct flows_state *f = d->flows;
	const char *active = d->rb ? route_active(d->rb) : NULL;
	char now_failed[DECIDE_MAX_MEMBERS][ROUTE_NAME_MAX];
	size_t n = 0;
	if (!f)
		return;
	for (size_t i = 0; i < d->n_members && n < DECIDE_MAX_MEMBERS; i++) {
		const struct member_rt *m = d->members[i];
		if (!flows_member_failed(m))
			continue;
		snprintf(now_failed[n++], ROUTE_NAME_MAX, "%s", m->name);
		if (was_failed(f, m->name) || !route_flows_sticky(d->rb) ||
		    (active && strcmp(active, m->name) == 0))
			continue;
		struct route_result res;
		if (route_conntrack_flush(d->rb, m->name, &res) == 0 && res.ct_flows > 0)
			ev_emit_flows_flushed(d->bus, m->name, res.ct_flows, active);
	}
	memcpy(f->failed, now_failed, sizeof(now_failed[0]) * n);
	f->n_failed = n;
}

json_object *flows_decision_json(struct daemon *d, const struct decision *dc)
{
	const struct flows_state *f = d->flows;
	for (size_t i = 0; f && i < f->n; i++) {
		const struct flow_record *r = &f->rec[i];
		if (r->t_us != dc->t_us || strcmp(r->from, dc->from) || strcmp(r->to, dc->to))
			continue;
		json_object *o = json_object_new_object();
		json_object_object_add(o, "kept", r->kept >= 0 ? json_object_new_int64(r->kept) : NULL);
		json_object_object_add(o, "flushed", r->flushed >= 0 ?
				       json_object_new_int64(r->flushed) : NULL);
		json_object_object_add(o, "sticky", json_object_new_boolean(r->sticky));
		return o;
	}
	return NULL;
}

json_object *flows_member_json(struct daemon *d, const char *member)
{
	long n = d->rb ? route_member_flows(d->rb, member) : -1;
	return n >= 0 ? json_object_new_int64(n) : NULL;
}
