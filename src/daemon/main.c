/* autonomyd: the multi-uplink failover daemon. One process, one libevent
 * loop; signals are delivered through the loop (libevent's self-pipe), so
 * their handlers only note what to do next. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "config/config.h"
#include "core/clock.h"
#include "core/daemonize.h"
#include "core/log.h"
#include "core/pidfile.h"
#include "core/resolve.h"
#include "core/sdnotify.h"
#include "ctl/ctl_server.h"
#include "daemon/alerts.h"
#include "daemon/apisec.h"
#include "daemon/daemon.h"
#include "daemon/harden.h"
#include "daemon/decisions.h"
#include "daemon/history.h"
#include "daemon/members.h"
#include "daemon/shaper.h"
#include "daemon/netifd.h"
#include "daemon/record.h"
#include "daemon/state.h"
#include "daemon/tel.h"
#include "events/ev_emit.h"
#include "export/snmp.h"
#include "replay/replay.h"
#include "store/store_tool.h"
#include "link/linkmon.h"

#define DEFAULT_CONFIG "/etc/config/autonomy"
#define DEFAULT_PIDFILE "/var/run/autonomy.pid"
#define DEFAULT_SOCKET "/var/run/autonomy/autonomy.sock"

struct opts {
	const char *config, *pidfile, *socket;
	bool foreground, check_only, debug, dry_run;
	const char *record;             /* --record FILE */
	size_t record_max;              /* --record-max-mb N, in bytes */
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: autonomyd [-c FILE] [-f] [-n] [-d] [-p PIDFILE] [-s SOCKET] [-V]\n"
		"  -c FILE     config file (default " DEFAULT_CONFIG ")\n"
		"  -f          stay in the foreground, log to stderr\n"
		"  -n          check the config and exit (0 ok, 1 errors)\n"
		"  -d          debug logging\n"
		"  -p PIDFILE  pid file (default: main.pid_file, else " DEFAULT_PIDFILE ")\n"
		"  -s SOCKET   control socket (default: main.control_socket, else "
		DEFAULT_SOCKET ")\n"
		"  -V          print the version and exit\n"
		"  --dry-run   decide and report, change no routes (the observe backend)\n"
		"  --record FILE [--record-max-mb N]\n"
		"              write what the engine sees as a replay trace (at most N MB,\n"
		"              default %d; a reload ends it)\n"
		"  --replay TRACE [--seed N] [-c FILE] [--policy P] [--store FILE]\n"
		"              run a trace in virtual time and print the decisions (JSON Lines);\n"
		"              --store: write the history the daemon would have\n"
		"  --store-sync ...  the history store's maintenance (run by the daemon)\n",
		RECORD_MAX_MB_DEFAULT);
}

