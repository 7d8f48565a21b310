/* sw_cfg: starwatch's settings, taken from /etc/config/autonomy through the
 * project's own UCI parser and schema (the `starwatch` section, plus
 * `main` to find the daemon and the members for the fail-safe route), and
 * resolved once into plain values: the config struct is freed right after,
 * which keeps starwatch's memory small. */
#ifndef AUTONOMY_SW_CFG_H
#define AUTONOMY_SW_CFG_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "config/config.h"
#include "starwatch/sw_failsafe.h"
#include "starwatch/sw_icmp.h"
#include "starwatch/sw_watch.h"

#define SW_ARGV_MAX 16
#define SW_DEFAULT_CONFIG "/etc/config/autonomy"
#define SW_INIT_SCRIPT "/etc/init.d/autonomy"
#define SW_SYSTEMD_UNIT "autonomyd.service"

struct sw_cfg {
	char *config_path;              /* absolute */
	bool enabled;
	struct sw_watch_params watch;   /* reboot_allowed is the caller's */
	unsigned max_reboots_per_day;
	char *restart_argv[SW_ARGV_MAX + 1];
	char restart_how[24];           /* "configured", "init script", "systemd", "direct" */
	char *reboot_argv[SW_ARGV_MAX + 1];
	char *log_file;                 /* NULL: syslog only */
	char *pid_file, *state_file, *control_socket, *daemon_pid_file, *status_file;
	bool failsafe;
	char failsafe_why[80];
	char *alert_url, *slack_url;
	struct sw_fs_member members[SW_FS_MAX_MEMBERS];   /* enabled, by priority */
	char ifaces[SW_FS_MAX_MEMBERS][16];               /* netifd names ("" none) */
	size_t n_members;
	struct in_addr targets[SW_PING_MAX_TARGETS];
	size_t n_targets;
};

/* Loads and resolves. Returns 0, or -1 when the file has errors (diags has
 * them) or cannot be used. */
int sw_cfg_load(const char *path, struct sw_cfg *c, struct cfg_diags *dg);
void sw_cfg_free(struct sw_cfg *c);
/* What starwatch will do, for `starwatch -n` and the start-up log. */
void sw_cfg_describe(const struct sw_cfg *c, FILE *f);

#endif
