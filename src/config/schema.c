/* schema: the tables that define every option autonomy reads from
 * /etc/config/autonomy. Validation, `config show` and the docs are driven by
 * these rows, so an option exists exactly when it has a row here.
 *
 * Defaults follow the operations guide's examples, except where the guide
 * shows a placeholder (credentials, smtp.company.com, ...): those have no
 * default and their channel is off until configured. */
#include <string.h>

#include "config/schema.h"
#include "config/cfg_internal.h"

/* Row builders: keep each row on a line or two so the tables stay readable.
 * A row may end with PLANNED: accepted and shown, no effect yet (schema.h). */
#define PLANNED .status = CFG_S_PLANNED
#define BOOL_OPT(n, d, h, ...) \
	{ .name = n, .type = CFG_BOOL, .def = d, .help = h, __VA_ARGS__ }
#define INT_OPT(n, d, lo, hi, h, ...) \
	{ .name = n, .type = CFG_INT, .def = d, .min = lo, .max = hi, .help = h, __VA_ARGS__ }
#define ENUM_OPT(n, d, e, h, ...) \
	{ .name = n, .type = CFG_ENUM, .def = d, .enums = e, .help = h, __VA_ARGS__ }
/* Duration in seconds; range given in seconds, stored in ms like all durations. */
#define SEC_OPT(n, d, lo, hi, h, ...) \
	{ .name = n, .type = CFG_DURATION, .def = d, \
	  .min = (lo) * 1000LL, .max = (hi) * 1000LL, .help = h, __VA_ARGS__ }
#define MS_OPT(n, d, lo, hi, h, ...) \
	{ .name = n, .type = CFG_DURATION, .flags = CFG_F_UNIT_MS, .def = d, \
	  .min = lo, .max = hi, .help = h, __VA_ARGS__ }
#define TYPED_OPT(n, t, f, d, h, ...) \
	{ .name = n, .type = t, .flags = f, .def = d, .help = h, __VA_ARGS__ }

#define PCT(n, d, h, ...)  INT_OPT(n, d, 0, 100, h, __VA_ARGS__)
#define PORT(n, d, h, ...) INT_OPT(n, d, 1, 65535, h, __VA_ARGS__)
#define DAY  86400
#define HOUR 3600

static const char *const backend_enum[] = { "auto", "netlink", "mwan3", "none", NULL };
static const char *const log_level_enum[] = { "err", "warn", "notice", "info", "debug", NULL };
static const char *const sharing_enum[] = { "fair", "priority", "weighted", NULL };
static const char *const gps_source_enum[] = { "auto", "gpsd", "starlink", "modem", NULL };
static const char *const failsafe_enum[] = { "auto", "1", "0", NULL };
static const char *const class_enum[] = {
	"starlink", "cellular", "wifi", "lan", "other", "auto", NULL
};

#define SECTION(nm, tbl, h) \
	{ .type = "autonomy", .name = nm, .opts = tbl, \
	  .n_opts = sizeof(tbl) / sizeof(tbl[0]), .help = h }

static const struct cfg_option_def main_opts[] = {
	BOOL_OPT("enabled", "1", "Run the daemon; 0 makes the init script leave routing alone"),
	ENUM_OPT("backend", "auto", backend_enum,
		 "How routes change: auto (= netlink for now), netlink, "
		 "none (observe only); mwan3 is not available yet"),
	ENUM_OPT("log_level", "info", log_level_enum, "Lowest syslog level that is logged"),
	TYPED_OPT("log_file", CFG_STRING, 0, "",
		  "Also write the log to this file (e.g. /var/log/autonomy.log, rotated by "
		  "/etc/logrotate.d/autonomy; reopened on reload); empty: syslog only"),
	TYPED_OPT("state_dir", CFG_STRING, 0, "/var/lib/autonomy",
		  "Persistent state (data usage, learnt places, history); on OpenWrt a "
		  "directory on flash such as /etc/autonomy (absolute path)"),
	TYPED_OPT("run_dir", CFG_STRING, 0, "",
		  "Volatile working copies, written as often as they change (RAM on OpenWrt: "
		  "/var/run/autonomy); empty: files are written in state_dir directly"),
	SEC_OPT("persist_interval", "3600", 0, DAY,
		"Longest time between copies of the working state to state_dir (flash "
		"wear; a reboot loses at most this much; 0 = at every change)"),
	TYPED_OPT("control_socket", CFG_STRING, 0, "/var/run/autonomy/autonomy.sock",
		  "Unix socket autonomyctl talks to (absolute path)"),
	TYPED_OPT("pid_file", CFG_STRING, 0, "/var/run/autonomy.pid",
		  "PID file of the daemon (absolute path)"),
	TYPED_OPT("admin_group", CFG_STRING, 0, NULL,
		  "Group (name or number) whose members may act through the control socket "
		  "(failover, reload, dish actions, config reveal); root always may"),
	TYPED_OPT("socket_group", CFG_STRING, 0, NULL,
		  "Group that may connect to the control socket and query (default: "
		  "admin_group, else root only); takes effect at restart"),
	TYPED_OPT("backup_dir", CFG_STRING, 0, "",
		  "Where `config backup` keeps timestamped copies of the config with their "
		  "checksums (absolute path; empty: backups/ in state_dir)"),
	INT_OPT("backup_keep", "10", 1, 1000,
		"Timestamped config backups kept; the oldest beyond this are deleted"),
	BOOL_OPT("dry_run", "0", "Decide and log, but never change routes"),
	INT_OPT("switch_margin", "20", 5, 100,
		"Score points a member must beat the active one by to take over for quality"),
	SEC_OPT("switch_sustain", "60", 5, HOUR,
		"How long that advantage must hold before traffic moves (seconds)"),
	SEC_OPT("failback_hold", "60", 5, HOUR,
		"How long a recovered member must stay good before traffic returns to it"),
	BOOL_OPT("sticky_flows", "1",
		 "Connections keep the uplink they started on while it works; only new ones "
		 "follow a switch (needs nftables; takes effect at restart)"),
	TYPED_OPT("flow_mark_mask", CFG_STRING, 0, "0x3f000000",
		  "Bits of the conntrack and packet mark that carry a connection's uplink: one "
		  "run of contiguous bits no one else uses (mwan3 uses 0x3f00); takes effect at "
		  "restart"),
};

