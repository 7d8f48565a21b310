/* adm_security: `security audit` — what an attacker would look at first:
 * file modes of config, state and socket, the capabilities the daemon
 * holds, the rpcd ACL installed, which listener listens where with which
 * authentication, secrets kept in plain text, recent refusals of the
 * listeners' guard, and the firmware. Each finding with a severity and a
 * fix (the findings machinery of `config audit`). The daemon is asked for
 * its live side (health: listeners, guard, pid); without it the files are
 * still audited. */
#include "admin/adm_audit_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>

#include "config/config.h"
#include "core/jsonutil.h"
#include "ctl/ctl_client.h"
#include "security/sec_acl.h"

#define ACL_FILE "/usr/share/rpcd/acl.d/autonomy.json"
#define DAEMON_TIMEOUT_MS 3000
#define REFUSALS_LISTED 5

static json_object *get(json_object *o, const char *k)
{
	json_object *v = NULL;
	return o && json_object_object_get_ex(o, k, &v) ? v : NULL;
}

static void check_path(struct adm_audit *a, const char *path, const char *what,
		       unsigned forbidden, enum adm_severity sev)
{
	struct stat st;
	char fix[PATH_MAX + 16];
	if (!path || !*path || stat(path, &st) < 0)
		return;
	unsigned mode = st.st_mode & 07777;
	if (!(mode & forbidden))
		return;
	snprintf(fix, sizeof(fix), "chmod %o %s", S_ISDIR(st.st_mode) ? 0755 & ~forbidden :
		 0600, path);
	adm_finding(a, sev, "file_mode", path, fix, "%s has mode %04o (%s)", what, mode,
		    forbidden & 0002 ? "others may write it" : "others may read it");
}

/* Capabilities of the daemon process: CapEff of /proc/PID/status. */
static json_object *capabilities(struct adm_audit *a, int pid)
{
	static const struct { int bit; const char *name; } known[] = {
		{ 0, "CAP_CHOWN" }, { 1, "CAP_DAC_OVERRIDE" }, { 7, "CAP_SETUID" },
		{ 10, "CAP_NET_BIND_SERVICE" }, { 12, "CAP_NET_ADMIN" }, { 13, "CAP_NET_RAW" },
		{ 16, "CAP_SYS_MODULE" }, { 19, "CAP_SYS_PTRACE" }, { 21, "CAP_SYS_ADMIN" },
		{ 22, "CAP_SYS_BOOT" },
	};
	char path[64], line[256];
	unsigned long long eff = 0;
	bool found = false;
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	FILE *f = pid > 0 ? fopen(path, "r") : NULL;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			found = true;
	if (f)
		fclose(f);
	if (!found)
		return NULL;
	json_object *o = json_object_new_object(), *held = json_object_new_array();
	char hex[24];
	snprintf(hex, sizeof(hex), "%016llx", eff);
	json_object_object_add(o, "effective", json_object_new_string(hex));
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (eff & (1ULL << known[i].bit))
			json_object_array_add(held, json_object_new_string(known[i].name));
	json_object_object_add(o, "held", held);
	int n = __builtin_popcountll(eff);
	json_object_object_add(o, "count", json_object_new_int(n));
	/* Routes, rules, nftables and raw probes need NET_ADMIN and NET_RAW;
	 * everything beyond is what a compromise would inherit. */
	if (eff & ~((1ULL << 12) | (1ULL << 13) | (1ULL << 10)))
		adm_finding(a, ADM_WARNING, "capabilities", NULL,
			    "run autonomyd with CAP_NET_ADMIN and CAP_NET_RAW only (procd "
			    "capabilities / systemd CapabilityBoundingSet)",
			    "autonomyd holds %d capabilities (CapEff %s), among them %s; it needs "
			    "CAP_NET_ADMIN and CAP_NET_RAW", n, hex,
			    eff & (1ULL << 21) ? "CAP_SYS_ADMIN" : "more than it needs");
	return o;
}

static void check_acl(struct adm_audit *a, json_object *out)
{
	json_object *acl = json_object_from_file(ACL_FILE), *groups = json_object_new_array();
	if (!acl) {
		adm_finding(a, ADM_INFO, "acl", ACL_FILE, NULL,
			    "no rpcd ACL for autonomy is installed: over ubus only root may call it");
		json_object_put(groups);
		return;
	}
	json_object_object_foreach(acl, k, v) {
		(void)v;
		json_object_array_add(groups, json_object_new_string(k));
	}
	json_object_object_add(out, "acl_groups", groups);
	check_path(a, ACL_FILE, "the rpcd ACL", 0022, ADM_CRITICAL);
	json_object_put(acl);
}

static bool acl_open_to_all(const struct config *cfg)
{
	const struct cfg_value *v = cfg_get(config_section(cfg, "security"), "ip_whitelist");
	for (size_t i = 0; v && i < v->n_items; i++)
		if (strcmp(v->items[i].str, "0.0.0.0/0") == 0 || strcmp(v->items[i].str, "::/0") == 0)
			return true;
	return false;
}

