/* sw_failsafe: the fail-safe default route (sw_failsafe.h). */
#include "starwatch/sw_failsafe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <linux/rtnetlink.h>

#include "core/log.h"

#ifndef IFF_LOWER_UP            /* <linux/if.h> has it; <net/if.h> may not */
#define IFF_LOWER_UP 0x10000
#endif

#define MAX_RTS 32
#define MAX_ADDRS 64

/* One buffer for every dump (never two at once): keeps memory small. */
static struct sw_rt rts_buf[MAX_RTS];

static void on_ping(void *arg, bool reached, const char *why);

int sw_failsafe_init(struct sw_failsafe *fs, struct sw_loop *l, sw_fs_cb changed, void *arg)
{
	memset(fs, 0, sizeof(*fs));
	fs->loop = l;
	fs->changed = changed;
	fs->arg = arg;
	return sw_ping_init(&fs->ping, l, on_ping, fs);
}

/* Logs a message once, not on every check while nothing changes. */
static void note(struct sw_failsafe *fs, enum log_level lvl, const char *msg)
{
	if (strcmp(fs->last_msg, msg) == 0)
		return;
	snprintf(fs->last_msg, sizeof(fs->last_msg), "%s", msg);
	log_msg(lvl, "fail-safe: %s", msg);
}

static bool usable(const struct sw_rt *r, int ifindex)
{
	return r->protocol != SW_RTPROT && r->type == RTN_UNICAST && r->oif == ifindex &&
	       r->table != RT_TABLE_LOCAL && r->has_gw;
}

/* Main table first, then the lowest metric. */
static bool better(const struct sw_rt *a, const struct sw_rt *b)
{
	if ((a->table == RT_TABLE_MAIN) != (b->table == RT_TABLE_MAIN))
		return a->table == RT_TABLE_MAIN;
	return a->metric < b->metric;
}

bool sw_failsafe_learn_gw(int ifindex, const struct sw_rt *rts, size_t n_rts,
			  const struct sw_addr4 *addrs, size_t n_addrs, struct in_addr *gw)
{
	const struct sw_rt *best = NULL;
	for (size_t i = 0; i < n_rts; i++)
		if (rts[i].dst_len == 0 && usable(&rts[i], ifindex) &&
		    (!best || better(&rts[i], best)))
			best = &rts[i];
	if (best) {
		*gw = best->gw;
		return true;
	}
	for (size_t i = 0; i < n_addrs; i++) {
		const struct sw_addr4 *a = &addrs[i];
		uint32_t h = ntohl(a->addr.s_addr);
		if (a->ifindex != ifindex || a->scope != RT_SCOPE_UNIVERSE)
			continue;
		if (a->prefixlen == 31) {
			gw->s_addr = htonl(h ^ 1);
			return true;
		}
		/* A /30's two hosts are .1 and .2 (modulo 4): the other one. */
		if (a->prefixlen == 30 && (h & 3) != 0 && (h & 3) != 3) {
			gw->s_addr = htonl(h ^ 3);
			return true;
		}
	}
	return false;
}

static bool has_addr(int ifindex, const struct sw_addr4 *addrs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (addrs[i].ifindex == ifindex && addrs[i].scope == RT_SCOPE_UNIVERSE)
			return true;
	return false;
}

/* The route holding the slot ours takes (main, default, metric 0). */
static const struct sw_rt *slot_holder(const struct sw_rt *rts, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (rts[i].table == RT_TABLE_MAIN && rts[i].dst_len == 0 && rts[i].metric == 0 &&
		    rts[i].tos == 0)
			return &rts[i];
	return NULL;
}

static void give_up(struct sw_failsafe *fs, const char *msg)
{
	if (fs->touched && !fs->active) {
		int rc = fs->saved ? sw_nl_route_restore(&fs->saved_rt) : sw_nl_default_delete();
		if (rc < 0 && rc != -ESRCH && rc != -ENOENT)
			log_warn("fail-safe: cannot undo the trial route: %s", strerror(-rc));
		fs->saved = false;
	}
	fs->touched = false;
	fs->phase = SW_FS_IDLE;
	note(fs, LOG_LVL_ERR, msg);
	fs->changed(fs->arg);
}

/* Installs a trial route through candidate c; 0 when the ping is running. */
static int try_member(struct sw_failsafe *fs, const struct sw_fs_member *c,
		      const struct sw_rt *rts, size_t n_rts, const struct sw_addr4 *addrs,
		      size_t n_addrs)
{
	struct sw_link li;
	if (sw_nl_get_link(c->dev, &li) < 0 || !(li.flags & IFF_UP) ||
	    !(li.flags & IFF_LOWER_UP) || !has_addr(li.ifindex, addrs, n_addrs))
		return -1;
	struct in_addr gw = c->gw;
	bool has_gw = c->has_gw || sw_failsafe_learn_gw(li.ifindex, rts, n_rts, addrs, n_addrs,
							&gw);
	if (!has_gw && !(li.flags & IFF_POINTOPOINT))
		return -1;      /* an Ethernet-like link without a gateway leads nowhere */
	const struct sw_rt *holder = slot_holder(rts, n_rts);
	if (holder && holder->protocol != SW_RTPROT && !fs->saved) {
		fs->saved_rt = *holder;
		fs->saved = holder->raw_len > 0;
	}
	int rc = sw_nl_default_replace(li.ifindex, has_gw ? &gw : NULL);
	if (rc < 0) {
		log_warn("fail-safe: default route via %s: %s", c->dev, strerror(-rc));
		return -1;
	}
	fs->touched = true;
	snprintf(fs->member, sizeof(fs->member), "%s", c->name);
	snprintf(fs->dev, sizeof(fs->dev), "%s", c->dev);
	fs->has_gw = has_gw;
	fs->gw = gw;
	sw_ping_start(&fs->ping, fs->targets, fs->n_targets, SW_FS_PING_MS);
	return 0;
}

