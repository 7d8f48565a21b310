/* sec_fw: the firewall of the daemon's listeners (network_security.
 * firewall_integration), an nftables table of our own over libnftnl with
 * route_nftx's plumbing. It exists only while a listener is reachable from
 * other hosts; nothing else's tables are listed, flushed or changed.
 *
 *   table inet autonomy_api {
 *     set ports  { type inet_service }               the listeners' TCP ports
 *     set allow4 { type ipv4_addr; flags interval }  security.ip_whitelist
 *     set allow6 { type ipv6_addr; flags interval }
 *     set ban4 / ban6    { flags timeout }            intrusion detection's bans
 *     set flood4 / flood6 { flags dynamic,timeout }   per-source SYN rate
 *     set conn4 / conn6  { flags dynamic }            per-source open connections
 *     chain input { type filter hook input priority filter - 1; policy accept;
 *       meta l4proto != tcp accept
 *       tcp dport != @ports accept                    everything else: untouched
 *       iif "lo" accept                               (security.allow_loopback)
 *       ip saddr @ban4 counter drop                   (and ip6)
 *       ct state new add @flood4 { ip saddr limit rate over 20/second burst 40
 *                                  packets } counter drop        (ddos_protection)
 *       ct state new add @conn4 { ip saddr ct count over 16 } counter drop
 *       ip saddr @allow4 meta mark set meta mark | 0x00800000 accept
 *       counter drop                                  the rest of the world
 *     }
 *   }
 *
 * A drop here is final whatever other tables say; an accept ends only this
 * chain. On OpenWrt, fw4's input chain rejects what its zones do not
 * allow, so the package's fw4 include (/usr/share/nftables.d/chain-pre/
 * input/30-autonomy-api.nft) accepts packets carrying the mark bit above,
 * i.e. the sources this table allowed: the port is open to exactly them,
 * whichever zone they come from. The bit must lie outside main.
 * flow_mark_mask (the config check says so). Sync works as the flow
 * table's: read back (rules as text with counters zeroed, sets and the
 * static sets' elements), compare, and replace the whole table in one
 * atomic batch only when it differs. */
#ifndef AUTONOMY_SECURITY_SEC_FW_H
#define AUTONOMY_SECURITY_SEC_FW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "security/sec_acl.h"

#define SEC_FW_TABLE "autonomy_api"
#define SEC_FW_MARK 0x00800000u
#define SEC_FW_PRIO (-1)                /* NF_IP_PRI_FILTER - 1: before fw4's chains */
#define SEC_FW_PORTS_MAX 8
#define SEC_FW_SYN_RATE 20              /* new connections a second per source */
#define SEC_FW_SYN_BURST 40
#define SEC_FW_CONNS 16                 /* open connections per source */
#define SEC_FW_SET_SIZE 4096            /* sources the dynamic sets follow */
#define SEC_FW_ERR 224

struct sec_fw_want {
	uint16_t ports[SEC_FW_PORTS_MAX];
	size_t n_ports;                 /* 0: no table */
	struct sec_acl acl;
	bool allow_loopback;
	bool ddos;
};

/* What the drop rules counted (packets), since the table was built. */
struct sec_fw_counts {
	uint64_t banned, flood, connections, not_allowed;
};

struct sec_fw_state {
	bool available, present, verified;
	unsigned rebuilt, bans_added;
	uint64_t last_took_us;
	struct sec_fw_counts counts;
	char error[SEC_FW_ERR];
	char differs[SEC_FW_ERR];
};

struct sec_fw;
struct event_base;

/* Opens the netlink socket and probes nf_tables. NULL only when out of
 * memory; a kernel without nf_tables or a daemon without CAP_NET_ADMIN is
 * reported in the state. */
struct sec_fw *sec_fw_new(const char *table);
const struct sec_fw_state *sec_fw_state(const struct sec_fw *f);
/* The table as wanted (n_ports 0: none). 0 when in sync (nothing or one
 * batch sent), -1 with state.error. Reads the counters too. */
int sec_fw_sync(struct sec_fw *f, const struct sec_fw_want *w);
/* Drops addr at the listeners' ports for ms (a timed element of ban4/6). */
int sec_fw_ban(struct sec_fw *f, const struct sec_addr *addr, uint64_t ms);
/* Someone else changed our table: cb(arg) on the loop (route_nft's watch). */
int sec_fw_watch(struct sec_fw *f, struct event_base *base, void (*cb)(void *), void *arg);
void sec_fw_free(struct sec_fw *f);

/* ---- the wanted objects (sec_fw_rules.c) ------------------------------------ */

struct nftnl_rule;
struct nftnl_set;

enum sec_fw_set {
	SEC_FW_S_PORTS, SEC_FW_S_ALLOW4, SEC_FW_S_ALLOW6, SEC_FW_S_BAN4, SEC_FW_S_BAN6,
	SEC_FW_S_FLOOD4, SEC_FW_S_FLOOD6, SEC_FW_S_CONN4, SEC_FW_S_CONN6, SEC_FW_S_N
};
extern const char *const sec_fw_set_names[SEC_FW_S_N];
/* Whether the set's elements are ours to compare (the rest the kernel fills). */
bool sec_fw_set_static(enum sec_fw_set s);

/* Which drop a rule is, for its counter (-1: not a counted drop). */
enum sec_fw_drop { SEC_FW_D_BANNED, SEC_FW_D_FLOOD, SEC_FW_D_CONNS, SEC_FW_D_NOT_ALLOWED };

#define SEC_FW_RULES_MAX 16
struct sec_fw_objs {
	struct nftnl_set *sets[SEC_FW_S_N];     /* with their elements */
	struct nftnl_rule *rules[SEC_FW_RULES_MAX];
	int drop_kind[SEC_FW_RULES_MAX];        /* enum sec_fw_drop or -1 */
	size_t n_rules;
};

/* Builds the table's sets and rules. 0, or -1 (out of memory). */
int sec_fw_build(const char *table, const struct sec_fw_want *w, struct sec_fw_objs *o);
void sec_fw_objs_free(struct sec_fw_objs *o);
struct sec_fw_elem {
	uint8_t key[16];
	uint8_t len;
	uint32_t flags;
};
#define SEC_FW_ELEMS_MAX (2 * SEC_ACL_MAX + 1)

/* An element as compared: key bytes in hex, then /flags. */
void sec_fw_elem_text(const void *key, size_t len, uint32_t flags, char *buf, size_t size);
/* The interval elements of a family's networks in acl, in nft's form: the
 * ranges merged and sorted, each a start and an end flagged
 * NFT_SET_ELEM_INTERVAL_END one past its last address (none when it reaches
 * the top), and a leading end at 0 when the first range does not start
 * there. Returns the count (at most SEC_FW_ELEMS_MAX). */
size_t sec_fw_interval(const struct sec_acl *acl, int family, struct sec_fw_elem *out);

#endif
