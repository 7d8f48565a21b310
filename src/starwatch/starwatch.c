/* starwatch: the watchdog that keeps autonomyd alive. One process, one
 * poll() loop, no threads; it sees what procd or systemd cannot — a daemon
 * that is alive but hung — and keeps the router routed while autonomyd is
 * down. Signals come through a signalfd, so their handlers run on the
 * loop. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "core/daemonize.h"
#include "core/log.h"
#include "core/pidfile.h"
#include "starwatch/sw_app.h"
#include "starwatch/sw_logfile.h"

struct opts {
	const char *config;
	bool foreground, check_only, debug;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: starwatch [-c FILE] [-f] [-n] [-d] [-V]\n"
		"  -c FILE  config file (default " SW_DEFAULT_CONFIG "), section 'starwatch'\n"
		"  -f       stay in the foreground, log to stderr (and the log file)\n"
		"  -n       check the config, print what starwatch would do, and exit\n"
		"  -d       debug logging\n"
		"  -V       print the version and exit\n");
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	int c;
	o->config = SW_DEFAULT_CONFIG;
	while ((c = getopt(argc, argv, "c:fndVh")) != -1) {
		switch (c) {
		case 'c': o->config = optarg; break;
		case 'f': o->foreground = true; break;
		case 'n': o->check_only = true; break;
		case 'd': o->debug = true; break;
		case 'V': printf("starwatch %s\n", AUTONOMY_VERSION); exit(0);
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "starwatch: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return -1;
	}
	return 0;
}

/* Loads the config; diagnostics go to stderr (start-up) or the log (reload). */
static int load(const char *path, struct sw_cfg *c, bool to_log)
{
	struct cfg_diags dg = { 0 };
	int rc = sw_cfg_load(path, c, &dg);
	for (size_t i = 0; i < dg.n; i++) {
		bool e = dg.v[i].severity == CFG_ERROR;
		if (to_log)
			log_msg(e ? LOG_LVL_ERR : LOG_LVL_WARN, "%s", dg.v[i].msg);
		else
			fprintf(stderr, "%s: %s\n", e ? "error" : "warning", dg.v[i].msg);
	}
	cfg_diags_free(&dg);
#ifdef __GLIBC__
	malloc_trim(0);     /* the parsed file is gone: give its pages back */
#endif
	return rc;
}

static void open_logfile(const struct sw_cfg *c)
{
	if (!c->log_file) {
		sw_logfile_close();
		return;
	}
	if (sw_logfile_open(c->log_file, SW_LOGFILE_MAX) < 0)
		log_errno(LOG_LVL_WARN, "log file %s", c->log_file);
}

static void reload(struct sw_app *a, const char *path)
{
	struct sw_cfg next;
	if (load(path, &next, true) < 0) {
		log_err("reload: %s has errors; keeping the running config", path);
		return;
	}
	if (!next.enabled) {
		log_notice("reload: starwatch.enabled is 0: exiting");
		sw_cfg_free(&next);
		a->loop.stop = true;
		return;
	}
	if (strcmp(next.pid_file, a->cfg.pid_file) != 0)
		log_warn("starwatch.pid_file changed: takes effect when starwatch restarts");
	unlink(a->cfg.status_file);
	sw_cfg_free(&a->cfg);
	a->cfg = next;
	open_logfile(&a->cfg);
	sw_app_configure(a);
	sw_app_write_status(a);
	log_notice("reloaded %s", path);
}

struct sig_ctx {
	struct sw_app *app;
	const char *config;
};

static void on_signal(void *arg, int fd, short revents)
{
	struct sig_ctx *s = arg;
	struct signalfd_siginfo si;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGCHLD) {
			sw_procs_reap(&s->app->procs);
		} else if (si.ssi_signo == SIGHUP) {
			log_notice("SIGHUP: reloading %s", s->config);
			reload(s->app, s->config);
		} else {
			log_notice("signal %u: exiting", si.ssi_signo);
			s->app->loop.stop = true;
		}
	}
}

static int setup_signals(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	signal(SIGPIPE, SIG_IGN);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

static struct pidfile *single_instance(const char *path)
{
	pid_t holder = 0;
	char why[512];
	struct pidfile *pf = pidfile_acquire(path, &holder, why, sizeof(why));
	if (!pf)
		fprintf(stderr, "starwatch: %s%s\n", errno == EEXIST ? "" : "pid file: ", why);
	return pf;
}

static int run(struct sw_app *a, const struct opts *o, int *notify_fd)
{
	struct sig_ctx sc = { a, o->config };
	int sfd = setup_signals();
	if (sfd < 0 || sw_app_init(a) < 0 || sw_loop_watch(&a->loop, sfd, POLLIN, on_signal, &sc) < 0) {
		log_errno(LOG_LVL_ERR, "cannot set up the loop");
		return 1;
	}
	open_logfile(&a->cfg);
	log_notice("starwatch %s started: watching %s every %llu s (hung after %llu s), "
		   "restart by %s, fail-safe route %s", AUTONOMY_VERSION, a->cfg.control_socket,
		   (unsigned long long)(a->cfg.watch.check_ms / 1000),
		   (unsigned long long)(a->cfg.watch.hang_ms / 1000), a->cfg.restart_how,
		   a->cfg.failsafe ? "on" : "off");
	sw_app_start(a);
	daemonize_notify(notify_fd, 0);
	int rc = sw_loop_run(&a->loop) < 0 ? 1 : 0;
	log_notice("starwatch stopped");
	close(sfd);
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	static struct sw_app app;
	if (parse_opts(argc, argv, &o) < 0)
		return 2;
	if (load(o.config, &app.cfg, false) < 0) {
		fprintf(stderr, "starwatch: %s has errors; not starting\n", o.config);
		return 1;
	}
	if (o.check_only) {
		sw_cfg_describe(&app.cfg, stdout);
		sw_cfg_free(&app.cfg);
		return 0;
	}
	if (!app.cfg.enabled) {
		fprintf(stderr, "starwatch: disabled (starwatch.enabled is 0 in %s)\n", o.config);
		sw_cfg_free(&app.cfg);
		return 0;
	}
	struct pidfile *pf = single_instance(app.cfg.pid_file);
	if (!pf) {
		sw_cfg_free(&app.cfg);
		return 1;
	}
	int notify_fd = -1;
	if (!o.foreground && (daemonize(&notify_fd) < 0 || pidfile_write(pf) < 0)) {
		perror("starwatch: daemonize");
		return 1;
	}
	log_open("starwatch", o.foreground, o.debug ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	app.debug = o.debug;
	int rc = run(&app, &o, &notify_fd);
	daemonize_notify(&notify_fd, 1);
	sw_app_free(&app);
	sw_logfile_close();
	pidfile_release(pf);
	log_close();
	return rc;
}
