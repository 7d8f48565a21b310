/* wifi_nl: nl80211 requests on the event loop (see wifi_nl.h).
 *
 * A request is one netlink message and its replies; an operation (a sample
 * or a scan) is a list of steps, most of them one request. Requests are
 * sent one at a time: the socket has one owner (`cur`) and operations that
 * want to send meanwhile wait in a queue of at most two (one per kind). A
 * scan waiting for its results holds no request, so samples go on while the
 * radio scans. Results are delivered from a zero-delay event, never from
 * inside the call that started the operation. */
#include "wifi/wifi_nl.h"

#include "core/clock.h"
#include "wifi/wifi_scan.h"

#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/nl80211.h>

#define NL_RECV_SIZE    (64 * 1024)     /* a dump skb is at most ~32 KiB */
#define NL_TX_SIZE      256
#define NL_TIMEOUT_MS   2000
#define NL_SCAN_WAIT_MS 10000           /* a full active scan takes 2-8 s */
#define NL_INTR_REDOS   3               /* then the last dump is taken as is */
#define NL_READ_BUDGET  256             /* recv()s per wake-up */

enum step { ST_RESOLVE, ST_IFACE, ST_STATION, ST_SURVEY, ST_TRIGGER, ST_WAIT, ST_DUMP, ST_DONE };

static const char *const step_names[] = {
	[ST_RESOLVE] = "family lookup", [ST_IFACE] = "GET_INTERFACE",
	[ST_STATION] = "GET_STATION", [ST_SURVEY] = "GET_SURVEY",
	[ST_TRIGGER] = "TRIGGER_SCAN", [ST_WAIT] = "scan wait",
	[ST_DUMP] = "GET_SCAN", [ST_DONE] = "done",
};

static const enum step sample_steps[] = { ST_RESOLVE, ST_IFACE, ST_STATION, ST_SURVEY, ST_DONE };
static const enum step scan_steps[] = { ST_RESOLVE, ST_TRIGGER, ST_WAIT, ST_DUMP, ST_SURVEY, ST_DONE };

struct op {
	struct wifi_nl *nl;
	bool busy;              /* from start to callback */
	bool finished;          /* result final, callback pending */
	const enum step *steps;
	unsigned at;
	bool may_trigger;
	bool waiting;           /* ST_WAIT armed */
	bool results_seen;      /* a scan-done event for our interface arrived */
	unsigned redos;
	uint32_t ifindex, iftype;
	bool have_sta;          /* a station entry (the AP) was taken */
	uint64_t t0;
	wifi_nl_cb cb;
	void *arg;
	struct event *done_ev, *wait_ev;
	struct wifi_nl_result r;
};

struct wifi_nl {
	struct event_base *base;
	struct mnl_socket *sock;
	unsigned portid;
	uint32_t seq, cur_seq;
	struct event *read_ev, *req_timer;
	char ifname[IF_NAMESIZE];
	unsigned timeout_ms;
	struct wifi_nl_family fam;      /* id 0 until resolved */
	int unavailable;
	bool joined;                    /* member of the "scan" group */
	struct op ops[2];               /* [0] sample, [1] scan */
	struct op *cur;                 /* owner of the request in flight */
	struct op *queue[2];
	unsigned nq;
	uint8_t *buf;
	wifi_nl_send_fn send;           /* detached (tests): instead of the socket */
	void *send_arg;
};

static void op_advance(struct op *op);

/* ---- finishing ------------------------------------------------------------ */

static void scan_group(struct wifi_nl *nl, bool join)
{
	if (nl->joined == join || !nl->fam.scan_group)
		return;
	if (!nl->sock) {
		nl->joined = join;
		return;
	}
	int g = (int)nl->fam.scan_group;
	if (mnl_socket_setsockopt(nl->sock, join ? NETLINK_ADD_MEMBERSHIP : NETLINK_DROP_MEMBERSHIP,
				  &g, sizeof(g)) == 0)
		nl->joined = join;
}

