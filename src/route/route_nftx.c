/* route_nftx: batches and expressions shared by our nftables tables
 * (route_nftx.h). */
#include "route/route_nftx.h"
#include "route/route_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#define NFTX_BATCH_BUF (256 * 1024)

/* ---- one batch ------------------------------------------------------------- */

int nftx_batch_start(struct nftx_batch *bt, struct route_nl *nl)
{
	memset(bt, 0, sizeof(*bt));
	bt->seq = nl->seq + 1;
	bt->buf = malloc(NFTX_BATCH_BUF);
	if (!bt->buf || !(bt->b = mnl_nlmsg_batch_start(bt->buf, NFTX_BATCH_BUF))) {
		free(bt->buf);
		bt->buf = NULL;
		errno = ENOMEM;
		return -1;
	}
	nftnl_batch_begin(mnl_nlmsg_batch_current(bt->b), bt->seq++);
	mnl_nlmsg_batch_next(bt->b);
	bt->first = bt->seq;
	return 0;
}

static struct nlmsghdr *next_hdr(struct nftx_batch *bt, uint16_t type, uint16_t flags)
{
	return nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(bt->b), type, NFPROTO_INET,
				     flags | NLM_F_ACK, bt->seq++);
}

static void done_msg(struct nftx_batch *bt)
{
	mnl_nlmsg_batch_next(bt->b);
	bt->count++;
}

void nftx_batch_table(struct nftx_batch *bt, const char *table, uint16_t type, uint16_t flags)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh = next_hdr(bt, type, flags);
	if (t) {
		nftnl_table_set_str(t, NFTNL_TABLE_NAME, table);
		nftnl_table_nlmsg_build_payload(nlh, t);
		nftnl_table_free(t);
	}
	done_msg(bt);
}

int nftx_batch_chain(struct nftx_batch *bt, const char *table, const char *name, uint32_t hook,
		     int32_t prio)
{
	struct nftnl_chain *ch = nftnl_chain_alloc();
	if (!ch)
		return -1;
	nftnl_chain_set_str(ch, NFTNL_CHAIN_TABLE, table);
	nftnl_chain_set_str(ch, NFTNL_CHAIN_NAME, name);
	nftnl_chain_set_u32(ch, NFTNL_CHAIN_HOOKNUM, hook);
	nftnl_chain_set_s32(ch, NFTNL_CHAIN_PRIO, prio);
	nftnl_chain_set_str(ch, NFTNL_CHAIN_TYPE, "filter");
	nftnl_chain_set_u32(ch, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	nftnl_chain_nlmsg_build_payload(next_hdr(bt, NFT_MSG_NEWCHAIN, NLM_F_CREATE), ch);
	nftnl_chain_free(ch);
	done_msg(bt);
	return 0;
}

void nftx_batch_rule(struct nftx_batch *bt, struct nftnl_rule *r)
{
	nftnl_rule_nlmsg_build_payload(next_hdr(bt, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND),
				       r);
	done_msg(bt);
}

void nftx_batch_set(struct nftx_batch *bt, struct nftnl_set *s)
{
	nftnl_set_nlmsg_build_payload(next_hdr(bt, NFT_MSG_NEWSET, NLM_F_CREATE), s);
	done_msg(bt);
}

void nftx_batch_elems(struct nftx_batch *bt, struct nftnl_set *s, uint16_t type)
{
	nftnl_set_elems_nlmsg_build_payload(next_hdr(bt, type, type == NFT_MSG_NEWSETELEM ?
						     NLM_F_CREATE : 0), s);
	done_msg(bt);
}

struct nftx_ack {
	int err;
	char extack[96];
};

static void on_ack(void *arg, size_t idx, int err, const char *extack)
{
	struct nftx_ack *a = arg;
	(void)idx;
	if (err && !a->err) {
		a->err = err;
		snprintf(a->extack, sizeof(a->extack), "%s", extack);
	}
}

void nftx_batch_abort(struct nftx_batch *bt)
{
	if (bt->b)
		mnl_nlmsg_batch_stop(bt->b);
	free(bt->buf);
	memset(bt, 0, sizeof(*bt));
}

int nftx_batch_commit(struct nftx_batch *bt, struct route_nl *nl, char *extack,
		      size_t extack_size)
{
	struct nftx_ack a = { 0 };
	nftnl_batch_end(mnl_nlmsg_batch_current(bt->b), bt->seq++);
	mnl_nlmsg_batch_next(bt->b);
	nl->seq = bt->seq;
	int rc = route_nl_transact(nl, mnl_nlmsg_batch_head(bt->b), mnl_nlmsg_batch_size(bt->b),
				   bt->first, bt->count, on_ack, &a, ROUTE_NL_TIMEOUT_MS);
	int e = errno;
	if (rc == 0 && a.err) {
		e = -a.err;
		rc = -1;
	}
	if (extack_size)
		snprintf(extack, extack_size, "%s", a.extack);
	nftx_batch_abort(bt);
	errno = e;
	return rc;
}

/* ---- expressions --------------------------------------------------------------- */

bool nftx_add(struct nftnl_rule *r, struct nftnl_expr *e)
{
	if (!e)
		return false;
	nftnl_rule_add_expr(r, e);
	return true;
}

bool nftx_ct_load(struct nftnl_rule *r, uint32_t key)
{
	struct nftnl_expr *e = nftnl_expr_alloc("ct");
	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, key);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, NFT_REG_1);
	}
	return nftx_add(r, e);
}

