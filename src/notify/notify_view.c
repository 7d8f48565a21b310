/* notify_view: what `notifications` shows of the live pipeline — each
 * channel's delivery state, the open incidents, the recent alerts with their
 * state per channel, and (--pending) what waits in the outbox. Secrets never
 * appear: only channel names, titles, members and scrubbed errors. */
#include "notify/notify_core.h"

#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/jsonutil.h"

static void add_time(json_object *o, const char *k, int64_t wall_ms)
{
	char iso[32], kts[48];
	snprintf(kts, sizeof(kts), "%s_ts", k);
	json_object_object_add(o, k, wall_ms > 0 ? json_object_new_string(
		clock_iso8601(wall_ms / 1000, iso, sizeof(iso))) : NULL);
	json_object_object_add(o, kts, wall_ms > 0 ? json_object_new_int64(wall_ms / 1000) : NULL);
}

static unsigned quiet_count(const struct notify *n, int ch)
{
	unsigned k = 0;
	for (const struct ob_entry *e = n->ob.head[ch]; e; e = e->next)
		k += e->msg->quiet;
	return k;
}

static const char *state_of(const struct notify *n, const struct nchan *c, int ch)
{
	if (!c->enabled)
		return "off";
	if (c->cur)
		return "sending";
	if (c->held && n->ob.count[ch])
		return "held: no uplink";
	if (c->paused && c->next_mono > clock_mono_ms())
		return "paused: Retry-After";
	if (c->fails && n->ob.count[ch])
		return "retrying";
	if (n->ob.count[ch] && quiet_count(n, ch) == n->ob.count[ch])
		return "quiet hours";
	if (n->ob.count[ch])
		return "queued";
	if (c->last_fail_ms > c->last_ok_ms)
		return "failing";
	return c->sent ? "ok" : "idle";
}

static json_object *channel_view(const struct notify *n, int ch)
{
	const struct nchan *c = &n->ch[ch];
	json_object *o = json_object_new_object(), *r = json_object_new_object();
	uint64_t now = clock_mono_ms();
	json_object_object_add(o, "channel", json_object_new_string(c->ops->name));
	json_object_object_add(o, "enabled", json_object_new_boolean(c->enabled));
	json_object_object_add(o, "state", json_object_new_string(state_of(n, c, ch)));
	json_object_object_add(o, "min_level", json_object_new_string(
		ev_severity_name((enum ev_severity)c->min_level)));
	json_object_object_add(o, "queued", json_object_new_int64(n->ob.count[ch]));
	json_object_object_add(o, "quiet", json_object_new_int64(quiet_count(n, ch)));
	json_object_object_add(o, "sent", json_object_new_int64((int64_t)c->sent));
	json_object_object_add(o, "refused", json_object_new_int64((int64_t)c->refused));
	json_object_object_add(o, "expired", json_object_new_int64((int64_t)c->expired));
	json_object_object_add(o, "dropped", json_object_new_int64((int64_t)c->dropped));
	json_object_object_add(o, "attempts", json_object_new_int64((int64_t)c->attempts));
	add_time(o, "last_ok", c->last_ok_ms);
	add_time(o, "last_failure", c->last_fail_ms);
	json_add_str(o, "last_error", c->last_error);
	json_add_str(o, "last_via", c->last_via);
	json_object_object_add(o, "last_ms", c->sent ? json_object_new_int64(
		(int64_t)c->last_took_ms) : NULL);
	json_object_object_add(o, "next_attempt_s", c->next_mono > now && n->ob.count[ch] ?
			       json_num((double)(c->next_mono - now) / 1000.0, 1) : NULL);
	struct nr_bucket b = c->bucket;         /* the view does not spend */
	json_object_object_add(r, "per_min", json_object_new_int64(b.per_min));
	json_object_object_add(r, "burst", json_object_new_int64(b.burst));
	json_object_object_add(r, "tokens", json_num(nr_bucket_level(&b, now), 1));
	json_object_object_add(o, "rate", r);
	return o;
}

