/* linkmon: the kernel's view of network devices, from rtnetlink (libmnl).
 * Keeps a table of links (existence, admin/oper state, carrier, addresses),
 * updated from RTNLGRP_LINK / IPV4_IFADDR / IPV6_IFADDR events on the event
 * loop; a full dump resync after ENOBUFS (lost events). Each change is
 * reported to a callback as a sample-like event with a monotonic timestamp. */
#ifndef AUTONOMY_LINK_LINKMON_H
#define AUTONOMY_LINK_LINKMON_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event_base;

#define LINKMON_MAX_ADDRS 8

struct link_addr {
	int family;             /* AF_INET / AF_INET6 */
	uint8_t prefixlen;
	uint8_t scope;          /* RT_SCOPE_* */
	uint32_t flags;         /* IFA_F_* (IFA_FLAGS when present, else ifa_flags) */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} addr;
};

struct link_info {
	char name[IF_NAMESIZE];
	int ifindex;
	bool admin_up;          /* IFF_UP */
	bool carrier;           /* IFF_LOWER_UP */
	bool oper_up;           /* IF_OPER_UP or IF_OPER_UNKNOWN with carrier */
	uint8_t operstate;      /* IF_OPER_* from IFLA_OPERSTATE */
	unsigned int flags;     /* raw ifi_flags */
	unsigned int mtu;
	uint8_t n_addrs;
	bool addrs_truncated;   /* the device has more addresses than fit: the
				 * most useful ones are kept (global before
				 * link scope, usable before tentative) */
	struct link_addr addrs[LINKMON_MAX_ADDRS];
	uint64_t changed_us;    /* monotonic time of the last state change */
};

enum linkmon_event {
	LINKMON_NEW,            /* device appeared (or renamed to this name) */
	LINKMON_DEL,            /* device removed (or renamed away) */
	LINKMON_CHANGE,         /* flags/carrier/operstate/mtu changed */
	LINKMON_ADDR,           /* address added, removed, or its scope or
				 * tentative/deprecated/dadfailed flags changed */
};

/* old is NULL for LINKMON_NEW; cur is the state after the event (for
 * LINKMON_DEL: old and cur both point at the last known state). Pointers are
 * valid during the call. NEW carries the full known state: after a live
 * RTM_NEWLINK that has no addresses yet (ADDR events follow); after a resync
 * it includes the addresses. The table seen through linkmon_find during a
 * callback already reflects the event. A callback must not free the linkmon.
 * The initial table loaded by linkmon_new produces no events: iterate it
 * with linkmon_at once linkmon_new returns. */
typedef void (*linkmon_cb)(void *arg, enum linkmon_event ev,
			   const struct link_info *old, const struct link_info *cur);

struct linkmon_stats {
	uint64_t events;        /* netlink messages handled */
	uint64_t resyncs;       /* full dumps after ENOBUFS (or another loss) */
	uint64_t errors;
	uint64_t enobufs;       /* ENOBUFS seen on the event socket */
	uint64_t addrs_dropped; /* addresses that did not fit LINKMON_MAX_ADDRS */
};

struct linkmon;

/* Opens the netlink socket, subscribes, dumps links and addresses
 * synchronously once (a bounded, local kernel call at start-up) and then
 * follows events on base. Returns NULL on failure (errno set). */
struct linkmon *linkmon_new(struct event_base *base, linkmon_cb cb, void *arg);
void linkmon_free(struct linkmon *lm);

const struct link_info *linkmon_find(const struct linkmon *lm, const char *name);
const struct link_info *linkmon_find_index(const struct linkmon *lm, int ifindex);
/* Iterate: returns the i-th link or NULL past the end. */
const struct link_info *linkmon_at(const struct linkmon *lm, size_t i);
void linkmon_get_stats(const struct linkmon *lm, struct linkmon_stats *out);

/* Parses one netlink message buffer (a sequence of nlmsghdr) into the table.
 * Exposed for unit tests and fuzzing; the socket path calls the same code.
 * Returns 0 when every message parsed; -1 (errno EBADMSG) when some were
 * malformed or truncated: those were skipped and counted in errors. */
int linkmon_feed(struct linkmon *lm, const void *buf, size_t len);
/* A linkmon with no socket, for tests/fuzzing of linkmon_feed. */
struct linkmon *linkmon_new_detached(linkmon_cb cb, void *arg);

/* Requests a full resync (dump + diff as events) on the loop; the same thing
 * ENOBUFS triggers. No-op for a detached linkmon. */
void linkmon_resync(struct linkmon *lm);
/* Sets the event socket's receive buffer (SO_RCVBUFFORCE, else SO_RCVBUF;
 * the default is large so ENOBUFS stays rare). Tests use a tiny one to
 * provoke ENOBUFS. Returns 0 or -1 (errno). */
int linkmon_set_rcvbuf(struct linkmon *lm, int bytes);
/* "NEW", "DEL", "CHANGE", "ADDR". */
const char *linkmon_event_name(enum linkmon_event ev);

/* A resync fed by hand, for tests and fuzzing of the diff: begin, feed dump
 * messages (RTM_NEWLINK, then RTM_NEWADDR) into a shadow table, end: the
 * differences from the live table are emitted as events and applied. The
 * socket resync path runs the same code. */
void linkmon_dump_begin(struct linkmon *lm);
int linkmon_dump_feed(struct linkmon *lm, const void *buf, size_t len);
void linkmon_dump_end(struct linkmon *lm);

#endif
