/* netifd: interface → device resolution and hotplug events (netifd.h). */
#include "daemon/netifd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/proc.h"
#include "ctl/ctl_proto.h"
#include "daemon/daemon.h"
#include "daemon/members.h"
#include "events/ev_emit.h"
#include "openwrt/owrt_netifd.h"

#define NETIFD_MAX 32
#define NETIFD_QUERY_MS 3000    /* ubus's own timeout (-t 2) plus start-up */

struct nf_iface {
	char name[OWRT_IFACE_MAX];
	char dev[IF_NAMESIZE];          /* "" = not known */
	bool known;                     /* netifd answered (status or hotplug) */
	bool down;
	char source[8];                 /* "ubus" | "hotplug" */
	int64_t updated_wall_s;
	char error[96];                 /* last failed query */
	struct proc *q;
	struct netifd *nf;
};

struct netifd {
	struct daemon *d;
	struct nf_iface ifs[NETIFD_MAX];
	size_t n;
	char ubus[256];                 /* "" = no ubus here */
	unsigned queries, failures, events;
};

static struct nf_iface *find(struct netifd *nf, const char *name)
{
	for (size_t i = 0; nf && name && i < nf->n; i++)
		if (strcmp(nf->ifs[i].name, name) == 0)
			return &nf->ifs[i];
	return NULL;
}

static struct nf_iface *get(struct netifd *nf, const char *name)
{
	struct nf_iface *f = find(nf, name);
	if (f || !owrt_iface_name_ok(name) || nf->n >= NETIFD_MAX)
		return f;
	f = &nf->ifs[nf->n++];
	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->nf = nf;
	return f;
}

/* The interface a member names, unless its device is given outright. */
static const char *member_iface(const struct cfg_section *m)
{
	const char *dev = cfg_str(m, "device"), *ifc = cfg_str(m, "interface");
	return (dev && *dev) || !ifc || !*ifc ? NULL : ifc;
}

const char *member_device(struct daemon *d, const struct cfg_section *m)
{
	const char *dev = cfg_str(m, "device");
	if (dev && *dev)
		return dev;
	const struct nf_iface *f = find(d->netifd, member_iface(m));
	if (f && f->dev[0])
		return f->dev;
	const char *ifc = cfg_str(m, "interface");
	return ifc ? ifc : "";
}

bool netifd_member_down(struct daemon *d, const struct cfg_section *m)
{
	const struct nf_iface *f = find(d->netifd, member_iface(m));
	return f && f->known && f->down;
}

/* What netifd said changed a device or an up/down state: members are
 * rebuilt (only those whose device changed restart; the rest keep their
 * measurements) and the down flags are applied. */
static void apply(struct daemon *d, const char *iface, bool dev_changed)
{
	if (dev_changed) {
		members_sync(d);
		return;
	}
	for (size_t i = 0; i < d->n_members; i++) {
		struct member_rt *m = d->members[i];
		const struct cfg_section *s = config_member(d->cfg, m->name);
		const char *mi = s ? member_iface(s) : NULL;
		if (mi && strcmp(mi, iface) == 0)
			members_set_ifdown(m, netifd_member_down(d, s));
	}
}

/* Records what netifd said; returns true when the device changed. */
static bool update(struct nf_iface *f, const char *dev, bool down, const char *source)
{
	bool changed = dev && *dev && strcmp(f->dev, dev) != 0;
	if (changed) {
		log_notice("netifd: interface %s is on device %s%s%s", f->name, dev,
			   f->dev[0] ? " (was " : "", f->dev[0] ? f->dev : "");
		snprintf(f->dev, sizeof(f->dev), "%s", dev);
	}
	if (f->known && f->down != down)
		log_notice("netifd: interface %s is %s", f->name, down ? "down" : "up");
	f->known = true;
	f->down = down;
	snprintf(f->source, sizeof(f->source), "%s", source);
	f->updated_wall_s = clock_wall_ms() / 1000;
	f->error[0] = '\0';
	return changed;
}

