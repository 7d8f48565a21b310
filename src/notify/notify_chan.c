/* notify_chan: the channel table and what channels share (notify_chan.h). */
#include "notify/notify_chan.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/config.h"

extern const struct notify_chan_ops notify_email_ops, notify_slack_ops, notify_pagerduty_ops,
	notify_webhook_ops, notify_ntfy_ops, notify_pushover_ops, notify_hook_ops;

const struct notify_chan_ops *const notify_chans[NCH_N] = {
	[NCH_EMAIL] = &notify_email_ops, [NCH_SLACK] = &notify_slack_ops,
	[NCH_PAGERDUTY] = &notify_pagerduty_ops, [NCH_WEBHOOK] = &notify_webhook_ops,
	[NCH_NTFY] = &notify_ntfy_ops, [NCH_PUSHOVER] = &notify_pushover_ops,
	[NCH_HOOK] = &notify_hook_ops,
};

const char *notify_chan_name(int ch)
{
	return ch >= 0 && ch < NCH_N ? notify_chans[ch]->name : "?";
}

int notify_chan_find(const char *name)
{
	for (int i = 0; name && i < NCH_N; i++)
		if (strcmp(notify_chans[i]->name, name) == 0)
			return i;
	return -1;
}

void notify_req_free(struct notify_req *r)
{
	for (unsigned i = 0; i < r->n_headers; i++)
		free(r->headers[i]);
	for (unsigned i = 0; i < r->n_rcpt; i++)
		free(r->rcpt[i]);
	free(r->body);
	memset(r, 0, sizeof(*r));
}

int notify_req_header(struct notify_req *r, const char *fmt, ...)
{
	va_list ap;
	char *h = NULL;
	if (r->n_headers >= NRQ_HEADERS)
		return -1;
	va_start(ap, fmt);
	int n = vasprintf(&h, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	r->headers[r->n_headers++] = h;
	return 0;
}

void notify_req_secret(struct notify_req *r, const char *s)
{
	if (s && strlen(s) >= 4 && r->n_secrets < NRQ_SECRETS)
		snprintf(r->secrets[r->n_secrets++], sizeof(r->secrets[0]), "%s", s);
}

void notify_scrub(const struct notify_req *rq, char *text)
{
	for (unsigned i = 0; i < rq->n_secrets; i++) {
		const char *sec = rq->secrets[i];
		size_t n = strlen(sec);
		char *p;
		/* Never longer than the secret: the text only shrinks. */
		size_t k = n >= 6 ? 6 : 3;
		while (n && (p = strstr(text, sec)) != NULL) {
			memset(p, '*', k);
			memmove(p + k, p + n, strlen(p + n) + 1);
		}
	}
}

/* ---- judging ---- */

void notify_judge_http(const struct notify_reply *r, struct notify_verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->retry_after_ms = -1;
	if (r->err != NRE_OK) {
		v->what = NV_RETRY;
		v->path = r->err == NRE_RESOLVE || r->err == NRE_CONNECT || r->err == NRE_TLS ||
			  r->err == NRE_TIMEOUT || r->err == NRE_IO;
		snprintf(v->why, sizeof(v->why), "%s", r->error);
		return;
	}
	long s = r->status;
	if (s >= 200 && s < 300) {
		v->what = NV_OK;
		return;
	}
	v->what = s == 429 || s == 408 || s == 425 || s >= 500 ? NV_RETRY : NV_FAIL;
	if (v->what == NV_RETRY)
		v->retry_after_ms = notify_retry_after_ms(r->retry_after, r->now_wall_ms,
							  3600 * 1000LL);
	/* The endpoint's words help (Slack says "invalid_token"); the first line. */
	char first[120] = "";
	if (r->body && r->body_len)
		snprintf(first, sizeof(first), "%.*s", (int)strcspn(r->body, "\r\n"), r->body);
	snprintf(v->why, sizeof(v->why), "HTTP %ld%s%s", s, first[0] ? ": " : "", first);
}

static int month_of(const char *m)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	for (int i = 0; i < 12; i++)
		if (strncmp(months + 3 * i, m, 3) == 0)
			return i;
	return -1;
}

static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* "Sun, 06 Nov 1994 08:49:37 GMT" → Unix seconds; -1 if it is not that. */
static int64_t imf_fixdate(const char *s)
{
	static const char days[] = "MonTueWedThuFriSatSun";
	if (strlen(s) != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' ||
	    s[16] != ' ' || s[19] != ':' || s[22] != ':' || s[25] != ' ' || strcmp(s + 26, "GMT"))
		return -1;
	bool day_ok = false;
	for (int i = 0; i < 7; i++)
		day_ok |= strncmp(days + 3 * i, s, 3) == 0;
	struct tm tm = { 0 };
	tm.tm_mday = digits(s + 5, 2);
	tm.tm_mon = month_of(s + 8);
	tm.tm_year = digits(s + 12, 4) - 1900;
	tm.tm_hour = digits(s + 17, 2);
	tm.tm_min = digits(s + 20, 2);
	tm.tm_sec = digits(s + 23, 2);
	if (!day_ok || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_mon < 0 || tm.tm_year < 70 ||
	    tm.tm_hour < 0 || tm.tm_hour > 23 || tm.tm_min < 0 || tm.tm_min > 59 ||
	    tm.tm_sec < 0 || tm.tm_sec > 60)
		return -1;
	return (int64_t)timegm(&tm);
}

int64_t notify_retry_after_ms(const char *value, int64_t now_wall_ms, int64_t cap_ms)
{
	if (!value)
		return -1;
	while (*value == ' ' || *value == '\t')
		value++;
	size_t n = strlen(value);
	while (n && (value[n - 1] == ' ' || value[n - 1] == '\t'))
		n--;
	if (!n || n > 40)
		return -1;
	char v[48];
	memcpy(v, value, n);
	v[n] = '\0';
	int64_t ms;
	if (strspn(v, "0123456789") == n) {
		if (n > 9)
			return cap_ms;
		ms = (int64_t)atol(v) * 1000;
	} else {
		int64_t t = imf_fixdate(v);
		if (t < 0)
			return -1;
		ms = t * 1000 - now_wall_ms;
		if (ms < 0)
			ms = 0;
	}
	return ms > cap_ms ? cap_ms : ms;
}

/* ---- what the channels share ---- */

const char *notify_severity_word(enum ev_severity s)
{
	static const char *const w[EV_SEV_N] = { "INFO", "WARNING", "CRITICAL", "EMERGENCY" };
	return s < EV_SEV_N ? w[s] : "?";
}

void notify_subject(const struct notify_chan_ctx *c, const struct notify_msg *m, char *out,
		    size_t size)
{
	snprintf(out, size, "[%s] %s", c->hostname, m->title);
}

json_object *notify_msg_public_json(const struct notify_chan_ctx *c, const struct notify_msg *m)
{
	json_object *o = json_object_new_object(), *a = notify_msg_json(m);
	char when[32];
	time_t t = (time_t)(m->wall_ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_object_add(o, "source", json_object_new_string("autonomy"));
	json_object_object_add(o, "host", json_object_new_string(c->hostname));
	json_object_object_add(o, "time", json_object_new_string(when));
	json_object_object_add(o, "alert", a);
	return o;
}
