/* route: the route backend, the only code that changes the kernel's routing.
 *
 * It owns, per address family:
 *   - the default route through the active member (main table by default);
 *   - one routing table per member (e.g. 100+N) holding that member's own
 *     default route, whatever is active, so probes and the router's own
 *     traffic bound to a member keep leaving through it;
 *   - the policy rules that select those tables: "lookup main
 *     suppress_prefixlength 0" first (specific routes such as the LAN win),
 *     then "fwmark M lookup T", "from <member address> lookup T" and
 *     "oif <member device> lookup T".
 * Everything it installs carries a protocol marker (route and rule
 * protocol ROUTE_PROTO_DEFAULT, 0xa5): that is how it tells its own objects
 * from netifd's, DHCP's or the admin's, and how a restart adopts them.
 *
 * Changes are computed as a diff between the wanted state and a fresh dump
 * of the kernel, sent as one netlink batch (replace for routes, create-
 * exclusive for rules; "exists" and "not found" count as done), and read
 * back. The netlink backend also follows route/rule/link events and repairs
 * what the kernel or someone else removed (an admin-down uplink loses its
 * IPv4 routes without any event), and re-dumps everything after ENOBUFS.
 *
 * Backends: "netlink" changes the kernel; "none" observes: it reads the
 * kernel and reports what it would do, and never sends a change. ("mwan3"
 * will implement the same interface.)
 *
 * Wiring (see docs/route-backend.md):
 *   start:           route_new(), then route_set_members(); route_active()
 *                    then names the member whose default route was adopted
 *   member changes:  route_set_members() again (config reload, linkmon
 *                    NEW/DEL/ADDR events of member devices)
 *   decision:        route_activate(rb, member, flags, &res)
 *   shutdown:        route_free(rb, ROUTE_KEEP)   (restart/upgrade)
 *                    route_free(rb, ROUTE_RESTORE) (disable/uninstall) */
#ifndef AUTONOMY_ROUTE_ROUTE_H
#define AUTONOMY_ROUTE_ROUTE_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

struct event_base;
struct link_info;

#define ROUTE_PROTO_DEFAULT     0xa5    /* "proto 165" in `ip route` */
#define ROUTE_RULE_PREF_DEFAULT 1100
#define ROUTE_NAME_MAX          64
#define ROUTE_MAX_SRC           8       /* source addresses per member */
#define ROUTE_MAX_MEMBERS       32
#define ROUTE_ERR_MAX           192

enum route_kind {
	ROUTE_KIND_NETLINK,
	ROUTE_KIND_NONE,        /* observe / dry run */
};

union route_ip {
	struct in_addr v4;
	struct in6_addr v6;
};

/* An address; family 0 means "not set". */
struct route_addr {
	int family;
	uint8_t prefixlen;
	union route_ip ip;
};

/* A member as the route backend needs it. The daemon fills it from its
 * config (name, device, table, fwmark, gateways) and from linkmon
 * (ifindex, point-to-point, addresses: route_member_set_link). */
struct route_member {
	char name[ROUTE_NAME_MAX];
	char device[IF_NAMESIZE];
	int ifindex;            /* 0: looked up by device name */
	uint32_t table;         /* per-member table; 0: no table and no rules */
	uint32_t fwmark;        /* 0: no fwmark rule */
	uint32_t fwmask;        /* 0: 0xffffffff */
	struct route_addr gw4;  /* explicit gateways (config); family 0: learn */
	struct route_addr gw6;
	bool pointopoint;       /* device without a gateway (PPP, raw-IP wwan) */
	size_t n_src;
	struct route_addr src[ROUTE_MAX_SRC]; /* with prefix length */
};

/* flags of route_activate */
enum {
	/* After the switch, delete the conntrack entries NATed to the
	 * previously active member's addresses, so its sessions re-establish
	 * on the new member at once. Set it when the old member failed; leave
	 * it off for a voluntary switch (its flows still work). */
	ROUTE_ACT_FLUSH_OLD = 1u << 0,
};

