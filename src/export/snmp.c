/* snmp: an AgentX subagent of snmpd (net-snmp's agent library) on the
 * daemon's loop. net-snmp keeps its own sockets and alarms; after every
 * call into it we ask snmp_select_info2() which descriptors and which
 * deadline it wants and mirror them as libevent events, and those events
 * call snmp_read2() / snmp_timeout() + run_alarms() — net-snmp never waits
 * in select() itself. One handler serves the whole subtree from a snapshot
 * (snmp_mib.c). A master that is gone costs nothing: net-snmp's ping alarm
 * (every 5 s) reopens the session. The AgentX calls net-snmp makes
 * synchronously (open, register, ping) wait at most agentx_timeout (1 s,
 * no retries) — only a master that is alive but not answering makes them
 * wait (docs/export.md). net-snmp's state is global: one subagent per
 * process. */
#include "export/export_int.h"
#include "export/snmp_mib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <net-snmp/library/large_fd_set.h>

#include "config/config.h"
#include "core/log.h"

#define SNMPX_MAX_FDS 8
#define SNMPX_OBJS 512          /* 5 scalars + 7 columns x 16 members, with room */

struct snmpx {
	struct export_ctx *x;
	oid base[MAX_OID_LEN];
	size_t base_len;
	netsnmp_handler_registration *reg;
	struct event *fd_ev[SNMPX_MAX_FDS];
	int fds[SNMPX_MAX_FDS];
	struct event *timer;
	struct snmp_mib_obj objs[SNMPX_OBJS];
	size_t n_objs;
	uint64_t requests, gets, getnexts;
};

static struct snmpx *the_agent;          /* net-snmp's callbacks carry no context */

static void sync_events(struct snmpx *s);

static void on_fd(evutil_socket_t fd, short what, void *arg)
{
	(void)what;
	netsnmp_large_fd_set fds;
	netsnmp_large_fd_set_init(&fds, (int)fd + 1);
	NETSNMP_LARGE_FD_SET((int)fd, &fds);
	snmp_read2(&fds);
	netsnmp_large_fd_set_cleanup(&fds);
	netsnmp_check_outstanding_agent_requests();
	sync_events(arg);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	snmp_timeout();
	run_alarms();
	netsnmp_check_outstanding_agent_requests();
	sync_events(arg);
}

/* Mirrors net-snmp's wishes: an event per descriptor, one timer. */
static void sync_events(struct snmpx *s)
{
	netsnmp_large_fd_set fds;
	struct timeval tv = { 0, 0 };
	int maxfd = 0, block = 1;
	netsnmp_large_fd_set_init(&fds, FD_SETSIZE);
	snmp_select_info2(&maxfd, &fds, &tv, &block);
	for (int i = 0; i < SNMPX_MAX_FDS; i++)   /* drop what it no longer wants */
		if (s->fd_ev[i] && (s->fds[i] >= maxfd || !NETSNMP_LARGE_FD_ISSET(s->fds[i], &fds))) {
			event_free(s->fd_ev[i]);
			s->fd_ev[i] = NULL;
		}
	for (int fd = 0; fd < maxfd; fd++) {
		if (!NETSNMP_LARGE_FD_ISSET(fd, &fds))
			continue;
		int free_slot = -1, have = 0;
		for (int i = 0; i < SNMPX_MAX_FDS; i++) {
			if (s->fd_ev[i] && s->fds[i] == fd)
				have = 1;
			if (!s->fd_ev[i] && free_slot < 0)
				free_slot = i;
		}
		if (have || free_slot < 0)
			continue;
		s->fds[free_slot] = fd;
		s->fd_ev[free_slot] = event_new(s->x->base, fd, EV_READ | EV_PERSIST, on_fd, s);
		if (s->fd_ev[free_slot])
			event_add(s->fd_ev[free_slot], NULL);
	}
	netsnmp_large_fd_set_cleanup(&fds);
	if (block)
		evtimer_del(s->timer);
	else
		evtimer_add(s->timer, &tv);
}