static const char *const level_enum[] = { "info", "warning", "critical", "emergency", NULL };
static const char *const email_tls_enum[] = { "starttls", "smtps", "none", NULL };
static const char *const webhook_format_enum[] = { "json", "text", NULL };

/* A duration in seconds whose range is given in ms (retry and timeouts: the
 * tests run them in fractions of a second). */
#define DUR_OPT(n, d, lo_ms, hi_ms, h, ...) \
	{ .name = n, .type = CFG_DURATION, .def = d, .min = lo_ms, .max = hi_ms, .help = h, \
	  __VA_ARGS__ }

/* What every alert channel has besides its own settings (docs/alerts.md):
 * the lowest level it gets, and its token bucket (messages per minute, and
 * how many may go at once) — defaults within each service's published limits. */
#define CHANNEL_OPTS(min_level, per_min, burst) \
	ENUM_OPT("min_level", min_level, level_enum, \
		 "Lowest alert level sent here (an incident's updates follow its first message)"), \
	INT_OPT("rate_limit", per_min, 1, 600, "Messages per minute at most (token bucket)"), \
	INT_OPT("burst", burst, 1, 100, "Messages that may go at once before rate_limit applies")

static const struct cfg_option_def alerts_opts[] = {
	BOOL_OPT("info_enabled", "1",
		 "Events of level info may be sent (to channels whose min_level is info)"),
	BOOL_OPT("warning_enabled", "1", "Events of level warning are notifications and sent"),
	BOOL_OPT("critical_enabled", "1", "Events of level critical are notifications and sent"),
	BOOL_OPT("emergency_enabled", "1", "Events of level emergency are notifications and sent"),
	PCT("health_warning", "70", "Warn when a member's health score falls below this (0-100)"),
	PCT("health_critical", "50",
	    "Critical alert when a member's health score falls below this (<= health_warning)"),
	INT_OPT("failover_warning", "5", 1, 1000, "Warn at this many failovers within 24 hours"),
	INT_OPT("failover_critical", "10", 1, 1000,
		"Critical alert at this many failovers within 24 hours (>= failover_warning)"),
	TYPED_OPT("quiet_hours", CFG_STRING, 0, "",
		  "Local time span such as 22:00-07:00: info and warning alerts wait for one "
		  "digest at its end; critical and emergency always go out (empty: none)"),
	TYPED_OPT("hook", CFG_STRING, 0, "",
		  "Program run for every alert: absolute path, no arguments, the alert as JSON "
		  "on stdin, never a shell (empty: none)"),
	ENUM_OPT("hook_min_level", "warning", level_enum, "Lowest alert level the hook gets"),
	SEC_OPT("hook_timeout", "10", 1, 300, "The hook is killed after this long (seconds)"),
	TYPED_OPT("ca_file", CFG_STRING, 0, "",
		  "CA certificates (PEM) trusted for HTTPS endpoints besides the system's, for a "
		  "self-hosted ntfy or webhook (absolute path; empty: the system's only)"),
	DUR_OPT("group_window", "500ms", 0, 10000,
		"Events of one incident this close together go out as one message"),
	SEC_OPT("dedup_window", "600", 0, DAY,
		"An event identical to one sent this recently is not sent again (seconds)"),
	INT_OPT("flap_threshold", "4", 0, 100,
		"Outages of one member within flap_window after which it gets one digest per "
		"window instead of a message per change (0 = off)"),
	SEC_OPT("flap_window", "600", 10, DAY, "The span flapping is counted over (seconds)"),
	DUR_OPT("retry_min", "10", 100, HOUR * 1000LL,
		"First retry of an alert that was not delivered (doubles each time, with jitter)"),
	DUR_OPT("retry_max", "900", 100, DAY * 1000LL, "Longest wait between retries"),
	DUR_OPT("connect_timeout", "10", 100, 120000,
		"How long a connection to an endpoint may take through one uplink"),
	DUR_OPT("send_timeout", "30", 500, 600000, "How long one delivery attempt may take"),
	SEC_OPT("outbox_max_age", "86400", 5, 30 * DAY,
		"An alert not delivered after this long is dropped, with an event saying so"),
	INT_OPT("outbox_max", "500", 10, 10000,
		"Alerts kept waiting at most (beyond it the oldest are dropped, with an event)"),
};

