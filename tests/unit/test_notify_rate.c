/* Unit tests for notify_rate: a channel's token bucket (the services'
 * limits: Slack about one a second, PagerDuty 120 a minute, ntfy.sh a burst
 * of 60 then one per 5 s) and the backoff with jitter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "notify/notify_rate.h"

/* What the pump does: a request goes out when the bucket has a token. */
static uint64_t take(struct nr_bucket *b, uint64_t now)
{
	uint64_t wait = nr_bucket_wait(b, now);
	if (!wait)
		nr_bucket_spend(b);
	return wait;
}

static void test_bucket_burst_then_rate(void **state)
{
	(void)state;
	struct nr_bucket b;
	nr_bucket_init(&b, 12, 3, 1000);               /* ntfy-like: 12/min = one per 5 s */
	for (int i = 0; i < 3; i++)
		assert_int_equal(take(&b, 1000), 0);
	uint64_t wait = take(&b, 1000);
	assert_in_range(wait, 5000, 5001);
	assert_in_range(take(&b, 1000 + 4999), 1, 2);
	assert_int_equal(take(&b, 1000 + 5001), 0);
	/* idle for an hour: back to the burst, not more */
	assert_true(nr_bucket_level(&b, 3600000) > 2.999 && nr_bucket_level(&b, 3600000) <= 3.0);
	/* PagerDuty's default: never more than 120 in any minute */
	nr_bucket_init(&b, 100, 20, 0);
	unsigned sent = 0;
	for (uint64_t t = 0; t < 60000; t += 10)
		sent += take(&b, t) == 0;
	assert_in_range(sent, 119, 120);
	/* waiting spends nothing: a message held for its name lookup asks again */
	nr_bucket_init(&b, 60, 1, 0);
	assert_int_equal(nr_bucket_wait(&b, 0), 0);
	assert_int_equal(nr_bucket_wait(&b, 0), 0);
	nr_bucket_spend(&b);
	assert_in_range(nr_bucket_wait(&b, 0), 1000, 1001);
}

static void test_backoff(void **state)
{
	(void)state;
	/* retry_min 10 s doubling to retry_max 15 min, from the upper half */
	assert_int_equal(nr_backoff_ms(10000, 900000, 1, 0), 10000);
	assert_int_equal(nr_backoff_ms(10000, 900000, 1, 5000), 5000);
	assert_int_equal(nr_backoff_ms(10000, 900000, 1, 5001), 10000);    /* wraps within */
	assert_int_equal(nr_backoff_ms(10000, 900000, 3, 0), 40000);
	assert_int_equal(nr_backoff_ms(10000, 900000, 20, 0), 900000);
	for (uint32_t r = 0; r < 100000; r += 997) {
		uint64_t d = nr_backoff_ms(10000, 900000, 4, r * 2654435761u);
		assert_in_range(d, 40000, 80000);
	}
	assert_int_equal(nr_backoff_ms(1, 1, 5, 12345), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bucket_burst_then_rate),
		cmocka_unit_test(test_backoff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