struct route_result {
	uint64_t took_us;       /* request → verified (or failed) */
	uint64_t apply_us;      /* batch sent → every ack read */
	unsigned changes;       /* messages sent (none: that would be sent) */
	unsigned errors;        /* messages the kernel refused */
	bool verified;          /* read back: the kernel matches the plan */
	bool dry_run;           /* none backend: nothing was sent */
	int ct_matched;         /* conntrack entries found; -1: not tried */
	int ct_deleted;         /* -1: not tried */
	int ct_flows;           /* matched entries that were live connections
				 * (not a TCP one that is over); -1: not tried */
	uint64_t ct_took_us;
	char error[ROUTE_ERR_MAX];      /* "" or what failed */
};

enum route_event {
	ROUTE_EV_CHANGED,       /* activation applied */
	ROUTE_EV_REPAIRED,      /* reinstalled what was removed behind our back */
	ROUTE_EV_ADOPTED,       /* found our default route from a previous run */
	ROUTE_EV_ERROR,         /* a change failed (text says what) */
	ROUTE_EV_RESYNC,        /* events were lost (ENOBUFS): full re-dump */
};

/* Called on the loop, also from inside route_* calls: it may read (status,
 * route_active) but must not call route_activate, route_set_members,
 * route_verify or route_resync (they fail with EBUSY there). */
typedef void (*route_event_cb)(void *arg, enum route_event ev, const char *member,
			       const char *text);

/* Zero means the default for every field. */
struct route_params {
	uint32_t metric;        /* of our IPv4 default routes (default 0); IPv6
				 * uses it too but at least 1 (the kernel turns
				 * IPv6 metric 0 into 1024) */
	uint32_t default_table; /* where the default route goes: 0 = main; any
				 * other table gets a rule "lookup T" after the
				 * suppress rule (use it where netifd keeps its
				 * own metric-0 defaults in main) */
	uint32_t rule_pref;     /* first of our rule preferences (1100):
				 * +0 suppress, +1 fwmark, +2 from, +3 oif,
				 * +4 default table */
	uint8_t protocol;       /* marker of our routes and rules (0xa5) */
	int verify_interval_s;  /* periodic read-back and repair (30); <0: off */
	bool no_ipv6;           /* manage IPv4 only */
	/* Sticky flows (route_flows.c, docs/route-backend.md): the bits of the
	 * conntrack and packet mark that carry a flow's member; 0 = off. One
	 * run of contiguous bits, enough for every member (a member beyond
	 * what the mask holds is not marked). */
	uint32_t flow_mask;
	const char *flow_table; /* our nftables table (inet); NULL = "autonomy" */
	route_event_cb cb;      /* optional */
	void *cb_arg;
	void (*flows_cb)(void *arg);    /* optional: a flow count finished */
};

struct route_stats {
	uint64_t activations;   /* route_activate calls */
	uint64_t switches;      /* ... that changed the active member */
	uint64_t changes;       /* netlink change messages sent */
	uint64_t change_errors; /* ... refused by the kernel */
	uint64_t reconciles;    /* dump + diff runs (every trigger) */
	uint64_t repairs;       /* reconciles that reinstalled something */
	uint64_t verify_failures;
	uint64_t events;        /* netlink event messages read */
	uint64_t enobufs;
	uint64_t resyncs;       /* full re-dumps after lost events */
	uint64_t ct_flushes;
	uint64_t ct_deleted;
	uint64_t ct_errors;
	uint64_t last_took_us;  /* the last activation */
	uint64_t max_took_us;
};

struct route_backend;

/* Opens the backend: netlink sockets, event subscription (netlink only) and a
 * first dump of what we own. Changes nothing until route_set_members or
 * route_activate. base may be NULL (no events, no periodic repair: tests).
 * NULL on failure (errno). */
struct route_backend *route_new(enum route_kind kind, struct event_base *base,
				const struct route_params *p);

/* Replaces the member list (n <= ROUTE_MAX_MEMBERS) and reconciles: installs
 * member tables and rules, removes ours that no member wants any more. The
 * first call after route_new adopts an existing default route of ours
 * whose device belongs to a member (route_active then names it). Returns 0,
 * or -1 when a change failed (the status says which; the periodic and
 * event-driven repair retries). EINVAL for a bad list (nothing changed). */
int route_set_members(struct route_backend *rb, const struct route_member *m, size_t n);

