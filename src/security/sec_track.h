/* sec_track: what the listener guard remembers per source address — a
 * token bucket (security.rate_limiting), refusals in a sliding window and a
 * ban (network_security.intrusion_detection), and how much of it was logged.
 * A fixed table: a flood of sources evicts the longest-idle unbanned entry,
 * so memory stays bounded whatever arrives. Pure: callers pass the time. */
#ifndef AUTONOMY_SECURITY_SEC_TRACK_H
#define AUTONOMY_SECURITY_SEC_TRACK_H

#include <stdbool.h>
#include <stdint.h>

#include "security/sec_acl.h"

#define SEC_TRACK_MAX 256

struct sec_src {
	struct sec_addr addr;
	bool used;
	uint64_t seen_ms;               /* last request: eviction order */
	double tokens;                  /* the bucket, refilled at rate/s to burst */
	uint64_t bucket_ms;
	unsigned fails;                 /* refusals since fail_start_ms */
	uint64_t fail_start_ms;
	uint64_t banned_until_ms;       /* 0 = not banned */
	uint64_t requests, refused;
	uint64_t log_window_ms;         /* log lines: a few per minute per source */
	unsigned logged, suppressed;
};

struct sec_track {
	struct sec_src v[SEC_TRACK_MAX];
	uint64_t evicted;
};

/* The entry of a source, made (evicting if full) when new. Never NULL for a
 * known family. */
struct sec_src *sec_track_get(struct sec_track *t, const struct sec_addr *a, uint64_t now_ms);
/* The entry if the source is known, else NULL. */
struct sec_src *sec_track_find(struct sec_track *t, const struct sec_addr *a);
/* Takes a token: true when the request may go. On false, *retry_s says
 * when the next token is there. A new entry starts with a full bucket. */
bool sec_bucket_take(struct sec_src *s, double rate, double burst, uint64_t now_ms,
		     double *retry_s);
/* A refusal: true when it makes `limit` within window_ms, i.e. the source
 * is banned from now for ban_ms (the counter starts again). */
bool sec_track_fail(struct sec_src *s, unsigned limit, uint64_t window_ms, uint64_t ban_ms,
		    uint64_t now_ms);
bool sec_track_banned(const struct sec_src *s, uint64_t now_ms);
/* Whether a log line about this source may be written now (at most
 * per_minute a minute); *suppressed_out receives how many were held back
 * since the last one that went. */
bool sec_track_may_log(struct sec_src *s, unsigned per_minute, uint64_t now_ms,
		       unsigned *suppressed_out);

#endif
