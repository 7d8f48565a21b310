/* Internals of the route backend, shared by its files and the unit tests.
 *
 *   route_msg.c    netlink messages: build routes/rules/dumps, parse dumps
 *   route_learn.c  gateway learning (pure)
 *   route_plan.c   wanted state and the diff against the kernel (pure)
 *   route_nl.c     synchronous netlink transactions (dump, batch + acks)
 *   route_sync.c   the engine: dump, learn, plan, apply, verify, status
 *   route_netlink.c / route_none.c   the two backends' operations
 *   route_ct.c     conntrack flush over ctnetlink */
#ifndef AUTONOMY_ROUTE_INT_H
#define AUTONOMY_ROUTE_INT_H

#include "route/route.h"

#include <libmnl/libmnl.h>
#include <linux/netlink.h>

#define ROUTE_MAX_NH            8       /* nexthops kept per parsed route */
#define ROUTE_NL_BUF            (64 * 1024)
#define ROUTE_BATCH_BUF         (32 * 1024)
#define ROUTE_MSG_MAX           512     /* one route or rule request */
#define ROUTE_BATCH_MAX_MSGS    128     /* requests per sendmsg (acks must fit) */
#define ROUTE_NL_TIMEOUT_MS     2000
#define ROUTE_V6_MIN_METRIC     1

/* ---- kernel objects -------------------------------------------------------- */

struct route_nh {
	int oif;
	int gw_family;          /* 0: no gateway (device route) */
	union route_ip gw;
};

/* A route as the kernel reports it, or as we want it. */
struct route_rt {
	uint8_t family, dst_len, protocol, type, scope, tos;
	uint32_t table, metric, flags;
	union route_ip dst;
	uint8_t n_nh;
	bool multipath, nh_id, extra; /* extra: something we do not model */
	struct route_nh nh[ROUTE_MAX_NH];
};

/* A policy rule (FR_ACT_TO_TBL only is ever ours). */
struct route_rule {
	uint8_t family, src_len, dst_len, action, protocol, tos;
	uint32_t priority, table, flags;
	uint32_t fwmark, fwmask;        /* fwmask 0xffffffff when absent */
	uint32_t suppress_prefixlen;    /* 0xffffffff when absent */
	bool has_fwmark, has_priority, extra;
	union route_ip src;
	char oifname[IF_NAMESIZE];
};

enum route_obj_kind { ROUTE_OBJ_ROUTE, ROUTE_OBJ_RULE };

/* A route or rule; member is the index of the member it serves (-1: none).
 * raw: the dump message, kept for owned objects so that deleting one sends
 * the kernel back exactly what it reported (as `ip route flush` does). */
struct route_obj {
	enum route_obj_kind kind;
	bool owned;
	int member;
	union {
		struct route_rt rt;
		struct route_rule rule;
	};
	void *raw;
	uint16_t raw_len;
};

struct route_objs {
	struct route_obj *v;
	size_t n, cap;
};

int route_objs_add(struct route_objs *s, const struct route_obj *o);
/* One dump message: our objects (protocol proto, raw kept) and others'
 * default routes are added to s; the rest is skipped. 0, 1 if malformed,
 * -1 out of memory. */
int route_objs_feed(struct route_objs *s, const struct nlmsghdr *nlh, uint8_t proto);
/* Copies raw into the set's last object. */
int route_objs_set_raw(struct route_objs *s, const struct nlmsghdr *nlh);
void route_objs_clear(struct route_objs *s);
void route_objs_free(struct route_objs *s);

/* ---- messages (route_msg.c) ------------------------------------------------ */

/* Build one request into buf (>= ROUTE_MSG_MAX bytes). */
struct nlmsghdr *route_msg_route(void *buf, uint16_t type, uint16_t flags, uint32_t seq,
				 const struct route_rt *r);
struct nlmsghdr *route_msg_rule(void *buf, uint16_t type, uint16_t flags, uint32_t seq,
				const struct route_rule *r);
/* RTM_GETROUTE / RTM_GETRULE dump of one family. */
struct nlmsghdr *route_msg_dump(void *buf, uint16_t type, int family, uint32_t seq);

/* 0: parsed; 1: not a message we model (ignore); -1: malformed. */
int route_msg_parse_route(const struct nlmsghdr *nlh, struct route_rt *out);
int route_msg_parse_rule(const struct nlmsghdr *nlh, struct route_rule *out);

/* Human forms, `ip route`/`ip rule` style ("default via 10.1.0.1 dev wan
 * table main metric 0 proto 165"). Devices print by name when they exist. */
