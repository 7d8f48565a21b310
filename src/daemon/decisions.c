/* Decision glue: member states → decide_eval → route_activate. */
#include "daemon/decisions.h"

#include <stdio.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "core/clock.h"
#include "core/jsonutil.h"
#include "core/log.h"
#include "daemon/daemon.h"
#include "daemon/flows.h"
#include "daemon/members.h"
#include "daemon/prec_store.h"
#include "daemon/record.h"
#include "daemon/shaper.h"
#include "engine/decide.h"
#include "engine/decide_prec_json.h"
#include "events/ev_emit.h"
#include "link/linkmon.h"
#include "openwrt/owrt_mwan3_rules.h"
#include "route/route.h"

#define ROUTE_TABLE_BASE 200    /* member i gets table 201 + i */

static void on_route_event(void *arg, enum route_event ev, const char *member,
			   const char *text)
{
	struct daemon *d = arg;
	ev_emit_route(d->bus, member, route_event_name(ev), text);
}

static void on_decide_timer(evutil_socket_t fd, short what, void *arg);

static enum route_kind backend_kind(const struct daemon *d)
{
	const struct cfg_section *m = config_section(d->cfg, "main");
	if (d->dry_run || cfg_bool(m, "dry_run"))
		return ROUTE_KIND_NONE;
	/* "auto" would prefer mwan3 where it is installed; that backend does
	 * not exist yet, so auto means our own netlink routing. */
	return strcmp(cfg_enum_str(m, "backend"), "none") == 0 ? ROUTE_KIND_NONE :
	       ROUTE_KIND_NETLINK;
}

/* Where mwan3's policy rules are, mwan3 owns the default route and the
 * netlink backend would fight it over every switch: refuse, observe, say
 * why (docs/openwrt.md). Checked at start and at every reload. */
static enum route_kind wanted_kind(struct daemon *d)
{
	enum route_kind k = backend_kind(d);
	struct owrt_mwan3_seen seen;
	d->route_refused[0] = '\0';
	if (k != ROUTE_KIND_NETLINK || owrt_mwan3_detect(&seen) <= 0)
		return k;
	snprintf(d->route_refused, sizeof(d->route_refused),
		 "mwan3 is active (%u policy rules, e.g. pref %u fwmark 0x%x/0x%x): observing "
		 "only; stop mwan3 (autonomyctl config import-mwan3 converts its config), then "
		 "reload", seen.rules, (unsigned)seen.first_pref, (unsigned)seen.first_mark,
		 (unsigned)seen.first_mask);
	return ROUTE_KIND_NONE;
}

/* main.sticky_flows and main.flow_mark_mask (validated at config load). */
static uint32_t flow_mask(const struct daemon *d)
{
	const struct cfg_section *m = config_section(d->cfg, "main");
	uint32_t mask = 0;
	if (cfg_bool(m, "sticky_flows") && !cfg_mark_mask_parse(cfg_str(m, "flow_mark_mask"), &mask))
		mask = 0;
	return mask;
}

static struct route_backend *new_backend(struct daemon *d)
{
	struct route_params rp = { .verify_interval_s = 30, .cb = on_route_event, .cb_arg = d,
				   .flow_mask = flow_mask(d), .flows_cb = flows_counted };
	rp.protocol = ROUTE_PROTO_DEFAULT;
	rp.rule_pref = ROUTE_RULE_PREF_DEFAULT;
	d->route_kind = (int)wanted_kind(d);
	if (d->route_refused[0])
		ev_emit_route_refused(d->bus, d->route_refused);    /* logged at err */
	struct route_backend *rb = route_new((enum route_kind)d->route_kind, d->base, &rp);
	if (!rb)
		log_errno(LOG_LVL_ERR, "route backend %s",
			  route_kind_name((enum route_kind)d->route_kind));
	return rb;
}

/* Reload: the backend the config and the system call for now (mwan3 was
 * stopped, dry_run changed). The old one keeps its routes; the new one
 * adopts them. */
void decisions_backend_check(struct daemon *d)
{
	int was = d->route_kind;
	if ((int)wanted_kind(d) == was && d->rb)
		return;
	struct route_backend *rb = new_backend(d);
	if (!rb) {
		d->route_kind = was;
		return;
	}
	route_free(d->rb, ROUTE_HANDOVER);      /* the new one takes over (and the flow table) */
	d->rb = rb;
	log_notice("route backend now %s", route_kind_name((enum route_kind)d->route_kind));
	decisions_members_changed(d);
	decisions_eval(d);
}

/* The operator-facing knobs of the engine, shared with the replay; a reload
 * changes them without forgetting the engine's history. */
void decisions_configure(struct daemon *d)
{
	if (d->dec)
		decide_params_from_config(d->cfg, &d->dec->p);
}

int decisions_start(struct daemon *d)
{
	d->dec = calloc(1, sizeof(*d->dec));
	d->decide_timer = evtimer_new(d->base, on_decide_timer, d);
	if (!d->dec || !d->decide_timer || flows_start(d) < 0)
		return -1;
	decide_init(d->dec, NULL);
	decisions_configure(d);
	if (prec_store_start(d) < 0)
		return -1;
	d->rb = new_backend(d);
	return d->rb ? 0 : -1;
}