static json_object *recent_view(const struct notify *n)
{
	json_object *a = json_object_new_array();
	for (unsigned k = 1; k <= NOTIFY_RECENT; k++) {
		const struct nrecent *r = &n->recent[(n->recent_head + NOTIFY_RECENT - k) %
						     NOTIFY_RECENT];
		if (!r->m)
			break;
		json_object *o = json_object_new_object(), *chs = json_object_new_object();
		json_object_object_add(o, "id", json_object_new_int64((int64_t)r->m->id));
		add_time(o, "time", r->m->wall_ms);
		json_object_object_add(o, "severity", json_object_new_string(
			ev_severity_name(r->m->sev)));
		json_object_object_add(o, "action", json_object_new_string(
			notify_action_name(r->m->action)));
		json_object_object_add(o, "incident", json_object_new_string(r->m->key));
		json_object_object_add(o, "title", json_object_new_string(r->m->title));
		for (int ch = 0; ch < NCH_N; ch++) {
			if (r->st[ch] == NRS_NONE)
				continue;
			json_object *c = json_object_new_object();
			json_object_object_add(c, "state", json_object_new_string(
				notify_nrs_name((enum nrs)r->st[ch])));
			json_add_str(c, "via", r->via[ch]);
			json_object_object_add(c, "ms", r->st[ch] == NRS_SENT ?
					       json_object_new_int64(r->took_ms[ch]) : NULL);
			json_object_object_add(chs, notify_chan_name(ch), c);
		}
		json_object_object_add(o, "channels", chs);
		json_object_array_add(a, o);
	}
	return a;
}

static json_object *pending_view(const struct notify *n)
{
	json_object *a = json_object_new_array();
	uint64_t now = clock_mono_ms();
	for (int ch = 0; ch < NCH_N; ch++)
		for (const struct ob_entry *e = n->ob.head[ch]; e; e = e->next) {
			const struct nchan *c = &n->ch[ch];
			json_object *o = json_object_new_object();
			json_object_object_add(o, "id", json_object_new_int64((int64_t)e->msg->id));
			json_object_object_add(o, "channel", json_object_new_string(c->ops->name));
			add_time(o, "time", e->msg->wall_ms);
			json_object_object_add(o, "age_s", json_num((double)(now - e->born_mono) / 1e3, 1));
			json_object_object_add(o, "severity", json_object_new_string(
				ev_severity_name(e->msg->sev)));
			json_object_object_add(o, "action", json_object_new_string(
				notify_action_name(e->msg->action)));
			json_object_object_add(o, "title", json_object_new_string(e->msg->title));
			json_object_object_add(o, "attempts", json_object_new_int64(e->attempts));
			json_object_object_add(o, "quiet", json_object_new_boolean(e->msg->quiet));
			json_object_object_add(o, "sending", json_object_new_boolean(e == c->cur));
			json_add_str(o, "via", e->via);
			json_add_str(o, "error", e->error);
			json_object_array_add(a, o);
		}
	return a;
}

json_object *notify_view(struct notify *n, bool pending)
{
	json_object *o = json_object_new_object(), *chs = json_object_new_array();
	json_object *p = json_object_new_object(), *ob = json_object_new_object();
	struct np_stats st;
	for (int ch = 0; ch < NCH_N; ch++)
		json_object_array_add(chs, channel_view(n, ch));
	json_object_object_add(o, "channels", chs);
	np_stats(n->pol, &st);
	json_object_object_add(p, "events", json_object_new_int64((int64_t)st.events));
	json_object_object_add(p, "relevant", json_object_new_int64((int64_t)st.relevant));
	json_object_object_add(p, "messages", json_object_new_int64((int64_t)st.messages));
	json_object_object_add(p, "deduplicated", json_object_new_int64((int64_t)st.dedup));
	json_object_object_add(p, "folded_into_flap_digest", json_object_new_int64((int64_t)st.flap));
	json_object_object_add(p, "quiet_hours", json_object_new_int64((int64_t)st.quiet));
	json_object_object_add(p, "deliveries", json_object_new_int64((int64_t)n->delivered));
	json_object_object_add(o, "policy", p);
	json_object_object_add(o, "incidents", np_view(n->pol));
	json_object_object_add(o, "recent", recent_view(n));
	json_object_object_add(ob, "file", json_object_new_string(n->ob.path));
	json_object_object_add(ob, "waiting", json_object_new_int64(n->ob.total));
	json_object_object_add(ob, "bytes", json_object_new_int64((int64_t)n->ob.file_bytes));
	json_object_object_add(ob, "written", json_object_new_int64((int64_t)n->ob.bytes_written));
	json_add_str(ob, "error", n->ob.io_error[0] ? n->ob.io_error : n->ob_error);
	json_object_object_add(o, "outbox", ob);
	json_object_object_add(o, "transport", json_object_new_string(nt_http_version()));
	if (pending)
		json_object_object_add(o, "pending", pending_view(n));
	return o;
}