void route_fmt_rt(const struct route_rt *r, char *buf, size_t size);
void route_fmt_rule(const struct route_rule *r, char *buf, size_t size);
void route_fmt_obj(const struct route_obj *o, char *buf, size_t size);
const char *route_ip_str(int family, const union route_ip *ip, char *buf, size_t size);
size_t route_ip_len(int family);
bool route_ip_eq(int family, const union route_ip *a, const union route_ip *b);

/* ---- gateway learning (route_learn.c) ---------------------------------------- */

enum route_gw_source {
	ROUTE_GW_NONE,          /* nothing known: the family is not served */
	ROUTE_GW_CONFIG,        /* explicit in the member */
	ROUTE_GW_ROUTE,         /* a default route of someone else via the device */
	ROUTE_GW_OWN,           /* our own route from before (restart) */
	ROUTE_GW_PEER,          /* the other end of a /30, /31 or /127 */
	ROUTE_GW_DEVICE,        /* point-to-point device: "default dev X" */
	ROUTE_GW_CACHED,        /* learnt before, source gone, still plausible */
};

struct route_gw {
	enum route_gw_source source;
	int family;             /* of gw; 0: device route without gateway */
	union route_ip gw;
	uint32_t table;         /* ROUTE / OWN: the table it came from */
	uint8_t protocol;       /* ROUTE: who installed it */
};

const char *route_gw_source_name(enum route_gw_source s);

/* Learns member m's gateway for family from the dumped routes (rt objects
 * in have, owned or not) — see docs/route-backend.md for the rule:
 * config, someone else's default route via the device (main table first,
 * then lowest metric), our own from before, the on-link peer of a /30-/31
 * (/127), a point-to-point device, else the previous answer if still
 * plausible. prev may be NULL. */
void route_learn_gateway(const struct route_member *m, int ifindex, int family,
			 uint32_t main_table, const struct route_objs *have,
			 const struct route_gw *prev, struct route_gw *out);

/* ---- wanted state and diff (route_plan.c) ----------------------------------- */

enum route_act_state {
	ROUTE_ST_UNKNOWN,       /* nothing decided or adopted: our default
				 * routes, if any, are left as they are */
	ROUTE_ST_ACTIVE,
	ROUTE_ST_NONE,          /* withdrawn on purpose */
	ROUTE_ST_RESTORE,       /* shutting down with ROUTE_RESTORE */
};

/* Per-member runtime state. */
struct route_mstate {
	struct route_member m;
	int ifindex;            /* resolved at each reconcile */
	bool down;              /* device missing or admin-down: no routes */
	struct route_gw gw[2];  /* [0] IPv4, [1] IPv6 */
	unsigned errors;        /* refused changes at the last apply */
	char error[ROUTE_ERR_MAX];
};

struct route_cfg {
	uint32_t metric, default_table, main_table, rule_pref;
	uint8_t protocol;
	bool ipv6;
};

struct route_want {
	const struct route_cfg *cfg;
	const struct route_mstate *ms;
	size_t n;
	enum route_act_state state;
	int active;             /* member index for ROUTE_ST_ACTIVE */
};

static inline int route_fam_idx(int family) { return family == AF_INET6; }

/* Device up, an address of the family, a gateway known. */
bool route_member_serves(const struct route_mstate *ms, int family);
/* The objects we want in the kernel, given what is there now (have: for
 * the default routes kept in UNKNOWN state and on RESTORE). */
int route_wanted(const struct route_want *w, const struct route_objs *have,
		 struct route_objs *out);

enum route_op_kind { ROUTE_OP_REPLACE, ROUTE_OP_ADD, ROUTE_OP_DEL };

struct route_op {
	enum route_op_kind kind;
	struct route_obj obj;   /* DEL: raw borrowed from have */
	int err;                /* 0 or -errno from the ack */
	char extack[96];        /* the kernel's message, if any */
};

struct route_plan {
	struct route_op *ops;
	size_t n, cap;
	unsigned foreign_replaced; /* replaces that take over someone's route */
};

/* Diff: adds and replaces first (make before break), then deletes of
 * owned objects nobody wants. */
int route_diff(const struct route_objs *want, const struct route_objs *have,
	       struct route_plan *plan);
void route_plan_clear(struct route_plan *p);
void route_plan_free(struct route_plan *p);
bool route_rt_same_slot(const struct route_rt *a, const struct route_rt *b);
bool route_rt_equal(const struct route_rt *a, const struct route_rt *b);
bool route_rule_equal(const struct route_rule *a, const struct route_rule *b);

