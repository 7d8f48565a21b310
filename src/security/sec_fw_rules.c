/* sec_fw_rules: the listeners' firewall table as libnftnl objects (the
 * layout is in sec_fw.h). No sockets here. */
#include "security/sec_fw.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>

#include "route/route_nftx.h"

#define CHAIN "input"
/* nft's datatype numbers, so that `nft list` prints our sets' elements. */
#define TYPE_IPADDR 7
#define TYPE_IP6ADDR 8
#define TYPE_INET_SERVICE 13

const char *const sec_fw_set_names[SEC_FW_S_N] = {
	"ports", "allow4", "allow6", "ban4", "ban6", "flood4", "flood6", "conn4", "conn6",
};

static const struct {
	uint32_t type, len, flags, size;
	uint64_t timeout_ms;
} set_defs[SEC_FW_S_N] = {
	[SEC_FW_S_PORTS] = { TYPE_INET_SERVICE, 2, 0, 0, 0 },
	[SEC_FW_S_ALLOW4] = { TYPE_IPADDR, 4, NFT_SET_INTERVAL, 0, 0 },
	[SEC_FW_S_ALLOW6] = { TYPE_IP6ADDR, 16, NFT_SET_INTERVAL, 0, 0 },
	[SEC_FW_S_BAN4] = { TYPE_IPADDR, 4, NFT_SET_TIMEOUT, 0, 0 },
	[SEC_FW_S_BAN6] = { TYPE_IP6ADDR, 16, NFT_SET_TIMEOUT, 0, 0 },
	[SEC_FW_S_FLOOD4] = { TYPE_IPADDR, 4, NFT_SET_EVAL | NFT_SET_TIMEOUT, SEC_FW_SET_SIZE,
			      60000 },
	[SEC_FW_S_FLOOD6] = { TYPE_IP6ADDR, 16, NFT_SET_EVAL | NFT_SET_TIMEOUT, SEC_FW_SET_SIZE,
			      60000 },
	[SEC_FW_S_CONN4] = { TYPE_IPADDR, 4, NFT_SET_EVAL, SEC_FW_SET_SIZE, 0 },
	[SEC_FW_S_CONN6] = { TYPE_IP6ADDR, 16, NFT_SET_EVAL, SEC_FW_SET_SIZE, 0 },
};

bool sec_fw_set_static(enum sec_fw_set s)
{
	return s == SEC_FW_S_PORTS || s == SEC_FW_S_ALLOW4 || s == SEC_FW_S_ALLOW6;
}

void sec_fw_elem_text(const void *key, size_t len, uint32_t flags, char *buf, size_t size)
{
	const uint8_t *k = key;
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < len && used + 3 < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "%02x", k[i]);
	snprintf(buf + used, size > used ? size - used : 0, "/%u", flags);
}

/* ---- interval elements ------------------------------------------------------ */

struct range {
	uint8_t lo[16], hi[16];
};

static int range_cmp(const void *a, const void *b)
{
	return memcmp(((const struct range *)a)->lo, ((const struct range *)b)->lo, 16);
}

/* x + 1 in place, big-endian over len bytes; false when it wraps. */
static bool incr(uint8_t *x, size_t len)
{
	for (size_t i = len; i-- > 0;)
		if (++x[i] != 0)
			return true;
	return false;
}

size_t sec_fw_interval(const struct sec_acl *acl, int family, struct sec_fw_elem *out)
{
	struct range r[SEC_ACL_MAX];
	size_t n = 0, len = family == AF_INET ? 4 : 16, k = 0;
	for (size_t i = 0; i < acl->n; i++) {
		const struct sec_net *net = &acl->v[i];
		if (net->addr.family != family)
			continue;
		memset(&r[n], 0, sizeof(r[n]));
		memcpy(r[n].lo, net->addr.a, len);
		memcpy(r[n].hi, net->addr.a, len);
		for (size_t b = net->prefix; b < len * 8; b++)
			r[n].hi[b / 8] |= (uint8_t)(0x80u >> (b % 8));
		n++;
	}
	qsort(r, n, sizeof(r[0]), range_cmp);
	size_t m = 0;           /* merge what overlaps or touches */
	for (size_t i = 0; i < n; i++) {
		uint8_t next[16];
		if (m) {
			memcpy(next, r[m - 1].hi, 16);
			bool top = !incr(next, len);
			if (top || memcmp(r[i].lo, next, len) <= 0) {
				if (memcmp(r[i].hi, r[m - 1].hi, len) > 0)
					memcpy(r[m - 1].hi, r[i].hi, 16);
				continue;
			}
		}
		r[m++] = r[i];
	}
	static const uint8_t zero[16];
	if (m && memcmp(r[0].lo, zero, len) != 0)
		out[k++] = (struct sec_fw_elem){ .len = (uint8_t)len,
						 .flags = NFT_SET_ELEM_INTERVAL_END };
	for (size_t i = 0; i < m; i++) {
		out[k] = (struct sec_fw_elem){ .len = (uint8_t)len };
		memcpy(out[k++].key, r[i].lo, len);
		uint8_t end[16];
		memcpy(end, r[i].hi, 16);
		if (incr(end, len)) {
			out[k] = (struct sec_fw_elem){ .len = (uint8_t)len,
						       .flags = NFT_SET_ELEM_INTERVAL_END };
			memcpy(out[k++].key, end, len);
		}
	}
	return k;
}

