/* sw_cfg: starwatch's settings from the UCI file (sw_cfg.h). */
#include "starwatch/sw_cfg.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe/probe.h"
#include "starwatch/sw_proc.h"
#include "starwatch/sw_status.h"

/* The daemon's own built-in targets (members without `target`). */
static const char *const builtin_targets[] = { "1.1.1.1", "8.8.8.8", "9.9.9.9" };

static char *dup_or_null(const char *s)
{
	return s && *s ? strdup(s) : NULL;
}

static void set_argv(char **argv, const char *const *src, size_t n)
{
	for (size_t i = 0; i < n && i < SW_ARGV_MAX; i++)
		argv[i] = strdup(src[i]);
}

static void list_argv(char **argv, const struct cfg_value *v)
{
	for (size_t i = 0; i < v->n_items && i < SW_ARGV_MAX; i++)
		argv[i] = strdup(v->items[i].str);
}

static bool pid1_is(const char *comm)
{
	char buf[32] = "";
	FILE *f = fopen("/proc/1/comm", "re");
	if (!f)
		return false;
	bool ok = fgets(buf, sizeof(buf), f) != NULL;
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return ok && strcmp(buf, comm) == 0;
}

static bool systemd_unit_known(void)
{
	static const char *const dirs[] = { "/etc/systemd/system", "/run/systemd/system",
					    "/lib/systemd/system", "/usr/lib/systemd/system" };
	char p[128];
	if (access("/run/systemd/system", F_OK) < 0)
		return false;   /* not booted with systemd */
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dirs[i], SW_SYSTEMD_UNIT);
		if (access(p, F_OK) == 0)
			return true;
	}
	return false;
}

/* autonomyd next to starwatch (an installed pair, or a build directory),
 * else the installed path. */
static void daemon_binary(char *out, size_t size)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			int w = snprintf(out, size, "%s/autonomyd", self);
			if (w > 0 && (size_t)w < size && access(out, X_OK) == 0)
				return;
		}
	}
	snprintf(out, size, "/usr/sbin/autonomyd");
}

/* Through the init system where one runs the daemon, else directly. */
static void default_restart(struct sw_cfg *c)
{
	if (access(SW_INIT_SCRIPT, X_OK) == 0 && pid1_is("procd")) {
		const char *a[] = { SW_INIT_SCRIPT, "restart" };
		set_argv(c->restart_argv, a, 2);
		snprintf(c->restart_how, sizeof(c->restart_how), "init script");
	} else if (systemd_unit_known()) {
		const char *a[] = { "systemctl", "restart", SW_SYSTEMD_UNIT };
		set_argv(c->restart_argv, a, 3);
		snprintf(c->restart_how, sizeof(c->restart_how), "systemd");
	} else {
		char bin[PATH_MAX];
		daemon_binary(bin, sizeof(bin));
		const char *a[] = { bin, "-c", c->config_path };
		set_argv(c->restart_argv, a, 3);
		snprintf(c->restart_how, sizeof(c->restart_how), "direct");
	}
}

static void resolve_failsafe(struct sw_cfg *c, const struct config *cfg)
{
	const char *v = cfg_enum_str(config_section(cfg, "starwatch"), "failsafe_route");
	const struct cfg_section *m = config_section(cfg, "main");
	c->failsafe = strcmp(v, "0") != 0;
	snprintf(c->failsafe_why, sizeof(c->failsafe_why), "%s",
		 strcmp(v, "auto") ? "starwatch.failsafe_route" : "auto");
	if (strcmp(v, "auto") != 0)
		return;
	if (strcmp(cfg_enum_str(m, "backend"), "none") == 0 || cfg_bool(m, "dry_run")) {
		c->failsafe = false;
		snprintf(c->failsafe_why, sizeof(c->failsafe_why),
			 "auto: autonomy does not own routing (backend none / dry_run)");
	} else if (access("/etc/config/mwan3", F_OK) == 0) {
		c->failsafe = false;
		snprintf(c->failsafe_why, sizeof(c->failsafe_why), "auto: mwan3 owns routing");
	}
}

