#include "ctl/ctl_cmds.h"

#include <string.h>

#define ARGS(a) a, sizeof(a) / sizeof((a)[0])
#define NOARGS NULL, 0

static const struct ctl_arg_def validate_args[] = {
	{ "file", CTL_ARG_STRING, false, "config file to check (default: the daemon's)" },
	{ "text", CTL_ARG_STRING, false, "a config given inline instead of a file" },
};

static const struct ctl_arg_def monitor_args[] = {
	{ "continuous", CTL_ARG_BOOL, false, "keep streaming events and member updates" },
};

static const struct ctl_arg_def decisions_args[] = {
	{ "limit", CTL_ARG_INT, false, "how many, newest first (default 10; 0: all in the period)" },
	{ "period", CTL_ARG_STRING, false, "daily, weekly, monthly, all (default) or a span: 36h, 90d" },
	{ "analysis", CTL_ARG_BOOL, false, "failover patterns: causes, times, pairs, MTBF, predictions" },
	{ "security", CTL_ARG_BOOL, false, "with --analysis: the security analysis" },
};

static const struct ctl_arg_def failover_args[] = {
	{ "interface", CTL_ARG_STRING, false,
	  "the member: its name, netifd interface, device, or class when only one has it" },
	{ "force", CTL_ARG_BOOL, false, "pin it there until 'failover --auto'" },
	{ "test", CTL_ARG_BOOL, false, "switch, check connectivity through it, switch back" },
	{ "auto", CTL_ARG_BOOL, false, "end a pin: automatic selection again" },
};

static const struct ctl_arg_def member_args[] = {
	{ "member", CTL_ARG_STRING, false, "only this member (default: every one of the class)" },
};

static const struct ctl_arg_def dish_action_args[] = {
	{ "member", CTL_ARG_STRING, false, "the starlink member (needed when there are several)" },
	{ "confirm", CTL_ARG_BOOL, false, "yes, take the dish offline (asked for on a terminal)" },
};

static const struct ctl_arg_def backup_args[] = {
	{ "to", CTL_ARG_STRING, false,
	  "write the copy (and FILE.meta) there only, e.g. onto a USB stick" },
};

static const struct ctl_arg_def verify_backup_args[] = {
	{ "file", CTL_ARG_STRING, false, "a copy to check (default: the newest backup)" },
};

static const struct ctl_arg_def mwan3_args[] = {
	{ "file", CTL_ARG_STRING, false, "mwan3 config to read (default /etc/config/mwan3)" },
};

static const struct ctl_arg_def hotplug_args[] = {
	{ "action", CTL_ARG_STRING, true, "netifd's ACTION: ifup, ifdown, ifupdate, ifup-failed" },
	{ "interface", CTL_ARG_STRING, true, "netifd's INTERFACE (the logical name, e.g. wan)" },
	{ "device", CTL_ARG_STRING, false, "netifd's DEVICE (the kernel device, e.g. pppoe-wan)" },
};

static const struct ctl_arg_def key_create_args[] = {
	{ "name", CTL_ARG_STRING, false,
	  "what the key is for, e.g. prometheus (letters, digits, . _ -; default 'default')" },
};

static const struct ctl_arg_def key_revoke_args[] = {
	{ "id", CTL_ARG_STRING, true, "the key's id (or the name of the one key in force with it)" },
};

/* History (answered by autonomyctl from the store; cleanup by the daemon). */
#define PERIOD_ARG(dflt) \
	{ "period", CTL_ARG_STRING, false, "daily, weekly, monthly, all or a span: 36h, 90d " dflt }

static const struct ctl_arg_def metrics_args[] = {
	PERIOD_ARG("(default daily)"),
	{ "trends", CTL_ARG_BOOL, false, "compare with the period before" },
	{ "performance", CTL_ARG_BOOL, false, "the daemon's own CPU, memory, loop lag, probe cost" },
};