bool nftx_meta_load(struct nftnl_rule *r, uint32_t key)
{
	struct nftnl_expr *e = nftnl_expr_alloc("meta");
	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
	}
	return nftx_add(r, e);
}

bool nftx_bitwise(struct nftnl_rule *r, uint32_t and, uint32_t xor)
{
	struct nftnl_expr *e = nftnl_expr_alloc("bitwise");
	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, sizeof(uint32_t));
		nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, &and, sizeof(and));
		nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, &xor, sizeof(xor));
	}
	return nftx_add(r, e);
}

bool nftx_cmp(struct nftnl_rule *r, uint32_t op, const void *data, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("cmp");
	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
		nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	}
	return nftx_add(r, e);
}

bool nftx_set_key(struct nftnl_rule *r, const char *kind, uint32_t key)
{
	bool ct = strcmp(kind, "ct") == 0;
	struct nftnl_expr *e = nftnl_expr_alloc(kind);
	if (e) {
		nftnl_expr_set_u32(e, ct ? NFTNL_EXPR_CT_KEY : NFTNL_EXPR_META_KEY, key);
		nftnl_expr_set_u32(e, ct ? NFTNL_EXPR_CT_SREG : NFTNL_EXPR_META_SREG, NFT_REG_1);
	}
	return nftx_add(r, e);
}

bool nftx_payload(struct nftnl_rule *r, uint32_t base, uint32_t offset, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("payload");
	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	}
	return nftx_add(r, e);
}

bool nftx_lookup(struct nftnl_rule *r, const char *set, uint32_t id, bool inverted)
{
	struct nftnl_expr *e = nftnl_expr_alloc("lookup");
	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
		nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set);
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, id);
		if (inverted)
			nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_FLAGS, NFT_LOOKUP_F_INV);
	}
	return nftx_add(r, e);
}

bool nftx_counter(struct nftnl_rule *r)
{
	return nftx_add(r, nftnl_expr_alloc("counter"));
}

bool nftx_verdict(struct nftnl_rule *r, int verdict)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");
	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)verdict);
	}
	return nftx_add(r, e);
}

bool nftx_dynset(struct nftnl_rule *r, const char *set, uint32_t id, struct nftnl_expr *inner)
{
	struct nftnl_expr *e = inner ? nftnl_expr_alloc("dynset") : NULL;
	if (!e) {
		if (inner)
			nftnl_expr_free(inner);
		return false;
	}
	nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_SREG_KEY, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_OP, NFT_DYNSET_OP_ADD);
	nftnl_expr_set_str(e, NFTNL_EXPR_DYNSET_SET_NAME, set);
	nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_SET_ID, id);
	nftnl_expr_set(e, NFTNL_EXPR_DYNSET_EXPR, inner, 0);
	return nftx_add(r, e);
}

struct nftnl_rule *nftx_rule_new(const char *table, const char *chain)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	if (!r)
		return NULL;
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	return r;
}

struct nftnl_rule *nftx_rule_done(struct nftnl_rule *r, bool ok)
{
	if (ok)
		return r;
	if (r)
		nftnl_rule_free(r);
	return NULL;
}

static int zero_counter(struct nftnl_expr *e, void *arg)
{
	(void)arg;
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
	if (name && strcmp(name, "counter") == 0) {
		nftnl_expr_set_u64(e, NFTNL_EXPR_CTR_PACKETS, 0);
		nftnl_expr_set_u64(e, NFTNL_EXPR_CTR_BYTES, 0);
	}
	return 0;
}

void nftx_rule_text(struct nftnl_rule *r, char *buf, size_t size)
{
	nftnl_rule_unset(r, NFTNL_RULE_HANDLE);
	nftnl_rule_unset(r, NFTNL_RULE_POSITION);
	nftnl_expr_foreach(r, zero_counter, NULL);
	if (nftnl_rule_snprintf(buf, size, r, NFTNL_OUTPUT_DEFAULT, 0) < 0 && size)
		buf[0] = '\0';
}
