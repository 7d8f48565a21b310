/* qos_plan: configuration → the shape of the shaper (qos_plan.h). */
#include "qos/qos_plan.h"

#include <string.h>

#include "config/config.h"

/* Each category's assured share and ceiling in % of the link rate, per
 * sharing mode. fair: voice and video first but capped (25 % and 50 %, the
 * thresholds of cake's diffserv4 tins), so a flood marked EF cannot starve
 * the rest; bulk keeps 10 %. priority: strict order, everyone may take the
 * whole link, 5 % each so nothing starves completely. weighted: the shares
 * are weights, no tier is served before another. */
static const struct { uint8_t rate, ceil; } shares[3][QOS_N_CATS] = {
	[QOS_SHARE_FAIR]     = { { 10, 25 }, { 20, 50 }, { 60, 100 }, { 10, 100 } },
	[QOS_SHARE_PRIORITY] = { { 5, 100 }, { 5, 100 }, { 5, 100 }, { 5, 100 } },
	[QOS_SHARE_WEIGHTED] = { { 10, 100 }, { 20, 100 }, { 60, 100 }, { 10, 100 } },
};

/* QoS off: everyone in one queue, except the daemon's probes, which get a
 * lane of their own (queue 0, no category) so that they see the link and
 * not the queue in front of it. */
static void one_queue(struct qos_plan *p)
{
	p->n_tiers = 2;
	p->tier[0] = (struct qos_tier){ .queue = 0, .cats = 0, .prio = 0,
					.rate_pct = 1, .ceil_pct = 100 };
	p->tier[1] = (struct qos_tier){ .queue = 1, .cats = (1u << QOS_N_CATS) - 1, .prio = 1,
					.rate_pct = 99, .ceil_pct = 100 };
	p->probe_tier = 0;
	p->default_tier = 1;
}

void qos_plan_build(struct qos_plan *p, bool tiers_on, enum qos_sharing sharing,
		    unsigned n_queues, const uint8_t queue_of[QOS_N_CATS], bool download)
{
	memset(p, 0, sizeof(*p));
	p->tiers_on = tiers_on;
	p->download = download;
	p->sharing = sharing;
	p->n_queues = n_queues < 1 ? 1 : n_queues > QOS_MAX_TIERS ? QOS_MAX_TIERS : n_queues;
	for (unsigned c = 0; c < QOS_N_CATS; c++) {
		unsigned q = queue_of[c];
		p->queue_of[c] = (uint8_t)(q < 1 ? 1 : q > p->n_queues ? p->n_queues : q);
	}
	/* cake's diffserv4 has exactly the four categories in this order and
	 * shares like "fair"; without tiers cake is besteffort. */
	bool canonical = p->n_queues == 4;
	for (unsigned c = 0; c < QOS_N_CATS; c++)
		canonical = canonical && p->queue_of[c] == c + 1;
	p->cake_ok = !tiers_on || (canonical && sharing == QOS_SHARE_FAIR);
	if (!tiers_on) {
		one_queue(p);
		return;
	}
	/* Queues in use, most urgent first; a queue's share is the sum of its
	 * categories', its ceiling the highest of theirs. */
	for (unsigned q = 1; q <= p->n_queues; q++) {
		struct qos_tier t = { .queue = (uint8_t)q };
		unsigned rate = 0;
		for (unsigned c = 0; c < QOS_N_CATS; c++) {
			if (p->queue_of[c] != q)
				continue;
			t.cats |= (uint8_t)(1u << c);
			rate += shares[sharing][c].rate;
			if (shares[sharing][c].ceil > t.ceil_pct)
				t.ceil_pct = shares[sharing][c].ceil;
		}
		if (!t.cats)
			continue;
		t.rate_pct = (uint8_t)rate;
		t.prio = sharing == QOS_SHARE_WEIGHTED ? 0 : (uint8_t)(q - 1);
		if (t.cats & (1u << QOS_CAT_DATA))
			p->default_tier = p->n_tiers;
		if (t.cats & (1u << QOS_CAT_VOICE))
			p->probe_tier = p->n_tiers;
		p->tier[p->n_tiers++] = t;
	}
}

void qos_plan_from_config(const struct config *cfg, bool download, struct qos_plan *p)
{
	const struct cfg_section *q = config_section(cfg, "qos");
	const struct cfg_section *bw = config_section(cfg, "bandwidth");
	static const char *const opt[QOS_N_CATS] = {
		"voice_priority", "video_priority", "data_priority", "bulk_priority",
	};
	uint8_t queue_of[QOS_N_CATS];
	for (unsigned c = 0; c < QOS_N_CATS; c++)
		queue_of[c] = (uint8_t)cfg_int(q, opt[c]);
	qos_plan_build(p, cfg_bool(q, "enabled") && cfg_bool(bw, "qos_enabled"),
		       (enum qos_sharing)cfg_enum(q, "bandwidth_sharing"),
		       (unsigned)cfg_int(q, "priority_queues"), queue_of, download);
}

bool qos_plan_equal(const struct qos_plan *a, const struct qos_plan *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

uint32_t qos_link_classid(void)
{
	return (QOS_HANDLE_MAJ << 16) | QOS_LINK_MINOR;
}

uint32_t qos_tier_classid(const struct qos_plan *p, unsigned i)
{
	return (QOS_HANDLE_MAJ << 16) | QOS_TIER_MINOR(p->tier[i].queue);
}

uint32_t qos_probe_priority(const struct qos_plan *p, bool cake)
{
	/* cake diffserv4 tin order bulk, best effort, video, voice: 4 = voice;
	 * besteffort has one tin. */
	if (cake)
		return (QOS_HANDLE_MAJ << 16) | (p->tiers_on ? 4u : 1u);
	return qos_tier_classid(p, p->probe_tier);
}

const char *qos_cat_name(enum qos_cat c)
{
	static const char *const n[] = { "voice", "video", "data", "bulk" };
	return (unsigned)c < QOS_N_CATS ? n[c] : "?";
}

const char *qos_sharing_name(enum qos_sharing s)
{
	static const char *const n[] = { "fair", "priority", "weighted" };
	return (unsigned)s < 3 ? n[s] : "?";
}