static void op_finish(struct op *op, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void dequeue(struct wifi_nl *nl, struct op *op)
{
	for (unsigned i = 0; i < nl->nq; i++)
		if (nl->queue[i] == op) {
			memmove(&nl->queue[i], &nl->queue[i + 1], (nl->nq - i - 1) * sizeof(nl->queue[0]));
			nl->nq--;
			return;
		}
}

static void op_finish(struct op *op, int err, const char *fmt, ...)
{
	if (op->finished)
		return;
	op->finished = true;
	dequeue(op->nl, op);
	op->r.err = err;
	if (err && fmt) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(op->r.error, sizeof(op->r.error), fmt, ap);
		va_end(ap);
	}
	op->r.took_us = clock_mono_us() - op->t0;
	if (op == &op->nl->ops[1])
		scan_group(op->nl, false);
	if (op->waiting) {
		evtimer_del(op->wait_ev);
		op->waiting = false;
	}
	event_active(op->done_ev, EV_TIMEOUT, 1);
}

/* From the loop: the callback may start the next operation or free nl, so
 * it gets a copy and nothing touches nl after it. */
static void on_done(evutil_socket_t fd, short what, void *arg)
{
	struct op *op = arg;
	struct wifi_nl_result r = op->r;
	op->busy = false;
	op->finished = false;
	op->cb(op->arg, &r);
}

static void note(struct op *op, const char *what, int err)
{
	if (!op->r.note[0])
		snprintf(op->r.note, sizeof(op->r.note), "%s: %s", what, strerror(err));
}

/* ---- requests ------------------------------------------------------------- */

static struct nlmsghdr *put_genl(struct wifi_nl *nl, uint8_t *buf, uint16_t type, uint16_t flags,
				 uint8_t cmd, uint8_t version)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	if (++nl->seq == 0)
		nl->seq = 1;    /* 0 is what events carry */
	nlh->nlmsg_seq = nl->seq;
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = version;
	return nlh;
}

static struct nlmsghdr *build(struct op *op, uint8_t *buf)
{
	struct wifi_nl *nl = op->nl;
	struct nlmsghdr *nlh;
	switch (op->steps[op->at]) {
	case ST_RESOLVE:
		nlh = put_genl(nl, buf, GENL_ID_CTRL, 0, CTRL_CMD_GETFAMILY, 1);
		mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, NL80211_GENL_NAME);
		return nlh;
	case ST_IFACE:
		nlh = put_genl(nl, buf, nl->fam.id, 0, NL80211_CMD_GET_INTERFACE, 0);
		break;
	case ST_STATION:
		nlh = put_genl(nl, buf, nl->fam.id, NLM_F_DUMP, NL80211_CMD_GET_STATION, 0);
		break;
	case ST_SURVEY:
		nlh = put_genl(nl, buf, nl->fam.id, NLM_F_DUMP, NL80211_CMD_GET_SURVEY, 0);
		break;
	case ST_DUMP:
		nlh = put_genl(nl, buf, nl->fam.id, NLM_F_DUMP, NL80211_CMD_GET_SCAN, 0);
		break;
	case ST_TRIGGER: {
		/* One empty SSID: an active scan for any network, as iw does. */
		nlh = put_genl(nl, buf, nl->fam.id, NLM_F_ACK, NL80211_CMD_TRIGGER_SCAN, 0);
		mnl_attr_put_u32(nlh, NL80211_ATTR_IFINDEX, op->ifindex);
		struct nlattr *ssids = mnl_attr_nest_start(nlh, NL80211_ATTR_SCAN_SSIDS);
		mnl_attr_put(nlh, 1, 0, NULL);
		mnl_attr_nest_end(nlh, ssids);
		return nlh;
	}
	default:
		return NULL;
	}
	mnl_attr_put_u32(nlh, NL80211_ATTR_IFINDEX, op->ifindex);
	return nlh;
}

/* What a step collects starts empty each time it is (re)sent. */
static void step_reset(struct op *op)
{
	switch (op->steps[op->at]) {
	case ST_STATION:
		op->have_sta = false;
		break;
	case ST_SURVEY:
		op->r.n_survey = 0;
		break;
	case ST_DUMP:
		wifi_scan_init(&op->r.scan);
		break;
	default:
		break;
	}
}

