/* notify: the alert pipeline's lifecycle, events in, messages queued, the
 * views (notify.h). Scheduling is notify_sched.c, tests notify_test.c. */
#include "notify/notify_core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <event2/event.h>

#include "config/cfg_alerts.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/jsonutil.h"
#include "core/log.h"

#define RESTORE_GRACE_MS (5 * 60 * 1000)

static const char *const nrs_names[] = {
	"-", "queued", "quiet", "sent", "refused", "expired", "dropped", "merged",
};

const char *notify_nrs_name(enum nrs s)
{
	return s < sizeof(nrs_names) / sizeof(nrs_names[0]) ? nrs_names[s] : "?";
}

struct np_clock notify_now(const struct notify *n)
{
	(void)n;
	struct np_clock c = { .wall_ms = clock_wall_ms(), .mono_ms = clock_mono_ms() };
	time_t t = (time_t)(c.wall_ms / 1000);
	struct tm tm;
	c.local_min = localtime_r(&t, &tm) ? tm.tm_hour * 60 + tm.tm_min : 0;
	return c;
}

void notify_kick(struct notify *n)
{
	if (n->tick)
		event_active(n->tick, EV_TIMEOUT, 0);
}

void notify_report_flash(struct notify *n)
{
	if (n->ob.bytes_written > n->flash_reported && n->h.flash)
		n->h.flash(n->h.arg, (size_t)(n->ob.bytes_written - n->flash_reported));
	n->flash_reported = n->ob.bytes_written;
}

struct nrecent *notify_recent(struct notify *n, uint64_t id)
{
	for (unsigned i = 0; i < NOTIFY_RECENT; i++)
		if (n->recent[i].m && n->recent[i].m->id == id)
			return &n->recent[i];
	return NULL;
}

void notify_outcome(struct notify *n, const struct ob_entry *e, bool ok, const char *outcome,
		    const char *error)
{
	const struct nchan *c = &n->ch[e->ch];
	json_object *f = json_object_new_object();
	json_object_object_add(f, "channel", json_object_new_string(c->ops->name));
	json_object_object_add(f, "outcome", json_object_new_string(outcome));
	json_object_object_add(f, "title", json_object_new_string(e->msg->title));
	json_object_object_add(f, "alert", json_object_new_int64((int64_t)e->msg->id));
	json_object_object_add(f, "incident", json_object_new_string(e->msg->key));
	json_object_object_add(f, "action", json_object_new_string(
		notify_action_name(e->msg->action)));
	json_object_object_add(f, "attempts", json_object_new_int64(e->attempts));
	json_add_str(f, "via", e->via);
	if (ok)
		json_object_object_add(f, "ms", json_object_new_int64((int64_t)c->last_took_ms));
	json_add_str(f, "error", error);
	if (n->h.delivery)
		n->h.delivery(n->h.arg, ok, f);
	else
		json_object_put(f);
}

/* ---- messages from the policy ---- */

static void remember(struct notify *n, struct notify_msg *m, unsigned mask)
{
	struct nrecent *r = &n->recent[n->recent_head];
	n->recent_head = (n->recent_head + 1) % NOTIFY_RECENT;
	notify_msg_unref(r->m);
	memset(r, 0, sizeof(*r));
	r->m = notify_msg_ref(m);
	for (int ch = 0; ch < NCH_N; ch++)
		r->st[ch] = mask & (1u << ch) ? (m->quiet ? NRS_QUIET : NRS_QUEUED) : NRS_NONE;
}

/* Room in the outbox: the oldest waiting entries go, each with its event. */
static void make_room(struct notify *n)
{
	while (n->ob.total >= n->outbox_max) {
		struct ob_entry *old = NULL;
		for (int ch = 0; ch < NCH_N; ch++) {
			struct ob_entry *e = n->ob.head[ch];
			if (e == n->ch[ch].cur)
				e = e ? e->next : NULL;
			if (e && (!old || e->msg->id < old->msg->id))
				old = e;
		}
		if (!old)
			return;
		notify_finish(n, old, NRS_DROPPED, "outbox full (alerts.outbox_max)");
	}
}

