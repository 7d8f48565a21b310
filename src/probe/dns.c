/* dns: a UDP query to the target resolver over the member's shared UDP
 * socket of the family (bound to device and source; the kernel picks one
 * ephemeral port per socket). On the wire: the query "." NS is 17 bytes of
 * DNS, 45 with UDP and IPv4 headers; "example.com" A, 29 (57). Each query
 * has a random 16-bit id; the answer must come from the resolver's address
 * and port, with our id and our question. ICMP port unreachable from the
 * resolver's host ends the probe at once. */
#include "probe/probe_internal.h"

#include <errno.h>
#include <string.h>

#include <linux/errqueue.h>
#include <sys/socket.h>

#define UDP_HDR 8

static int dns_query(const struct probe_target *t, uint16_t id, uint8_t *q, size_t cap)
{
	return probe_dns_build_query(q, cap, id, t->qname, probe_dns_qtype(t->qname));
}

/* The slot waiting for id from the resolver at addr (pending or late). */
static struct probe_slot *dns_find(struct prober *p, uint16_t id, const struct sockaddr *from)
{
	for (size_t i = 0; i < PROBER_SLOTS; i++) {
		struct probe_slot *s = &p->slots[i];
		if (s->state == SLOT_FREE || s->key != id)
			continue;
		const struct probe_target *t = probe_slot_target(p, s);
		if (t->kind == PROBE_DNS &&
		    probe_sockaddr_equal(from, (const struct sockaddr *)&t->addr))
			return s;
	}
	return NULL;
}

static void dns_data(struct probe_dgram *d, const uint8_t *buf, size_t len,
		     const struct msghdr *msg, uint64_t now_us)
{
	struct prober *p = d->p;
	struct probe_dns_reply r;
	struct probe_slot *s = NULL;
	uint8_t q[PROBE_DNS_QMAX];
	if (probe_dns_parse_response(buf, len, &r) == 0)
		s = dns_find(p, r.id, (const struct sockaddr *)msg->msg_name);
	if (s) {
		int qlen = dns_query(probe_slot_target(p, s), r.id, q, sizeof(q));
		if (qlen < 0 || !probe_dns_matches(&r, buf, q, (size_t)qlen))
			s = NULL;
	}
	if (!s) {
		p->st.ignored++;
		return;
	}
	probe_answer(p, s, probe_dgram_rtt(s, msg, now_us), r.rcode, now_us);
}

static void dns_error(struct probe_dgram *d, const struct sock_extended_err *ee,
		      const uint8_t *payload, size_t len, const struct sockaddr *dst)
{
	struct prober *p = d->p;
	if (len < 2 || !probe_dgram_error_is_loss(ee))
		return;
	struct probe_slot *s = dns_find(p, (uint16_t)(payload[0] << 8 | payload[1]), dst);
	if (!s || s->state != SLOT_PENDING)
		return;
	p->st.icmp_errors++;
	probe_finish(p, s, PROBE_LOST, 0, (int)ee->ee_errno, 0);
}

/* A fresh id, unused by the other queries to the same resolver still
 * pending or remembered. */
static uint16_t dns_new_id(struct prober *p, const struct probe_target *t)
{
	uint16_t id = 0;
	for (int tries = 0; tries < 8; tries++) {
		id = (uint16_t)probe_rand64(p);
		if (!dns_find(p, id, (const struct sockaddr *)&t->addr))
			break;
	}
	return id;
}

static int dns_send(struct prober *p, struct probe_slot *s, const struct probe_target *t)
{
	struct probe_dgram *d = &p->dns[probe_fam_idx(t->family)];
	d->on_data = dns_data;
	d->on_error = dns_error;
	int err = probe_dgram_ensure(p, d, t->family, IPPROTO_UDP);
	if (err)
		return err;
	uint8_t q[PROBE_DNS_QMAX];
	s->key = dns_new_id(p, t);
	int n = dns_query(t, s->key, q, sizeof(q));
	if (n < 0)
		return EINVAL;
	probe_stamp(s);
	err = probe_dgram_send(d, q, (size_t)n, (const struct sockaddr *)&t->addr, t->addrlen);
	if (err)
		return err;
	p->st.bytes_sent += (uint64_t)n + UDP_HDR + probe_iphdr_len(t->family);
	return 0;
}

const struct probe_kind_ops probe_dns_ops = { .send = dns_send, .late_ok = true };