void decisions_stop(struct daemon *d)
{
	prec_store_stop(d);
	if (d->rb)
		route_free(d->rb, ROUTE_KEEP);
	d->rb = NULL;
	if (d->decide_timer)
		event_free(d->decide_timer);
	d->decide_timer = NULL;
	free(d->dec);
	d->dec = NULL;
	flows_stop(d);
}

/* Configured next hops win over learnt ones (validated at config load). */
static void set_gateways(struct daemon *d, const char *name, struct route_member *rm)
{
	const struct cfg_section *s = config_member(d->cfg, name);
	const char *g4 = s ? cfg_str(s, "gateway") : NULL, *g6 = s ? cfg_str(s, "gateway6") : NULL;
	if (g4 && *g4 && (route_addr_parse(g4, &rm->gw4) < 0 || rm->gw4.family != AF_INET)) {
		log_warn("member %s: gateway %s is not an IPv4 address; learning it instead",
			 name, g4);
		memset(&rm->gw4, 0, sizeof(rm->gw4));
	}
	if (g6 && *g6 && (route_addr_parse(g6, &rm->gw6) < 0 || rm->gw6.family != AF_INET6)) {
		log_warn("member %s: gateway6 %s is not an IPv6 address; learning it instead",
			 name, g6);
		memset(&rm->gw6, 0, sizeof(rm->gw6));
	}
}

void decisions_members_changed(struct daemon *d)
{
	struct route_member rm[ROUTE_MAX_MEMBERS];
	size_t n = 0;
	if (!d->rb)
		return;
	for (size_t i = 0; i < d->n_members && n < ROUTE_MAX_MEMBERS; i++) {
		const struct member_rt *m = d->members[i];
		if (!m->enabled)
			continue;
		memset(&rm[n], 0, sizeof(rm[n]));
		snprintf(rm[n].name, sizeof(rm[n].name), "%s", m->name);
		snprintf(rm[n].device, sizeof(rm[n].device), "%s", m->device);
		rm[n].table = ROUTE_TABLE_BASE + 1 + (uint32_t)i;
		route_member_set_link(&rm[n], linkmon_find(d->lm, m->device));
		set_gateways(d, m->name, &rm[n]);
		n++;
	}
	if (route_set_members(d->rb, rm, n) < 0)
		log_err("route backend refused the member set");
}

static struct member_rt *find(struct daemon *d, const char *name)
{
	for (size_t i = 0; i < d->n_members; i++)
		if (strcmp(d->members[i]->name, name) == 0)
			return d->members[i];
	return NULL;
}

/* A switch away from a failed member (flows.h) flushes its connections, so
 * they re-establish on the new one at once; a voluntary switch leaves them
 * on it (with sticky flows they keep working there). */
static void apply_route(struct daemon *d, const struct decision *dc)
{
	struct route_result res;
	const struct member_rt *old = dc->from[0] ? find(d, dc->from) : NULL;
	unsigned flags = old && flows_member_failed(old) ? ROUTE_ACT_FLUSH_OLD : 0;
	const char *cur = route_active(d->rb);
	if (cur && strcmp(cur, dc->to) == 0)
		return;
	if (route_activate(d->rb, dc->to, flags, &res) < 0 || res.error[0]) {
		ev_emit_route_failed(d->bus, dc->to, res.error[0] ? res.error : "error");
		return;
	}
	ev_emit_route_change(d->bus, dc->to, res.changes, (double)res.took_us / 1e3,
			     res.dry_run, dc->from, res.ct_deleted > 0 ? res.ct_flows : 0);
	flows_switched(d, dc, &res, flags & ROUTE_ACT_FLUSH_OLD);
}

static void apply(struct daemon *d, const struct decision *dc)
{
	ev_emit_decision(d->bus, dc);
	if (dc->type != DECIDE_HOLD && dc->to[0])
		apply_route(d, dc);
}

static unsigned build_inputs(struct daemon *d, struct decide_input *in)
{
	unsigned n = 0;
	for (size_t i = 0; i < d->n_members && n < DECIDE_MAX_MEMBERS; i++) {
		struct policy_member pm;
		member_policy(d->members[i], &pm);
		policy_input(&pm, &in[n++]);
	}
	return n;
}

static void arm_timer(struct daemon *d, uint64_t now);

static void on_decide_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	decisions_eval(arg);
}

void decisions_eval(struct daemon *d)
{
	struct decide_input in[DECIDE_MAX_MEMBERS];
	struct decision out[8];
	uint64_t now = clock_mono_us();
	if (!d->dec)
		return;
	unsigned n = decide_eval(d->dec, in, build_inputs(d, in), now, out, 8);
	for (unsigned i = 0; i < n; i++)
		apply(d, &out[i]);
	members_apply_active(d, decide_active(d->dec));
	flows_check_failed(d);
	shaper_follow(d);       /* the shaper moves with the traffic */
	arm_timer(d, now);
}

