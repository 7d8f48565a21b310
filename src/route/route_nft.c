/* route_nft: our flow-marking table in the kernel (layout and rationale in
 * route_nft.h): read back, compare, replace atomically, remove, watch.
 *
 * Every request names our table: the table itself and its two chains are
 * fetched by name, the rule dump is filtered by the table in the kernel, and
 * the batch that rebuilds it adds, deletes and adds again only that table.
 * Nothing here lists, flushes or changes anyone else's tables. */
#include "route/route_nft.h"
#include "route/route_int.h"
#include "route/route_nftx.h"

#include "core/clock.h"
#include "core/log.h"
#include "core/nlwalk.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/event.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#define NFT_MAX_RULES   (ROUTE_MAX_MEMBERS * 2 + 1)       /* per chain */
#define NFT_RULE_TEXT   1024
#define EV_READ_BUDGET  64

static const uint32_t chain_hooks[ROUTE_NFT_CHAINS] = { NF_INET_PRE_ROUTING, NF_INET_FORWARD };

struct route_nft {
	char table[ROUTE_NFT_NAME_MAX];
	uint32_t mask;
	struct route_nl nl;
	struct route_nft_state st;
	struct mnl_socket *ev;
	struct event *ev_read;
	void (*cb)(void *);
	void *cb_arg;
};

/* What a read-back found: our table, its chains, its rules as text. */
struct nft_have {
	const char *name;       /* our table's (a kernel that ignores the dump
				 * filter sends every table's rules) */
	bool table;
	uint32_t flags, use;
	bool chain_ok[ROUTE_NFT_CHAINS];
	char *text[ROUTE_NFT_CHAINS][NFT_MAX_RULES];
	size_t n[ROUTE_NFT_CHAINS];
	unsigned rules;
	bool overflow;
};

static void have_free(struct nft_have *h)
{
	for (int c = 0; c < ROUTE_NFT_CHAINS; c++)
		for (size_t i = 0; i < h->n[c]; i++)
			free(h->text[c][i]);
	memset(h, 0, sizeof(*h));
}

static void have_clear_rules(struct nft_have *h)
{
	for (int c = 0; c < ROUTE_NFT_CHAINS; c++)
		while (h->n[c])
			free(h->text[c][--h->n[c]]);
	h->rules = 0;
	h->overflow = false;
}

/* ---- read back ---------------------------------------------------------------- */

static int on_table(const struct nlmsghdr *nlh, void *arg)
{
	struct nft_have *h = arg;
	struct nftnl_table *t = nftnl_table_alloc();
	if (!t)
		return -1;
	if (nftnl_table_nlmsg_parse(nlh, t) == 0) {
		h->table = true;
		h->flags = nftnl_table_get_u32(t, NFTNL_TABLE_FLAGS);
		h->use = nftnl_table_get_u32(t, NFTNL_TABLE_USE);
	}
	nftnl_table_free(t);
	return 0;
}

struct chain_arg {
	struct nft_have *h;
	int c;
};

/* A base chain as we make it: our hook, mangle priority, filter, accept. */
static int on_chain(const struct nlmsghdr *nlh, void *arg)
{
	struct chain_arg *a = arg;
	struct nftnl_chain *ch = nftnl_chain_alloc();
	if (!ch)
		return -1;
	if (nftnl_chain_nlmsg_parse(nlh, ch) == 0) {
		const char *type = nftnl_chain_get_str(ch, NFTNL_CHAIN_TYPE);
		a->h->chain_ok[a->c] =
			nftnl_chain_is_set(ch, NFTNL_CHAIN_HOOKNUM) &&
			nftnl_chain_get_u32(ch, NFTNL_CHAIN_HOOKNUM) == chain_hooks[a->c] &&
			nftnl_chain_get_s32(ch, NFTNL_CHAIN_PRIO) == ROUTE_NFT_PRIO_MANGLE &&
			nftnl_chain_get_u32(ch, NFTNL_CHAIN_POLICY) == NF_ACCEPT &&
			type && strcmp(type, "filter") == 0;
	}
	nftnl_chain_free(ch);
	return 0;
}

