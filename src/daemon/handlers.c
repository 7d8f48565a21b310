/* Control command handlers: one function per row of the ctl_cmds table. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "core/clock.h"
#include "core/jsonutil.h"
#include "core/log.h"
#include "ctl/ctl_proto.h"
#include "ctl/ctl_server.h"
#include "daemon/alerts.h"
#include "daemon/apisec.h"
#include "daemon/decisions.h"
#include "daemon/shaper.h"
#include "daemon/failtest.h"
#include "daemon/history.h"
#include "daemon/members.h"
#include "daemon/netifd.h"
#include "daemon/record.h"
#include "daemon/tel.h"
#include "ctl/ctl_validate.h"
#include "history/hist.h"
#include "daemon/daemon.h"
#include "daemon/harden.h"
#include "events/ev_emit.h"

typedef json_object *(*handler_fn)(struct daemon *d, json_object *args,
				   struct ctl_error *err);

static void record_reload(struct daemon *d, bool ok, const char *msg, json_object *diags)
{
	d->last_reload.wall_s = clock_wall_ms() / 1000;
	d->last_reload.ok = ok;
	snprintf(d->last_reload.message, sizeof(d->last_reload.message), "%s", msg);
	json_object_put(d->last_reload.diags);
	d->last_reload.diags = diags;
}

/* Paths the daemon holds open cannot move under it; say so rather than
 * pretend the change took effect. */
static void warn_restart_only(const struct config *old, const struct config *cfg)
{
	static const char *const opts[] = { "control_socket", "pid_file", "socket_group",
					    "run_dir", "state_dir", "flow_mark_mask" };
	const struct cfg_section *a = config_section(old, "main"), *b = config_section(cfg, "main");
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		const char *x = cfg_str(a, opts[i]), *y = cfg_str(b, opts[i]);
		if (strcmp(x ? x : "", y ? y : "") != 0)
			log_warn("main.%s changed: takes effect when autonomyd restarts", opts[i]);
	}
	if (cfg_bool(a, "sticky_flows") != cfg_bool(b, "sticky_flows"))
		log_warn("main.sticky_flows changed: takes effect when autonomyd restarts");
}

int daemon_reload(struct daemon *d, const char *by, struct ctl_error *err,
		  json_object **warnings)
{
	struct cfg_diags dg = { 0 };
	struct config *cfg = config_load_file(d->config_path, &dg);
	for (size_t i = 0; i < dg.n; i++)
		log_msg(dg.v[i].severity == CFG_ERROR ? LOG_LVL_ERR : LOG_LVL_WARN,
			"%s", dg.v[i].msg);
	if (!cfg) {
		ctl_error_set(err, CTL_E_CONFIG_INVALID,
			      "%s has %zu error(s); still running on the previous config",
			      d->config_path, dg.n_errors);
		err->details = ctl_diags_json(&dg, false);
		record_reload(d, false, err->message, json_object_get(err->details));
		ev_emit_reload_failed(d->bus, err->message);
		cfg_diags_free(&dg);
		return -1;
	}
	warn_restart_only(d->cfg, cfg);
	/* A trace is replayed with one config and one member list. */
	record_stop(d, "the config was reloaded");
	config_free(d->cfg);
	d->cfg = cfg;
	daemon_apply_log_level(cfg, d->debug);
	access_configure(&d->access, cfg);
	decisions_configure(d);
	decisions_backend_check(d);
	if (members_sync(d) < 0)
		log_err("reload: some members could not be started (see above)");
	netifd_refresh(d);
	tel_reload(d);
	shaper_reload(d);
	harden_reload_check(d);
	apisec_reload(d);
	export_reload(d->exp, d->cfg);
	daemon_events_configure(d);
	alerts_reload(d);
	history_reload(d);
	char msg[128];
	snprintf(msg, sizeof(msg), "reloaded: %zu members, %zu warnings%s%.80s%s", cfg->n_members,
		 dg.n, by ? " (by " : "", by ? by : "", by ? ")" : "");
	*warnings = ctl_diags_json(&dg, true);
	record_reload(d, true, msg, json_object_get(*warnings));
	ev_emit_reload(d->bus, (unsigned)cfg->n_members, (unsigned)dg.n, by);
	cfg_diags_free(&dg);
	return 0;
}

static json_object *h_monitor(struct daemon *d, json_object *args, struct ctl_error *err)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "active", d->active[0] ? json_object_new_string(d->active) : NULL);
	json_object_object_add(o, "members", view_members(d));
	json_object_object_add(o, "events", view_events(d, 20));
	return o;
}

static json_object *h_decisions(struct daemon *d, json_object *args, struct ctl_error *err)
{
	json_object *v;
	int limit = 10;
	if (json_object_object_get_ex(args, "limit", &v))
		limit = json_object_get_int(v);
	if (limit < 1) {
		ctl_error_set(err, CTL_E_BAD_ARGS, "--limit must be at least 1");
		return NULL;
	}
	return decisions_view(d, limit);
}

