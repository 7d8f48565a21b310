/* detect: the down detector of one member (design and math in detect.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "engine/detect.h"

void detect_params_default(struct detect_params *p)
{
	p->fall = 11;
	p->rise = 3;
	p->hard_timeout_ms = 5000;
}

void detect_init(struct detect *d, const struct detect_params *p, uint64_t now_us)
{
	memset(d, 0, sizeof(*d));
	if (p)
		d->p = *p;
	else
		detect_params_default(&d->p);
	if (d->p.fall == 0)
		d->p.fall = 1;
	if (d->p.rise == 0)
		d->p.rise = 1;
	d->state = DETECT_UNKNOWN;
	d->link = DETECT_LINK_UP;
	d->last_alive_us = now_us;
	d->changed_us = now_us;
	snprintf(d->reason, sizeof(d->reason), "no data yet");
}

const char *detect_link_name(enum detect_link link)
{
	switch (link) {
	case DETECT_LINK_UP: return "link up";
	case DETECT_LINK_NO_CARRIER: return "no carrier";
	case DETECT_LINK_ADMIN_DOWN: return "admin down";
	case DETECT_LINK_MISSING: return "device missing";
	case DETECT_LINK_IFDOWN: return "interface down (netifd)";
	}
	return "?";
}

bool detect_is_down(const struct detect *d)
{
	return d->state == DETECT_DOWN;
}

static bool set_state(struct detect *d, enum detect_state st, uint64_t now_us)
{
	if (d->state == st)
		return false;
	if (st == DETECT_DOWN)
		d->downs++;
	d->state = st;
	d->changed_us = now_us;
	return true;
}

bool detect_link_event(struct detect *d, enum detect_link link, uint64_t now_us)
{
	d->link = link;
	d->consec_ok = 0;
	if (link == DETECT_LINK_UP) {
		/* Carrier back is not a path back: wait for `rise` replies. */
		if (d->state == DETECT_DOWN)
			snprintf(d->reason, sizeof(d->reason),
				 "link up, waiting for %u replies", d->p.rise);
		return false;
	}
	snprintf(d->reason, sizeof(d->reason), "%s", detect_link_name(link));
	return set_state(d, DETECT_DOWN, now_us);
}

static bool on_reply(struct detect *d, uint64_t sent_us, uint64_t now_us)
{
	d->last_alive_us = now_us;
	if (sent_us > d->last_reply_sent_us)
		d->last_reply_sent_us = sent_us;
	d->consec_lost = 0;
	if (d->consec_ok++ == 0)
		d->run_ok_sent_us = sent_us;
	if (d->link != DETECT_LINK_UP)
		return false;
	if (d->state == DETECT_UNKNOWN) {
		/* Nothing to recover from: the score judges the quality. */
		snprintf(d->reason, sizeof(d->reason), "replying");
		return set_state(d, DETECT_UP, now_us);
	}
	if (d->state == DETECT_DOWN && d->consec_ok >= d->p.rise) {
		snprintf(d->reason, sizeof(d->reason), "%u replies in a row", d->consec_ok);
		d->up_since_sent_us = d->run_ok_sent_us;
		return set_state(d, DETECT_UP, now_us);
	}
	return false;
}

static bool on_loss(struct detect *d, bool send_err, uint64_t sent_us, uint64_t now_us)
{
	if (sent_us < d->last_reply_sent_us)
		return false;           /* stale: a later probe was answered */
	d->consec_ok = 0;
	if (d->consec_lost++ == 0)
		d->first_lost_us = sent_us;
	if (d->consec_lost < d->p.fall || d->state == DETECT_DOWN)
		return false;
	snprintf(d->reason, sizeof(d->reason), "%u probes %s in %.2f s", d->consec_lost,
		 send_err ? "failed or lost" : "lost",
		 (now_us - d->first_lost_us) / 1e6);
	return set_state(d, DETECT_DOWN, now_us);
}