static int on_rule(const struct nlmsghdr *nlh, void *arg)
{
	struct nft_have *h = arg;
	struct nftnl_rule *r = nftnl_rule_alloc();
	char text[NFT_RULE_TEXT];
	if (!r)
		return -1;
	if (nftnl_rule_nlmsg_parse(nlh, r) == 0) {
		const char *chain = nftnl_rule_get_str(r, NFTNL_RULE_CHAIN);
		const char *table = nftnl_rule_get_str(r, NFTNL_RULE_TABLE);
		if (!table || strcmp(table, h->name) != 0)
			chain = NULL;
		else
			h->rules++;
		for (int c = 0; chain && c < ROUTE_NFT_CHAINS; c++) {
			if (strcmp(chain, route_nft_chain_names[c]) != 0)
				continue;
			if (h->n[c] == NFT_MAX_RULES) {
				h->overflow = true;
				break;
			}
			route_nft_rule_text(r, text, sizeof(text));
			h->text[c][h->n[c]] = strdup(text);
			if (!h->text[c][h->n[c]]) {
				nftnl_rule_free(r);
				return -1;
			}
			h->n[c]++;
		}
	}
	nftnl_rule_free(r);
	return 0;
}

static struct nlmsghdr *get_table_msg(struct route_nft *n, char *buf)
{
	struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETTABLE, NFPROTO_INET,
						     NLM_F_ACK, 0);
	struct nftnl_table *t = nftnl_table_alloc();
	if (!t)
		return NULL;
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, n->table);
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	return nlh;
}

/* 0 (h filled; h->table false when there is none) or -1 with errno. */
static int read_back_into(struct route_nft *n, struct nft_have *h)
{
	char buf[512] __attribute__((aligned(8)));
	memset(h, 0, sizeof(*h));
	h->name = n->table;
	struct nlmsghdr *nlh = get_table_msg(n, buf);
	if (!nlh)
		return -1;
	if (route_nl_dump(&n->nl, nlh, on_table, h, ROUTE_NL_TIMEOUT_MS) < 0)
		return errno == ENOENT ? 0 : -1;
	for (int c = 0; c < ROUTE_NFT_CHAINS; c++) {
		struct chain_arg a = { h, c };
		struct nftnl_chain *ch = nftnl_chain_alloc();
		if (!ch)
			return -1;
		nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETCHAIN, NFPROTO_INET, NLM_F_ACK, 0);
		nftnl_chain_set_str(ch, NFTNL_CHAIN_TABLE, n->table);
		nftnl_chain_set_str(ch, NFTNL_CHAIN_NAME, route_nft_chain_names[c]);
		nftnl_chain_nlmsg_build_payload(nlh, ch);
		nftnl_chain_free(ch);
		if (route_nl_dump(&n->nl, nlh, on_chain, &a, ROUTE_NL_TIMEOUT_MS) < 0 &&
		    errno != ENOENT)
			return -1;
	}
	struct nftnl_rule *r = nftnl_rule_alloc();
	if (!r)
		return -1;
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETRULE, NFPROTO_INET, NLM_F_DUMP, 0);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, n->table);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	nftnl_rule_free(r);
	for (int tries = 0; tries < 3; tries++) {
		have_clear_rules(h);
		if (route_nl_dump(&n->nl, nlh, on_rule, h, ROUTE_NL_TIMEOUT_MS) == 0)
			return 0;
		if (errno != EINTR)     /* interrupted: the ruleset changed, again */
			return -1;
	}
	return -1;
}

/* As read_back_into; on failure h holds nothing (to free). */
static int read_back(struct route_nft *n, struct nft_have *h)
{
	int rc = read_back_into(n, h);
	if (rc < 0) {
		int e = errno;
		have_free(h);
		errno = e;
	}
	return rc;
}

/* ---- compare --------------------------------------------------------------------- */

struct nft_want {
	struct nftnl_rule *r[ROUTE_NFT_CHAINS][NFT_MAX_RULES];
	int n[ROUTE_NFT_CHAINS];
};

static void want_free(struct nft_want *w)
{
	for (int c = 0; c < ROUTE_NFT_CHAINS; c++)
		for (int i = 0; i < w->n[c]; i++)
			nftnl_rule_free(w->r[c][i]);
	memset(w, 0, sizeof(*w));
}

static int want_build(struct route_nft *n, const struct route_nft_member *m, size_t k,
		      struct nft_want *w)
{
	memset(w, 0, sizeof(*w));
	for (int c = 0; c < ROUTE_NFT_CHAINS; c++) {
		w->n[c] = route_nft_rules(n->table, n->mask, m, k, c, w->r[c], NFT_MAX_RULES);
		if (w->n[c] < 0) {
			w->n[c] = 0;
			want_free(w);
			return -1;
		}
	}
	return 0;
}

