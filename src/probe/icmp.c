/* icmp: echo probes over the member's shared ICMP socket of the family.
 *
 * On the wire: one 24-byte echo request (8-byte ICMP header + 16-byte
 * payload: nonce, send stamp), i.e. 44 bytes with the IPv4 header, 64 with
 * IPv6; the reply is the same size. A ping socket (SOCK_DGRAM) is preferred:
 * the kernel picks the identifier, hands us only replies to it, and fills
 * checksums. Without ping_group_range permission we use a raw socket and
 * check the identifier ourselves. Either way a reply must carry our nonce,
 * the sequence of a slot and that slot's send stamp, and come from the
 * target's address. */
#include "probe/probe_internal.h"

#include <string.h>

#include <linux/errqueue.h>
#include <sys/socket.h>

static void icmp_data(struct probe_dgram *d, const uint8_t *buf, size_t len,
		      const struct msghdr *msg, uint64_t now_us)
{
	struct prober *p = d->p;
	struct probe_echo e;
	if (probe_icmp_match(buf, len, d->family, d->raw && d->family == AF_INET,
			     d->raw ? d->id : -1, p->nonce, &e) < 0) {
		p->st.ignored++;
		return;
	}
	struct probe_slot *s = probe_slot_of(p, e.seq);
	const struct probe_target *t = probe_slot_target(p, s);
	if (s->state == SLOT_FREE || s->key != e.seq || s->sent_us != e.stamp ||
	    t->kind != PROBE_ICMP || t->family != d->family) {
		p->st.ignored++;
		return;
	}
	/* ping sockets report the peer without a port; compare addresses only */
	struct sockaddr_storage want = t->addr;
	if (msg->msg_namelen < sizeof(sa_family_t) ||
	    !probe_sockaddr_equal((const struct sockaddr *)msg->msg_name,
				  (const struct sockaddr *)&want)) {
		p->st.ignored++;
		return;
	}
	probe_answer(p, s, probe_dgram_rtt(s, msg, now_us), 0, now_us);
}

static void icmp_error(struct probe_dgram *d, const struct sock_extended_err *ee,
		       const uint8_t *payload, size_t len, const struct sockaddr *dst)
{
	struct prober *p = d->p;
	struct probe_echo e;
	int full = probe_icmp_parse_quote(payload, len, d->family, &e);
	if (full < 0 || (d->raw && e.id != d->id) || !probe_dgram_error_is_loss(ee))
		return;
	struct probe_slot *s = probe_slot_of(p, e.seq);
	const struct probe_target *t = probe_slot_target(p, s);
	if (s->state != SLOT_PENDING || s->key != e.seq || t->kind != PROBE_ICMP ||
	    t->family != d->family)
		return;
	if (full && (e.nonce != p->nonce || e.stamp != s->sent_us))
		return;
	if (!full && dst->sa_family == t->family &&
	    !probe_sockaddr_equal(dst, (const struct sockaddr *)&t->addr))
		return;
	p->st.icmp_errors++;
	probe_finish(p, s, PROBE_LOST, 0, (int)ee->ee_errno, 0);
}

static int icmp_send(struct prober *p, struct probe_slot *s, const struct probe_target *t)
{
	struct probe_dgram *d = &p->icmp[probe_fam_idx(t->family)];
	d->on_data = icmp_data;
	d->on_error = icmp_error;
	int err = probe_dgram_ensure(p, d, t->family,
				     t->family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);
	if (err)
		return err;
	uint8_t pkt[PROBE_ICMP_LEN];
	probe_stamp(s);
	struct probe_echo e = { .id = d->id, .seq = s->key, .nonce = p->nonce, .stamp = s->sent_us };
	size_t n = probe_icmp_build(pkt, t->family, &e);
	err = probe_dgram_send(d, pkt, n, (const struct sockaddr *)&t->addr, t->addrlen);
	if (err)
		return err;
	p->st.bytes_sent += n + probe_iphdr_len(t->family);
	return 0;
}

const struct probe_kind_ops probe_icmp_ops = { .send = icmp_send, .late_ok = true };