/* ---- sets ------------------------------------------------------------------- */

static bool add_elem(struct nftnl_set *s, const void *key, size_t len, uint32_t flags)
{
	struct nftnl_set_elem *e = nftnl_set_elem_alloc();
	if (!e)
		return false;
	nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key, (uint32_t)len);
	if (flags)
		nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_FLAGS, flags);
	nftnl_set_elem_add(s, e);
	return true;
}

static struct nftnl_set *set_new(const char *table, int i, const struct sec_fw_want *w)
{
	struct nftnl_set *s = nftnl_set_alloc();
	if (!s)
		return NULL;
	nftnl_set_set_str(s, NFTNL_SET_TABLE, table);
	nftnl_set_set_str(s, NFTNL_SET_NAME, sec_fw_set_names[i]);
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_INET);
	nftnl_set_set_u32(s, NFTNL_SET_ID, (uint32_t)i + 1);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, set_defs[i].type);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, set_defs[i].len);
	nftnl_set_set_u32(s, NFTNL_SET_FLAGS, set_defs[i].flags);
	if (set_defs[i].size)
		nftnl_set_set_u32(s, NFTNL_SET_DESC_SIZE, set_defs[i].size);
	if (set_defs[i].timeout_ms)
		nftnl_set_set_u64(s, NFTNL_SET_TIMEOUT, set_defs[i].timeout_ms);
	bool ok = true;
	if (i == SEC_FW_S_PORTS) {
		for (size_t p = 0; p < w->n_ports && ok; p++) {
			uint16_t port = htons(w->ports[p]);
			ok = add_elem(s, &port, 2, 0);
		}
	} else if (i == SEC_FW_S_ALLOW4 || i == SEC_FW_S_ALLOW6) {
		struct sec_fw_elem e[SEC_FW_ELEMS_MAX];
		size_t n = sec_fw_interval(&w->acl, i == SEC_FW_S_ALLOW4 ? AF_INET : AF_INET6, e);
		for (size_t k = 0; k < n && ok; k++)
			ok = add_elem(s, e[k].key, e[k].len, e[k].flags);
	}
	if (!ok) {
		nftnl_set_free(s);
		return NULL;
	}
	return s;
}

/* ---- rules -------------------------------------------------------------------- */

static const uint8_t nf4 = NFPROTO_IPV4, nf6 = NFPROTO_IPV6, tcp = 6;

/* ip saddr / ip6 saddr into register 1 (with the family check nft adds) */
static bool saddr(struct nftnl_rule *r, bool v6)
{
	return nftx_meta_load(r, NFT_META_NFPROTO) &&
	       nftx_cmp(r, NFT_CMP_EQ, v6 ? &nf6 : &nf4, 1) &&
	       nftx_payload(r, NFT_PAYLOAD_NETWORK_HEADER, v6 ? 8 : 12, v6 ? 16 : 4);
}

static bool ct_new(struct nftnl_rule *r)
{
	uint32_t zero = 0;
	return nftx_ct_load(r, NFT_CT_STATE) && nftx_bitwise(r, NF_CT_STATE_BIT(IP_CT_NEW), 0) &&
	       nftx_cmp(r, NFT_CMP_NEQ, &zero, sizeof(zero));
}

static bool drop_counted(struct nftnl_rule *r)
{
	return nftx_counter(r) && nftx_verdict(r, NF_DROP);
}

static struct nftnl_expr *limit_over(void)
{
	struct nftnl_expr *e = nftnl_expr_alloc("limit");
	if (e) {
		nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_RATE, SEC_FW_SYN_RATE);
		nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_UNIT, 1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_BURST, SEC_FW_SYN_BURST);
		nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_TYPE, NFT_LIMIT_PKTS);
		nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_FLAGS, NFT_LIMIT_F_INV);
	}
	return e;
}

static struct nftnl_expr *count_over(void)
{
	struct nftnl_expr *e = nftnl_expr_alloc("connlimit");
	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CONNLIMIT_COUNT, SEC_FW_CONNS);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CONNLIMIT_FLAGS, NFT_CONNLIMIT_F_INV);
	}
	return e;
}

static bool push(struct sec_fw_objs *o, struct nftnl_rule *r, int drop)
{
	if (!r || o->n_rules >= SEC_FW_RULES_MAX) {
		if (r)
			nftnl_rule_free(r);
		return false;
	}
	o->drop_kind[o->n_rules] = drop;
	o->rules[o->n_rules++] = r;
	return true;
}

