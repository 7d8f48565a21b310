/* sec_fw: the listeners' firewall table in the kernel (layout in sec_fw.h):
 * read back, compare, replace atomically, add bans, watch. Every request
 * names our table; nothing else is listed or touched. */
#include "security/sec_fw.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "core/clock.h"
#include "core/log.h"
#include "route/route_int.h"
#include "route/route_nft.h"
#include "route/route_nftx.h"

#define RULE_TEXT 1024
#define ELEM_TEXT 48
#define EV_READ_BUDGET 64

struct sec_fw {
	char table[ROUTE_NFT_NAME_MAX];
	struct route_nl nl;
	struct sec_fw_state st;
	struct mnl_socket *ev;
	struct event *ev_read;
	void (*cb)(void *);
	void *cb_arg;
};

/* What a read-back found. */
struct have {
	const char *table;
	bool present, chain_ok;
	char *rules[SEC_FW_RULES_MAX];
	uint64_t packets[SEC_FW_RULES_MAX];
	size_t n_rules;
	bool overflow;
	bool set_ok[SEC_FW_S_N];
	char (*elems[SEC_FW_S_N])[ELEM_TEXT];
	size_t n_elems[SEC_FW_S_N];
};

static void have_free(struct have *h)
{
	for (size_t i = 0; i < h->n_rules; i++)
		free(h->rules[i]);
	for (int s = 0; s < SEC_FW_S_N; s++)
		free(h->elems[s]);
	memset(h, 0, sizeof(*h));
}

/* ---- read back ---------------------------------------------------------------- */

static int on_table(const struct nlmsghdr *nlh, void *arg)
{
	((struct have *)arg)->present = true;
	(void)nlh;
	return 0;
}

static int on_chain(const struct nlmsghdr *nlh, void *arg)
{
	struct have *h = arg;
	struct nftnl_chain *ch = nftnl_chain_alloc();
	if (!ch)
		return -1;
	if (nftnl_chain_nlmsg_parse(nlh, ch) == 0) {
		const char *type = nftnl_chain_get_str(ch, NFTNL_CHAIN_TYPE);
		h->chain_ok = nftnl_chain_is_set(ch, NFTNL_CHAIN_HOOKNUM) &&
			      nftnl_chain_get_u32(ch, NFTNL_CHAIN_HOOKNUM) == NF_INET_LOCAL_IN &&
			      nftnl_chain_get_s32(ch, NFTNL_CHAIN_PRIO) == SEC_FW_PRIO &&
			      nftnl_chain_get_u32(ch, NFTNL_CHAIN_POLICY) == NF_ACCEPT &&
			      type && strcmp(type, "filter") == 0;
	}
	nftnl_chain_free(ch);
	return 0;
}

static int read_counter(struct nftnl_expr *e, void *arg)
{
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
	if (name && strcmp(name, "counter") == 0)
		*(uint64_t *)arg += nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_PACKETS);
	return 0;
}

static int on_rule(const struct nlmsghdr *nlh, void *arg)
{
	struct have *h = arg;
	struct nftnl_rule *r = nftnl_rule_alloc();
	char text[RULE_TEXT];
	if (!r)
		return -1;
	if (nftnl_rule_nlmsg_parse(nlh, r) == 0) {
		const char *table = nftnl_rule_get_str(r, NFTNL_RULE_TABLE);
		if (table && strcmp(table, h->table) == 0) {
			if (h->n_rules == SEC_FW_RULES_MAX) {
				h->overflow = true;
			} else {
				uint64_t pk = 0;
				nftnl_expr_foreach(r, read_counter, &pk);
				nftx_rule_text(r, text, sizeof(text));
				if (!(h->rules[h->n_rules] = strdup(text))) {
					nftnl_rule_free(r);
					return -1;
				}
				h->packets[h->n_rules++] = pk;
			}
		}
	}
	nftnl_rule_free(r);
	return 0;
}

struct set_arg {
	struct have *h;
	int which;
};

static int want_set(const char *name)
{
	for (int i = 0; i < SEC_FW_S_N; i++)
		if (strcmp(sec_fw_set_names[i], name) == 0)
			return i;
	return -1;
}

