/* shaper_rate: the daemon's side of the adaptive rate: probe outcomes and
 * the idle baselines of every member in, the uplink's byte counters every
 * tick, the controller's rates out to the kernel (qos/qos_rate.h). */
#include "daemon/shaper_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/fsutil.h"
#include "core/log.h"
#include "daemon/daemon.h"
#include "daemon/members.h"

/* The idle baselines of a member: its slot, else a free one (slot 0's when
 * there are more members than slots). */
struct shaper_base *shaper_base_of(struct shaper *sh, const char *member, bool create)
{
	struct shaper_base *free_slot = NULL;
	for (size_t i = 0; i < SHAPER_MAX_BASES; i++) {
		if (strcmp(sh->bases[i].member, member) == 0)
			return &sh->bases[i];
		if (!sh->bases[i].member[0] && !free_slot)
			free_slot = &sh->bases[i];
	}
	if (!create)
		return NULL;
	if (!free_slot)
		free_slot = &sh->bases[0];
	memset(free_slot, 0, sizeof(*free_slot));
	snprintf(free_slot->member, sizeof(free_slot->member), "%s", member);
	return free_slot;
}

/* A new member starts from its limits and the baselines its probes learnt
 * while idle; a reload keeps what was learnt (the rate within the new
 * limits). */
void shaper_init_rate(struct shaper *sh, bool fresh)
{
	struct qos_rate_params rp = {
		.max_kbit = { sh->limit_kbit[QOS_UP], sh->ingress ? sh->limit_kbit[QOS_DOWN] : 0 },
		.min_pct = sh->min_pct, .delay_thr_us = sh->target_ms * 1000u,
	};
	if (!fresh) {
		qos_rate_set_limits(&sh->rate, &rp);
		return;
	}
	qos_rate_init(&sh->rate, &rp);
	const struct shaper_base *b = shaper_base_of(sh, sh->member, false);
	if (b)
		qos_rate_seed(&sh->rate, b->base_us);
}

void shaper_probe(struct daemon *d, const struct member_rt *m, const struct probe_result *r)
{
	/* Baselines are learnt whether or not the rate adapts, so that turning
	 * latency_optimization on later starts from a known path. */
	struct shaper *sh = d->shaper;
	if (!sh)
		return;
	bool shaped = sh->current && strcmp(sh->member, m->name) == 0;
	if (!shaped && !m->active && r->outcome == PROBE_REPLY) {
		/* a member that carries no traffic: its path without a queue */
		qos_baseline_idle(shaper_base_of(sh, m->name, true)->base_us, (unsigned)r->target,
				  r->rtt_us);
		return;
	}
	/* the shaped member's samples need the load the ticks measure: only
	 * while the rate adapts */
	if (!shaped || !sh->adaptive)
		return;
	if (r->outcome == PROBE_REPLY || r->outcome == PROBE_LATE)
		qos_rate_sample(&sh->rate, (unsigned)r->target, r->rtt_us, clock_mono_us());
	else if (r->outcome == PROBE_LOST)
		qos_rate_loss(&sh->rate, clock_mono_us());
}

static uint64_t read_counter(const char *dev, const char *name)
{
	char path[96];
	snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/%s", dev, name);
	char *txt = fs_read_file(path, 64, NULL);
	uint64_t v = txt ? strtoull(txt, NULL, 10) : 0;
	free(txt);
	return v;
}

/* One step of the adaptive rate: the uplink's byte counters (sent =
 * upload, received = download) against the probes' delay. */
void shaper_adapt(struct shaper *sh, uint64_t now)
{
	uint64_t bytes[QOS_N_DIRS] = {
		read_counter(sh->up.name, "tx_bytes"), read_counter(sh->up.name, "rx_bytes"),
	};
	unsigned changed = qos_rate_tick(&sh->rate, bytes, now);
	char err[200];
	if ((changed & (1u << QOS_UP)) && sh->up.ifindex) {
		uint32_t kbit = sh->rate.dir[QOS_UP].rate_kbit;
		if (qos_shaper_set_rate(sh->qs, sh->up.ifindex, &sh->plan[QOS_UP], sh->up.kind, kbit,
					err, sizeof(err)) == 0) {
			sh->up.rate_kbit = kbit;
			sh->rate_changes++;
		} else {
			sh->current = false;    /* the next tick rebuilds */
			log_warn("shaper: %s: %s", sh->up.name, err);
		}
	}
	for (unsigned i = 0; (changed & (1u << QOS_DOWN)) && i < sh->n_lan; i++) {
		struct shaper_dev *l = &sh->lan[i];
		uint32_t kbit = sh->rate.dir[QOS_DOWN].rate_kbit;
		if (l->ifindex && qos_shaper_set_rate(sh->qs, l->ifindex, &sh->plan[QOS_DOWN],
						      l->kind, kbit, err, sizeof(err)) == 0) {
			l->rate_kbit = kbit;
			sh->rate_changes++;
		}
	}
	if (changed)
		log_debug("shaper: adaptive rate up %u / down %u kbit/s (delay +%.1f ms)",
			  sh->rate.dir[QOS_UP].rate_kbit, sh->rate.dir[QOS_DOWN].rate_kbit,
			  sh->rate.last_delta_us / 1e3);
}

