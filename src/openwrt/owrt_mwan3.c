/* owrt_mwan3: mwan3 config → autonomy members (owrt_mwan3.h). */
#include "openwrt/owrt_mwan3.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "config/schema.h"
#include "config/uci.h"
#include "openwrt/owrt_netifd.h"

#define MW_MAX 64               /* interfaces imported; more is not a router */

struct mw_iface {
	const struct uci_section *sec;
	const char *name;
	int metric;                     /* in the general policy; 0 = not in it */
	int weight;
	bool used;                      /* some member uses it */
};

static const char *opt1(const struct uci_section *s, const char *name)
{
	const struct uci_option *o = s ? uci_find_option(s, name) : NULL;
	return o && o->n_values ? o->values[0] : NULL;
}

static bool opt_is(const struct uci_section *s, const char *name, const char *v)
{
	const char *x = opt1(s, name);
	return x && strcmp(x, v) == 0;
}

static int opt_int(const struct uci_section *s, const char *name, int dflt, int lo, int hi)
{
	const char *x = opt1(s, name);
	char *end;
	long v = x ? strtol(x, &end, 10) : dflt;
	if (x && (*end || end == x))
		v = dflt;
	return v < lo ? lo : v > hi ? hi : (int)v;
}

/* A UCI value in single quotes; a quote inside is closed, escaped, reopened. */
static void put_quoted(FILE *out, const char *v)
{
	fputc('\'', out);
	for (; *v; v++) {
		if (*v == '\'')
			fputs("'\\''", out);
		else if (*v == '\n' || *v == '\r')
			fputc(' ', out);
		else
			fputc(*v, out);
	}
	fputc('\'', out);
}

/* Comments carry mwan3's own text: keep them on one line. */
static void put_comment_value(FILE *out, const char *v)
{
	for (; *v; v++)
		fputc(*v == '\n' || *v == '\r' ? ' ' : *v, out);
}

/* A rule that sends every IPv4 destination somewhere: no limit of its own. */
static bool general_rule(const struct uci_section *r)
{
	static const char *const limits[] = { "src_ip", "src_port", "dest_port", "ipset",
					      "src_iface" };
	const char *dest = opt1(r, "dest_ip"), *proto = opt1(r, "proto");
	if (strcmp(r->type, "rule") != 0 || !opt1(r, "use_policy") || opt_is(r, "family", "ipv6"))
		return false;
	if (dest && strcmp(dest, "0.0.0.0/0") != 0)
		return false;
	if (proto && strcmp(proto, "all") != 0)
		return false;
	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++)
		if (opt1(r, limits[i]))
			return false;
	return true;
}

static const struct uci_section *find_typed(const struct uci_package *pkg, const char *type,
					    const char *name)
{
	for (size_t i = 0; name && i < pkg->n_secs; i++)
		if (pkg->secs[i].name && strcmp(pkg->secs[i].type, type) == 0 &&
		    strcmp(pkg->secs[i].name, name) == 0)
			return &pkg->secs[i];
	return NULL;
}

static const struct uci_section *general_policy(const struct uci_package *pkg,
						const char **why)
{
	const struct uci_section *p = NULL;
	for (size_t i = 0; i < pkg->n_secs && !p; i++)
		if (general_rule(&pkg->secs[i])) {
			p = find_typed(pkg, "policy", opt1(&pkg->secs[i], "use_policy"));
			*why = "used by the first rule for every IPv4 destination";
		}
	if (!p && (p = find_typed(pkg, "policy", "balanced")))
		*why = "no rule covers every destination; mwan3's usual policy";
	for (size_t i = 0; i < pkg->n_secs && !p; i++)
		if (strcmp(pkg->secs[i].type, "policy") == 0) {
			p = &pkg->secs[i];
			*why = "no rule covers every destination; the first policy";
		}
	return p;
}

static struct mw_iface *iface_of(struct mw_iface *ifs, size_t n, const char *name)
{
	for (size_t i = 0; name && i < n; i++)
		if (strcmp(ifs[i].name, name) == 0)
			return &ifs[i];
	return NULL;
}