static void on_status(void *arg, const struct proc_result *r)
{
	struct nf_iface *f = arg;
	struct netifd *nf = f->nf;
	struct owrt_iface_status st;
	char err[96] = "";
	f->q = NULL;
	if (r->end != PROC_EXITED || r->status != 0) {
		/* ubus says 4 (not found) for an interface netifd does not have. */
		snprintf(err, sizeof(err), "ubus: %s %d%s%.40s",
			 r->end == PROC_TIMEOUT ? "timed out" : r->end == PROC_EXITED ?
			 "exit" : "failed", r->end == PROC_EXITED ? r->status : r->err,
			 r->errout && *r->errout ? ": " : "", r->errout ? r->errout : "");
	} else if (owrt_netifd_parse(r->out, r->out_len, &st, err, sizeof(err)) == 0) {
		bool changed = update(f, owrt_netifd_traffic_device(&st), !st.up, "ubus");
		apply(nf->d, f->name, changed);
		return;
	}
	nf->failures++;
	snprintf(f->error, sizeof(f->error), "%s", err);
	log_warn("netifd: interface %s: %s", f->name, err);
}

static void query(struct netifd *nf, struct nf_iface *f)
{
	char obj[64];
	if (!nf->ubus[0] || f->q)
		return;
	snprintf(obj, sizeof(obj), "network.interface.%s", f->name);
	char *argv[] = { nf->ubus, "-t", "2", "call", obj, "status", NULL };
	struct proc_opts o = { .timeout_ms = NETIFD_QUERY_MS, .max_output = 64 * 1024 };
	f->q = proc_spawn(nf->d->base, argv, &o, on_status, f);
	if (!f->q)
		log_errno(LOG_LVL_WARN, "netifd: cannot run %s", nf->ubus);
	else
		nf->queries++;
}

int netifd_start(struct daemon *d)
{
	struct netifd *nf = calloc(1, sizeof(*nf));
	if (!nf)
		return -1;
	nf->d = d;
	if (proc_which("ubus", nf->ubus, sizeof(nf->ubus)) < 0)
		nf->ubus[0] = '\0';
	d->netifd = nf;
	return 0;
}

void netifd_stop(struct daemon *d)
{
	struct netifd *nf = d->netifd;
	for (size_t i = 0; nf && i < nf->n; i++)
		if (nf->ifs[i].q)
			proc_cancel(nf->ifs[i].q);
	free(nf);
	d->netifd = NULL;
}

void netifd_refresh(struct daemon *d)
{
	struct netifd *nf = d->netifd;
	if (!nf)
		return;
	for (size_t i = 0; i < d->cfg->n_members; i++) {
		const char *ifc = member_iface(&d->cfg->members[i]);
		struct nf_iface *f = ifc ? get(nf, ifc) : NULL;
		if (f)
			query(nf, f);
	}
}

json_object *netifd_view(struct daemon *d)
{
	struct netifd *nf = d->netifd;
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	json_object_object_add(o, "ubus", json_object_new_boolean(nf && nf->ubus[0]));
	json_object_object_add(o, "queries", json_object_new_int64(nf ? nf->queries : 0));
	json_object_object_add(o, "query_failures", json_object_new_int64(nf ? nf->failures : 0));
	json_object_object_add(o, "hotplug_events", json_object_new_int64(nf ? nf->events : 0));
	for (size_t i = 0; nf && i < nf->n; i++) {
		const struct nf_iface *f = &nf->ifs[i];
		json_object *e = json_object_new_object();
		json_object_object_add(e, "interface", json_object_new_string(f->name));
		json_object_object_add(e, "device", f->dev[0] ? json_object_new_string(f->dev) : NULL);
		json_object_object_add(e, "up", f->known ? json_object_new_boolean(!f->down) : NULL);
		json_object_object_add(e, "source", f->known ? json_object_new_string(f->source) : NULL);
		view_add_time(e, "updated", f->updated_wall_s);
		json_object_object_add(e, "error", f->error[0] ? json_object_new_string(f->error) : NULL);
		json_object_array_add(a, e);
	}
	json_object_object_add(o, "interfaces", a);
	return o;
}

/* --- names and hotplug events --------------------------------------------- */

typedef bool (*match_fn)(struct daemon *d, const struct member_rt *m, const char *name);

static bool by_iface(struct daemon *d, const struct member_rt *m, const char *name)
{
	const struct cfg_section *s = config_member(d->cfg, m->name);
	const char *ifc = s ? cfg_str(s, "interface") : NULL;
	return ifc && strcmp(ifc, name) == 0;
}

static bool by_device(struct daemon *d, const struct member_rt *m, const char *name)
{
	return strcmp(m->device, name) == 0;
}

static bool by_class(struct daemon *d, const struct member_rt *m, const char *name)
{
	return strcmp(m->cls, name) == 0;
}

