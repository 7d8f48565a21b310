/* qos_apply: makes one device's qdiscs match a plan over rtnetlink, with
 * the route backend's synchronous transactions (route_nl: one socket, a
 * batch per change, every ack read, a 2 s deadline the kernel never gets
 * near: a tc change is answered in microseconds).
 *
 * Why rtnetlink and not `tc`: the daemon already speaks it (routes, links);
 * no dependency on which tc OpenWrt ships (tc-tiny lacks some qdiscs), no
 * fork per autorate step (up to two a second), and the kernel's own error
 * and extended-ack text come back per request. */
#include "qos/qos.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include "core/clock.h"
#include "route/route_int.h"

#define QOS_NL_TIMEOUT_MS   2000
#define QOS_MAX_MSGS        (1 + 1 + QOS_MAX_TIERS * 2 + QOS_MAX_FILTERS)
#define QOS_MAX_ATTEMPTS    4

struct qos_shaper {
	struct route_nl nl;
	int cake;               /* -1 unknown, 0 absent, 1 present */
	enum qos_leaf leaf;     /* best leaf kind not yet refused */
};

struct qos_shaper *qos_shaper_new(void)
{
	struct qos_shaper *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	if (route_nl_open(&s->nl, NETLINK_ROUTE) < 0) {
		int e = errno;
		free(s);
		errno = e;
		return NULL;
	}
	s->cake = -1;
	s->leaf = QOS_LEAF_FQ_CODEL;
	return s;
}

void qos_shaper_free(struct qos_shaper *s)
{
	if (!s)
		return;
	route_nl_close(&s->nl);
	free(s);
}

int qos_shaper_has_cake(const struct qos_shaper *s)
{
	return s->cake;
}

/* ---- reading ---------------------------------------------------------------- */

struct read_ctx {
	struct qos_have *h;
	int ifindex;
};

static int on_dump(const struct nlmsghdr *nlh, void *arg)
{
	struct read_ctx *c = arg;
	struct qos_kobj o;
	int rc = qos_parse(nlh, nlh->nlmsg_len, &o);
	if (rc == 0)
		qos_have_add(c->h, &o, c->ifindex);
	return rc < 0 ? -1 : 0;
}

static int dump(struct qos_shaper *s, uint16_t type, int ifindex, struct qos_have *h)
{
	uint8_t req[QOS_MSG_MAX];
	struct read_ctx c = { .h = h, .ifindex = ifindex };
	/* An interrupted dump (the table changed meanwhile) is taken again. */
	for (int tries = 0; tries < 3; tries++) {
		struct qos_have saved = *h;
		struct nlmsghdr *nlh = qos_msg_dump(req, 0, type, ifindex);
		if (route_nl_dump(&s->nl, nlh, on_dump, &c, QOS_NL_TIMEOUT_MS) == 0)
			return 0;
		if (errno != EINTR)
			return -1;
		*h = saved;
	}
	return -1;
}

static int read_have(struct qos_shaper *s, int ifindex, struct qos_have *h)
{
	memset(h, 0, sizeof(*h));
	if (dump(s, RTM_GETQDISC, ifindex, h) < 0)
		return -1;
	if (!h->root_ours)
		return 0;
	if (dump(s, RTM_GETTCLASS, ifindex, h) < 0 || dump(s, RTM_GETTFILTER, ifindex, h) < 0)
		return -1;
	return 0;
}

/* ---- sending ----------------------------------------------------------------- */

struct batch {
	size_t len;
	unsigned n;
	uint32_t first_seq;
	int err;                /* first failure */
	unsigned err_idx;
	char extack[160];
	uint8_t buf[QOS_MAX_MSGS * QOS_MSG_MAX];        /* last: not cleared */
};

static void *slot(struct batch *b)
{
	return b->buf + b->len;
}

static void push(struct batch *b, struct nlmsghdr *nlh)
{
	b->len += NLMSG_ALIGN(nlh->nlmsg_len);
	b->n++;
}

static uint32_t next_seq(struct qos_shaper *s, struct batch *b)
{
	uint32_t seq = ++s->nl.seq;
	if (!b->n)
		b->first_seq = seq;
	return seq;
}