static const struct cfg_option_def email_opts[] = {
	BOOL_OPT("enabled", "0", "Send alerts by email (needs smtp_server and recipients)"),
	TYPED_OPT("smtp_server", CFG_HOST, 0, NULL, "SMTP server host name or IP address"),
	PORT("smtp_port", "587", "SMTP port: 587 = submission with STARTTLS, 465 = implicit TLS"),
	TYPED_OPT("username", CFG_STRING, 0, NULL, "SMTP login name (empty: no authentication)"),
	TYPED_OPT("password", CFG_SECRET, 0, NULL, "SMTP password"),
	TYPED_OPT("from", CFG_EMAIL, 0, NULL,
		  "Sender address (default: username if it is an address, else autonomy@HOSTNAME)"),
	TYPED_OPT("recipients", CFG_EMAIL, CFG_F_LIST, NULL,
		  "Addresses that receive alerts, comma-separated or one per `list`"),
	ENUM_OPT("tls", "starttls", email_tls_enum,
		 "starttls (required, port 587), smtps (implicit TLS, port 465) or none"),
	TYPED_OPT("ca_file", CFG_STRING, 0, "",
		  "CA certificates (PEM) the server's certificate may chain to besides the "
		  "system's (absolute path)"),
	CHANNEL_OPTS("warning", "10", "5"),
};

static const struct cfg_option_def slack_opts[] = {
	BOOL_OPT("enabled", "0",
		 "Post alerts to Slack (needs webhook_url); starwatch posts its emergencies too"),
	TYPED_OPT("webhook_url", CFG_SECRET, 0, NULL,
		  "Slack incoming-webhook URL (https://hooks.slack.com/services/...), "
		  "which contains a token"),
	TYPED_OPT("channel", CFG_STRING, 0, NULL,
		  "Channel override such as #network-alerts (empty: the webhook's own channel)"),
	TYPED_OPT("username", CFG_STRING, 0, "autonomy Bot", "Name the messages are posted under"),
	CHANNEL_OPTS("warning", "60", "3"),
};

static const struct cfg_option_def pagerduty_opts[] = {
	BOOL_OPT("enabled", "0", "Raise PagerDuty incidents (needs api_key): triggered and "
		 "resolved with one dedup_key per incident"),
	TYPED_OPT("api_key", CFG_SECRET, 0, NULL, "Events API v2 integration (routing) key"),
	TYPED_OPT("service_id", CFG_STRING, 0, NULL,
		  "PagerDuty service, for reference (sent in custom_details; Events v2 routes by "
		  "the key)"),
	TYPED_OPT("events_url", CFG_URL, 0, "https://events.pagerduty.com/v2/enqueue",
		  "Events API v2 endpoint"),
	CHANNEL_OPTS("critical", "100", "20"),
};

static const struct cfg_option_def webhook_opts[] = {
	BOOL_OPT("enabled", "0", "POST every alert as JSON to a URL (Home Assistant, n8n, ...)"),
	TYPED_OPT("url", CFG_SECRET, 0, NULL, "Where alerts are POSTed (http:// or https://)"),
	TYPED_OPT("secret", CFG_SECRET, 0, NULL,
		  "Key of the X-Autonomy-Signature header: sha256=HMAC-SHA256 of the body, hex "
		  "(empty: unsigned)"),
	ENUM_OPT("format", "json", webhook_format_enum,
		 "Body: json (the alert and its events) or text (title and lines, text/plain)"),
	CHANNEL_OPTS("warning", "60", "10"),
};

static const struct cfg_option_def ntfy_opts[] = {
	BOOL_OPT("enabled", "0", "Push alerts through ntfy (needs topic)"),
	TYPED_OPT("server", CFG_URL, 0, "https://ntfy.sh", "ntfy server (self-hosted or ntfy.sh)"),
	TYPED_OPT("topic", CFG_SECRET, 0, NULL,
		  "Topic to publish to (on a public server its name is its password)"),
	TYPED_OPT("token", CFG_SECRET, 0, NULL, "Access token (empty: none)"),
	TYPED_OPT("priority", CFG_STRING, 0, "info=low warning=default critical=high emergency=urgent",
		  "ntfy priority of each level: LEVEL=PRIORITY pairs, priorities 1-5 or min, low, "
		  "default, high, urgent"),
	CHANNEL_OPTS("warning", "12", "20"),
};

static const struct cfg_option_def pushover_opts[] = {
	BOOL_OPT("enabled", "0", "Push alerts through Pushover (needs token and user)"),
	TYPED_OPT("token", CFG_SECRET, 0, NULL, "Application API token"),
	TYPED_OPT("user", CFG_SECRET, 0, NULL, "User or group key"),
	TYPED_OPT("api_url", CFG_URL, 0, "https://api.pushover.net/1/messages.json",
		  "Messages API endpoint"),
	CHANNEL_OPTS("warning", "6", "5"),
};

