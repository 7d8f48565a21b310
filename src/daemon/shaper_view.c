/* shaper_view: the shaper in `status` and `members` (JSON). Reading the
 * kernel's counters is one tc dump of the shaped device per request. */
#include "daemon/shaper_int.h"

#include <string.h>

#include "core/jsonutil.h"
#include "daemon/daemon.h"
#include "daemon/members.h"

static void add_str(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, v && *v ? json_object_new_string(v) : NULL);
}

static json_object *mbps(uint64_t kbit)
{
	return json_num((double)kbit / 1000.0, 2);
}

static json_object *tier_json(const struct qos_plan *p, const struct qos_tier_stats *t)
{
	json_object *o = json_object_new_object(), *cats = json_object_new_array();
	unsigned minor = t->classid & 0xffff;
	for (unsigned i = 0; i < p->n_tiers; i++) {
		if (QOS_TIER_MINOR(p->tier[i].queue) != minor)
			continue;
		json_object_object_add(o, "queue", json_object_new_int(p->tier[i].queue));
		for (unsigned c = 0; c < QOS_N_CATS; c++)
			if (p->tier[i].cats & (1u << c))
				json_object_array_add(cats, json_object_new_string(
					qos_cat_name((enum qos_cat)c)));
	}
	if (!json_object_array_length(cats))
		json_object_array_add(cats, json_object_new_string("probes"));
	json_object_object_add(o, "classes", cats);
	json_object_object_add(o, "rate_mbps", mbps(t->rate_kbit));
	json_object_object_add(o, "ceil_mbps", mbps(t->ceil_kbit));
	json_object_object_add(o, "bytes", json_object_new_int64((int64_t)t->bytes));
	json_object_object_add(o, "packets", json_object_new_int64((int64_t)t->packets));
	json_object_object_add(o, "drops", json_object_new_int64(t->drops));
	json_object_object_add(o, "backlog_bytes", json_object_new_int64(t->backlog));
	return o;
}

/* The kernel's view of one device: kind, rate, per-queue counters. */
static json_object *dev_json(struct shaper *sh, const struct shaper_dev *x,
			     const struct qos_plan *p)
{
	json_object *o = json_object_new_object();
	struct qos_dev_info info;
	add_str(o, "device", x->name);
	json_object_object_add(o, "verified", json_object_new_boolean(x->verified));
	add_str(o, "error", x->error);
	if (!sh->qs || !x->ifindex || qos_shaper_read(sh->qs, x->ifindex, &info) < 0 ||
	    !info.ours) {
		json_object_object_add(o, "installed", json_object_new_boolean(0));
		return o;
	}
	json_object_object_add(o, "installed", json_object_new_boolean(1));
	add_str(o, "kind", info.root_kind);
	add_str(o, "leaf", info.leaf_kind);
	json_object_object_add(o, "rate_mbps", mbps(info.rate_kbit));
	json_object *tiers = json_object_new_array();
	/* in queue order (the kernel dumps classes in hash order) */
	for (unsigned minor = QOS_TIER_MINOR(0); minor <= QOS_TIER_MINOR(QOS_MAX_TIERS); minor++)
		for (unsigned i = 0; i < info.n_tiers; i++)
			if ((info.tier[i].classid & 0xffff) == minor)
				json_object_array_add(tiers, tier_json(p, &info.tier[i]));
	if (info.n_tiers == 1)          /* cake: the qdisc as a whole */
		json_object_array_add(tiers, tier_json(p, &info.tier[0]));
	json_object_object_add(o, "queues", tiers);
	return o;
}