static void on_ack(void *arg, size_t idx, int err, const char *extack)
{
	struct batch *b = arg;
	if (err < 0 && !b->err) {
		b->err = err;
		b->err_idx = (unsigned)idx;
		snprintf(b->extack, sizeof(b->extack), "%s", extack ? extack : "");
	}
}

static int send_batch(struct qos_shaper *s, struct batch *b)
{
	b->err = 0;
	b->extack[0] = '\0';
	if (!b->n)
		return 0;
	if (route_nl_transact(&s->nl, b->buf, b->len, b->first_seq, b->n, on_ack, b,
			      QOS_NL_TIMEOUT_MS) < 0) {
		b->err = -errno;
		return -1;
	}
	return b->err ? -1 : 0;
}

static void add_htb_classes(struct qos_shaper *s, struct batch *b, int ifindex,
			    const struct qos_want *w, enum qos_op op)
{
	for (unsigned i = 0; i < w->n_classes; i++) {
		const struct qos_want_class *c = &w->cls[i];
		push(b, qos_msg_htb_class(slot(b), next_seq(s, b), ifindex, op, c->classid,
					  c->parent, c->rate_kbit, c->ceil_kbit, c->prio));
	}
}

static void build_htb(struct qos_shaper *s, struct batch *b, int ifindex,
		      const struct qos_want *w)
{
	push(b, qos_msg_htb_root(slot(b), next_seq(s, b), ifindex, QOS_OP_REPLACE,
				 w->default_minor));
	add_htb_classes(s, b, ifindex, w, QOS_OP_CREATE);
	for (unsigned i = 1; i < w->n_classes; i++) {
		const struct qos_want_class *c = &w->cls[i];
		uint32_t q = (c->classid & 0xffff) - QOS_TIER_MINOR(0);
		push(b, qos_msg_leaf(slot(b), next_seq(s, b), ifindex, c->classid,
				     QOS_LEAF_MAJ(q) << 16, w->leaf, qos_pfifo_limit(c->ceil_kbit)));
	}
	for (unsigned i = 0; i < w->n_filters; i++) {
		const struct qos_want_filter *f = &w->flt[i];
		push(b, qos_msg_u32(slot(b), next_seq(s, b), ifindex, f->pref, f->protocol,
				    f->val, f->mask, f->classid));
	}
}

static bool kind_unknown(int err)
{
	return err == -ENOENT || err == -EOPNOTSUPP || err == -EINVAL;
}

static void fail(struct qos_result *res, const char *what, const struct batch *b)
{
	snprintf(res->error, sizeof(res->error), "%s: %s%s%s", what, strerror(-b->err),
		 b->extack[0] ? ": " : "", b->extack);
}

/* Builds from nothing (the device has a default root, or ours was just
 * deleted). A refused cake or leaf kind is remembered and the next one
 * tried. */
static int build(struct qos_shaper *s, int ifindex, const struct qos_plan *p,
		 uint32_t rate_kbit, struct qos_want *w, struct qos_result *res)
{
	static struct batch b;
	for (int attempt = 0; attempt < QOS_MAX_ATTEMPTS; attempt++) {
		enum qos_kind kind = p->cake_ok && s->cake != 0 ? QOS_KIND_CAKE : QOS_KIND_HTB;
		qos_want_build(w, p, kind, s->leaf, rate_kbit);
		memset(&b, 0, offsetof(struct batch, buf));
		if (kind == QOS_KIND_CAKE)
			push(&b, qos_msg_cake_root(slot(&b), next_seq(s, &b), ifindex,
						   QOS_OP_REPLACE, rate_kbit, w->diffserv4, w->ingress));
		else
			build_htb(s, &b, ifindex, w);
		res->sent += b.n;
		if (send_batch(s, &b) == 0) {
			if (kind == QOS_KIND_CAKE)
				s->cake = 1;
			return 0;
		}
		if (kind == QOS_KIND_CAKE && b.err_idx == 0 && kind_unknown(b.err)) {
			s->cake = 0;
			continue;
		}
		/* A leaf refused: our half-built root goes, the next kind is tried. */
		bool leaf_err = kind == QOS_KIND_HTB && b.err_idx > w->n_classes &&
				b.err_idx <= 2 * w->n_classes - 1 && kind_unknown(b.err);
		if (leaf_err && s->leaf + 1 < QOS_N_LEAVES) {
			qos_shaper_remove(s, ifindex);
			s->leaf++;
			continue;
		}
		fail(res, kind == QOS_KIND_CAKE ? "cake" : "htb", &b);
		qos_shaper_remove(s, ifindex);
		return -1;
	}
	snprintf(res->error, sizeof(res->error), "no qdisc kind the kernel accepts");
	return -1;
}