static const struct cfg_option_def performance_opts[] = {
	INT_OPT("max_memory_mb", "64", 8, 4096,
		"Resident memory of the daemon above which a warning event is raised"),
	PCT("max_cpu_percent", "20",
	    "CPU share of the daemon (per minute) above which a warning event is raised"),
	SEC_OPT("gc_interval", "300", 10, DAY,
		"How often the history is written to state_dir (flash) and old rows are thinned "
		"and deleted; at most this much history is lost in a power cut"),
	INT_OPT("telemetry_retention_days", "30", 1, 3650,
		"Days of samples, decisions, outages and data usage kept in the history store"),
	INT_OPT("log_retention_days", "7", 1, 3650, "Days of events kept in the history store"),
	INT_OPT("history_max_mb", "16", 1, 1024,
		"Size cap of the history store: beyond it minute samples are thinned early and "
		"the oldest rows go"),
};

static const struct cfg_option_def polling_opts[] = {
	MS_OPT("base_interval_ms", "1500", 100, 60000, "Normal probe and telemetry interval"),
	BOOL_OPT("adaptive_polling", "1",
		 "Poll faster while a link degrades, slower while all are stable or "
		 "the system is busy"),
	MS_OPT("min_interval_ms", "500", 100, 60000, "Shortest interval adaptive polling may use"),
	MS_OPT("max_interval_ms", "5000", 100, 60000, "Longest interval adaptive polling may use"),
	PCT("load_threshold", "80", "System CPU load (%) above which polling backs off"),
};

static const struct cfg_option_def starlink_opts[] = {
	SEC_OPT("health_check_interval", "30", 1, HOUR, "How often the dish's status is read"),
	SEC_OPT("obstruction_check_interval", "60", 1, HOUR,
		"How often obstruction statistics are read"),
	SEC_OPT("gps_update_interval", "300", 10, DAY, "How often the dish's GPS position is read"),
	BOOL_OPT("predictive_enabled", "1",
		 "Fail over ahead of predicted outages (obstructions, reboots, "
		 "thermal throttling)"),
	TYPED_OPT("api_host", CFG_IPADDR, 0, "192.168.100.1",
		  "IP address of the dish's gRPC API (reached through the Starlink member's device)"),
	PORT("api_port", "9200", "Port of the dish's gRPC API"),
	MS_OPT("api_timeout_ms", "2000", 100, 60000,
	       "Deadline of one call to the dish (a dish that accepts and never answers is a signal)"),
	SEC_OPT("reboot_lead", "60", 5, HOUR,
		"How long before a scheduled dish reboot traffic moves away (seconds)"),
	BOOL_OPT("location_learning", "1",
		 "Remember where obstruction outages happen and prefer the backup early there"),
};

static const struct cfg_option_def cellular_opts[] = {
	SEC_OPT("signal_check_interval", "15", 1, HOUR, "How often modem signal quality is read"),
	SEC_OPT("data_usage_check_interval", "300", 10, DAY,
		"How often data usage counters are read"),
	BOOL_OPT("stability_analysis", "1", "Score signal variability, not just its level"),
	BOOL_OPT("roaming_detection", "1", "Notice when the modem is roaming (may cost extra)"),
	BOOL_OPT("prefer_roaming", "0",
		 "Use a roaming member like any other (with roaming_penalty); 0 = last resort only"),
	INT_OPT("roaming_penalty", "20", 0, 100,
		"Score points a roaming member loses when prefer_roaming is on"),
	TYPED_OPT("mmcli", CFG_STRING, 0, "", "Path of mmcli (empty: found on PATH)"),
	TYPED_OPT("uqmi", CFG_STRING, 0, "", "Path of uqmi (empty: found on PATH)"),
	TYPED_OPT("qmicli", CFG_STRING, 0, "", "Path of qmicli (empty: found on PATH)"),
	TYPED_OPT("gsmctl", CFG_STRING, 0, "", "Path of Teltonika's gsmctl (empty: found on PATH)"),
};

static const struct cfg_option_def wifi_opts[] = {
	SEC_OPT("channel_scan_interval", "600", 60, DAY,
		"How often neighbouring channels are scanned"),
	SEC_OPT("rssi_check_interval", "10", 1, HOUR,
		"How often signal strength and bitrate are read"),
	BOOL_OPT("interference_detection", "1",
		 "Count co-channel networks and noise into the score"),
	BOOL_OPT("auto_optimization", "1", "Suggest a better channel when interference is high"),
};

