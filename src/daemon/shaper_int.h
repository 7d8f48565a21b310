/* Internals of the daemon's shaper glue, shared by shaper.c (lifecycle,
 * following the traffic, the adaptive rate) and shaper_view.c (JSON). */
#ifndef AUTONOMY_DAEMON_SHAPER_INT_H
#define AUTONOMY_DAEMON_SHAPER_INT_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "daemon/shaper.h"
#include "qos/qos.h"
#include "qos/qos_rate.h"

#define SHAPER_MAX_LAN      4
#define SHAPER_MAX_BASES    16          /* members whose idle baselines are kept */

/* What a member's probes saw while it carried no traffic. */
struct shaper_base {
	char member[64];
	uint32_t base_us[QOS_RATE_TARGETS];
};

struct shaper_dev {
	char name[IF_NAMESIZE];
	int ifindex;            /* at the last apply; 0 = not applied */
	enum qos_kind kind;
	uint32_t rate_kbit;     /* applied */
	bool verified;
	char error[200];
};

struct shaper {
	struct daemon *d;
	struct qos_shaper *qs;          /* the netlink side; NULL until needed */
	struct event *timer;
	/* from the config */
	bool on, adaptive, ingress;
	struct qos_plan plan[QOS_N_DIRS];      /* upload (the uplink), download (LAN) */
	unsigned n_lan;
	struct shaper_dev lan[SHAPER_MAX_LAN];
	uint32_t min_pct, target_ms;
	/* now */
	char state[16];                 /* off, observe, idle, unlimited, shaping, error */
	char reason[200];
	char member[64];                /* shaped now ("" = none) */
	bool current;                   /* applied and verified for member */
	bool reconfigured;              /* a reload: limits may have changed */
	uint32_t probe_prio;            /* SO_PRIORITY of the shaped member's probes */
	struct shaper_dev up;
	uint32_t limit_kbit[QOS_N_DIRS];
	struct qos_rate rate;
	struct shaper_base bases[SHAPER_MAX_BASES];
	uint64_t applies, rate_changes, repairs, errors;
	uint64_t last_verify_us, last_change_us;
	uint64_t last_apply_us_took;
};

/* shaper_rate.c: the idle baselines of a member (created on demand), the
 * controller started for the shaped member (fresh: its limits and idle
 * baselines; else new limits only), one adaptive step. */
struct shaper_base *shaper_base_of(struct shaper *sh, const char *member, bool create);
void shaper_init_rate(struct shaper *sh, bool fresh);
void shaper_adapt(struct shaper *sh, uint64_t now);

/* The member's limits in kbit/s (class limit or its own upload/download). */
uint32_t shaper_limit_kbit(struct daemon *d, const char *member, const char *cls,
			   enum qos_dir dir);

#endif