static void try_next(struct sw_failsafe *fs)
{
	struct sw_rt *rts = rts_buf;
	struct sw_addr4 addrs[MAX_ADDRS];
	size_t n_rts = 0, n_addrs = 0;
	int rc = sw_nl_routes4(rts, MAX_RTS, &n_rts);
	if (rc == 0)
		rc = sw_nl_addrs4(addrs, MAX_ADDRS, &n_addrs);
	if (rc < 0) {
		give_up(fs, "cannot read routes and addresses");
		return;
	}
	fs->phase = SW_FS_TRYING;
	fs->active = false;
	for (; fs->trial < fs->n_members; fs->trial++)
		if (try_member(fs, &fs->members[fs->trial], rts, n_rts, addrs, n_addrs) == 0)
			return;         /* on_ping continues */
	give_up(fs, "no default route works and no member with carrier answers");
}

static void on_ping(void *arg, bool reached, const char *why)
{
	struct sw_failsafe *fs = arg;
	char msg[160];
	if (fs->phase == SW_FS_CHECKING) {
		if (reached) {
			fs->phase = SW_FS_IDLE;
			fs->trusted_until = fs->loop->now() + fs->recheck_ms;
			note(fs, LOG_LVL_INFO, fs->active ? "our default route works" :
			     "the default route works");
			return;
		}
		fs->trial = 0;
		fs->touched = false;
		try_next(fs);
		return;
	}
	if (fs->phase != SW_FS_TRYING)
		return;
	if (reached) {
		fs->active = true;
		fs->touched = false;
		fs->phase = SW_FS_IDLE;
		fs->trusted_until = fs->loop->now() + fs->recheck_ms;
		char gw[INET_ADDRSTRLEN] = "";
		if (fs->has_gw)
			inet_ntop(AF_INET, &fs->gw, gw, sizeof(gw));
		snprintf(msg, sizeof(msg), "default route via %s%s%s (member %s) installed",
			 gw[0] ? gw : "", gw[0] ? " dev " : "dev ", fs->dev, fs->member);
		note(fs, LOG_LVL_NOTICE, msg);
		fs->changed(fs->arg);
		return;
	}
	log_info("fail-safe: member %s (%s) does not answer: %s", fs->member, fs->dev, why);
	fs->trial++;
	try_next(fs);
}

/* Our route's device lost its carrier: no need to wait for a ping. */
static bool our_link_lost(struct sw_failsafe *fs)
{
	struct sw_link li;
	return fs->active && (sw_nl_get_link(fs->dev, &li) < 0 || !(li.flags & IFF_LOWER_UP));
}

void sw_failsafe_check(struct sw_failsafe *fs)
{
	if (fs->phase != SW_FS_IDLE ||
	    (fs->loop->now() < fs->trusted_until && !our_link_lost(fs)))
		return;
	fs->phase = SW_FS_CHECKING;
	sw_ping_start(&fs->ping, fs->targets, fs->n_targets, SW_FS_PING_MS);
}

static const struct sw_rt *find_ours(const struct sw_rt *rts, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (rts[i].table == RT_TABLE_MAIN && rts[i].dst_len == 0 &&
		    rts[i].protocol == SW_RTPROT)
			return &rts[i];
	return NULL;
}

void sw_failsafe_release(struct sw_failsafe *fs)
{
	struct sw_rt *rts = rts_buf;
	size_t n = 0;
	sw_ping_cancel(&fs->ping);
	fs->phase = SW_FS_IDLE;
	fs->touched = false;
	fs->trusted_until = 0;
	bool was = fs->active;
	fs->active = false;
	fs->last_msg[0] = '\0';
	if (sw_nl_routes4(rts, MAX_RTS, &n) < 0 || !find_ours(rts, n)) {
		fs->saved = false;
		if (was)
			fs->changed(fs->arg);
		return;
	}
	/* autonomyd restores its own routes; anyone else's we put back. */
	bool restore = fs->saved && fs->saved_rt.protocol != 165;
	int rc = restore ? sw_nl_route_restore(&fs->saved_rt) : sw_nl_default_delete();
	if (rc < 0 && rc != -ESRCH && rc != -ENOENT)
		log_err("fail-safe: cannot remove our default route: %s", strerror(-rc));
	else
		log_notice("fail-safe: autonomyd is back; our default route is removed%s",
			   restore ? " and the one it displaced put back" : "");
	fs->saved = false;
	fs->changed(fs->arg);
}

bool sw_failsafe_ours_present(struct sw_failsafe *fs)
{
	size_t n = 0;
	return sw_nl_routes4(rts_buf, MAX_RTS, &n) < 0 || find_ours(rts_buf, n) != NULL;
}

void sw_failsafe_adopt(struct sw_failsafe *fs)
{
	struct sw_rt *rts = rts_buf;
	size_t n = 0;
	const struct sw_rt *r;
	if (sw_nl_routes4(rts, MAX_RTS, &n) < 0 || !(r = find_ours(rts, n)))
		return;
	fs->active = true;
	fs->has_gw = r->has_gw;
	fs->gw = r->gw;
	if (!if_indextoname((unsigned)r->oif, fs->dev))
		snprintf(fs->dev, sizeof(fs->dev), "if%d", r->oif);
	snprintf(fs->member, sizeof(fs->member), "%s", fs->dev);
	for (size_t i = 0; i < fs->n_members; i++)
		if (strcmp(fs->members[i].dev, fs->dev) == 0)
			snprintf(fs->member, sizeof(fs->member), "%s", fs->members[i].name);
	log_notice("fail-safe: adopted our default route via dev %s from an earlier run", fs->dev);
}