static const struct cfg_option_def bandwidth_opts[] = {
	BOOL_OPT("metered_mode", "1",
		 "Keep background traffic (checks, reports) small on metered members"),
	BOOL_OPT("data_limit_enabled", "1",
		 "Track data usage of metered members against their limits"),
	BOOL_OPT("traffic_shaping", "1",
		 "Shape the active uplink's upload to its limit (the class's *_limit_mbps or "
		 "the member's upload_mbps), moving with every switch; 0 = no shaper"),
	BOOL_OPT("qos_enabled", "1",
		 "Priority queues (the qos section) inside the shaper; 0 = one queue"),
	INT_OPT("starlink_limit_mbps", "100", 0, 100000,
		"Shaping limit on Starlink members (0 = none)"),
	INT_OPT("cellular_limit_mbps", "50", 0, 100000,
		"Shaping limit on cellular members (0 = none)"),
	INT_OPT("wifi_limit_mbps", "25", 0, 100000, "Shaping limit on Wi-Fi members (0 = none)"),
	INT_OPT("lan_limit_mbps", "0", 0, 100000,
		"Shaping limit on wired (lan) members (0 = none)"),
	INT_OPT("other_limit_mbps", "0", 0, 100000,
		"Shaping limit on members of class other (0 = none)"),
	PCT("data_warning_pct", "80", "Alert when a member has used this much of its data_limit_mb"),
	PCT("data_last_resort_pct", "95",
	    "Use a member only as a last resort once it has used this much of its data_limit_mb"),
};

static const struct cfg_option_def qos_opts[] = {
	BOOL_OPT("enabled", "1",
		 "Prioritise voice, video, data and bulk (by DSCP) inside the active uplink's "
		 "shaper (needs bandwidth.traffic_shaping)"),
	INT_OPT("priority_queues", "4", 1, 8, "Number of priority queues"),
	ENUM_OPT("bandwidth_sharing", "fair", sharing_enum,
		 "How queues share bandwidth: fair, priority (strict) or weighted"),
	BOOL_OPT("latency_optimization", "1",
		 "Adapt the shaper's rate to the delay the probes measure under load "
		 "(Starlink, LTE): lower at once when it rises, raise slowly while clean"),
	MS_OPT("latency_target_ms", "15", 2, 1000,
		"Rise of the probes' RTT over its idle baseline that latency_optimization "
		"treats as a queue building up (ms)"),
	INT_OPT("min_rate_pct", "10", 1, 100,
		"Lowest rate latency_optimization may set, in % of the limit"),
	BOOL_OPT("ingress", "0",
		 "Also shape downloads, on the egress of the LAN devices (lan_device): no IFB "
		 "needed"),
	TYPED_OPT("lan_device", CFG_IFNAME, CFG_F_LIST, NULL,
		  "LAN devices whose egress carries the downloads (e.g. br-lan); needed by "
		  "ingress"),
	INT_OPT("voice_priority", "1", 1, 8,
		"Queue of voice traffic (1 = highest, <= priority_queues)"),
	INT_OPT("video_priority", "2", 1, 8, "Queue of video traffic (<= priority_queues)"),
	INT_OPT("data_priority", "3", 1, 8, "Queue of interactive data (<= priority_queues)"),
	INT_OPT("bulk_priority", "4", 1, 8, "Queue of bulk transfers (<= priority_queues)"),
};

static const struct cfg_option_def security_opts[] = {
	BOOL_OPT("api_authentication", "1",
		 "Require an rpcd login on the HTTP API (uhttpd's /ubus); 0 = anyone may read "
		 "status, members and health (the OpenWrt package's rpcd ACL follows it)"),
	/* The rest is about the daemon's own listeners (prometheus.listen):
	 * src/security/, docs/security.md "The daemon's listeners". */
	BOOL_OPT("api_encryption", "1",
		 "A listener reachable from other hosts (bound beyond loopback) serves HTTPS only, "
		 "with tls_cert and tls_key (without them it does not start); loopback stays HTTP"),
	TYPED_OPT("tls_cert", CFG_STRING, 0, "",
		  "PEM certificate (chain) the listeners serve HTTPS with (absolute path)"),
	TYPED_OPT("tls_key", CFG_STRING, 0, "",
		  "PEM private key of tls_cert (absolute path; readable by root only)"),
	BOOL_OPT("rate_limiting", "1",
		 "A token bucket per source address on the listeners: rate_limit_per_second, "
		 "up to rate_limit_burst at once; beyond it 429"),
	INT_OPT("rate_limit_per_second", "5", 1, 1000,
		"Requests a second a source may make on average (rate_limiting)"),
	INT_OPT("rate_limit_burst", "20", 1, 10000,
		"Requests a source may make at once after a pause (rate_limiting)"),
	TYPED_OPT("ip_whitelist", CFG_CIDR, CFG_F_LIST, "192.168.1.0/24",
		  "Networks whose hosts may use the listeners (address/prefix, at most 64); others "
		  "are refused and logged as \"authentication failed\""),
	BOOL_OPT("allow_loopback", "1",
		 "The router itself (127.0.0.0/8, ::1) may use the listeners without being in "
		 "ip_whitelist and without an API key"),
	BOOL_OPT("api_key_required", "1",
		 "Requests from other hosts need an API key (autonomyctl security key create), "
		 "sent as 'Authorization: Bearer KEY' or 'X-API-Key: KEY'"),
	INT_OPT("api_key_rotation_days", "90", 1, 3650,
		"Days an API key is valid after it was made; warning events from 14 days before"),
};