static size_t collect(const struct uci_package *pkg, struct mw_iface *ifs)
{
	size_t n = 0;
	for (size_t i = 0; i < pkg->n_secs && n < MW_MAX; i++) {
		const struct uci_section *s = &pkg->secs[i];
		if (strcmp(s->type, "interface") == 0 && s->name && !iface_of(ifs, n, s->name))
			ifs[n++] = (struct mw_iface){ .sec = s, .name = s->name };
	}
	for (size_t i = 0; i < pkg->n_secs; i++) {
		const struct uci_section *s = &pkg->secs[i];
		struct mw_iface *f = strcmp(s->type, "member") == 0 ?
				     iface_of(ifs, n, opt1(s, "interface")) : NULL;
		if (f)
			f->used = true;
	}
	return n;
}

/* Metric and weight of each interface in the general policy. */
static void apply_policy(const struct uci_package *pkg, const struct uci_section *pol,
			 struct mw_iface *ifs, size_t n)
{
	const struct uci_option *um = pol ? uci_find_option(pol, "use_member") : NULL;
	for (size_t k = 0; um && k < um->n_values; k++) {
		const struct uci_section *m = find_typed(pkg, "member", um->values[k]);
		struct mw_iface *f = m ? iface_of(ifs, n, opt1(m, "interface")) : NULL;
		if (!f || f->metric)
			continue;
		f->metric = opt_int(m, "metric", 1, 1, 255);
		f->weight = opt_int(m, "weight", 1, 1, 1000);
	}
}

/* autonomy member names share one namespace with its global sections. */
static void member_name(const char *iface, char *out, size_t size)
{
	snprintf(out, size, "%s%s", iface, cfg_find_global_def(iface) ? "_uplink" : "");
}

/* RutOS keeps tracking (track_ip, track_method, timing) in anonymous
 * `config condition` sections naming the interface; OpenWrt's mwan3 keeps
 * it in the interface section. Both count. */
static bool tracks(const struct uci_section *s, const struct mw_iface *f)
{
	return s == f->sec || (strcmp(s->type, "condition") == 0 && opt_is(s, "interface", f->name));
}

static void put_targets(FILE *out, const struct uci_section *s)
{
	const struct uci_option *t = uci_find_option(s, "track_ip");
	bool http = opt_is(s, "track_method", "httping");
	const char *method = opt1(s, "track_method");
	if (method && strcmp(method, "ping") && !http) {
		fputs("\t# mwan3 track_method '", out);
		put_comment_value(out, method);
		fputs("': probed with ICMP echo here\n", out);
	}
	for (size_t i = 0; t && i < t->n_values; i++) {
		const char *ip = t->values[i];
		unsigned char buf[16];
		bool v6 = inet_pton(AF_INET6, ip, buf) == 1;
		if (!v6 && inet_pton(AF_INET, ip, buf) != 1) {
			fputs("\t# track_ip '", out);
			put_comment_value(out, ip);
			fputs("' not imported: targets are numeric addresses\n", out);
			continue;
		}
		fputs("\tlist target ", out);
		if (http) {
			char url[64];
			snprintf(url, sizeof(url), v6 ? "http://[%s]/" : "http://%s/", ip);
			put_quoted(out, url);
		} else {
			put_quoted(out, ip);
		}
		fputc('\n', out);
	}
}

/* mwan3's timing knobs, quoted so the operator sees what was there. */
static void put_timing(FILE *out, const struct uci_section *s)
{
	static const char *const knobs[] = { "reliability", "count", "timeout", "interval",
					     "down", "up", "initial_state" };
	bool any = false;
	for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		const char *v = opt1(s, knobs[i]);
		if (!v)
			continue;
		fputs(any ? ", " : "\t# mwan3 tracking (no equivalent; detection is adaptive): ", out);
		fprintf(out, "%s ", knobs[i]);
		put_comment_value(out, v);
		any = true;
	}
	if (any)
		fputc('\n', out);
}

