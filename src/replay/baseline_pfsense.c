/* baseline_pfsense: dpinger's loss / latency alarm with pfSense's gateway
 * defaults (see baseline.h). */
#include <string.h>

#include "replay/baseline.h"

#define MS 1000ULL

void baseline_dpinger_params_default(struct baseline_dpinger_params *p)
{
	p->send_interval_ms = 500;
	p->loss_interval_ms = 2000;
	p->time_period_ms = 60000;
	p->alert_interval_ms = 1000;
	p->latency_high_ms = 500;
	p->loss_high_pct = 20;
}

void baseline_dpinger_init(struct baseline_dpinger *t, const struct baseline_dpinger_params *p,
			   uint64_t now_us)
{
	memset(t, 0, sizeof(*t));
	t->p = *p;
	if (t->p.send_interval_ms == 0)
		t->p.send_interval_ms = 1;
	if (t->p.alert_interval_ms == 0)
		t->p.alert_interval_ms = 1;
	t->send_us = now_us;
	t->check_us = now_us + (uint64_t)t->p.alert_interval_ms * MS;
}

uint64_t baseline_dpinger_due_us(const struct baseline_dpinger *t)
{
	return t->send_us < t->check_us ? t->send_us : t->check_us;
}

void baseline_dpinger_send(struct baseline_dpinger *t, bool lost, uint64_t rtt_us,
			   uint64_t now_us)
{
	struct baseline_dpinger_sample *s = &t->ring[t->head];

	s->sent_us = now_us;
	s->rtt_us = lost ? UINT64_MAX : rtt_us;
	t->head = (t->head + 1) % BASELINE_DPINGER_CAP;
	if (t->count < BASELINE_DPINGER_CAP)
		t->count++;
	t->sent++;
	t->send_us = now_us + (uint64_t)t->p.send_interval_ms * MS;
}

/* Over the probes sent within the time period: answered ones count with
 * their latency, ones older than the loss interval without an answer are
 * lost, younger ones are still pending and left out. */
bool baseline_dpinger_check(struct baseline_dpinger *t, uint64_t now_us)
{
	uint64_t period = (uint64_t)t->p.time_period_ms * MS;
	uint64_t loss_iv = (uint64_t)t->p.loss_interval_ms * MS;
	unsigned start = (t->head + BASELINE_DPINGER_CAP - t->count) % BASELINE_DPINGER_CAP;
	unsigned got = 0, lost = 0;
	double sum_ms = 0;

	for (unsigned i = 0; i < t->count; i++) {
		const struct baseline_dpinger_sample *s = &t->ring[(start + i) % BASELINE_DPINGER_CAP];
		if (s->sent_us > now_us || now_us - s->sent_us >= period)
			continue;
		uint64_t age = now_us - s->sent_us;
		if (s->rtt_us < loss_iv && s->rtt_us <= age) {
			got++;
			sum_ms += s->rtt_us / 1e3;
		} else if (age >= loss_iv) {
			lost++;
		}
	}
	t->loss_pct = got + lost ? 100.0 * lost / (got + lost) : 0;
	t->latency_ms = got ? sum_ms / got : 0;
	t->check_us = now_us + (uint64_t)t->p.alert_interval_ms * MS;
	bool alarm = t->loss_pct >= t->p.loss_high_pct || t->latency_ms >= t->p.latency_high_ms;
	bool changed = alarm != t->alarm;
	t->alarm = alarm;
	return changed;
}
