/* route_nft: the flow-marking table of our own, in nftables, over libnftnl
 * and libmnl. Internal to the route backend (route_flows.c drives it).
 *
 * One table, `inet autonomy` by default, that nothing else touches and that
 * touches nothing else (fw4's, mwan3's and any other tables are never
 * listed, flushed or changed: every request names our table):
 *
 *   table inet autonomy {
 *     chain prerouting {      # packets of a marked flow carry its mark, so the
 *       type filter hook prerouting priority mangle; policy accept;
 *       ct mark & MASK == 0 accept
 *       ct mark & MASK == M1 meta mark set meta mark & ~MASK | M1 accept   # per member
 *     }
 *     chain forward {         # a new forwarded flow is marked with the uplink
 *       type filter hook forward priority mangle; policy accept;     # it first takes
 *       ct mark & MASK != 0 accept
 *       ct direction original oifname "wan" ct mark set ct mark & ~MASK | M1 accept
 *       ct direction original iifname "wan" ct mark set ct mark & ~MASK | M1 accept
 *     }
 *   }
 *
 * The first rule of each chain lets most packets go after one comparison;
 * `accept` ends only this chain: every other table still sees the packet.
 *
 * The packet mark then selects the member's table through the backend's
 * `fwmark M/MASK lookup T` rule (preference 1101, after `lookup main
 * suppress_prefixlength 0`, so the LAN's own routes still win). The iifname
 * rule marks a connection that came in through an uplink (a port forward),
 * so its replies leave through the same uplink.
 *
 * Sync compares the kernel's table with the wanted one, rule by rule, as
 * libnftnl prints them (handles aside): in sync, nothing is sent; otherwise
 * the whole table is replaced in one atomic batch (add, delete, add again,
 * chains, rules), so packets never see it half built and a restart whose
 * members did not change sends nothing at all. */
#ifndef AUTONOMY_ROUTE_NFT_H
#define AUTONOMY_ROUTE_NFT_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "route/route.h"

#define ROUTE_NFT_TABLE_DEFAULT "autonomy"
#define ROUTE_NFT_NAME_MAX      32      /* NFT_TABLE_MAXNAMELEN is 256; ours are short */
#define ROUTE_NFT_PRIO_MANGLE   (-150)  /* NF_IP_PRI_MANGLE: after conntrack (-200) */

struct route_nft_member {
	char device[IF_NAMESIZE];
	uint32_t mark;          /* the member's value, inside the mask, != 0 */
};

struct route_nft_state {
	bool probed, available; /* nf_tables answered (error says why not) */
	bool present;           /* our table is in the kernel */
	bool verified;          /* ... holding exactly the wanted rules */
	unsigned rules;         /* rules found in it */
	unsigned replaced;      /* times the table was (re)built */
	uint64_t last_took_us;  /* the last sync: dump, compare, apply, read back */
	char error[ROUTE_ERR_MAX];
	char differs[ROUTE_ERR_MAX];    /* why the last sync found it out of sync */
};

struct route_nft;
struct event_base;

/* Opens a socket and probes nf_tables (a dump of our family's tables). NULL
 * only when out of memory; an nf_tables that is missing or refuses (no
 * kernel support, no CAP_NET_ADMIN) is reported in st->available/error. */
struct route_nft *route_nft_new(const char *table, uint32_t mask);
const struct route_nft_state *route_nft_state(const struct route_nft *n);
const char *route_nft_table(const struct route_nft *n);
/* Makes the table hold the rules for these members (k 0: no table). With
 * read_only nothing is sent; state says whether the kernel matches. Returns
 * 0 when in sync (read_only: when nothing would change), -1 otherwise. */
int route_nft_sync(struct route_nft *n, const struct route_nft_member *m, size_t k,
		   bool read_only);
/* Removes our table (read_only: only reports whether one is there). 0 or -1. */
int route_nft_remove(struct route_nft *n, bool read_only);
/* Someone else changed or deleted our table: cb(arg) runs on the loop (and
 * after lost events). Our own changes are not reported. 0 or -1. */
int route_nft_watch(struct route_nft *n, struct event_base *base, void (*cb)(void *),
		    void *arg);
void route_nft_free(struct route_nft *n);
struct nlmsghdr;
/* An nftables event from someone else (not own_portid) about an object of
 * table (inet): what the watch reacts to. */
bool route_nft_foreign_change(const char *table, uint32_t own_portid, const struct nlmsghdr *nlh);

/* ---- the rules (route_nft_rules.c) ---------------------------------------- */

struct nftnl_rule;
/* Chain names, in order; their hooks are prerouting and forward. */
#define ROUTE_NFT_CHAINS 2
extern const char *const route_nft_chain_names[ROUTE_NFT_CHAINS];
/* The wanted rules of chain c (0 prerouting, 1 forward), in order; each a
 * new nftnl_rule the caller frees. Returns the count written to out (at
 * most max), or -1 out of memory. */
int route_nft_rules(const char *table, uint32_t mask, const struct route_nft_member *m,
		    size_t k, int c, struct nftnl_rule **out, size_t max);
/* The rule as libnftnl prints it, without its handle or position: what sync
 * compares. */
void route_nft_rule_text(struct nftnl_rule *r, char *buf, size_t size);

#endif
