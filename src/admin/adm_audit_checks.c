/* adm_audit_checks: file modes, probe targets and detection time. */
#include "admin/adm_audit_int.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "config/config.h"
#include "probe/probe.h"

/* The worst-case time to call the active member down after its path dies
 * (engine/detect.h): wait for the next probe, its loss timeout (at least
 * 150 ms), nine more burst probes 20 ms apart, the last one's timeout. */
#define DETECT_EXTRA_MS     (150 + 9 * 20 + 150)
#define DETECT_GOAL_MS      1000

static bool has_secret(const struct config *cfg)
{
	for (size_t i = 0; cfg && i < cfg->n_globals + cfg->n_members; i++) {
		const struct cfg_section *s = i < cfg->n_globals ? &cfg->globals[i] :
					      &cfg->members[i - cfg->n_globals];
		for (size_t k = 0; k < s->def->n_opts; k++)
			if (s->def->opts[k].type == CFG_SECRET && s->vals[k].set)
				return true;
	}
	return false;
}

static void check_mode(struct adm_audit *a, const char *path, bool secrets, const char *what)
{
	struct stat st;
	char fix[PATH_MAX + 16];
	if (stat(path, &st) < 0)
		return;
	unsigned mode = st.st_mode & 07777;
	snprintf(fix, sizeof(fix), "chmod 600 %s", path);
	if (mode & 0002)
		adm_finding(a, ADM_CRITICAL, "file_mode", path, fix,
			    "%s is writable by anyone (mode %04o): anyone can reroute traffic",
			    what, mode);
	else if (secrets && (mode & 0004))
		adm_finding(a, ADM_CRITICAL, "secrets", path, fix,
			    "%s holds secrets and is readable by anyone (mode %04o)", what, mode);
	else if (secrets && (mode & 0040))
		adm_finding(a, ADM_WARNING, "secrets", path, fix,
			    "%s holds secrets and is readable by its group (mode %04o)", what, mode);
	else if (mode & 0020)
		adm_finding(a, ADM_WARNING, "file_mode", path, fix,
			    "%s is writable by its group (mode %04o)", what, mode);
}

void adm_check_modes(struct adm_audit *a)
{
	bool secrets = has_secret(a->cfg);
	char names[64][NAME_MAX + 1], path[PATH_MAX + NAME_MAX + 2];
	check_mode(a, a->p->config, secrets, "the config");
	check_mode(a, a->p->backup, secrets, "the config's .backup");
	int n = adm_backup_list(a->p, names, 64);
	for (int i = 0; i < n; i++) {
		if (snprintf(path, sizeof(path), "%s/%s", a->p->dir, names[i]) < (int)sizeof(path))
			check_mode(a, path, secrets, "a config backup");
	}
}

bool adm_addr_private(int family, const void *addr)
{
	const uint8_t *b = addr;
	if (family == AF_INET)
		return b[0] == 10 || b[0] == 127 || (b[0] == 172 && (b[1] & 0xf0) == 16) ||
		       (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254) ||
		       (b[0] == 100 && (b[1] & 0xc0) == 64);
	if (family == AF_INET6)
		return (b[0] & 0xfe) == 0xfc || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) ||
		       IN6_IS_ADDR_LOOPBACK((const struct in6_addr *)addr);
	return false;
}

static const void *target_addr(const struct probe_target *t)
{
	if (t->family == AF_INET)
		return &((const struct sockaddr_in *)&t->addr)->sin_addr;
	return &((const struct sockaddr_in6 *)&t->addr)->sin6_addr;
}

static bool is_gateway(const struct cfg_section *m, const struct probe_target *t)
{
	char txt[INET6_ADDRSTRLEN];
	const char *gw = cfg_str(m, t->family == AF_INET ? "gateway" : "gateway6");
	return gw && inet_ntop(t->family, target_addr(t), txt, sizeof(txt)) &&
	       strcmp(txt, gw) == 0;
}

static void check_member_targets(struct adm_audit *a, const struct cfg_section *m)
{
	const struct cfg_value *v = cfg_get(m, "target");
	size_t n = v->n_items, priv = 0, gw = 0;
	if (n == 0)
		return;         /* the built-in targets: public, several */
	for (size_t i = 0; i < n; i++) {
		struct probe_target t;
		char err[160];
		if (probe_target_parse(v->items[i].str, &t, err, sizeof(err)) < 0)
			continue;       /* the config check reports it */
		priv += adm_addr_private(t.family, target_addr(&t));
		gw += is_gateway(m, &t);
	}
	const char *fix = "add a target on the internet, e.g. list target '1.1.1.1' or "
			  "'tcp:8.8.8.8:53'";
	if (gw == n)
		adm_finding(a, ADM_WARNING, "targets", m->name, fix,
			    "member %s probes only its own gateway: an outage beyond it goes "
			    "unnoticed", m->name);
	else if (priv == n)
		adm_finding(a, ADM_WARNING, "targets", m->name, fix,
			    "every target of member %s is a private address: probes stop short "
			    "of the internet, so a dead uplink can look alive", m->name);
	else if (priv)
		adm_finding(a, ADM_INFO, "targets", m->name, NULL,
			    "member %s: %zu of %zu targets are private addresses", m->name, priv, n);
	if (n == 1)
		adm_finding(a, ADM_WARNING, "targets", m->name,
			    "add a second target run by someone else",
			    "member %s has one probe target: when that one host fails, the "
			    "member looks down", m->name);
}

void adm_check_targets(struct adm_audit *a)
{
	for (size_t i = 0; a->cfg && i < a->cfg->n_members; i++)
		check_member_targets(a, &a->cfg->members[i]);
}

void adm_check_detection(struct adm_audit *a)
{
	if (!a->cfg)
		return;
	const struct cfg_section *pol = config_section(a->cfg, "polling");
	bool adaptive = cfg_bool(pol, "adaptive_polling");
	const char *opt = adaptive ? "min_interval_ms" : "base_interval_ms";
	long long interval = cfg_duration_ms(pol, opt);
	long long worst = interval + DETECT_EXTRA_MS;
	if (worst > DETECT_GOAL_MS)
		adm_finding(a, ADM_WARNING, "detection", "polling",
			    adaptive ? "polling.min_interval_ms '500'" :
			    "polling.adaptive_polling '1' (the active member at min_interval_ms)",
			    "a dead active uplink is confirmed in up to %.2f s (polling.%s %lld ms); "
			    "the goal is under 1 s", worst / 1000.0, opt, interval);
}