static int on_set(const struct nlmsghdr *nlh, void *arg)
{
	struct have *h = arg;
	struct nftnl_set *s = nftnl_set_alloc();
	if (!s)
		return -1;
	if (nftnl_set_nlmsg_parse(nlh, s) == 0) {
		const char *name = nftnl_set_get_str(s, NFTNL_SET_NAME);
		int i = name ? want_set(name) : -1;
		if (i >= 0)
			h->set_ok[i] = true;    /* flags, key: the whole table is rebuilt at once,
						 * a set of the same name is ours as made */
	}
	nftnl_set_free(s);
	return 0;
}

static int elem_cb(struct nftnl_set_elem *e, void *arg)
{
	struct set_arg *a = arg;
	struct have *h = a->h;
	uint32_t len = 0, flags = 0;
	const void *key = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &len);
	if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_FLAGS))
		flags = nftnl_set_elem_get_u32(e, NFTNL_SET_ELEM_FLAGS);
	char (*grown)[ELEM_TEXT] = realloc(h->elems[a->which],
					   (h->n_elems[a->which] + 1) * sizeof(*grown));
	if (!grown)
		return -1;
	h->elems[a->which] = grown;
	sec_fw_elem_text(key, key ? len : 0, flags, grown[h->n_elems[a->which]++], ELEM_TEXT);
	return 0;
}

static int on_elems(const struct nlmsghdr *nlh, void *arg)
{
	struct set_arg *a = arg;
	struct nftnl_set *s = nftnl_set_alloc();
	if (!s)
		return -1;
	int rc = 0;
	if (nftnl_set_elems_nlmsg_parse(nlh, s) == 0)
		rc = nftnl_set_elem_foreach(s, elem_cb, a);
	nftnl_set_free(s);
	return rc;
}

static struct nlmsghdr *hdr(char *buf, uint16_t type, uint16_t flags)
{
	return nftnl_nlmsg_build_hdr(buf, type, NFPROTO_INET, flags, 0);
}

static int dump_rules(struct sec_fw *f, struct have *h, char *buf)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	if (!r)
		return -1;
	struct nlmsghdr *nlh = hdr(buf, NFT_MSG_GETRULE, NLM_F_DUMP);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, f->table);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	nftnl_rule_free(r);
	for (int tries = 0; tries < 3; tries++) {
		for (size_t i = 0; i < h->n_rules; i++)
			free(h->rules[i]);
		h->n_rules = 0;
		h->overflow = false;
		if (route_nl_dump(&f->nl, nlh, on_rule, h, ROUTE_NL_TIMEOUT_MS) == 0)
			return 0;
		if (errno != EINTR)
			return -1;
	}
	return -1;
}

static int dump_sets(struct sec_fw *f, struct have *h, char *buf)
{
	struct nftnl_set *s = nftnl_set_alloc();
	if (!s)
		return -1;
	struct nlmsghdr *nlh = hdr(buf, NFT_MSG_GETSET, NLM_F_DUMP | NLM_F_ACK);
	nftnl_set_set_str(s, NFTNL_SET_TABLE, f->table);
	nftnl_set_nlmsg_build_payload(nlh, s);
	nftnl_set_free(s);
	if (route_nl_dump(&f->nl, nlh, on_set, h, ROUTE_NL_TIMEOUT_MS) < 0)
		return -1;
	for (int i = 0; i < SEC_FW_S_N; i++) {
		if (!h->set_ok[i] || !sec_fw_set_static(i))
			continue;
		struct set_arg a = { h, i };
		if (!(s = nftnl_set_alloc()))
			return -1;
		nlh = hdr(buf, NFT_MSG_GETSETELEM, NLM_F_DUMP | NLM_F_ACK);
		nftnl_set_set_str(s, NFTNL_SET_TABLE, f->table);
		nftnl_set_set_str(s, NFTNL_SET_NAME, sec_fw_set_names[i]);
		nftnl_set_elems_nlmsg_build_payload(nlh, s);
		nftnl_set_free(s);
		if (route_nl_dump(&f->nl, nlh, on_elems, &a, ROUTE_NL_TIMEOUT_MS) < 0)
			return -1;
	}
	return 0;
}

