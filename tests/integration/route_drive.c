/* route_drive: test driver for the route backend on a real kernel, wired the
 * way the daemon wires it: linkmon feeds the members' devices and addresses
 * (route_member_set_link, again on every NEW/DEL/ADDR of a member device),
 * the backend runs on the same libevent loop.
 *
 *   route_drive [-b netlink|none] [-m METRIC] [-t DEFAULT_TABLE] [-4] [-q]
 *               [-i VERIFY_INTERVAL_S] MEMBER...
 *     MEMBER: name=dev[,table=N][,mark=0xM[/0xMASK]][,gw4=A][,gw6=A]
 *
 * Commands on stdin, one per line; each is answered by one JSON line on
 * stdout with "cmd" set (backend events are printed as lines with "event"):
 *   activate NAME|none [flush]   route_activate (flush: ROUTE_ACT_FLUSH_OLD)
 *   verify                       route_verify
 *   resync                       route_resync
 *   flush NAME                   route_conntrack_flush
 *   status                       route_status_json
 *   rcvbuf BYTES                 route_set_rcvbuf (provoke ENOBUFS)
 *   stall MS                     block the loop (events pile up meanwhile)
 *   wait MS                      keep running the loop for MS, then answer
 *   quit [keep|restore]          route_free(how), answer, exit
 * -q: log warnings only (benchmarks). stdin must be a pipe or FIFO (not a
 * regular file: epoll cannot watch one). Exit status 0 unless start-up
 * failed.
 *
 * Build: see route_lab_test.sh. */
#include "route/route.h"

#include "core/clock.h"
#include "core/log.h"
#include "link/linkmon.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

struct drive {
	struct event_base *base;
	struct linkmon *lm;
	struct route_backend *rb;
	struct route_member cfg[ROUTE_MAX_MEMBERS];
	size_t n;
	struct event *in, *wait_timer;
	char line[4096];
	size_t len;
	bool waiting;
};

static void out(json_object *o)
{
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	fflush(stdout);
	json_object_put(o);
}

/* ---- members ------------------------------------------------------------------ */

static int parse_mark(const char *v, struct route_member *m)
{
	char *end;
	m->fwmark = (uint32_t)strtoul(v, &end, 0);
	if (*end == '/')
		m->fwmask = (uint32_t)strtoul(end + 1, &end, 0);
	return *end ? -1 : 0;
}

static int parse_opt(struct route_member *m, const char *key, const char *v)
{
	if (strcmp(key, "table") == 0)
		m->table = (uint32_t)strtoul(v, NULL, 10);
	else if (strcmp(key, "mark") == 0)
		return parse_mark(v, m);
	else if (strcmp(key, "gw4") == 0)
		return route_addr_parse(v, &m->gw4);
	else if (strcmp(key, "gw6") == 0)
		return route_addr_parse(v, &m->gw6);
	else
		return -1;
	return 0;
}

/* name=dev[,key=value]... */
static int parse_member(const char *spec, struct route_member *m)
{
	char buf[512], *save = NULL;
	memset(m, 0, sizeof(*m));
	snprintf(buf, sizeof(buf), "%s", spec);
	char *tok = strtok_r(buf, ",", &save);
	char *eq = tok ? strchr(tok, '=') : NULL;
	if (!eq)
		return -1;
	*eq = '\0';
	snprintf(m->name, sizeof(m->name), "%s", tok);
	snprintf(m->device, sizeof(m->device), "%s", eq + 1);
	while ((tok = strtok_r(NULL, ",", &save))) {
		eq = strchr(tok, '=');
		if (!eq)
			return -1;
		*eq = '\0';
		if (parse_opt(m, tok, eq + 1) < 0)
			return -1;
	}
	return 0;
}

/* Config plus what linkmon knows now. */
static int push_members(struct drive *d)
{
	struct route_member m[ROUTE_MAX_MEMBERS];
	for (size_t i = 0; i < d->n; i++) {
		m[i] = d->cfg[i];
		const struct link_info *li = linkmon_find(d->lm, m[i].device);
		if (li)
			route_member_set_link(&m[i], li);
	}
	return route_set_members(d->rb, m, d->n);
}

static void on_link(void *arg, enum linkmon_event ev, const struct link_info *old,
		    const struct link_info *cur)
{
	struct drive *d = arg;
	if (ev == LINKMON_CHANGE || !d->rb)
		return;
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->cfg[i].device, cur->name) == 0) {
			push_members(d);
			return;
		}
}

