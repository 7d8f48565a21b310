/* sw_icmp: "does the default route reach the internet?" — ICMP echo to a
 * few targets through whatever the routing table says, on the loop: one
 * echo to the first target, then one to every target halfway to the
 * deadline; any reply is enough.
 * An unprivileged ping socket when net.ipv4.ping_group_range allows it,
 * else a raw socket (starwatch runs as root) filtered to echo replies. */
#ifndef AUTONOMY_SW_ICMP_H
#define AUTONOMY_SW_ICMP_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "starwatch/sw_loop.h"

#define SW_PING_MAX_TARGETS 4

typedef void (*sw_ping_cb)(void *arg, bool reached, const char *why);

struct sw_ping {
	struct sw_loop *loop;
	int fd;
	bool raw, running, resent;
	uint16_t id, seq0;
	struct in_addr targets[SW_PING_MAX_TARGETS];
	size_t n_targets;
	uint64_t deadline_ms;
	struct sw_timer timer;
	sw_ping_cb cb;
	void *arg;
};

int sw_ping_init(struct sw_ping *p, struct sw_loop *l, sw_ping_cb cb, void *arg);
/* cb runs once: at the first reply, at the deadline, or at once on error. */
void sw_ping_start(struct sw_ping *p, const struct in_addr *targets, size_t n,
		   uint64_t timeout_ms);
void sw_ping_cancel(struct sw_ping *p);

/* Is buf (as received on a ping or raw socket) an echo reply to us?
 * Pure; fuzzed. For a raw socket buf starts with the IP header. */
bool sw_ping_is_reply(const void *buf, size_t len, bool raw, uint16_t id, uint16_t seq0,
		      size_t n_seq);

#endif