/* The Prometheus listener: where, and what stands between it and a caller. */
static json_object *listener_prom(struct adm_audit *a, json_object *exp)
{
	const struct cfg_section *p = config_section(a->cfg, "prometheus"),
				 *s = config_section(a->cfg, "security"),
				 *n = config_section(a->cfg, "network_security");
	const char *listen = cfg_str(p, "listen");
	if (!cfg_bool(p, "enabled") || !listen || !*listen)
		return NULL;
	bool local = sec_listen_is_loopback(listen), tls = cfg_bool(s, "api_encryption") && !local;
	json_object *o = json_object_new_object(), *pv = get(exp, "prometheus");
	json_object_object_add(o, "name", json_object_new_string("prometheus"));
	json_object_object_add(o, "listen", json_object_new_string(listen));
	json_object_object_add(o, "state", json_object_new_string(json_get_str(pv, "state", "?")));
	json_object_object_add(o, "reachable_from_others", json_object_new_boolean(!local));
	json_object_object_add(o, "tls", json_object_new_boolean(tls));
	json_object_object_add(o, "api_key", json_object_new_boolean(!local &&
								     cfg_bool(s, "api_key_required")));
	json_object_object_add(o, "ip_whitelist", json_object_new_boolean(!local));
	if (local)
		return o;
	if (!cfg_bool(s, "api_key_required"))
		adm_finding(a, ADM_WARNING, "listener", listen,
			    "option api_key_required '1' and autonomyctl security key create",
			    "/metrics on %s is reachable from other hosts without an API key", listen);
	if (!tls)
		adm_finding(a, ADM_WARNING, "listener", listen,
			    "option api_encryption '1' with tls_cert and tls_key",
			    "/metrics on %s is plain HTTP to other hosts: keys travel in clear",
			    listen);
	if (acl_open_to_all(a->cfg))
		adm_finding(a, ADM_WARNING, "listener", listen, "narrow security.ip_whitelist",
			    "security.ip_whitelist lets every address reach %s", listen);
	if (!cfg_bool(s, "rate_limiting"))
		adm_finding(a, ADM_INFO, "listener", listen, "option rate_limiting '1'",
			    "no per-source rate limit on %s", listen);
	if (!cfg_bool(n, "firewall_integration"))
		adm_finding(a, ADM_INFO, "listener", listen,
			    "network_security.firewall_integration '1'",
			    "the port of %s is not closed to other sources in the firewall", listen);
	return o;
}

static json_object *listener_socket(struct adm_audit *a, const char *sock)
{
	struct stat st;
	json_object *o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string("control socket"));
	json_object_object_add(o, "listen", json_object_new_string(sock));
	if (stat(sock, &st) < 0) {
		json_object_object_add(o, "state", json_object_new_string("absent"));
		return o;
	}
	char mode[8];
	snprintf(mode, sizeof(mode), "%04o", st.st_mode & 07777);
	json_object_object_add(o, "state", json_object_new_string("listening"));
	json_object_object_add(o, "mode", json_object_new_string(mode));
	json_object_object_add(o, "authentication", json_object_new_string(
		"file mode and owner of the socket"));
	if (st.st_mode & 0002)
		adm_finding(a, ADM_CRITICAL, "listener", sock, "chmod 660 on the socket (the daemon "
			    "makes it so unless told otherwise)",
			    "any local user may connect to the control socket (mode %s) and move "
			    "traffic", mode);
	return o;
}

static void check_secrets(struct adm_audit *a)
{
	for (size_t i = 0; a->cfg && i < a->cfg->n_globals; i++) {
		const struct cfg_section *s = &a->cfg->globals[i];
		for (size_t k = 0; k < s->def->n_opts; k++)
			if (s->def->opts[k].type == CFG_SECRET && s->vals[k].set &&
			    s->vals[k].n_items && s->vals[k].items[0].str &&
			    s->vals[k].items[0].str[0])
				adm_finding(a, ADM_INFO, "secrets", a->p->config,
					    "keep the file 0600 and the account behind it limited",
					    "%s.%s is stored in plain text in the config", s->name,
					    s->def->opts[k].name);
	}
}

static void check_refusals(struct adm_audit *a, json_object *sec, json_object *out)
{
	json_object *c = get(sec, "counters"), *r = get(sec, "recent_refusals");
	int64_t refused = 0;
	if (c) {
		json_object_object_foreach(c, k, v)
			if (strncmp(k, "refused_", 8) == 0)
				refused += json_object_get_int64(v);
	}
	json_object_object_add(out, "refused_requests", json_object_new_int64(refused));
	json_object_object_add(out, "recent_refusals", r ? json_object_get(r) : NULL);
	if (!refused)
		return;
	char last[300] = "";
	size_t n = r ? json_object_array_length(r) : 0, len = 0;
	for (size_t i = n > REFUSALS_LISTED ? n - REFUSALS_LISTED : 0; i < n && len < sizeof(last); i++)
		len += (size_t)snprintf(last + len, sizeof(last) - len, "%s%s (%s)", len ? ", " : "",
					json_get_str(json_object_array_get_idx(r, i), "source", "?"),
					json_get_str(json_object_array_get_idx(r, i), "reason", "?"));
	adm_finding(a, ADM_WARNING, "auth_failures", NULL,
		    "check the sources; narrow security.ip_whitelist",
		    "the listeners refused %lld requests since the daemon started (authentication "
		    "failed, rate limits); latest: %s", (long long)refused, last[0] ? last : "-");
}