static int parse_record_max(const char *s, struct opts *o)
{
	char *end;
	unsigned long mb = strtoul(s, &end, 10);
	if (!*s || *end || mb < 1 || mb > 4096) {
		fprintf(stderr, "autonomyd: --record-max-mb: \"%s\" is not 1..4096\n", s);
		return -1;
	}
	o->record_max = (size_t)mb << 20;
	return 0;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "dry-run", no_argument, NULL, 'D' },
		{ "record", required_argument, NULL, 'R' },
		{ "record-max-mb", required_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	o->config = DEFAULT_CONFIG;
	o->record_max = (size_t)RECORD_MAX_MB_DEFAULT << 20;
	while ((c = getopt_long(argc, argv, "c:fndp:s:Vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'D': o->dry_run = true; break;
		case 'R': o->record = optarg; break;
		case 'M': if (parse_record_max(optarg, o) < 0) return -1; break;
		case 'c': o->config = optarg; break;
		case 'f': o->foreground = true; break;
		case 'n': o->check_only = true; break;
		case 'd': o->debug = true; break;
		case 'p': o->pidfile = optarg; break;
		case 's': o->socket = optarg; break;
		case 'V': printf("autonomyd %s\n", AUTONOMY_VERSION); exit(0);
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "autonomyd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return -1;
	}
	return 0;
}

static void print_diags(const struct cfg_diags *dg)
{
	for (size_t i = 0; i < dg->n; i++)
		fprintf(stderr, "%s: %s\n",
			dg->v[i].severity == CFG_ERROR ? "error" : "warning", dg->v[i].msg);
}

static int check_config(const char *path)
{
	struct cfg_diags dg = { 0 };
	struct config *cfg = config_load_file(path, &dg);
	print_diags(&dg);
	if (cfg)
		printf("%s: OK (%zu members, %zu warnings)\n", path, cfg->n_members, dg.n);
	else
		fprintf(stderr, "%s: %zu errors\n", path, dg.n_errors);
	cfg_diags_free(&dg);
	config_free(cfg);
	return cfg ? 0 : 1;
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	(void)what;
	struct daemon *d = arg;
	if (sig == SIGHUP) {
		struct ctl_error err = { .details = NULL };
		json_object *warn = NULL;
		log_notice("SIGHUP: reloading %s", d->config_path);
		sd_notify_send("RELOADING=1");
		daemon_reload(d, NULL, &err, &warn);
		sd_notify_send("READY=1");
		json_object_put(err.details);
		json_object_put(warn);
		return;
	}
	log_notice("signal %d: shutting down", (int)sig);
	sd_notify_send("STOPPING=1");
	event_base_loopexit(d->base, NULL);
}

static int setup_signals(struct daemon *d)
{
	signal(SIGPIPE, SIG_IGN);
	d->sig_hup = evsignal_new(d->base, SIGHUP, on_signal, d);
	d->sig_term = evsignal_new(d->base, SIGTERM, on_signal, d);
	d->sig_int = evsignal_new(d->base, SIGINT, on_signal, d);
	if (!d->sig_hup || !d->sig_term || !d->sig_int)
		return -1;
	if (evsignal_add(d->sig_hup, NULL) || evsignal_add(d->sig_term, NULL) ||
	    evsignal_add(d->sig_int, NULL))
		return -1;
	return 0;
}

static void on_link(void *arg, enum linkmon_event ev, const struct link_info *old,
		    const struct link_info *cur)
{
	struct daemon *d = arg;
	members_link_event(d, cur, ev == LINKMON_DEL);
	static const char *const names[] = { "new", "del", "change", "addr" };
	if (ev == LINKMON_CHANGE && old && old->carrier != cur->carrier)
		log_notice("link %s: carrier %s", cur->name, cur->carrier ? "up" : "down");
	else
		log_debug("link %s: %s", cur->name, names[ev]);
}

static const char *pick_socket(const struct opts *o, const struct config *cfg)
{
	if (o->socket)
		return o->socket;
	const char *s = cfg_str(config_section(cfg, "main"), "control_socket");
	return s && *s ? s : DEFAULT_SOCKET;
}

static int copy_path(char *dst, size_t size, const char *src)
{
	if (strlen(src) >= size) {
		fprintf(stderr, "autonomyd: path too long: %s\n", src);
		return -1;
	}
	strcpy(dst, src);
	return 0;
}

static const char *pick_pidfile(const struct opts *o, const struct config *cfg)
{
	if (o->pidfile)
		return o->pidfile;
	const char *s = cfg_str(config_section(cfg, "main"), "pid_file");
	return s && *s ? s : DEFAULT_PIDFILE;
}

static int acquire_singleton(struct daemon *d)
{
	if (ctl_socket_answers(d->socket_path)) {
		fprintf(stderr, "autonomyd: another autonomyd answers on %s; not starting\n",
			d->socket_path);
		return -1;
	}
	pid_t holder = 0;
	char why[512];
	d->pf = pidfile_acquire(d->pid_path, &holder, why, sizeof(why));
	if (!d->pf) {
		fprintf(stderr, "autonomyd: %s%s\n", errno == EEXIST ? "" : "pid file: ", why);
		return -1;
	}
	return 0;
}

/* A precise timer: libevent's default coarse clock ticks in jiffies, so a
 * timer due between ticks spins through several 1 ms waits before it runs —
 * extra wake-ups per probe and up to 4 ms of skew in probe timing. */
static struct event_base *new_base(void)
{
	struct event_config *ec = event_config_new();
	if (!ec)
		return NULL;
	event_config_set_flag(ec, EVENT_BASE_FLAG_PRECISE_TIMER);
	struct event_base *b = event_base_new_with_config(ec);
	event_config_free(ec);
	return b;
}

/* systemd's watchdog (WatchdogSec=): a ping from the loop itself at half
 * the interval, so a wedged loop is what stops the pings. */
static void on_watchdog(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what; (void)arg;
	if (sd_notify_send("WATCHDOG=1") < 0)
		log_errno(LOG_LVL_WARN, "systemd watchdog ping");
}

static int watchdog_start(struct daemon *d)
{
	uint64_t us = sd_watchdog_usec() / 2;
	if (!us)
		return 0;
	struct timeval tv = { (time_t)(us / 1000000), (suseconds_t)(us % 1000000) };
	d->sd_watchdog = event_new(d->base, -1, EV_PERSIST, on_watchdog, d);
	if (!d->sd_watchdog || event_add(d->sd_watchdog, &tv) < 0)
		return -1;
	log_info("systemd watchdog: pinging every %.1f s", (double)us / 1e6);
	return 0;
}

static int start_services(struct daemon *d, const struct opts *o)
{
	d->base = new_base();
	if (!d->base || setup_signals(d) < 0) {
		log_err("cannot set up the event loop");
		return -1;
	}
	gid_t group;
	char why[512];
	if (access_socket_group(d->cfg, &group) < 0)
		return -1;
	if (harden_state_dir(d) < 0)
		return -1;
	d->lm = linkmon_new(d->base, on_link, d);
	if (!d->lm) {
		log_errno(LOG_LVL_ERR, "rtnetlink link monitor");
		return -1;
	}
	d->ctl = ctl_server_new(d->base, d->socket_path, group, daemon_dispatch, d, why,
				sizeof(why));
	if (!d->ctl) {
		log_err("control socket: %s", why);
		return -1;
	}
	if (selfhealth_start(&d->health, d->base) < 0 || daemon_monitor_start(d) < 0) {
		log_err("cannot start the daemon's timers");
		return -1;
	}
	/* Before anything that emits: the first events are recorded too. */
	if (state_start(d) < 0 || daemon_events_start(d) < 0 || history_start(d) < 0) {
		log_err("cannot start the event bus and the history store");
		return -1;
	}
	daemon_events_configure(d);
	if (alerts_start(d) < 0)
		return -1;
	ev_emit_daemon(d->bus, "started", AUTONOMY_VERSION);
	if (decisions_start(d) < 0 || tel_shared_start(d) < 0 || netifd_start(d) < 0)
		return -1;
	if (members_sync(d) < 0)
		log_err("some members could not be started (see above)");
	netifd_refresh(d);
	history_reload(d);
	/* After the members (the trace's header lists them), before anything
	 * the loop or the telemetry kinds feed them. */
	if (o->record && record_start(d, o->record, o->record_max) < 0)
		return -1;
	if (tel_start(d) < 0)
		return -1;
	if (shaper_start(d) < 0) {
		log_err("cannot start the traffic shaper");
		return -1;
	}
	if (carrier_watch_start(d) < 0) {
		log_err("cannot start the carrier watch");
		return -1;
	}
	if (apisec_start(d) < 0 || exporters_start(d) < 0)
		return -1;
	if (watchdog_start(d) < 0) {
		log_err("cannot start the systemd watchdog timer");
		return -1;
	}
	harden_drop_privileges(d);
	return 0;
}

static void stop_services(struct daemon *d)
{
	record_stop(d, NULL);
	if (d->sd_watchdog)
		event_free(d->sd_watchdog);
	if (d->bus)
		ev_emit_daemon(d->bus, "stopped", NULL);
	exporters_stop(d);
	alerts_stop(d);
	history_stop(d);
	apisec_stop(d);
	carrier_watch_stop(d);
	shaper_stop(d);
	tel_stop(d);
	members_free(d);
	netifd_stop(d);
	tel_shared_stop(d);
	decisions_stop(d);
	if (d->monitor_timer)
		event_free(d->monitor_timer);
	ctl_server_free(d->ctl);
	d->ctl = NULL;
	daemon_events_stop(d);
	linkmon_free(d->lm);
	selfhealth_stop(&d->health);
	if (d->sig_hup)
		event_free(d->sig_hup);
	if (d->sig_term)
		event_free(d->sig_term);
	if (d->sig_int)
		event_free(d->sig_int);
	if (d->base)
		event_base_free(d->base);
	json_object_put(d->last_reload.diags);
	state_stop(d);
	config_free(d->cfg);
	pidfile_release(d->pf);
}

static struct config *load_initial(const char *path)
{
	struct cfg_diags dg = { 0 };
	struct config *cfg = config_load_file(path, &dg);
	print_diags(&dg);
	if (!cfg)
		fprintf(stderr, "autonomyd: %s has errors; not starting\n", path);
	cfg_diags_free(&dg);
	return cfg;
}

void daemon_apply_log_level(const struct config *cfg, bool debug)
{
	const char *file = cfg_str(config_section(cfg, "main"), "log_file");
	if (log_set_file(file) < 0)
		log_errno(LOG_LVL_ERR, "log file %s", file);
	if (debug) {
		log_set_level(LOG_LVL_DEBUG);
		return;
	}
	int lvl = log_level_parse(cfg_enum_str(config_section(cfg, "main"), "log_level"));
	log_set_level(lvl < 0 ? LOG_LVL_INFO : (enum log_level)lvl);
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--replay") == 0)
			return replay_main(argc, argv);
		if (strcmp(argv[i], "--store-sync") == 0)
			return store_tool_main(argc, argv);
	}
	if (argc == 3 && strcmp(argv[1], "--resolve") == 0)     /* core/resolve.h */
		return resolve_print(argv[2], stdout);
#ifdef AUTONOMY_WITH_SNMP
	if (argc == 5 && strcmp(argv[1], "--snmp-subagent") == 0)  /* export/snmp.h */
		return snmp_agent_main(argv[2], argv[3], argv[4]);
#endif
	if (parse_opts(argc, argv, &o) < 0)
		return 2;
	if (o.check_only)
		return check_config(o.config);

	char abs_config[4200], abs_sock[4200], abs_pid[4200];
	if (harden_abs_path(&o.config, abs_config, sizeof(abs_config)) < 0 ||
	    harden_abs_path(&o.socket, abs_sock, sizeof(abs_sock)) < 0 ||
	    harden_abs_path(&o.pidfile, abs_pid, sizeof(abs_pid)) < 0)
		return 1;
	struct daemon d = { .config_path = o.config };
	d.cfg = load_initial(o.config);
	if (!d.cfg)
		return 1;
	if (copy_path(d.socket_path, sizeof(d.socket_path), pick_socket(&o, d.cfg)) < 0 ||
	    copy_path(d.pid_path, sizeof(d.pid_path), pick_pidfile(&o, d.cfg)) < 0) {
		config_free(d.cfg);
		return 1;
	}
	d.foreground = o.foreground;
	d.debug = o.debug;
	access_configure(&d.access, d.cfg);
	d.dry_run = o.dry_run;
	if (acquire_singleton(&d) < 0) {
		config_free(d.cfg);
		return 1;
	}
	int notify_fd = -1;
	if (!o.foreground && (daemonize(&notify_fd) < 0 || pidfile_write(d.pf) < 0)) {
		perror("autonomyd: daemonize");
		return 1;
	}
	log_open("autonomyd", o.foreground, LOG_LVL_INFO);
	daemon_apply_log_level(d.cfg, o.debug);
	d.started_wall_s = clock_wall_ms() / 1000;
	d.last_reload.ok = true;
	int rc = 0;
	if (start_services(&d, &o) < 0) {
		rc = 1;
	} else {
		log_notice("autonomyd %s started: %zu members, control socket %s",
			   AUTONOMY_VERSION, d.cfg->n_members, d.socket_path);
		daemonize_notify(&notify_fd, 0);
		if (sd_notify_send("READY=1") < 0)
			log_errno(LOG_LVL_WARN, "systemd notification (NOTIFY_SOCKET)");
		event_base_dispatch(d.base);
	}
	daemonize_notify(&notify_fd, 1);
	stop_services(&d);
	log_notice("autonomyd stopped");
	log_close();
	return rc;
}
