/* qos: the shaper on the active uplink (and, for downloads, on the LAN
 * devices): one root qdisc of ours per device, built, verified, changed in
 * place and removed over rtnetlink. The daemon decides where and at which
 * rate (daemon/shaper.c); this module only makes the kernel match.
 *
 * Only a root qdisc with our handle (a170:) is ever changed or deleted. A
 * device whose root is the kernel's default (handle 0:) gets ours in its
 * place; one whose root someone else configured (sqm, a tc script) is left
 * alone and reported. Deleting ours gives the device its default back. */
#ifndef AUTONOMY_QOS_H
#define AUTONOMY_QOS_H

#include <stdbool.h>
#include <stdint.h>

#include "qos/qos_int.h"

struct qos_shaper;

struct qos_result {
	enum qos_kind kind;
	enum qos_leaf leaf;
	enum qos_diff found;    /* what the device had before */
	unsigned sent;          /* requests sent (0: the kernel already matched) */
	bool verified;          /* read back and equal to the plan */
	uint64_t took_us;
	char error[200];        /* "" = ok */
};

/* Per tier (HTB) or for the whole qdisc (cake): what the kernel counts. */
struct qos_tier_stats {
	uint32_t classid;
	uint64_t rate_kbit, ceil_kbit;
	uint64_t bytes, packets;
	uint32_t drops, backlog, qlen;
};

struct qos_dev_info {
	bool ours;
	char root_kind[16];
	uint32_t root_handle;
	uint64_t rate_kbit;
	unsigned n_tiers;
	struct qos_tier_stats tier[QOS_MAX_TIERS + 1];   /* [0]: the link/root */
	char leaf_kind[16];
};

struct qos_shaper *qos_shaper_new(void);
void qos_shaper_free(struct qos_shaper *s);
/* Makes ifindex carry the plan at rate_kbit: nothing is sent when the
 * kernel already matches; a changed rate is changed in place; another
 * shape is rebuilt. Read back afterwards. 0, or -1 with res->error. */
int qos_shaper_apply(struct qos_shaper *s, int ifindex, const struct qos_plan *p,
		     uint32_t rate_kbit, struct qos_result *res);
/* Only the rate (the adaptive rate's steps): changes in place, acked, not
 * read back (the periodic apply verifies). */
int qos_shaper_set_rate(struct qos_shaper *s, int ifindex, const struct qos_plan *p,
			enum qos_kind kind, uint32_t rate_kbit, char *err, size_t errsz);
/* Deletes our root qdisc from ifindex. 1 deleted, 0 none of ours there, -1
 * error (errno). */
int qos_shaper_remove(struct qos_shaper *s, int ifindex);
/* What ifindex has (for status). 0 or -1. */
int qos_shaper_read(struct qos_shaper *s, int ifindex, struct qos_dev_info *out);
/* The kernel's sch_cake: -1 not tried yet, 0 absent, 1 present. */
int qos_shaper_has_cake(const struct qos_shaper *s);

#endif
