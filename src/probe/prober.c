/* prober: one member's probes. Owns the slot table (pending probes and late
 * records), one loss timer for all of them, and the statistics; the
 * per-kind files send and recognise answers.
 *
 * Slots are indexed by a per-prober 16-bit sequence number (the ICMP
 * sequence), so an ICMP reply finds its slot in O(1); other kinds use the
 * same index and keep their own key (the DNS id). A slot still pending when
 * its index comes round again means PROBER_SLOTS probes are in flight: the
 * new probe fails with ENOBUFS rather than growing the table.
 *
 * One timer: all probes of a prober share the loss timeout, so the earliest
 * deadline is the oldest pending probe's. The timer fires then, ends every
 * expired probe, and is re-armed for the next; late records are not timed,
 * they are dropped when found expired (by a scan, a reply or reuse). */
#include "probe/probe_internal.h"

#include "core/clock.h"
#include "core/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#define LOSS_SLACK_US   1000    /* deadlines this close count as passed */

static const struct probe_kind_ops *const kind_ops[] = {
	[PROBE_ICMP] = &probe_icmp_ops,
	[PROBE_TCP] = &probe_tcp_ops,
	[PROBE_DNS] = &probe_dns_ops,
	[PROBE_HTTP] = &probe_http_ops,
	[PROBE_HTTPS] = &probe_http_ops,
};

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t probe_rand64(struct prober *p) { return splitmix64(&p->rng); }

/* From the kernel's pool; the fallback only has to differ between probers
 * and restarts (the nonce is not a secret, the DNS id barely one). */
static uint64_t seed64(void)
{
	uint64_t v;
	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) == (ssize_t)sizeof(v))
		return v;
	v = clock_mono_us() ^ (uint64_t)getpid() << 40 ^ (uint64_t)(uintptr_t)&v;
	return splitmix64(&v);
}

void probe_stamp(struct probe_slot *s)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	s->sent_rt_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	s->sent_us = clock_mono_us();
}

static void report(struct prober *p, size_t target, enum probe_outcome o, uint64_t sent_us,
		   uint32_t rtt_us, int err, int status)
{
	struct probe_result r = {
		.target = target, .outcome = o, .sent_us = sent_us,
		.rtt_us = rtt_us, .err = err, .status = status,
	};
	p->cb(p->arg, &r);
}

static void timer_arm(struct prober *p, uint64_t deadline_us)
{
	if (p->timer_at && p->timer_at <= deadline_us)
		return;
	uint64_t now = clock_mono_us();
	uint64_t d = deadline_us > now ? deadline_us - now : 0;
	struct timeval tv = { .tv_sec = (time_t)(d / 1000000u), .tv_usec = (suseconds_t)(d % 1000000u) };
	p->timer_at = deadline_us;
	evtimer_add(p->timer, &tv);
}

/* After an answer: re-aim the loss timer at the earliest deadline still
 * pending, or stop it. Leaving it armed would wake the loop once per probe
 * for nothing — on a small router wake-ups are most of a probe's cost. */
static void timer_retarget(struct prober *p)
{
	uint64_t next = 0;
	if (!p->timer_at)
		return;
	for (size_t i = 0; i < PROBER_SLOTS; i++) {
		const struct probe_slot *s = &p->slots[i];
		if (s->state == SLOT_PENDING && (!next || s->deadline_us < next))
			next = s->deadline_us;
	}
	if (next == p->timer_at)
		return;
	evtimer_del(p->timer);
	p->timer_at = 0;
	if (next)
		timer_arm(p, next);
}

void probe_finish(struct prober *p, struct probe_slot *s, enum probe_outcome o,
		  uint32_t rtt_us, int err, int status)
{
	size_t target = s->target;
	uint64_t sent = s->sent_us;
	if (s->conn)
		probe_conn_close(p, s);
	s->state = SLOT_FREE;
	switch (o) {
	case PROBE_REPLY:
		p->st.replies++;
		break;
	case PROBE_LOST:
		p->st.lost++;
		if (kind_ops[p->targets[target].kind]->late_ok) {
			/* from its own loss deadline: timeouts vary per probe */
			s->state = SLOT_LATE;
			s->deadline_us += (uint64_t)p->late_ms * 1000u;
		}
		break;
	case PROBE_LATE:
		p->st.late++;
		break;
	case PROBE_SEND_ERR:
		p->st.send_errors++;
		break;
	}
	report(p, target, o, sent, rtt_us, err, status);
}

