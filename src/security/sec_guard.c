/* sec_guard: admission of requests to the daemon's listeners (sec_guard.h). */
#include "security/sec_guard.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config/config.h"
#include "core/clock.h"
#include "core/log.h"

#define LOG_PER_MINUTE 3
#define DDOS_FACTOR 10                  /* the global bucket: x the per-source one */

int sec_guard_cfg_from(const struct config *cfg, struct sec_guard_cfg *out, char *why,
		       size_t why_size)
{
	const struct cfg_section *s = config_section(cfg, "security");
	const struct cfg_section *n = config_section(cfg, "network_security");
	const struct cfg_value *wl = cfg_get(s, "ip_whitelist");
	memset(out, 0, sizeof(*out));
	out->allow_loopback = cfg_bool(s, "allow_loopback");
	out->rate_limiting = cfg_bool(s, "rate_limiting");
	out->rate = (double)cfg_int(s, "rate_limit_per_second");
	out->burst = (double)cfg_int(s, "rate_limit_burst");
	out->key_required = cfg_bool(s, "api_key_required");
	out->key_validity_s = cfg_int(s, "api_key_rotation_days") * 86400;
	out->ids = cfg_bool(n, "intrusion_detection");
	out->ids_failures = (unsigned)cfg_int(n, "intrusion_failures");
	out->ban_ms = (uint64_t)cfg_duration_ms(n, "intrusion_ban");
	out->ddos = cfg_bool(n, "ddos_protection");
	for (size_t i = 0; i < wl->n_items; i++)
		if (sec_acl_add(&out->acl, wl->items[i].str) < 0) {
			snprintf(why, why_size, "security.ip_whitelist: '%s' %s", wl->items[i].str,
				 out->acl.n >= SEC_ACL_MAX ? "is beyond the 64 networks kept" :
				 "is not a network");
			return -1;
		}
	return 0;
}

void sec_guard_init(struct sec_guard *g, const struct sec_guard_cfg *c)
{
	memset(g, 0, sizeof(*g));
	g->c = *c;
	g->global.tokens = -1;
}

void sec_guard_configure(struct sec_guard *g, const struct sec_guard_cfg *c)
{
	g->c = *c;
}

static void remember(struct sec_guard *g, const struct sec_addr *a, int status,
		     const char *reason, int64_t wall_s)
{
	struct sec_refusal *r = &g->recent[g->recent_head];
	r->wall_s = wall_s;
	r->addr = *a;
	r->status = status;
	snprintf(r->reason, sizeof(r->reason), "%s", reason);
	g->recent_head = (g->recent_head + 1) % SEC_RECENT_MAX;
	if (g->n_recent < SEC_RECENT_MAX)
		g->n_recent++;
}

/* "Bearer KEY" (the scheme in any case) or the X-API-Key header. */
static const char *presented_key(const struct sec_request *r, char *buf, size_t size)
{
	const char *k = NULL;
	if (r->authorization && strncasecmp(r->authorization, "Bearer ", 7) == 0)
		k = r->authorization + 7;
	else if (r->api_key)
		k = r->api_key;
	if (!k)
		return NULL;
	while (*k == ' ')
		k++;
	snprintf(buf, size, "%s", k);
	for (size_t n = strlen(buf); n && (buf[n - 1] == ' ' || buf[n - 1] == '\t'); n--)
		buf[n - 1] = '\0';
	return buf;
}

static void log_refusal(struct sec_guard *g, struct sec_src *s, const struct sec_request *r,
			bool auth, const char *why, uint64_t now_ms)
{
	unsigned held = 0;
	char ab[SEC_ADDR_STR], more[48] = "";
	if (!sec_track_may_log(s, LOG_PER_MINUTE, now_ms, &held)) {
		g->st.log_suppressed++;
		return;
	}
	if (held)
		snprintf(more, sizeof(more), " (%u more held back)", held);
	log_warn("%s: %s to %s%s: %s%s", auth ? "authentication failed" : "api: refused",
		 sec_addr_str(&s->addr, ab, sizeof(ab)), r->listener ? r->listener : "?",
		 r->path ? r->path : "", why, more);
}