static void send_step(struct op *op)
{
	struct wifi_nl *nl = op->nl;
	uint8_t buf[NL_TX_SIZE];
	struct nlmsghdr *nlh = build(op, buf);
	step_reset(op);
	ssize_t sent = nl->send ? nl->send(nl->send_arg, nlh) : mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len);
	if (sent < 0) {
		op_finish(op, errno, "nl80211 %s: send: %s", step_names[op->steps[op->at]], strerror(errno));
		return;
	}
	nl->cur = op;
	nl->cur_seq = nlh->nlmsg_seq;
	struct timeval tv = { nl->timeout_ms / 1000, (nl->timeout_ms % 1000) * 1000 };
	evtimer_add(nl->req_timer, &tv);
}

static void op_request(struct op *op)
{
	struct wifi_nl *nl = op->nl;
	if (nl->cur) {
		nl->queue[nl->nq++] = op;
		return;
	}
	send_step(op);
}

/* Gives the socket to the next queued operation once it is free. */
static void dispatch(struct wifi_nl *nl)
{
	while (!nl->cur && nl->nq) {
		struct op *op = nl->queue[0];
		nl->queue[0] = nl->queue[1];
		nl->nq--;
		if (op->busy && !op->finished)
			op_advance(op);
	}
}

/* ---- the steps ------------------------------------------------------------ */

static void wait_for_scan(struct op *op)
{
	if (op->results_seen) {
		op->r.triggered = true;
		op->at++;
		op_advance(op);
		return;
	}
	op->waiting = true;
	struct timeval tv = { NL_SCAN_WAIT_MS / 1000, (NL_SCAN_WAIT_MS % 1000) * 1000 };
	evtimer_add(op->wait_ev, &tv);
}

static void op_advance(struct op *op)
{
	struct wifi_nl *nl = op->nl;
	for (;;) {
		switch (op->steps[op->at]) {
		case ST_RESOLVE:
			if (nl->fam.id) {
				op->at++;
				continue;
			}
			op_request(op);
			return;
		case ST_TRIGGER:
			if (!op->may_trigger) {
				op->at += 2;    /* and ST_WAIT */
				continue;
			}
			/* Join before asking, so the end of the scan is not missed. */
			scan_group(nl, true);
			op->results_seen = false;
			op_request(op);
			return;
		case ST_WAIT:
			wait_for_scan(op);
			return;
		case ST_DONE:
			op_finish(op, 0, NULL);
			return;
		default:
			op_request(op);
			return;
		}
	}
}

static bool not_wireless(int err)
{
	return err == ENODEV || err == EINVAL || err == EOPNOTSUPP || err == ENOENT;
}

/* Every pending operation fails the same way (nl80211 is not there). */
static void fail_all(struct wifi_nl *nl, int err, const char *msg)
{
	nl->unavailable = err;
	nl->nq = 0;
	for (size_t i = 0; i < 2; i++)
		if (nl->ops[i].busy)
			op_finish(&nl->ops[i], err, "%s", msg);
}