static const struct cfg_option_def network_security_opts[] = {
	BOOL_OPT("firewall_integration", "1",
		 "While a listener is reachable from other hosts: its port open only to "
		 "ip_whitelist (banned and flooding sources dropped) in an nftables table of our "
		 "own, inet autonomy_api"),
	BOOL_OPT("intrusion_detection", "1",
		 "A source refused intrusion_failures times within 10 minutes (not allowed, bad "
		 "key) is banned for intrusion_ban: a warning event, and a drop in the firewall"),
	INT_OPT("intrusion_failures", "10", 2, 1000,
		"Refusals within 10 minutes that ban a source (intrusion_detection)"),
	SEC_OPT("intrusion_ban", "900", 60, DAY, "How long a ban lasts (intrusion_detection)"),
	BOOL_OPT("ddos_protection", "1",
		 "Every source together at most 10 x rate_limit_per_second (503 beyond); with "
		 "firewall_integration, per source at most 20 new connections a second and 16 open"),
	BOOL_OPT("traffic_monitoring", "1", "Collect per-member traffic counters", PLANNED),
};

static const struct cfg_option_def gps_opts[] = {
	BOOL_OPT("enabled", "1", "Record the router's position (used for predictions and reports)"),
	TYPED_OPT("gpsd_host", CFG_IPADDR, 0, "127.0.0.1",
		  "IP address of gpsd (no name lookups on the daemon's loop)"),
	PORT("gpsd_port", "2947", "gpsd's TCP port"),
	ENUM_OPT("source", "auto", gps_source_enum,
		 "Position source: auto (best available), gpsd or starlink (the dish); for a "
		 "modem's GNSS, feed its NMEA port to gpsd"),
};

/* starwatch, the watchdog (src/starwatch/, its own program). */
static const struct cfg_option_def starwatch_opts[] = {
	BOOL_OPT("enabled", "1", "Run starwatch, which restarts a hung or dead autonomyd"),
	SEC_OPT("check_interval", "10", 1, HOUR,
		"How often starwatch asks autonomyd for its loop's progress (seconds)"),
	SEC_OPT("hang_timeout", "30", 2, DAY,
		"No progress or answer for this long: autonomyd is hung and is restarted (seconds)"),
	INT_OPT("max_restarts", "5", 1, 100,
		"Restarts within restart_window before starwatch holds down and raises an emergency"),
	SEC_OPT("restart_window", "1800", 10, 7 * DAY, "Window the restarts are counted in (seconds)"),
	TYPED_OPT("restart_command", CFG_STRING, CFG_F_LIST, NULL,
		  "Command (argv, split on spaces) that starts autonomyd; default: its init "
		  "script, systemctl, or autonomyd -c with this file"),
	TYPED_OPT("log_file", CFG_STRING, 0, "/var/log/starwatch.log",
		  "starwatch's own log, kept under 128 KiB plus one older file (empty: syslog only)"),
	TYPED_OPT("pid_file", CFG_STRING, 0, "/var/run/starwatch.pid",
		  "PID file of starwatch (absolute path)"),
	ENUM_OPT("failsafe_route", "auto", failsafe_enum,
		 "Keep a working default route while autonomyd is down: 1, 0, or auto (on unless "
		 "mwan3 is installed or main.backend is none)"),
	TYPED_OPT("escalation", CFG_STRING, CFG_F_LIST, "restart_daemon",
		  "Recovery steps in order, each only after the previous failed: restart_daemon, "
		  "restart_interface, reboot"),
	INT_OPT("max_reboots_per_day", "0", 0, 24,
		"Reboots the escalation may cause within 24 hours (0 = never reboot)"),
	TYPED_OPT("reboot_command", CFG_STRING, CFG_F_LIST, "reboot",
		  "Command (argv) of the reboot step"),
	TYPED_OPT("state_file", CFG_STRING, 0, "",
		  "Where starwatch counts its reboots, so the limit survives them (empty: "
		  "starwatch.state in main.state_dir, on flash on OpenWrt)"),
	TYPED_OPT("alert_url", CFG_SECRET, 0, NULL,
		  "http(s) URL that receives starwatch's emergencies as a JSON POST "
		  "(a webhook, an ntfy topic); may hold a token"),
};

/* Exporters (src/export/): each is off until its section enables it. */
static const struct cfg_option_def prometheus_opts[] = {
	BOOL_OPT("enabled", "0", "Serve Prometheus metrics (and/or write the textfile)"),
	TYPED_OPT("listen", CFG_STRING, 0, "127.0.0.1:9612",
		  "Address:port of the /metrics endpoint ([v6]:port for IPv6; loopback by "
		  "default; empty: no HTTP listener, textfile only)"),
	TYPED_OPT("textfile", CFG_STRING, 0, "",
		  "Also write the metrics to this .prom file for node-exporter's textfile "
		  "collector (e.g. /var/prometheus/autonomy.prom, on RAM); empty: none"),
	SEC_OPT("textfile_interval", "15", 1, HOUR, "How often the textfile is rewritten"),
};