static void refuse(struct sec_guard *g, struct sec_src *s, const struct sec_request *r,
		   struct sec_verdict *v, int status, bool auth, const char *why, uint64_t now_ms,
		   int64_t wall_s)
{
	v->status = status;
	snprintf(v->reason, sizeof(v->reason), "%s", why);
	s->refused++;
	remember(g, &s->addr, status, why, wall_s);
	log_refusal(g, s, r, auth, why, now_ms);
	if (!auth || !g->c.ids)
		return;
	if (sec_track_fail(s, g->c.ids_failures, SEC_IDS_WINDOW_MS, g->c.ban_ms, now_ms)) {
		char ab[SEC_ADDR_STR];
		g->st.bans++;
		log_warn("intrusion detection: %s banned for %llu s after %u refusals within "
			 "10 minutes", sec_addr_str(&s->addr, ab, sizeof(ab)),
			 (unsigned long long)(g->c.ban_ms / 1000), g->c.ids_failures);
		if (g->on_ban)
			g->on_ban(g->ban_arg, &s->addr, g->c.ids_failures, g->c.ban_ms);
	}
}

void sec_guard_admit(struct sec_guard *g, const struct sec_request *r, uint64_t now_ms,
		     int64_t wall_s, struct sec_verdict *v)
{
	struct sec_addr a;
	char kb[128];
	memset(v, 0, sizeof(*v));
	g->st.requests++;
	sec_addr_from_sockaddr(r->peer, &a);
	if (!a.family) {
		v->status = 403;
		snprintf(v->reason, sizeof(v->reason), "not an IP source");
		g->st.refused_acl++;
		return;
	}
	struct sec_src *s = sec_track_get(&g->track, &a, now_ms);
	s->requests++;
	if (sec_track_banned(s, now_ms)) {
		g->st.refused_banned++;
		refuse(g, s, r, v, 403, false, "banned by intrusion detection", now_ms, wall_s);
		return;
	}
	bool trusted = g->c.allow_loopback && sec_addr_is_loopback(&a);
	if (!trusted && !sec_acl_match(&g->c.acl, &a)) {
		g->st.refused_acl++;
		refuse(g, s, r, v, 403, true, "not in security.ip_whitelist", now_ms, wall_s);
		return;
	}
	if (g->c.rate_limiting &&
	    !sec_bucket_take(s, g->c.rate, g->c.burst, now_ms, &v->retry_after_s)) {
		g->st.refused_rate++;
		refuse(g, s, r, v, 429, false, "over security.rate_limit_per_second", now_ms,
		       wall_s);
		return;
	}
	if (g->c.ddos && !sec_bucket_take(&g->global, g->c.rate * DDOS_FACTOR,
					  g->c.burst * DDOS_FACTOR, now_ms, &v->retry_after_s)) {
		g->st.refused_flood++;
		refuse(g, s, r, v, 503, false, "every source together over the flood limit",
		       now_ms, wall_s);
		return;
	}
	if (!trusted && g->c.key_required) {
		struct sec_key *key;
		enum sec_key_check k = sec_keys_check(&g->keys, presented_key(r, kb, sizeof(kb)),
						      wall_s, g->c.key_validity_s, &key);
		if (k != SEC_KEY_OK) {
			char why[96];
			snprintf(why, sizeof(why), "%s%s%s", sec_key_check_str(k),
				 key ? " " : "", key ? key->id : "");
			g->st.refused_key++;
			refuse(g, s, r, v, 401, true, why, now_ms, wall_s);
			return;
		}
	}
	g->st.allowed++;
}

size_t sec_guard_bans(struct sec_guard *g, uint64_t now_ms, struct sec_addr *out,
		      uint64_t *left_ms, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < SEC_TRACK_MAX && n < max; i++) {
		struct sec_src *s = &g->track.v[i];
		if (s->used && sec_track_banned(s, now_ms)) {
			out[n] = s->addr;
			left_ms[n++] = s->banned_until_ms - now_ms;
		}
	}
	return n;
}