bool detect_outcome(struct detect *d, enum detect_outcome o, uint64_t sent_us,
		    uint64_t now_us)
{
	switch (o) {
	case DETECT_REPLY:
		return on_reply(d, sent_us, now_us);
	case DETECT_LATE:
		/* Alive but slow: end any confirmation, do not count as rise. */
		d->last_alive_us = now_us;
		if (sent_us > d->last_reply_sent_us)
			d->last_reply_sent_us = sent_us;
		d->consec_lost = 0;
		return false;
	case DETECT_LOST:
		return on_loss(d, false, sent_us, now_us);
	case DETECT_SEND_ERR:
		return on_loss(d, true, sent_us, now_us);
	}
	return false;
}

bool detect_tick(struct detect *d, uint32_t interval_ms, uint64_t now_us)
{
	uint64_t hard_us = (uint64_t)d->p.hard_timeout_ms * 1000;
	uint64_t by_rate = 3ULL * interval_ms * 1000;

	if (by_rate > hard_us)
		hard_us = by_rate;
	if (d->state == DETECT_DOWN || now_us < d->last_alive_us + hard_us)
		return false;
	snprintf(d->reason, sizeof(d->reason), "no reply for %.1f s",
		 (now_us - d->last_alive_us) / 1e6);
	d->consec_ok = 0;
	return set_state(d, DETECT_DOWN, now_us);
}

uint32_t detect_loss_timeout_ms(const struct window *w, uint64_t now_us)
{
	const uint64_t span = 60ULL * 1000000;
	struct window_stats st;
	double t;

	window_stats(w, now_us, span, &st);
	if (!isnan(st.p95_ms))
		t = 4.0 * st.p95_ms;
	else if (w->ewma_ms >= 0)
		t = 4.0 * w->ewma_ms;
	else
		t = DETECT_TIMEOUT_MAX_MS;
	if (w->last_late_us && w->last_late_us <= now_us && now_us - w->last_late_us < span &&
	    1.5 * w->last_late_rtt_us / 1000.0 > t)
		t = 1.5 * w->last_late_rtt_us / 1000.0;
	if (t < DETECT_TIMEOUT_MIN_MS)
		t = DETECT_TIMEOUT_MIN_MS;
	if (t > DETECT_TIMEOUT_MAX_MS)
		t = DETECT_TIMEOUT_MAX_MS;
	return (uint32_t)lround(t);
}

/* p95 of the last 60 s (else the EWMA), in ms; NAN while nothing is known.
 * *late: a late reply was seen in that span (the RTT jumped). */
static double recent_rtt_ms(const struct window *w, uint64_t now_us, bool *late)
{
	const uint64_t span = 60ULL * 1000000;
	struct window_stats st;

	window_stats(w, now_us, span, &st);
	*late = w->last_late_us && w->last_late_us <= now_us && now_us - w->last_late_us < span;
	if (!isnan(st.p95_ms))
		return st.p95_ms;
	return w->ewma_ms >= 0 ? w->ewma_ms : NAN;
}

uint32_t detect_confirm_timeout_ms(const struct window *w, uint64_t now_us)
{
	uint32_t regular = detect_loss_timeout_ms(w, now_us);
	bool late;
	double rtt = recent_rtt_ms(w, now_us, &late);

	if (isnan(rtt) || late)
		return regular;
	double t = 2.0 * rtt;
	if (t < DETECT_TIMEOUT_MIN_MS)
		t = DETECT_TIMEOUT_MIN_MS;
	return t < regular ? (uint32_t)lround(t) : regular;
}

uint32_t detect_suspect_ms(const struct window *w, uint64_t now_us)
{
	uint32_t regular = detect_loss_timeout_ms(w, now_us);
	bool late;
	double rtt = recent_rtt_ms(w, now_us, &late);

	if (isnan(rtt) || late)
		return 0;
	double t = 2.0 * rtt;
	if (t < DETECT_TIMEOUT_MIN_MS)
		t = DETECT_TIMEOUT_MIN_MS;
	return t < regular ? (uint32_t)lround(t) : regular;
}