void probe_answer(struct prober *p, struct probe_slot *s, uint32_t rtt_us, int status,
		  uint64_t now_us)
{
	if (s->state == SLOT_PENDING) {
		probe_finish(p, s, PROBE_REPLY, rtt_us, 0, status);
		timer_retarget(p);
	} else if (s->state == SLOT_LATE && now_us < s->deadline_us) {
		probe_finish(p, s, PROBE_LATE, rtt_us, 0, status);
	} else {
		s->state = SLOT_FREE;
		p->st.ignored++;
	}
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct prober *p = arg;
	uint64_t now = clock_mono_us(), next = 0;
	p->timer_at = 0;
	for (size_t i = 0; i < PROBER_SLOTS; i++) {
		struct probe_slot *s = &p->slots[i];
		if (s->state == SLOT_PENDING && s->deadline_us <= now + LOSS_SLACK_US)
			probe_finish(p, s, PROBE_LOST, 0, 0, 0);
		else if (s->state == SLOT_LATE && s->deadline_us <= now)
			s->state = SLOT_FREE;
		/* the callback may have sent into this very slot */
		if (s->state == SLOT_PENDING && (!next || s->deadline_us < next))
			next = s->deadline_us;
	}
	if (next)
		timer_arm(p, next);
}

#define TIMEOUT_MAX_MS  60000

/* By default a reply is still welcome for 4 loss timeouts, 1..15 s. */
static uint32_t late_window_ms(uint32_t timeout_ms)
{
	uint64_t ms = (uint64_t)timeout_ms * 4;
	return ms < 1000 ? 1000 : ms > 15000 ? 15000 : (uint32_t)ms;
}

void prober_set_timeout(struct prober *p, uint32_t timeout_ms)
{
	p->timeout_ms = timeout_ms < 1 ? 1 : timeout_ms > TIMEOUT_MAX_MS ? TIMEOUT_MAX_MS : timeout_ms;
	if (p->late_auto)
		p->late_ms = late_window_ms(p->timeout_ms);
}

static void dgram_init(struct prober *p, struct probe_dgram *d, int family)
{
	d->p = p;
	d->fd = -1;
	d->family = family;
}

static bool config_ok(const struct prober_config *cfg)
{
	if (!cfg->follow_routes &&
	    (!cfg->ifname || !cfg->ifname[0] || strlen(cfg->ifname) >= IF_NAMESIZE)) {
		log_err("probe: bad device name '%s'", cfg->ifname ? cfg->ifname : "");
		return false;
	}
	if (cfg->timeout_ms == 0 || cfg->timeout_ms > TIMEOUT_MAX_MS ||
	    (cfg->n_targets && !cfg->targets)) {
		log_err("probe %s: bad timeout or targets", cfg->ifname ? cfg->ifname : "");
		return false;
	}
	return true;
}

static bool has_https(const struct prober_config *cfg)
{
	for (size_t i = 0; i < cfg->n_targets; i++)
		if (cfg->targets[i].kind == PROBE_HTTPS)
			return true;
	return false;
}

struct prober *prober_new(struct event_base *base, const struct prober_config *cfg,
			  probe_cb cb, void *arg)
{
	if (!config_ok(cfg) || !cb)
		return NULL;
	struct prober *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->base = base;
	snprintf(p->ifname, sizeof(p->ifname), "%s", cfg->ifname ? cfg->ifname : "");
	p->follow_routes = cfg->follow_routes;
	p->fwmark = cfg->fwmark;
	p->late_auto = cfg->late_ms == 0;
	p->late_ms = cfg->late_ms;
	prober_set_timeout(p, cfg->timeout_ms);
	p->tls_verify = cfg->tls_verify;
	p->cb = cb;
	p->arg = arg;
	p->n_targets = cfg->n_targets;
	p->targets = calloc(cfg->n_targets ? cfg->n_targets : 1, sizeof(*p->targets));
	p->timer = evtimer_new(base, on_timer, p);
	if (!p->targets || !p->timer)
		goto fail;
	if (cfg->n_targets)
		memcpy(p->targets, cfg->targets, cfg->n_targets * sizeof(*p->targets));
	if (has_https(cfg)) {
		p->tls_sessions = calloc(cfg->n_targets, sizeof(*p->tls_sessions));
		if (!p->tls_sessions || probe_tls_ref() < 0)
			goto fail;
		p->tls_ref = true;
	}
	dgram_init(p, &p->icmp[0], AF_INET);
	dgram_init(p, &p->icmp[1], AF_INET6);
	dgram_init(p, &p->dns[0], AF_INET);
	dgram_init(p, &p->dns[1], AF_INET6);
	p->nonce = seed64();
	p->rng = seed64();
	p->next_seq = (uint16_t)probe_rand64(p);
	return p;
fail:
	prober_free(p);
	return NULL;
}