static void add_target(struct sw_cfg *c, const char *spec)
{
	struct probe_target t;
	char err[128];
	if (c->n_targets == SW_PING_MAX_TARGETS || probe_target_parse(spec, &t, err, sizeof(err)) < 0 ||
	    t.family != AF_INET)
		return;
	struct in_addr a = ((const struct sockaddr_in *)&t.addr)->sin_addr;
	for (size_t i = 0; i < c->n_targets; i++)
		if (c->targets[i].s_addr == a.s_addr)
			return;
	c->targets[c->n_targets++] = a;
}

static void add_member(struct sw_cfg *c, const struct cfg_section *s)
{
	if (c->n_members == SW_FS_MAX_MEMBERS || !cfg_bool(s, "enabled"))
		return;
	const char *dev = cfg_str(s, "device"), *ifc = cfg_str(s, "interface");
	const char *gw = cfg_str(s, "gateway");
	size_t at = c->n_members;
	struct sw_fs_member *m = &c->members[at];
	memset(m, 0, sizeof(*m));
	snprintf(m->name, sizeof(m->name), "%s", s->name);
	snprintf(m->dev, sizeof(m->dev), "%s", dev && *dev ? dev : ifc ? ifc : "");
	snprintf(c->ifaces[at], sizeof(c->ifaces[at]), "%s", ifc ? ifc : "");
	m->has_gw = gw && inet_pton(AF_INET, gw, &m->gw) == 1;
	c->n_members++;
	const struct cfg_value *t = cfg_get(s, "target");
	for (size_t i = 0; i < t->n_items; i++)
		add_target(c, t->items[i].str);
}

/* Members in priority order, file order among equals. */
static void add_members(struct sw_cfg *c, const struct config *cfg)
{
	for (long long prio = 1; prio <= 255; prio++)
		for (size_t i = 0; i < cfg->n_members; i++)
			if (cfg_int(&cfg->members[i], "priority") == prio)
				add_member(c, &cfg->members[i]);
	if (c->n_targets == 0)
		for (size_t i = 0; i < sizeof(builtin_targets) / sizeof(builtin_targets[0]); i++)
			add_target(c, builtin_targets[i]);
}

static void load_ladder(struct sw_cfg *c, const struct cfg_section *s)
{
	const struct cfg_value *v = cfg_get(s, "escalation");
	c->watch.n_ladder = 0;
	for (size_t i = 0; i < v->n_items && c->watch.n_ladder < SW_MAX_STEPS; i++) {
		int st = sw_step_parse(v->items[i].str);
		bool dup = false;
		for (size_t k = 0; k < c->watch.n_ladder; k++)
			dup |= (int)c->watch.ladder[k] == st;
		if (st >= 0 && !dup)
			c->watch.ladder[c->watch.n_ladder++] = (enum sw_step)st;
	}
}

static int resolve(struct sw_cfg *c, const struct config *cfg)
{
	const struct cfg_section *s = config_section(cfg, "starwatch");
	const struct cfg_section *m = config_section(cfg, "main");
	const struct cfg_section *sl = config_section(cfg, "slack");
	c->enabled = cfg_bool(s, "enabled");
	c->watch.check_ms = (uint64_t)cfg_duration_ms(s, "check_interval");
	c->watch.hang_ms = (uint64_t)cfg_duration_ms(s, "hang_timeout");
	c->watch.window_ms = (uint64_t)cfg_duration_ms(s, "restart_window");
	c->watch.max_restarts = (unsigned)cfg_int(s, "max_restarts");
	load_ladder(c, s);
	c->max_reboots_per_day = (unsigned)cfg_int(s, "max_reboots_per_day");
	const struct cfg_value *rc = cfg_get(s, "restart_command");
	if (rc->n_items) {
		list_argv(c->restart_argv, rc);
		snprintf(c->restart_how, sizeof(c->restart_how), "configured");
	} else {
		default_restart(c);
	}
	list_argv(c->reboot_argv, cfg_get(s, "reboot_command"));
	c->log_file = dup_or_null(cfg_str(s, "log_file"));
	c->pid_file = dup_or_null(cfg_str(s, "pid_file"));
	c->state_file = dup_or_null(cfg_str(s, "state_file"));
	if (!c->state_file) {
		/* Beside the daemon's persistent state: on flash where that is. */
		char p[4200];
		snprintf(p, sizeof(p), "%s/starwatch.state", cfg_str(m, "state_dir"));
		c->state_file = strdup(p);
	}
	c->alert_url = dup_or_null(cfg_str(s, "alert_url"));
	c->slack_url = cfg_bool(sl, "enabled") ? dup_or_null(cfg_str(sl, "webhook_url")) : NULL;
	c->control_socket = dup_or_null(cfg_str(m, "control_socket"));
	c->daemon_pid_file = dup_or_null(cfg_str(m, "pid_file"));
	char st[512];
	if (!c->control_socket || sw_status_path(c->control_socket, st, sizeof(st)) < 0)
		return -1;
	c->status_file = strdup(st);
	resolve_failsafe(c, cfg);
	add_members(c, cfg);
	return c->pid_file && c->state_file && c->daemon_pid_file && c->status_file &&
	       c->restart_argv[0] && c->reboot_argv[0] ? 0 : -1;
}