static bool arg_bool(json_object *args, const char *k)
{
	json_object *v;
	return json_object_object_get_ex(args, k, &v) && json_object_get_boolean(v);
}

static json_object *h_failover(struct daemon *d, json_object *args, struct ctl_error *err)
{
	json_object *v;
	const char *member = json_object_object_get_ex(args, "interface", &v) ?
			     json_object_get_string(v) : NULL;
	bool force = arg_bool(args, "force"), test = arg_bool(args, "test");
	if (arg_bool(args, "auto")) {
		if (member || force || test) {
			ctl_error_set(err, CTL_E_BAD_ARGS, "--auto takes no other option");
			return NULL;
		}
		return decisions_auto(d, d->cur_who, err);
	}
	if (!member) {
		ctl_error_set(err, CTL_E_BAD_ARGS, "failover needs --interface X (or --auto)");
		return NULL;
	}
	if (force && test) {
		ctl_error_set(err, CTL_E_BAD_ARGS, "--force and --test exclude each other");
		return NULL;
	}
	/* A member name, or its netifd interface, device or class. */
	if (!(member = netifd_member_for(d, member, err)))
		return NULL;
	if (test)
		return failtest_start(d, d->cur_conn, member, d->cur_who, err);
	return decisions_failover(d, member, force, d->cur_who, err);
}

static json_object *h_status(struct daemon *d, json_object *args, struct ctl_error *err)
{
	return view_status(d);
}

static json_object *h_members(struct daemon *d, json_object *args, struct ctl_error *err)
{
	return view_members(d);
}

static json_object *h_health(struct daemon *d, json_object *args, struct ctl_error *err)
{
	return view_health(d);
}

/* Cheap on purpose: starwatch asks every check_interval. */
static json_object *h_ping(struct daemon *d, json_object *args, struct ctl_error *err)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "pid", json_object_new_int((int)getpid()));
	json_object_object_add(o, "loop_ticks", json_object_new_int64((int64_t)d->health.ticks));
	json_object_object_add(o, "uptime_s", json_num(selfhealth_uptime_s(&d->health), 1));
	return o;
}

/* Never the secrets: a query is open to everyone who can connect. */
static json_object *h_config_show(struct daemon *d, json_object *args, struct ctl_error *err)
{
	return config_to_json(d->cfg, false);
}

/* Privileged (CTL_CMD_PRIVILEGED): root or main.admin_group. */
static json_object *h_config_reveal(struct daemon *d, json_object *args, struct ctl_error *err)
{
	return config_to_json(d->cfg, true);
}

/* Checks a config given inline, the daemon's own file, or (privileged
 * callers only: the daemon reads as root) another file, without touching
 * the running config; an invalid one is a failed command with the errors as
 * details. The file must be a regular one of at most 1 MiB (uci.c), so a
 * FIFO or /dev/zero cannot stall or swell the loop. */
static json_object *h_config_validate(struct daemon *d, json_object *args,
				      struct ctl_error *err)
{
	json_object *v;
	const char *path = d->config_path;
	if (json_object_object_get_ex(args, "text", &v)) {
		if (json_object_object_get_ex(args, "file", NULL)) {
			ctl_error_set(err, CTL_E_BAD_ARGS, "give either 'file' or 'text'");
			return NULL;
		}
		return ctl_config_validate_text(json_object_get_string(v),
						(size_t)json_object_get_string_len(v), err);
	}
	if (json_object_object_get_ex(args, "file", &v))
		path = json_object_get_string(v);
	if (strcmp(path, d->config_path) != 0 &&
	    !access_may_act(&d->access, ctl_conn_peer(d->cur_conn))) {
		char who[96];
		ctl_error_set(err, CTL_E_PERMISSION, "config_validate of a file other than the "
			      "daemon's needs %s (or run 'autonomyctl config validate FILE' "
			      "yourself)", access_who_may(&d->access, who, sizeof(who)));
		return NULL;
	}
	return ctl_config_validate(path, err);
}

static json_object *h_reload(struct daemon *d, json_object *args, struct ctl_error *err)
{
	json_object *warnings = NULL;
	if (daemon_reload(d, d->cur_who, err, &warnings) < 0)
		return NULL;
	json_object *out = json_object_new_object();
	json_object_object_add(out, "reloaded", json_object_new_boolean(1));
	json_object_object_add(out, "config_file", json_object_new_string(d->config_path));
	json_object_object_add(out, "members", json_object_new_int((int)d->cfg->n_members));
	json_object_object_add(out, "warnings", warnings);
	return out;
}

static const char *arg_str(json_object *args, const char *k)
{
	json_object *v;
	return json_object_object_get_ex(args, k, &v) ? json_object_get_string(v) : NULL;
}

static json_object *h_telemetry_cleanup(struct daemon *d, json_object *args,
					struct ctl_error *err)
{
	const char *older = arg_str(args, "older_than");
	int64_t s = older ? hist_duration_parse(older) : 0;
	if (s < 0 || (older && s == 0)) {
		ctl_error_set(err, CTL_E_BAD_ARGS, "--older-than: a span such as 30d, 12h or 90m, "
			      "not '%s'", older);
		return NULL;
	}
	return history_cleanup(d, d->cur_conn, s, false, err);
}