static const struct ctl_arg_def report_args[] = {
	PERIOD_ARG("(default weekly)"),
	{ "format", CTL_ARG_STRING, false, "text (default), json or html (self-contained page)" },
};

static const struct ctl_arg_def security_report_args[] = {
	PERIOD_ARG("(default daily: the guide's nightly cron)"),
};

static const struct ctl_arg_def config_optimize_args[] = {
	PERIOD_ARG("(default monthly)"),
	{ "apply", CTL_ARG_BOOL, false,
	  "write the recommendations (a backup first; validated; the daemon reloaded)" },
};

static const struct ctl_arg_def optimize_args[] = {
	PERIOD_ARG("(default daily)"),
	{ "aggressive", CTL_ARG_BOOL, false, "aim at a quarter of the performance limits, not half" },
	{ "report", CTL_ARG_BOOL, false, "only print what would change and why, with figures" },
};

static const struct ctl_arg_def analytics_args[] = {
	PERIOD_ARG("(default monthly)"),
};

static const struct ctl_arg_def export_args[] = {
	PERIOD_ARG("(default all)"),
	{ "format", CTL_ARG_STRING, false, "json (default: one document) or csv (one table)" },
	{ "table", CTL_ARG_STRING, false,
	  "csv: samples (default), decisions, outages, events, usage or sys" },
};

static const struct ctl_arg_def tel_cleanup_args[] = {
	{ "older_than", CTL_ARG_STRING, false,
	  "also delete everything older than this (30d, 12h); default: the retention settings" },
};

static const struct ctl_arg_def cleanup_args[] = {
	{ "all", CTL_ARG_BOOL, false, "retention now, the store vacuumed, stale state files removed" },
};

static const struct ctl_arg_def notifications_args[] = {
	{ "history", CTL_ARG_BOOL, false, "everything stored, not only the last 24 hours" },
	{ "limit", CTL_ARG_INT, false, "how many, newest first (default 50; --history 200)" },
	{ "pending", CTL_ARG_BOOL, false, "the alerts waiting in the outbox, per channel" },
};

static const struct ctl_arg_def notify_test_args[] = {
	{ "channel", CTL_ARG_STRING, false,
	  "only this one: email, slack, pagerduty, webhook, ntfy, pushover or hook" },
};