static int change_rate(struct qos_shaper *s, int ifindex, const struct qos_want *w,
		       struct batch *b)
{
	memset(b, 0, offsetof(struct batch, buf));
	if (w->kind == QOS_KIND_CAKE)
		push(b, qos_msg_cake_root(slot(b), next_seq(s, b), ifindex, QOS_OP_CHANGE,
					  w->rate_kbit, w->diffserv4, w->ingress));
	else
		add_htb_classes(s, b, ifindex, w, QOS_OP_CHANGE);
	return send_batch(s, b);
}

static int verify(struct qos_shaper *s, int ifindex, const struct qos_want *w,
		  struct qos_result *res)
{
	struct qos_have *h = malloc(sizeof(*h));
	int rc = -1;
	if (!h || read_have(s, ifindex, h) < 0) {
		snprintf(res->error, sizeof(res->error), "read-back: %s", strerror(errno));
	} else {
		enum qos_diff d = qos_compare(w, h);
		res->verified = d == QOS_SAME;
		if (!res->verified)
			snprintf(res->error, sizeof(res->error), "read-back differs from the plan (%s)",
				 qos_diff_name(d));
		rc = res->verified ? 0 : -1;
	}
	free(h);
	return rc;
}

static int apply_have(struct qos_shaper *s, int ifindex, const struct qos_plan *p,
		      uint32_t rate_kbit, struct qos_have *h, struct qos_want *w,
		      struct qos_result *res)
{
	static struct batch b;
	/* cake where the plan allows and the kernel has it; an HTB of ours
	 * found at start is adopted rather than rebuilt to find out. */
	enum qos_kind kind = p->cake_ok && s->cake != 0 ? QOS_KIND_CAKE : QOS_KIND_HTB;
	if (h->root_ours && strcmp(h->root_kind, "cake") == 0)
		s->cake = 1;
	else if (kind == QOS_KIND_CAKE && s->cake < 0 && h->root_ours)
		kind = QOS_KIND_HTB;
	/* likewise the leaf kind the kernel took last time */
	for (int l = 0; h->n_leaves && l < QOS_N_LEAVES; l++)
		if (strcmp(h->leaves[0].kind, qos_leaf_name((enum qos_leaf)l)) == 0)
			s->leaf = (enum qos_leaf)l;
	qos_want_build(w, p, kind, s->leaf, rate_kbit);
	res->found = qos_compare(w, h);
	switch (res->found) {
	case QOS_SAME:
		break;
	case QOS_FOREIGN:
		snprintf(res->error, sizeof(res->error),
			 "the device's root qdisc is someone else's (%s %x:); left alone",
			 h->root_kind, h->root_handle >> 16);
		return -1;
	case QOS_RATE_ONLY:
		res->sent += kind == QOS_KIND_CAKE ? 1 : w->n_classes;
		if (change_rate(s, ifindex, w, &b) < 0) {
			fail(res, "rate change", &b);
			return -1;
		}
		break;
	case QOS_REBUILD:
		res->sent++;
		if (qos_shaper_remove(s, ifindex) < 0) {
			snprintf(res->error, sizeof(res->error), "delete: %s", strerror(errno));
			return -1;
		}
		/* fall through */
	case QOS_ABSENT:
		if (build(s, ifindex, p, rate_kbit, w, res) < 0)
			return -1;
		break;
	}
	res->kind = w->kind;
	res->leaf = w->leaf;
	return 0;
}

