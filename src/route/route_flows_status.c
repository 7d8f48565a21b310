/* route_flows_status: sticky flows in `status` (route.flows) and the
 * warnings that say when connections will not keep their uplink. */
#include "route/route_flows_int.h"

#include <stdio.h>

static void add_str(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, v && v[0] ? json_object_new_string(v) : NULL);
}

static json_object *members_json(const struct route_flows *f)
{
	json_object *o = json_object_new_object();
	char mark[16];
	for (size_t i = 0; i < f->n_marks; i++) {
		json_object *m = json_object_new_object();
		snprintf(mark, sizeof(mark), "0x%x", f->marks[i].mark);
		json_object_object_add(m, "mark", json_object_new_string(mark));
		json_object_object_add(o, f->marks[i].name, m);
	}
	for (size_t i = 0; i < f->n_counts; i++) {
		json_object *m = NULL;
		if (!json_object_object_get_ex(o, f->counts[i].name, &m)) {
			m = json_object_new_object();
			json_object_object_add(o, f->counts[i].name, m);
		}
		json_object_object_add(m, "flows", json_object_new_int64(f->counts[i].flows));
	}
	return o;
}

static void nft_json(const struct route_flows *f, json_object *o)
{
	const struct route_nft_state *st = route_nft_state(f->nft);
	char t[ROUTE_NFT_NAME_MAX + 8];
	snprintf(t, sizeof(t), "inet %s", route_nft_table(f->nft));
	json_object_object_add(o, "table", json_object_new_string(t));
	json_object_object_add(o, "available", json_object_new_boolean(st->available));
	json_object_object_add(o, "present", json_object_new_boolean(st->present));
	json_object_object_add(o, "verified", json_object_new_boolean(st->verified));
	json_object_object_add(o, "rules", json_object_new_int((int)st->rules));
	json_object_object_add(o, "rebuilt", json_object_new_int((int)st->replaced));
	json_object_object_add(o, "sync_us", json_object_new_int64((int64_t)st->last_took_us));
	add_str(o, "pending", st->verified ? NULL : st->differs);
	add_str(o, "error", st->error);
}

void route_flows_status(const struct route_backend *rb, json_object *o, json_object *warnings)
{
	const struct route_flows *f = rb->flows;
	json_object *j = json_object_new_object();
	char mask[16];
	json_object_object_add(o, "flows", j);
	if (!f)
		return;
	snprintf(mask, sizeof(mask), "0x%08x", f->mask);
	json_object_object_add(j, "sticky", json_object_new_boolean(route_flows_sticky(rb)));
	add_str(j, "mask", f->mask ? mask : NULL);
	if (f->nft)
		nft_json(f, j);
	else
		add_str(j, "error", f->mask_error[0] ? f->mask_error : NULL);
	json_object_object_add(j, "unmarked_members", json_object_new_int((int)f->unmarked));
	json_object_object_add(j, "members", members_json(f));
	json_object_object_add(j, "connections", f->total >= 0 ?
			       json_object_new_int64(f->total) : NULL);
	json_object_object_add(j, "counted_wall_ms", f->counted_wall_ms ?
			       json_object_new_int64(f->counted_wall_ms) : NULL);
	json_object_object_add(j, "count_us", json_object_new_int64((int64_t)f->count_took_us));
	json_object_object_add(j, "counts", json_object_new_int64((int64_t)f->counts_done));
	add_str(j, "count_error", f->count_error);
	char w[ROUTE_ERR_MAX + 96];
	if (f->mask && !route_flows_marking(f)) {
		snprintf(w, sizeof(w), "sticky flows unavailable (%s): a switch moves existing "
			 "connections too", f->nft ? route_nft_state(f->nft)->error : f->mask_error);
		json_object_array_add(warnings, json_object_new_string(w));
	}
	if (f->unmarked) {
		snprintf(w, sizeof(w), "%u member(s) without a flow mark (mask 0x%x too small, "
			 "or no member table)", f->unmarked, f->mask);
		json_object_array_add(warnings, json_object_new_string(w));
	}
}