/* The outcome of the request for the current step; err 0 = success. */
static void step_done(struct op *op, int err)
{
	struct wifi_nl *nl = op->nl;
	struct wifi_sample *s = &op->r.sample;
	enum step st = op->steps[op->at];
	switch (st) {
	case ST_RESOLVE:
		if (err == ENOENT)
			return fail_all(nl, ENOENT, "nl80211 not available (no cfg80211)");
		if (err || !nl->fam.id)
			return op_finish(op, err ? err : EBADMSG, "nl80211 family lookup: %s",
					 strerror(err ? err : EBADMSG));
		break;
	case ST_IFACE:
		if (err && not_wireless(err))
			return op_finish(op, ENODEV, "%s is not a wireless (nl80211) interface: %s",
					 nl->ifname, strerror(err));
		if (err)
			return op_finish(op, err, "nl80211 GET_INTERFACE %s: %s", nl->ifname, strerror(err));
		break;
	case ST_STATION:
		if (err)
			return op_finish(op, err, "nl80211 GET_STATION %s: %s", nl->ifname, strerror(err));
		if (op->iftype == NL80211_IFTYPE_STATION || op->iftype == NL80211_IFTYPE_P2P_CLIENT) {
			if (!op->have_sta)
				s->associated = 0;
			else if (s->associated < 0)
				s->associated = 1;      /* listed: the kernel has no flag to say more */
		}
		break;
	case ST_SURVEY:
		if (err)
			note(op, "no survey", err);     /* e.g. iwlwifi: not supported */
		break;
	case ST_TRIGGER:
		/* An end seen before our ACK was an earlier scan's: ours has just
		 * started. With EBUSY it was the running scan's: no need to wait. */
		if (!err)
			op->results_seen = false;
		if (err == EBUSY) {
			note(op, "scan already running, waiting for it", err);
		} else if (err) {
			note(op, "scan not triggered", err);
			scan_group(nl, false);
			op->at++;       /* skip ST_WAIT: read the cache as it is */
		}
		break;
	case ST_DUMP:
		if (err)
			return op_finish(op, err, "nl80211 GET_SCAN %s: %s", nl->ifname, strerror(err));
		wifi_scan_sort(&op->r.scan);
		break;
	default:
		break;
	}
	op->at++;
	op->redos = 0;
	op_advance(op);
}

/* A request ended (err 0: DONE/ACK). An interrupted dump is sent again. */
static void request_done(struct wifi_nl *nl, int err, bool intr)
{
	struct op *op = nl->cur;
	evtimer_del(nl->req_timer);
	nl->cur = NULL;
	if (op->finished) {
		/* failed meanwhile (fail_all): nothing more to do for it */
	} else if (!err && intr && op->redos < NL_INTR_REDOS) {
		op->redos++;
		op_request(op);
	} else {
		if (!err && intr)
			note(op, "dump kept changing", EAGAIN);
		step_done(op, err);
	}
	dispatch(nl);
}

static void on_req_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct wifi_nl *nl = arg;
	struct op *op = nl->cur;
	if (!op)
		return;
	nl->cur = NULL;
	op_finish(op, ETIMEDOUT, "nl80211 %s %s: no answer in %u ms", step_names[op->steps[op->at]],
		  nl->ifname, nl->timeout_ms);
	dispatch(nl);
}

static void on_wait_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct op *op = arg;
	op->waiting = false;
	note(op, "scan did not finish in time, reading the cache", ETIMEDOUT);
	scan_group(op->nl, false);
	op->at++;
	op_advance(op);
}

/* ---- replies --------------------------------------------------------------- */

static void take_survey(struct op *op, const struct wifi_survey *sv)
{
	struct wifi_nl_result *r = &op->r;
	if (sv->in_use && op == &op->nl->ops[0] && !isnan(sv->noise_dbm))
		r->sample.noise_dbm = sv->noise_dbm;
	if (r->n_survey < WIFI_NL_SURVEY_MAX)
		r->survey[r->n_survey++] = *sv;
	else if (sv->in_use)
		r->survey[WIFI_NL_SURVEY_MAX - 1] = *sv;    /* the one in use is always kept */
}

