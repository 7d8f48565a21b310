/* route_nft_rules: the rules of our flow-marking table as libnftnl objects
 * (the layout is in route_nft.h). No sockets here.
 *
 * Every rule works in register 1 (the 16-byte register, which an interface
 * name needs), so what the kernel dumps back prints exactly as built. The
 * marks are combined with bitwise AND/XOR against constants only: mark & ~MASK
 * ^ M equals mark & ~MASK | M because M lies inside MASK, and that works on
 * every kernel with nf_tables (no register-to-register bitwise needed). */
#include "route/route_nft.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_tuple_common.h>
#include <linux/netfilter/nf_tables.h>

const char *const route_nft_chain_names[ROUTE_NFT_CHAINS] = { "prerouting", "forward" };

/* Each adder returns false when out of memory. */
static bool add(struct nftnl_rule *r, struct nftnl_expr *e)
{
	if (!e)
		return false;
	nftnl_rule_add_expr(r, e);
	return true;
}

static bool ct_load(struct nftnl_rule *r, uint32_t key)
{
	struct nftnl_expr *e = nftnl_expr_alloc("ct");
	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, key);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, NFT_REG_1);
	}
	return add(r, e);
}

static bool meta_load(struct nftnl_rule *r, uint32_t key)
{
	struct nftnl_expr *e = nftnl_expr_alloc("meta");
	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
	}
	return add(r, e);
}

/* reg1 = (reg1 & and) ^ xor, 32 bits */
static bool bitwise(struct nftnl_rule *r, uint32_t and, uint32_t xor)
{
	struct nftnl_expr *e = nftnl_expr_alloc("bitwise");
	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, sizeof(uint32_t));
		nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, &and, sizeof(and));
		nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, &xor, sizeof(xor));
	}
	return add(r, e);
}

static bool cmp(struct nftnl_rule *r, uint32_t op, const void *data, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("cmp");
	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
		nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	}
	return add(r, e);
}

static bool cmp_eq(struct nftnl_rule *r, const void *data, uint32_t len)
{
	return cmp(r, NFT_CMP_EQ, data, len);
}

/* ct mark & mask == value (!= with neq) */
static bool ct_mark_is(struct nftnl_rule *r, uint32_t mask, uint32_t value, bool neq)
{
	return ct_load(r, NFT_CT_MARK) && bitwise(r, mask, 0) &&
	       cmp(r, neq ? NFT_CMP_NEQ : NFT_CMP_EQ, &value, sizeof(value));
}

/* The rule's verdict: accept, which ends this chain only (every other
 * table's chains still see the packet). */
static bool verdict_accept(struct nftnl_rule *r)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");
	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, NF_ACCEPT);
	}
	return add(r, e);
}

static bool set_key(struct nftnl_rule *r, const char *kind, uint32_t key)
{
	struct nftnl_expr *e = nftnl_expr_alloc(kind);
	if (e) {
		nftnl_expr_set_u32(e, strcmp(kind, "ct") ? NFTNL_EXPR_META_KEY : NFTNL_EXPR_CT_KEY, key);
		nftnl_expr_set_u32(e, strcmp(kind, "ct") ? NFTNL_EXPR_META_SREG : NFTNL_EXPR_CT_SREG,
				   NFT_REG_1);
	}
	return add(r, e);
}

static struct nftnl_rule *rule_new(const char *table, int c)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	if (!r)
		return NULL;
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, route_nft_chain_names[c]);
	return r;
}

static struct nftnl_rule *done(struct nftnl_rule *r, bool ok)
{
	if (ok)
		return r;
	if (r)
		nftnl_rule_free(r);
	return NULL;
}

/* The first rule of each chain takes most packets out at once: in
 * prerouting those of unmarked flows (nothing to restore), in forward
 * those of marked ones (nothing to mark). c 0: ct mark & MASK == 0 accept;
 * c 1: ct mark & MASK != 0 accept. */
static struct nftnl_rule *skip_rule(const char *table, uint32_t mask, int c)
{
	struct nftnl_rule *r = rule_new(table, c);
	return done(r, r && ct_mark_is(r, mask, 0, c == 1) && verdict_accept(r));
}

/* prerouting: ct mark & MASK == M  meta mark set meta mark & ~MASK | M  accept */
static struct nftnl_rule *restore_rule(const char *table, uint32_t mask, uint32_t mark)
{
	struct nftnl_rule *r = rule_new(table, 0);
	return done(r, r && ct_mark_is(r, mask, mark, false) && meta_load(r, NFT_META_MARK) &&
		    bitwise(r, ~mask, mark) && set_key(r, "meta", NFT_META_MARK) && verdict_accept(r));
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
	return done(r, r && ct_load(r, NFT_CT_DIRECTION) && cmp_eq(r, &dir, sizeof(dir)) &&
		    meta_load(r, ifkey) && cmp_eq(r, name, IFNAMSIZ) && ct_load(r, NFT_CT_MARK) &&
		    bitwise(r, ~mask, m->mark) && set_key(r, "ct", NFT_CT_MARK) && verdict_accept(r));
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
	nftnl_rule_unset(r, NFTNL_RULE_HANDLE);
	nftnl_rule_unset(r, NFTNL_RULE_POSITION);
	if (nftnl_rule_snprintf(buf, size, r, NFTNL_OUTPUT_DEFAULT, 0) < 0 && size)
		buf[0] = '\0';
}
