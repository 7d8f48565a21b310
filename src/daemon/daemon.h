/* The daemon's state: one struct, owned by main, reached by the handlers. */
#ifndef AUTONOMY_DAEMON_H
#define AUTONOMY_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>

#include "config/config.h"
#include "core/privs.h"
#include "core/selfhealth.h"
#include "ctl/ctl_proto.h"
#include "daemon/access.h"
#include "engine/tel_member.h"
#include "export/export.h"
#include "notify/notify.h"

struct event_base;
struct event;
struct linkmon;
struct ctl_server;
struct pidfile;

struct member_rt;
struct decide;
struct failtest;
struct ctl_conn;
struct route_backend;
struct ev_bus;
struct history;
struct flows_state;
struct recorder;
struct netifd;
struct state_io;
struct prec_store;
struct shaper;
struct apisec;
struct apifw;

#define DAEMON_EVENTS_MAX 128

struct reload_result {
	int64_t wall_s;         /* when, Unix seconds; 0 = never reloaded */
	bool ok;
	char message[512];
	json_object *diags;     /* array of strings (errors and warnings) */
};

struct daemon {
	struct event_base *base;
	struct config *cfg;
	const char *config_path;
	char socket_path[108];  /* copies: the config they may come from is replaced on reload */
	char pid_path[4096];
	bool foreground;
	bool debug;              /* -d: keep debug logging across reloads */
	int64_t started_wall_s;

	struct linkmon *lm;
	struct ctl_server *ctl;
	struct pidfile *pf;
	struct selfhealth health;
	struct reload_result last_reload;
	struct event *sig_hup, *sig_term, *sig_int;

	struct member_rt **members;     /* runtime state, same order as cfg->members */
	size_t n_members;
	bool syncing;                   /* members_sync is rebuilding members: no decisions */
	char active[64];                /* the member carrying traffic ("" = none) */
	struct ev_bus *bus;             /* every event goes through it (events/ev.h) */
	json_object *events[DAEMON_EVENTS_MAX]; /* the recent ones as JSON, ring */
	size_t n_events, events_head;
	struct history *hist;           /* the history store (history.c) */
	struct event *monitor_timer;    /* member snapshots to monitor clients */

	bool dry_run;                   /* --dry-run: observe backend whatever the config */
	struct decide *dec;             /* the decision engine */
	struct route_backend *rb;       /* the only code that changes routing */
	int route_kind;                 /* enum route_kind of rb */
	char route_refused[224];        /* why netlink was refused ("" = it was not) */
	struct event *decide_timer;     /* when a hold or sustain time matures */
	struct failtest *failtest;      /* a running `failover --test` */
	struct ctl_conn *cur_conn;      /* the connection of the request being handled */
	const char *cur_who;            /* its peer, for a privileged command ("uid 0 ...") */
	struct access access;           /* who may act (main.admin_group) */
	struct privs privs;             /* capabilities kept after start-up */
	struct event *carrier_timer;    /* carrier watch of the active member */
	struct flows_state *flows;      /* connections at each switch (flows.c) */
	struct tel_env tel_env;         /* the telemetry kinds' shared state (tel.c) */
	void *kind_state[TEL_KINDS_MAX]; /* router-wide state of each kind (tel_kind_state) */
	struct recorder *rec;           /* --record: a replay trace of what it saw (record.c) */
	struct netifd *netifd;          /* OpenWrt interface names → devices (netifd.c) */
	struct state_io *state;         /* state_dir / run_dir writes (state.c) */
	struct event *sd_watchdog;      /* systemd WATCHDOG=1 pings (main.c) */
	struct shaper *shaper;          /* the traffic shaper (shaper.c) */
	struct export_set *exp;         /* Prometheus, SNMP, MQTT (exporters.c) */
	int exp_sub;                    /* their subscription to the bus */
	struct export_host exp_host;
	struct notify *notify;          /* alert channels (alerts.c, src/notify/) */
	struct notify_host notify_host;
	char hostname[256];
	struct prec_store *prec;        /* precursor records on disk (prec_store.c) */
	struct apisec *apisec;          /* listener guard and API keys (apisec.c) */
	struct apifw *apifw;            /* the listeners' firewall table (apifw.c) */
};

/* The event bus with the log and the `monitor` ring as subscribers
 * (events.c); emitters use events/ev_emit.h. */
int daemon_events_start(struct daemon *d);
void daemon_events_stop(struct daemon *d);
/* Which levels notify: alerts.*_enabled (at start and reload). */
void daemon_events_configure(struct daemon *d);
json_object *view_events(struct daemon *d, size_t limit);
int daemon_monitor_start(struct daemon *d);
void daemon_monitor_wake(struct daemon *d);

/* The exporters (exporters.c, src/export/). */
int exporters_start(struct daemon *d);
void exporters_stop(struct daemon *d);

/* Re-reads the config file; swaps only when it has no errors. Fills err (for
 * the control reply) and returns -1 when the new config was rejected. by:
 * who asked (NULL: a signal). */
int daemon_reload(struct daemon *d, const char *by, struct ctl_error *err,
		  json_object **warnings);

void daemon_apply_log_level(const struct config *cfg, bool debug);

/* The control command dispatcher (handlers.c). */
struct ctl_conn;
json_object *daemon_dispatch(void *ctx, struct ctl_conn *c, const struct ctl_request *req);

/* JSON views of the daemon's state (views.c). */
json_object *view_status(struct daemon *d);
json_object *view_members(struct daemon *d);
json_object *view_health(struct daemon *d);
/* "k": ISO 8601 UTC and "k_ts": Unix seconds, both null for 0. */
void view_add_time(json_object *o, const char *k, int64_t unix_s);


#endif