static const struct cfg_option_def snmp_opts[] = {
	BOOL_OPT("enabled", "0", "Serve the AUTONOMY-MIB through snmpd as an AgentX subagent"),
	TYPED_OPT("agentx_socket", CFG_STRING, 0, "/var/run/agentx.sock",
		  "snmpd's AgentX master socket (its agentXSocket): a path, or tcp:ADDRESS:PORT"),
	TYPED_OPT("base_oid", CFG_STRING, 0, ".1.3.6.1.4.1.12345.1",
		  "Where the MIB is registered; 12345 is the operations guide's placeholder: "
		  "use your own enterprise number"),
};

static const struct cfg_option_def mqtt_opts[] = {
	BOOL_OPT("enabled", "0", "Publish state and events to an MQTT broker (needs broker)"),
	TYPED_OPT("broker", CFG_HOST, 0, NULL,
		  "Broker address or name (a name is resolved off the daemon's loop)"),
	INT_OPT("port", "0", 0, 65535, "Broker port; 0 = 1883, or 8883 with tls"),
	BOOL_OPT("tls", "0", "Connect with TLS, verifying the broker's certificate"),
	TYPED_OPT("ca_file", CFG_STRING, 0, "",
		  "CA certificates (PEM) the broker's certificate must chain to; empty: the "
		  "system's (/etc/ssl/certs)"),
	TYPED_OPT("username", CFG_STRING, 0, NULL, "Login name (empty: none)"),
	TYPED_OPT("password", CFG_SECRET, 0, NULL, "Password of the login"),
	TYPED_OPT("client_id", CFG_STRING, 0, "", "Client id (empty: autonomy-HOSTNAME)"),
	TYPED_OPT("topic_prefix", CFG_STRING, 0, "",
		  "Topics start with this (empty: autonomy/HOSTNAME)"),
	SEC_OPT("interval", "300", 10, DAY,
		"Retained state is refreshed this often (changes are published at once)"),
	SEC_OPT("keepalive", "120", 10, HOUR, "MQTT keep-alive: how often an idle link is checked"),
};

const struct cfg_section_def cfg_global_sections[] = {
	SECTION("main", main_opts, "Daemon settings: routing backend, logging, paths"),
	SECTION("alerts", alerts_opts, "Which alert levels are sent and their thresholds"),
	SECTION("email", email_opts, "Alerts by email (SMTP)"),
	SECTION("slack", slack_opts, "Alerts to a Slack channel"),
	SECTION("pagerduty", pagerduty_opts, "Incidents in PagerDuty"),
	SECTION("webhook", webhook_opts, "Alerts as JSON to any URL"),
	SECTION("ntfy", ntfy_opts, "Push notifications through ntfy"),
	SECTION("pushover", pushover_opts, "Push notifications through Pushover"),
	SECTION("performance", performance_opts, "The daemon's own resource limits and retention"),
	SECTION("polling", polling_opts, "How often members are probed"),
	SECTION("starlink", starlink_opts, "Starlink dish telemetry"),
	SECTION("cellular", cellular_opts, "Cellular modem telemetry"),
	SECTION("wifi", wifi_opts, "Wi-Fi client telemetry"),
	SECTION("bandwidth", bandwidth_opts, "Data limits and traffic shaping"),
	SECTION("qos", qos_opts, "Traffic priorities"),
	SECTION("security", security_opts, "Access to the HTTP API"),
	SECTION("network_security", network_security_opts, "Firewall and traffic protection"),
	SECTION("gps", gps_opts, "Position source"),
	SECTION("starwatch", starwatch_opts, "The watchdog: hang detection, restarts, fail-safe route"),
	SECTION("prometheus", prometheus_opts, "Prometheus metrics: /metrics and a textfile"),
	SECTION("snmp", snmp_opts, "SNMP: an AgentX subagent of snmpd"),
	SECTION("mqtt", mqtt_opts, "MQTT fleet telemetry: retained state and events"),
};
const size_t cfg_n_global_sections =
	sizeof(cfg_global_sections) / sizeof(cfg_global_sections[0]);

static const struct cfg_option_def member_opts[] = {
	TYPED_OPT("interface", CFG_IFNAME, 0, NULL,
		  "OpenWrt logical interface (netifd), e.g. wan; this or device is required"),
	TYPED_OPT("device", CFG_IFNAME, 0, NULL,
		  "Kernel network device, e.g. eth1; this or interface is required"),
	ENUM_OPT("class", "auto", class_enum,
		 "Link kind: starlink, cellular, wifi, lan, other or auto (detected)"),
	INT_OPT("priority", "1", 1, 255,
		"Lower is preferred when health is comparable (like mwan3's metric)"),
	TYPED_OPT("target", CFG_TARGET, CFG_F_LIST, NULL,
		  "Probe targets: 1.1.1.1, tcp:1.1.1.1:443, dns:9.9.9.9, http://IP/ (built-in if none)"),
	BOOL_OPT("metered", "0", "Data costs money: keep background traffic small"),
	BOOL_OPT("enabled", "1", "Consider this member at all"),
	INT_OPT("modem", NULL, 0, 255, "ModemManager modem index (default: the first modem)"),
	TYPED_OPT("qmi_device", CFG_STRING, 0, NULL, "QMI control device, e.g. /dev/cdc-wdm0"),
	TYPED_OPT("gateway", CFG_IPADDR, 0, NULL,
		  "IPv4 next hop of this uplink (default: learnt from its routes)"),
	TYPED_OPT("gateway6", CFG_IPADDR, 0, NULL,
		  "IPv6 next hop of this uplink (default: learnt from its routes / RA)"),
	INT_OPT("weight", "1", 1, 1000,
		"Share of traffic among members of equal priority when the backend balances",
		PLANNED),
	INT_OPT("data_limit_mb", "0", 0, 100000000,
		"Data included per month in MB (0 = no cap); near it the member is a last resort"),
	INT_OPT("upload_mbps", NULL, 0, 100000,
		"Upload rate the shaper uses for this member (default: its class's "
		"*_limit_mbps; 0 = not shaped)"),
	INT_OPT("download_mbps", NULL, 0, 100000,
		"Download rate for qos.ingress (default: its class's *_limit_mbps; 0 = not "
		"shaped)"),
	INT_OPT("data_reset_day", "1", 1, 31,
		"Day of the month the data allowance resets (past the month's end: its last day)"),
};

