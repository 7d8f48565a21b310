/* notify_rate: token buckets and backoff (notify_rate.h). */
#include "notify/notify_rate.h"

void nr_bucket_init(struct nr_bucket *b, unsigned per_min, unsigned burst, uint64_t now_ms)
{
	b->per_min = per_min ? per_min : 1;
	b->burst = burst ? burst : 1;
	b->tokens = b->burst;
	b->at_ms = now_ms;
}

static void refill(struct nr_bucket *b, uint64_t now_ms)
{
	if (now_ms > b->at_ms)
		b->tokens += (double)(now_ms - b->at_ms) * b->per_min / 60000.0;
	if (b->tokens > b->burst)
		b->tokens = b->burst;
	b->at_ms = now_ms;
}

uint64_t nr_bucket_wait(struct nr_bucket *b, uint64_t now_ms)
{
	refill(b, now_ms);
	if (b->tokens >= 1.0)
		return 0;
	/* Rounded up: at that time the token is whole. */
	return (uint64_t)((1.0 - b->tokens) * 60000.0 / b->per_min) + 1;
}

void nr_bucket_spend(struct nr_bucket *b)
{
	b->tokens -= 1.0;
}

double nr_bucket_level(struct nr_bucket *b, uint64_t now_ms)
{
	refill(b, now_ms);
	return b->tokens;
}

uint64_t nr_backoff_ms(uint64_t min_ms, uint64_t max_ms, unsigned fails, uint32_t rnd)
{
	uint64_t d = min_ms;
	for (unsigned i = 1; i < fails && d < max_ms; i++)
		d *= 2;
	if (d > max_ms)
		d = max_ms;
	return d - (d / 2 ? rnd % (d / 2 + 1) : 0);
}
