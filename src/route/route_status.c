/* route_status: the backend's state as JSON for `status` (route.h). Built
 * from what the last run saw; it reads no kernel state itself. */
#include "route/route_int.h"

#include <stdio.h>

#include <linux/rtnetlink.h>

static const char *state_name(enum route_act_state s)
{
	switch (s) {
	case ROUTE_ST_UNKNOWN: return "undecided";
	case ROUTE_ST_ACTIVE: return "active";
	case ROUTE_ST_NONE: return "none";
	case ROUTE_ST_RESTORE: return "restore";
	}
	return "?";
}

static void add_str(json_object *o, const char *key, const char *v)
{
	json_object_object_add(o, key, v && v[0] ? json_object_new_string(v) : NULL);
}

static void add_u64(json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_int64((int64_t)v));
}

static json_object *gw_json(const struct route_gw *g)
{
	json_object *o = json_object_new_object();
	char a[INET6_ADDRSTRLEN] = "";
	if (g->family)
		route_ip_str(g->family, &g->gw, a, sizeof(a));
	add_str(o, "via", a);
	json_object_object_add(o, "source", json_object_new_string(route_gw_source_name(g->source)));
	if (g->source == ROUTE_GW_ROUTE || g->source == ROUTE_GW_OWN) {
		add_u64(o, "table", g->table);
		add_u64(o, "protocol", g->protocol);
	}
	return o;
}

static json_object *member_json(const struct route_backend *rb, const struct route_mstate *ms)
{
	json_object *o = json_object_new_object();
	char mark[32] = "";
	add_str(o, "name", ms->m.name);
	add_str(o, "device", ms->m.device);
	json_object_object_add(o, "ifindex", json_object_new_int(ms->ifindex));
	add_u64(o, "table", ms->m.table);
	if (ms->m.fwmark)
		snprintf(mark, sizeof(mark), "0x%x/0x%x", ms->m.fwmark,
			 ms->m.fwmask ? ms->m.fwmask : UINT32_MAX);
	add_str(o, "fwmark", mark);
	json_object_object_add(o, "down", json_object_new_boolean(ms->down));
	json_object_object_add(o, "gw4", gw_json(&ms->gw[0]));
	json_object_object_add(o, "serves4", json_object_new_boolean(route_member_serves(ms, AF_INET)));
	if (rb->cfg.ipv6) {
		json_object_object_add(o, "gw6", gw_json(&ms->gw[1]));
		json_object_object_add(o, "serves6",
				       json_object_new_boolean(route_member_serves(ms, AF_INET6)));
	}
	add_str(o, "error", ms->error);
	return o;
}

static json_object *installed_json(const struct route_backend *rb, enum route_obj_kind kind)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < rb->have.n; i++) {
		const struct route_obj *o = &rb->have.v[i];
		if (!o->owned || o->kind != kind)
			continue;
		char text[200];
		route_fmt_obj(o, text, sizeof(text));
		json_object_array_add(a, json_object_new_string(text));
	}
	return a;
}

static json_object *pending_json(const struct route_backend *rb)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < rb->pending.n; i++) {
		const struct route_op *op = &rb->pending.ops[i];
		char what[200], text[220];
		route_fmt_obj(&op->obj, what, sizeof(what));
		snprintf(text, sizeof(text), "%s %s",
			 op->kind == ROUTE_OP_DEL ? "delete" : op->kind == ROUTE_OP_ADD ? "add" : "replace",
			 what);
		json_object_array_add(a, json_object_new_string(text));
	}
	return a;
}

/* Someone else's default route with a lower metric in our default table
 * wins over ours: say so. */
static void shadow_warnings(const struct route_backend *rb, json_object *w)
{
	for (size_t i = 0; i < rb->have.n; i++) {
		const struct route_obj *o = &rb->have.v[i];
		if (o->kind != ROUTE_OBJ_ROUTE || o->owned || o->rt.dst_len ||
		    o->rt.table != rb->cfg.default_table || o->rt.type != RTN_UNICAST)
			continue;
		uint32_t ours = o->rt.family == AF_INET6 && rb->cfg.metric < ROUTE_V6_MIN_METRIC ?
			ROUTE_V6_MIN_METRIC : rb->cfg.metric;
		if (o->rt.metric >= ours)
			continue;
		char what[200], text[260];
		route_fmt_rt(&o->rt, what, sizeof(what));
		snprintf(text, sizeof(text), "takes precedence over ours (lower metric): %s", what);
		json_object_array_add(w, json_object_new_string(text));
	}
}

static json_object *warnings_json(const struct route_backend *rb)
{
	json_object *w = json_object_new_array();
	if (rb->foreign_replaced) {
		char text[160];
		snprintf(text, sizeof(text), "%u route(s) of another protocol %s in the slot (table, "
			 "prefix, metric) of ours: replaced%s", rb->foreign_replaced,
			 rb->ops->read_only ? "are" : "were",
			 rb->ops->read_only ? " if this were the netlink backend" : "");
		json_object_array_add(w, json_object_new_string(text));
	}
	shadow_warnings(rb, w);
	if (rb->ct.probed && !rb->ct.available)
		json_object_array_add(w, json_object_new_string("conntrack flush unavailable"));
	return w;
}