const struct cfg_section_def cfg_member_section = {
	.type = "member", .name = NULL, .opts = member_opts,
	.n_opts = sizeof(member_opts) / sizeof(member_opts[0]),
	.help = "An uplink: a network interface autonomy monitors and may route through",
};

const struct cfg_section_def *cfg_find_global_def(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < cfg_n_global_sections; i++)
		if (strcmp(cfg_global_sections[i].name, name) == 0)
			return &cfg_global_sections[i];
	return NULL;
}

int cfg_option_index(const struct cfg_section_def *def, const char *opt)
{
	if (!def || !opt)
		return -1;
	for (size_t i = 0; i < def->n_opts; i++)
		if (strcmp(def->opts[i].name, opt) == 0)
			return (int)i;
	return -1;
}

const struct cfg_option_def *cfg_find_option_def(const struct cfg_section_def *def,
						 const char *opt)
{
	int i = cfg_option_index(def, opt);

	return i < 0 ? NULL : &def->opts[i];
}

/* Names longer than this are never typos of ours; capping the length keeps the
 * distance table on the stack. */
#define SUGGEST_MAX_LEN 64

/* Optimal-string-alignment distance: Levenshtein plus adjacent swaps, which
 * are the most common typo ("intreval"). Returns SIZE_MAX-ish for long input. */
size_t cfg_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t d[3][SUGGEST_MAX_LEN + 1]; /* rows i-2, i-1, i (rolling) */

	if (la > SUGGEST_MAX_LEN || lb > SUGGEST_MAX_LEN)
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t *cur = d[i % 3], *prev = d[(i - 1) % 3], *pp = d[(i + 1) % 3];

		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			size_t v = prev[j] + 1;

			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			if (prev[j - 1] + cost < v)
				v = prev[j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    pp[j - 2] + 1 < v)
				v = pp[j - 2] + 1;
			cur[j] = v;
		}
	}
	return d[la % 3][lb];
}

const char *cfg_closest_name(const char *word, const char *const *names, size_t n,
			     size_t stride)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1, len, limit;

	if (!word)
		return NULL;
	len = strlen(word);
	/* Close enough to be a typo: two edits for short names, a third of the
	 * length for long ones. */
	limit = len / 3 > 2 ? len / 3 : 2;
	for (size_t i = 0; i < n; i++) {
		const char *cand = *(const char *const *)((const char *)names + i * stride);
		size_t dist = cfg_edit_distance(word, cand), clen = strlen(cand);

		/* A known name with something appended ("warning" for "warn",
		 * "enabled_x") is as good as close. */
		if (clen >= 3 && clen < len && strncmp(word, cand, clen) == 0 && dist > limit)
			dist = limit;

		if (dist < best_d) {
			best_d = dist;
			best = cand;
		}
	}
	/* An exact match is not a suggestion, and a 1-2 letter word is "close"
	 * to everything short. */
	if (best_d == 0 || best_d > limit || best_d >= len)
		return NULL;
	return best;
}

const char *cfg_suggest_option(const struct cfg_section_def *def, const char *opt)
{
	if (!def || !def->n_opts)
		return NULL;
	return cfg_closest_name(opt, &def->opts[0].name, def->n_opts,
				sizeof(def->opts[0]));
}

const char *cfg_suggest_section(const char *name)
{
	return cfg_closest_name(name, &cfg_global_sections[0].name, cfg_n_global_sections,
				sizeof(cfg_global_sections[0]));
}

const char *cfg_type_name(enum cfg_type t)
{
	static const char *const names[] = {
		[CFG_BOOL] = "bool", [CFG_INT] = "int", [CFG_ENUM] = "enum",
		[CFG_DURATION] = "duration", [CFG_STRING] = "string",
		[CFG_SECRET] = "secret", [CFG_IPADDR] = "ipaddr", [CFG_CIDR] = "cidr",
		[CFG_HOST] = "host", [CFG_URL] = "url", [CFG_EMAIL] = "email",
		[CFG_IFNAME] = "ifname", [CFG_TARGET] = "target",
	};

	if ((unsigned)t >= sizeof(names) / sizeof(names[0]) || !names[t])
		return "?";
	return names[t];
}