/* "" when the kernel holds exactly what is wanted; else the first reason. */
static void compare(const struct nft_have *h, struct nft_want *w, size_t k, char *why,
		    size_t size)
{
	char text[NFT_RULE_TEXT];
	why[0] = '\0';
	if (!h->table) {
		if (k)
			snprintf(why, size, "no table");
		return;
	}
	if (!k) {
		snprintf(why, size, "table present without members");
		return;
	}
	if (h->flags) {
		snprintf(why, size, "table flags 0x%x (dormant?)", h->flags);
		return;
	}
	if (h->use != ROUTE_NFT_CHAINS || h->overflow) {
		snprintf(why, size, "table holds %u objects, not our %d chains", h->use,
			 ROUTE_NFT_CHAINS);
		return;
	}
	for (int c = 0; c < ROUTE_NFT_CHAINS; c++) {
		if (!h->chain_ok[c]) {
			snprintf(why, size, "chain %s missing or changed", route_nft_chain_names[c]);
			return;
		}
		if (h->n[c] != (size_t)w->n[c]) {
			snprintf(why, size, "chain %s: %zu rules, %d wanted", route_nft_chain_names[c],
				 h->n[c], w->n[c]);
			return;
		}
		for (size_t i = 0; i < h->n[c]; i++) {
			route_nft_rule_text(w->r[c][i], text, sizeof(text));
			if (strcmp(text, h->text[c][i]) != 0) {
				snprintf(why, size, "chain %s: rule %zu differs", route_nft_chain_names[c],
					 i + 1);
				return;
			}
		}
	}
}

/* ---- apply --------------------------------------------------------------------------- */

/* One atomic batch: (add, delete) our table, then with want: add it again
 * with its chains and rules. The first add makes the delete valid when the
 * table is absent. 0, or -1 with st.error set. */
static int apply(struct route_nft *n, struct nft_want *w)
{
	struct nftx_batch bt;
	char extack[96] = "";
	int rc = -1;
	if (nftx_batch_start(&bt, &n->nl) < 0)
		return -1;
	nftx_batch_table(&bt, n->table, NFT_MSG_NEWTABLE, NLM_F_CREATE);
	nftx_batch_table(&bt, n->table, NFT_MSG_DELTABLE, 0);
	if (w) {
		nftx_batch_table(&bt, n->table, NFT_MSG_NEWTABLE, NLM_F_CREATE);
		for (int c = 0; c < ROUTE_NFT_CHAINS; c++) {
			if (nftx_batch_chain(&bt, n->table, route_nft_chain_names[c], chain_hooks[c],
					     ROUTE_NFT_PRIO_MANGLE) < 0) {
				nftx_batch_abort(&bt);
				errno = ENOMEM;
				goto out;
			}
			for (int i = 0; i < w->n[c]; i++)
				nftx_batch_rule(&bt, w->r[c][i]);
		}
	}
	rc = nftx_batch_commit(&bt, &n->nl, extack, sizeof(extack));
out:
	if (rc < 0)
		snprintf(n->st.error, sizeof(n->st.error), "table inet %s: %s%s%s", n->table,
			 strerror(errno), extack[0] ? ": " : "", extack);
	return rc;
}

/* ---- the interface --------------------------------------------------------------------- */

static void note_unavailable(struct route_nft *n, int e)
{
	n->st.available = false;
	snprintf(n->st.error, sizeof(n->st.error), "nftables unavailable: %s%s", strerror(e),
		 e == EOPNOTSUPP || e == EPROTONOSUPPORT ? " (kernel without nf_tables?)" :
		 e == EPERM ? " (needs CAP_NET_ADMIN)" : "");
}

static bool unavailable_errno(int e)
{
	return e == EOPNOTSUPP || e == EPROTONOSUPPORT || e == EAFNOSUPPORT || e == EPERM;
}

struct route_nft *route_nft_new(const char *table, uint32_t mask)
{
	struct route_nft *n = calloc(1, sizeof(*n));
	struct nft_have h;
	if (!n)
		return NULL;
	snprintf(n->table, sizeof(n->table), "%s", table && *table ? table : ROUTE_NFT_TABLE_DEFAULT);
	n->mask = mask;
	n->st.probed = true;
	if (route_nl_open(&n->nl, NETLINK_NETFILTER) < 0) {
		note_unavailable(n, errno);
		return n;
	}
	if (read_back(n, &h) < 0) {
		int e = errno;
		if (unavailable_errno(e))
			note_unavailable(n, e);
		else
			snprintf(n->st.error, sizeof(n->st.error), "nftables: %s", strerror(e));
		n->st.available = !unavailable_errno(e);
		return n;
	}
	n->st.available = true;
	n->st.present = h.table;
	n->st.rules = h.rules;
	have_free(&h);
	return n;
}