static void on_message(void *arg, struct notify_msg *m)
{
	struct notify *n = arg;
	unsigned mask = 0;
	enum ev_severity level = m->inc_sev > m->sev ? m->inc_sev : m->sev;
	for (int ch = 0; ch < NCH_N; ch++)
		if (n->ch[ch].enabled && (int)level >= n->ch[ch].min_level)
			mask |= 1u << ch;
	/* syslog always (the log subscriber has every event; this is the alert) */
	log_msg(m->sev >= EV_CRITICAL ? LOG_LVL_WARN : LOG_LVL_NOTICE, "alert (%s%s): %s",
		notify_action_name(m->action), m->quiet ? ", quiet hours" : "", m->title);
	n->created++;
	if (mask) {
		make_room(n);
		if (ob_add(&n->ob, m, mask, clock_mono_ms()) == 0)
			remember(n, m, mask);
		notify_report_flash(n);
		notify_kick(n);
	} else {
		m->id = 0;
		remember(n, m, 0);
	}
	notify_msg_unref(m);
}

static void on_incident(void *arg, const char *key, int64_t opened_ms, enum ev_severity sev,
			const char *title)
{
	struct notify *n = arg;
	ob_incident(&n->ob, key, opened_ms, sev, title);
	notify_report_flash(n);
}

/* ---- settings ---- */

static void configure(struct notify *n)
{
	const struct cfg_section *a = config_section(n->cfg, "alerts");
	static const char *const lv[EV_SEV_N] = {
		"info_enabled", "warning_enabled", "critical_enabled", "emergency_enabled",
	};
	struct np_cfg pc = {
		.group_ms = (uint32_t)cfg_duration_ms(a, "group_window"),
		.dedup_ms = (uint32_t)cfg_duration_ms(a, "dedup_window"),
		.flap_threshold = (unsigned)cfg_int(a, "flap_threshold"),
		.flap_window_ms = (uint32_t)cfg_duration_ms(a, "flap_window"),
		.quiet_start = -1, .quiet_end = -1, .restore_grace_ms = RESTORE_GRACE_MS,
	};
	/* Below the lowest min_level of the enabled channels nothing would be
	 * sent: such events make no alert (not even a syslog line). */
	int floor = EV_WARNING;
	for (int ch = 0; ch < NCH_N; ch++)
		if (n->ch[ch].enabled && n->ch[ch].min_level < floor)
			floor = n->ch[ch].min_level;
	for (int i = floor; i < EV_SEV_N; i++)
		if (cfg_bool(a, lv[i]))
			pc.levels |= 1u << i;
	const char *q = cfg_str(a, "quiet_hours");
	if (q && q[0] && cfg_quiet_parse(q, &pc.quiet_start, &pc.quiet_end) < 0)
		pc.quiet_start = pc.quiet_end = -1;
	n->quiet_start = pc.quiet_start;
	n->quiet_end = pc.quiet_end;
	if (pc.quiet_start >= 0)
		snprintf(n->quiet_span, sizeof(n->quiet_span), "%s", q);
	n->retry_min = (uint64_t)cfg_duration_ms(a, "retry_min");
	n->retry_max = (uint64_t)cfg_duration_ms(a, "retry_max");
	n->connect_ms = (unsigned)cfg_duration_ms(a, "connect_timeout");
	n->send_ms = (unsigned)cfg_duration_ms(a, "send_timeout");
	n->max_age = (uint64_t)cfg_duration_ms(a, "outbox_max_age");
	n->outbox_max = (unsigned)cfg_int(a, "outbox_max");
	n->dns.timeout_ms = n->connect_ms > 1000 ? n->connect_ms : 1000;
	if (n->pol)
		np_set_cfg(n->pol, &pc);
	else
		n->pol = np_new(&pc, on_message, on_incident, n);
}

static void configure_channel(struct notify *n, int i)
{
	struct nchan *c = &n->ch[i];
	bool was = c->enabled;
	c->n = n;
	c->ops = notify_chans[i];
	c->ctx = (struct notify_chan_ctx){ .cfg = n->cfg, .hostname = n->h.hostname,
					   .s = config_section(n->cfg, c->ops->name) };
	c->enabled = c->ops->enabled(&c->ctx);
	c->min_level = c->ops->min_level(&c->ctx);
	/* Only the hook has no section: a local program, limited to the most a
	 * section may set. */
	unsigned per_min = c->ctx.s ? (unsigned)cfg_int(c->ctx.s, "rate_limit") : 600;
	unsigned burst = c->ctx.s ? (unsigned)cfg_int(c->ctx.s, "burst") : 100;
	if (!was || per_min != c->bucket.per_min || burst != c->bucket.burst)
		nr_bucket_init(&c->bucket, per_min, burst, clock_mono_ms());
	if (c->enabled && !nt_http_available() && i != NCH_HOOK)
		log_err("alerts: %s is enabled, but this autonomyd was built without WITH_ALERTS "
			"(libcurl): its alerts cannot be sent", c->ops->name);
	if (!c->enabled) {
		if (was)
			notify_chan_stop(n, c);
		while (n->ob.head[i])
			notify_finish(n, n->ob.head[i], NRS_DROPPED, "channel disabled");
	}
}

