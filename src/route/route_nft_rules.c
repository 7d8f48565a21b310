/* route_nft_rules: the rules of our flow-marking table as libnftnl objects
 * (the layout is in route_nft.h). No sockets here.
 *
 * The expressions are route_nftx's (register 1: what the kernel dumps back
 * prints exactly as built). The marks are combined with bitwise AND/XOR
 * against constants only: mark & ~MASK ^ M equals mark & ~MASK | M because M
 * lies inside MASK, and that works on every kernel with nf_tables (no
 * register-to-register bitwise needed). */
#include "route/route_nft.h"
#include "route/route_nftx.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_tuple_common.h>
#include <linux/netfilter/nf_tables.h>

const char *const route_nft_chain_names[ROUTE_NFT_CHAINS] = { "prerouting", "forward" };

/* ct mark & mask == value (!= with neq) */
static bool ct_mark_is(struct nftnl_rule *r, uint32_t mask, uint32_t value, bool neq)
{
	return nftx_ct_load(r, NFT_CT_MARK) && nftx_bitwise(r, mask, 0) &&
	       nftx_cmp(r, neq ? NFT_CMP_NEQ : NFT_CMP_EQ, &value, sizeof(value));
}

static struct nftnl_rule *rule_new(const char *table, int c)
{
	return nftx_rule_new(table, route_nft_chain_names[c]);
}

/* The first rule of each chain takes most packets out at once: in
 * prerouting those of unmarked flows (nothing to restore), in forward
 * those of marked ones (nothing to mark). c 0: ct mark & MASK == 0 accept;
 * c 1: ct mark & MASK != 0 accept. */
static struct nftnl_rule *skip_rule(const char *table, uint32_t mask, int c)
{
	struct nftnl_rule *r = rule_new(table, c);
	return nftx_rule_done(r, r && ct_mark_is(r, mask, 0, c == 1) &&
			      nftx_verdict(r, NF_ACCEPT));
}

/* prerouting: ct mark & MASK == M  meta mark set meta mark & ~MASK | M  accept */
static struct nftnl_rule *restore_rule(const char *table, uint32_t mask, uint32_t mark)
{
	struct nftnl_rule *r = rule_new(table, 0);
	return nftx_rule_done(r, r && ct_mark_is(r, mask, mark, false) &&
			      nftx_meta_load(r, NFT_META_MARK) && nftx_bitwise(r, ~mask, mark) &&
			      nftx_set_key(r, "meta", NFT_META_MARK) && nftx_verdict(r, NF_ACCEPT));
}

/* forward: ct direction original  {o,i}ifname DEV
 *          ct mark set ct mark & ~MASK | M  accept */
static struct nftnl_rule *mark_rule(const char *table, uint32_t mask,
				    const struct route_nft_member *m, uint32_t ifkey)
{
	char name[IFNAMSIZ] = { 0 };
	uint8_t dir = IP_CT_DIR_ORIGINAL;
	struct nftnl_rule *r = rule_new(table, 1);
	memcpy(name, m->device, strnlen(m->device, IFNAMSIZ - 1));
	return nftx_rule_done(r, r && nftx_ct_load(r, NFT_CT_DIRECTION) &&
			      nftx_cmp(r, NFT_CMP_EQ, &dir, sizeof(dir)) && nftx_meta_load(r, ifkey) &&
			      nftx_cmp(r, NFT_CMP_EQ, name, IFNAMSIZ) && nftx_ct_load(r, NFT_CT_MARK) &&
			      nftx_bitwise(r, ~mask, m->mark) && nftx_set_key(r, "ct", NFT_CT_MARK) &&
			      nftx_verdict(r, NF_ACCEPT));
}

int route_nft_rules(const char *table, uint32_t mask, const struct route_nft_member *m,
		    size_t k, int c, struct nftnl_rule **out, size_t max)
{
	size_t n = 0, per = c == 0 ? 1 : 2;
	bool failed = false;
	if (k == 0)
		return 0;
	if (k * per + 1 > max) {
		errno = E2BIG;
		return -1;
	}
	out[n++] = skip_rule(table, mask, c);
	for (size_t i = 0; i < k; i++) {
		if (c == 0) {
			out[n++] = restore_rule(table, mask, m[i].mark);
		} else {
			out[n++] = mark_rule(table, mask, &m[i], NFT_META_OIFNAME);
			out[n++] = mark_rule(table, mask, &m[i], NFT_META_IIFNAME);
		}
	}
	for (size_t i = 0; i < n; i++)
		failed |= !out[i];
	if (!failed)
		return (int)n;
	for (size_t i = 0; i < n; i++)
		if (out[i])
			nftnl_rule_free(out[i]);
	errno = ENOMEM;
	return -1;
}

void route_nft_rule_text(struct nftnl_rule *r, char *buf, size_t size)
{
	nftx_rule_text(r, buf, size);
}
