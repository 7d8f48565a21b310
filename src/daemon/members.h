/* members: the daemon's runtime view of each configured uplink — its probe
 * sockets (prober), its engine state (mstate) and its link — and the glue
 * that feeds probe outcomes and link events into the engine. */
#ifndef AUTONOMY_DAEMON_MEMBERS_H
#define AUTONOMY_DAEMON_MEMBERS_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine/mstate.h"
#include "engine/policy.h"
#include "engine/tel_member.h"
#include "probe/probe.h"

struct daemon;
struct event;
struct link_info;
struct mtel;

#define MEMBER_MAX_TARGETS 16

/* What one probe target has answered (for `members`: the web UI's and the
 * operator's view of which target fails). Counted as the prober reports. */
struct member_target_stat {
	uint64_t sent, replies, lost, late, send_errors;
	uint64_t last_us;               /* monotonic time of the last outcome */
	uint32_t last_rtt_us;           /* of the last reply (or late reply) */
	int last_err;                   /* errno of the last loss or send error */
	int last;                       /* enum probe_outcome, -1 = none yet */
};

struct member_rt {
	struct daemon *d;
	char name[64];
	char device[IF_NAMESIZE];
	char cls[16];
	int priority;
	bool enabled, metered;
	struct probe_target targets[MEMBER_MAX_TARGETS];
	size_t n_targets;
	struct member_target_stat tstat[MEMBER_MAX_TARGETS];
	bool default_targets;           /* none configured: the built-in set */
	struct prober *prober;
	struct mstate ms;
	struct event *timer;
	bool active;
	enum detect_link link;
	uint64_t started_us;
	struct tel_member tm;           /* the engine's view of its telemetry */
	struct mtel *tel;               /* the daemon's telemetry sources (tel.c) */
	bool adopted;                   /* kept over a reload, telemetry not yet reloaded */
	bool ifdown;                    /* netifd took its interface down */
};

/* (Re)builds d->members from d->cfg, keeping the measurements of members
 * whose device and targets did not change. */
int members_sync(struct daemon *d);
void members_free(struct daemon *d);
struct member_rt *members_find_device(struct daemon *d, const char *dev);
/* A linkmon event for some device. */
void members_link_event(struct daemon *d, const struct link_info *li, bool gone);
void members_carrier_lost(struct member_rt *m);
/* netifd: the member's interface is down / up again (netifd.c). */
void members_set_ifdown(struct member_rt *m, bool down);
/* Fresh addresses and a probe now (netifd ifup). */
void members_recheck(struct member_rt *m);
/* The active member's carrier read from sysfs every 50 ms (carrier.c). */
int carrier_watch_start(struct daemon *d);
void carrier_watch_stop(struct daemon *d);
/* The member's state changed (why NULL: the detector's or the score's
 * reason): an event, and the decision engine runs. */
void members_state_changed(struct member_rt *m, const char *why);
/* Re-evaluates the decision engine (a member's state changed). */
void members_select(struct daemon *d);
/* Applies the engine's active member to probing roles and status. */
void members_apply_active(struct daemon *d, const char *name);
/* The member as the shared policy (engine/policy.h) sees it. */
void member_policy(const struct member_rt *m, struct policy_member *out);
/* Expected probe bytes per day at the member's current role. */
double member_bytes_per_day(const struct member_rt *m);
/* Probe traffic actually sent+received per day, extrapolated from uptime. */
double member_bytes_per_day_measured(const struct member_rt *m);

#endif
