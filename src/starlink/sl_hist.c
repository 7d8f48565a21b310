/* sl_hist: get_history's ring buffers in time order.
 *
 * The dish writes one sample per second into rings of N entries (N = the
 * array length, 900 on current firmware) and counts the samples written
 * since boot in `current`. Valid samples: min(N, current); the newest is at
 * (current - 1) % N, the oldest at current % N once the ring has wrapped
 * (else at 0). We keep the newest min(valid, SL_HIST_MAX), oldest first.
 * The drop-rate ring defines N; a latency ring of another length gives NAN
 * where it has no sample at the same index. */
#include "starlink/sl_internal.h"

#include <math.h>
#include <string.h>

static void conv_rings(const SlPbHistory *m, struct sl_history *h)
{
	size_t ring = m->n_pop_ping_drop_rate;
	uint64_t valid = m->current < ring ? m->current : ring;
	unsigned keep = valid < SL_HIST_MAX ? (unsigned)valid : SL_HIST_MAX;

	h->current = m->current;
	h->ring_len = ring > UINT32_MAX ? UINT32_MAX : (unsigned)ring;
	h->n = keep;
	if (keep == 0)
		return;
	/* Ring index of the oldest kept sample, without overflowing current. */
	size_t at = (size_t)((m->current - keep) % ring);

	for (unsigned i = 0; i < keep; i++) {
		h->drop[i] = m->pop_ping_drop_rate[at];
		h->latency_ms[i] = at < m->n_pop_ping_latency_ms ? m->pop_ping_latency_ms[at] : NAN;
		if (++at == ring)
			at = 0;
	}
}

/* True if a is newer than b. Equal start times: the later one in the list
 * (larger index) counts as newer, so the order stays the dish's. */
static bool newer(const struct sl_outage *a, size_t ia, const struct sl_outage *b, size_t ib)
{
	return a->start_ns != b->start_ns ? a->start_ns > b->start_ns : ia > ib;
}

static int64_t start_of(const SlPbOutage *o)
{
	return o ? o->start_timestamp_ns : 0;
}

static bool listed_in_order(const SlPbHistory *m)
{
	for (size_t i = 1; i < m->n_outages; i++)
		if (start_of(m->outages[i]) < start_of(m->outages[i - 1]))
			return false;
	return true;
}

/* Inserts o (list index i) into the sorted array h->outages[0..n), which
 * keeps the newest SL_HIST_OUTAGES; idx[] holds the list index of each. */
static void insert_outage(struct sl_history *h, size_t *idx, const struct sl_outage *o, size_t i)
{
	unsigned n = h->n_outages;

	if (n == SL_HIST_OUTAGES) {
		if (!newer(o, i, &h->outages[0], idx[0]))
			return;
		/* drop the oldest */
		memmove(&h->outages[0], &h->outages[1], (n - 1) * sizeof(h->outages[0]));
		memmove(&idx[0], &idx[1], (n - 1) * sizeof(idx[0]));
		n--;
	}
	unsigned k = n;
	while (k > 0 && newer(&h->outages[k - 1], idx[k - 1], o, i)) {
		h->outages[k] = h->outages[k - 1];
		idx[k] = idx[k - 1];
		k--;
	}
	h->outages[k] = *o;
	idx[k] = i;
	h->n_outages = n + 1;
}

/* Keeps the newest SL_HIST_OUTAGES by start time, oldest first. The dish
 * lists them oldest first (the fast path: take the tail); any other order
 * goes through insert_outage. */
static void conv_outages(const SlPbHistory *m, struct sl_history *h)
{
	size_t idx[SL_HIST_OUTAGES];
	struct sl_outage o;

	if (listed_in_order(m)) {
		size_t from = m->n_outages > SL_HIST_OUTAGES ? m->n_outages - SL_HIST_OUTAGES : 0;
		for (size_t i = from; i < m->n_outages; i++)
			sl_conv_outage(m->outages[i], &h->outages[h->n_outages++]);
		return;
	}
	for (size_t i = 0; i < m->n_outages; i++) {
		sl_conv_outage(m->outages[i], &o);
		insert_outage(h, idx, &o, i);
	}
}

void sl_conv_history(const SlPbHistory *m, struct sl_history *h)
{
	memset(h, 0, sizeof(*h));
	if (!m)
		return;
	conv_rings(m, h);
	conv_outages(m, h);
}
