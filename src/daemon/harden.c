/* Start-up hardening of the daemon (issue 13): paths made absolute before
 * daemonising, the state and run directories checked, capabilities dropped. */
#include "daemon/harden.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/capability.h>

#include "config/config.h"
#include "core/fsutil.h"
#include "core/log.h"
#include "core/privs.h"
#include "daemon/daemon.h"

/* The daemon chdirs to / when it daemonises: a relative -c, -s or -p would
 * then name another file (a reload would read /autonomy.conf). */
int harden_abs_path(const char **path, char *buf, size_t size)
{
	char cwd[4096];
	if (!*path || (*path)[0] == '/')
		return 0;
	if (!getcwd(cwd, sizeof(cwd)) ||
	    snprintf(buf, size, "%s/%s", cwd, *path) >= (int)size) {
		fprintf(stderr, "autonomyd: cannot make %s absolute\n", *path);
		return -1;
	}
	*path = buf;
	return 0;
}

/* state_dir and run_dir hold files the daemon (root) rewrites: like the
 * socket's and the pid file's directory, nobody else may write there. */
int harden_state_dir(struct daemon *d)
{
	static const char *const opts[] = { "state_dir", "run_dir" };
	char probe[4200], why[512];
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		const char *dir = cfg_str(config_section(d->cfg, "main"), opts[i]);
		if (!dir || !*dir)
			continue;       /* run_dir unset: state_dir only */
		snprintf(probe, sizeof(probe), "%s/.", dir);
		if (fs_prepare_dir_of(probe, 0755, why, sizeof(why)) < 0) {
			log_err("main.%s: %s", opts[i], why);
			return -1;
		}
	}
	return 0;
}

/* What the daemon keeps after start-up (docs/security.md, "Capabilities"):
 * CAP_NET_ADMIN for routes, rules, conntrack, nftables, SO_MARK and
 * nl80211 scans; CAP_NET_RAW for raw ICMP where ping sockets are not
 * allowed and for SO_BINDTODEVICE on kernels before 5.7. The modem and
 * radio tools it runs are root children: they get the same set. */
#define DAEMON_CAPS (PRIVS_CAP(CAP_NET_ADMIN) | PRIVS_CAP(CAP_NET_RAW))

/* The daemon's listeners. One configured on a port below 1024 keeps
 * CAP_NET_BIND_SERVICE: a reload may have to bind it again. */
static const struct {
	const char *section, *enabled, *listen;
} listeners[] = {
	{ "prometheus", "enabled", "listen" },
};

static uint64_t caps_wanted(const struct config *cfg)
{
	uint64_t caps = DAEMON_CAPS;
	for (size_t i = 0; i < sizeof(listeners) / sizeof(listeners[0]); i++) {
		const struct cfg_section *s = config_section(cfg, listeners[i].section);
		const char *addr = s ? cfg_str(s, listeners[i].listen) : NULL;
		struct sockaddr_storage ss;
		socklen_t len;
		if (!s || !cfg_bool(s, listeners[i].enabled) || !addr || !*addr ||
		    cfg_parse_listen(addr, &ss, &len) < 0)
			continue;
		uint16_t port = ss.ss_family == AF_INET6 ?
				ntohs(((struct sockaddr_in6 *)&ss)->sin6_port) :
				ntohs(((struct sockaddr_in *)&ss)->sin_port);
		if (port < 1024)
			caps |= PRIVS_CAP(CAP_NET_BIND_SERVICE);
	}
	return caps;
}

void harden_reload_check(struct daemon *d)
{
	uint64_t missing = caps_wanted(d->cfg) & ~d->privs.effective;
	if (d->privs.applied && (missing & PRIVS_CAP(CAP_NET_BIND_SERVICE)))
		log_warn("a listener now wants a port below 1024: CAP_NET_BIND_SERVICE was not "
			 "kept at start; restart autonomyd for it");
}

void harden_drop_privileges(struct daemon *d)
{
	char names[256] = "";
	if (privs_drop(&d->privs, caps_wanted(d->cfg)) < 0)
		log_warn("capabilities not reduced: %s", d->privs.note);
	for (int c = 0; c < 64; c++)
		if ((d->privs.effective & PRIVS_CAP(c)) && privs_cap_name(c))
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 names[0] ? " " : "", privs_cap_name(c));
	log_info("capabilities kept: %s%s", names[0] ? names : "none",
		 d->privs.no_new_privs ? "; no_new_privs set" : "");
	if (d->privs.note[0])
		log_warn("privileges: %s", d->privs.note);
}

static json_object *cap_list(uint64_t mask)
{
	json_object *a = json_object_new_array();
	for (int c = 0; c < 64; c++)
		if ((mask & PRIVS_CAP(c)) && privs_cap_name(c))
			json_object_array_add(a, json_object_new_string(privs_cap_name(c)));
	return a;
}

json_object *harden_privs_json(const struct daemon *d)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "dropped", json_object_new_boolean(d->privs.applied));
	json_object_object_add(o, "capabilities", cap_list(d->privs.effective));
	json_object_object_add(o, "bounding", cap_list(d->privs.bounding));
	json_object_object_add(o, "no_new_privs", json_object_new_boolean(d->privs.no_new_privs));
	json_object_object_add(o, "note", d->privs.note[0] ?
			       json_object_new_string(d->privs.note) : NULL);
	return o;
}