/* 0 (h filled; h->present false when there is no table) or -1 with errno. */
static int read_back(struct sec_fw *f, struct have *h)
{
	char buf[512] __attribute__((aligned(8)));
	memset(h, 0, sizeof(*h));
	h->table = f->table;
	struct nftnl_table *t = nftnl_table_alloc();
	if (!t)
		return -1;
	struct nlmsghdr *nlh = hdr(buf, NFT_MSG_GETTABLE, NLM_F_ACK);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, f->table);
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	if (route_nl_dump(&f->nl, nlh, on_table, h, ROUTE_NL_TIMEOUT_MS) < 0)
		return errno == ENOENT ? 0 : -1;
	struct nftnl_chain *ch = nftnl_chain_alloc();
	if (!ch)
		return -1;
	nlh = hdr(buf, NFT_MSG_GETCHAIN, NLM_F_ACK);
	nftnl_chain_set_str(ch, NFTNL_CHAIN_TABLE, f->table);
	nftnl_chain_set_str(ch, NFTNL_CHAIN_NAME, "input");
	nftnl_chain_nlmsg_build_payload(nlh, ch);
	nftnl_chain_free(ch);
	if (route_nl_dump(&f->nl, nlh, on_chain, h, ROUTE_NL_TIMEOUT_MS) < 0 && errno != ENOENT)
		return -1;
	if (dump_rules(f, h, buf) < 0 || dump_sets(f, h, buf) < 0) {
		int e = errno;
		have_free(h);
		errno = e;
		return -1;
	}
	return 0;
}

/* ---- compare ---------------------------------------------------------------------- */

static int text_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static bool same_elems(struct have *h, int i, struct nftnl_set *want)
{
	struct have w = { 0 };                  /* the wanted set's elements, as text */
	struct set_arg a = { &w, i };
	if (nftnl_set_elem_foreach(want, elem_cb, &a) < 0) {
		have_free(&w);
		return false;
	}
	bool same = w.n_elems[i] == h->n_elems[i];
	if (same && w.n_elems[i]) {
		qsort(w.elems[i], w.n_elems[i], ELEM_TEXT, text_cmp);
		qsort(h->elems[i], h->n_elems[i], ELEM_TEXT, text_cmp);
		same = memcmp(w.elems[i], h->elems[i], w.n_elems[i] * ELEM_TEXT) == 0;
	}
	have_free(&w);
	return same;
}

/* "" when the kernel holds exactly what is wanted (want NULL: no table). */
static void compare(struct have *h, struct sec_fw_objs *want, char *why, size_t size)
{
	char text[RULE_TEXT];
	why[0] = '\0';
	if (!want || !h->present) {
		if (!want != !h->present)
			snprintf(why, size, "%s", h->present ? "table present, none wanted" :
				 "no table");
		return;
	}
	if (!h->chain_ok) {
		snprintf(why, size, "chain input missing or changed");
		return;
	}
	for (int i = 0; i < SEC_FW_S_N; i++) {
		if (!h->set_ok[i]) {
			snprintf(why, size, "set %s missing", sec_fw_set_names[i]);
			return;
		}
		if (sec_fw_set_static(i) && !same_elems(h, i, want->sets[i])) {
			snprintf(why, size, "set %s: other elements", sec_fw_set_names[i]);
			return;
		}
	}
	if (h->overflow || h->n_rules != want->n_rules) {
		snprintf(why, size, "%zu rules, %zu wanted", h->n_rules, want->n_rules);
		return;
	}
	for (size_t i = 0; i < h->n_rules; i++) {
		nftx_rule_text(want->rules[i], text, sizeof(text));
		if (strcmp(text, h->rules[i]) != 0) {
			snprintf(why, size, "rule %zu differs", i + 1);
			return;
		}
	}
}