static int on_reply(const struct nlmsghdr *nlh, void *arg)
{
	struct wifi_nl *nl = arg;
	struct op *op = nl->cur;
	struct wifi_nl_result *r = &op->r;
	enum step st = op->steps[op->at];
	if (st == ST_RESOLVE)
		return nlh->nlmsg_type == GENL_ID_CTRL ? wifi_nl_parse_family(nlh, &nl->fam) : -1;
	if (nlh->nlmsg_type != nl->fam.id)
		return -1;
	struct wifi_bss b;
	struct wifi_survey sv;
	struct wifi_sample tmp;
	int rc;
	switch (st) {
	case ST_IFACE:
		return wifi_nl_parse_interface(nlh, &r->sample, &op->iftype);
	case ST_STATION:
		/* A client has one entry, its AP (TDLS peers aside); an AP or mesh
		 * point lists its peers, which are not one link's figures. */
		if (op->have_sta || (op->iftype != NL80211_IFTYPE_STATION &&
				     op->iftype != NL80211_IFTYPE_P2P_CLIENT))
			return 0;
		tmp = r->sample;
		rc = wifi_nl_parse_station(nlh, &tmp);
		if (rc == 0) {
			r->sample = tmp;
			op->have_sta = true;
		}
		return rc < 0 ? -1 : 0;
	case ST_SURVEY:
		if (wifi_nl_parse_survey(nlh, &sv) < 0)
			return -1;
		take_survey(op, &sv);
		return 0;
	case ST_DUMP:
		if (wifi_nl_parse_bss(nlh, &b) < 0)
			return -1;
		wifi_scan_add(&r->scan, &b);
		return 0;
	default:
		return 0;
	}
}

static void on_event(const struct nlmsghdr *nlh, void *arg)
{
	struct wifi_nl *nl = arg;
	struct op *op = &nl->ops[1];
	uint32_t ifindex;
	if (!nl->fam.id || nlh->nlmsg_type != nl->fam.id || !op->busy || op->finished)
		return;
	int kind = wifi_nl_parse_scan_event(nlh, &ifindex);
	if (kind <= 0 || ifindex != op->ifindex)
		return;
	if (!op->waiting) {
		op->results_seen = kind == 1;   /* before our trigger's answer */
		return;
	}
	evtimer_del(op->wait_ev);
	op->waiting = false;
	scan_group(nl, false);
	if (kind == 2)
		note(op, "scan aborted, reading the cache", ECANCELED);
	else
		op->r.triggered = true;
	op->at++;
	op_advance(op);
}

static void handle_buffer(struct wifi_nl *nl, const void *buf, size_t len)
{
	struct wifi_nl_walk w = {
		.seq = nl->cur ? nl->cur_seq : 0, .portid = nl->portid,
		.msg = nl->cur ? on_reply : NULL, .mcast = on_event, .arg = nl,
	};
	int rc = wifi_nl_walk(&w, buf, len);
	if (nl->cur && rc != WIFI_NL_MORE)
		request_done(nl, rc == WIFI_NL_DONE ? 0 : w.err, w.intr);
}

static void on_read(evutil_socket_t fd, short what, void *arg)
{
	struct wifi_nl *nl = arg;
	for (int i = 0; i < NL_READ_BUDGET; i++) {
		ssize_t n = mnl_socket_recvfrom(nl->sock, nl->buf, NL_RECV_SIZE);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			/* ENOBUFS: events were dropped (a request then times out);
			 * ENOSPC: a message did not fit our buffer and is lost. */
			if (nl->cur && errno == ENOSPC)
				request_done(nl, EMSGSIZE, false);
			continue;
		}
		handle_buffer(nl, nl->buf, (size_t)n);
	}
}

/* ---- public ------------------------------------------------------------- */

static int op_init(struct wifi_nl *nl, struct op *op)
{
	op->nl = nl;
	op->done_ev = event_new(nl->base, -1, 0, on_done, op);
	op->wait_ev = evtimer_new(nl->base, on_wait_timeout, op);
	return op->done_ev && op->wait_ev ? 0 : -1;
}

static struct wifi_nl *nl_alloc(struct event_base *base, const char *ifname, unsigned timeout_ms)
{
	struct wifi_nl *nl = calloc(1, sizeof(*nl));
	if (!nl)
		return NULL;
	nl->base = base;
	snprintf(nl->ifname, sizeof(nl->ifname), "%s", ifname);
	nl->timeout_ms = timeout_ms ? timeout_ms : NL_TIMEOUT_MS;
	nl->seq = (uint32_t)time(NULL);
	nl->req_timer = evtimer_new(base, on_req_timeout, nl);
	if (!nl->req_timer || op_init(nl, &nl->ops[0]) < 0 || op_init(nl, &nl->ops[1]) < 0) {
		wifi_nl_free(nl);
		errno = ENOMEM;
		return NULL;
	}
	return nl;
}

