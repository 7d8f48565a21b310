/* qos_plan: what the shaper on one device should look like, computed from
 * the configuration alone (pure; the unit tests and qos_apply share it).
 *
 * One root qdisc of ours, handle a170: ("autonomy"), on the device that
 * carries the traffic. Where the kernel has sch_cake and the plan can be
 * said in cake's words (the fair sharing with the canonical four-queue
 * mapping, or QoS off), it is cake diffserv4 / besteffort at the rate;
 * otherwise HTB: a link class a170:1 at the rate, one leaf class per
 * priority queue in use (a170:11 .. a170:18) with its own leaf qdisc
 * (fq_codel, else sfq, else a short pfifo), and u32 filters that send each
 * DSCP pool to its queue (qos_dscp.c). Unclassified traffic is "data". */
#ifndef AUTONOMY_QOS_PLAN_H
#define AUTONOMY_QOS_PLAN_H

#include <stdbool.h>
#include <stdint.h>

struct config;

#define QOS_HANDLE_MAJ      0xa170u     /* our root qdisc: a170: */
#define QOS_LINK_MINOR      0x1u        /* a170:1, the whole link */
#define QOS_TIER_MINOR(q)   (0x10u + (q))       /* queue q (1..8): a170:11..; 0: probes */
#define QOS_LEAF_MAJ(q)     (QOS_HANDLE_MAJ + 1u + (q)) /* its leaf qdisc: a171:.. */
#define QOS_MAX_TIERS       8

/* Traffic categories of the guide's qos section, in priority order. */
enum qos_cat { QOS_CAT_VOICE, QOS_CAT_VIDEO, QOS_CAT_DATA, QOS_CAT_BULK, QOS_N_CATS };

/* qos.bandwidth_sharing. */
enum qos_sharing { QOS_SHARE_FAIR, QOS_SHARE_PRIORITY, QOS_SHARE_WEIGHTED };

/* One HTB leaf class: a priority queue and the categories it carries. */
struct qos_tier {
	uint8_t queue;          /* the qos.*_priority number, 1 = most urgent */
	uint8_t cats;           /* 1 << enum qos_cat */
	uint8_t prio;           /* HTB prio: lower is served first */
	uint8_t rate_pct;       /* assured share of the link rate */
	uint8_t ceil_pct;       /* most it may borrow, % of the link rate */
};

struct qos_plan {
	bool tiers_on;          /* QoS on: priority queues + DSCP; off: one queue */
	bool download;          /* shapes downloads (LAN egress): cake's ingress mode */
	enum qos_sharing sharing;
	unsigned n_queues;      /* qos.priority_queues */
	uint8_t queue_of[QOS_N_CATS];
	unsigned n_tiers;       /* queues in use, most urgent first */
	struct qos_tier tier[QOS_MAX_TIERS];
	unsigned default_tier;  /* where unmarked traffic goes (data's) */
	unsigned probe_tier;    /* where the daemon's own probes go: voice's, or
				 * with QoS off a lane of their own (queue 0) */
	bool cake_ok;           /* expressible as cake diffserv4 / besteffort */
};

/* The plan for the qos section of cfg (download: the LAN-egress variant).
 * QoS is on when qos.enabled and bandwidth.qos_enabled are. */
void qos_plan_from_config(const struct config *cfg, bool download, struct qos_plan *p);
/* The same from plain values (the unit tests, the bench). */
void qos_plan_build(struct qos_plan *p, bool tiers_on, enum qos_sharing sharing,
		    unsigned n_queues, const uint8_t queue_of[QOS_N_CATS], bool download);
bool qos_plan_equal(const struct qos_plan *a, const struct qos_plan *b);

/* HTB classid of tier i / of the link class. */
uint32_t qos_tier_classid(const struct qos_plan *p, unsigned i);
uint32_t qos_link_classid(void);
/* skb->priority that puts a packet straight into the probes' tier: HTB
 * takes a priority equal to a leaf's classid, cake a priority a170:N as tin
 * N (diffserv4: 4 = voice). The daemon's probes carry it (SO_PRIORITY), so
 * they measure the link, not the queue the shaper keeps in front of it
 * (what the adaptive rate needs). With QoS off the HTB keeps a small lane
 * for them alone; cake's flow isolation does the same within its tin. */
uint32_t qos_probe_priority(const struct qos_plan *p, bool cake);

const char *qos_cat_name(enum qos_cat c);
const char *qos_sharing_name(enum qos_sharing s);

/* ---- DSCP (qos_dscp.c) ---------------------------------------------------- */

/* A pool of DSCP code points: dscp & mask == value. */
struct qos_dscp_rule {
	uint8_t value, mask;    /* 6-bit DSCP */
	enum qos_cat cat;
	const char *names;      /* the code points it stands for */
};

extern const struct qos_dscp_rule qos_dscp_rules[];
extern const unsigned qos_n_dscp_rules;
/* The category of a DSCP value (0..63), as the filters classify it. */
enum qos_cat qos_dscp_category(uint8_t dscp);
/* "EF" / "AF41" / "CS1" / "LE" / "CS0" or NULL for an unnamed value. */
const char *qos_dscp_name(uint8_t dscp);

#endif