/* A member name first; then, in this order, the one member with that netifd
 * interface, device or class (`failover --interface starlink` as the
 * operations guide writes it). Two members matching is ambiguous. */
const char *netifd_member_for(struct daemon *d, const char *name, struct ctl_error *err)
{
	static const match_fn rules[] = { by_iface, by_device, by_class };
	static const char *const what[] = { "interface", "device", "class" };
	for (size_t i = 0; i < d->n_members; i++)
		if (strcmp(d->members[i]->name, name) == 0)
			return d->members[i]->name;
	for (size_t r = 0; r < sizeof(rules) / sizeof(rules[0]); r++) {
		const char *found = NULL;
		size_t n = 0;
		for (size_t i = 0; i < d->n_members; i++)
			if (rules[r](d, d->members[i], name) && n++ == 0)
				found = d->members[i]->name;
		if (n == 1)
			return found;
		if (n > 1) {
			ctl_error_set(err, CTL_E_BAD_ARGS, "'%s' is the %s of %zu members; name one "
				      "of them", name, what[r], n);
			return NULL;
		}
	}
	ctl_error_set(err, CTL_E_BAD_ARGS, "no member '%s' (nor a member with that interface, "
		      "device or class)", name);
	return NULL;
}

static const char *arg(json_object *args, const char *k)
{
	json_object *v;
	return json_object_object_get_ex(args, k, &v) ? json_object_get_string(v) : NULL;
}

/* netifd's iface actions: ifup and ifupdate (addresses or routes changed)
 * mean up; ifdown and ifup-failed mean down. Others (iflink, free) are
 * about the device, which linkmon follows from the kernel itself. */
static int action_down(const char *a)
{
	if (strcmp(a, "ifup") == 0 || strcmp(a, "ifupdate") == 0)
		return 0;
	if (strcmp(a, "ifdown") == 0 || strcmp(a, "ifup-failed") == 0)
		return 1;
	return -1;
}

static json_object *hotplug_reply(struct daemon *d, const char *action, const char *iface,
				  bool handled)
{
	json_object *o = json_object_new_object(), *ms = json_object_new_array();
	json_object_object_add(o, "action", json_object_new_string(action));
	json_object_object_add(o, "interface", json_object_new_string(iface));
	json_object_object_add(o, "handled", json_object_new_boolean(handled));
	const struct nf_iface *f = find(d->netifd, iface);
	json_object_object_add(o, "device", f && f->dev[0] ? json_object_new_string(f->dev) : NULL);
	for (size_t i = 0; i < d->n_members; i++)
		if (by_iface(d, d->members[i], iface))
			json_object_array_add(ms, json_object_new_string(d->members[i]->name));
	json_object_object_add(o, "members", ms);
	return o;
}

json_object *netifd_hotplug(struct daemon *d, json_object *args, struct ctl_error *err)
{
	const char *action = arg(args, "action"), *iface = arg(args, "interface");
	const char *dev = arg(args, "device");
	if (!action || !iface || !owrt_iface_name_ok(iface)) {
		ctl_error_set(err, CTL_E_BAD_ARGS, "hotplug needs --action and a valid --interface");
		return NULL;
	}
	if (dev && *dev && (strlen(dev) >= IF_NAMESIZE || strchr(dev, '/'))) {
		ctl_error_set(err, CTL_E_BAD_ARGS, "'%s' is not a device name", dev);
		return NULL;
	}
	int down = action_down(action);
	bool ours = false;
	for (size_t i = 0; i < d->cfg->n_members; i++) {
		const char *mi = member_iface(&d->cfg->members[i]);
		ours |= mi && strcmp(mi, iface) == 0;
	}
	struct nf_iface *f = ours && down >= 0 ? get(d->netifd, iface) : NULL;
	if (!f)
		return hotplug_reply(d, action, iface, false);
	d->netifd->events++;
	ev_emit_netifd(d->bus, action, iface, dev);
	bool changed = update(f, down ? NULL : dev, down == 1, "hotplug");
	/* Up without a device (an old netifd): ask netifd which it is. */
	if (!down && (!dev || !*dev))
		query(d->netifd, f);
	apply(d, iface, changed);
	/* Up: probe the member now rather than at its next turn. */
	for (size_t i = 0; !down && i < d->n_members; i++)
		if (by_iface(d, d->members[i], iface))
			members_recheck(d->members[i]);
	return hotplug_reply(d, action, iface, true);
}