static void take_counts(struct sec_fw *f, const struct have *h, const struct sec_fw_objs *o)
{
	struct sec_fw_counts c = { 0 };
	for (size_t i = 0; o && i < h->n_rules && i < o->n_rules; i++) {
		switch (o->drop_kind[i]) {
		case SEC_FW_D_BANNED: c.banned += h->packets[i]; break;
		case SEC_FW_D_FLOOD: c.flood += h->packets[i]; break;
		case SEC_FW_D_CONNS: c.connections += h->packets[i]; break;
		case SEC_FW_D_NOT_ALLOWED: c.not_allowed += h->packets[i]; break;
		default: break;
		}
	}
	f->st.counts = c;
}

/* ---- apply ---------------------------------------------------------------------------- */

static int count_cb(struct nftnl_set_elem *e, void *arg)
{
	(void)e;
	++*(size_t *)arg;
	return 0;
}

static size_t elem_count(struct nftnl_set *s)
{
	size_t n = 0;
	nftnl_set_elem_foreach(s, count_cb, &n);
	return n;
}

/* One batch: (add, delete) the table, then with want: add it again with its
 * sets, their elements, the chain and its rules. */
static int apply(struct sec_fw *f, struct sec_fw_objs *want)
{
	struct nftx_batch bt;
	char extack[96] = "";
	if (nftx_batch_start(&bt, &f->nl) < 0)
		return -1;
	nftx_batch_table(&bt, f->table, NFT_MSG_NEWTABLE, NLM_F_CREATE);
	nftx_batch_table(&bt, f->table, NFT_MSG_DELTABLE, 0);
	if (want) {
		nftx_batch_table(&bt, f->table, NFT_MSG_NEWTABLE, NLM_F_CREATE);
		for (int i = 0; i < SEC_FW_S_N; i++) {
			nftx_batch_set(&bt, want->sets[i]);
			if (sec_fw_set_static(i) && elem_count(want->sets[i]))
				nftx_batch_elems(&bt, want->sets[i], NFT_MSG_NEWSETELEM);
		}
		if (nftx_batch_chain(&bt, f->table, "input", NF_INET_LOCAL_IN, SEC_FW_PRIO) < 0) {
			nftx_batch_abort(&bt);
			errno = ENOMEM;
			return -1;
		}
		for (size_t i = 0; i < want->n_rules; i++)
			nftx_batch_rule(&bt, want->rules[i]);
	}
	int rc = nftx_batch_commit(&bt, &f->nl, extack, sizeof(extack));
	if (rc < 0)
		snprintf(f->st.error, sizeof(f->st.error), "table inet %s: %s%s%s", f->table,
			 strerror(errno), extack[0] ? ": " : "", extack);
	return rc;
}

/* ---- the interface ------------------------------------------------------------------------ */

struct sec_fw *sec_fw_new(const char *table)
{
	struct sec_fw *f = calloc(1, sizeof(*f));
	struct have h;
	if (!f)
		return NULL;
	snprintf(f->table, sizeof(f->table), "%s", table);
	if (route_nl_open(&f->nl, NETLINK_NETFILTER) < 0 || read_back(f, &h) < 0) {
		int e = errno;
		snprintf(f->st.error, sizeof(f->st.error), "nftables unavailable: %s%s", strerror(e),
			 e == EPERM ? " (needs CAP_NET_ADMIN)" : "");
		return f;
	}
	f->st.available = true;
	f->st.present = h.present;
	have_free(&h);
	return f;
}

const struct sec_fw_state *sec_fw_state(const struct sec_fw *f)
{
	return &f->st;
}