int sw_cfg_load(const char *path, struct sw_cfg *c, struct cfg_diags *dg)
{
	memset(c, 0, sizeof(*c));
	char abs[PATH_MAX];
	if (!realpath(path, abs)) {
		char msg[PATH_MAX + 64];
		snprintf(msg, sizeof(msg), "%s: %s", path, strerror(errno));
		struct cfg_diag *v = realloc(dg->v, (dg->n + 1) * sizeof(*v));
		if (v) {
			dg->v = v;
			v[dg->n++] = (struct cfg_diag){ CFG_ERROR, 0, strdup(msg) };
			dg->n_errors++;
		}
		return -1;
	}
	struct config *cfg = config_load_file(abs, dg);
	if (!cfg)
		return -1;
	c->config_path = strdup(abs);
	int rc = c->config_path ? resolve(c, cfg) : -1;
	config_free(cfg);
	if (rc < 0)
		sw_cfg_free(c);
	return rc;
}

void sw_cfg_free(struct sw_cfg *c)
{
	for (int i = 0; i < SW_ARGV_MAX; i++) {
		free(c->restart_argv[i]);
		free(c->reboot_argv[i]);
	}
	char *strs[] = { c->config_path, c->log_file, c->pid_file, c->state_file,
			 c->control_socket, c->daemon_pid_file, c->status_file,
			 c->alert_url, c->slack_url };
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		free(strs[i]);
	memset(c, 0, sizeof(*c));
}

static void put_argv(FILE *f, char *const *argv)
{
	for (size_t i = 0; argv[i]; i++)
		fprintf(f, "%s%s", i ? " " : "", argv[i]);
}

void sw_cfg_describe(const struct sw_cfg *c, FILE *f)
{
	fprintf(f, "starwatch %s: %s\n", c->config_path, c->enabled ? "enabled" : "disabled");
	fprintf(f, "  daemon        socket %s, pid file %s\n", c->control_socket,
		c->daemon_pid_file);
	fprintf(f, "  checks        every %llu ms, hung after %llu ms without progress\n",
		(unsigned long long)c->watch.check_ms, (unsigned long long)c->watch.hang_ms);
	fprintf(f, "  restarts      at most %u within %llu s, by (%s) ", c->watch.max_restarts,
		(unsigned long long)(c->watch.window_ms / 1000), c->restart_how);
	put_argv(f, c->restart_argv);
	fprintf(f, "\n  escalation   ");
	for (size_t i = 0; i < c->watch.n_ladder; i++)
		fprintf(f, " %s", sw_step_name(c->watch.ladder[i]));
	fprintf(f, "; at most %u reboot(s) a day (%s)\n", c->max_reboots_per_day, c->state_file);
	fprintf(f, "  fail-safe     %s (%s); %zu member(s), %zu target(s)\n",
		c->failsafe ? "on" : "off", c->failsafe_why, c->n_members, c->n_targets);
	fprintf(f, "  files         log %s, pid %s, status %s\n",
		c->log_file ? c->log_file : "(syslog only)", c->pid_file, c->status_file);
	fprintf(f, "  emergencies   syslog%s%s\n", c->alert_url ? ", alert_url" : "",
		c->slack_url ? ", slack" : "");
}
