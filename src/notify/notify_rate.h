/* notify_rate: how often a channel may send — a token bucket per channel
 * (rate_limit per minute, burst at once) — and how long it waits after a
 * failed round: retry_min doubling up to retry_max, the wait drawn from the
 * upper half of that (jitter, so that routers that failed together do not
 * retry together). Pure: the clock and the random number are the caller's. */
#ifndef AUTONOMY_NOTIFY_NOTIFY_RATE_H
#define AUTONOMY_NOTIFY_NOTIFY_RATE_H

#include <stdint.h>

struct nr_bucket {
	double tokens;
	uint64_t at_ms;
	unsigned per_min, burst;
};

/* Full at now. */
void nr_bucket_init(struct nr_bucket *b, unsigned per_min, unsigned burst, uint64_t now_ms);
/* 0 when a token is there, else the ms until one is. Spends nothing: a
 * message may still wait for its name lookup, and only a request that goes
 * out costs a token (nr_bucket_spend). */
uint64_t nr_bucket_wait(struct nr_bucket *b, uint64_t now_ms);
/* One request went out (after nr_bucket_wait said 0). */
void nr_bucket_spend(struct nr_bucket *b);
/* Tokens now (for the view). */
double nr_bucket_level(struct nr_bucket *b, uint64_t now_ms);

/* The wait after the fails-th failed round (fails >= 1); rnd any 32 bits. */
uint64_t nr_backoff_ms(uint64_t min_ms, uint64_t max_ms, unsigned fails, uint32_t rnd);

#endif