static bool family_rules(const char *table, const struct sec_fw_want *w, struct sec_fw_objs *o,
			 int kind, bool v6)
{
	struct nftnl_rule *r = nftx_rule_new(table, CHAIN);
	int ban = v6 ? SEC_FW_S_BAN6 : SEC_FW_S_BAN4, flood = v6 ? SEC_FW_S_FLOOD6 : SEC_FW_S_FLOOD4,
	    conn = v6 ? SEC_FW_S_CONN6 : SEC_FW_S_CONN4, allow = v6 ? SEC_FW_S_ALLOW6 :
								  SEC_FW_S_ALLOW4;
	switch (kind) {
	case SEC_FW_D_BANNED:
		return push(o, nftx_rule_done(r, r && saddr(r, v6) &&
					      nftx_lookup(r, sec_fw_set_names[ban], ban + 1, false) &&
					      drop_counted(r)), SEC_FW_D_BANNED);
	case SEC_FW_D_FLOOD:
		return push(o, nftx_rule_done(r, r && ct_new(r) && saddr(r, v6) &&
					      nftx_dynset(r, sec_fw_set_names[flood], flood + 1,
							  limit_over()) && drop_counted(r)),
			    SEC_FW_D_FLOOD);
	case SEC_FW_D_CONNS:
		return push(o, nftx_rule_done(r, r && ct_new(r) && saddr(r, v6) &&
					      nftx_dynset(r, sec_fw_set_names[conn], conn + 1,
							  count_over()) && drop_counted(r)),
			    SEC_FW_D_CONNS);
	default:        /* allowed: mark for fw4's include, accept */
		return push(o, nftx_rule_done(r, r && saddr(r, v6) &&
					      nftx_lookup(r, sec_fw_set_names[allow], allow + 1,
							  false) &&
					      nftx_meta_load(r, NFT_META_MARK) &&
					      nftx_bitwise(r, ~SEC_FW_MARK, SEC_FW_MARK) &&
					      nftx_set_key(r, "meta", NFT_META_MARK) &&
					      nftx_verdict(r, NF_ACCEPT)), -1);
	}
}

static bool rules(const char *table, const struct sec_fw_want *w, struct sec_fw_objs *o)
{
	struct nftnl_rule *r = nftx_rule_new(table, CHAIN);
	uint32_t lo = 1;        /* the loopback device is ifindex 1 in every namespace */
	bool ok = push(o, nftx_rule_done(r, r && nftx_meta_load(r, NFT_META_L4PROTO) &&
					 nftx_cmp(r, NFT_CMP_NEQ, &tcp, 1) &&
					 nftx_verdict(r, NF_ACCEPT)), -1);
	r = ok ? nftx_rule_new(table, CHAIN) : NULL;
	ok = ok && push(o, nftx_rule_done(r, r && nftx_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER,
								   2, 2) &&
					  nftx_lookup(r, sec_fw_set_names[SEC_FW_S_PORTS],
						      SEC_FW_S_PORTS + 1, true) &&
					  nftx_verdict(r, NF_ACCEPT)), -1);
	if (ok && w->allow_loopback) {
		r = nftx_rule_new(table, CHAIN);
		ok = push(o, nftx_rule_done(r, r && nftx_meta_load(r, NFT_META_IIF) &&
					    nftx_cmp(r, NFT_CMP_EQ, &lo, sizeof(lo)) &&
					    nftx_verdict(r, NF_ACCEPT)), -1);
	}
	static const int order[] = { SEC_FW_D_BANNED, SEC_FW_D_FLOOD, SEC_FW_D_CONNS, -1 };
	for (size_t i = 0; ok && i < sizeof(order) / sizeof(order[0]); i++) {
		if (!w->ddos && (order[i] == SEC_FW_D_FLOOD || order[i] == SEC_FW_D_CONNS))
			continue;
		ok = family_rules(table, w, o, order[i], false) &&
		     family_rules(table, w, o, order[i], true);
	}
	r = ok ? nftx_rule_new(table, CHAIN) : NULL;
	return ok && push(o, nftx_rule_done(r, r && drop_counted(r)), SEC_FW_D_NOT_ALLOWED);
}

int sec_fw_build(const char *table, const struct sec_fw_want *w, struct sec_fw_objs *o)
{
	memset(o, 0, sizeof(*o));
	for (int i = 0; i < SEC_FW_S_N; i++)
		if (!(o->sets[i] = set_new(table, i, w))) {
			sec_fw_objs_free(o);
			return -1;
		}
	if (!rules(table, w, o)) {
		sec_fw_objs_free(o);
		return -1;
	}
	return 0;
}

void sec_fw_objs_free(struct sec_fw_objs *o)
{
	for (int i = 0; i < SEC_FW_S_N; i++)
		if (o->sets[i])
			nftnl_set_free(o->sets[i]);
	for (size_t i = 0; i < o->n_rules; i++)
		nftnl_rule_free(o->rules[i]);
	memset(o, 0, sizeof(*o));
}
