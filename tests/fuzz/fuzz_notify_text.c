/* libFuzzer target for what the alerts read from outside and from the
 * operator: an endpoint's Retry-After and reply (the channels' verdicts),
 * alerts.quiet_hours, ntfy.priority, and the mail encodings of text that
 * comes from events. The first byte picks the parser. Oracles: Retry-After
 * stays within [-1, cap]; a 2xx is delivered, a 4xx other than 408/425/429
 * is final; quiet hours accepted are minutes of a day; QP lines stay within
 * 76 characters of printable ASCII (and tabs); encoded words within 75. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfg_alerts.h"
#include "notify/notify_chan.h"
#include "notify/notify_mime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void reply_check(const char *s, size_t n, long status)
{
	char ra[64];
	snprintf(ra, sizeof(ra), "%.*s", (int)(n < 63 ? n : 63), s);
	int64_t ms = notify_retry_after_ms(ra, 1800000000000LL, 3600000);
	if (ms < -1 || ms > 3600000)
		abort();
	struct notify_reply r = { .err = NRE_OK, .status = status, .body = s, .body_len = n,
				  .now_wall_ms = 1800000000000LL };
	snprintf(r.retry_after, sizeof(r.retry_after), "%s", ra);
	for (int ch = 0; ch < NCH_N; ch++) {
		struct notify_verdict v;
		notify_chans[ch]->judge(&r, &v);
		if (v.retry_after_ms < -1 || v.retry_after_ms > 3600000 || !memchr(v.why, 0, sizeof(v.why)))
			abort();
		if (ch != NCH_EMAIL && ch != NCH_HOOK && status >= 200 && status < 300 && v.what != NV_OK)
			abort();
		if (ch != NCH_EMAIL && ch != NCH_HOOK && status >= 400 && status < 500 &&
		    status != 408 && status != 425 && status != 429 && v.what != NV_FAIL)
			abort();
	}
}

static void mime_check(const char *s)
{
	size_t n;
	char *q = notify_mime_qp(s, &n);
	if (!q)
		return;
	for (const char *l = q;;) {
		size_t k = strcspn(l, "\r");
		if (k > 76)
			abort();
		for (size_t i = 0; i < k; i++)
			if (((unsigned char)l[i] < 32 && l[i] != '\t') || (unsigned char)l[i] > 126)
				abort();
		if (!l[k])
			break;
		if (l[k + 1] != '\n')
			abort();
		l += k + 2;
	}
	free(q);
	char *h = notify_mime_header_text(s, 7);
	if (!h)
		return;
	for (char *w = h; (w = strstr(w, "=?UTF-8?Q?")); w++) {
		char *end = strstr(w + 10, "?=");
		if (!end || end + 2 - w > 75)
			abort();
	}
	free(h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	char *s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	int a, b, p[4] = { 2, 3, 4, 5 };
	switch (data[0] % 4) {
	case 0:
		reply_check(s, size - 1, size > 2 ? 100 + (data[1] * 3 + data[2]) % 500 : 200);
		break;
	case 1:
		if (cfg_quiet_parse(s, &a, &b) == 0 && (a < 0 || a >= 1440 || b < 0 || b >= 1440 ||
							a == b))
			abort();
		break;
	case 2:
		if (cfg_ntfy_priority_parse(s, p) == 0)
			for (int i = 0; i < 4; i++)
				if (p[i] < 1 || p[i] > 5)
					abort();
		break;
	default:
		mime_check(s);
		break;
	}
	free(s);
	return 0;
}
