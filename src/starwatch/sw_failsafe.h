/* sw_failsafe: while autonomyd is down, hung or held down, the router must
 * keep a working IPv4 default route. A check pings the members' targets
 * through the routing table; if nothing answers, starwatch tries the
 * members in priority order — carrier up, an IPv4 address, a gateway known
 * — by installing a plain default route through each (main table, metric 0,
 * protocol 166) and pinging through it, and keeps the first that answers.
 * A route it displaced is kept as it was received and put back when ours
 * goes; autonomyd's own (protocol 165) is left for autonomyd to restore.
 * Once autonomyd is healthy again, starwatch removes its route. */
#ifndef AUTONOMY_SW_FAILSAFE_H
#define AUTONOMY_SW_FAILSAFE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

#include "starwatch/sw_icmp.h"
#include "starwatch/sw_loop.h"
#include "starwatch/sw_nl.h"

#define SW_FS_MAX_MEMBERS 16
#define SW_FS_PING_MS 2000
/* A route found working is checked again after 6 check intervals (at most
 * 60 s): a day of checks costs ~120 KB on a metered link, not megabytes. */
#define SW_FS_RECHECK_CHECKS 6
#define SW_FS_RECHECK_MAX_MS 60000

struct sw_fs_member {
	char name[64];
	char dev[16];
	bool has_gw;            /* member.gateway given */
	struct in_addr gw;
};

typedef void (*sw_fs_cb)(void *arg);

struct sw_failsafe {
	struct sw_loop *loop;
	struct sw_ping ping;
	/* configuration (members in the order to try them) */
	struct sw_fs_member members[SW_FS_MAX_MEMBERS];
	size_t n_members;
	struct in_addr targets[SW_PING_MAX_TARGETS];
	size_t n_targets;
	/* state */
	enum { SW_FS_IDLE, SW_FS_CHECKING, SW_FS_TRYING } phase;
	size_t trial;
	bool touched;           /* this round replaced the slot at least once */
	bool active;            /* our route is installed (and answered) */
	char member[64], dev[16];
	bool has_gw;
	struct in_addr gw;
	bool saved;             /* a displaced route to put back */
	struct sw_rt saved_rt;
	uint64_t recheck_ms;    /* how long a working route is trusted */
	uint64_t trusted_until; /* no check before this (monotonic ms) */
	char last_msg[160];     /* logged only when it changes */
	sw_fs_cb changed;
	void *arg;
};

int sw_failsafe_init(struct sw_failsafe *fs, struct sw_loop *l, sw_fs_cb changed, void *arg);
/* A check round (no-op while one runs, or while a route found working is
 * still trusted). */
void sw_failsafe_check(struct sw_failsafe *fs);
/* autonomyd is back: remove our route (whether or not this run made it). */
void sw_failsafe_release(struct sw_failsafe *fs);
/* Is a default route of ours in the main table (true when unsure)? */
bool sw_failsafe_ours_present(struct sw_failsafe *fs);
/* At start: a default route of ours left by an earlier run is adopted. */
void sw_failsafe_adopt(struct sw_failsafe *fs);

/* Gateway for a member without a configured one (pure): someone's default
 * route through the device (main table, then the lowest metric; never our
 * own), else the other end of a /30 or /31. */
bool sw_failsafe_learn_gw(int ifindex, const struct sw_rt *rts, size_t n_rts,
			  const struct sw_addr4 *addrs, size_t n_addrs, struct in_addr *gw);

#endif