/* ---- the handler ----------------------------------------------------------- */

static void set_value(netsnmp_variable_list *v, const struct snmp_mib_obj *o)
{
	long l = (long)o->num;
	u_long u = (u_long)o->num;
	switch (o->type) {
	case SMT_STR:
		snmp_set_var_typed_value(v, ASN_OCTET_STR, o->str, strlen(o->str));
		break;
	case SMT_INT:
		snmp_set_var_typed_value(v, ASN_INTEGER, &l, sizeof(l));
		break;
	case SMT_COUNTER:
		snmp_set_var_typed_value(v, ASN_COUNTER, &u, sizeof(u));
		break;
	case SMT_GAUGE:
		snmp_set_var_typed_value(v, ASN_GAUGE, &u, sizeof(u));
		break;
	case SMT_TICKS:
		snmp_set_var_typed_value(v, ASN_TIMETICKS, &u, sizeof(u));
		break;
	}
}

/* The request's arcs below our base; n = 0 when it is at or above it. */
static size_t below_base(const struct snmpx *s, const netsnmp_variable_list *v, uint32_t *sub)
{
	size_t n = 0;
	if (v->name_length <= s->base_len ||
	    snmp_oid_ncompare(v->name, v->name_length, s->base, s->base_len, s->base_len) != 0)
		return 0;
	for (size_t i = s->base_len; i < v->name_length && n < SNMP_MIB_SUB_MAX + 2; i++)
		sub[n++] = (uint32_t)v->name[i];
	return n;
}

static void answer(struct snmpx *s, netsnmp_agent_request_info *ri, netsnmp_request_info *r)
{
	netsnmp_variable_list *v = r->requestvb;
	uint32_t sub[SNMP_MIB_SUB_MAX + 2];
	size_t n = below_base(s, v, sub);
	bool before = snmp_oid_compare(v->name, v->name_length, s->base, s->base_len) < 0;
	for (size_t i = 0; i < s->n_objs; i++) {
		int c = snmp_mib_cmp(&s->objs[i], sub, n);
		if (ri->mode == MODE_GET ? c != 0 : (!before && c <= 0))
			continue;
		if (ri->mode != MODE_GET) {
			oid name[MAX_OID_LEN];
			memcpy(name, s->base, s->base_len * sizeof(oid));
			for (size_t k = 0; k < s->objs[i].n_sub; k++)
				name[s->base_len + k] = s->objs[i].sub[k];
			snmp_set_var_objid(v, name, s->base_len + s->objs[i].n_sub);
		}
		set_value(v, &s->objs[i]);
		return;
	}
	netsnmp_set_request_error(ri, r, ri->mode == MODE_GET ? SNMP_NOSUCHOBJECT :
				  SNMP_ENDOFMIBVIEW);
}

static int handler(netsnmp_mib_handler *h, netsnmp_handler_registration *reg,
		   netsnmp_agent_request_info *ri, netsnmp_request_info *requests)
{
	(void)h;
	(void)reg;
	struct snmpx *s = the_agent;
	if (!s || (ri->mode != MODE_GET && ri->mode != MODE_GETNEXT))
		return SNMP_ERR_NOERROR;
	const struct export_snap *sn = export_snapshot(s->x);
	s->n_objs = snmp_mib_build(sn->status, sn->members, s->x->fo.total, s->objs, SNMPX_OBJS);
	s->requests++;
	for (netsnmp_request_info *r = requests; r; r = r->next) {
		if (ri->mode == MODE_GET)
			s->gets++;
		else
			s->getnexts++;
		answer(s, ri, r);
	}
	return SNMP_ERR_NOERROR;
}

/* ---- lifecycle -------------------------------------------------------------- */

/* net-snmp's log lines go to ours (it would print to stderr). */
static int on_log(int major, int minor, void *server, void *client)
{
	(void)major;
	(void)minor;
	(void)client;
	const struct snmp_log_message *m = server;
	if (m && m->msg)
		log_info("snmp: %.*s", (int)strcspn(m->msg, "\n"), m->msg);
	return 0;
}