const struct ctl_cmd_desc ctl_cmds[] = {
	{ "status", "status", "", "daemon summary: active member, last switch, uptime",
	  CTL_CMD_QUERY, NOARGS },
	{ "members", "members", "", "every uplink with link state and health",
	  CTL_CMD_QUERY, NOARGS },
	{ "monitor", "monitor", "[--continuous]",
	  "members and recent events; --continuous follows them live",
	  CTL_CMD_QUERY, ARGS(monitor_args) },
	{ "health", "health", "", "the daemon's own health: memory, CPU, loop lag, starwatch",
	  CTL_CMD_QUERY, NOARGS },
	{ "ping", "ping", "", "liveness: the main loop's progress counter (what starwatch asks)",
	  CTL_CMD_QUERY, NOARGS },
	{ "config_show", "config show", "[--reveal]",
	  "effective configuration with defaults (secrets masked; --reveal: config_reveal)",
	  CTL_CMD_QUERY, NOARGS },
	{ "config_reveal", "config reveal", "",
	  "effective configuration with secrets in full (root or main.admin_group only)",
	  CTL_CMD_QUERY | CTL_CMD_PRIVILEGED, NOARGS },
	{ "config_validate", "config validate", "[FILE | --text CONFIG]",
	  "check a config file; works without a running daemon",
	  CTL_CMD_QUERY | CTL_CMD_LOCAL, ARGS(validate_args) },
	{ "decisions", "decisions", "[--limit N] [--period P] [--analysis]",
	  "decisions (switches, holds, manual) with reasons and scores; --analysis: patterns",
	  CTL_CMD_QUERY | CTL_CMD_HISTORY, ARGS(decisions_args) },
	{ "failover", "failover", "--interface X [--force|--test] | --auto",
	  "move traffic by hand: once, pinned, as a test, or back to automatic",
	  CTL_CMD_ACTION | CTL_CMD_PRIVILEGED, ARGS(failover_args) },
	{ "reload", "reload", "", "re-read the config; keeps the old one if the new one has errors",
	  CTL_CMD_ACTION | CTL_CMD_PRIVILEGED, NOARGS },
	{ "starlink", "starlink", "[MEMBER]",
	  "what the dish reports: outages, obstruction, alerts, updates, predictions",
	  CTL_CMD_QUERY, ARGS(member_args) },
	{ "starlink_reboot", "starlink reboot", "[--member X] --confirm",
	  "reboot the dish (traffic moves away first when another member is healthy)",
	  CTL_CMD_ACTION | CTL_CMD_PRIVILEGED, ARGS(dish_action_args) },
	{ "starlink_stow", "starlink stow", "[--member X] --confirm",
	  "stow the dish (traffic moves away first when another member is healthy)",
	  CTL_CMD_ACTION | CTL_CMD_PRIVILEGED, ARGS(dish_action_args) },
	{ "starlink_unstow", "starlink unstow", "[--member X] --confirm", "unstow the dish",
	  CTL_CMD_ACTION | CTL_CMD_PRIVILEGED, ARGS(dish_action_args) },
	{ "cellular", "cellular", "[MEMBER]",
	  "what the modems report: registration, technology, signal, trend, roaming",
	  CTL_CMD_QUERY, ARGS(member_args) },
	/* Files only (src/admin/), with or without a daemon; over ubus without
	 * file names. */
	{ "config_backup", "config backup", "[--to FILE]",
	  "copy the config to CONFIG.backup and a timestamped copy with its SHA-256 in "
	  "main.backup_dir (the last main.backup_keep kept)",
	  CTL_CMD_ACTION | CTL_CMD_LOCAL, ARGS(backup_args) },
	{ "config_verify_backup", "config verify-backup", "[FILE]",
	  "check the newest backup (or FILE): checksum, schema, and what differs from the "
	  "live config", CTL_CMD_QUERY | CTL_CMD_LOCAL, ARGS(verify_backup_args) },
	{ "config_audit", "config audit", "",
	  "configuration drift and risk: changes since the backup and the defaults, file "
	  "modes of secrets, probe targets, detection time", CTL_CMD_QUERY | CTL_CMD_LOCAL,
	  NOARGS },
	/* CLI only (not a ubus method): prints UCI for review. */
	{ "config_import_mwan3", "config import-mwan3", "[FILE]",
	  "turn mwan3's interfaces, members and policy into autonomy members (UCI on stdout)",
	  CTL_CMD_LOCAL, ARGS(mwan3_args) },
	/* Not a ubus method (neither query nor action): the hotplug.d script
	 * calls it as root through the socket. Privileged: a fake ifdown
	 * would take a member out. */
	{ "hotplug", "hotplug", "--action A --interface I [--device D]",
	  "tell the daemon of a netifd interface event (from /etc/hotplug.d/iface)",
	  CTL_CMD_PRIVILEGED, ARGS(hotplug_args) },
	{ "security_audit", "security audit", "",
	  "file modes, capabilities, ACL, listeners and their authentication, secrets in "
	  "plain text, refused requests, firmware: each finding with a fix",
	  CTL_CMD_QUERY | CTL_CMD_LOCAL, NOARGS },
	/* API keys of the daemon's HTTP listeners (security.api_key_required). */
	{ "security_key_create", "security key create", "[NAME]",
	  "make an API key for the HTTP listeners (shown once; stored hashed)",
	  CTL_CMD_ACTION | CTL_CMD_PRIVILEGED, ARGS(key_create_args) },
	{ "security_key_list", "security key list", "",
	  "the API keys: id, name, made, expiry, uses (never the keys themselves)",
	  CTL_CMD_QUERY, NOARGS },
	{ "security_key_revoke", "security key revoke", "ID",
	  "revoke an API key at once", CTL_CMD_ACTION | CTL_CMD_PRIVILEGED, ARGS(key_revoke_args) },
	{ "wifi", "wifi", "[MEMBER]",
	  "what the Wi-Fi client radios report: association, signal, bitrate, neighbours",
	  CTL_CMD_QUERY, ARGS(member_args) },
	{ "metrics", "metrics", "[--period P] [--trends] [--performance]",
	  "per member availability, failovers, loss, latency, score, data; the daemon's cost",
	  CTL_CMD_QUERY | CTL_CMD_HISTORY, ARGS(metrics_args) },
	{ "report", "report", "[--period P] [--format text|json|html]",
	  "the period's report: figures, patterns, findings; html: a page with charts",
	  CTL_CMD_QUERY | CTL_CMD_HISTORY, ARGS(report_args) },
	{ "analytics", "analytics", "[--period P]",
	  "reliability ranking, recurring outage times, suggestions backed by numbers",
	  CTL_CMD_QUERY | CTL_CMD_HISTORY, ARGS(analytics_args) },
	{ "config_optimize", "config optimize", "[--apply] [--period P]",
	  "recommendations from the history, each with its evidence: fail-back hold vs "
	  "flaps, metered standby probing vs the cap, predictions, members never up",
	  CTL_CMD_ACTION | CTL_CMD_HISTORY, ARGS(config_optimize_args) },
	{ "optimize", "optimize", "[--aggressive] [--report]",
	  "tune probe, dish poll and history sync intervals so the daemon's CPU, memory "
	  "and flash writes stay within the performance limits (applied unless --report)",
	  CTL_CMD_ACTION | CTL_CMD_HISTORY, ARGS(optimize_args) },
	{ "security_report", "security report", "[--period P]",
	  "the security audit now, and over the period: refused sources banned, API keys "
	  "expiring, manual actions, failovers and outages against the month before",
	  CTL_CMD_QUERY | CTL_CMD_HISTORY, ARGS(security_report_args) },
	{ "notifications", "notifications", "[--history] [--limit N] [--pending]",
	  "alerts and their delivery per channel; events at warning and above (24 h; "
	  "--history: all kept)",
	  CTL_CMD_QUERY | CTL_CMD_HISTORY, ARGS(notifications_args) },
	{ "notifications_test", "notifications test", "[--channel X]",
	  "send a test alert through every enabled channel (or X) and report each result",
	  CTL_CMD_ACTION | CTL_CMD_PRIVILEGED, ARGS(notify_test_args) },
	{ "telemetry_export", "telemetry export", "[--period P] [--format json|csv]",
	  "the history as JSON (one document) or CSV, on stdout",
	  CTL_CMD_QUERY | CTL_CMD_HISTORY, ARGS(export_args) },
	{ "telemetry_cleanup", "telemetry cleanup", "[--older-than 30d]",
	  "apply the history's retention now (or delete what is older than a span)",
	  CTL_CMD_ACTION | CTL_CMD_PRIVILEGED, ARGS(tel_cleanup_args) },
	{ "cleanup", "cleanup", "--all",
	  "retention now, history store vacuumed, stale state files removed; says what it freed",
	  CTL_CMD_ACTION | CTL_CMD_PRIVILEGED, ARGS(cleanup_args) },
};

const size_t ctl_n_cmds = sizeof(ctl_cmds) / sizeof(ctl_cmds[0]);

const struct ctl_cmd_desc *ctl_cmd_find(const char *name)
{
	for (size_t i = 0; i < ctl_n_cmds; i++)
		if (strcmp(ctl_cmds[i].name, name) == 0)
			return &ctl_cmds[i];
	return NULL;
}

const struct ctl_arg_def *ctl_cmd_arg(const struct ctl_cmd_desc *cmd, const char *name)
{
	for (size_t i = 0; i < cmd->n_args; i++)
		if (strcmp(cmd->args[i].name, name) == 0)
			return &cmd->args[i];
	return NULL;
}