static json_object *adaptive_json(const struct shaper *sh)
{
	json_object *o = json_object_new_object();
	const struct qos_rate *r = &sh->rate;
	json_object_object_add(o, "enabled", json_object_new_boolean(sh->adaptive));
	json_object_object_add(o, "target_ms", json_object_new_int((int)sh->target_ms));
	json_object_object_add(o, "floor_pct", json_object_new_int((int)sh->min_pct));
	json_object_object_add(o, "upload_mbps", sh->adaptive ? mbps(r->dir[QOS_UP].rate_kbit) : NULL);
	json_object_object_add(o, "download_mbps", sh->adaptive && sh->ingress ?
			       mbps(r->dir[QOS_DOWN].rate_kbit) : NULL);
	uint32_t base = qos_rate_baseline_us(r);
	json_object_object_add(o, "baseline_ms", base ? json_num(base / 1e3, 2) : NULL);
	json_object_object_add(o, "rtt_ms", r->last_rtt_us ? json_num(r->last_rtt_us / 1e3, 2) : NULL);
	json_object_object_add(o, "delay_ms", r->last_sample_us ? json_num(r->last_delta_us / 1e3, 2) : NULL);
	json_object_object_add(o, "bloat", json_object_new_boolean(r->bloat));
	json_object_object_add(o, "upload_load_pct", json_object_new_int((int)r->dir[QOS_UP].load_pct));
	json_object_object_add(o, "cuts", json_object_new_int64((int64_t)(r->dir[0].cuts + r->dir[1].cuts)));
	json_object_object_add(o, "raises", json_object_new_int64((int64_t)(r->dir[0].raises + r->dir[1].raises)));
	return o;
}

json_object *shaper_view(struct daemon *d)
{
	struct shaper *sh = d->shaper;
	if (!sh)
		return NULL;
	json_object *o = json_object_new_object();
	const struct qos_plan *p = &sh->plan[QOS_UP];
	add_str(o, "state", sh->state);
	add_str(o, "reason", sh->reason);
	add_str(o, "member", sh->member);
	add_str(o, "device", sh->member[0] ? sh->up.name : NULL);
	json_object_object_add(o, "qos", json_object_new_boolean(p->tiers_on));
	add_str(o, "sharing", p->tiers_on ? qos_sharing_name(p->sharing) : NULL);
	json_object_object_add(o, "tiers", json_object_new_int((int)p->n_tiers));
	json_object_object_add(o, "limit_mbps", sh->member[0] ? mbps(sh->limit_kbit[QOS_UP]) : NULL);
	json_object_object_add(o, "rate_mbps", sh->member[0] ? mbps(sh->up.rate_kbit) : NULL);
	json_object_object_add(o, "adaptive", adaptive_json(sh));
	json_object_object_add(o, "upload", sh->member[0] && sh->up.ifindex ?
			       dev_json(sh, &sh->up, p) : NULL);
	json_object *down = json_object_new_array();
	for (unsigned i = 0; sh->ingress && i < sh->n_lan; i++)
		json_object_array_add(down, dev_json(sh, &sh->lan[i], &sh->plan[QOS_DOWN]));
	json_object_object_add(o, "download", down);
	json_object_object_add(o, "download_limit_mbps", sh->member[0] && sh->ingress ?
			       mbps(sh->limit_kbit[QOS_DOWN]) : NULL);
	json_object_object_add(o, "applies", json_object_new_int64((int64_t)sh->applies));
	json_object_object_add(o, "rate_changes", json_object_new_int64((int64_t)sh->rate_changes));
	json_object_object_add(o, "repairs", json_object_new_int64((int64_t)sh->repairs));
	json_object_object_add(o, "errors", json_object_new_int64((int64_t)sh->errors));
	int cake = sh->qs ? qos_shaper_has_cake(sh->qs) : -1;
	json_object_object_add(o, "cake_available", cake < 0 ? NULL : json_object_new_boolean(cake));
	return o;
}

json_object *shaper_member_view(struct daemon *d, const struct member_rt *m)
{
	struct shaper *sh = d->shaper;
	json_object *o = json_object_new_object();
	json_object_object_add(o, "upload_mbps", mbps(shaper_limit_kbit(d, m->name, m->cls, QOS_UP)));
	json_object_object_add(o, "download_mbps",
			       mbps(shaper_limit_kbit(d, m->name, m->cls, QOS_DOWN)));
	bool shaped = sh && sh->current && strcmp(sh->member, m->name) == 0;
	json_object_object_add(o, "shaped", json_object_new_boolean(shaped));
	json_object_object_add(o, "rate_mbps", shaped ? mbps(sh->up.rate_kbit) : NULL);
	return o;
}
