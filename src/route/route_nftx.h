/* route_nftx: the libnftnl plumbing shared by the nftables tables of our
 * own — the sticky-flow table (route_nft.c) and the listeners' firewall
 * table (security/sec_fw.c): one atomic batch with its acks, and the
 * expression builders their rules are made of. Family inet throughout.
 *
 * Every expression works in register 1 (the 16-byte register an interface
 * name or an IPv6 address needs), so what the kernel dumps back prints as
 * built. Each builder returns false when out of memory. */
#ifndef AUTONOMY_ROUTE_NFTX_H
#define AUTONOMY_ROUTE_NFTX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct route_nl;
struct nftnl_rule;
struct nftnl_set;
struct nftnl_expr;
struct mnl_nlmsg_batch;

/* ---- one batch ------------------------------------------------------------- */

struct nftx_batch {
	char *buf;
	struct mnl_nlmsg_batch *b;
	uint32_t seq, first;
	size_t count;
};

/* Starts a batch (after the sequence numbers nl used last). 0 or -1 (ENOMEM). */
int nftx_batch_start(struct nftx_batch *bt, struct route_nl *nl);
void nftx_batch_table(struct nftx_batch *bt, const char *table, uint16_t type, uint16_t flags);
/* A base chain: filter type, accept policy, at hook with priority prio. */
int nftx_batch_chain(struct nftx_batch *bt, const char *table, const char *name, uint32_t hook,
		     int32_t prio);
void nftx_batch_rule(struct nftx_batch *bt, struct nftnl_rule *r);
void nftx_batch_set(struct nftx_batch *bt, struct nftnl_set *s);
/* The set's elements (type NFT_MSG_NEWSETELEM or NFT_MSG_DELSETELEM). */
void nftx_batch_elems(struct nftx_batch *bt, struct nftnl_set *s, uint16_t type);
/* Ends, sends and reads every ack; frees the batch. 0, or -1 with errno and
 * the kernel's first error (and its extended ack) in extack. */
int nftx_batch_commit(struct nftx_batch *bt, struct route_nl *nl, char *extack,
		      size_t extack_size);
void nftx_batch_abort(struct nftx_batch *bt);

/* ---- expressions (register 1) ------------------------------------------------ */

bool nftx_add(struct nftnl_rule *r, struct nftnl_expr *e);
bool nftx_meta_load(struct nftnl_rule *r, uint32_t key);
bool nftx_ct_load(struct nftnl_rule *r, uint32_t key);
/* reg1 = (reg1 & and) ^ xor, 32 bits */
bool nftx_bitwise(struct nftnl_rule *r, uint32_t and, uint32_t xor);
bool nftx_cmp(struct nftnl_rule *r, uint32_t op, const void *data, uint32_t len);
/* meta or ct key = reg1 (kind "meta" or "ct") */
bool nftx_set_key(struct nftnl_rule *r, const char *kind, uint32_t key);
/* reg1 = len bytes at offset of the header base (NFT_PAYLOAD_*_HEADER) */
bool nftx_payload(struct nftnl_rule *r, uint32_t base, uint32_t offset, uint32_t len);
/* reg1 in the named set (id: the set's NFTNL_SET_ID in the same batch);
 * inverted: not in it */
bool nftx_lookup(struct nftnl_rule *r, const char *set, uint32_t id, bool inverted);
bool nftx_counter(struct nftnl_rule *r);
/* accept / drop: ends this chain only (every other table still sees it) */
bool nftx_verdict(struct nftnl_rule *r, int verdict);
/* add reg1 to the named dynamic set with a stateful expression (owned by
 * the rule from then on): `add @set { key EXPR }` */
bool nftx_dynset(struct nftnl_rule *r, const char *set, uint32_t id, struct nftnl_expr *inner);

/* A new rule of table/chain (family inet). */
struct nftnl_rule *nftx_rule_new(const char *table, const char *chain);
/* r when ok, else frees it: NULL. */
struct nftnl_rule *nftx_rule_done(struct nftnl_rule *r, bool ok);
/* The rule as libnftnl prints it, without its handle or position, its
 * counters' values zeroed: what a read-back compares. */
void nftx_rule_text(struct nftnl_rule *r, char *buf, size_t size);

#endif
