/* owrt_mwan3_rules: is mwan3 running here? mwan3 steers traffic with policy
 * rules that carry its mark (mwan3.sh: for interface id N, "pref 1000+N iif
 * DEV lookup N", "pref 2000+N fwmark MARK/MASK lookup N", "pref 3000+N
 * fwmark MARK/MASK unreachable"; at start, the general "fwmark X/MASK
 * blackhole" and "unreachable" rules at 2000+). A rule with a fwmark
 * and a mask between preferences 2001 and 3999 that looks up table pref-2000
 * or ends in blackhole/unreachable is mwan3's; other daemons' rules are
 * not (ours are protocol 165 at 1100, netifd's have no mask).
 * While such rules exist, autonomy's netlink backend would fight mwan3 over
 * the default route, so the daemon refuses it and observes instead. */
#ifndef AUTONOMY_OPENWRT_MWAN3_RULES_H
#define AUTONOMY_OPENWRT_MWAN3_RULES_H

#include <stddef.h>
#include <stdint.h>

struct owrt_mwan3_seen {
	unsigned rules;                 /* mwan3-like rules found */
	uint32_t first_pref, first_mark, first_mask;
};

/* Scans a buffer of rtnetlink messages (RTM_NEWRULE, as a rule dump
 * returns them); other messages are skipped, malformed ones end the walk.
 * Pure: the fuzz target feeds it bytes. Returns seen->rules. */
unsigned owrt_mwan3_rules_scan(const void *buf, size_t len, struct owrt_mwan3_seen *seen);

/* Dumps this namespace's IPv4 and IPv6 rules (a local, bounded netlink
 * dump) and scans them. Returns the number found, or -1 with errno. */
int owrt_mwan3_detect(struct owrt_mwan3_seen *seen);

#endif