static json_object *recent_json(const struct sec_guard *g)
{
	json_object *a = json_object_new_array();
	for (size_t k = 0; k < g->n_recent; k++) {
		size_t i = (g->recent_head + SEC_RECENT_MAX - 1 - k) % SEC_RECENT_MAX;
		const struct sec_refusal *r = &g->recent[i];
		char ab[SEC_ADDR_STR], ts[32];
		json_object *o = json_object_new_object();
		json_object_object_add(o, "time", json_object_new_string(
			clock_iso8601(r->wall_s, ts, sizeof(ts))));
		json_object_object_add(o, "ts", json_object_new_int64(r->wall_s));
		json_object_object_add(o, "source", json_object_new_string(
			sec_addr_str(&r->addr, ab, sizeof(ab))));
		json_object_object_add(o, "status", json_object_new_int(r->status));
		json_object_object_add(o, "reason", json_object_new_string(r->reason));
		json_object_array_add(a, o);
	}
	return a;
}

static json_object *stats_json(const struct sec_guard_stats *st)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "requests", json_object_new_int64((int64_t)st->requests));
	json_object_object_add(o, "allowed", json_object_new_int64((int64_t)st->allowed));
	json_object_object_add(o, "refused_not_allowed",
			       json_object_new_int64((int64_t)st->refused_acl));
	json_object_object_add(o, "refused_banned",
			       json_object_new_int64((int64_t)st->refused_banned));
	json_object_object_add(o, "refused_rate", json_object_new_int64((int64_t)st->refused_rate));
	json_object_object_add(o, "refused_flood",
			       json_object_new_int64((int64_t)st->refused_flood));
	json_object_object_add(o, "refused_key", json_object_new_int64((int64_t)st->refused_key));
	json_object_object_add(o, "bans", json_object_new_int64((int64_t)st->bans));
	json_object_object_add(o, "log_lines_held_back",
			       json_object_new_int64((int64_t)st->log_suppressed));
	return o;
}

json_object *sec_guard_view(const struct sec_guard *g, uint64_t now_ms, int64_t wall_s)
{
	json_object *o = json_object_new_object(), *bans = json_object_new_array();
	json_object_object_add(o, "allow_loopback", json_object_new_boolean(g->c.allow_loopback));
	json_object_object_add(o, "allowed_networks", json_object_new_int((int)g->c.acl.n));
	json_object_object_add(o, "rate_limiting", json_object_new_boolean(g->c.rate_limiting));
	json_object_object_add(o, "api_key_required", json_object_new_boolean(g->c.key_required));
	json_object_object_add(o, "keys_in_force", json_object_new_int((int)sec_keys_in_force(
		&g->keys, wall_s, g->c.key_validity_s)));
	json_object_object_add(o, "intrusion_detection", json_object_new_boolean(g->c.ids));
	json_object_object_add(o, "ddos_protection", json_object_new_boolean(g->c.ddos));
	json_object_object_add(o, "counters", stats_json(&g->st));
	for (size_t i = 0; i < SEC_TRACK_MAX; i++) {
		const struct sec_src *s = &g->track.v[i];
		char ab[SEC_ADDR_STR];
		if (!s->used || !sec_track_banned(s, now_ms))
			continue;
		json_object *b = json_object_new_object();
		json_object_object_add(b, "source", json_object_new_string(
			sec_addr_str(&s->addr, ab, sizeof(ab))));
		json_object_object_add(b, "left_s", json_object_new_int64(
			(int64_t)((s->banned_until_ms - now_ms + 999) / 1000)));
		json_object_array_add(bans, b);
	}
	json_object_object_add(o, "banned", bans);
	json_object_object_add(o, "recent_refusals", recent_json(g));
	json_object_object_add(o, "sources_tracked_evicted",
			       json_object_new_int64((int64_t)g->track.evicted));
	return o;
}