static void read_release(const char *path, const char *key, char *out, size_t size)
{
	char line[256];
	size_t kl = strlen(key);
	FILE *f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, key, kl) == 0 && line[kl] == '=') {
			char *v = line + kl + 1;
			v += *v == '"' || *v == '\'';
			snprintf(out, size, "%s", v);
			for (char *e = out + strlen(out); e > out && (isspace((unsigned char)e[-1]) ||
					e[-1] == '"' || e[-1] == '\''); )
				*--e = '\0';
			break;
		}
	if (f)
		fclose(f);
}

static json_object *firmware(struct adm_audit *a)
{
	char rel[160] = "";
	struct utsname u;
	json_object *o = json_object_new_object();
	read_release("/etc/openwrt_release", "DISTRIB_DESCRIPTION", rel, sizeof(rel));
	if (!rel[0])
		read_release("/etc/os-release", "PRETTY_NAME", rel, sizeof(rel));
	json_object_object_add(o, "release", rel[0] ? json_object_new_string(rel) : NULL);
	if (uname(&u) == 0)
		json_object_object_add(o, "kernel", json_object_new_string(u.release));
	adm_finding(a, ADM_INFO, "firmware", NULL, NULL, "%s, kernel %s",
		    rel[0] ? rel : "unknown release", uname(&u) == 0 ? u.release : "?");
	return o;
}

json_object *adm_security_audit(const struct adm_paths *p, const char *sock,
				struct ctl_error *err)
{
	struct cfg_diags dg = { 0 };
	struct ctl_error e = { .details = NULL };
	struct config *cfg = config_load_file(p->config, &dg);
	cfg_diags_free(&dg);
	if (!cfg) {
		ctl_error_set(err, CTL_E_FAILED, "%s does not load (autonomyctl config validate)",
			      p->config);
		return NULL;
	}
	struct adm_audit a = { .p = p, .cfg = cfg, .findings = json_object_new_array() };
	json_object *o = json_object_new_object(), *ls = json_object_new_array();
	json_object *health = ctl_client_call(sock, "health", NULL, DAEMON_TIMEOUT_MS, &e);
	json_object *ping = health ? ctl_client_call(sock, "ping", NULL, DAEMON_TIMEOUT_MS, &e) :
			    NULL;
	json_object_put(e.details);
	json_object *subs = get(health, "subsystems");
	const struct cfg_section *m = config_section(cfg, "main");
	char keys[PATH_MAX + 16];
	adm_check_modes(&a);
	check_path(&a, cfg_str(m, "state_dir"), "state_dir", 0002, ADM_CRITICAL);
	snprintf(keys, sizeof(keys), "%s/api_keys", cfg_str(m, "state_dir"));
	check_path(&a, keys, "the API keys' hashes", 0044, ADM_WARNING);
	if (!health)
		adm_finding(&a, ADM_WARNING, "daemon", sock, "/etc/init.d/autonomy start",
			    "autonomyd does not answer on %s: its listeners and capabilities are "
			    "not audited", sock);
	json_object_array_add(ls, listener_socket(&a, sock));
	json_object *pl = listener_prom(&a, get(subs, "export"));
	if (pl)
		json_object_array_add(ls, pl);
	json_object_object_add(o, "config", json_object_new_string(p->config));
	json_object_object_add(o, "time_ts", json_object_new_int64((int64_t)time(NULL)));
	json_object_object_add(o, "daemon", json_object_new_boolean(health != NULL));
	json_object_object_add(o, "listeners", ls);
	json_object_object_add(o, "capabilities",
			       capabilities(&a, ping ? (int)json_get_num(ping, "pid", 0) : 0));
	check_acl(&a, o);
	check_secrets(&a);
	check_refusals(&a, get(subs, "security"), o);
	json_object_object_add(o, "firmware", firmware(&a));
	json_object *c = json_object_new_object();
	json_object_object_add(c, "critical", json_object_new_int((int)a.counts[ADM_CRITICAL]));
	json_object_object_add(c, "warning", json_object_new_int((int)a.counts[ADM_WARNING]));
	json_object_object_add(c, "info", json_object_new_int((int)a.counts[ADM_INFO]));
	json_object_object_add(o, "counts", c);
	json_object_object_add(o, "findings", a.findings);
	json_object_put(health);
	json_object_put(ping);
	config_free(cfg);
	return o;
}