/* Makes member the active one: its default routes (IPv4 and IPv6, each if
 * a gateway is known) replace ours in the default table, in one batch with
 * any other difference, then read back. member NULL withdraws our default
 * routes. Same member as now: nothing is sent when the kernel already
 * matches. res (optional) gets the timing and counts. 0 when verified;
 * -1 otherwise (ENOENT: no such member; else res->error says why). */
int route_activate(struct route_backend *rb, const char *member, unsigned flags,
		   struct route_result *res);

/* Reads the kernel back and compares it with the wanted state; changes
 * nothing. Returns the number of differences (0 = in sync), -1 on error.
 * text (optional) gets the first differences, "; "-separated. */
int route_verify(struct route_backend *rb, char *text, size_t size);

/* Re-dumps and repairs now (what ENOBUFS and the periodic timer do). */
int route_resync(struct route_backend *rb);

/* Deletes the conntrack entries NATed to member's addresses, and with
 * sticky flows those marked as its own (the none backend only counts
 * them). res gets ct_matched/ct_deleted/ct_took_us. -1 with errno
 * EOPNOTSUPP (and the status saying so) without ctnetlink. */
int route_conntrack_flush(struct route_backend *rb, const char *member,
			  struct route_result *res);

/* ---- flows (route_flows.c) ----------------------------------------------------------- */

/* Tracked connections the member carries, from the last count: those
 * carrying its flow mark, and unmarked ones NATed to its addresses. -1 while
 * unknown (no count yet, no conntrack). Counted every 10 s, and at once
 * after route_flows_refresh. */
long route_member_flows(const struct route_backend *rb, const char *member);
/* Starts a count now (asynchronous on the loop; at once without one). */
void route_flows_refresh(struct route_backend *rb);
/* Flow marking is in force: a voluntary switch leaves existing flows on
 * the member they started on. False when off, or without nftables. */
bool route_flows_sticky(const struct route_backend *rb);

/* The active member's name; NULL when none is active or none was decided
 * (nor adopted) yet. */
const char *route_active(const struct route_backend *rb);
bool route_adopted(const struct route_backend *rb);
void route_get_stats(const struct route_backend *rb, struct route_stats *out);
/* Everything for `status`: backend, active member, members and their
 * gateways (with where each was learnt), installed routes and rules, what
 * is pending (none: what it would do), last change, last error, counters,
 * conntrack availability. The caller owns the object. */
json_object *route_status_json(struct route_backend *rb);

enum route_shutdown {
	ROUTE_KEEP,     /* leave everything: the router stays online and the
			 * next start adopts it */
	ROUTE_RESTORE,  /* remove our rules and member tables; remove our
			 * default route only where another default route
			 * (netifd's, DHCP's) will take over */
	ROUTE_HANDOVER, /* as ROUTE_KEEP, and the flow table stays too:
			 * another backend of this daemon takes over */
};
/* KEEP and RESTORE remove the flow-marking table (the netlink backend):
 * nothing of ours acts on packets while no daemon keeps it true. The conntrack marks stay
 * on the flows, and with ROUTE_KEEP so do the fwmark rules, so the next
 * start picks the same mark for each member and the flows it pinned find
 * their uplink again (docs/route-backend.md, "Sticky flows"). A crash
 * leaves the table, and the next start adopts it without a change. */
void route_free(struct route_backend *rb, enum route_shutdown how);

/* ---- helpers ------------------------------------------------------------- */

const char *route_kind_name(enum route_kind kind);
/* "netlink", "none" → kind; -1 if unknown. */
int route_kind_parse(const char *name);
const char *route_event_name(enum route_event ev);
/* Fills device, ifindex, pointopoint and the usable source addresses
 * (global/site scope, not tentative or failed) from linkmon's view; li NULL
 * (device missing) leaves the member without ifindex or addresses. */
void route_member_set_link(struct route_member *m, const struct link_info *li);
/* "10.1.0.1" or "2001:db8::1/64" style parsing into a; 0 or -1. */
int route_addr_parse(const char *text, struct route_addr *a);

/* Tests: the event socket's receive buffer (a tiny one provokes ENOBUFS).
 * 0 or -1 (errno). */
int route_set_rcvbuf(struct route_backend *rb, int bytes);

#endif