/* A name lookup ended: whoever waited for one tries again. */
static void on_dns_ready(void *arg)
{
	struct notify *n = arg;
	for (int ch = 0; ch < NCH_N; ch++)
		n->ch[ch].resolving = false;
	notify_test_dns_ready(n);
	notify_kick(n);
}

/* ---- the loop ---- */

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	struct notify *n = arg;
	struct np_clock now = notify_now(n);
	uint64_t a = np_tick(n->pol, &now), b = notify_pump(n);
	uint64_t next = a < b ? a : b;
	if (next != UINT64_MAX) {
		struct timeval tv = { (time_t)(next / 1000), (suseconds_t)(next % 1000) * 1000 };
		evtimer_add(n->tick, &tv);
	}
}

void notify_event(struct notify *n, json_object *rec)
{
	if (!n)
		return;
	struct np_clock now = notify_now(n);
	np_event(n->pol, rec, &now);
	/* A member's state changed: an alert held for want of an uplink may go. */
	if (strcmp(json_get_str(rec, "event", ""), "state") == 0)
		for (int ch = 0; ch < NCH_N; ch++)
			if (n->ch[ch].held || n->ch[ch].path_failed) {
				n->ch[ch].held = false;
				if (n->ch[ch].path_failed && !n->ch[ch].paused)
					n->ch[ch].next_mono = 0;
			}
	notify_kick(n);
}

struct notify *notify_start(const struct notify_host *h, const struct config *cfg,
			    const char *journal)
{
	struct notify *n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->h = *h;
	n->cfg = cfg;
	ndns_init(&n->dns, h->base, on_dns_ready, n);
	if (getrandom(&n->rng, sizeof(n->rng), GRND_NONBLOCK) != sizeof(n->rng))
		n->rng = (uint32_t)clock_mono_us() | 1;
	configure(n);
	n->http = nt_http_new(h->base);
	n->tick = evtimer_new(h->base, on_tick, n);
	if (!n->pol || !n->http || !n->tick) {
		notify_stop(n);
		return NULL;
	}
	struct np_clock now = notify_now(n);
	if (ob_open(&n->ob, journal, now.wall_ms, now.mono_ms, n->ob_error,
		    sizeof(n->ob_error)) < 0)
		log_err("alerts: outbox %s: %s (alerts are kept in memory only)", journal,
			n->ob_error);
	if (n->ob.bad_lines)
		log_warn("alerts: outbox %s: %u damaged line(s) skipped", journal, n->ob.bad_lines);
	for (int i = 0; i < NCH_N; i++)
		configure_channel(n, i);
	configure(n);           /* the level floor follows the channels */
	for (unsigned i = 0; i < n->ob.n_inc; i++)
		np_restore(n->pol, n->ob.inc[i].key, n->ob.inc[i].opened_ms, n->ob.inc[i].sev,
			   n->ob.inc[i].title, &now);
	if (n->ob.total)
		log_notice("alerts: %u waiting from before the restart", n->ob.total);
	notify_report_flash(n);
	notify_kick(n);
	return n;
}

void notify_reload(struct notify *n, const struct config *cfg)
{
	if (!n)
		return;
	n->cfg = cfg;
	configure(n);
	for (int i = 0; i < NCH_N; i++)
		configure_channel(n, i);
	configure(n);
	notify_kick(n);
}

void notify_stop(struct notify *n)
{
	if (!n)
		return;
	notify_test_free(n);
	ndns_free(&n->dns);
	for (int i = 0; i < NCH_N; i++)
		notify_chan_stop(n, &n->ch[i]);
	nt_http_free(n->http);
	ob_close(&n->ob);
	np_free(n->pol);
	for (unsigned i = 0; i < NOTIFY_RECENT; i++)
		notify_msg_unref(n->recent[i].m);
	if (n->tick)
		event_free(n->tick);
	free(n);
}