static json_object *h_cleanup(struct daemon *d, json_object *args, struct ctl_error *err)
{
	if (!arg_bool(args, "all")) {
		ctl_error_set(err, CTL_E_BAD_ARGS, "cleanup needs --all: retention applied now, the "
			      "history store vacuumed, stale state files removed");
		return NULL;
	}
	return history_cleanup(d, d->cur_conn, 0, true, err);
}

/* The live half of `notifications` (autonomyctl adds the stored events). */
static json_object *h_notifications(struct daemon *d, json_object *args, struct ctl_error *err)
{
	(void)err;
	return alerts_view(d, arg_bool(args, "pending"));
}

static json_object *h_notifications_test(struct daemon *d, json_object *args,
					 struct ctl_error *err)
{
	return alerts_test(d, d->cur_conn, arg_str(args, "channel"), err);
}

static const struct {
	const char *name;
	handler_fn fn;
} handlers[] = {
	{ "notifications", h_notifications },
	{ "notifications_test", h_notifications_test },
	{ "telemetry_cleanup", h_telemetry_cleanup },
	{ "cleanup", h_cleanup },
	{ "status", h_status },
	{ "members", h_members },
	{ "health", h_health },
	{ "ping", h_ping },
	{ "monitor", h_monitor },
	{ "decisions", h_decisions },
	{ "failover", h_failover },
	{ "config_show", h_config_show },
	{ "config_reveal", h_config_reveal },
	{ "config_validate", h_config_validate },
	{ "reload", h_reload },
	{ "hotplug", netifd_hotplug },
	{ "security_key_create", apisec_key_create },
	{ "security_key_list", apisec_key_list },
	{ "security_key_revoke", apisec_key_revoke },
};

/* Privileged commands need root or main.admin_group by the connection's
 * kernel credentials; who asked is logged and handed to the handler
 * (d->cur_who) for the decisions and events it causes. */
static bool authorised(struct daemon *d, struct ctl_conn *c, const struct ctl_request *req,
		       char *who, size_t size, struct ctl_error *err)
{
	const struct ctl_peer *peer = ctl_conn_peer(c);
	if (!(req->cmd->flags & CTL_CMD_PRIVILEGED))
		return true;
	ctl_peer_describe(peer, who, size);
	if (access_may_act(&d->access, peer)) {
		log_notice("ctl: %s by %s", req->cmd->name, who);
		return true;
	}
	char may[96];
	log_warn("ctl: %s refused for %s", req->cmd->name, who);
	ctl_error_set(err, CTL_E_PERMISSION, "%s needs %s; you are %s", req->cmd->name,
		      access_who_may(&d->access, may, sizeof(may)), who);
	return false;
}

json_object *daemon_dispatch(void *ctx, struct ctl_conn *c, const struct ctl_request *req)
{
	struct daemon *d = ctx;
	struct ctl_error err = { .code = CTL_E_INTERNAL, .details = NULL };
	char who[96];
	json_object *v;
	if (!authorised(d, c, req, who, sizeof(who), &err))
		return ctl_reply_err(&err);
	if (strcmp(req->cmd->name, "monitor") == 0 &&
	    json_object_object_get_ex(req->args, "continuous", &v) && json_object_get_boolean(v)) {
		if (ctl_conn_subscribe(c) < 0) {
			ctl_error_set(&err, CTL_E_BUSY, "too many monitor --continuous clients (%d)",
				      CTL_MAX_SUBSCRIBERS);
			return ctl_reply_err(&err);
		}
		daemon_monitor_wake(ctx);
	}
	for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++) {
		if (strcmp(handlers[i].name, req->cmd->name) != 0)
			continue;
		d->cur_conn = c;
		d->cur_who = req->cmd->flags & CTL_CMD_PRIVILEGED ? who : NULL;
		json_object *data = handlers[i].fn(ctx, req->args, &err);
		d->cur_conn = NULL;
		d->cur_who = NULL;
		if (data == CTL_REPLY_DEFERRED)
			return data;
		return data ? ctl_reply_ok(data) : ctl_reply_err(&err);
	}
	/* A telemetry kind's command (`starlink`, `starlink_reboot`, ...). */
	bool served = false;
	d->cur_conn = c;
	d->cur_who = req->cmd->flags & CTL_CMD_PRIVILEGED ? who : NULL;
	json_object *data = tel_command(ctx, c, req->cmd->name, req->args, &err, &served);
	d->cur_conn = NULL;
	d->cur_who = NULL;
	if (served)
		return data == CTL_REPLY_DEFERRED ? data : data ? ctl_reply_ok(data) :
		       ctl_reply_err(&err);
	ctl_error_set(&err, CTL_E_UNKNOWN_CMD, "command '%s' is not served by the daemon",
		      req->cmd->name);
	return ctl_reply_err(&err);
}