const struct route_nft_state *route_nft_state(const struct route_nft *n)
{
	return &n->st;
}

const char *route_nft_table(const struct route_nft *n)
{
	return n->table;
}

static void set_have(struct route_nft *n, const struct nft_have *h)
{
	n->st.present = h->table;
	n->st.rules = h->rules;
}

int route_nft_sync(struct route_nft *n, const struct route_nft_member *m, size_t k,
		   bool read_only)
{
	struct nft_have h;
	struct nft_want w;
	uint64_t t0 = clock_mono_us();
	int rc = -1;
	if (!n->st.available || !n->nl.nl) {
		errno = EOPNOTSUPP;
		return -1;
	}
	if (want_build(n, m, k, &w) < 0)
		return -1;
	for (int attempt = 0; attempt < 2; attempt++) {
		if (read_back(n, &h) < 0) {
			snprintf(n->st.error, sizeof(n->st.error), "read back: %s", strerror(errno));
			break;
		}
		set_have(n, &h);
		compare(&h, &w, k, n->st.differs, sizeof(n->st.differs));
		have_free(&h);
		n->st.verified = !n->st.differs[0];
		if (n->st.verified) {
			n->st.error[0] = '\0';
			rc = 0;
			break;
		}
		if (read_only || attempt == 1 || apply(n, k ? &w : NULL) < 0)
			break;
		n->st.replaced++;
		log_info("route: nftables: table inet %s %s (%s)", n->table,
			 k ? "built" : "removed", n->st.differs);
	}
	want_free(&w);
	n->st.last_took_us = clock_mono_us() - t0;
	return rc;
}

int route_nft_remove(struct route_nft *n, bool read_only)
{
	return route_nft_sync(n, NULL, 0, read_only);
}

/* ---- watching ---------------------------------------------------------------------------- */

bool route_nft_foreign_change(const char *table, uint32_t own_portid, const struct nlmsghdr *nlh)
{
	if ((nlh->nlmsg_type >> 8) != NFNL_SUBSYS_NFTABLES || nlh->nlmsg_pid == own_portid ||
	    nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(struct nfgenmsg))
		return false;
	const struct nfgenmsg *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[2];
	if (g->nfgen_family != NFPROTO_INET)
		return false;
	/* NFTA_TABLE_NAME, NFTA_CHAIN_TABLE, NFTA_RULE_TABLE, NFTA_SET_TABLE,
	 * ...: the table's name is attribute 1 of every object message. */
	if (nlwalk_index_msg(nlh, sizeof(*g), tb, 1) < 0 || !tb[1] ||
	    mnl_attr_validate(tb[1], MNL_TYPE_NUL_STRING) < 0)
		return false;
	return strcmp(mnl_attr_get_str(tb[1]), table) == 0;
}

static void on_ev(evutil_socket_t fd, short what, void *arg)
{
	struct route_nft *n = arg;
	char buf[8192] __attribute__((aligned(8)));
	bool changed = false;
	for (int i = 0; i < EV_READ_BUDGET; i++) {
		ssize_t len = recv(fd, buf, sizeof(buf), 0);
		if (len < 0) {
			if (errno == ENOBUFS)
				changed = true; /* lost events: look again */
			if (errno == EINTR || errno == ENOBUFS)
				continue;
			break;
		}
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		size_t left = (size_t)len;
		for (; nlwalk_msg_ok(nlh, left); nlh = nlwalk_msg_next(nlh, &left))
			changed |= route_nft_foreign_change(n->table, n->nl.portid, nlh);
	}
	if (changed && n->cb)
		n->cb(n->cb_arg);
}

int route_nft_watch(struct route_nft *n, struct event_base *base, void (*cb)(void *),
		    void *arg)
{
	unsigned int group = NFNLGRP_NFTABLES;
	if (!n->st.available)
		return 0;
	n->cb = cb;
	n->cb_arg = arg;
	n->ev = mnl_socket_open2(NETLINK_NETFILTER, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!n->ev || mnl_socket_bind(n->ev, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_setsockopt(n->ev, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group)) < 0)
		return -1;
	n->ev_read = event_new(base, mnl_socket_get_fd(n->ev), EV_READ | EV_PERSIST, on_ev, n);
	if (!n->ev_read || event_add(n->ev_read, NULL) < 0) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

void route_nft_free(struct route_nft *n)
{
	if (!n)
		return;
	if (n->ev_read)
		event_free(n->ev_read);
	if (n->ev)
		mnl_socket_close(n->ev);
	route_nl_close(&n->nl);
	free(n);
}