static void configure_library(const char *socket)
{
	netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_ROLE, 1);
	netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_X_SOCKET, socket);
	/* Our config is /etc/config/autonomy: read no snmp.conf, keep no state. */
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
	/* Alarms run from our timer (run_alarms), not from SIGALRM. */
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_ALARM_DONT_USE_SIG, 1);
	/* A subagent needs no MIB files: the daemon parses none (MIBS=""). */
	setenv("MIBS", "", 1);
	netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_MIB_WARNINGS, 0);
	snmp_disable_log();
	snmp_enable_calllog();
	snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, on_log, NULL);
}

/* The session's timing; set again after init_agent(), which resets them. */
static void agentx_timing(void)
{
	netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL, 5);
	netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_TIMEOUT, 1);
	netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_RETRIES, 0);
}

static void snmpx_stop(void *st)
{
	struct snmpx *s = st;
	if (s->reg)
		netsnmp_unregister_handler(s->reg);
	snmp_shutdown("autonomyd");
	shutdown_agent();
	for (int i = 0; i < SNMPX_MAX_FDS; i++)
		if (s->fd_ev[i])
			event_free(s->fd_ev[i]);
	if (s->timer)
		event_free(s->timer);
	if (the_agent == s)
		the_agent = NULL;
	free(s);
}

static void *snmpx_start(struct export_ctx *x, const struct cfg_section *sec, char *why,
			 size_t why_size)
{
	if (the_agent) {
		snprintf(why, why_size, "one SNMP subagent per process");
		return NULL;
	}
	struct snmpx *s = calloc(1, sizeof(*s));
	if (!s || !(s->timer = evtimer_new(x->base, on_timer, s))) {
		free(s);
		snprintf(why, why_size, "out of memory");
		return NULL;
	}
	s->x = x;
	uint32_t arcs[MAX_OID_LEN];
	s->base_len = snmp_mib_parse_oid(cfg_str(sec, "base_oid"), arcs, 64);
	for (size_t i = 0; i < s->base_len; i++)
		s->base[i] = arcs[i];
	if (!s->base_len) {
		snprintf(why, why_size, "base_oid '%s' is not an OID", cfg_str(sec, "base_oid"));
		event_free(s->timer);
		free(s);
		return NULL;
	}
	the_agent = s;
	configure_library(cfg_str(sec, "agentx_socket"));
	agentx_timing();
	init_agent("autonomyd");
	agentx_timing();
	s->reg = netsnmp_create_handler_registration("autonomy", handler, s->base, s->base_len,
						     HANDLER_CAN_RONLY);
	if (!s->reg || netsnmp_register_handler(s->reg) != MIB_REGISTERED_OK) {
		s->reg = NULL;          /* freed by the failed registration */
		snprintf(why, why_size, "cannot register the MIB handler");
		snmpx_stop(s);
		return NULL;
	}
	init_snmp("autonomyd");         /* opens the AgentX session (or retries later) */
	sync_events(s);
	log_info("snmp subagent: master %s, MIB at %s", cfg_str(sec, "agentx_socket"),
		 cfg_str(sec, "base_oid"));
	return s;
}

static json_object *snmpx_view(void *st)
{
	struct snmpx *s = st;
	json_object *o = json_object_new_object();
	json_object_object_add(o, "state", json_object_new_string("running"));
	json_object_object_add(o, "requests", json_object_new_int64((int64_t)s->requests));
	json_object_object_add(o, "gets", json_object_new_int64((int64_t)s->gets));
	json_object_object_add(o, "getnexts", json_object_new_int64((int64_t)s->getnexts));
	json_object_object_add(o, "objects", json_object_new_int64((int64_t)s->n_objs));
	return o;
}

const struct export_ops export_snmp_ops = {
	.name = "snmp",
	.start = snmpx_start,
	.stop = snmpx_stop,
	.view = snmpx_view,
};
