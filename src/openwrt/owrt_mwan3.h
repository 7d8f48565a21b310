/* owrt_mwan3: `autonomyctl config import-mwan3` — turns an mwan3 config
 * (/etc/config/mwan3: interfaces with track_ip, members with metric and
 * weight, policies, rules) into autonomy members, as UCI text for the
 * operator to review and append to /etc/config/autonomy. Pure: reads a
 * parsed package, writes text.
 *
 * Mapping (docs/openwrt.md has the table):
 *   - the policy that carries general traffic is the use_policy of the first
 *     rule that matches every IPv4 destination (no dest/src/port/proto
 *     limit); failing that 'balanced', failing that the first policy;
 *   - each mwan3 interface used by a member becomes one autonomy member named
 *     after it, `option interface` = the same netifd interface; priority =
 *     its member's metric in that policy (mwan3 and autonomy both prefer the
 *     lower), weight = weight; interfaces only in other policies follow
 *     after the lowest priority;
 *   - track_ip → target (numeric addresses only: autonomy never resolves
 *     names through another uplink); httping → http://IP/;
 *   - RutOS keeps tracking in `config condition` sections (option interface
 *     X): their track_ip and knobs count as X's;
 *   - IPv6-only interfaces (family 'ipv6', like 'wan6') are not members of
 *     their own: an autonomy member probes and routes both families of its
 *     device; they are listed in a comment;
 *   - mwan3's timing knobs (interval, down, up, timeout, reliability) have no
 *     equivalent: autonomy's detection is adaptive; they are quoted in
 *     comments, as are last_resort and enabled '0' (member disabled). */
#ifndef AUTONOMY_OPENWRT_MWAN3_H
#define AUTONOMY_OPENWRT_MWAN3_H

#include <stddef.h>
#include <stdio.h>

struct uci_package;

/* Writes the members. Returns the number of members written, or -1 with a
 * reason in err (no interface of mwan3's is used by any member). */
int owrt_mwan3_import(const struct uci_package *pkg, const char *source, FILE *out,
		      char *err, size_t errlen);

#endif