static void on_route_event(void *arg, enum route_event ev, const char *member, const char *text)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "event", json_object_new_string(route_event_name(ev)));
	json_object_object_add(o, "member", member ? json_object_new_string(member) : NULL);
	json_object_object_add(o, "text", json_object_new_string(text));
	json_object_object_add(o, "mono_us", json_object_new_int64((int64_t)clock_mono_us()));
	out(o);
}

/* ---- commands ------------------------------------------------------------------- */

static json_object *result_json(const struct route_result *r)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "took_us", json_object_new_int64((int64_t)r->took_us));
	json_object_object_add(o, "apply_us", json_object_new_int64((int64_t)r->apply_us));
	json_object_object_add(o, "changes", json_object_new_int((int)r->changes));
	json_object_object_add(o, "errors", json_object_new_int((int)r->errors));
	json_object_object_add(o, "verified", json_object_new_boolean(r->verified));
	json_object_object_add(o, "dry_run", json_object_new_boolean(r->dry_run));
	json_object_object_add(o, "ct_matched", json_object_new_int(r->ct_matched));
	json_object_object_add(o, "ct_deleted", json_object_new_int(r->ct_deleted));
	json_object_object_add(o, "ct_took_us", json_object_new_int64((int64_t)r->ct_took_us));
	json_object_object_add(o, "error", json_object_new_string(r->error));
	return o;
}

static json_object *reply(const char *cmd, int rc)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "cmd", json_object_new_string(cmd));
	json_object_object_add(o, "rc", json_object_new_int(rc));
	if (rc < 0)
		json_object_object_add(o, "errno", json_object_new_string(strerror(errno)));
	return o;
}

static void cmd_activate(struct drive *d, char *arg)
{
	char *name = strtok(arg, " "), *opt = strtok(NULL, " ");
	struct route_result res;
	unsigned flags = opt && strcmp(opt, "flush") == 0 ? ROUTE_ACT_FLUSH_OLD : 0;
	if (name && strcmp(name, "none") == 0)
		name = NULL;
	int rc = route_activate(d->rb, name, flags, &res);
	json_object *o = reply("activate", rc);
	json_object_object_add(o, "result", result_json(&res));
	const char *active = route_active(d->rb);
	json_object_object_add(o, "active", active ? json_object_new_string(active) : NULL);
	out(o);
}

static void cmd_verify(struct drive *d)
{
	char text[1024];
	int n = route_verify(d->rb, text, sizeof(text));
	json_object *o = reply("verify", n < 0 ? -1 : 0);
	json_object_object_add(o, "differences", json_object_new_int(n));
	json_object_object_add(o, "text", json_object_new_string(text));
	out(o);
}

static void cmd_flush(struct drive *d, char *arg)
{
	struct route_result res;
	int rc = route_conntrack_flush(d->rb, arg, &res);
	json_object *o = reply("flush", rc);
	json_object_object_add(o, "result", result_json(&res));
	out(o);
}

static void cmd_status(struct drive *d)
{
	json_object *o = reply("status", 0);
	json_object_object_add(o, "status", route_status_json(d->rb));
	out(o);
}

static void process_lines(struct drive *d);

static void on_wait(evutil_socket_t fd, short what, void *arg)
{
	struct drive *d = arg;
	d->waiting = false;
	out(reply("wait", 0));
	event_add(d->in, NULL);
	process_lines(d);
}

static void cmd_wait(struct drive *d, long ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };
	d->waiting = true;
	event_del(d->in);       /* later commands wait their turn */
	evtimer_add(d->wait_timer, &tv);
}

static void cmd_quit(struct drive *d, const char *arg)
{
	enum route_shutdown how = arg && strcmp(arg, "restore") == 0 ? ROUTE_RESTORE : ROUTE_KEEP;
	route_free(d->rb, how);
	d->rb = NULL;
	out(reply("quit", 0));
	event_base_loopbreak(d->base);
}

