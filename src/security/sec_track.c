/* sec_track: per-source state of the listener guard (sec_track.h). */
#include "security/sec_track.h"

#include <string.h>

struct sec_src *sec_track_find(struct sec_track *t, const struct sec_addr *a)
{
	for (size_t i = 0; i < SEC_TRACK_MAX; i++)
		if (t->v[i].used && sec_addr_eq(&t->v[i].addr, a))
			return &t->v[i];
	return NULL;
}

/* A free slot, else the longest-idle entry that is not banned, else the
 * longest-idle of all (a table full of bans loses its oldest). */
static struct sec_src *victim(struct sec_track *t, uint64_t now_ms)
{
	struct sec_src *best = NULL, *oldest = NULL;
	for (size_t i = 0; i < SEC_TRACK_MAX; i++) {
		struct sec_src *s = &t->v[i];
		if (!s->used)
			return s;
		if (!oldest || s->seen_ms < oldest->seen_ms)
			oldest = s;
		if (!sec_track_banned(s, now_ms) && (!best || s->seen_ms < best->seen_ms))
			best = s;
	}
	t->evicted++;
	return best ? best : oldest;
}

struct sec_src *sec_track_get(struct sec_track *t, const struct sec_addr *a, uint64_t now_ms)
{
	struct sec_src *s = sec_track_find(t, a);
	if (!s) {
		s = victim(t, now_ms);
		memset(s, 0, sizeof(*s));
		s->used = true;
		s->addr = *a;
		s->tokens = -1;         /* filled to the burst at its first take */
		s->bucket_ms = now_ms;
	}
	s->seen_ms = now_ms;
	return s;
}

bool sec_bucket_take(struct sec_src *s, double rate, double burst, uint64_t now_ms,
		     double *retry_s)
{
	if (s->tokens < 0) {
		s->tokens = burst;
	} else if (now_ms > s->bucket_ms) {
		s->tokens += rate * (double)(now_ms - s->bucket_ms) / 1000.0;
		if (s->tokens > burst)
			s->tokens = burst;
	}
	s->bucket_ms = now_ms;
	if (s->tokens >= 1.0) {
		s->tokens -= 1.0;
		*retry_s = 0;
		return true;
	}
	*retry_s = rate > 0 ? (1.0 - s->tokens) / rate : 60.0;
	return false;
}

bool sec_track_fail(struct sec_src *s, unsigned limit, uint64_t window_ms, uint64_t ban_ms,
		    uint64_t now_ms)
{
	if (!s->fails || now_ms - s->fail_start_ms > window_ms) {
		s->fails = 0;
		s->fail_start_ms = now_ms;
	}
	if (++s->fails < limit || !limit)
		return false;
	s->fails = 0;
	s->banned_until_ms = now_ms + ban_ms;
	return true;
}

bool sec_track_banned(const struct sec_src *s, uint64_t now_ms)
{
	return s->banned_until_ms && now_ms < s->banned_until_ms;
}

bool sec_track_may_log(struct sec_src *s, unsigned per_minute, uint64_t now_ms,
		       unsigned *suppressed_out)
{
	if (!s->log_window_ms || now_ms - s->log_window_ms >= 60000) {
		s->log_window_ms = now_ms;
		s->logged = 0;
	}
	if (s->logged >= per_minute) {
		s->suppressed++;
		return false;
	}
	s->logged++;
	*suppressed_out = s->suppressed;
	s->suppressed = 0;
	return true;
}