struct wifi_nl *wifi_nl_new(struct event_base *base, const char *ifname, unsigned timeout_ms)
{
	struct wifi_nl *nl = nl_alloc(base, ifname, timeout_ms);
	if (!nl)
		return NULL;
	nl->buf = malloc(NL_RECV_SIZE);
	nl->sock = mnl_socket_open2(NETLINK_GENERIC, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!nl->buf || !nl->sock || mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->read_ev = event_new(base, mnl_socket_get_fd(nl->sock), EV_READ | EV_PERSIST, on_read, nl);
	if (!nl->read_ev || event_add(nl->read_ev, NULL) < 0)
		goto fail;
	return nl;
fail: {
		int e = errno ? errno : ENOMEM;
		wifi_nl_free(nl);
		errno = e;
		return NULL;
	}
}

struct wifi_nl *wifi_nl_new_detached(struct event_base *base, const char *ifname, unsigned timeout_ms,
				     wifi_nl_send_fn send, void *arg)
{
	struct wifi_nl *nl = nl_alloc(base, ifname, timeout_ms);
	if (nl) {
		nl->send = send;
		nl->send_arg = arg;
	}
	return nl;
}

void wifi_nl_feed(struct wifi_nl *nl, const void *buf, size_t len)
{
	handle_buffer(nl, buf, len);
}

bool wifi_nl_scan_joined(const struct wifi_nl *nl)
{
	return nl->joined;
}

void wifi_nl_free(struct wifi_nl *nl)
{
	if (!nl)
		return;
	for (size_t i = 0; i < 2; i++) {
		if (nl->ops[i].done_ev)
			event_free(nl->ops[i].done_ev);
		if (nl->ops[i].wait_ev)
			event_free(nl->ops[i].wait_ev);
	}
	if (nl->read_ev)
		event_free(nl->read_ev);
	if (nl->req_timer)
		event_free(nl->req_timer);
	if (nl->sock)
		mnl_socket_close(nl->sock);
	free(nl->buf);
	free(nl);
}

int wifi_nl_unavailable(const struct wifi_nl *nl)
{
	return nl->unavailable;
}

/* Common start: the result reset, the interface looked up. */
static int op_start(struct op *op, const enum step *steps, wifi_nl_cb cb, void *arg)
{
	struct wifi_nl *nl = op->nl;
	if (op->busy) {
		errno = EBUSY;
		return -1;
	}
	op->busy = true;
	op->finished = op->waiting = op->results_seen = op->have_sta = false;
	op->steps = steps;
	op->at = 0;
	op->redos = 0;
	op->iftype = 0;
	op->cb = cb;
	op->arg = arg;
	op->t0 = clock_mono_us();
	memset(&op->r, 0, sizeof(op->r));
	wifi_sample_init(&op->r.sample);
	snprintf(op->r.sample.source, sizeof(op->r.sample.source), "nl80211");
	snprintf(op->r.sample.ifname, sizeof(op->r.sample.ifname), "%s", nl->ifname);
	wifi_scan_init(&op->r.scan);
	if (nl->unavailable) {
		op_finish(op, nl->unavailable, "nl80211 not available (%s)", strerror(nl->unavailable));
		return 0;
	}
	op->ifindex = if_nametoindex(nl->ifname);
	if (!op->ifindex) {
		op_finish(op, ENODEV, "no interface %s", nl->ifname);
		return 0;
	}
	op_advance(op);
	return 0;
}

int wifi_nl_sample(struct wifi_nl *nl, wifi_nl_cb cb, void *arg)
{
	return op_start(&nl->ops[0], sample_steps, cb, arg);
}

int wifi_nl_scan(struct wifi_nl *nl, bool may_trigger, wifi_nl_cb cb, void *arg)
{
	if (nl->ops[1].busy) {
		errno = EBUSY;
		return -1;
	}
	nl->ops[1].may_trigger = may_trigger;
	return op_start(&nl->ops[1], scan_steps, cb, arg);
}