static void close_dgrams(struct prober *p, int fam_idx)
{
	probe_dgram_close(p, &p->icmp[fam_idx]);
	probe_dgram_close(p, &p->dns[fam_idx]);
}

void prober_free(struct prober *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < PROBER_SLOTS; i++)
		if (p->slots[i].conn)
			probe_conn_close(p, &p->slots[i]);
	close_dgrams(p, 0);
	close_dgrams(p, 1);
	if (p->timer)
		event_free(p->timer);
	if (p->tls_sessions)
		probe_tls_sessions_free(p);
	free(p->tls_sessions);
	if (p->tls_ref)
		probe_tls_unref();
	free(p->targets);
	free(p);
}

static void send_error(struct prober *p, size_t i, int err)
{
	p->st.send_errors++;
	report(p, i, PROBE_SEND_ERR, clock_mono_us(), 0, err, 0);
}

void prober_send(struct prober *p, size_t i)
{
	if (i >= p->n_targets) {
		log_err("probe %s: no target %zu", p->ifname, i);
		return;
	}
	const struct probe_target *t = &p->targets[i];
	uint16_t seq = p->next_seq++;
	struct probe_slot *s = probe_slot_of(p, seq);
	if (s->state == SLOT_PENDING) {
		send_error(p, i, ENOBUFS);
		return;
	}
	/* a late record here is simply overwritten: the table is bounded */
	memset(s, 0, sizeof(*s));
	s->target = (uint32_t)i;
	s->key = seq;
	s->state = SLOT_PENDING;
	probe_stamp(s);
	int err = kind_ops[t->kind]->send(p, s, t);
	if (err) {
		if (s->conn)
			probe_conn_close(p, s);
		s->state = SLOT_FREE;
		send_error(p, i, err);
		return;
	}
	p->st.sent++;
	s->deadline_us = s->sent_us + (uint64_t)p->timeout_ms * 1000u;
	timer_arm(p, s->deadline_us);
}

void prober_set_source(struct prober *p, int family, const void *addr)
{
	if (family == AF_INET) {
		if (addr ? p->have_src4 && memcmp(&p->src4, addr, sizeof(p->src4)) == 0 : !p->have_src4)
			return;
		p->have_src4 = addr != NULL;
		if (addr)
			memcpy(&p->src4, addr, sizeof(p->src4));
	} else if (family == AF_INET6) {
		if (addr ? p->have_src6 && memcmp(&p->src6, addr, sizeof(p->src6)) == 0 : !p->have_src6)
			return;
		p->have_src6 = addr != NULL;
		if (addr)
			memcpy(&p->src6, addr, sizeof(p->src6));
	} else {
		return;
	}
	/* a socket's bound address cannot change: reopen on the next send */
	close_dgrams(p, probe_fam_idx(family));
}

void prober_invalidate(struct prober *p)
{
	close_dgrams(p, 0);
	close_dgrams(p, 1);
}

void prober_set_priority(struct prober *p, uint32_t priority)
{
	if (!p || p->priority == priority)
		return;
	struct probe_dgram *open[] = { &p->icmp[0], &p->icmp[1], &p->dns[0], &p->dns[1] };
	p->priority = priority;
	for (size_t i = 0; i < sizeof(open) / sizeof(open[0]); i++)
		if (open[i]->fd >= 0)
			(void)setsockopt(open[i]->fd, SOL_SOCKET, SO_PRIORITY, &priority,
					 sizeof(priority));
}

void prober_get_stats(const struct prober *p, struct prober_stats *out)
{
	*out = p->st;
}

bool probe_sockaddr_equal(const struct sockaddr *a, const struct sockaddr *b)
{
	if (a->sa_family != b->sa_family)
		return false;
	if (a->sa_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
		return x->sin_addr.s_addr == y->sin_addr.s_addr && x->sin_port == y->sin_port;
	}
	if (a->sa_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
		return memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) == 0 &&
		       x->sin6_port == y->sin6_port;
	}
	return false;
}
