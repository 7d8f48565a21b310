/* sw_nl: the little rtnetlink starwatch needs, over a raw NETLINK_ROUTE
 * socket (no libmnl: starwatch links libc and json-c only). Requests are
 * synchronous, local and bounded (a receive timeout), like the daemon's
 * netlink dumps. The parsers take the bytes actually received and are
 * fuzzed: no attribute is read past them. */
#ifndef AUTONOMY_SW_NL_H
#define AUTONOMY_SW_NL_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SW_RTPROT 166           /* starwatch's routes; autonomyd's are 165 */
#define SW_RT_RAW_MAX 512       /* a default route's message, kept to restore it */

struct sw_link {
	int ifindex;
	unsigned flags;         /* IFF_UP, IFF_LOWER_UP, IFF_POINTOPOINT, ... */
	char name[16];
};

struct sw_addr4 {
	int ifindex;
	struct in_addr addr;
	uint8_t prefixlen;
	uint8_t scope;
};

struct sw_rt {
	uint32_t table;
	uint8_t protocol, type, scope, dst_len, tos;
	uint32_t metric;
	int oif;                /* 0: none (multipath or a blackhole) */
	bool has_gw;
	struct in_addr gw;
	size_t raw_len;         /* the message as received (nlmsghdr included), */
	unsigned char raw[SW_RT_RAW_MAX];   /* if it fits */
};

/* Parsers (pure). Each returns 1 for a parsed object, 0 for a message of
 * another kind or family, -1 for a malformed one. */
int sw_nl_parse_link(const void *msg, size_t len, struct sw_link *out);
int sw_nl_parse_addr4(const void *msg, size_t len, struct sw_addr4 *out);
int sw_nl_parse_route4(const void *msg, size_t len, struct sw_rt *out);
/* Walks a received datagram: calls cb for each message of sequence seq
 * fully inside len; returns 1 at NLMSG_DONE or an ACK, -errno at an
 * NLMSG_ERROR, 0 when more datagrams follow, -EBADMSG when a header
 * overruns len. */
int sw_nl_walk(const void *buf, size_t len, uint32_t seq,
	       void (*cb)(void *arg, const void *msg, size_t len), void *arg);

/* Requests (a socket per call: starwatch needs them rarely). */
int sw_nl_get_link(const char *name, struct sw_link *out);             /* 0, -errno */
int sw_nl_addrs4(struct sw_addr4 *out, size_t max, size_t *n);         /* every IPv4 address */
int sw_nl_routes4(struct sw_rt *out, size_t max, size_t *n);           /* every table */
/* Installs (replacing the slot's holder) or deletes a main-table IPv4
 * default route of protocol SW_RTPROT, metric 0. gw may be NULL (device
 * route). */
int sw_nl_default_replace(int oif, const struct in_addr *gw);
int sw_nl_default_delete(void);
/* Puts back a route as it was received (replacing the slot's holder). */
int sw_nl_route_restore(const struct sw_rt *r);
int sw_nl_link_set_up(int ifindex, bool up);

#endif
