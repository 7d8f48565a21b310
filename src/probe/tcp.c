/* tcp: a TCP handshake to ADDR:PORT through the member. On the wire: a SYN
 * (60 bytes with IPv4), a SYN-ACK or an RST back, and our RST after a
 * SYN-ACK (no data, no FIN). Connected or refused both mean the far host
 * answered through this uplink, so both are a reply, with the handshake's
 * RTT; an ICMP error ends the probe as lost at once, silence at the loss
 * timeout. */
#include "probe/probe_internal.h"

#include "core/clock.h"

#include <errno.h>

static void tcp_step(struct probe_conn *c)
{
	struct prober *p = c->p;
	struct probe_slot *s = c->slot;
	int err = probe_conn_result(c);
	if (err == EINPROGRESS) {
		probe_conn_wait(c, false);
		return;
	}
	uint64_t now = clock_mono_us();
	uint32_t rtt = (uint32_t)(now - s->sent_us);
	if (err == 0)
		c->connected = true;
	if (err == 0 || err == ECONNREFUSED) {
		probe_finish(p, s, PROBE_REPLY, rtt, 0, 0);
		return;
	}
	p->st.icmp_errors++;
	probe_finish(p, s, PROBE_LOST, 0, err, 0);
}

static int tcp_send(struct prober *p, struct probe_slot *s, const struct probe_target *t)
{
	return probe_conn_start(p, s, t, tcp_step);
}

const struct probe_kind_ops probe_tcp_ops = { .send = tcp_send, .late_ok = false };