static void put_member(FILE *out, const struct uci_package *pkg, const struct mw_iface *f,
		       int priority)
{
	char name[OWRT_IFACE_MAX + 8];
	member_name(f->name, name, sizeof(name));
	fputs("\nconfig member ", out);
	put_quoted(out, name);
	fputs("\n\toption interface ", out);
	put_quoted(out, f->name);
	fprintf(out, "\n\toption priority '%d'\n", priority);
	if (f->weight > 1)
		fprintf(out, "\toption weight '%d'\n", f->weight);
	if (opt_is(f->sec, "enabled", "0"))
		fputs("\toption enabled '0'\t# disabled in mwan3\n", out);
	for (size_t i = 0; i < pkg->n_secs; i++)
		if (tracks(&pkg->secs[i], f)) {
			put_targets(out, &pkg->secs[i]);
			put_timing(out, &pkg->secs[i]);
		}
}

/* mwan3 members whose interface has no `config interface`: mwan3 skips
 * them too; say so instead of dropping them silently. */
static void put_dangling(FILE *out, const struct uci_package *pkg, struct mw_iface *ifs, size_t n)
{
	for (size_t i = 0; i < pkg->n_secs; i++) {
		const struct uci_section *s = &pkg->secs[i];
		const char *ifc = opt1(s, "interface");
		if (strcmp(s->type, "member") || !ifc || iface_of(ifs, n, ifc))
			continue;
		fputs("\n# mwan3 member '", out);
		put_comment_value(out, s->name ? s->name : "?");
		fputs("' uses interface '", out);
		put_comment_value(out, ifc);
		fputs("', which has no 'config interface' section: not imported\n", out);
	}
}

static void put_header(FILE *out, const char *source, const struct uci_section *pol,
		       const char *why)
{
	fputs("# autonomy members imported from ", out);
	put_comment_value(out, source);
	fputs(" by 'autonomyctl config import-mwan3'.\n"
	      "# Review, then append to /etc/config/autonomy. Stop mwan3 before autonomy routes:\n"
	      "# two daemons must not own the default route (/etc/init.d/mwan3 disable; stop).\n", out);
	if (pol) {
		fputs("# Priorities from mwan3 policy '", out);
		put_comment_value(out, pol->name ? pol->name : "?");
		fprintf(out, "' (%s)", why);
		const char *lr = opt1(pol, "last_resort");
		if (lr) {
			fputs("; its last_resort '", out);
			put_comment_value(out, lr);
			fputs("' has no equivalent: autonomy always keeps a default route", out);
		}
		fputs(".\n", out);
	}
}

int owrt_mwan3_import(const struct uci_package *pkg, const char *source, FILE *out,
		      char *err, size_t errlen)
{
	struct mw_iface ifs[MW_MAX];
	const char *why = "";
	size_t n = collect(pkg, ifs), written = 0;
	const struct uci_section *pol = general_policy(pkg, &why);
	apply_policy(pkg, pol, ifs, n);
	int maxp = 0;
	for (size_t i = 0; i < n; i++)
		if (ifs[i].metric > maxp)
			maxp = ifs[i].metric;
	put_header(out, source, pol, why);
	/* In the policy first, by metric (stable), then the rest. */
	for (int p = 1; p <= 255; p++)
		for (size_t i = 0; i < n; i++)
			if (ifs[i].used && ifs[i].metric == p && !opt_is(ifs[i].sec, "family", "ipv6")) {
				put_member(out, pkg, &ifs[i], p);
				written++;
			}
	for (size_t i = 0; i < n; i++)
		if (ifs[i].used && !ifs[i].metric && !opt_is(ifs[i].sec, "family", "ipv6")) {
			fputs("\n# not in the policy above: after its members", out);
			put_member(out, pkg, &ifs[i], maxp < 255 ? maxp + 1 : 255);
			written++;
		}
	for (size_t i = 0; i < n; i++)
		if (ifs[i].used && opt_is(ifs[i].sec, "family", "ipv6")) {
			fputs("\n# mwan3 interface '", out);
			put_comment_value(out, ifs[i].name);
			fputs("' (family ipv6) is not a member of its own: each member probes and "
			      "routes\n# IPv6 too, through its device\n", out);
		}
	put_dangling(out, pkg, ifs, n);
	if (!written) {
		snprintf(err, errlen, "no IPv4 interface of mwan3 is used by a member");
		return -1;
	}
	return (int)written;
}