static void arm_timer(struct daemon *d, uint64_t now)
{
	uint64_t at = decide_next_us(d->dec, now);
	if (at == UINT64_MAX) {
		evtimer_del(d->decide_timer);
		return;
	}
	uint64_t us = at > now ? at - now : 0;
	struct timeval tv = { (time_t)(us / 1000000u), (suseconds_t)(us % 1000000u) };
	evtimer_add(d->decide_timer, &tv);      /* re-adding re-schedules */
}

/* Decision times are monotonic; shown as wall-clock times. */
static int64_t wall_of(uint64_t t_us)
{
	int64_t age_ms = (int64_t)((clock_mono_us() - t_us) / 1000u);
	return (clock_wall_ms() - age_ms) / 1000;
}

static json_object *decision_json(struct daemon *d, const struct decision *dc)
{
	char buf[32];
	json_object *o = json_object_new_object(), *sc = json_object_new_object();
	int64_t w = wall_of(dc->t_us);
	json_object_object_add(o, "time", json_object_new_string(clock_iso8601(w, buf, sizeof(buf))));
	json_object_object_add(o, "time_ts", json_object_new_int64(w));
	json_object_object_add(o, "type", json_object_new_string(decide_type_name(dc->type)));
	json_object_object_add(o, "from", dc->from[0] ? json_object_new_string(dc->from) : NULL);
	json_object_object_add(o, "to", dc->to[0] ? json_object_new_string(dc->to) : NULL);
	json_object_object_add(o, "reason", json_object_new_string(dc->reason));
	json_object_object_add(o, "precursor", dc->precursor[0] ?
			       json_object_new_string(dc->precursor) : NULL);
	json_object_object_add(o, "flap_prevented", json_object_new_boolean(dc->flap_prevented));
	for (unsigned i = 0; i < dc->n_scores; i++)
		json_object_object_add(sc, dc->scores[i].name, dc->scores[i].score >= 0 ?
				       json_object_new_int(dc->scores[i].score) : NULL);
	json_object_object_add(o, "scores", sc);
	json_object *fl = flows_decision_json(d, dc);
	if (fl)
		json_object_object_add(o, "flows", fl);
	return o;
}

/* Newest first (decide_history(0) is the newest). */
json_object *decisions_view(struct daemon *d, int limit)
{
	json_object *a = json_object_new_array();
	unsigned n = d->dec ? decide_history_count(d->dec) : 0;
	for (unsigned i = 0; i < n && (limit <= 0 || i < (unsigned)limit); i++)
		json_object_array_add(a, decision_json(d, decide_history(d->dec, i)));
	return a;
}

/* A member's precursor records (engine/decide.h "Precursors"): per kind,
 * the alarms checked, those an outage followed, those that moved traffic,
 * the precision and the strength a prediction of that kind needs now. */
json_object *decisions_precursors_json(struct daemon *d, const char *member)
{
	return d->dec ? decide_prec_member_json(d->dec, member, true) : json_object_new_array();
}

json_object *decisions_last_switch(struct daemon *d)
{
	unsigned n = d->dec ? decide_history_count(d->dec) : 0;
	for (unsigned i = 0; i < n; i++) {
		const struct decision *dc = decide_history(d->dec, i);
		if (dc->type != DECIDE_HOLD && dc->from[0] && dc->to[0])
			return decision_json(d, dc);
	}
	return NULL;
}

json_object *decisions_failover(struct daemon *d, const char *member, bool force,
				struct ctl_error *err)
{
	struct decision dc;
	if (!find(d, member)) {
		ctl_error_set(err, CTL_E_BAD_ARGS, "no member '%s'", member);
		return NULL;
	}
	uint64_t now = clock_mono_us();
	if (decide_manual(d->dec, member, force, now, &dc) < 0) {
		ctl_error_set(err, CTL_E_FAILED, "member '%s' is not known to the engine yet",
			      member);
		return NULL;
	}
	record_manual(d, member, force, now);
	apply(d, &dc);
	decisions_eval(d);
	json_object *o = json_object_new_object();
	json_object_object_add(o, "active", json_object_new_string(member));
	json_object_object_add(o, "pinned", json_object_new_boolean(force));
	json_object_object_add(o, "decision", decision_json(d, &dc));
	return o;
}

json_object *decisions_auto(struct daemon *d, struct ctl_error *err)
{
	struct decision dc;
	uint64_t now = clock_mono_us();
	if (decide_auto(d->dec, now, &dc) < 0) {
		ctl_error_set(err, CTL_E_FAILED, "no member is pinned; selection is automatic");
		return NULL;
	}
	record_manual(d, NULL, false, now);
	apply(d, &dc);
	decisions_eval(d);
	json_object *o = json_object_new_object();
	const char *a = decide_active(d->dec);
	json_object_object_add(o, "active", a ? json_object_new_string(a) : NULL);
	json_object_object_add(o, "pinned", json_object_new_boolean(0));
	json_object_object_add(o, "decision", decision_json(d, &dc));
	return o;
}

json_object *decisions_route_status(struct daemon *d)
{
	return d->rb ? route_status_json(d->rb) : NULL;
}

const char *decisions_backend_name(struct daemon *d)
{
	return route_kind_name((enum route_kind)d->route_kind);
}