static json_object *result_json(const struct route_result *r)
{
	json_object *o = json_object_new_object();
	add_u64(o, "took_us", r->took_us);
	add_u64(o, "apply_us", r->apply_us);
	add_u64(o, "changes", r->changes);
	add_u64(o, "errors", r->errors);
	json_object_object_add(o, "verified", json_object_new_boolean(r->verified));
	json_object_object_add(o, "dry_run", json_object_new_boolean(r->dry_run));
	json_object_object_add(o, "ct_matched", json_object_new_int(r->ct_matched));
	json_object_object_add(o, "ct_deleted", json_object_new_int(r->ct_deleted));
	json_object_object_add(o, "ct_flows", json_object_new_int(r->ct_flows));
	add_u64(o, "ct_took_us", r->ct_took_us);
	add_str(o, "error", r->error);
	return o;
}

static json_object *last_change_json(const struct route_backend *rb)
{
	if (!rb->last_change.wall_ms)
		return NULL;
	json_object *o = result_json(&rb->last_change.res);
	json_object_object_add(o, "wall_ms", json_object_new_int64(rb->last_change.wall_ms));
	add_str(o, "member", rb->last_change.member);
	add_str(o, "from", rb->last_change.from);
	return o;
}

static json_object *counts_json(const struct route_stats *s)
{
	json_object *o = json_object_new_object();
	add_u64(o, "activations", s->activations);
	add_u64(o, "switches", s->switches);
	add_u64(o, "changes", s->changes);
	add_u64(o, "change_errors", s->change_errors);
	add_u64(o, "reconciles", s->reconciles);
	add_u64(o, "repairs", s->repairs);
	add_u64(o, "verify_failures", s->verify_failures);
	add_u64(o, "events", s->events);
	add_u64(o, "enobufs", s->enobufs);
	add_u64(o, "resyncs", s->resyncs);
	add_u64(o, "ct_flushes", s->ct_flushes);
	add_u64(o, "ct_deleted", s->ct_deleted);
	add_u64(o, "ct_errors", s->ct_errors);
	add_u64(o, "last_took_us", s->last_took_us);
	add_u64(o, "max_took_us", s->max_took_us);
	return o;
}

static json_object *conntrack_json(const struct route_backend *rb)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "available", json_object_new_boolean(rb->ct.available));
	add_str(o, "error", rb->ct.error);
	json_object_object_add(o, "entries", json_object_new_int64(rb->ct.entries));
	return o;
}

static json_object *params_json(const struct route_backend *rb)
{
	json_object *o = json_object_new_object();
	add_u64(o, "metric", rb->cfg.metric);
	add_u64(o, "default_table", rb->cfg.default_table);
	add_u64(o, "rule_pref", rb->cfg.rule_pref);
	add_u64(o, "protocol", rb->cfg.protocol);
	json_object_object_add(o, "ipv6", json_object_new_boolean(rb->cfg.ipv6));
	json_object_object_add(o, "verify_interval_s",
			       json_object_new_int(rb->params.verify_interval_s));
	return o;
}

json_object *route_status_json(struct route_backend *rb)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "backend", json_object_new_string(rb->ops->name));
	json_object_object_add(o, "read_only", json_object_new_boolean(rb->ops->read_only));
	json_object_object_add(o, "state", json_object_new_string(state_name(rb->state)));
	add_str(o, "active", route_active(rb));
	json_object_object_add(o, "adopted", json_object_new_boolean(rb->adopted));
	json_object_object_add(o, "params", params_json(rb));
	json_object *members = json_object_new_array();
	for (size_t i = 0; i < rb->n_ms; i++)
		json_object_array_add(members, member_json(rb, &rb->ms[i]));
	json_object_object_add(o, "members", members);
	json_object *inst = json_object_new_object();
	json_object_object_add(inst, "routes", installed_json(rb, ROUTE_OBJ_ROUTE));
	json_object_object_add(inst, "rules", installed_json(rb, ROUTE_OBJ_RULE));
	json_object_object_add(o, "installed", inst);
	json_object_object_add(o, "pending", pending_json(rb));
	json_object *warnings = warnings_json(rb);
	json_object_object_add(o, "warnings", warnings);
	route_flows_status(rb, o, warnings);
	json_object_object_add(o, "last_change", last_change_json(rb));
	json_object *err = NULL;
	if (rb->last_error[0]) {
		err = json_object_new_object();
		json_object_object_add(err, "wall_ms", json_object_new_int64(rb->last_error_wall_ms));
		add_str(err, "message", rb->last_error);
	}
	json_object_object_add(o, "last_error", err);
	json_object_object_add(o, "counts", counts_json(&rb->stats));
	json_object_object_add(o, "conntrack", conntrack_json(rb));
	if (rb->ops->status)
		rb->ops->status(rb, o);
	return o;
}