/* Writes ops[*next...] into buf as requests with consecutive sequence
 * numbers from seq, each with NLM_F_ACK, until the buffer is full. Returns
 * the bytes written; *next advances past the ops written. */
size_t route_plan_batch(struct route_plan *p, size_t *next, void *buf, size_t size,
			uint32_t seq);

/* ---- netlink transactions (route_nl.c) -------------------------------------- */

struct route_nl {
	struct mnl_socket *nl;
	unsigned int portid;
	uint32_t seq;
	uint8_t *buf;           /* ROUTE_NL_BUF */
};

int route_nl_open(struct route_nl *n, int bus);
void route_nl_close(struct route_nl *n);
typedef int (*route_nl_msg_fn)(const struct nlmsghdr *nlh, void *arg);
/* Sends req (its seq is set here) and feeds every reply message to fn until
 * NLMSG_DONE. -1 with errno: EINTR for an interrupted dump (start over),
 * ETIMEDOUT, or the kernel's error. */
int route_nl_dump(struct route_nl *n, struct nlmsghdr *req, route_nl_msg_fn fn, void *arg,
		  int timeout_ms);
typedef void (*route_nl_ack_fn)(void *arg, size_t idx, int err, const char *extack);
/* Sends len bytes holding count requests with sequence numbers first_seq..
 * in one sendmsg and reads every ack (ack(idx, 0 or -errno, text)). -1
 * with errno on a socket error or timeout (acks not yet read are lost). */
int route_nl_transact(struct route_nl *n, const void *buf, size_t len, uint32_t first_seq,
		      size_t count, route_nl_ack_fn ack, void *arg, int timeout_ms);

/* ---- conntrack (route_ct.c) -------------------------------------------------- */

struct route_ct_stats {
	bool probed, available;
	char error[ROUTE_ERR_MAX];      /* why unavailable, or the last failure */
	long entries;           /* conntrack entries at the last probe; -1 unknown */
};

/* Builds the dump request: entries of family; for IPv4 with addr, only
 * those whose reply tuple's destination is addr (kernels >= 5.9 filter;
 * older ones ignore it, and replies are checked again anyway). IPv6 is
 * never filtered by the kernel (its filter is inverted, see route_ct.c). */
struct nlmsghdr *route_ct_msg_dump(void *buf, int family, const union route_ip *addr,
				   uint32_t seq);
/* Every entry of both families with (mark & mask) == mark; mark 0: every
 * entry. */
struct nlmsghdr *route_ct_msg_dump_mark(void *buf, uint32_t mark, uint32_t mask, uint32_t seq);

/* A dumped conntrack entry, as far as flushing and counting need it. The
 * attribute pointers point into the message. */
struct route_ct_entry {
	int family;
	uint32_t status;        /* IPS_* */
	bool has_mark, has_reply_dst;
	uint32_t mark;
	int tcp_state;          /* TCP_CONNTRACK_*; -1: not TCP (or not said) */
	union route_ip reply_dst;
	const struct nlattr *orig, *id, *zone;
};
/* A TCP connection that is over (TIME_WAIT, CLOSE): not counted as a
 * flow (a flush deletes its entry all the same). */
bool route_ct_closed(const struct route_ct_entry *e);
/* 0 parsed; 1 not an IPv4/IPv6 entry (skip); -1 malformed. */
int route_ct_entry_parse(const struct nlmsghdr *nlh, struct route_ct_entry *e);
/* NATed (IPS_SRC_NAT) to addr: its reply tuple's destination. */
bool route_ct_natted_to(const struct route_ct_entry *e, int family, const union route_ip *addr);
/* The delete request for e (ROUTE_MSG_MAX bytes): original tuple, id, zone. */
void route_ct_msg_delete(void *buf, const struct route_ct_entry *e, uint32_t seq);
/* 1 if the dumped entry is NATed (IPS_SRC_NAT) to addr in its reply tuple;
 * then del (ROUTE_MSG_MAX bytes) gets the delete request for it. 0 if not;
 * -1 malformed. del may be NULL. */
int route_ct_match(const struct nlmsghdr *nlh, int family, const union route_ip *addr,
		   void *del, uint32_t seq);
/* Probes ctnetlink (a stats request): fills st. */
void route_ct_probe(struct route_ct_stats *st);
/* Deletes (or with dry_run only counts) the entries NATed to any of the
 * member's source addresses and, with a mask, those carrying its fwmark
 * (flow marking); live: how many of the matched were live connections.
 * Returns 0 or -1 (errno; st->error says why). */
int route_ct_flush(const struct route_member *m, uint32_t mask, bool dry_run, int *matched,
		   int *live, int *deleted, struct route_ct_stats *st);

