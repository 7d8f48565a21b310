/* usage: the accounting (rules in usage.h). */
#include "usage/usage.h"

#include <stdio.h>
#include <string.h>

#define U32_RANGE (UINT64_C(1) << 32)
#define U32_QUARTER (UINT64_C(1) << 30)

void usage_init(struct usage_member *u, const char *name, const char *device)
{
	memset(u, 0, sizeof(*u));
	snprintf(u->name, sizeof(u->name), "%s", name ? name : "");
	snprintf(u->device, sizeof(u->device), "%s", device ? device : "");
	u->reset_day = 1;
}

static void start_cycle(struct usage_member *u, int64_t now)
{
	u->cycle_start = usage_cycle_start(now, u->reset_day);
	u->next_reset = usage_next_reset(now, u->reset_day);
	u->dirty = true;
}

void usage_set_plan(struct usage_member *u, int reset_day, uint64_t cap_bytes, int64_t now)
{
	if (reset_day < 1 || reset_day > 31)
		reset_day = 1;
	if (reset_day != u->reset_day) {
		u->reset_day = reset_day;
		/* The running cycle keeps its start and ends on the new day. */
		if (u->cycle_start && now >= USAGE_SANE_TIME)
			u->next_reset = usage_next_reset(now, reset_day);
		u->dirty = true;
	}
	if (cap_bytes != u->cap_bytes) {
		u->cap_bytes = cap_bytes;
		double pct = usage_pct(u);
		/* A larger cap: thresholds above today's share may fire again. */
		if (pct >= 0 && u->alerted_pct > pct)
			u->alerted_pct = (unsigned)pct;
		u->dirty = true;
	}
	if (!u->cycle_start && now >= USAGE_SANE_TIME)
		start_cycle(u, now);
}

void usage_set_source(struct usage_member *u, int ifindex, const char *boot_id)
{
	const char *b = boot_id ? boot_id : "";
	if (u->last_valid && (ifindex != u->ifindex || strcmp(b, u->boot_id) != 0)) {
		/* Counters restarted from 0 since the baseline was read. */
		u->last_rx = u->last_tx = 0;
		u->dirty = true;
	}
	if (ifindex != u->ifindex || strcmp(b, u->boot_id) != 0) {
		u->ifindex = ifindex;
		snprintf(u->boot_id, sizeof(u->boot_id), "%s", b);
		u->dirty = true;
	}
}

uint64_t usage_counter_delta(uint64_t old, uint64_t now)
{
	if (now >= old)
		return now - old;
	if (old < U32_RANGE && old >= U32_RANGE - U32_QUARTER && now < U32_QUARTER)
		return U32_RANGE - old + now;
	return now;
}

static void rollover(struct usage_member *u, int64_t now)
{
	u->prev_total = usage_total(u);
	u->prev_start = u->cycle_start;
	u->rx_bytes = u->tx_bytes = 0;
	u->alerted_pct = 0;
	start_cycle(u, now);
}

void usage_update(struct usage_member *u, uint64_t rx, uint64_t tx, int64_t now)
{
	if (now >= USAGE_SANE_TIME) {
		if (!u->cycle_start)
			start_cycle(u, now);    /* the clock became sane: keep the bytes */
		else if (now >= u->next_reset)
			rollover(u, now);
	}
	if (u->last_valid) {
		uint64_t drx = usage_counter_delta(u->last_rx, rx);
		uint64_t dtx = usage_counter_delta(u->last_tx, tx);
		u->rx_bytes += drx;
		u->tx_bytes += dtx;
	}
	if (!u->last_valid || rx != u->last_rx || tx != u->last_tx)
		u->dirty = true;
	u->last_rx = rx;
	u->last_tx = tx;
	u->last_valid = true;
}

uint64_t usage_total(const struct usage_member *u) { return u->rx_bytes + u->tx_bytes; }

double usage_pct(const struct usage_member *u)
{
	if (!u->cap_bytes)
		return -1;
	return (double)usage_total(u) * 100.0 / (double)u->cap_bytes;
}

unsigned usage_alerts(struct usage_member *u, const unsigned *pcts, unsigned n)
{
	double pct = usage_pct(u);
	unsigned bits = 0, top = u->alerted_pct;
	if (pct < 0)
		return 0;
	for (unsigned i = 0; i < n && i < 32; i++) {
		if (pcts[i] > u->alerted_pct && pct >= pcts[i]) {
			bits |= 1u << i;
			if (pcts[i] > top)
				top = pcts[i];
		}
	}
	if (top != u->alerted_pct) {
		u->alerted_pct = top;
		u->dirty = true;
	}
	return bits;
}
