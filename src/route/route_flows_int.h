/* route_flows_int: sticky flows' state, shared by route_flows.c (marks, the
 * table, life cycle), route_flows_count.c (counting) and
 * route_flows_status.c. Internal to the route backend. */
#ifndef AUTONOMY_ROUTE_FLOWS_INT_H
#define AUTONOMY_ROUTE_FLOWS_INT_H

#include "route/route_int.h"
#include "route/route_nft.h"

#define FLOWS_COUNT_INTERVAL_S  10
#define FLOWS_COUNT_TIMEOUT_US  (5 * 1000000ull)

struct flow_mark {
	char name[ROUTE_NAME_MAX];
	uint32_t mark;
};

struct flow_count {
	char name[ROUTE_NAME_MAX];
	long flows;
};

struct route_flows {
	struct route_backend *rb;
	uint32_t mask;
	unsigned shift;
	uint32_t values;                /* marks the mask can hold */
	char mask_error[ROUTE_ERR_MAX];
	struct route_nft *nft;          /* NULL: marking off */
	struct flow_mark marks[ROUTE_MAX_MEMBERS];
	size_t n_marks;
	bool assigned;
	unsigned unmarked;              /* members the mask had no room for */
	struct event *repair_timer;

	struct route_nl ct;             /* the count's dump socket */
	struct event *ct_read, *count_timer;
	bool counting, again;
	uint32_t count_seq;
	uint64_t count_started_us;
	struct route_member snap[ROUTE_MAX_MEMBERS];    /* members at the count's start */
	size_t n_snap;
	long tally[ROUTE_MAX_MEMBERS], tally_total;
	struct flow_count counts[ROUTE_MAX_MEMBERS];
	size_t n_counts;
	long total;                     /* live connections at the last count; -1 none yet */
	int64_t counted_wall_ms;
	uint64_t count_took_us, counts_done;
	char count_error[ROUTE_ERR_MAX];
};

/* Marking is in force: a mask, and nftables answered. */
bool route_flows_marking(const struct route_flows *f);
/* Starts a count (again once the running one ends); no-op without a
 * conntrack socket or before the first member list. */
void route_flows_count_start(struct route_flows *f);
/* The periodic count's timer and the dump socket on the loop. 0 or -1. */
int route_flows_count_events(struct route_backend *rb, struct route_flows *f);

#endif