static void run_command(struct drive *d, char *line)
{
	char *arg = strchr(line, ' ');
	if (arg)
		*arg++ = '\0';
	if (strcmp(line, "activate") == 0 && arg)
		cmd_activate(d, arg);
	else if (strcmp(line, "verify") == 0)
		cmd_verify(d);
	else if (strcmp(line, "resync") == 0)
		out(reply("resync", route_resync(d->rb)));
	else if (strcmp(line, "flush") == 0 && arg)
		cmd_flush(d, arg);
	else if (strcmp(line, "status") == 0)
		cmd_status(d);
	else if (strcmp(line, "rcvbuf") == 0 && arg)
		out(reply("rcvbuf", route_set_rcvbuf(d->rb, atoi(arg))));
	else if (strcmp(line, "stall") == 0 && arg) {
		usleep((useconds_t)atol(arg) * 1000);
		out(reply("stall", 0));
	} else if (strcmp(line, "wait") == 0 && arg)
		cmd_wait(d, atol(arg));
	else if (strcmp(line, "quit") == 0)
		cmd_quit(d, arg);
	else {
		errno = EINVAL;
		out(reply(line, -1));
	}
}

/* Runs the whole lines buffered; a "wait" holds the rest until answered. */
static void process_lines(struct drive *d)
{
	char *nl;
	while (d->rb && !d->waiting && (nl = memchr(d->line, '\n', d->len))) {
		*nl = '\0';
		size_t used = (size_t)(nl + 1 - d->line);
		run_command(d, d->line);
		memmove(d->line, d->line + used, d->len - used);
		d->len -= used;
	}
}

static void on_stdin(evutil_socket_t fd, short what, void *arg)
{
	struct drive *d = arg;
	ssize_t n = read(0, d->line + d->len, sizeof(d->line) - 1 - d->len);
	if (n <= 0) {
		if (d->rb)
			cmd_quit(d, "keep");
		return;
	}
	d->len += (size_t)n;
	process_lines(d);
}

/* ---- main ------------------------------------------------------------------------ */

static int parse_args(int argc, char **argv, struct drive *d, enum route_kind *kind,
		      struct route_params *p, bool *quiet)
{
	int c;
	while ((c = getopt(argc, argv, "b:m:t:i:4q")) != -1) {
		switch (c) {
		case 'b': *kind = (enum route_kind)route_kind_parse(optarg); break;
		case 'm': p->metric = (uint32_t)atoi(optarg); break;
		case 't': p->default_table = (uint32_t)atoi(optarg); break;
		case 'i': p->verify_interval_s = atoi(optarg); break;
		case '4': p->no_ipv6 = true; break;
		case 'q': *quiet = true; break;
		default: return -1;
		}
	}
	if ((int)*kind < 0)
		return -1;
	for (int i = optind; i < argc && d->n < ROUTE_MAX_MEMBERS; i++)
		if (parse_member(argv[i], &d->cfg[d->n++]) < 0) {
			fprintf(stderr, "bad member: %s\n", argv[i]);
			return -1;
		}
	return 0;
}

int main(int argc, char **argv)
{
	static struct drive d;
	enum route_kind kind = ROUTE_KIND_NETLINK;
	struct route_params p = { .cb = on_route_event };
	bool quiet = false;
	if (parse_args(argc, argv, &d, &kind, &p, &quiet) < 0) {
		fprintf(stderr, "usage: route_drive [-b netlink|none] [-m METRIC] [-t TABLE] "
			"[-i S] [-4] [-q] name=dev[,table=N][,mark=M[/MASK]][,gw4=A][,gw6=A]...\n");
		return 2;
	}
	log_open("route_drive", true, quiet ? LOG_LVL_WARN : LOG_LVL_INFO);
	d.base = event_base_new();
	d.lm = linkmon_new(d.base, on_link, &d);
	d.rb = d.lm ? route_new(kind, d.base, &p) : NULL;
	if (!d.rb || push_members(&d) < 0)
		fprintf(stderr, "route_drive: start: %s\n", strerror(errno));
	if (!d.rb)
		return 1;
	d.in = event_new(d.base, 0, EV_READ | EV_PERSIST, on_stdin, &d);
	d.wait_timer = evtimer_new(d.base, on_wait, &d);
	if (event_add(d.in, NULL) < 0) {
		/* epoll refuses regular files: commands come from a pipe */
		fprintf(stderr, "route_drive: stdin must be a pipe, FIFO or terminal\n");
		return 2;
	}
	out(reply("ready", 0));
	event_base_dispatch(d.base);
	route_free(d.rb, ROUTE_KEEP);
	event_free(d.in);
	event_free(d.wait_timer);
	linkmon_free(d.lm);
	event_base_free(d.base);
	return 0;
}