/* ---- the backend (route_sync.c) ---------------------------------------------- */

struct route_ops;

struct route_backend {
	const struct route_ops *ops;
	enum route_kind kind;
	struct route_params params;
	struct route_cfg cfg;
	struct event_base *base;

	struct route_mstate *ms;
	size_t n_ms;
	bool members_set;
	enum route_act_state state;
	int active;
	bool adopted;
	bool adopt_done;                /* adoption is looked for once */
	bool running;                   /* in route_sync_run: no re-entry */
	struct event *periodic;

	struct route_nl nl;             /* dumps and batches */
	struct route_objs have;         /* the last dump: owned + foreign defaults */
	struct route_objs want;
	struct route_plan pending;      /* differences left after the last run */
	unsigned foreign_replaced;      /* others' routes we took the slot of */
	char last_error[ROUTE_ERR_MAX];
	int64_t last_error_wall_ms;
	char err_seen[ROUTE_ERR_MAX];   /* logged already; cleared when in sync */
	uint32_t err_prev[32], err_cur[32];     /* hashes of refusals: the last */
	size_t n_err_prev, n_err_cur;           /* run's are not logged again */
	struct {
		int64_t wall_ms;
		char member[ROUTE_NAME_MAX], from[ROUTE_NAME_MAX];
		struct route_result res;
	} last_change;
	struct route_stats stats;
	struct route_ct_stats ct;
	struct route_flows *flows;      /* sticky flows (route_flows.c); NULL: off */

	void *priv;                     /* the backend's own state */
};

struct route_ops {
	const char *name;
	bool read_only;
	int (*init)(struct route_backend *rb);
	/* Sends the plan's ops; fills each op's err. Returns the number
	 * refused, or -1 on a socket error. */
	int (*apply)(struct route_backend *rb, struct route_plan *plan);
	/* A reconcile ran: event-driven backends re-arm timers here. */
	void (*after_sync)(struct route_backend *rb, bool pending);
	void (*fini)(struct route_backend *rb);
	int (*set_rcvbuf)(struct route_backend *rb, int bytes);
	void (*status)(struct route_backend *rb, json_object *o);
};

/* ---- sticky flows (route_flows.c) -------------------------------------------- */

struct route_flows;
/* At route_new: probes nftables when p->flow_mask asks for marking, opens
 * the flow counter. NULL only when out of memory. */
struct route_flows *route_flows_new(struct route_backend *rb);
/* Gives each member in ms its flow mark (kept by name across calls; at the
 * first call adopted from our fwmark rules of a previous run, so marks
 * survive a restart) and sets its fwmark/fwmask for the plan. Members get
 * none while marking is off or unavailable. */
void route_flows_assign(struct route_backend *rb, struct route_mstate *ms, size_t n);
/* Makes the nftables table match the members (reads only for the none
 * backend); called after member changes and by the periodic check. */
void route_flows_sync(struct route_backend *rb, bool repair);
/* The mask flushes and counts match marks with (0: marking not in force). */
uint32_t route_flows_mask(const struct route_backend *rb);
void route_flows_status(const struct route_backend *rb, json_object *o, json_object *warnings);
/* remove: take our table out of the kernel first (the netlink backend). */
void route_flows_free(struct route_backend *rb, bool remove);
/* Attributes one dumped conntrack entry to a member (pure; the counter and
 * the fuzz target use it): the index of the member whose mark it carries,
 * else of the member it is NATed to; -1 for none. */
int route_flows_owner(const struct route_ct_entry *e, uint32_t mask,
		      const struct route_member *m, size_t n);

extern const struct route_ops route_netlink_ops;
extern const struct route_ops route_none_ops;

enum route_why {
	ROUTE_WHY_MEMBERS, ROUTE_WHY_ACTIVATE, ROUTE_WHY_EVENT, ROUTE_WHY_PERIODIC,
	ROUTE_WHY_RESYNC, ROUTE_WHY_RESTORE,
};

/* Dumps the kernel into rb->have (owned objects, foreign default routes).
 * 0 or -1. */
int route_sync_dump(struct route_backend *rb);
/* dump → learn → plan → apply → verify (at most twice). res optional. */
int route_sync_run(struct route_backend *rb, enum route_why why, struct route_result *res);
void route_sync_error(struct route_backend *rb, const char *member, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void route_sync_event(struct route_backend *rb, enum route_event ev, const char *member,
		      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Member index for an ifindex or device name; -1 if none. */
int route_sync_member_by_ifindex(const struct route_backend *rb, int ifindex);

#endif