int sec_fw_sync(struct sec_fw *f, const struct sec_fw_want *w)
{
	struct sec_fw_objs o;
	struct have h;
	bool wanted = w && w->n_ports;
	uint64_t t0 = clock_mono_us();
	int rc = -1;
	if (!f->st.available) {
		errno = EOPNOTSUPP;
		return -1;
	}
	if (wanted && sec_fw_build(f->table, w, &o) < 0) {
		snprintf(f->st.error, sizeof(f->st.error), "out of memory");
		return -1;
	}
	for (int attempt = 0; attempt < 2; attempt++) {
		if (read_back(f, &h) < 0) {
			snprintf(f->st.error, sizeof(f->st.error), "read back: %s", strerror(errno));
			break;
		}
		f->st.present = h.present;
		compare(&h, wanted ? &o : NULL, f->st.differs, sizeof(f->st.differs));
		take_counts(f, &h, wanted ? &o : NULL);
		have_free(&h);
		f->st.verified = !f->st.differs[0];
		if (f->st.verified) {
			f->st.error[0] = '\0';
			rc = 0;
			break;
		}
		if (attempt == 1 || apply(f, wanted ? &o : NULL) < 0)
			break;
		f->st.rebuilt++;
		log_info("api firewall: table inet %s %s (%s)", f->table, wanted ? "built" : "removed",
			 f->st.differs);
	}
	if (wanted)
		sec_fw_objs_free(&o);
	f->st.last_took_us = clock_mono_us() - t0;
	return rc;
}

int sec_fw_ban(struct sec_fw *f, const struct sec_addr *addr, uint64_t ms)
{
	struct nftx_batch bt;
	char extack[96];
	int which = addr->family == AF_INET6 ? SEC_FW_S_BAN6 : SEC_FW_S_BAN4;
	if (!f->st.available || !f->st.present || !addr->family)
		return -1;
	struct nftnl_set *s = nftnl_set_alloc();
	struct nftnl_set_elem *e = nftnl_set_elem_alloc();
	if (!s || !e || nftx_batch_start(&bt, &f->nl) < 0) {
		if (s)
			nftnl_set_free(s);
		if (e)
			nftnl_set_elem_free(e);
		return -1;
	}
	nftnl_set_set_str(s, NFTNL_SET_TABLE, f->table);
	nftnl_set_set_str(s, NFTNL_SET_NAME, sec_fw_set_names[which]);
	nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, addr->a, (uint32_t)sec_addr_len(addr));
	nftnl_set_elem_set_u64(e, NFTNL_SET_ELEM_TIMEOUT, ms);
	nftnl_set_elem_add(s, e);
	nftx_batch_elems(&bt, s, NFT_MSG_NEWSETELEM);
	int rc = nftx_batch_commit(&bt, &f->nl, extack, sizeof(extack));
	nftnl_set_free(s);
	if (rc == 0)
		f->st.bans_added++;
	else
		snprintf(f->st.error, sizeof(f->st.error), "ban: %s", strerror(errno));
	return rc;
}

static void on_ev(evutil_socket_t fd, short what, void *arg)
{
	struct sec_fw *f = arg;
	char buf[8192] __attribute__((aligned(8)));
	bool changed = false;
	(void)what;
	for (int i = 0; i < EV_READ_BUDGET; i++) {
		ssize_t len = recv(fd, buf, sizeof(buf), 0);
		if (len < 0) {
			if (errno == ENOBUFS)
				changed = true;
			if (errno == EINTR || errno == ENOBUFS)
				continue;
			break;
		}
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		int left = (int)len;
		for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left))
			changed |= route_nft_foreign_change(f->table, f->nl.portid, nlh);
	}
	if (changed && f->cb)
		f->cb(f->cb_arg);
}

int sec_fw_watch(struct sec_fw *f, struct event_base *base, void (*cb)(void *), void *arg)
{
	unsigned int group = NFNLGRP_NFTABLES;
	if (!f->st.available)
		return 0;
	f->cb = cb;
	f->cb_arg = arg;
	f->ev = mnl_socket_open2(NETLINK_NETFILTER, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!f->ev || mnl_socket_bind(f->ev, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_setsockopt(f->ev, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group)) < 0)
		return -1;
	f->ev_read = event_new(base, mnl_socket_get_fd(f->ev), EV_READ | EV_PERSIST, on_ev, f);
	if (!f->ev_read || event_add(f->ev_read, NULL) < 0) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

void sec_fw_free(struct sec_fw *f)
{
	if (!f)
		return;
	if (f->ev_read)
		event_free(f->ev_read);
	if (f->ev)
		mnl_socket_close(f->ev);
	route_nl_close(&f->nl);
	free(f);
}
