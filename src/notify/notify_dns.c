/* notify_dns: endpoint names resolved by a child, cached (notify_dns.h). */
#include "notify/notify_dns.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/clock.h"
#include "core/proc.h"
#include "core/resolve.h"

void ndns_init(struct notify_dns *d, struct event_base *base, void (*ready)(void *), void *arg)
{
	memset(d, 0, sizeof(*d));
	d->base = base;
	d->ready = ready;
	d->arg = arg;
	d->timeout_ms = 5000;
	resolve_self_exe(d->self, sizeof(d->self));
}

void ndns_free(struct notify_dns *d)
{
	for (unsigned i = 0; i < NDNS_ENTRIES; i++)
		if (d->e[i].proc)
			proc_cancel(d->e[i].proc);
	memset(d->e, 0, sizeof(d->e));
}

static struct ndns_entry *entry(struct notify_dns *d, const char *host)
{
	struct ndns_entry *old = &d->e[0];
	for (unsigned i = 0; i < NDNS_ENTRIES; i++) {
		if (strcmp(d->e[i].host, host) == 0)
			return &d->e[i];
		if (!d->e[i].proc && d->e[i].used_mono < old->used_mono)
			old = &d->e[i];
	}
	if (old->proc)
		return NULL;
	memset(old, 0, sizeof(*old));
	old->d = d;
	snprintf(old->host, sizeof(old->host), "%s", host);
	return old;
}

static void on_done(void *arg, const struct proc_result *r)
{
	struct ndns_entry *e = arg;
	e->proc = NULL;
	unsigned n = 0;
	char addrs[NDNS_ADDRS][48];
	for (const char *p = r->out ? r->out : ""; *p && n < NDNS_ADDRS;) {
		size_t k = strcspn(p, "\n");
		if (k && k < sizeof(addrs[0])) {
			memcpy(addrs[n], p, k);
			addrs[n][k] = '\0';
			if (resolve_is_numeric(addrs[n]))
				n++;
		}
		p += k + (p[k] == '\n');
	}
	uint64_t now = clock_mono_ms();
	if (r->end == PROC_EXITED && r->status == 0 && n) {
		memcpy(e->addrs, addrs, sizeof(addrs));
		e->n = n;
		e->ok_mono = now ? now : 1;
		e->error[0] = '\0';
	} else {
		e->fail_mono = now ? now : 1;
		snprintf(e->error, sizeof(e->error), "%s: %s", e->host,
			 r->end == PROC_TIMEOUT ? "name lookup timed out" :
			 r->end == PROC_EXITED && r->status == 1 ? "the name does not resolve" :
			 "name lookup failed");
	}
	if (e->d->ready)
		e->d->ready(e->d->arg);
}

int ndns_get(struct notify_dns *d, const char *host, uint64_t now, const struct ndns_entry **out)
{
	struct ndns_entry *e = entry(d, host);
	*out = e;
	if (!e)
		return 0;               /* every slot busy looking up: wait */
	e->used_mono = now;
	if (e->proc)
		return 0;
	if (e->ok_mono && now - e->ok_mono < NDNS_FRESH_MS)
		return 1;
	/* A lookup ended since the last answer: failed → the stale answer or
	 * nothing; else (never asked, or stale) ask now. */
	if (e->fail_mono && e->fail_mono >= e->ok_mono && now - e->fail_mono < NDNS_NEGATIVE_MS)
		return e->n ? 1 : -1;
	char *argv[] = { d->self, "--resolve", e->host, NULL };
	struct proc_opts o = { .timeout_ms = d->timeout_ms, .max_output = 2048 };
	e->proc = proc_spawn(d->base, argv, &o, on_done, e);
	if (!e->proc) {
		snprintf(e->error, sizeof(e->error), "%.256s: cannot start a name lookup", host);
		return e->n ? 1 : -1;
	}
	return 0;
}

int ndns_url_host(const char *url, char *host, size_t size, unsigned *port)
{
	static const struct { const char *scheme; unsigned port; } schemes[] = {
		{ "https://", 443 }, { "http://", 80 }, { "smtps://", 465 }, { "smtp://", 25 },
	};
	const char *p = NULL;
	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]) && !p; i++)
		if (strncmp(url, schemes[i].scheme, strlen(schemes[i].scheme)) == 0) {
			p = url + strlen(schemes[i].scheme);
			*port = schemes[i].port;
		}
	if (!p)
		return -1;
	const char *at = strchr(p, '@'), *end = p + strcspn(p, "/?#");
	if (at && at < end)
		p = at + 1;
	const char *h = p, *he;
	if (*p == '[') {
		h = p + 1;
		he = strchr(h, ']');
		if (!he || he > end)
			return -1;
		p = he + 1;
	} else {
		he = p + strcspn(p, ":/?#");
		p = he;
	}
	if (he == h || (size_t)(he - h) >= size)
		return -1;
	memcpy(host, h, (size_t)(he - h));
	host[he - h] = '\0';
	if (*p == ':') {
		char *e;
		long v = strtol(p + 1, &e, 10);
		if (e == p + 1 || v < 1 || v > 65535 || (*e && !strchr("/?#", *e)))
			return -1;
		*port = (unsigned)v;
	}
	return 0;
}

int ndns_resolve_line(const struct ndns_entry *e, const char *host, unsigned port, int family,
		      char *out, size_t size)
{
	size_t n = (size_t)snprintf(out, size, "%s:%u:", host, port);
	unsigned k = 0;
	for (unsigned i = 0; i < e->n && n < size; i++) {
		bool v6 = strchr(e->addrs[i], ':') != NULL;
		if (family && (family == AF_INET6) != v6)
			continue;
		n += (size_t)snprintf(out + n, size - n, v6 ? "%s[%s]" : "%s%s", k ? "," : "",
				      e->addrs[i]);
		k++;
	}
	return k && n < size ? 0 : -1;
}
