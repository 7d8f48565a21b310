/* snmp: the SNMP exporter on the daemon's side — it keeps the AgentX
 * subagent child running (snmp.h): started at once, restarted after it ends
 * with a back-off of 1 s doubling to 60 s (back to 1 s after a run of a
 * minute), ended with the exporter. The child reads the daemon's views over
 * the control socket, whose path it gets on its command line. */
#include "export/snmp.h"
#include "export/export_int.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "config/config.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/proc.h"
#include "core/resolve.h"

#define SNMPD_BACKOFF_MIN_MS 1000u
#define SNMPD_BACKOFF_MAX_MS 60000u

struct snmpd_child {
	struct export_ctx *x;
	char agentx[128], base_oid[128];
	struct proc *child;
	struct event *retry;
	uint64_t started_us;
	unsigned backoff_ms;
	uint64_t starts;
	char last_exit[160];
};

static void spawn(struct snmpd_child *c);

static void on_exit_cb(void *arg, const struct proc_result *r)
{
	struct snmpd_child *c = arg;
	c->child = NULL;
	if (r->end == PROC_SPAWN_FAILED)
		snprintf(c->last_exit, sizeof(c->last_exit), "could not start: %s", strerror(r->err));
	else
		snprintf(c->last_exit, sizeof(c->last_exit), "%s %d%s%.100s",
			 r->end == PROC_SIGNALED ? "signal" : "exit status", r->status,
			 r->errout && *r->errout ? ": " : "", r->errout ? r->errout : "");
	log_warn("snmp subagent ended (%s); again in %u s", c->last_exit, c->backoff_ms / 1000);
	if (clock_mono_us() - c->started_us > 60 * 1000000ull)
		c->backoff_ms = SNMPD_BACKOFF_MIN_MS;
	struct timeval tv = { c->backoff_ms / 1000, (c->backoff_ms % 1000) * 1000 };
	event_add(c->retry, &tv);
	c->backoff_ms = c->backoff_ms * 2 > SNMPD_BACKOFF_MAX_MS ? SNMPD_BACKOFF_MAX_MS :
			c->backoff_ms * 2;
}

static void spawn(struct snmpd_child *c)
{
	char self[256];
	resolve_self_exe(self, sizeof(self));
	char *argv[] = { self, "--snmp-subagent", (char *)c->x->host->socket_path,
			 c->agentx, c->base_oid, NULL };
	/* It runs as long as the daemon: the longest timeout proc allows. */
	struct proc_opts o = { .timeout_ms = UINT_MAX, .max_output = 4096 };
	c->started_us = clock_mono_us();
	c->child = proc_spawn(c->x->base, argv, &o, on_exit_cb, c);
	if (c->child)
		c->starts++;
	else
		log_err("snmp subagent: cannot start it");
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	spawn(arg);
}

static void snmpd_stop(void *st)
{
	struct snmpd_child *c = st;
	if (c->child)
		proc_cancel(c->child);
	if (c->retry)
		event_free(c->retry);
	free(c);
}

static void *snmpd_start(struct export_ctx *x, const struct cfg_section *s, char *why,
			 size_t why_size)
{
	struct snmpd_child *c = calloc(1, sizeof(*c));
	if (!c || !(c->retry = evtimer_new(x->base, on_retry, c))) {
		free(c);
		snprintf(why, why_size, "out of memory");
		return NULL;
	}
	if (!x->host->socket_path || !x->host->socket_path[0]) {
		snprintf(why, why_size, "no control socket to read the views from");
		snmpd_stop(c);
		return NULL;
	}
	c->x = x;
	c->backoff_ms = SNMPD_BACKOFF_MIN_MS;
	snprintf(c->agentx, sizeof(c->agentx), "%s", cfg_str(s, "agentx_socket"));
	snprintf(c->base_oid, sizeof(c->base_oid), "%s", cfg_str(s, "base_oid"));
	spawn(c);
	if (!c->child) {
		snprintf(why, why_size, "cannot start the subagent");
		snmpd_stop(c);
		return NULL;
	}
	log_info("snmp subagent: master %s, MIB at %s", c->agentx, c->base_oid);
	return c;
}

static json_object *snmpd_view(void *st)
{
	struct snmpd_child *c = st;
	json_object *o = json_object_new_object();
	json_object_object_add(o, "state", json_object_new_string(c->child ? "running" : "restarting"));
	json_object_object_add(o, "agentx_socket", json_object_new_string(c->agentx));
	json_object_object_add(o, "base_oid", json_object_new_string(c->base_oid));
	json_object_object_add(o, "starts", json_object_new_int64((int64_t)c->starts));
	json_object_object_add(o, "last_exit", c->last_exit[0] ?
			       json_object_new_string(c->last_exit) : NULL);
	return o;
}

const struct export_ops export_snmp_ops = {
	.name = "snmp",
	.start = snmpd_start,
	.stop = snmpd_stop,
	.view = snmpd_view,
};