int qos_shaper_apply(struct qos_shaper *s, int ifindex, const struct qos_plan *p,
		     uint32_t rate_kbit, struct qos_result *res)
{
	uint64_t t0 = clock_mono_us();
	struct qos_have *h = malloc(sizeof(*h));
	struct qos_want *w = malloc(sizeof(*w));
	int rc = -1;
	memset(res, 0, sizeof(*res));
	if (!h || !w) {
		snprintf(res->error, sizeof(res->error), "out of memory");
	} else if (read_have(s, ifindex, h) < 0) {
		snprintf(res->error, sizeof(res->error), "dump: %s", strerror(errno));
	} else if (apply_have(s, ifindex, p, rate_kbit, h, w, res) == 0) {
		res->verified = res->found == QOS_SAME;     /* just read: equal */
		rc = res->verified ? 0 : verify(s, ifindex, w, res);
	}
	free(h);
	free(w);
	res->took_us = clock_mono_us() - t0;
	return rc;
}

int qos_shaper_set_rate(struct qos_shaper *s, int ifindex, const struct qos_plan *p,
			enum qos_kind kind, uint32_t rate_kbit, char *err, size_t errsz)
{
	static struct batch b;
	struct qos_want w;
	qos_want_build(&w, p, kind, s->leaf, rate_kbit);
	if (change_rate(s, ifindex, &w, &b) == 0)
		return 0;
	snprintf(err, errsz, "rate change: %s%s%s", strerror(-b.err), b.extack[0] ? ": " : "",
		 b.extack);
	return -1;
}

int qos_shaper_remove(struct qos_shaper *s, int ifindex)
{
	static struct batch b;
	struct qos_have h;
	memset(&h, 0, sizeof(h));
	if (dump(s, RTM_GETQDISC, ifindex, &h) < 0)
		return -1;
	if (!h.root_ours)
		return 0;
	memset(&b, 0, offsetof(struct batch, buf));
	push(&b, qos_msg_del_root(slot(&b), next_seq(s, &b), ifindex));
	if (send_batch(s, &b) < 0 && b.err != -ENOENT && b.err != -EINVAL) {
		errno = -b.err;
		return -1;
	}
	return 1;
}

static void fill_info(const struct qos_have *h, struct qos_dev_info *out)
{
	memset(out, 0, sizeof(*out));
	out->ours = h->root_ours;
	out->root_handle = h->root_handle;
	snprintf(out->root_kind, sizeof(out->root_kind), "%s", h->root_kind);
	if (h->n_leaves)
		snprintf(out->leaf_kind, sizeof(out->leaf_kind), "%s", h->leaves[0].kind);
	if (strcmp(h->root_kind, "cake") == 0) {
		out->rate_kbit = h->root.rate_Bps / 125u;
		out->tier[0] = (struct qos_tier_stats){ .classid = h->root_handle,
			.rate_kbit = out->rate_kbit, .ceil_kbit = out->rate_kbit,
			.bytes = h->root.bytes, .packets = h->root.packets, .drops = h->root.drops,
			.backlog = h->root.backlog, .qlen = h->root.qlen };
		out->n_tiers = 1;
		return;
	}
	for (unsigned i = 0; i < h->n_classes && out->n_tiers < QOS_MAX_TIERS + 1; i++) {
		const struct qos_kobj *c = &h->cls[i];
		if (c->handle == qos_link_classid())
			out->rate_kbit = c->rate_Bps / 125u;
		out->tier[out->n_tiers++] = (struct qos_tier_stats){ .classid = c->handle,
			.rate_kbit = c->rate_Bps / 125u, .ceil_kbit = c->ceil_Bps / 125u,
			.bytes = c->bytes, .packets = c->packets, .drops = c->drops,
			.backlog = c->backlog, .qlen = c->qlen };
	}
}

int qos_shaper_read(struct qos_shaper *s, int ifindex, struct qos_dev_info *out)
{
	struct qos_have *h = malloc(sizeof(*h));
	int rc = h ? read_have(s, ifindex, h) : -1;
	if (rc == 0)
		fill_info(h, out);
	free(h);
	return rc;
}
