/* snmp_agent: the AgentX subagent itself — a child process of autonomyd
 * (`autonomyd --snmp-subagent SOCKET AGENTX BASE_OID`, started and restarted
 * by snmp.c). net-snmp's AgentX client makes synchronous calls (open,
 * register, ping) that wait for the master: with snmpd stopped (SIGSTOP)
 * they held a loop for 17 s here. In its own process that wait costs
 * nothing but SNMP answers; the daemon's loop never sees it. The child runs
 * net-snmp's own loop and reads the daemon's views over the control socket
 * (status, members, health), at most once a second. It ends when the daemon
 * does (PR_SET_PDEATHSIG). */
#include "export/export_int.h"
#include "export/snmp.h"
#include "export/snmp_mib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "ctl/ctl_client.h"

#define SNMPX_OBJS 512          /* 5 scalars + 7 columns x 16 members, with room */
#define SNMPX_FRESH_US 1000000  /* a walk asks once per object: one fetch a second */
#define SNMPX_CALL_MS 2000

struct snmpx {
	const char *ctl_socket;
	oid base[MAX_OID_LEN];
	size_t base_len;
	struct snmp_mib_obj objs[SNMPX_OBJS];
	size_t n_objs;
	uint64_t fetched_us;
};

static struct snmpx the_agent;          /* net-snmp's callbacks carry no context */
static volatile sig_atomic_t stopping;

/* The daemon's views; a daemon that does not answer leaves the MIB empty
 * (a walk shows nothing under the base rather than stale figures). */
static void refresh(struct snmpx *s)
{
	uint64_t now = clock_mono_us();
	if (s->fetched_us && now - s->fetched_us < SNMPX_FRESH_US)
		return;
	struct ctl_error err = { .details = NULL };
	json_object *st = ctl_client_call(s->ctl_socket, "status", NULL, SNMPX_CALL_MS, &err);
	json_object *m = st ? ctl_client_call(s->ctl_socket, "members", NULL, SNMPX_CALL_MS, &err) : NULL;
	json_object *h = m ? ctl_client_call(s->ctl_socket, "health", NULL, SNMPX_CALL_MS, &err) : NULL;
	json_object_put(err.details);
	s->n_objs = 0;
	if (h) {
		double fo = export_path_num(h, "subsystems.export.failovers_total");
		s->n_objs = snmp_mib_build(st, m, fo == fo ? (uint64_t)fo : 0, s->objs, SNMPX_OBJS);
	}
	s->fetched_us = now;
	json_object_put(st);
	json_object_put(m);
	json_object_put(h);
}

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
	struct snmpx *s = &the_agent;
	if (ri->mode != MODE_GET && ri->mode != MODE_GETNEXT)
		return SNMP_ERR_NOERROR;
	refresh(s);
	for (netsnmp_request_info *r = requests; r; r = r->next)
		answer(s, ri, r);
	return SNMP_ERR_NOERROR;
}

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
	/* Alarms run from agent_check_and_process's select timeout. */
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


static void on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

int snmp_agent_main(const char *ctl_socket, const char *agentx, const char *base_oid)
{
	struct snmpx *s = &the_agent;
	uint32_t arcs[MAX_OID_LEN];
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() == 1)
		return 1;       /* the daemon is already gone */
	log_open("autonomyd-snmp", false, LOG_LVL_INFO);
	s->ctl_socket = ctl_socket;
	s->base_len = snmp_mib_parse_oid(base_oid, arcs, 64);
	for (size_t i = 0; i < s->base_len; i++)
		s->base[i] = arcs[i];
	if (!s->base_len) {
		log_err("snmp: base_oid '%s' is not a numeric OID", base_oid);
		return 2;
	}
	struct sigaction sa = { .sa_handler = on_term };
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	configure_library(agentx);
	agentx_timing();
	init_agent("autonomyd");
	agentx_timing();
	netsnmp_handler_registration *reg = netsnmp_create_handler_registration(
		"autonomy", handler, s->base, s->base_len, HANDLER_CAN_RONLY);
	if (!reg || netsnmp_register_handler(reg) != MIB_REGISTERED_OK) {
		log_err("snmp: cannot register the MIB handler");
		return 1;
	}
	init_snmp("autonomyd");         /* opens the AgentX session (or retries later) */
	while (!stopping)
		agent_check_and_process(1);
	snmp_shutdown("autonomyd");
	shutdown_agent();
	return 0;
}
