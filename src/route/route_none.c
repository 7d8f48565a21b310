/* route_none: the observe backend (netifd's system-dummy.c in spirit). It
 * runs the same engine — dump, learn, plan — so its status shows exactly
 * what the netlink backend would send, in "pending"; it never sends a
 * change. Its only netlink traffic is dump requests (routes, rules, and a
 * conntrack dump when asked to flush, which it only counts), and it does
 * not subscribe to events: it looks again on each call and on the periodic
 * timer. */
#include "route/route_int.h"

#include <errno.h>

/* The engine never calls apply for a read-only backend; if it ever did,
 * refuse rather than change anything. */
static int none_apply(struct route_backend *rb, struct route_plan *plan)
{
	errno = EPERM;
	return -1;
}

static int none_init(struct route_backend *rb)
{
	return 0;
}

static void none_status(struct route_backend *rb, json_object *o)
{
	json_object_object_add(o, "events", json_object_new_boolean(0));
}

const struct route_ops route_none_ops = {
	.name = "none",
	.read_only = true,
	.init = none_init,
	.apply = none_apply,
	.status = none_status,
};
